/*
 * jsonw.h - writing JSON text into a buf.
 *
 * Findings carry a JSON details object and a JSON array of event ids; the
 * report has a JSON form. This writer keeps the commas and escaping in one
 * place: call jsonw_key() before each member of an object, the value
 * functions for values, and it puts the separators in.
 */
#ifndef TRAILSIFT_JSONW_H
#define TRAILSIFT_JSONW_H

#include <stddef.h>

#include "buf.h"

struct jsonw {
	struct buf *b;        /* where the text goes (not owned) */
	int depth;            /* open containers */
	unsigned char first[32]; /* per depth: no member written yet */
};

/* Starts writing into b (appending). */
void jsonw_init(struct jsonw *w, struct buf *b);

void jsonw_object(struct jsonw *w);       /* { */
void jsonw_array(struct jsonw *w);        /* [ */
void jsonw_end_object(struct jsonw *w);   /* } */
void jsonw_end_array(struct jsonw *w);    /* ] */
void jsonw_key(struct jsonw *w, const char *key);
void jsonw_string(struct jsonw *w, const char *s);              /* NULL writes null */
void jsonw_string_len(struct jsonw *w, const char *s, size_t n);
void jsonw_int(struct jsonw *w, long long v);
void jsonw_bool(struct jsonw *w, int v);
void jsonw_null(struct jsonw *w);
/* A value that is already JSON text (e.g. a stored details object). */
void jsonw_raw(struct jsonw *w, const char *json);

/* key + string value, key + int value: the common members. */
void jsonw_kv_string(struct jsonw *w, const char *key, const char *s);
void jsonw_kv_int(struct jsonw *w, const char *key, long long v);

/*
 * Appends s as a JSON string literal (with quotes) to b: valid UTF-8 (U+FFFD
 * for a byte that is not), and the characters safetext.h calls unsafe (C0,
 * C1, bidi controls) escaped as \uHHHH, so that no reader is fooled by it.
 */
void json_quote(struct buf *b, const char *s, size_t n);

/*
 * Appends n bytes of JSON text (a stored value, e.g. a finding's details)
 * with the same guarantees: unsafe characters escaped, bytes that are not
 * UTF-8 replaced, and line breaks between tokens made spaces.
 */
void json_safe_raw(struct buf *b, const char *json, size_t n);

#endif
