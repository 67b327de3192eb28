/*
 * record.h - the columns trailsift extracts from one CloudTrail record.
 *
 * A struct record_extractor receives the JSON events of one record (the
 * object's own start_map through its end_map) and keeps the values of the
 * fields in record_fields[]: eventID, eventTime, userIdentity.arn, ... It
 * never sees the whole record at once, so the file parser can feed it from
 * a stream while it copies the record's raw text, and record_parse_text()
 * can feed it from a string (an API page's CloudTrailEvent). One code path
 * extracts the columns for every input.
 */
#ifndef TRAILSIFT_RECORD_H
#define TRAILSIFT_RECORD_H

#include <stddef.h>

#include "buf.h"

/* The extracted columns, in the order of record_fields[] and the INSERT. */
enum record_field {
	RF_EVENT_ID,
	RF_EVENT_TIME,
	RF_EVENT_SOURCE,
	RF_EVENT_NAME,
	RF_AWS_REGION,
	RF_SOURCE_IP,
	RF_USER_AGENT,
	RF_IDENTITY_TYPE,
	RF_PRINCIPAL_ARN,
	RF_PRINCIPAL_ID,
	RF_ACCOUNT_ID,
	RF_ACCESS_KEY_ID,
	RF_USER_NAME,
	RF_SESSION_ISSUER_ARN,
	RF_INVOKED_BY,
	RF_ERROR_CODE,
	RF_ERROR_MESSAGE,
	RF_READ_ONLY,
	RF_EVENT_TYPE,
	RF_MANAGEMENT_EVENT,
	RF_RECIPIENT_ACCOUNT_ID,
	RF_REQUEST_ID,
	RF_SHARED_EVENT_ID,
	RF_VPC_ENDPOINT_ID,
	RF_EVENT_CATEGORY,
	RF_TLS_VERSION,
	RF_ISSUER_USER_NAME, /* sessionIssuer.userName: user_name's fallback */
	RF_SERVER_IDS,       /* every string that could be a source server id (srvindex.h),
				each NUL-terminated, back to back; len counts the NULs */
	RF_COUNT
};

/* The fields that are store columns: all before the helper fields. */
#define RECORD_COLUMN_COUNT (RF_TLS_VERSION + 1)

/* Column name of each field (NULL for helper fields that are no column). */
extern const char *const record_columns[RF_COUNT];

/* One extracted record. Values live in `values`; a field unset has len -1. */
struct record {
	struct buf values;          /* the field values back to back, NUL after each */
	size_t off[RF_COUNT];       /* where each value starts in values.data */
	long len[RF_COUNT];         /* its length, or -1 when the record lacks it */
	long long event_time_ms;    /* eventTime as epoch ms, set by record_finish() */
	struct buf server_ids;      /* RF_SERVER_IDS while the record is read */
};

/* Internal state of an extraction; callers only allocate it. */
struct record_extractor {
	struct record *rec;         /* where values go */
	int depth;                  /* open containers inside the record, 0 = outside */
	signed char node[130];      /* tracked object at each depth, -1 untracked */
	int pending_field;          /* field the next value fills, -1 none */
	int pending_node;           /* tracked object the next value opens, -1 none */
	char err[160];              /* why extraction failed, when it did */
};

void record_init(struct record *rec);
void record_release(struct record *rec);

/* Value of field f as a NUL-terminated string, or NULL when absent. */
const char *record_get(const struct record *rec, enum record_field f);

/* Starts extracting into rec (which is emptied). */
void record_extract_begin(struct record_extractor *ex, struct record *rec);

/*
 * The JSON events of the record, including its own outer map. Each returns
 * 1 to go on or 0 when the record is malformed (ex->err says why).
 */
int record_on_start_map(struct record_extractor *ex);
int record_on_end_map(struct record_extractor *ex);
int record_on_start_array(struct record_extractor *ex);
int record_on_end_array(struct record_extractor *ex);
int record_on_key(struct record_extractor *ex, const unsigned char *k, size_t len);
int record_on_string(struct record_extractor *ex, const unsigned char *s, size_t len);
int record_on_number(struct record_extractor *ex, const char *s, size_t len);
int record_on_bool(struct record_extractor *ex, int b);
int record_on_null(struct record_extractor *ex);

/*
 * Checks what every record needs (an eventID and a parseable eventTime),
 * fills event_time_ms and the fallbacks (account_id from recipientAccountId,
 * user_name from the session issuer). Returns 0, or -1 with the reason in
 * err (size errlen).
 */
int record_finish(struct record *rec, char *err, size_t errlen);

/*
 * Extracts a record from the JSON text of one record object (as in an API
 * page's CloudTrailEvent) and finishes it. Returns 0, or -1 with the reason
 * in err.
 */
int record_parse_text(struct record *rec, const char *text, size_t len,
		      char *err, size_t errlen);

#endif
