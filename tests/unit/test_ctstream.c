/*
 * test_ctstream.c - the streaming parser: every input shape, split at every
 * byte, keeps each record's raw text exactly and extracts its columns; bad
 * input fails with the record and byte named.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctstream.h"
#include "unit.h"

struct seen {
	int n;
	char raw[8][2048];
	char id[8][64];
	char principal[8][256];
	char account[8][32];
	char user[8][64];
	char read_only[8][4];
	long long ms[8];
};

static int collect(void *ctx, const char *raw, size_t len, const struct record *rec)
{
	struct seen *s = ctx;
	const char *v;

	if (s->n == 8 || len >= sizeof(s->raw[0]))
		return -1;
	memcpy(s->raw[s->n], raw, len);
	s->raw[s->n][len] = '\0';
	snprintf(s->id[s->n], sizeof(s->id[0]), "%s", record_get(rec, RF_EVENT_ID));
	v = record_get(rec, RF_PRINCIPAL_ARN);
	snprintf(s->principal[s->n], sizeof(s->principal[0]), "%s", v ? v : "-");
	v = record_get(rec, RF_ACCOUNT_ID);
	snprintf(s->account[s->n], sizeof(s->account[0]), "%s", v ? v : "-");
	v = record_get(rec, RF_USER_NAME);
	snprintf(s->user[s->n], sizeof(s->user[0]), "%s", v ? v : "-");
	v = record_get(rec, RF_READ_ONLY);
	snprintf(s->read_only[s->n], sizeof(s->read_only[0]), "%s", v ? v : "-");
	s->ms[s->n] = rec->event_time_ms;
	s->n++;
	return 0;
}

/* Parses text in chunks of `step` bytes; returns 0 or -1 with err copied. */
static int parse(const char *text, size_t step, struct seen *s, char *err, size_t errlen)
{
	struct ctstream *cs = ctstream_new(collect, s);
	size_t len = strlen(text);
	int rc = 0;

	memset(s, 0, sizeof(*s));
	for (size_t off = 0; off < len && !rc; off += step) {
		size_t n = len - off < step ? len - off : step;

		rc = ctstream_feed(cs, text + off, n);
	}
	if (!rc)
		rc = ctstream_finish(cs);
	snprintf(err, errlen, "%s", rc ? ctstream_error(cs) : "");
	ctstream_free(cs);
	return rc;
}

#define REC1 "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"AssumedRole\"," \
	"\"arn\":\"arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForApplicationMigrationService/s1\"," \
	"\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"arn\":\"arn:aws:iam::111122223333:role/x\"," \
	"\"userName\":\"AWSServiceRoleForApplicationMigrationService\"}},\"invokedBy\":\"mgn.amazonaws.com\"}," \
	"\"eventTime\":\"2026-11-03T06:20:00Z\",\"eventSource\":\"ec2.amazonaws.com\",\"eventName\":\"CreateSnapshot\"," \
	"\"readOnly\":false,\"requestParameters\":{\"n\":12345678901234567890123,\"f\":1.5E-300," \
	"\"s\":\"\\u0000\\\"\\\\\\n\\u00e9\\ud83d\\ude00\",\"deep\":[[[{\"eventID\":\"decoy\"}]]]}," \
	"\"recipientAccountId\":\"111122223333\",\"eventID\":\"id-1\"}"
#define REC2 "{ \"eventID\" : \"id-2\", \"eventTime\" : \"2026-11-03T06:20:01Z\", \"readOnly\": true,\n" \
	"  \"userIdentity\": {\"type\": \"IAMUser\", \"accountId\": \"444455556666\", \"userName\": \"alice\"} }"

static void shapes(void)
{
	static const char *const inputs[] = {
		"{\"Records\":[" REC1 "," REC2 "]}",
		"[" REC1 ",\n" REC2 "]",
		REC1 "\n" REC2 "\n",
		"  {\"NextToken\":\"abc\",\"Records\" : [ " REC1 " , " REC2 " ] }  ",
	};
	static const char *const names[] = { "Records envelope", "bare array", "JSON Lines",
					     "envelope with a leading key" };
	struct seen s;
	char err[400];

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		int bad = 0;

		for (size_t step = 1; step <= strlen(inputs[i]) && !bad; step += step < 40 ? 1 : 97) {
			if (parse(inputs[i], step, &s, err, sizeof(err)) || s.n != 2 ||
			    strcmp(s.raw[0], REC1) || strcmp(s.raw[1], REC2 + 0) ||
			    strcmp(s.id[0], "id-1") || strcmp(s.id[1], "id-2")) {
				bad = 1;
				printf("# %s at step %zu: n=%d err=%s\n", names[i], step, s.n, err);
			}
		}
		UNIT_OK(!bad, "%s: both records, raw text exact, at every chunk size", names[i]);
	}
	parse(inputs[0], 7, &s, err, sizeof(err));
	ASSERT_STR_EQ(s.principal[0],
		      "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForApplicationMigrationService/s1",
		      "principal_arn from userIdentity.arn");
	ASSERT_STR_EQ(s.account[0], "111122223333", "account_id falls back to recipientAccountId");
	ASSERT_STR_EQ(s.user[0], "AWSServiceRoleForApplicationMigrationService",
		      "user_name falls back to the session issuer's role name");
	ASSERT_STR_EQ(s.read_only[0], "0", "readOnly false is 0");
	ASSERT_STR_EQ(s.read_only[1], "1", "readOnly true is 1");
	ASSERT_STR_EQ(s.account[1], "444455556666", "account_id from userIdentity.accountId");
	ASSERT_STR_EQ(s.user[1], "alice", "user_name from userIdentity.userName");
	ASSERT_INT_EQ(s.ms[1], 1793686801000LL, "event_time_ms");
}

static void bom(void)
{
	const char *text = "\xef\xbb\xbf{\"Records\":[" REC2 "]}";
	struct seen s;
	char err[400];
	int bad = 0;

	for (size_t step = 1; step <= strlen(text) && !bad; step++)
		if (parse(text, step, &s, err, sizeof(err)) || s.n != 1 || strcmp(s.raw[0], REC2))
			bad = 1;
	UNIT_OK(!bad, "a leading UTF-8 byte-order mark is skipped, at every chunk size");
	UNIT_OK(parse("{\"Records\":[]}\xef\xbb\xbf", 4, &s, err, sizeof(err)) == -1,
		"a byte-order mark anywhere else is an error");
}

static void lookup_events(void)
{
	const char *page =
		"{\"Events\":[{\"EventId\":\"id-9\",\"EventTime\":1.7936868E9,\"Resources\":[{\"x\":1}],"
		"\"CloudTrailEvent\":\"{\\\"eventID\\\":\\\"id-9\\\",\\\"eventTime\\\":\\\"2026-11-03T06:20:00Z\\\","
		"\\\"userIdentity\\\":{\\\"arn\\\":\\\"arn:x\\\"},\\\"s\\\":\\\"\\\\u00e9\\\"}\"}],\"NextToken\":\"t\"}";
	struct seen s;
	char err[400];
	int bad = 0;

	for (size_t step = 1; step < strlen(page) && !bad; step++)
		if (parse(page, step, &s, err, sizeof(err)) || s.n != 1)
			bad = 1;
	UNIT_OK(!bad, "LookupEvents page: one record at every chunk size");
	ASSERT_STR_EQ(s.raw[0],
		      "{\"eventID\":\"id-9\",\"eventTime\":\"2026-11-03T06:20:00Z\",\"userIdentity\":{\"arn\":\"arn:x\"},\"s\":\"\\u00e9\"}",
		      "raw is the CloudTrailEvent string, escapes kept");
	ASSERT_STR_EQ(s.principal[0], "arn:x", "columns extracted from CloudTrailEvent");
}

/* Checks that text fails and that the message contains want. */
static void bad(const char *what, const char *text, const char *want)
{
	struct seen s;
	char err[400];
	int rc = parse(text, 3, &s, err, sizeof(err));

	UNIT_OK(rc == -1 && strstr(err, want), "%s fails with \"%s\" (got \"%s\")", what, want, err);
}

static void errors(void)
{
	char deep[400];
	size_t i;

	bad("empty input", "", "empty input");
	bad("whitespace only", "  \n ", "empty input");
	bad("a syntax error", "{\"Records\":[{\"eventID\":\"a\",]}", "byte 28: invalid JSON");
	bad("truncated JSON", "{\"Records\":[{\"eventID\":\"a\"", "truncated JSON");
	bad("a record without eventID", "{\"Records\":[" REC2 ",{\"eventTime\":\"2026-11-03T06:20:00Z\"}]}",
	    "record 2 (byte");
	bad("a record without eventID names it", "[{\"eventTime\":\"2026-11-03T06:20:00Z\"}]", "no eventID");
	bad("a record without eventTime", "[{\"eventID\":\"x\"}]", "record 1 (byte 1): no eventTime");
	bad("a bad eventTime", "[{\"eventID\":\"x\",\"eventTime\":\"yesterday\"}]", "not an ISO-8601 time");
	bad("a numeric eventID", "[{\"eventID\":5,\"eventTime\":\"2026-11-03T06:20:00Z\"}]",
	    "'eventID' is a number");
	bad("an object eventName", "[{\"eventID\":\"x\",\"eventName\":{}}]", "'eventName' is an object");
	bad("a record that is not an object", "{\"Records\":[1]}", "record 1 (byte 13): not an object");
	bad("Records not an array", "{\"Records\":{}}", "'Records' is not an array");
	bad("a top-level string", "\"hello\"", "the top-level value is a string");
	bad("an object that is no record", "{\"digestStartTime\":\"x\"}", "not a CloudTrail log");
	bad("invalid UTF-8", "[{\"eventID\":\"\xff\xfe\"}]", "invalid JSON");
	bad("a LookupEvents entry without CloudTrailEvent", "{\"Events\":[{\"EventId\":\"x\"}]}",
	    "no CloudTrailEvent");
	bad("a CloudTrailEvent that is no record", "{\"Events\":[{\"CloudTrailEvent\":\"[1]\"}]}",
	    "CloudTrailEvent: not a JSON object");
	memcpy(deep, "[{\"a\":", 6);
	for (i = 6; i < 156; i++)
		deep[i] = '[';
	deep[i] = '\0';
	bad("nesting deeper than the limit", deep, "nesting deeper than 100");
}

int main(void)
{
	shapes();
	bom();
	lookup_events();
	errors();
	return unit_exit();
}
