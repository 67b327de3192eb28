/*
 * lookup.c - LookupEvents requests and answers; see lookup.h.
 *
 * The answer is parsed with yajl's event interface, which hands over each
 * string unescaped (exactly the record text CloudTrailEvent carries), with
 * a small stack that knows where each value sits: the top object, the
 * Events array, one event, an error envelope, or somewhere to ignore.
 */
#include "lookup.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yajl/yajl_parse.h>

#include "jsonesc.h"
#include "msg.h"
#include "utf8.h"

#define LOOKUP_MAX_DEPTH 64

static const char *const attribute_keys[] = {
	"AccessKeyId", "EventId", "EventName", "EventSource", "ReadOnly", "ResourceName",
	"ResourceType", "Username",
};

const char lookup_attribute_keys[] =
	"EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId";

const char *lookup_attribute_key(const char *key, size_t len)
{
	for (size_t i = 0; i < sizeof(attribute_keys) / sizeof(attribute_keys[0]); i++)
		if (strlen(attribute_keys[i]) == len && !strncasecmp(attribute_keys[i], key, len))
			return attribute_keys[i];
	return NULL;
}

/* Appends s as a JSON string. */
static int add_json_string(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	if (buf_addch(b, '"'))
		return -1;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int rc;

		if (*p == '"' || *p == '\\') {
			rc = buf_addch(b, '\\') || buf_addch(b, *p);
		} else if (*p < 0x20) {
			char esc[7] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0 };

			rc = buf_addstr(b, esc);
		} else {
			rc = buf_addch(b, *p);
		}
		if (rc)
			return -1;
	}
	return buf_addch(b, '"');
}

int lookup_request_body(struct buf *b, const struct lookup_query *q)
{
	int rc = 0;

	buf_reset(b);
	rc |= buf_addf(b, "{\"StartTime\":%lld,\"EndTime\":%lld,\"MaxResults\":%d", q->start_s,
		       q->end_s, q->max_results);
	if (q->attr_key) {
		rc |= buf_addstr(b, ",\"LookupAttributes\":[{\"AttributeKey\":");
		rc |= add_json_string(b, q->attr_key);
		rc |= buf_addstr(b, ",\"AttributeValue\":");
		rc |= add_json_string(b, q->attr_value ? q->attr_value : "");
		rc |= buf_addstr(b, "}]");
	}
	if (q->next_token) {
		rc |= buf_addstr(b, ",\"NextToken\":");
		rc |= add_json_string(b, q->next_token);
	}
	rc |= buf_addch(b, '}');
	return rc ? -1 : 0;
}

void lookup_page_init(struct lookup_page *pg)
{
	memset(pg, 0, sizeof(*pg));
	buf_init(&pg->texts, 1u << 30);
}

void lookup_page_release(struct lookup_page *pg)
{
	buf_release(&pg->texts);
	free(pg->ev);
	free(pg->next_token);
	lookup_page_init(pg);
}

const char *lookup_event_text(const struct lookup_page *pg, size_t i)
{
	return pg->ev[i].has_text ? pg->texts.data + pg->ev[i].text_off : NULL;
}

/* Where a container sits in the answer. */
enum where { W_TOP, W_EVENTS, W_EVENT, W_OUTPUT, W_IGNORED };

/* What the next value is. */
enum field { F_NONE, F_EVENTS, F_NEXT_TOKEN, F_TYPE, F_MESSAGE, F_OUTPUT, F_TEXT, F_TIME, F_ID };

struct parser {
	struct lookup_page *pg;
	enum where stack[LOOKUP_MAX_DEPTH];
	int depth;                  /* containers open */
	enum field pending;         /* set by a key, used by the value after it */
	int seen_top;               /* the top-level object began */
	char err[160];
};

static enum where top(const struct parser *p)
{
	return p->depth ? p->stack[p->depth - 1] : W_IGNORED;
}

static int fail(struct parser *p, const char *why)
{
	snprintf(p->err, sizeof(p->err), "%s", why);
	return 0;
}

static int push(struct parser *p, enum where w)
{
	if (p->depth == LOOKUP_MAX_DEPTH)
		return fail(p, "nested too deep");
	p->stack[p->depth++] = w;
	return 1;
}

static double number(const char *s, size_t n)
{
	char tmp[64], *end;
	double v;

	if (!n || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	v = strtod(tmp, &end);
	if (*end || !isfinite(v) || v < 0)
		return -1;
	return v;
}

static void copy_text(char *dst, size_t size, const unsigned char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static struct lookup_event *current_event(struct parser *p)
{
	return &p->pg->ev[p->pg->n - 1];
}

/* A value that is no container: a string, number, bool or null. */
static int scalar(struct parser *p, const unsigned char *s, size_t n, int is_string, int is_null)
{
	enum field f = p->pending;
	struct lookup_page *pg = p->pg;

	p->pending = F_NONE;
	switch (f) {
	case F_EVENTS:
		return is_null ? 1 : fail(p, "Events is not an array");
	case F_NEXT_TOKEN:
		if (is_string && n) {
			free(pg->next_token);
			pg->next_token = xstrndup((const char *)s, n);
		}
		return 1;
	case F_TYPE:
		if (is_string)
			copy_text(pg->error_type, sizeof(pg->error_type), s, n);
		return 1;
	case F_MESSAGE:
		if (is_string)
			copy_text(pg->error_message, sizeof(pg->error_message), s, n);
		return 1;
	case F_TEXT: {
		struct lookup_event *e = current_event(p);

		if (!is_string)
			return 1; /* counted as an event without its record */
		e->text_off = pg->texts.len;
		e->text_len = n;
		if (buf_add(&pg->texts, s, n) || buf_addch(&pg->texts, '\0'))
			return fail(p, "page too large");
		e->has_text = 1;
		return 1;
	}
	case F_TIME:
		if (!is_null)
			current_event(p)->event_time = number((const char *)s, n);
		return 1;
	case F_ID:
		if (is_string)
			copy_text(current_event(p)->event_id, sizeof(current_event(p)->event_id), s, n);
		return 1;
	case F_OUTPUT:
	case F_NONE:
		break;
	}
	if (top(p) == W_EVENTS)
		return fail(p, "an entry of Events is not an object");
	if (p->depth == 0)
		return fail(p, "not a JSON object");
	return 1;
}

static int on_null(void *ctx)
{
	return scalar(ctx, NULL, 0, 0, 1);
}

static int on_bool(void *ctx, int b)
{
	(void)b;
	return scalar(ctx, NULL, 0, 0, 0);
}

static int on_number(void *ctx, const char *s, size_t n)
{
	return scalar(ctx, (const unsigned char *)s, n, 0, 0);
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
	return scalar(ctx, s, n, 1, 0);
}

static int on_start_map(void *ctx)
{
	struct parser *p = ctx;
	enum field f = p->pending;
	struct lookup_page *pg = p->pg;

	p->pending = F_NONE;
	if (p->depth == 0) {
		if (p->seen_top)
			return fail(p, "more than one JSON value");
		p->seen_top = 1;
		return push(p, W_TOP);
	}
	if (f == F_EVENTS)
		return fail(p, "Events is not an array");
	if (f == F_OUTPUT)
		return push(p, W_OUTPUT);
	if (top(p) == W_EVENTS) {
		struct lookup_event *e;

		if (pg->n == pg->cap) {
			pg->cap = pg->cap ? pg->cap * 2 : 64;
			pg->ev = xrealloc(pg->ev, pg->cap * sizeof(*pg->ev));
		}
		e = &pg->ev[pg->n++];
		memset(e, 0, sizeof(*e));
		e->event_time = -1;
		return push(p, W_EVENT);
	}
	return push(p, W_IGNORED);
}

static int on_key(void *ctx, const unsigned char *k, size_t n)
{
	struct parser *p = ctx;

#define IS(s) (n == sizeof(s) - 1 && !memcmp(k, s, n))
	p->pending = F_NONE;
	switch (top(p)) {
	case W_TOP:
		if (IS("Events"))
			p->pending = F_EVENTS;
		else if (IS("NextToken"))
			p->pending = F_NEXT_TOKEN;
		else if (IS("__type"))
			p->pending = F_TYPE;
		else if (IS("message") || IS("Message"))
			p->pending = F_MESSAGE;
		else if (IS("Output"))
			p->pending = F_OUTPUT;
		break;
	case W_OUTPUT:
		if (IS("__type"))
			p->pending = F_TYPE;
		else if (IS("message") || IS("Message"))
			p->pending = F_MESSAGE;
		break;
	case W_EVENT:
		if (IS("CloudTrailEvent"))
			p->pending = F_TEXT;
		else if (IS("EventTime"))
			p->pending = F_TIME;
		else if (IS("EventId"))
			p->pending = F_ID;
		break;
	case W_EVENTS:
	case W_IGNORED:
		break;
	}
#undef IS
	return 1;
}

static int on_end_container(void *ctx)
{
	struct parser *p = ctx;

	p->pending = F_NONE;
	if (p->depth)
		p->depth--;
	return 1;
}

static int on_start_array(void *ctx)
{
	struct parser *p = ctx;
	enum field f = p->pending;

	p->pending = F_NONE;
	if (p->depth == 0)
		return fail(p, "not a JSON object");
	if (f == F_EVENTS)
		return push(p, W_EVENTS);
	if (top(p) == W_EVENTS)
		return fail(p, "an entry of Events is not an object");
	return push(p, W_IGNORED);
}

static const yajl_callbacks callbacks = {
	on_null, on_bool, NULL, NULL, on_number, on_string,
	on_start_map, on_key, on_end_container, on_start_array, on_end_container
};

/* The strict UTF-8 check files get (utf8.h); yajl's own lets overlong forms through. */
static int answer_not_utf8(struct lookup_page *pg, const char *body, size_t len)
{
	struct utf8_stream u;
	unsigned long long at;
	const char *why;

	utf8_stream_init(&u);
	if (!utf8_stream_check(&u, (const unsigned char *)body, len, &at, &why) &&
	    !utf8_stream_end(&u, &at, &why))
		return 0;
	snprintf(pg->err, sizeof(pg->err), "invalid UTF-8 at byte %llu: %s", at, why);
	return 1;
}

int lookup_parse(struct lookup_page *pg, const char *body, size_t len)
{
	struct parser p;
	yajl_handle h;
	yajl_status st;
	char *fixed = NULL;

	buf_reset(&pg->texts);
	pg->n = 0;
	free(pg->next_token);
	pg->next_token = NULL;
	pg->error_type[0] = '\0';
	pg->error_message[0] = '\0';
	pg->err[0] = '\0';
	memset(&p, 0, sizeof(p));
	p.pg = pg;
	if (answer_not_utf8(pg, body, len))
		return -1;
	h = yajl_alloc(&callbacks, NULL, &p);
	if (!h) {
		snprintf(pg->err, sizeof(pg->err), "out of memory");
		return -1;
	}
	/* as for files (jsonesc.h): a lone surrogate escape in the page, which
	   would become a record's text, decodes to U+FFFD, never to bytes that
	   are not UTF-8 */
	body = jsonesc_mended(body, len, &fixed);
	st = yajl_parse(h, (const unsigned char *)body, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st != yajl_status_ok) {
		if (st == yajl_status_client_canceled) {
			snprintf(pg->err, sizeof(pg->err), "%s", p.err);
		} else {
			unsigned char *m = yajl_get_error(h, 0, (const unsigned char *)body, len);
			size_t ml = m ? strcspn((char *)m, "\n") : 0;

			snprintf(pg->err, sizeof(pg->err), "invalid JSON at byte %zu: %.*s",
				 yajl_get_bytes_consumed(h), (int)ml, m ? (char *)m : "");
			if (m)
				yajl_free_error(h, m);
		}
		yajl_free(h);
		free(fixed);
		return -1;
	}
	yajl_free(h);
	free(fixed);
	if (p.depth || !p.seen_top) {
		snprintf(pg->err, sizeof(pg->err), "empty or incomplete answer");
		return -1;
	}
	return 0;
}
