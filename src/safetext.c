/*
 * safetext.c - showing attacker-written text safely; see safetext.h.
 */
#include "safetext.h"

#include <string.h>

size_t utf8_char(const unsigned char *s, size_t n, unsigned *cp)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 :
		     (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	unsigned v;

	if (!len || len > n || (len == 2 && s[0] < 0xc2) || (len == 4 && s[0] > 0xf4))
		return 0;
	v = len == 1 ? s[0] : s[0] & (0x7fu >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3fu);
	}
	if (len == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0; /* overlong, or a surrogate */
	if (len == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	*cp = v;
	return len;
}

int unsafe_char(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

size_t safe_char(const char *s, size_t n, int flags, char *out, size_t *outlen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned cp = 0;
	size_t len = utf8_char((const unsigned char *)s, n, &cp);

	if (len && !unsafe_char(cp)) {
		memcpy(out, s, len);
		*outlen = len;
		return len;
	}
	if ((flags & SAFE_SPACES) && len && (cp == '\t' || cp == '\r' || cp == '\n')) {
		out[0] = ' ';
		*outlen = 1;
		return 1;
	}
	if (len > 1) { /* a character: C1 or a bidi control */
		out[0] = '\\';
		out[1] = 'u';
		for (int i = 0; i < 4; i++)
			out[2 + i] = hex[(cp >> (12 - 4 * i)) & 15];
		*outlen = 6;
		return len;
	}
	/* an ASCII control, or one byte that is not UTF-8 */
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[(unsigned char)s[0] >> 4];
	out[3] = hex[s[0] & 15];
	*outlen = 4;
	return 1;
}

/*
 * Runs safe_char() over s, handing the result to emit() in chunks of up to a
 * few KiB: printable ASCII, nearly all of a CloudTrail value, is copied as is.
 */
static void safe_text(const char *s, size_t n, int flags, void (*emit)(void *, const char *, size_t),
		      void *to)
{
	char chunk[4096];
	size_t used = 0, outlen;

	for (size_t i = 0; i < n;) {
		if (used > sizeof(chunk) - SAFE_CHAR_MAX) {
			emit(to, chunk, used);
			used = 0;
		}
		if ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f) {
			chunk[used++] = s[i++];
			continue;
		}
		i += safe_char(s + i, n - i, flags, chunk + used, &outlen);
		used += outlen;
	}
	if (used)
		emit(to, chunk, used);
}

static void emit_buf(void *to, const char *p, size_t n)
{
	buf_add(to, p, n);
}

static void emit_file(void *to, const char *p, size_t n)
{
	fwrite(p, 1, n, to);
}

void safe_text_buf(struct buf *b, const char *s, size_t n, int flags)
{
	safe_text(s, n, flags, emit_buf, b);
}

void safe_text_file(FILE *f, const char *s, size_t n, int flags)
{
	safe_text(s, n, flags, emit_file, f);
}
