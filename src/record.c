/*
 * record.c - column extraction from one CloudTrail record; see record.h.
 *
 * The fields we keep sit at fixed paths (eventID, userIdentity.arn,
 * userIdentity.sessionContext.sessionIssuer.arn, tlsDetails.tlsVersion).
 * Rather than build a path string for every value, the extractor walks a
 * tiny tree of the objects that hold fields ("nodes") and looks each key up
 * only in the current node's short table.
 */
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "jsonesc.h"
#include "msg.h"
#include "srvindex.h"
#include "timeparse.h"

enum node { N_ROOT, N_IDENTITY, N_SESSION, N_ISSUER, N_TLS, N_NONE = -1 };

struct key_entry {
	const char *key;   /* the JSON key */
	size_t len;        /* its length */
	int field;         /* enum record_field it fills, or -1 */
	int child;         /* enum node it opens, or N_NONE */
};

#define KEY(k, field, child) { k, sizeof(k) - 1, field, child }

static const struct key_entry root_keys[] = {
	KEY("eventID", RF_EVENT_ID, N_NONE),
	KEY("eventTime", RF_EVENT_TIME, N_NONE),
	KEY("eventSource", RF_EVENT_SOURCE, N_NONE),
	KEY("eventName", RF_EVENT_NAME, N_NONE),
	KEY("awsRegion", RF_AWS_REGION, N_NONE),
	KEY("sourceIPAddress", RF_SOURCE_IP, N_NONE),
	KEY("userAgent", RF_USER_AGENT, N_NONE),
	KEY("errorCode", RF_ERROR_CODE, N_NONE),
	KEY("errorMessage", RF_ERROR_MESSAGE, N_NONE),
	KEY("readOnly", RF_READ_ONLY, N_NONE),
	KEY("eventType", RF_EVENT_TYPE, N_NONE),
	KEY("managementEvent", RF_MANAGEMENT_EVENT, N_NONE),
	KEY("recipientAccountId", RF_RECIPIENT_ACCOUNT_ID, N_NONE),
	KEY("requestID", RF_REQUEST_ID, N_NONE),
	KEY("sharedEventID", RF_SHARED_EVENT_ID, N_NONE),
	KEY("vpcEndpointId", RF_VPC_ENDPOINT_ID, N_NONE),
	KEY("eventCategory", RF_EVENT_CATEGORY, N_NONE),
	KEY("userIdentity", -1, N_IDENTITY),
	KEY("tlsDetails", -1, N_TLS),
	{ NULL, 0, -1, N_NONE }
};

static const struct key_entry identity_keys[] = {
	KEY("type", RF_IDENTITY_TYPE, N_NONE),
	KEY("arn", RF_PRINCIPAL_ARN, N_NONE),
	KEY("principalId", RF_PRINCIPAL_ID, N_NONE),
	KEY("accountId", RF_ACCOUNT_ID, N_NONE),
	KEY("accessKeyId", RF_ACCESS_KEY_ID, N_NONE),
	KEY("userName", RF_USER_NAME, N_NONE),
	KEY("invokedBy", RF_INVOKED_BY, N_NONE),
	KEY("sessionContext", -1, N_SESSION),
	{ NULL, 0, -1, N_NONE }
};

static const struct key_entry session_keys[] = {
	KEY("sessionIssuer", -1, N_ISSUER),
	{ NULL, 0, -1, N_NONE }
};

static const struct key_entry issuer_keys[] = {
	KEY("arn", RF_SESSION_ISSUER_ARN, N_NONE),
	KEY("userName", RF_ISSUER_USER_NAME, N_NONE),
	{ NULL, 0, -1, N_NONE }
};

static const struct key_entry tls_keys[] = {
	KEY("tlsVersion", RF_TLS_VERSION, N_NONE),
	{ NULL, 0, -1, N_NONE }
};

static const struct key_entry *const node_keys[] = {
	[N_ROOT] = root_keys,
	[N_IDENTITY] = identity_keys,
	[N_SESSION] = session_keys,
	[N_ISSUER] = issuer_keys,
	[N_TLS] = tls_keys,
};

const char *const record_columns[RF_COUNT] = {
	[RF_EVENT_ID] = "event_id",
	[RF_EVENT_TIME] = "event_time",
	[RF_EVENT_SOURCE] = "event_source",
	[RF_EVENT_NAME] = "event_name",
	[RF_AWS_REGION] = "aws_region",
	[RF_SOURCE_IP] = "source_ip",
	[RF_USER_AGENT] = "user_agent",
	[RF_IDENTITY_TYPE] = "identity_type",
	[RF_PRINCIPAL_ARN] = "principal_arn",
	[RF_PRINCIPAL_ID] = "principal_id",
	[RF_ACCOUNT_ID] = "account_id",
	[RF_ACCESS_KEY_ID] = "access_key_id",
	[RF_USER_NAME] = "user_name",
	[RF_SESSION_ISSUER_ARN] = "session_issuer_arn",
	[RF_INVOKED_BY] = "invoked_by",
	[RF_ERROR_CODE] = "error_code",
	[RF_ERROR_MESSAGE] = "error_message",
	[RF_READ_ONLY] = "read_only",
	[RF_EVENT_TYPE] = "event_type",
	[RF_MANAGEMENT_EVENT] = "management_event",
	[RF_RECIPIENT_ACCOUNT_ID] = "recipient_account_id",
	[RF_REQUEST_ID] = "request_id",
	[RF_SHARED_EVENT_ID] = "shared_event_id",
	[RF_VPC_ENDPOINT_ID] = "vpc_endpoint_id",
	[RF_EVENT_CATEGORY] = "event_category",
	[RF_TLS_VERSION] = "tls_version",
	[RF_ISSUER_USER_NAME] = NULL,
	[RF_SERVER_IDS] = NULL,
};

/* The JSON key that fills field f, for error messages. */
static const char *field_key(int f)
{
	for (size_t n = 0; n < sizeof(node_keys) / sizeof(node_keys[0]); n++)
		for (const struct key_entry *e = node_keys[n]; e->key; e++)
			if (e->field == f)
				return e->key;
	return "?";
}

static int is_bool_field(int f)
{
	return f == RF_READ_ONLY || f == RF_MANAGEMENT_EVENT;
}

/* Fields whose absence or wrong type makes the record unusable. */
static int is_required_field(int f)
{
	return f == RF_EVENT_ID || f == RF_EVENT_TIME;
}

void record_init(struct record *rec)
{
	buf_init(&rec->values, 64u << 20);
	buf_init(&rec->server_ids, 64u << 20);
	for (int i = 0; i < RF_COUNT; i++)
		rec->len[i] = -1;
	rec->event_time_ms = 0;
}

void record_release(struct record *rec)
{
	buf_release(&rec->values);
	buf_release(&rec->server_ids);
}

const char *record_get(const struct record *rec, enum record_field f)
{
	return rec->len[f] < 0 ? NULL : rec->values.data + rec->off[f];
}

static int set_value(struct record_extractor *ex, int f, const void *s, size_t len)
{
	struct record *rec = ex->rec;
	size_t off = rec->values.len;

	if (buf_add(&rec->values, s, len) || buf_addch(&rec->values, '\0')) {
		snprintf(ex->err, sizeof(ex->err), "'%s' is too large", field_key(f));
		return 0;
	}
	rec->off[f] = off;
	rec->len[f] = (long)len;
	return 1;
}

static int wrong_type(struct record_extractor *ex, int f, const char *what)
{
	snprintf(ex->err, sizeof(ex->err), "'%s' is %s, not a string", field_key(f), what);
	return 0;
}

/* Takes the pending field for a scalar value; returns it or -1. */
static int take_field(struct record_extractor *ex)
{
	int f = ex->pending_field;

	ex->pending_field = -1;
	ex->pending_node = N_NONE;
	return f;
}

void record_extract_begin(struct record_extractor *ex, struct record *rec)
{
	ex->rec = rec;
	ex->depth = 0;
	ex->pending_field = -1;
	ex->pending_node = N_NONE;
	ex->err[0] = '\0';
	buf_reset(&rec->values);
	buf_reset(&rec->server_ids);
	for (int i = 0; i < RF_COUNT; i++)
		rec->len[i] = -1;
	rec->event_time_ms = 0;
}

/* Ids checked for repeats within a record; past them the store's key drops repeats. */
#define SERVER_IDS_DEDUPED 64

/*
 * Notes a string of the record (value or key) that could name a source
 * server: once per record for the first ids, so that the usual record
 * costs one row per server it names, while one stuffed with ids costs
 * linear time.
 */
static int note_server_id(struct record_extractor *ex, const unsigned char *s, size_t len)
{
	struct buf *ids = &ex->rec->server_ids;
	size_t at = 0;

	if (!srvindex_is_id((const char *)s, len))
		return 1;
	for (int n = 0; at < ids->len && n < SERVER_IDS_DEDUPED; n++) {
		size_t l = strlen(ids->data + at);

		if (l == len && !memcmp(ids->data + at, s, len))
			return 1;
		at += l + 1;
	}
	if (memchr(s, '\0', len))
		return 1; /* a NUL inside: it cannot equal an id given on the command line */
	if (buf_add(ids, s, len) || buf_addch(ids, '\0')) {
		snprintf(ex->err, sizeof(ex->err), "too many strings of the form s-...");
		return 0;
	}
	return 1;
}

static int open_container(struct record_extractor *ex, int is_map)
{
	int f = ex->pending_field, node;

	if (f >= 0)
		return wrong_type(ex, f, is_map ? "an object" : "an array");
	if (ex->depth + 1 >= (int)sizeof(ex->node)) {
		snprintf(ex->err, sizeof(ex->err), "nesting deeper than %d",
			 (int)sizeof(ex->node) - 2);
		return 0;
	}
	if (ex->depth == 0)
		node = is_map ? N_ROOT : N_NONE;
	else
		node = is_map ? ex->pending_node : N_NONE;
	ex->pending_node = N_NONE;
	ex->node[++ex->depth] = (signed char)node;
	return 1;
}

int record_on_start_map(struct record_extractor *ex)
{
	return open_container(ex, 1);
}

int record_on_start_array(struct record_extractor *ex)
{
	return open_container(ex, 0);
}

int record_on_end_map(struct record_extractor *ex)
{
	ex->depth--;
	return 1;
}

int record_on_end_array(struct record_extractor *ex)
{
	ex->depth--;
	return 1;
}

int record_on_key(struct record_extractor *ex, const unsigned char *k, size_t len)
{
	int node = ex->node[ex->depth];

	if (!note_server_id(ex, k, len))
		return 0;
	ex->pending_field = -1;
	ex->pending_node = N_NONE;
	if (node < 0)
		return 1;
	for (const struct key_entry *e = node_keys[node]; e->key; e++) {
		if (e->len == len && !memcmp(e->key, k, len)) {
			ex->pending_field = e->field;
			ex->pending_node = e->child;
			break;
		}
	}
	return 1;
}

int record_on_string(struct record_extractor *ex, const unsigned char *s, size_t len)
{
	int f = take_field(ex);

	if (!note_server_id(ex, s, len))
		return 0;
	if (f < 0)
		return 1;
	if (is_bool_field(f)) {
		/* LookupEvents and some exports write booleans as strings */
		if (len == 4 && !memcmp(s, "true", 4))
			return set_value(ex, f, "1", 1);
		if (len == 5 && !memcmp(s, "false", 5))
			return set_value(ex, f, "0", 1);
		return 1;
	}
	return set_value(ex, f, s, len);
}

int record_on_number(struct record_extractor *ex, const char *s, size_t len)
{
	int f = take_field(ex);

	if (f < 0 || is_bool_field(f))
		return 1;
	if (is_required_field(f))
		return wrong_type(ex, f, "a number");
	return set_value(ex, f, s, len);
}

int record_on_bool(struct record_extractor *ex, int b)
{
	int f = take_field(ex);

	if (f < 0)
		return 1;
	if (is_bool_field(f))
		return set_value(ex, f, b ? "1" : "0", 1);
	if (is_required_field(f))
		return wrong_type(ex, f, "a boolean");
	return set_value(ex, f, b ? "true" : "false", b ? 4 : 5);
}

int record_on_null(struct record_extractor *ex)
{
	take_field(ex);
	return 1;
}

/* Copies field `from` into field `to` when `to` is missing. */
static int fallback(struct record *rec, int to, int from)
{
	size_t off;

	if (rec->len[to] >= 0 || rec->len[from] < 0)
		return 0;
	/* the source may move when values grows: copy through its offset */
	off = rec->values.len;
	if (buf_grow(&rec->values, (size_t)rec->len[from] + 1))
		return -1;
	memcpy(rec->values.data + off, rec->values.data + rec->off[from], (size_t)rec->len[from] + 1);
	rec->values.len += (size_t)rec->len[from] + 1;
	rec->off[to] = off;
	rec->len[to] = rec->len[from];
	return 0;
}

/* Moves the ids noted while reading into the values, as field RF_SERVER_IDS. */
static int keep_server_ids(struct record *rec)
{
	size_t off = rec->values.len;

	if (!rec->server_ids.len)
		return 0;
	if (buf_add(&rec->values, rec->server_ids.data, rec->server_ids.len) ||
	    buf_addch(&rec->values, '\0'))
		return -1;
	rec->off[RF_SERVER_IDS] = off;
	rec->len[RF_SERVER_IDS] = (long)rec->server_ids.len;
	return 0;
}

int record_finish(struct record *rec, char *err, size_t errlen)
{
	if (rec->len[RF_EVENT_ID] <= 0) {
		snprintf(err, errlen, "no eventID");
		return -1;
	}
	if (rec->len[RF_EVENT_TIME] < 0) {
		snprintf(err, errlen, "no eventTime");
		return -1;
	}
	if (time_parse_iso(record_get(rec, RF_EVENT_TIME), (size_t)rec->len[RF_EVENT_TIME], 0,
			   &rec->event_time_ms)) {
		snprintf(err, errlen, "eventTime '%.40s' is not an ISO-8601 time",
			 record_get(rec, RF_EVENT_TIME));
		return -1;
	}
	if (fallback(rec, RF_ACCOUNT_ID, RF_RECIPIENT_ACCOUNT_ID) ||
	    fallback(rec, RF_USER_NAME, RF_ISSUER_USER_NAME) || keep_server_ids(rec)) {
		snprintf(err, errlen, "record too large");
		return -1;
	}
	return 0;
}

/* yajl adapters for record_parse_text(): the context is the extractor. */
static int cb_null(void *c) { return record_on_null(c); }
static int cb_bool(void *c, int b) { return record_on_bool(c, b); }
static int cb_number(void *c, const char *s, size_t n) { return record_on_number(c, s, n); }
static int cb_string(void *c, const unsigned char *s, size_t n) { return record_on_string(c, s, n); }
static int cb_start_map(void *c) { return record_on_start_map(c); }
static int cb_key(void *c, const unsigned char *k, size_t n) { return record_on_key(c, k, n); }
static int cb_end_map(void *c) { return record_on_end_map(c); }
static int cb_start_array(void *c) { return record_on_start_array(c); }
static int cb_end_array(void *c) { return record_on_end_array(c); }

static const yajl_callbacks text_callbacks = {
	cb_null, cb_bool, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_key, cb_end_map, cb_start_array, cb_end_array
};

int record_parse_text(struct record *rec, const char *text, size_t len,
		      char *err, size_t errlen)
{
	struct record_extractor ex;
	yajl_handle h;
	yajl_status st;
	size_t i = 0;
	char *fixed = NULL;

	while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
		i++;
	if (i == len || text[i] != '{') {
		snprintf(err, errlen, "not a JSON object");
		return -1;
	}
	record_extract_begin(&ex, rec);
	h = yajl_alloc(&text_callbacks, NULL, &ex);
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* yajl would decode a lone surrogate escape to '?' or to bytes that are
	   no UTF-8: it parses a copy where such escapes read \ufffd */
	text = jsonesc_mended(text, len, &fixed);
	st = yajl_parse(h, (const unsigned char *)text, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st != yajl_status_ok) {
		if (st == yajl_status_client_canceled) {
			snprintf(err, errlen, "%s", ex.err);
		} else {
			unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)text, len);
			size_t at = yajl_get_bytes_consumed(h);
			size_t ml = msg ? strcspn((char *)msg, "\n") : 0;

			snprintf(err, errlen, "byte %zu: %.*s", at, (int)ml, msg ? (char *)msg : "");
			if (msg)
				yajl_free_error(h, msg);
		}
		yajl_free(h);
		free(fixed);
		return -1;
	}
	yajl_free(h);
	free(fixed);
	return record_finish(rec, err, errlen);
}
