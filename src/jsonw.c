/*
 * jsonw.c - JSON text writer; see jsonw.h.
 */
#include "jsonw.h"

#include <stdio.h>
#include <string.h>

/* (a value cut with snprintf() can end mid-character, and JSON text must be UTF-8) */
size_t utf8_valid(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 :
		     (s[0] & 0xf8) == 0xf0 ? 4 : 0;

	if (!len || len > n || (len == 2 && s[0] < 0xc2) || (len == 4 && s[0] > 0xf4))
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (len == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0; /* overlong, or a surrogate */
	if (len == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return len;
}

void json_quote(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	buf_addch(b, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len;

		switch (c) {
		case '"': buf_add(b, "\\\"", 2); i++; continue;
		case '\\': buf_add(b, "\\\\", 2); i++; continue;
		case '\n': buf_add(b, "\\n", 2); i++; continue;
		case '\r': buf_add(b, "\\r", 2); i++; continue;
		case '\t': buf_add(b, "\\t", 2); i++; continue;
		default:
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			buf_add(b, esc, 6);
			i++;
			continue;
		}
		len = utf8_valid((const unsigned char *)s + i, n - i);
		if (len) {
			buf_add(b, s + i, len);
			i += len;
		} else {
			buf_add(b, "\xef\xbf\xbd", 3); /* U+FFFD for a byte that is not UTF-8 */
			i++;
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
