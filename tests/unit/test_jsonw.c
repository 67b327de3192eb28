/*
 * test_jsonw.c - the JSON writer: separators, escapes, and UTF-8 kept valid.
 */
#include <string.h>

#include "jsonw.h"
#include "unit.h"

int main(void)
{
	struct buf b;
	struct jsonw w;

	buf_init(&b, 1u << 20);
	jsonw_init(&w, &b);
	jsonw_object(&w);
	jsonw_kv_string(&w, "a", "x\"y\\z\n\t\x01");
	jsonw_kv_int(&w, "n", -5);
	jsonw_key(&w, "l");
	jsonw_array(&w);
	jsonw_string(&w, "Jos\xc3\xa9");
	jsonw_bool(&w, 1);
	jsonw_null(&w);
	jsonw_object(&w);
	jsonw_end_object(&w);
	jsonw_end_array(&w);
	jsonw_key(&w, "r");
	jsonw_raw(&w, "{\"k\":[1,2]}");
	jsonw_end_object(&w);
	ASSERT_STR_EQ(b.data, "{\"a\":\"x\\\"y\\\\z\\n\\t\\u0001\",\"n\":-5,\"l\":[\"Jos\xc3\xa9\",true,null,{}],\"r\":{\"k\":[1,2]}}",
		      "objects, arrays, escapes and raw values");
	buf_reset(&b);
	json_quote(&b, "ab\xc3", 3);
	ASSERT_STR_EQ(b.data, "\"ab\xef\xbf\xbd\"", "a character cut in half becomes U+FFFD");
	buf_reset(&b);
	json_quote(&b, "\xed\xa0\x80\xc0\xaf\xf0\x9f\x98\x80", 9);
	ASSERT_STR_EQ(b.data, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xf0\x9f\x98\x80\"",
		      "surrogates and overlong forms are replaced, an emoji kept");
	buf_reset(&b);
	json_quote(&b, "a\xc2\x9b\xe2\x80\xae\xe2\x81\xa6\xd8\x9c\x7f\x1b", 13);
	ASSERT_STR_EQ(b.data, "\"a\\u009b\\u202e\\u2066\\u061c\\u007f\\u001b\"",
		      "C1, bidi controls, DEL and ESC are escaped");
	buf_reset(&b);
	json_safe_raw(&b, "{\"k\":\n\"\xc2\x9b\xe2\x80\xae\xff\"}", 15);
	ASSERT_STR_EQ(b.data, "{\"k\": \"\\u009b\\u202e\xef\xbf\xbd\"}",
		      "stored JSON text: escaped, UTF-8, one line");
	buf_release(&b);
	return unit_exit();
}
