/*
 * lookup.h - CloudTrail LookupEvents on the wire: the request body and the
 * answer.
 *
 * The API is awsJson 1.1: POST / with X-Amz-Target LOOKUP_TARGET and
 * Content-Type LOOKUP_CONTENT_TYPE. StartTime and EndTime are epoch seconds
 * (both inclusive), at most one LookupAttributes entry, MaxResults 1 to 50,
 * and NextToken pages from the newest event to the oldest; it is only good
 * with the same other parameters.
 *
 * The parser is liberal in what it accepts, as AWS's own answers vary:
 * EventTime as a double in exponent form ("1.705316744E9"), as a plain or
 * quoted number; an error's __type with a namespace prefix
 * ("com.amazonaws.cloudtrail.v20131101#InvalidNextTokenException"); an
 * error inside an HTTP 200 envelope ({"Output":{"__type":...},"Version":...}),
 * which is why the body is always checked, not only the status.
 */
#ifndef TRAILSIFT_LOOKUP_H
#define TRAILSIFT_LOOKUP_H

#include <stddef.h>

#include "buf.h"

#define LOOKUP_TARGET "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
#define LOOKUP_CONTENT_TYPE "application/x-amz-json-1.1"
#define LOOKUP_MAX_RESULTS 50
#define LOOKUP_MAX_VALUE 2000

/*
 * The AttributeKey spelling of key (len bytes, any case), e.g. "eventsource"
 * gives "EventSource"; NULL when LookupEvents has no such key.
 */
const char *lookup_attribute_key(const char *key, size_t len);

/* The AttributeKeys, comma-separated, for messages. */
extern const char lookup_attribute_keys[];

struct lookup_query {
	long long start_s;          /* StartTime, epoch seconds, inclusive */
	long long end_s;            /* EndTime, epoch seconds, inclusive */
	const char *attr_key;       /* AttributeKey, or NULL for no LookupAttributes */
	const char *attr_value;     /* its AttributeValue */
	const char *next_token;     /* NULL for the first page */
	int max_results;            /* MaxResults, 1 to 50 */
};

/* Writes q as the JSON request body into b (emptied first). 0, or -1 when too big. */
int lookup_request_body(struct buf *b, const struct lookup_query *q);

struct lookup_event {
	size_t text_off;            /* its CloudTrailEvent string in the page's texts */
	size_t text_len;            /* its length; text_off is meaningless without has_text */
	int has_text;               /* the event had a CloudTrailEvent string */
	double event_time;          /* EventTime, epoch seconds; -1 when absent or unreadable */
	char event_id[80];          /* EventId as given (for messages), "" when absent */
};

/* One parsed answer: a page of events, or an error. */
struct lookup_page {
	struct buf texts;           /* CloudTrailEvent texts, unescaped, each NUL-terminated */
	struct lookup_event *ev;    /* n events of cap */
	size_t n, cap;
	char *next_token;           /* NULL on the last page; owned */
	char error_type[128];       /* __type (also inside an Output envelope), "" when none */
	char error_message[512];    /* its message, "" when none */
	char err[200];              /* why lookup_parse() failed */
};

void lookup_page_init(struct lookup_page *pg);

/* Frees what the page holds; it is empty and usable again. */
void lookup_page_release(struct lookup_page *pg);

/*
 * Parses an answer body (len bytes) into pg, which is emptied first.
 * Returns 0 when the body is a JSON object (a page, or an error: see
 * pg->error_type), or -1 with the reason in pg->err when it is not JSON,
 * or Events is not an array of objects.
 */
int lookup_parse(struct lookup_page *pg, const char *body, size_t len);

/* Event i's CloudTrailEvent text (NUL-terminated), or NULL when it had none. */
const char *lookup_event_text(const struct lookup_page *pg, size_t i);

#endif
