/*
 * utf8.c - strict streaming UTF-8 validation; see utf8.h.
 */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define HIGH_BITS 0x8080808080808080ULL

/* Skips p[i..n) while it is ASCII, 64 bytes at a time; returns where it stopped. */
static size_t skip_ascii(const unsigned char *p, size_t i, size_t n)
{
#ifdef __SSE2__
	while (i + 64 <= n) {
		__m128i v = _mm_or_si128(
			_mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(p + i)),
				     _mm_loadu_si128((const __m128i *)(const void *)(p + i + 16))),
			_mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(p + i + 32)),
				     _mm_loadu_si128((const __m128i *)(const void *)(p + i + 48))));

		if (_mm_movemask_epi8(v))
			break;
		i += 64;
	}
#endif
	return i;
}

void utf8_stream_init(struct utf8_stream *u)
{
	memset(u, 0, sizeof(*u));
}

/*
 * Sets up the character that lead begins (RFC 3629's table: the range of
 * the second byte rules out overlong forms, surrogates and code points
 * above U+10FFFF). Returns 0, or -1 with *why when lead can begin none.
 */
static int start_char(struct utf8_stream *u, unsigned char lead, const char **why)
{
	u->lead = lead;
	u->lo = 0x80;
	u->hi = 0xbf;
	if (lead >= 0xc2 && lead <= 0xdf) {
		u->need = 1;
	} else if (lead >= 0xe0 && lead <= 0xef) {
		u->need = 2;
		if (lead == 0xe0)
			u->lo = 0xa0;
		else if (lead == 0xed)
			u->hi = 0x9f;
	} else if (lead >= 0xf0 && lead <= 0xf4) {
		u->need = 3;
		if (lead == 0xf0)
			u->lo = 0x90;
		else if (lead == 0xf4)
			u->hi = 0x8f;
	} else {
		*why = lead <= 0xbf ? "a continuation byte without a first byte" :
		       lead <= 0xc1 ? "overlong form" :
		       lead <= 0xf7 ? "code point above U+10FFFF" : "a byte never used in UTF-8";
		return -1;
	}
	return 0;
}

/* Why byte c cannot continue the current character. */
static const char *bad_continuation(const struct utf8_stream *u, unsigned char c)
{
	if (c >= 0x80 && c <= 0xbf) { /* a continuation byte, out of the lead's range */
		if (u->lead == 0xed)
			return "encoded UTF-16 surrogate";
		return u->lead == 0xf4 ? "code point above U+10FFFF" : "overlong form";
	}
	return "character cut short";
}

int utf8_stream_check(struct utf8_stream *u, const unsigned char *p, size_t n,
		      unsigned long long *at, const char **why)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c;

		if (u->need == 0) {
			uint64_t a, b;

			/* the fast path: most CloudTrail text is ASCII */
			i = skip_ascii(p, i, n);
			while (i + 16 <= n) {
				memcpy(&a, p + i, 8);
				memcpy(&b, p + i + 8, 8);
				if ((a | b) & HIGH_BITS)
					break;
				i += 16;
			}
			while (i < n && p[i] < 0x80)
				i++;
			if (i == n)
				break;
			u->seq_at = u->off + i;
			if (start_char(u, p[i], why))
				goto bad;
			i++;
			continue;
		}
		c = p[i];
		if (c < u->lo || c > u->hi) {
			*why = bad_continuation(u, c);
			goto bad;
		}
		u->lo = 0x80;
		u->hi = 0xbf;
		u->need--;
		i++;
	}
	u->off += n;
	return 0;
bad:
	*at = u->seq_at;
	return -1;
}

int utf8_stream_end(const struct utf8_stream *u, unsigned long long *at, const char **why)
{
	if (u->need == 0)
		return 0;
	*at = u->seq_at;
	*why = "character cut short";
	return -1;
}
