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

#include "jsonesc.h"
#include "msg.h"
#include "utf8.h"

/*
 * yajl is given the input at most this much at a time, so any longer
 * string or number spans two calls and goes through the holding below.
 */
#define FEED_SLICE (256u << 10)

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

	struct utf8_stream utf8;      /* the strict UTF-8 check of every input byte */
	unsigned char partial[4];     /* a character cut at the slice's end, */
	size_t partial_len;           /* ... its bytes so far, */
	unsigned long long partial_at; /* ... and its input offset */
	struct buf held;              /* input bytes received but not yet given to yajl */
	struct buf fixed;             /* yajl's copy when lone surrogate escapes are replaced */
	unsigned long long token_end; /* input offset just past the last token yajl reported */
	int holding;                  /* a string or number is cut off: wait for its end */
	int hold_string;              /* it is a string */
	int hold_escape;              /* its next byte is escaped */
	size_t hold_scanned;          /* bytes of held already searched for its end */
	unsigned long long hold_at;   /* its first byte's input offset */

	char err[320];
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static size_t pos_in_chunk(const struct ctstream *cs)
{
	return yajl_get_bytes_consumed(cs->h);
}

/* Every callback notes where its token ends: what follows may be cut off. */
static void saw_token(struct ctstream *cs)
{
	cs->token_end = cs->chunk_base + pos_in_chunk(cs);
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

static int is_json_space(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
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
	/* the store keeps the object itself, as a file's record is kept */
	while (len && is_json_space(s[len - 1]))
		len--;
	while (len && is_json_space(*s))
		s++, len--;
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

	saw_token(cs);
	if (cs->in_record)
		return record_on_null(&cs->ex) || extractor_failed(cs);
	return scalar(cs, "null");
}

static int s_bool(void *c, int b)
{
	struct ctstream *cs = c;

	saw_token(cs);
	if (cs->in_record)
		return record_on_bool(&cs->ex, b) || extractor_failed(cs);
	return scalar(cs, "a boolean");
}

static int s_number(void *c, const char *s, size_t n)
{
	struct ctstream *cs = c;

	saw_token(cs);
	if (cs->in_record)
		return record_on_number(&cs->ex, s, n) || extractor_failed(cs);
	return scalar(cs, "a number");
}

static int s_string(void *c, const unsigned char *s, size_t n)
{
	struct ctstream *cs = c;

	saw_token(cs);
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

	saw_token(cs);
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

	saw_token(cs);
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

	saw_token(cs);
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

	saw_token(cs);
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

	saw_token(cs);
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
	/* a held token, plus the slice whose bytes end it */
	buf_init(&cs->held, CTSTREAM_MAX_TOKEN + 2 * FEED_SLICE);
	buf_init(&cs->fixed, CTSTREAM_MAX_TOKEN + 2 * FEED_SLICE);
	utf8_stream_init(&cs->utf8);
	record_init(&cs->rec);
	cs->h = yajl_alloc(&stream_callbacks, NULL, cs);
	if (!cs->h)
		xmalloc((size_t)-1); /* reports out of memory */
	yajl_config(cs->h, yajl_allow_multiple_values, 1);
	/* utf8.c checks every byte more strictly before yajl sees it */
	yajl_config(cs->h, yajl_dont_validate_strings, 1);
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
 * tools write one; JSON forbids it). p[0] is at input offset at. Returns
 * how many bytes of p to skip.
 */
static size_t skip_bom(struct ctstream *cs, unsigned long long at, const unsigned char *p, size_t n)
{
	static const unsigned char bom[3] = { 0xef, 0xbb, 0xbf };
	size_t i = 0;

	while (at + i == (unsigned long long)cs->bom_seen && cs->bom_seen < 3 && i < n &&
	       p[i] == bom[cs->bom_seen]) {
		cs->bom_seen++;
		i++;
	}
	return i;
}

static int token_too_long(struct ctstream *cs)
{
	fail(cs, "byte %llu: a JSON %s longer than %u MiB", cs->hold_at,
	     cs->hold_string ? "string" : "number", CTSTREAM_MAX_TOKEN >> 20);
	return -1;
}

static int is_separator(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == ',' || c == ':';
}

/*
 * After yajl parsed p[0..n): if the bytes end inside a string or number
 * (whose start is the first byte after the last token that is no
 * separator), yajl keeps its start and waits. Holding what follows until
 * its end has arrived, rather than giving yajl the pieces one by one, keeps
 * yajl from re-reading the token each time (which is quadratic) and lets
 * the token's length be capped.
 */
static void note_cut_token(struct ctstream *cs, const unsigned char *p, size_t n)
{
	unsigned long long from = cs->token_end > cs->chunk_base ? cs->token_end : cs->chunk_base;
	size_t i = (size_t)(from - cs->chunk_base);

	while (i < n && is_separator(p[i]))
		i++;
	if (i >= n)
		return;
	cs->holding = 1;
	cs->hold_at = cs->chunk_base + i;
	cs->hold_string = p[i] == '"';
	cs->hold_escape = 0;
	cs->hold_scanned = 0;
	if (cs->hold_string)
		for (i++; i < n; i++)
			cs->hold_escape = !cs->hold_escape && p[i] == '\\';
}

/*
 * Searches data[hold_scanned..len) for the end of the held token. Returns
 * the offset just past it, or len + 1 when it has not arrived.
 */
static size_t held_token_end(struct ctstream *cs, const unsigned char *data, size_t len)
{
	for (size_t i = cs->hold_scanned; i < len; i++) {
		unsigned char c = data[i];

		if (cs->hold_string) {
			if (cs->hold_escape)
				cs->hold_escape = 0;
			else if (c == '\\')
				cs->hold_escape = 1;
			else if (c == '"')
				return i + 1;
		} else if (!((c >= '0' && c <= '9') || (c | 0x20) == 'e' || c == '.' || c == '+' ||
			     c == '-' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))) {
			return i; /* a number (or true, false, null) ends at the next other byte */
		}
	}
	cs->hold_scanned = len;
	return len + 1;
}

/* yajl parses n bytes: for_yajl, a copy of p with lone surrogates replaced, or p itself. */
static int parse(struct ctstream *cs, const unsigned char *p, const unsigned char *for_yajl, size_t n)
{
	yajl_status st;

	cs->chunk = p; /* raw text is copied from p, byte for byte as received */
	st = yajl_parse(cs->h, for_yajl, n);
	if (st != yajl_status_ok)
		return parse_failed(cs, st, for_yajl, n);
	if (cs->capturing) {
		if (buf_add(&cs->raw, cs->chunk + cs->cap_from, n - cs->cap_from)) {
			fail_record(cs, "record larger than 32 MiB");
			return -1;
		}
		cs->cap_from = 0;
	}
	note_cut_token(cs, p, n);
	cs->chunk_base += n;
	return 0;
}

/*
 * Gives yajl data[0..len), less an escape cut off at its end (unless
 * at_end), which stays held. data may be the held bytes themselves.
 */
static int give(struct ctstream *cs, const unsigned char *data, size_t len, int at_end)
{
	const unsigned char *for_yajl = data;
	int lone;
	size_t cut = jsonesc_scan((const char *)data, len, at_end, &lone);

	if (lone) {
		buf_reset(&cs->fixed);
		if (buf_add(&cs->fixed, data, cut))
			return token_too_long(cs);
		jsonesc_fix_lone(cs->fixed.data, cut);
		for_yajl = (const unsigned char *)cs->fixed.data;
	}
	if (parse(cs, data, for_yajl, cut))
		return -1;
	if (data == (const unsigned char *)cs->held.data) {
		memmove(cs->held.data, cs->held.data + cut, len - cut);
		cs->held.len = len - cut;
		cs->held.data[cs->held.len] = '\0';
	} else if (buf_add(&cs->held, data + cut, len - cut)) {
		return token_too_long(cs);
	}
	return 0;
}

/* Takes the next n (valid UTF-8) bytes: held while a token is cut off, else given to yajl. */
static int take(struct ctstream *cs, const unsigned char *p, size_t n)
{
	const unsigned char *data = p;
	size_t len = n;

	if (cs->held.len) {
		if (buf_add(&cs->held, p, n))
			return token_too_long(cs);
		data = (const unsigned char *)cs->held.data;
		len = cs->held.len;
	}
	if (cs->holding) {
		size_t end = held_token_end(cs, data, len);

		if (cs->chunk_base + (end > len ? len : end) - cs->hold_at > CTSTREAM_MAX_TOKEN)
			return token_too_long(cs);
		if (end > len)
			return data == p && buf_add(&cs->held, p, n) ? token_too_long(cs) : 0;
		cs->holding = 0;
	}
	return give(cs, data, len, 0);
}

/* Invalid UTF-8 at input offset at; an error in the bytes before it comes first. */
static int utf8_failed(struct ctstream *cs, unsigned long long at, const char *why)
{
	if (!cs->err[0] && cs->held.len && give(cs, (const unsigned char *)cs->held.data, cs->held.len, 1))
		return -1;
	fail(cs, "byte %llu: invalid UTF-8: %s", at, why);
	return -1;
}

/*
 * How many bytes at the end of the slice [from, end) belong to a character
 * the next slice must finish. yajl must not have them yet: a lead byte
 * would end a number for yajl, which then reports a fault that the whole
 * input, where the character turns out invalid, reports as invalid UTF-8.
 */
static size_t unfinished_tail(const struct ctstream *cs, unsigned long long from, unsigned long long end)
{
	if (!cs->utf8.need)
		return 0;
	if (cs->utf8.seq_at > from)
		from = cs->utf8.seq_at;
	return from < end ? (size_t)(end - from) : 0;
}

/*
 * Gives yajl the character an earlier slice left unfinished once this one
 * has finished it, or forgets it when it turned out bad. Until then it waits.
 */
static int take_partial(struct ctstream *cs, int bad, unsigned long long at)
{
	size_t len = cs->partial_len;

	if (!len || (cs->utf8.need && cs->utf8.seq_at == cs->partial_at))
		return 0;
	cs->partial_len = 0;
	/* a bad character may start before the part held: a byte-order mark's start was skipped */
	return bad && at <= cs->partial_at ? 0 : take(cs, cs->partial, len);
}

static int feed_slice(struct ctstream *cs, const unsigned char *p, size_t n)
{
	unsigned long long start = cs->utf8.off, at = 0;
	const char *why = NULL;
	int bad = utf8_stream_check(&cs->utf8, p, n, &at, &why);
	size_t good = bad ? (at > start ? (size_t)(at - start) : 0) : n;
	size_t skip = skip_bom(cs, start, p, good);
	size_t tail = bad ? 0 : unfinished_tail(cs, start + skip, start + n);

	/* the mark counts as input for byte offsets, but yajl never sees it */
	cs->chunk_base += skip;
	if (take_partial(cs, bad, at) || take(cs, p + skip, good - skip - tail))
		return -1;
	if (bad)
		return utf8_failed(cs, at, why);
	if (tail && !cs->partial_len)
		cs->partial_at = start + n - tail;
	memcpy(cs->partial + cs->partial_len, p + n - tail, tail);
	cs->partial_len += tail;
	return 0;
}

int ctstream_feed(struct ctstream *cs, const void *p, size_t n)
{
	const unsigned char *bytes = p;

	if (cs->err[0])
		return -1;
	while (n > 0) {
		size_t len = n < FEED_SLICE ? n : FEED_SLICE;

		if (feed_slice(cs, bytes, len))
			return -1;
		bytes += len;
		n -= len;
	}
	return 0;
}

int ctstream_finish(struct ctstream *cs)
{
	yajl_status st;
	unsigned long long at;
	const char *why;

	if (cs->err[0])
		return -1;
	if (utf8_stream_end(&cs->utf8, &at, &why))
		return utf8_failed(cs, at, why);
	if (cs->held.len && give(cs, (const unsigned char *)cs->held.data, cs->held.len, 1))
		return -1;
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
	buf_release(&cs->held);
	buf_release(&cs->fixed);
	record_release(&cs->rec);
	free(cs);
}
