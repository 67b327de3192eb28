/*
 * test_tagcheck.c - tag keys and values AWS refuses, and how they are described.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "tagcheck.h"
#include "unit.h"

#define MAXI 16

static struct tag_issue is[MAXI];

/* Checks key/value as C strings; returns the number of issues stored in is[]. */
static int pair(const char *key, const char *value)
{
	memset(is, 0, sizeof(is));
	return tagcheck_pair(key, strlen(key), value, strlen(value), is, MAXI);
}

/* n copies of unit; the caller frees the result. */
static char *repeat(const char *unit, size_t n)
{
	size_t k = strlen(unit), i;
	char *s = xmalloc(k * n + 1);

	for (i = 0; i < n; i++)
		memcpy(s + i * k, unit, k);
	s[k * n] = '\0';
	return s;
}

/* Whether issue i is problem p in the key (in_key 1) or value, at character ci. */
static int issue_is(int i, enum tag_problem p, int in_key, long cp, size_t ci)
{
	return is[i].problem == p && is[i].in_key == in_key && is[i].codepoint == cp &&
	       is[i].char_index == ci;
}

/* Describes issue i of the last check, naming the tag by key. */
static const char *describe(int i, const char *key)
{
	static char out[TAGCHECK_DESCRIBE_SIZE];

	tagcheck_describe(&is[i], key, strlen(key), out, sizeof(out));
	return out;
}

static int ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && !memcmp(s + a - b, tail, b);
}

static void test_valid(void)
{
	char *k, *v;

	ASSERT_INT_EQ(pair("Owner", "Jos\xc3\xa9"), 0, "Owner=Jos\xc3\xa9 (precomposed U+00E9) is valid");
	ASSERT_INT_EQ(pair("\xed\x8c\x80", "\xeb\xa7\x88\xec\x9d\xb4\xea\xb7\xb8\xeb\xa0\x88\xec\x9d\xb4\xec\x85\x98"), 0,
		      "Korean key and value are valid");
	ASSERT_INT_EQ(pair("a b", "c_d.e:f/g=h+i-j@k"), 0, "space and _ . : / = + - @ are valid");
	ASSERT_INT_EQ(pair("AZaz09", ""), 0, "ASCII letters and digits, empty value are valid");
	ASSERT_INT_EQ(pair("Floor\xd9\xa3", "\xe0\xa5\xa9"), 0,
		      "Arabic-Indic digit U+0663 and Devanagari digit U+0969 are valid");
	ASSERT_INT_EQ(pair("a\xc2\xa0" "b", "x\xc2\xa0y"), 0, "NBSP U+00A0 (Zs) is valid");
	ASSERT_INT_EQ(pair("Note", "line\xe2\x80\xa8para\xe2\x80\xa9"), 0,
		      "U+2028 (Zl) and U+2029 (Zp) are valid, as \\p{Z} says");
	ASSERT_INT_EQ(pair("\xe2\x85\xab", "\xc2\xbd"), 0, "Roman numeral U+216B (Nl) and U+00BD (No) are valid");
	ASSERT_INT_EQ(pair("aws", "aws:x"), 0, "'aws' key and an 'aws:' value are valid");
	ASSERT_INT_EQ(pair("awsx:y", "v"), 0, "'awsx:' is no reserved prefix");

	k = repeat("\xea\xb0\x80", 128);
	v = repeat("\xea\xb0\x80", 256);
	ASSERT_INT_EQ(strlen(k), 384, "128 x U+AC00 is 384 bytes");
	ASSERT_INT_EQ(pair(k, v), 0, "128-character key and 256-character value are valid (characters, not bytes)");
	free(k);
	free(v);
	k = repeat("a", 128);
	v = repeat("\xf0\x9d\x9f\x98", 256); /* U+1D7D8 MATHEMATICAL DOUBLE-STRUCK DIGIT ZERO, Nd */
	ASSERT_INT_EQ(pair(k, v), 0, "256 four-byte digits are a valid value");
	free(k);
	free(v);
	UNIT_OK(tagcheck_pair("Owner", 5, NULL, 0, is, 1) == 0, "NULL value of length 0 is an empty value");
}

static void test_bad_chars(void)
{
	ASSERT_INT_EQ(pair("Cost#Center", "x"), 1, "'#' in a key: one issue");
	UNIT_OK(issue_is(0, TAG_BAD_CHAR, 1, 0x23, 4) && is[0].byte_offset == 4, "'#' is U+0023 at character 4 of the key");
	ASSERT_INT_EQ(pair("k", "hi!"), 1, "'!' in a value");
	UNIT_OK(issue_is(0, TAG_BAD_CHAR, 0, 0x21, 2), "'!' is U+0021 at character 2 of the value");
	ASSERT_INT_EQ(pair("a*", "v"), 1, "'*' in a key");
	UNIT_OK(issue_is(0, TAG_BAD_CHAR, 1, 0x2a, 1), "'*' is U+002A");
	ASSERT_INT_EQ(pair("k", "a,b"), 1, "',' in a value");
	UNIT_OK(issue_is(0, TAG_BAD_CHAR, 0, 0x2c, 1), "',' is U+002C");
	ASSERT_INT_EQ(pair("Mood", "ok\xf0\x9f\x98\x80"), 1, "emoji in a value");
	UNIT_OK(issue_is(0, TAG_BAD_CHAR, 0, 0x1f600, 2) && is[0].byte_offset == 2, "emoji is U+1F600 at character 2");
	ASSERT_INT_EQ(pair("a\tb", "v"), 1, "TAB in a key");
	UNIT_OK(issue_is(0, TAG_BAD_CHAR, 1, 0x09, 1), "TAB is U+0009");
	ASSERT_INT_EQ(pair("k", "a\nb"), 1, "newline in a value");
	UNIT_OK(issue_is(0, TAG_BAD_CHAR, 0, 0x0a, 1), "newline is U+000A");
	memset(is, 0, sizeof(is));
	ASSERT_INT_EQ(tagcheck_pair("a\0b", 3, "v", 1, is, MAXI), 1, "NUL byte inside a key");
	UNIT_OK(issue_is(0, TAG_BAD_CHAR, 1, 0, 1), "NUL is U+0000 at character 1");
	ASSERT_INT_EQ(pair("Cafe\xcc\x81", "v"), 1, "e + combining acute accent in a key");
	UNIT_OK(issue_is(0, TAG_BAD_CHAR, 1, 0x301, 4) && is[0].byte_offset == 4,
		"combining mark U+0301 (Mn) is not in [\\p{L}\\p{Z}\\p{N}...]");
	ASSERT_INT_EQ(pair("x\xe2\x80\x8by", "v"), 1, "zero-width space U+200B (Cf)");
	ASSERT_INT_EQ(pair("k", "\xee\x80\x80"), 1, "private-use U+E000 (Co)");
	ASSERT_INT_EQ(pair("k", "\xcd\xb8"), 1, "unassigned U+0378 (Cn)");
	ASSERT_INT_EQ(pair("k", "\xef\xbf\xbe"), 1, "noncharacter U+FFFE");
	ASSERT_INT_EQ(pair("a$b", "v"), 1, "'$' (Sc)");
	ASSERT_INT_EQ(pair("a\\b", "v"), 1, "backslash");
}

static void test_lengths_and_prefix(void)
{
	char *k, *v;

	k = repeat("\xea\xb0\x80", 129);
	ASSERT_INT_EQ(pair(k, "v"), 1, "129-character key");
	UNIT_OK(is[0].problem == TAG_KEY_TOO_LONG && is[0].in_key == 1 && is[0].length == 129 &&
		is[0].codepoint == -1, "key too long, length 129");
	free(k);
	v = repeat("\xea\xb0\x80", 257);
	ASSERT_INT_EQ(pair("k", v), 1, "257-character value");
	UNIT_OK(is[0].problem == TAG_VALUE_TOO_LONG && is[0].in_key == 0 && is[0].length == 257,
		"value too long, length 257");
	free(v);

	ASSERT_INT_EQ(pair("", "v"), 1, "empty key");
	UNIT_OK(is[0].problem == TAG_EMPTY_KEY && is[0].in_key == 1, "empty key is TAG_EMPTY_KEY");
	ASSERT_INT_EQ(pair("", "a#"), 2, "empty key and a bad value character");
	UNIT_OK(is[0].problem == TAG_EMPTY_KEY && issue_is(1, TAG_BAD_CHAR, 0, '#', 1), "empty key first, then the value");
	ASSERT_INT_EQ(pair("aws:reserved", "v"), 1, "aws:reserved");
	UNIT_OK(is[0].problem == TAG_RESERVED_PREFIX && is[0].in_key == 1, "aws: is TAG_RESERVED_PREFIX");
	ASSERT_INT_EQ(pair("AWS:x", "v"), 1, "AWS:x (upper case)");
	UNIT_OK(is[0].problem == TAG_RESERVED_PREFIX, "AWS: is reserved too");
	ASSERT_INT_EQ(pair("aWs:", "v"), 1, "aWs: (mixed case, nothing after)");
}

static void test_utf8(void)
{
	unsigned char bad[130];

	ASSERT_INT_EQ(pair("ab\xff", "v"), 1, "0xff in a key");
	UNIT_OK(issue_is(0, TAG_BAD_UTF8, 1, -1, 2) && is[0].byte_offset == 2, "bad UTF-8 at byte 2");
	ASSERT_INT_EQ(pair("k", "ab\xea\xb0"), 1, "truncated 3-byte sequence at the end: one issue");
	UNIT_OK(issue_is(0, TAG_BAD_UTF8, 0, -1, 2) && is[0].byte_offset == 2, "truncated sequence at byte 2 of the value");
	ASSERT_INT_EQ(pair("\xc0\xaf", "v"), 1, "overlong encoding of '/' (0xc0 0xaf): one issue");
	UNIT_OK(issue_is(0, TAG_BAD_UTF8, 1, -1, 0), "overlong encoding at byte 0");
	ASSERT_INT_EQ(pair("\xed\xa0\x80", "v"), 1, "encoded surrogate U+D800");
	UNIT_OK(is[0].problem == TAG_BAD_UTF8, "surrogate is bad UTF-8");
	ASSERT_INT_EQ(pair("\xf4\x90\x80\x80", "v"), 1, "past U+10FFFF");
	ASSERT_INT_EQ(pair("\xff#", "v"), 2, "bad byte then '#'");
	UNIT_OK(issue_is(0, TAG_BAD_UTF8, 1, -1, 0) && issue_is(1, TAG_BAD_CHAR, 1, '#', 1) &&
		is[1].byte_offset == 1, "checking goes on after bad UTF-8, the byte counting as one character");
	memset(bad, 0xff, sizeof(bad));
	memset(is, 0, sizeof(is));
	ASSERT_INT_EQ(tagcheck_pair((const char *)bad, 129, "v", 1, is, MAXI), 2, "129 bytes of 0xff");
	UNIT_OK(is[0].problem == TAG_KEY_TOO_LONG && is[0].length == 129 && is[1].problem == TAG_BAD_UTF8,
		"too long (each bad byte one character), bad UTF-8 reported once");
}

static void test_order_and_max(void)
{
	char *k = repeat("a", 130);

	memcpy(k, "aws:#", 5);
	k[129] = '!';
	ASSERT_INT_EQ(pair(k, "x*y\t"), 6, "several issues in one pair");
	UNIT_OK(is[0].problem == TAG_RESERVED_PREFIX && is[0].in_key, "1: reserved prefix");
	UNIT_OK(is[1].problem == TAG_KEY_TOO_LONG && is[1].length == 130, "2: key too long");
	UNIT_OK(issue_is(2, TAG_BAD_CHAR, 1, '#', 4), "3: '#' in the key");
	UNIT_OK(issue_is(3, TAG_BAD_CHAR, 1, '!', 129), "4: '!' in the key");
	UNIT_OK(issue_is(4, TAG_BAD_CHAR, 0, '*', 1), "5: '*' in the value");
	UNIT_OK(issue_is(5, TAG_BAD_CHAR, 0, '\t', 3), "6: TAB in the value");

	memset(is, 0, sizeof(is));
	ASSERT_INT_EQ(tagcheck_pair(k, 130, "x*y\t", 4, is, 3), 3, "max 3 stores 3");
	UNIT_OK(is[0].problem == TAG_RESERVED_PREFIX && is[1].problem == TAG_KEY_TOO_LONG &&
		issue_is(2, TAG_BAD_CHAR, 1, '#', 4) && is[3].problem == TAG_OK, "the first 3, nothing past max");
	ASSERT_INT_EQ(tagcheck_pair(k, 130, "x*y\t", 4, is, 1), 1, "max 1 stores 1");
	ASSERT_INT_EQ(tagcheck_pair("ok", 2, "x*y\t", 4, is, 1), 1, "max 1 with only value issues");
	UNIT_OK(issue_is(0, TAG_BAD_CHAR, 0, '*', 1), "max 1 keeps the first value issue");
	ASSERT_INT_EQ(tagcheck_pair("a#", 2, "v", 1, NULL, 4), -1, "NULL issues is refused");
	ASSERT_INT_EQ(tagcheck_pair("a#", 2, "v", 1, is, 0), -1, "max 0 is refused");
	ASSERT_INT_EQ(tagcheck_pair(NULL, 3, "v", 1, is, 4), -1, "NULL key with a length is refused");
	free(k);

	/* every problem has its own name */
	ASSERT_STR_EQ(tagcheck_problem_name(TAG_OK), "ok", "name of TAG_OK");
	ASSERT_STR_EQ(tagcheck_problem_name(TAG_BAD_CHAR), "bad_char", "name of TAG_BAD_CHAR");
	ASSERT_STR_EQ(tagcheck_problem_name(TAG_KEY_TOO_LONG), "key_too_long", "name of TAG_KEY_TOO_LONG");
	ASSERT_STR_EQ(tagcheck_problem_name(TAG_VALUE_TOO_LONG), "value_too_long", "name of TAG_VALUE_TOO_LONG");
	ASSERT_STR_EQ(tagcheck_problem_name(TAG_EMPTY_KEY), "empty_key", "name of TAG_EMPTY_KEY");
	ASSERT_STR_EQ(tagcheck_problem_name(TAG_RESERVED_PREFIX), "reserved_prefix", "name of TAG_RESERVED_PREFIX");
	ASSERT_STR_EQ(tagcheck_problem_name(TAG_BAD_UTF8), "bad_utf8", "name of TAG_BAD_UTF8");
	ASSERT_STR_EQ(tagcheck_problem_name((enum tag_problem)99), "unknown", "name of an out-of-range value");
}

static void test_describe(void)
{
	char *v, *k, want[200];
	char small[32];
	struct tag_issue worst;
	static char out[TAGCHECK_DESCRIBE_SIZE];

	pair("Cost#Center", "x");
	ASSERT_STR_EQ(describe(0, "Cost#Center"), "key 'Cost#Center': character '#' (U+0023) is not allowed",
		      "describe '#'");
	v = repeat("v", 300);
	pair("Owner", v);
	ASSERT_STR_EQ(describe(0, "Owner"), "value of 'Owner': 300 characters, more than 256", "describe a long value");
	free(v);
	pair("a\tb", "v");
	ASSERT_STR_EQ(describe(0, "a\tb"), "key 'a\\u0009b': control character U+0009 is not allowed",
		      "describe TAB, escaped in the key");
	memset(is, 0, sizeof(is));
	tagcheck_pair("a\0b", 3, "v", 1, is, MAXI);
	tagcheck_describe(&is[0], "a\0b", 3, out, sizeof(out));
	ASSERT_STR_EQ(out, "key 'a\\u0000b': control character U+0000 is not allowed", "describe NUL");
	pair("Cafe\xcc\x81", "v");
	ASSERT_STR_EQ(describe(0, "Cafe\xcc\x81"), "key 'Cafe\xcc\x81': combining mark U+0301 is not allowed",
		      "describe a combining mark");
	pair("Mood", "ok\xf0\x9f\x98\x80");
	ASSERT_STR_EQ(describe(0, "Mood"), "value of 'Mood': character '\xf0\x9f\x98\x80' (U+1F600) is not allowed",
		      "describe an emoji");
	pair("AWS:x", "v");
	ASSERT_STR_EQ(describe(0, "AWS:x"), "key 'AWS:x': prefix 'AWS:' is reserved for AWS", "describe AWS:x");
	pair("", "v");
	ASSERT_STR_EQ(describe(0, ""), "key '': empty keys are not allowed", "describe an empty key");
	pair("ab\xff", "v");
	ASSERT_STR_EQ(describe(0, "ab\xff"), "key 'ab\\xFF': not valid UTF-8 at byte 2", "describe bad UTF-8");
	pair("it's\\", "v");
	ASSERT_STR_EQ(describe(0, "it's\\"), "key 'it\\'s\\\\': character '\\'' (U+0027) is not allowed",
		      "quote and backslash are escaped");
	ASSERT_STR_EQ(describe(1, "it's\\"), "key 'it\\'s\\\\': character '\\\\' (U+005C) is not allowed",
		      "describe a backslash");
	pair("x\xe2\x80\xae" "y", "v");
	ASSERT_STR_EQ(describe(0, "x\xe2\x80\xae" "y"), "key 'x\\u202Ey': format character U+202E is not allowed",
		      "a bidi override is escaped, not obeyed");
	pair("t\xf3\xa0\x80\x81", "v");
	ASSERT_STR_EQ(describe(0, "t\xf3\xa0\x80\x81"), "key 't\\U000E0001': format character U+E0001 is not allowed",
		      "escape above U+FFFF");
	pair("a\xe2\x80\xa8" "b#", "v");
	ASSERT_STR_EQ(describe(0, "a\xe2\x80\xa8" "b#"), "key 'a\\u2028b#': character '#' (U+0023) is not allowed",
		      "a valid U+2028 is still escaped when shown");

	k = repeat("a", 129);
	pair(k, "v");
	snprintf(want, sizeof(want), "key '%.64s...': 129 characters, more than 128", k);
	ASSERT_STR_EQ(describe(0, k), want, "a long key is shown by its first 64 characters");
	free(k);
	k = repeat("a", 64);
	memcpy(k, "aws:", 4);
	pair(k, "v");
	snprintf(want, sizeof(want), "key '%s': prefix 'aws:' is reserved for AWS", k);
	ASSERT_STR_EQ(describe(0, k), want, "a 64-character key is shown whole");
	free(k);

	pair("Cost#Center", "x");
	tagcheck_describe(&is[0], "Cost#Center", 11, small, 20);
	ASSERT_STR_EQ(small, "key 'Cost#Center': ", "a small buffer cuts between pieces");
	tagcheck_describe(&is[0], "\xed\x8c\x80\xed\x8c\x80\xed\x8c\x80", 9, small, 10);
	ASSERT_STR_EQ(small, "key '\xed\x8c\x80", "a small buffer never cuts a character");
	tagcheck_describe(&is[0], "Cost#Center", 11, small, 1);
	ASSERT_STR_EQ(small, "", "a 1-byte buffer gets an empty string");
	small[0] = 'X';
	tagcheck_describe(&is[0], "Cost#Center", 11, small, 0);
	UNIT_OK(small[0] == 'X', "a 0-byte buffer is not touched");

	/* the longest description there is fits TAGCHECK_DESCRIBE_SIZE */
	k = repeat("\xf3\xa0\x80\x81", 70);
	memset(&worst, 0, sizeof(worst));
	worst.problem = TAG_BAD_CHAR;
	worst.codepoint = 0x10fffd;
	tagcheck_describe(&worst, k, strlen(k), out, sizeof(out));
	UNIT_OK(ends_with(out, "...': private-use character U+10FFFD is not allowed"),
		"worst bad character fits (%zu bytes)", strlen(out));
	worst.problem = TAG_BAD_UTF8;
	worst.byte_offset = SIZE_MAX;
	tagcheck_describe(&worst, k, strlen(k), out, sizeof(out));
	snprintf(want, sizeof(want), "...': not valid UTF-8 at byte %zu", (size_t)SIZE_MAX);
	UNIT_OK(ends_with(out, want),
		"worst bad UTF-8 fits (%zu bytes)", strlen(out));
	free(k);
}

int main(void)
{
	test_valid();
	test_bad_chars();
	test_lengths_and_prefix();
	test_utf8();
	test_order_and_max();
	test_describe();
	return unit_exit();
}
