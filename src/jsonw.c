/*
 * jsonw.c - JSON text writer; see jsonw.h.
 */
#include "jsonw.h"

#include <stdio.h>
#include <string.h>

void json_quote(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	buf_addch(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"': buf_add(b, "\\\"", 2); break;
		case '\\': buf_add(b, "\\\\", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		case '\t': buf_add(b, "\\t", 2); break;
		default:
			if (c < 0x20 || c == 0x7f) {
				char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

				buf_add(b, esc, 6);
			} else {
				buf_addch(b, c);
			}
		}
	}
	buf_addch(b, '"');
}

void jsonw_init(struct jsonw *w, struct buf *b)
{
	w->b = b;
	w->depth = 0;
	w->first[0] = 1;
}

/*
 * first[depth] is the state of the open container: 1 empty, 0 has a member,
 * 2 a key was just written (its value needs no comma).
 */
static void before_value(struct jsonw *w)
{
	if (w->first[w->depth] == 0 && w->depth > 0)
		buf_addch(w->b, ',');
	w->first[w->depth] = 0;
}

static void open_container(struct jsonw *w, char c)
{
	before_value(w);
	buf_addch(w->b, c);
	if (w->depth + 1 < (int)sizeof(w->first))
		w->depth++;
	w->first[w->depth] = 1;
}

static void close_container(struct jsonw *w, char c)
{
	buf_addch(w->b, c);
	if (w->depth > 0)
		w->depth--;
}

void jsonw_object(struct jsonw *w) { open_container(w, '{'); }
void jsonw_array(struct jsonw *w) { open_container(w, '['); }
void jsonw_end_object(struct jsonw *w) { close_container(w, '}'); }
void jsonw_end_array(struct jsonw *w) { close_container(w, ']'); }

void jsonw_key(struct jsonw *w, const char *key)
{
	if (w->first[w->depth] == 0)
		buf_addch(w->b, ',');
	json_quote(w->b, key, strlen(key));
	buf_addch(w->b, ':');
	w->first[w->depth] = 2; /* the value follows without a comma */
}

void jsonw_string_len(struct jsonw *w, const char *s, size_t n)
{
	before_value(w);
	json_quote(w->b, s, n);
}

void jsonw_string(struct jsonw *w, const char *s)
{
	if (!s)
		jsonw_null(w);
	else
		jsonw_string_len(w, s, strlen(s));
}

void jsonw_int(struct jsonw *w, long long v)
{
	before_value(w);
	buf_addf(w->b, "%lld", v);
}

void jsonw_bool(struct jsonw *w, int v)
{
	before_value(w);
	buf_addstr(w->b, v ? "true" : "false");
}

void jsonw_null(struct jsonw *w)
{
	before_value(w);
	buf_addstr(w->b, "null");
}

void jsonw_raw(struct jsonw *w, const char *json)
{
	before_value(w);
	buf_addstr(w->b, json ? json : "null");
}

void jsonw_kv_string(struct jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_string(w, s);
}

void jsonw_kv_int(struct jsonw *w, const char *key, long long v)
{
	jsonw_key(w, key);
	jsonw_int(w, v);
}
