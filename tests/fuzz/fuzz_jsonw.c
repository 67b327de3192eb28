/*
 * fuzz_jsonw.c - the JSON writer (jsonw.c) and json_quote().
 *
 * Input: a program of writer calls, one byte each, strings ended by a 0xff
 * byte (0xff never occurs in UTF-8). The harness makes only calls the API
 * allows (a key before each member of an object, none in an array, every
 * container closed) and checks that the text written is JSON, whatever the
 * strings hold; and that json_quote() alone gives a JSON string.
 */
#include <string.h>

#include "fuzz.h"
#include "jsonw.h"

#define MAX_DEPTH 24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct buf b, q;
	struct jsonw w;
	char is_object[MAX_DEPTH + 1] = { 0 };
	int depth = 0, top_done = 0;

	buf_init(&b, (size_t)1 << 24);
	buf_init(&q, (size_t)1 << 24);
	jsonw_init(&w, &b);
	json_quote(&q, (const char *)data, size);
	fuzz_check_json("json_quote", q.data, q.len);
	while (in.n && !top_done) {
		unsigned op = fuzz_byte(&in) % 9;
		size_t n = 0;
		const char *s;

		if (depth && is_object[depth] && op != 8) { /* a member: its key first */
			s = fuzz_field(&in, 0xff, &n);
			char *key = fuzz_strndup(s, n);

			jsonw_key(&w, key);
			free(key);
		}
		switch (op) {
		case 0:
		case 1:
			if (depth == MAX_DEPTH) {
				jsonw_null(&w);
				break;
			}
			op ? jsonw_array(&w) : jsonw_object(&w);
			is_object[++depth] = !op;
			continue;
		case 2: s = fuzz_field(&in, 0xff, &n); jsonw_string_len(&w, s, n); break;
		case 3: {
			char *z = fuzz_strndup(s = fuzz_field(&in, 0xff, &n), n);

			jsonw_string(&w, z);
			free(z);
			break;
		}
		case 4: {
			long long v = (long long)((unsigned long long)fuzz_byte(&in) << 56);

			jsonw_int(&w, v | fuzz_byte(&in));
			break;
		}
		case 5: jsonw_bool(&w, (int)fuzz_byte(&in)); break;
		case 6: jsonw_null(&w); break;
		case 7: jsonw_raw(&w, fuzz_byte(&in) & 1 ? "{\"a\":[1,2]}" : NULL); break;
		case 8:
			if (!depth) {
				jsonw_null(&w);
				break;
			}
			is_object[depth--] ? jsonw_end_object(&w) : jsonw_end_array(&w);
			break;
		}
		top_done = !depth;
	}
	if (!b.len)
		jsonw_null(&w);
	while (depth)
		is_object[depth--] ? jsonw_end_object(&w) : jsonw_end_array(&w);
	fuzz_check_json("jsonw", b.data, b.len);
	buf_release(&b);
	buf_release(&q);
	return 0;
}
