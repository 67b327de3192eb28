/*
 * fuzz_tagcheck.c - the tag checker (tagcheck.c).
 *
 * Input: one byte for the number of issues wanted, one for the size of the
 * description buffer, then the key, a 0xff byte, and the value (0xff never
 * occurs in UTF-8). Issues must point inside their string, and each
 * description must fit its buffer, be NUL-terminated, and hold no control
 * character.
 */
#include <string.h>

#include "fuzz.h"
#include "tagcheck.h"

#define MAX_ISSUES 8

static void check_description(const char *out, size_t n)
{
	size_t len = strlen(out);

	FUZZ_CHECK(len < n, "a description of %zu bytes in a buffer of %zu", len, n);
	FUZZ_CHECK(fuzz_find_control(out, len, "") < 0, "a control character in '%s'", out);
	for (size_t i = 0; i < len;) {
		long cp;

		i += fuzz_utf8_next((const unsigned char *)out + i, len - i, &cp);
		FUZZ_CHECK(cp >= 0, "bytes that are not UTF-8 in '%s'", out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	int max = (int)(fuzz_byte(&in) % MAX_ISSUES) + 1;
	size_t outn = fuzz_byte(&in) * 3 + 1, key_len, value_len;
	const char *key = fuzz_field(&in, 0xff, &key_len);
	const char *value = fuzz_field(&in, 0xff, &value_len);
	struct tag_issue issues[MAX_ISSUES];
	char *out = malloc(outn > TAGCHECK_DESCRIBE_SIZE ? outn : TAGCHECK_DESCRIBE_SIZE);
	int n = tagcheck_pair(key, key_len, value, value_len, issues, max);

	FUZZ_CHECK(n >= 0 && n <= max, "%d issues for at most %d", n, max);
	for (int i = 0; i < n; i++) {
		const struct tag_issue *is = &issues[i];
		size_t len = is->in_key ? key_len : value_len;

		FUZZ_CHECK(is->problem != TAG_OK, "issue %d is no problem", i);
		if (is->problem == TAG_BAD_CHAR || is->problem == TAG_BAD_UTF8)
			FUZZ_CHECK(is->byte_offset < len && is->char_index <= is->byte_offset,
				   "issue %d at byte %zu (character %zu) of %zu", i, is->byte_offset,
				   is->char_index, len);
		tagcheck_describe(is, key, key_len, out, outn);
		check_description(out, outn);
		tagcheck_describe(is, key, key_len, out, TAGCHECK_DESCRIBE_SIZE);
		check_description(out, TAGCHECK_DESCRIBE_SIZE);
		FUZZ_CHECK(strcmp(tagcheck_problem_name(is->problem), "unknown"), "problem %d unnamed",
			   (int)is->problem);
	}
	free(out);
	return 0;
}
