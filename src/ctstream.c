/*
 * ctstream.c - streaming CloudTrail parser on yajl's callback API; see
 * ctstream.h.
 *
 * Two jobs run on the same yajl events. The structure job knows where
 * records sit (under "Records", under "Events", in a bare array, or at the
 * top level) and copies each record's raw bytes: yajl_get_bytes_consumed()
 * during a callback is the offset just past the token in the current chunk,
 * so a record's '{' is at that offset minus one when it opens and its '}'
 * when it closes; bytes in between are copied as the chunks go by. The
 * extraction job (record.c) is handed every event inside a record.
 */
#include "ctstream.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "msg.h"

enum top_mode {
	TOP_NONE,      /* between top-level values */
	TOP_ARRAY,     /* a bare array of records */
	TOP_OBJECT,    /* an object that is a record unless it turns out an envelope */
	TOP_ENVELOPE,  /* {"Records":...} or a LookupEvents page */
};

enum env_key { ENV_OTHER, ENV_RECORDS, ENV_EVENTS };

struct ctstream {
	yajl_handle h;
	ctstream_emit_fn emit;
	void *emit_ctx;

	const unsigned char *chunk;   /* the chunk yajl is parsing now */
	unsigned long long chunk_base; /* input bytes before it */
	int depth;                    /* containers open */
	int seen_value;               /* a top-level value has started */
	enum top_mode mode;
	enum env_key env_key;         /* the envelope member being read */

	int in_record;                /* extraction is running */
	int record_depth;             /* depth of the record's own object */
	int capturing;                /* raw bytes are being copied */
	size_t cap_from;              /* where copying resumes in the chunk */
	unsigned long long record_at; /* input offset of the record's '{' */
	struct buf raw;               /* the record's raw text */
	struct record rec;
	struct record_extractor ex;
	long records;                 /* records reported (and the index of errors) */

	int in_event;                 /* inside one LookupEvents Events[] entry */
	int event_has_record;         /* it had its CloudTrailEvent */
	int next_is_record_text;      /* the next value is CloudTrailEvent */

	int bom_seen;                 /* bytes of a leading UTF-8 byte-order mark skipped */

	char err[320];
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static size_t pos_in_chunk(const struct ctstream *cs)
{
	return yajl_get_bytes_consumed(cs->h);
}

static int fail(struct ctstream *cs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct ctstream *cs, const char *fmt, ...)
{
	va_list ap;

	if (cs->err[0])
		return 0; /* keep the first reason */
	va_start(ap, fmt);
	vsnprintf(cs->err, sizeof(cs->err), fmt, ap);
	va_end(ap);
	return 0;
}

/* The record-level failure: index and byte of the record at fault. */
static int fail_record(struct ctstream *cs, const char *why)
{
	return fail(cs, "record %ld (byte %llu): %s", cs->records + 1, cs->record_at, why);
}

static void begin_record(struct ctstream *cs)
{
	cs->in_record = 1;
	cs->record_depth = cs->depth;
	cs->capturing = 1;
	cs->cap_from = pos_in_chunk(cs) - 1;
	cs->record_at = cs->chunk_base + cs->cap_from;
	buf_reset(&cs->raw);
	record_extract_begin(&cs->ex, &cs->rec);
}

static int emit_record(struct ctstream *cs, const char *raw, size_t len)
{
	char why[200];

	if (record_finish(&cs->rec, why, sizeof(why))) {
		if (cs->mode == TOP_OBJECT && cs->rec.len[RF_EVENT_ID] < 0 &&
		    cs->rec.len[RF_EVENT_TIME] < 0 && cs->rec.len[RF_EVENT_SOURCE] < 0)
			return fail(cs, "byte %llu: not a CloudTrail log: an object with neither "
				    "a Records array nor an eventID", cs->record_at);
		return fail_record(cs, why);
	}
	if (cs->emit(cs->emit_ctx, raw, len, &cs->rec))
		return fail(cs, "stopped");
	cs->records++;
	return 1;
}

static int end_record(struct ctstream *cs)
{
	const char *raw = (const char *)cs->chunk + cs->cap_from;
	size_t len = pos_in_chunk(cs) - cs->cap_from;

	if (cs->raw.len) { /* it began in an earlier chunk: join the pieces */
		if (buf_add(&cs->raw, raw, len))
			return fail_record(cs, "record larger than 32 MiB");
		raw = cs->raw.data;
		len = cs->raw.len;
	} else if (len > CTSTREAM_MAX_RECORD) {
		return fail_record(cs, "record larger than 32 MiB");
	}
	/* else the record lies whole in this chunk: passed on without a copy */
	cs->capturing = 0;
	cs->in_record = 0;
	return emit_record(cs, raw, len);
}

/* A CloudTrailEvent string: the record as JSON text inside a string. */
static int record_text(struct ctstream *cs, const unsigned char *s, size_t len)
{
	char why[200];

	cs->record_at = cs->chunk_base + pos_in_chunk(cs);
	if (record_parse_text(&cs->rec, (const char *)s, len, why, sizeof(why))) {
		char msg[260];

		snprintf(msg, sizeof(msg), "CloudTrailEvent: %s", why);
		return fail_record(cs, msg);
	}
	cs->event_has_record = 1;
	return emit_record(cs, (const char *)s, len);
}

static int extractor_failed(struct ctstream *cs)
{
	return fail_record(cs, cs->ex.err);
}

static int too_deep(struct ctstream *cs)
{
	return fail(cs, "byte %llu: nesting deeper than %d", cs->chunk_base + pos_in_chunk(cs),
		    CTSTREAM_MAX_DEPTH);
}

/* Is the current position an element of the array that holds records? */
static int at_record_slot(const struct ctstream *cs)
{
	return (cs->mode == TOP_ARRAY && cs->depth == 1) ||
	       (cs->mode == TOP_ENVELOPE && cs->depth == 2 && cs->env_key == ENV_RECORDS);
}

static int at_event_slot(const struct ctstream *cs)
{
	return cs->mode == TOP_ENVELOPE && cs->depth == 2 && cs->env_key == ENV_EVENTS;
}

/* A scalar where the structure wants something else is an error. */
static int scalar(struct ctstream *cs, const char *what)
{
	if (cs->depth == 0)
		return fail(cs, "byte %llu: not a CloudTrail log: the top-level value is %s",
			    cs->chunk_base + pos_in_chunk(cs), what);
	if (at_record_slot(cs) || at_event_slot(cs)) {
		cs->record_at = cs->chunk_base + pos_in_chunk(cs);
		return fail_record(cs, "not an object");
	}
	if (cs->mode == TOP_ENVELOPE && cs->depth == 1 && cs->env_key != ENV_OTHER)
		return fail(cs, "byte %llu: '%s' is not an array", cs->chunk_base + pos_in_chunk(cs),
			    cs->env_key == ENV_RECORDS ? "Records" : "Events");
	if (cs->in_event && cs->depth == 3 && cs->next_is_record_text)
		return fail(cs, "event %ld: CloudTrailEvent is not a string", cs->records + 1);
	return 1;
}

static int s_null(void *c)
{
	struct ctstream *cs = c;

	if (cs->in_record)
		return record_on_null(&cs->ex) || extractor_failed(cs);
	return scalar(cs, "null");
}

static int s_bool(void *c, int b)
{
	struct ctstream *cs = c;

	if (cs->in_record)
		return record_on_bool(&cs->ex, b) || extractor_failed(cs);
	return scalar(cs, "a boolean");
}

static int s_number(void *c, const char *s, size_t n)
{
	struct ctstream *cs = c;

	if (cs->in_record)
		return record_on_number(&cs->ex, s, n) || extractor_failed(cs);
	return scalar(cs, "a number");
}

static int s_string(void *c, const unsigned char *s, size_t n)
{
	struct ctstream *cs = c;

	if (cs->in_record)
		return record_on_string(&cs->ex, s, n) || extractor_failed(cs);
	if (cs->in_event && cs->depth == 3 && cs->next_is_record_text) {
		cs->next_is_record_text = 0;
		return record_text(cs, s, n);
	}
	return scalar(cs, "a string");
}

static int s_start_map(void *c)
{
	struct ctstream *cs = c;

	if (cs->depth >= CTSTREAM_MAX_DEPTH)
		return too_deep(cs);
	if (cs->in_record) {
		cs->depth++;
		return record_on_start_map(&cs->ex) || extractor_failed(cs);
	}
	if (cs->depth == 0) {
		cs->seen_value = 1;
		cs->mode = TOP_OBJECT;
		cs->env_key = ENV_OTHER;
		cs->depth = 1;
		begin_record(cs);
		return record_on_start_map(&cs->ex) || extractor_failed(cs);
	}
	if (at_record_slot(cs)) {
		cs->depth++;
		begin_record(cs);
		return record_on_start_map(&cs->ex) || extractor_failed(cs);
	}
	if (cs->mode == TOP_ENVELOPE && cs->depth == 1 && cs->env_key != ENV_OTHER)
		return fail(cs, "byte %llu: '%s' is not an array", cs->chunk_base + pos_in_chunk(cs),
			    cs->env_key == ENV_RECORDS ? "Records" : "Events");
	if (cs->in_event && cs->depth == 3 && cs->next_is_record_text)
		return fail(cs, "event %ld: CloudTrailEvent is not a string", cs->records + 1);
	if (at_event_slot(cs)) {
		cs->in_event = 1;
		cs->event_has_record = 0;
		cs->next_is_record_text = 0;
	}
	cs->depth++;
	return 1;
}

static int s_end_map(void *c)
{
	struct ctstream *cs = c;

	cs->depth--;
	if (cs->in_record) {
		if (!record_on_end_map(&cs->ex))
			return extractor_failed(cs);
		if (cs->depth == cs->record_depth - 1 && !end_record(cs))
			return 0;
	} else if (cs->in_event && cs->depth == 2) {
		cs->in_event = 0;
		if (!cs->event_has_record)
			return fail(cs, "event %ld (byte %llu): no CloudTrailEvent", cs->records + 1,
				    cs->chunk_base + pos_in_chunk(cs));
	}
	if (cs->depth == 0)
		cs->mode = TOP_NONE;
	return 1;
}

static int s_start_array(void *c)
{
	struct ctstream *cs = c;

	if (cs->depth >= CTSTREAM_MAX_DEPTH)
		return too_deep(cs);
	if (cs->in_record) {
		cs->depth++;
		return record_on_start_array(&cs->ex) || extractor_failed(cs);
	}
	if (cs->depth == 0) {
		cs->seen_value = 1;
		cs->mode = TOP_ARRAY;
	} else if (at_record_slot(cs) || at_event_slot(cs)) {
		cs->record_at = cs->chunk_base + pos_in_chunk(cs) - 1;
		return fail_record(cs, "not an object");
	} else if (cs->in_event && cs->depth == 3 && cs->next_is_record_text) {
		return fail(cs, "event %ld: CloudTrailEvent is not a string", cs->records + 1);
	}
	cs->depth++;
	return 1;
}

static int s_end_array(void *c)
{
	struct ctstream *cs = c;

	cs->depth--;
	if (cs->in_record)
		return record_on_end_array(&cs->ex) || extractor_failed(cs);
	if (cs->depth == 0)
		cs->mode = TOP_NONE;
	return 1;
}

static int key_is(const unsigned char *k, size_t n, const char *want)
{
	return strlen(want) == n && !memcmp(k, want, n);
}

static int s_map_key(void *c, const unsigned char *k, size_t n)
{
	struct ctstream *cs = c;

	if (cs->mode == TOP_OBJECT && cs->depth == 1 &&
	    (key_is(k, n, "Records") || key_is(k, n, "Events") || key_is(k, n, "NextToken"))) {
		/* not a record after all: an envelope around records */
		cs->mode = TOP_ENVELOPE;
		cs->in_record = 0;
		cs->capturing = 0;
	}
	if (cs->in_record)
		return record_on_key(&cs->ex, k, n) || extractor_failed(cs);
	if (cs->mode == TOP_ENVELOPE && cs->depth == 1)
		cs->env_key = key_is(k, n, "Records") ? ENV_RECORDS :
			      key_is(k, n, "Events") ? ENV_EVENTS : ENV_OTHER;
	else if (cs->in_event && cs->depth == 3)
		cs->next_is_record_text = key_is(k, n, "CloudTrailEvent");
	return 1;
}

static const yajl_callbacks stream_callbacks = {
	s_null, s_bool, NULL, NULL, s_number, s_string,
	s_start_map, s_map_key, s_end_map, s_start_array, s_end_array
};

struct ctstream *ctstream_new(ctstream_emit_fn emit, void *ctx)
{
	struct ctstream *cs = xcalloc(1, sizeof(*cs));

	cs->emit = emit;
	cs->emit_ctx = ctx;
	buf_init(&cs->raw, CTSTREAM_MAX_RECORD);
	record_init(&cs->rec);
	cs->h = yajl_alloc(&stream_callbacks, NULL, cs);
	if (!cs->h)
		xmalloc((size_t)-1); /* reports out of memory */
	yajl_config(cs->h, yajl_allow_multiple_values, 1);
	return cs;
}

/* Turns a yajl failure into our message, with the byte offset. */
static int parse_failed(struct ctstream *cs, yajl_status st, const unsigned char *p, size_t n)
{
	unsigned char *msg;
	size_t len;

	if (st == yajl_status_client_canceled || cs->err[0])
		return -1;
	msg = yajl_get_error(cs->h, 0, p, n);
	len = msg ? strcspn((const char *)msg, "\n") : 0;
	while (len && (msg[len - 1] == '.' || msg[len - 1] == ' '))
		len--;
	fail(cs, "byte %llu: invalid JSON: %.*s", cs->chunk_base + yajl_get_bytes_consumed(cs->h),
	     (int)len, msg ? (const char *)msg : "syntax error");
	if (msg)
		yajl_free_error(cs->h, msg);
	return -1;
}

/*
 * Skips a UTF-8 byte-order mark at the very start of the input (Windows
 * tools write one; JSON forbids it). Returns how many bytes of p to skip.
 */
static size_t skip_bom(struct ctstream *cs, const unsigned char *p, size_t n)
{
	static const unsigned char bom[3] = { 0xef, 0xbb, 0xbf };
	size_t i = 0;

	while (cs->chunk_base + i == (unsigned long long)cs->bom_seen && cs->bom_seen < 3 && i < n &&
	       p[i] == bom[cs->bom_seen]) {
		cs->bom_seen++;
		i++;
	}
	return i;
}

int ctstream_feed(struct ctstream *cs, const void *p, size_t n)
{
	yajl_status st;
	size_t skip = skip_bom(cs, p, n);

	/* the mark counts as input for byte offsets, but yajl never sees it */
	cs->chunk_base += skip;
	p = (const unsigned char *)p + skip;
	n -= skip;

	cs->chunk = p;
	st = yajl_parse(cs->h, p, n);
	if (st != yajl_status_ok)
		return parse_failed(cs, st, p, n);
	if (cs->capturing) {
		if (buf_add(&cs->raw, cs->chunk + cs->cap_from, n - cs->cap_from)) {
			fail_record(cs, "record larger than 32 MiB");
			return -1;
		}
		cs->cap_from = 0;
	}
	cs->chunk_base += n;
	return 0;
}

int ctstream_finish(struct ctstream *cs)
{
	yajl_status st;

	cs->chunk = (const unsigned char *)"";
	st = yajl_complete_parse(cs->h);
	if (st != yajl_status_ok) {
		if (!cs->seen_value && !cs->err[0]) {
			fail(cs, "empty input: no JSON data");
			return -1;
		}
		if (!cs->err[0] && cs->depth > 0) {
			fail(cs, "byte %llu: truncated JSON: the input ends inside %s",
			     cs->chunk_base, cs->in_record ? "a record" : "the document");
			return -1;
		}
		return parse_failed(cs, st, cs->chunk, 0);
	}
	if (!cs->seen_value) {
		fail(cs, "empty input: no JSON data");
		return -1;
	}
	return 0;
}

const char *ctstream_error(const struct ctstream *cs)
{
	return cs->err;
}

long ctstream_records(const struct ctstream *cs)
{
	return cs->records;
}

void ctstream_free(struct ctstream *cs)
{
	if (!cs)
		return;
	yajl_free(cs->h);
	buf_release(&cs->raw);
	record_release(&cs->rec);
	free(cs);
}
