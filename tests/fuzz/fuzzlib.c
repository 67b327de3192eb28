/*
 * fuzzlib.c - the checks the harnesses share; see fuzz.h.
 */
#include <string.h>

#include <yajl/yajl_tree.h>

#include "fuzz.h"

void fuzz_check_json(const char *what, const char *text, size_t len)
{
	char err[256] = "";
	char *copy = fuzz_strndup(text, len);
	yajl_val v;

	FUZZ_CHECK(strlen(copy) == len, "%s: a NUL byte in the JSON text", what);
	v = yajl_tree_parse(copy, err, sizeof(err));
	FUZZ_CHECK(v != NULL, "%s: invalid JSON (%s): %.300s", what, err, copy);
	yajl_tree_free(v);
	free(copy);
}

size_t fuzz_utf8_next(const unsigned char *s, size_t n, long *cp)
{
	size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 :
		     s[0] >= 0xe0 && s[0] < 0xf0 ? 3 : s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : 0;
	long c;

	*cp = -1;
	if (!len || len > n)
		return 1;
	c = len == 1 ? s[0] : len == 2 ? s[0] & 0x1f : len == 3 ? s[0] & 0x0f : s[0] & 0x07;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 1;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c < 0xe000))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 1;
	*cp = c;
	return len;
}

long fuzz_find_control(const char *text, size_t len, const char *allowed)
{
	for (size_t i = 0; i < len;) {
		long cp;
		size_t n = fuzz_utf8_next((const unsigned char *)text + i, len - i, &cp);

		if (cp >= 0 && ((cp < 0x20 && !(cp && strchr(allowed, (int)cp))) ||
				(cp >= 0x7f && cp < 0xa0) || (cp >= 0x2028 && cp <= 0x202e) ||
				(cp >= 0x2066 && cp <= 0x2069)))
			return (long)i;
		i += n;
	}
	return -1;
}
