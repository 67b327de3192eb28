/*
 * jsonesc.c - finding and replacing lone surrogate escapes; see jsonesc.h.
 */
#include "jsonesc.h"

#include <stdint.h>
#include <string.h>

#include "msg.h"

#define NONE SIZE_MAX

/* The value of four hex digits, or -1. */
static long hex4(const char *s)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v |= (c | 0x20) - 'a' + 10;
		else
			return -1;
	}
	return v;
}

/*
 * The offset of the next lone surrogate escape from p[i] on, or NONE. Every
 * backslash met is an escape's first byte: the walk goes from escape to
 * escape, so "\\\\ud800" (an escaped backslash, then text) is no escape.
 * *cut becomes n, or the start of an escape the end cuts off (!at_end).
 */
static size_t next_lone(const char *p, size_t n, size_t i, int at_end, size_t *cut)
{
	*cut = n;
	while (i < n) {
		const char *q = memchr(p + i, '\\', n - i);
		size_t j;
		long cp, low;

		if (!q)
			return NONE;
		j = (size_t)(q - p);
		if (j + 1 < n && p[j + 1] != 'u') {
			i = j + 2;
			continue;
		}
		/* a \u escape: a high surrogate needs the next escape to be judged */
		if (j + 6 > n || (j + 12 > n && !at_end && (cp = hex4(p + j + 2)) >= 0xd800 && cp < 0xdc00)) {
			if (!at_end)
				*cut = j;
			return NONE; /* at the end: a truncated escape, the parser's error */
		}
		cp = hex4(p + j + 2);
		i = j + 6;
		if (cp < 0xd800 || cp > 0xdfff)
			continue;
		if (cp >= 0xdc00)
			return j; /* a low surrogate not after a high one */
		low = j + 12 <= n && p[j + 6] == '\\' && p[j + 7] == 'u' ? hex4(p + j + 8) : -1;
		if (low < 0xdc00 || low > 0xdfff)
			return j;
		i = j + 12; /* a pair: one character */
	}
	return NONE;
}

size_t jsonesc_scan(const char *p, size_t n, int at_end, int *lone)
{
	size_t cut, i = 0;

	*lone = 0;
	while ((i = next_lone(p, n, i, at_end, &cut)) != NONE) {
		*lone = 1;
		i += 6;
	}
	return cut;
}

void jsonesc_fix_lone(char *p, size_t n)
{
	size_t cut, i = 0;

	while ((i = next_lone(p, n, i, 1, &cut)) != NONE) {
		memcpy(p + i + 2, "fffd", 4);
		i += 6;
	}
}

const char *jsonesc_mended(const char *p, size_t n, char **copy)
{
	int lone = 0;

	*copy = NULL;
	jsonesc_scan(p, n, 1, &lone);
	if (!lone)
		return p;
	*copy = xmalloc(n);
	memcpy(*copy, p, n);
	jsonesc_fix_lone(*copy, n);
	return *copy;
}
