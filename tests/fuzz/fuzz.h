/*
 * fuzz.h - what the libFuzzer harnesses in tests/fuzz/ share.
 *
 * Each fuzz_<name>.c defines LLVMFuzzerTestOneInput(), which must never
 * crash, leak or trip a sanitizer, whatever the bytes. A broken invariant
 * (output that does not parse, a chunked parse that differs from a whole
 * one) is a crash too: FUZZ_CHECK prints what broke and aborts, so libFuzzer
 * saves the input and the replay driver (replay.c) fails on it.
 *
 * Harnesses take their input apart with a struct fuzz_input: small numbers
 * and strings drawn from the front of the bytes, so that the fuzzer can steer
 * every choice and every input means something.
 */
#ifndef TRAILSIFT_FUZZ_H
#define TRAILSIFT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                              \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "fuzz: invariant broken: %s (%s:%d): ", \
				#cond, __FILE__, __LINE__);                \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			abort();                                           \
		}                                                          \
	} while (0)

/* The unread rest of a fuzz input. */
struct fuzz_input {
	const uint8_t *p;
	size_t n;
};

/* The next byte, or 0 when the input is used up. */
static inline unsigned fuzz_byte(struct fuzz_input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

/*
 * The next string: the bytes up to (not including) the next byte `sep`, or
 * to the end; *len gets its length. The separator is consumed. The string
 * points into the input and is not NUL-terminated.
 */
static inline const char *fuzz_field(struct fuzz_input *in, int sep, size_t *len)
{
	const char *s = (const char *)in->p;
	size_t i = 0;

	while (i < in->n && in->p[i] != (uint8_t)sep)
		i++;
	*len = i;
	if (i < in->n)
		i++;
	in->p += i;
	in->n -= i;
	return s;
}

/* A malloc'd NUL-terminated copy of s[0..len). */
static inline char *fuzz_strndup(const char *s, size_t len)
{
	char *d = malloc(len + 1);

	if (!d)
		abort();
	for (size_t i = 0; i < len; i++)
		d[i] = s[i];
	d[len] = '\0';
	return d;
}

/* Checks that text[0..len) is JSON (yajl, UTF-8 validated); aborts if not. */
void fuzz_check_json(const char *what, const char *text, size_t len);

/*
 * The next code point of UTF-8 text s[0..n) as a terminal reads it: *cp gets
 * it and the return value is the bytes it takes; a byte that starts no valid
 * sequence is returned alone as *cp = -1.
 */
size_t fuzz_utf8_next(const unsigned char *s, size_t n, long *cp);

/*
 * Whether text[0..len), decoded as fuzz_utf8_next() does, holds a character
 * a terminal acts on: C0 (but those in `allowed`), DEL, C1, U+2028..U+202E
 * or U+2066..U+2069. Returns the byte offset of the first one, or -1.
 */
long fuzz_find_control(const char *text, size_t len, const char *allowed);

#endif
