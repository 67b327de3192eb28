/*
 * jsonw.c - JSON text writer; see jsonw.h.
 */
#include "jsonw.h"

#include <stdio.h>
#include <string.h>

#include "safetext.h"

/* Appends \uHHHH for code point cp (below U+10000). */
static void add_u_escape(struct buf *b, unsigned cp)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', hex[cp >> 12 & 15], hex[cp >> 8 & 15], hex[cp >> 4 & 15], hex[cp & 15] };

	buf_add(b, esc, 6);
}

/*
 * Appends the character at s (n > 0 bytes left) as it may stand in JSON
 * text: itself, or escaped when unsafe_char() (a C1 control is CSI to a
 * terminal that shows the JSON; a bidi control reorders it), or U+FFFD for
 * a byte that is not UTF-8 (JSON text must be UTF-8, and a value cut with
 * snprintf() can end mid-character). Returns the bytes of s used.
 */
static size_t add_json_char(struct buf *b, const char *s, size_t n)
{
	unsigned cp = 0;
	size_t len = utf8_char((const unsigned char *)s, n, &cp);

	if (!len) {
		buf_add(b, "\xef\xbf\xbd", 3);
		return 1;
	}
	if (unsafe_char(cp))
		add_u_escape(b, cp);
	else
		buf_add(b, s, len);
	return len;
}

void json_quote(struct buf *b, const char *s, size_t n)
{
	buf_addch(b, '"');
	for (size_t i = 0; i < n;) {
		size_t run = 0;

		while (i + run < n && (unsigned char)s[i + run] >= 0x20 && (unsigned char)s[i + run] < 0x7f &&
		       s[i + run] != '"' && s[i + run] != '\\')
			run++;
		if (run) { /* plain ASCII, the common case, in one copy */
			buf_add(b, s + i, run);
			i += run;
			continue;
		}
		switch (s[i]) {
		case '"': buf_add(b, "\\\"", 2); i++; continue;
		case '\\': buf_add(b, "\\\\", 2); i++; continue;
		case '\n': buf_add(b, "\\n", 2); i++; continue;
		case '\r': buf_add(b, "\\r", 2); i++; continue;
		case '\t': buf_add(b, "\\t", 2); i++; continue;
		default: i += add_json_char(b, s + i, n - i);
		}
	}
	buf_addch(b, '"');
}

void json_safe_raw(struct buf *b, const char *json, size_t n)
{
	for (size_t i = 0; i < n;) {
		if (json[i] == '\n' || json[i] == '\r' || json[i] == '\t') {
			buf_addch(b, ' '); /* whitespace between tokens: one line stays one line */
			i++;
		} else if ((unsigned char)json[i] >= 0x20 && (unsigned char)json[i] < 0x7f) {
			buf_addch(b, json[i]);
			i++;
		} else {
			i += add_json_char(b, json + i, n - i);
		}
	}
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
	if (json)
		json_safe_raw(w->b, json, strlen(json));
	else
		buf_addstr(w->b, "null");
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
