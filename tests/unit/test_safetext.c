/*
 * test_safetext.c - what reaches a terminal: controls, C1, bidi and bytes
 * that are not UTF-8 come out as visible escapes; everything else as is.
 */
#include <string.h>

#include "safetext.h"
#include "unit.h"

static const char *shown(struct buf *b, const char *s, size_t n, int flags)
{
	buf_reset(b);
	safe_text_buf(b, s, n, flags);
	return b->data;
}

int main(void)
{
	struct buf b;
	unsigned cp = 0;

	buf_init(&b, 1u << 20);
	ASSERT_STR_EQ(shown(&b, "Jos\xc3\xa9 \xf0\x9f\x98\x80 ok", 13, 0), "Jos\xc3\xa9 \xf0\x9f\x98\x80 ok",
		      "letters and emoji pass");
	ASSERT_STR_EQ(shown(&b, "a\0b\x1b[31m\x7f", 9, 0), "a\\x00b\\x1b[31m\\x7f", "a NUL, ESC and DEL are \\xHH");
	ASSERT_STR_EQ(shown(&b, "\xc2\x9b\xc2\x85", 4, 0), "\\u009b\\u0085", "C1 controls are \\u00HH");
	ASSERT_STR_EQ(shown(&b, "\xe2\x80\xae\xe2\x81\xa6\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c\xe2\x80\xa8", 17, 0),
		      "\\u202e\\u2066\\u200e\\u200f\\u061c\\u2028", "bidi controls and marks are \\uHHHH");
	ASSERT_STR_EQ(shown(&b, "\x9b\xc3", 2, 0), "\\x9b\\xc3", "bytes that are not UTF-8 are \\xHH");
	ASSERT_STR_EQ(shown(&b, "a\tb\nc\r", 6, 0), "a\\x09b\\x0ac\\x0d", "line breaks are escaped on one line");
	ASSERT_STR_EQ(shown(&b, "a\tb\nc\r", 6, SAFE_SPACES), "a b c ", "or made spaces in a table");
	ASSERT_STR_EQ(shown(&b, "\xe2\x80\xab\xe2\x80\x8b", 6, 0), "\\u202b\xe2\x80\x8b",
		      "only the listed characters: U+200B passes");
	UNIT_OK(utf8_char((const unsigned char *)"\xed\xa0\x80", 3, &cp) == 0, "a surrogate is not UTF-8");
	UNIT_OK(utf8_char((const unsigned char *)"\xc0\xaf", 2, &cp) == 0, "an overlong form is not UTF-8");
	UNIT_OK(utf8_char((const unsigned char *)"\xe2\x80\xae", 3, &cp) == 3 && cp == 0x202e,
		"U+202E decodes");
	buf_release(&b);
	return unit_exit();
}
