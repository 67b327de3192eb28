/*
 * jsonesc.h - lone UTF-16 surrogates in JSON \u escapes.
 *
 * "\ud800" on its own is valid JSON text but no character: yajl decodes a
 * lone high surrogate as '?', a high one followed by another escape as a
 * wrong character, and a lone low one as the bytes ED B0 80, which are not
 * UTF-8. So before yajl decodes a text, each escape of a lone surrogate in
 * a copy of it is rewritten to "\ufffd": the same length, so byte offsets
 * hold, and the decoded value gets U+FFFD, the replacement character. The
 * text itself (a record's raw column) stays as written.
 */
#ifndef TRAILSIFT_JSONESC_H
#define TRAILSIFT_JSONESC_H

#include <stddef.h>

/*
 * Scans the JSON text p[0..n) for escapes of lone surrogates, setting *lone
 * to whether there is one. Returns how many bytes were judged: n, or, when
 * more text may follow (!at_end), where an escape cut off by the end
 * begins; those bytes are judged again with the text that follows them.
 */
size_t jsonesc_scan(const char *p, size_t n, int at_end, int *lone);

/* Rewrites each escape of a lone surrogate in p[0..n) to \ufffd. */
void jsonesc_fix_lone(char *p, size_t n);

/*
 * The whole JSON text p[0..n) as yajl should decode it: p itself, or, when
 * it holds an escape of a lone surrogate, a malloc'd copy with each such
 * escape rewritten (*copy is set to it, for the caller to free; else NULL).
 */
const char *jsonesc_mended(const char *p, size_t n, char **copy);

#endif
