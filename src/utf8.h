/*
 * utf8.h - strict UTF-8 validation (RFC 3629) of a byte stream.
 *
 * yajl's own check lets through overlong forms (C0 9B, E0 80 9B), encoded
 * UTF-16 surrogates (ED A0 80) and sequences above U+10FFFF (F4 90 ...,
 * F5 ...); this one does not. It takes the input in chunks of any size (a
 * character may be split between two) and runs over every byte of an
 * ingest, so it skips ASCII sixteen bytes at a time.
 */
#ifndef TRAILSIFT_UTF8_H
#define TRAILSIFT_UTF8_H

#include <stddef.h>

struct utf8_stream {
	unsigned long long off;    /* bytes checked so far */
	unsigned long long seq_at; /* offset of the unfinished character's first byte */
	unsigned char lead;        /* that first byte */
	unsigned char need;        /* continuation bytes it still needs */
	unsigned char lo, hi;      /* the range the next one must be in */
};

/* Starts a stream whose first byte is at input offset 0. */
void utf8_stream_init(struct utf8_stream *u);

/*
 * Checks the next n bytes. Returns 0, or -1 when they hold invalid UTF-8;
 * then *at is the input offset of the bad character's first byte (which may
 * lie in an earlier chunk) and *why says what is wrong ("overlong form").
 */
int utf8_stream_check(struct utf8_stream *u, const unsigned char *p, size_t n,
		      unsigned long long *at, const char **why);

/* Ends the stream: fails like utf8_stream_check() on a character cut off. */
int utf8_stream_end(const struct utf8_stream *u, unsigned long long *at, const char **why);

#endif
