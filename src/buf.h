/*
 * buf.h - a growable byte buffer with a ceiling.
 *
 * A struct buf is never NULL-data: after buf_init() `data` points at a valid
 * NUL-terminated string (possibly a shared empty one), and every append keeps
 * the NUL after `len` bytes. Each buffer has a maximum size set at init so
 * that hostile input (a record of a gigabyte, an endless HTTP body) cannot
 * grow it without limit: appends past `max` fail with -1 and change nothing.
 * Ownership moves out only through buf_detach().
 */
#ifndef TRAILSIFT_BUF_H
#define TRAILSIFT_BUF_H

#include <stddef.h>

struct buf {
	char *data;   /* contents, always NUL-terminated; never NULL */
	size_t len;   /* bytes in use, not counting the NUL */
	size_t cap;   /* bytes allocated (0 while data is the shared empty string) */
	size_t max;   /* appends that would make len exceed this fail */
};

/* Prepares an empty buffer that may hold up to max bytes. Allocates nothing. */
void buf_init(struct buf *b, size_t max);

/* Frees the contents; the buffer is empty and usable again (same max). */
void buf_release(struct buf *b);

/* Empties the buffer but keeps its memory for reuse. */
void buf_reset(struct buf *b);

/* Appends n bytes. Returns 0, or -1 when the result would pass max. */
int buf_add(struct buf *b, const void *p, size_t n);

/* Appends a C string. Returns 0 or -1 as buf_add(). */
int buf_addstr(struct buf *b, const char *s);

/* Appends one byte. Returns 0 or -1 as buf_add(). */
int buf_addch(struct buf *b, int c);

/* Appends printf-formatted text. Returns 0 or -1 as buf_add(). */
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Makes room for n more bytes without changing len. Returns 0 or -1. */
int buf_grow(struct buf *b, size_t n);

/*
 * Hands the contents to the caller, who must free() them; the buffer is left
 * empty. Never returns NULL (an empty buffer yields a malloc'd "").
 */
char *buf_detach(struct buf *b, size_t *len);

#endif
