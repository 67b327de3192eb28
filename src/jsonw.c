/*
 * jsonw.c - JSON text writer; see jsonw.h.
 */
#include "jsonw.h"

#include <stdio.h>
#include <string.h>

#include "safetext.h"

/*
 * JSON text is built in a small chunk on the stack and appended to the buf
 * a few KiB at a time: one buf_add() per character made query --format json
 * a third slower.
 */
struct chunk {
	struct buf *b;
	size_t used;
	char data[4096];
};

/* Makes room for the longest piece one character becomes (6 bytes). */
static void chunk_room(struct chunk *c)
{
	if (c->used > sizeof(c->data) - 8) {
		buf_add(c->b, c->data, c->used);
		c->used = 0;
	}
}

static void chunk_add(struct chunk *c, const char *p, size_t n)
{
	memcpy(c->data + c->used, p, n);
	c->used += n;
}

/* Adds \uHHHH for code point cp (below U+10000). */
static void add_u_escape(struct chunk *c, unsigned cp)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', hex[cp >> 12 & 15], hex[cp >> 8 & 15], hex[cp >> 4 & 15], hex[cp & 15] };

	chunk_add(c, esc, 6);
}

/*
 * Adds the character at s (n > 0 bytes left) as it may stand in JSON
 * text: itself, or escaped when unsafe_char() (a C1 control is CSI to a
 * terminal that shows the JSON; a bidi control reorders it), or U+FFFD for
 * a byte that is not UTF-8 (JSON text must be UTF-8, and a value cut with
 * snprintf() can end mid-character). Returns the bytes of s used.
 */
static size_t add_json_char(struct chunk *c, const char *s, size_t n)
{
	unsigned cp = 0;
	size_t len = utf8_char((const unsigned char *)s, n, &cp);

	if (!len) {
		chunk_add(c, "\xef\xbf\xbd", 3);
		return 1;
	}
	if (unsafe_char(cp))
		add_u_escape(c, cp);
	else
		chunk_add(c, s, len);
	return len;
}

static int plain_ascii(char ch)
{
	return (unsigned char)ch >= 0x20 && (unsigned char)ch < 0x7f;
}

void json_quote(struct buf *b, const char *s, size_t n)
{
	struct chunk c = { .b = b, .used = 0 };

	chunk_add(&c, "\"", 1);
	for (size_t i = 0; i < n;) {
		chunk_room(&c);
		switch (s[i]) {
		case '"': chunk_add(&c, "\\\"", 2); i++; continue;
		case '\\': chunk_add(&c, "\\\\", 2); i++; continue;
		case '\n': chunk_add(&c, "\\n", 2); i++; continue;
		case '\r': chunk_add(&c, "\\r", 2); i++; continue;
		case '\t': chunk_add(&c, "\\t", 2); i++; continue;
		default:
			if (plain_ascii(s[i]))
				c.data[c.used++] = s[i++];
			else
				i += add_json_char(&c, s + i, n - i);
		}
	}
	chunk_room(&c);
	chunk_add(&c, "\"", 1);
	buf_add(b, c.data, c.used);
}

void json_safe_raw(struct buf *b, const char *json, size_t n)
{
	struct chunk c = { .b = b, .used = 0 };

	for (size_t i = 0; i < n;) {
		chunk_room(&c);
		if (json[i] == '\n' || json[i] == '\r' || json[i] == '\t') {
			c.data[c.used++] = ' '; /* whitespace between tokens: one line stays one line */
			i++;
		} else if (plain_ascii(json[i])) {
			c.data[c.used++] = json[i++];
		} else {
			i += add_json_char(&c, json + i, n - i);
		}
	}
	buf_add(b, c.data, c.used);
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
