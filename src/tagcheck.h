/*
 * tagcheck.h - tag keys and values that AWS will refuse.
 *
 * MGN and DRS accept almost any stagingAreaTags (their API models have no
 * pattern and allow 256-character keys), but the service-linked role later
 * copies those tags onto the EC2 replication servers, volumes and snapshots,
 * and that fails on a tag the stricter AWS-wide rules reject; replication
 * then looks "stuck". The rule replication-invalid-tags uses this module to
 * say which tag is at fault and why.
 *
 * The rules checked are AWS's common tag restrictions:
 *   - characters must match [\p{L}\p{Z}\p{N}_.:/=+\-@], i.e. Unicode letters
 *     (Lu Ll Lt Lm Lo), separators (Zs Zl Zp), numbers (Nd Nl No) and the
 *     ASCII characters _ . : / = + - @. Categories come from utf8proc.
 *     Consequences of following that regex to the letter: combining marks
 *     (Mn Mc Me) are refused, so "e" + U+0301 is invalid where the precomposed
 *     U+00E9 is valid, and so are the vowel signs of Indic scripts; NBSP
 *     (U+00A0, Zs) and even U+2028/U+2029 (Zl/Zp) are accepted. Characters
 *     unassigned in utf8proc's Unicode version (Cn) are refused.
 *   - a key has 1 to 128 characters and a value at most 256, counted in
 *     code points, not bytes;
 *   - a key must not start with "aws:" in any letter case (AWS reserves it);
 *   - both must be valid UTF-8.
 * Everything here is pure computation on the caller's bytes: nothing is
 * allocated, kept or printed.
 */
#ifndef TRAILSIFT_TAGCHECK_H
#define TRAILSIFT_TAGCHECK_H

#include <stddef.h>

#define TAGCHECK_KEY_MAX 128       /* characters in a key, at most */
#define TAGCHECK_VALUE_MAX 256     /* characters in a value, at most */
#define TAGCHECK_DESCRIBE_SIZE 768 /* an out buffer this big never truncates tagcheck_describe() */

enum tag_problem {
	TAG_OK,              /* nothing wrong (never stored by tagcheck_pair()) */
	TAG_BAD_CHAR,        /* a character outside the allowed set */
	TAG_KEY_TOO_LONG,    /* key longer than TAGCHECK_KEY_MAX characters */
	TAG_VALUE_TOO_LONG,  /* value longer than TAGCHECK_VALUE_MAX characters */
	TAG_EMPTY_KEY,       /* key of zero bytes */
	TAG_RESERVED_PREFIX, /* key starting with "aws:", any case */
	TAG_BAD_UTF8         /* bytes that are not UTF-8 (also overlong forms, surrogates) */
};

struct tag_issue {
	enum tag_problem problem; /* what is wrong */
	int in_key;               /* 1: in the key, 0: in the value */
	long codepoint;           /* TAG_BAD_CHAR: the offending character; else -1 */
	size_t char_index;        /* TAG_BAD_CHAR, TAG_BAD_UTF8: 0-based character position; else 0 */
	size_t byte_offset;       /* TAG_BAD_CHAR, TAG_BAD_UTF8: 0-based byte position; else 0 */
	size_t length;            /* TAG_*_TOO_LONG: the length in characters; else 0 */
};

/*
 * Checks one tag: key[0..key_len) and value[0..value_len), which need not be
 * NUL-terminated and may contain NUL bytes (a NUL is a bad character). A
 * pointer may be NULL only when its length is 0. Stores up to max issues in
 * issues[] and returns how many it stored: 0 means the tag is valid. Returns
 * -1 (storing nothing) when issues is NULL, max < 1 or a pointer is NULL
 * with a non-zero length.
 *
 * Order: the key's issues, then the value's. Within one string, problems of
 * the whole string come first (empty key, which is then the key's only issue;
 * reserved prefix; too long), then character problems by position, so that a
 * small max still keeps the most telling ones. Only the first invalid UTF-8
 * sequence of a string is reported; each byte of an invalid sequence counts
 * as one character for the lengths and positions that follow.
 */
int tagcheck_pair(const char *key, size_t key_len, const char *value, size_t value_len,
		  struct tag_issue *issues, int max);

/*
 * Writes a one-line description of issue into out (n bytes, always
 * NUL-terminated when n > 0; cut at a character boundary when too small),
 * naming the tag by key[0..key_len):
 *   key 'Cost#Center': character '#' (U+0023) is not allowed
 *   value of 'Owner': 300 characters, more than 256
 *   key 'Tab\u0009': control character U+0009 is not allowed
 * The key is shown between single quotes with control, format, unassigned
 * and private-use characters and U+2028/U+2029 escaped as \uXXXX (or
 * \UXXXXXXXX above U+FFFF), bytes that are not UTF-8 as \xFF, and \ and '
 * as \\ and \', so the line is safe to print; keys of more than 64
 * characters are cut to their first 64 followed by "...". Value bytes are
 * never shown. Byte positions in the text count from 0.
 */
void tagcheck_describe(const struct tag_issue *issue, const char *key, size_t key_len,
		       char *out, size_t n);

/*
 * Returns a stable lower-case name for p ("ok", "bad_char", "key_too_long",
 * "value_too_long", "empty_key", "reserved_prefix", "bad_utf8") for JSON
 * details, or "unknown" for a value outside the enum. The string is static.
 */
const char *tagcheck_problem_name(enum tag_problem p);

#endif
