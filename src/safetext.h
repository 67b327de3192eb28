/*
 * safetext.h - which characters may reach a reader as they are, and how the
 * others are shown instead.
 *
 * Every CloudTrail string is attacker-written (a failed call can plant any
 * errorMessage, userAgent or even file name). Terminals act on C0 and C1
 * controls (ESC starts a sequence, and U+009B is CSI to xterm-class
 * terminals: OSC 52 writes the clipboard); bidi controls reorder the text
 * around them in terminals, browsers and editors. So stdout's tables, every
 * stderr line and JSON text all decide with unsafe_char(), and terminals get
 * safe_char()'s visible escapes: "\x1b", "\u202e", a NUL as "\x00".
 */
#ifndef TRAILSIFT_SAFETEXT_H
#define TRAILSIFT_SAFETEXT_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes), with its code
 * point in *cp; 0 when the bytes there are not one (a stray continuation
 * byte, an overlong form, a surrogate, a sequence cut short).
 */
size_t utf8_char(const unsigned char *s, size_t n, unsigned *cp);

/*
 * Is cp a character that changes how the text around it is shown: C0
 * controls, DEL, C1 controls (U+0080..U+009F), the line and paragraph
 * separators U+2028/U+2029, and the bidi controls U+061C, U+200E, U+200F,
 * U+202A..U+202E and U+2066..U+2069?
 */
int unsafe_char(unsigned cp);

/* Flags of safe_char(). */
#define SAFE_SPACES 1   /* tab, CR and LF become a space (a table cell) */

/* The most bytes safe_char() writes for one character. */
#define SAFE_CHAR_MAX 8

/*
 * Writes the character at s (n > 0 bytes left) as a terminal may show it to
 * out (room for SAFE_CHAR_MAX bytes): itself when it is valid UTF-8 and not
 * unsafe_char(); else "\xHH" for a byte (an ASCII control, or a byte that is
 * not UTF-8) or "\uHHHH" for a character. Sets *outlen; returns the bytes of
 * s used.
 */
size_t safe_char(const char *s, size_t n, int flags, char *out, size_t *outlen);

/* safe_char() over n bytes of s, appended to b or written to f. */
void safe_text_buf(struct buf *b, const char *s, size_t n, int flags);
void safe_text_file(FILE *f, const char *s, size_t n, int flags);

#endif
