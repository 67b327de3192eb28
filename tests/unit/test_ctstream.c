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
	bad("invalid UTF-8", "[{\"eventID\":\"\xff\xfe\"}]", "byte 13: invalid UTF-8");
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


/* One record of any size, for the tests of long values. */
struct big {
	int n;
	char *raw;
	size_t len;
	char name[64];
};

static int keep_big(void *ctx, const char *raw, size_t len, const struct record *rec)
{
	struct big *b = ctx;
	const char *v = record_get(rec, RF_EVENT_NAME);

	b->n++;
	free(b->raw);
	b->raw = malloc(len + 1);
	memcpy(b->raw, raw, len);
	b->raw[len] = '\0';
	b->len = len;
	snprintf(b->name, sizeof(b->name), "%s", v ? v : "-");
	return 0;
}

/* Parses len bytes of text in chunks of step; returns 0 or -1 with err copied. */
static int parse_big(const char *text, size_t len, size_t step, struct big *b, char *err, size_t errlen)
{
	struct ctstream *cs = ctstream_new(keep_big, b);
	int rc = 0;

	free(b->raw);
	memset(b, 0, sizeof(*b));
	for (size_t off = 0; off < len && !rc; off += step)
		rc = ctstream_feed(cs, text + off, len - off < step ? len - off : step);
	if (!rc)
		rc = ctstream_finish(cs);
	snprintf(err, errlen, "%s", rc ? ctstream_error(cs) : "");
	ctstream_free(cs);
	return rc;
}

/*
 * Fails at every chunk size with "byte <at>: invalid UTF-8", where at is
 * the offset of the first byte of text above 0x7F (the bad character's).
 */
static void bad_utf8(const char *what, const char *text)
{
	char want[64], err[400];
	struct seen s;
	size_t at = 0;
	int bad = 0;

	while ((unsigned char)text[at] < 0x80)
		at++;
	snprintf(want, sizeof(want), "byte %zu: invalid UTF-8", at);
	for (size_t step = 1; step <= strlen(text) && !bad; step++)
		if (parse(text, step, &s, err, sizeof(err)) != -1 || strncmp(err, want, strlen(want))) {
			bad = 1;
			printf("# step %zu: %s\n", step, err);
		}
	UNIT_OK(!bad, "%s fails with \"%s\" at every chunk size", what, want);
}

#define UREC(name) "{\"eventID\":\"u\",\"eventTime\":\"2026-11-03T06:20:00Z\",\"eventName\":\"" name "\"}"

static void utf8(void)
{
	bad_utf8("an overlong 2-byte form (C0 9B)", "{\"Records\":[" UREC("ab\xc0\x9b") "]}");
	bad_utf8("an overlong 2-byte form (C1 BF)", "{\"Records\":[" UREC("\xc1\xbf") "]}");
	bad_utf8("an overlong 3-byte form (E0 80 9B)", "{\"Records\":[" UREC("\xe0\x80\x9b") "]}");
	bad_utf8("an overlong 4-byte form (F0 80 80 80)", "{\"Records\":[" UREC("\xf0\x80\x80\x80") "]}");
	bad_utf8("an encoded surrogate (ED A0 80)", "{\"Records\":[" UREC("x\xed\xa0\x80") "]}");
	bad_utf8("an encoded low surrogate (ED BF BF)", "{\"Records\":[" UREC("\xed\xbf\xbf") "]}");
	bad_utf8("a code point above U+10FFFF (F4 90 80 80)", "{\"Records\":[" UREC("\xf4\x90\x80\x80") "]}");
	bad_utf8("a code point above U+10FFFF (F5 80 80 80)", "{\"Records\":[" UREC("\xf5\x80\x80\x80") "]}");
	bad_utf8("a lone continuation byte", "{\"Records\":[" UREC("\x80") "]}");
	bad_utf8("a character cut short (C3 28)", "{\"Records\":[" UREC("Get\xc3(") "]}");
	bad_utf8("a character cut short by a quote", "{\"Records\":[" UREC("\xe2\x82") "]}");
	bad_utf8("FF", "{\"Records\":[" UREC("\xff") "]}");
	bad_utf8("invalid UTF-8 in the envelope", "{\"Records\":[],\"x\":\"\xc0\x80\"}");
	bad_utf8("invalid UTF-8 in a key", "{\"Records\":[],\"\xed\xa0\x80\":1}");
	bad_utf8("a character cut off by the end of the input", "{\"Records\":[],\"x\":\"\xe2\x82");
	bad_utf8("invalid UTF-8 in a CloudTrailEvent",
		 "{\"Events\":[{\"CloudTrailEvent\":\"{\\\"eventID\\\":\\\"\xc0\xaf\\\"}\"}]}");
	bad("a syntax error before invalid UTF-8 is the error reported",
	    "{\"Records\":[{\"eventID\" \"x\"}],\"y\":\"\xc0\x80\"}", "invalid JSON: parse error");

	/* the boundaries of the valid ranges pass, at every chunk size */
	{
		const char *text = "{\"Records\":[" UREC("\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
						 "\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80") "]}";
		struct seen s;
		char err[400];
		int bad = 0;

		for (size_t step = 1; step <= strlen(text) && !bad; step++)
			if (parse(text, step, &s, err, sizeof(err)) || s.n != 1 ||
			    strncmp(s.raw[0], text + 12, strlen(text) - 14)) {
				bad = 1;
				printf("# step %zu: n=%d err=%s\n", step, s.n, err);
			}
		UNIT_OK(!bad, "U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF pass at every chunk size");
	}
}

/* The eventName of {"Records":[UREC(escaped)]} at every chunk size is want; raw is kept. */
static void surrogate(const char *what, const char *escaped, const char *want)
{
	char text[512], rec[256];
	struct seen s;
	char err[400];
	int bad = 0;

	snprintf(rec, sizeof(rec), "{\"eventID\":\"u\",\"eventTime\":\"2026-11-03T06:20:00Z\",\"eventName\":\"%s\"}", escaped);
	snprintf(text, sizeof(text), "{\"Records\":[%s]}", rec);
	for (size_t step = 1; step <= strlen(text) && !bad; step++) {
		struct big b = { 0, NULL, 0, "" };

		if (parse(text, step, &s, err, sizeof(err)) || s.n != 1 || strcmp(s.raw[0], rec) ||
		    parse_big(text, strlen(text), step, &b, err, sizeof(err)) || strcmp(b.name, want)) {
			bad = 1;
			printf("# step %zu: n=%d err=%s name=%s\n", step, s.n, err, b.name);
		}
		free(b.raw);
	}
	UNIT_OK(!bad, "%s: the column decodes to what it should, raw is as written, at every chunk size", what);
}

static void surrogates(void)
{
	surrogate("a lone high surrogate", "a\\ud800b", "a\xef\xbf\xbd" "b");
	surrogate("a lone high surrogate at the end", "ab\\uD800", "ab\xef\xbf\xbd");
	surrogate("a lone low surrogate", "\\udc00", "\xef\xbf\xbd");
	surrogate("a high surrogate before another escape", "\\ud800\\u0041", "\xef\xbf\xbd" "A");
	surrogate("two high surrogates", "\\ud800\\ud800\\ude00", "\xef\xbf\xbd\xf0\x90\x88\x80");
	surrogate("a high surrogate before an escaped backslash", "\\ud800\\\\udc00", "\xef\xbf\xbd\\udc00");
	surrogate("a pair", "x\\ud83d\\ude00y", "x\xf0\x9f\x98\x80y");
	surrogate("an escaped backslash before text like an escape", "\\\\ud800", "\\ud800");
	surrogate("a low then a high surrogate", "\\udc00\\ud800", "\xef\xbf\xbd\xef\xbf\xbd");

	/* a LookupEvents page: the CloudTrailEvent's own escapes and the record's */
	{
		const char *page = "{\"Events\":[{\"CloudTrailEvent\":\"{\\\"eventID\\\":\\\"i\\ud800\\\","
				   "\\\"eventTime\\\":\\\"2026-11-03T06:20:00Z\\\",\\\"eventName\\\":\\\"n\\\\udc00\\\"}\"}]}";
		struct big b = { 0, NULL, 0, "" };
		char err[400];
		int bad = 0;

		for (size_t step = 1; step <= strlen(page) && !bad; step++) {
			if (parse_big(page, strlen(page), step, &b, err, sizeof(err)) || b.n != 1 ||
			    strcmp(b.name, "n\xef\xbf\xbd") ||
			    strcmp(b.raw, "{\"eventID\":\"i\xef\xbf\xbd\",\"eventTime\":\"2026-11-03T06:20:00Z\","
				   "\"eventName\":\"n\\udc00\"}")) {
				bad = 1;
				printf("# step %zu: err=%s name=%s raw=%s\n", step, err, b.name, b.raw);
			}
		}
		free(b.raw);
		UNIT_OK(!bad, "LookupEvents: lone surrogates in the page and in the record become U+FFFD, at every chunk size");
	}
}

/* text of len bytes: prefix, fill bytes of c, suffix; returned malloc'd. */
static char *filled(const char *prefix, size_t fill, char c, const char *suffix, size_t *len)
{
	size_t a = strlen(prefix), z = strlen(suffix);
	char *t = malloc(a + fill + z + 1);

	memcpy(t, prefix, a);
	memset(t + a, c, fill);
	memcpy(t + a + fill, suffix, z + 1);
	*len = a + fill + z;
	return t;
}

/* prefix, fill bytes of c, suffix, fed step bytes at a time, fails with want. */
static void too_long(const char *what, const char *prefix, size_t fill, char c, const char *suffix,
		     size_t step, const char *want)
{
	struct big b = { 0, NULL, 0, "" };
	char err[400];
	size_t len;
	char *t = filled(prefix, fill, c, suffix, &len);
	int rc = parse_big(t, len, step, &b, err, sizeof(err));

	UNIT_OK(rc == -1 && !strcmp(err, want), "%s fails with its byte, fed %zu bytes at a time (got \"%s\")",
		what, step, err);
	free(t);
	free(b.raw);
}

static void long_tokens(void)
{
	static const size_t steps[] = { 4096, 65536, 65537, 300000, 1u << 20, 40u << 20 };
	char err[400];
	struct big b = { 0, NULL, 0, "" };
	size_t len;
	char *t;
	int bad = 0;

	/* a value longer than a feed slice, inside a record, split anywhere */
	t = filled("{\"Records\":[{\"eventID\":\"l\",\"eventTime\":\"2026-11-03T06:20:00Z\",\"eventName\":\"",
		   300000, 'n', "\",\"n\":1234567890123}]}", &len);
	for (size_t step = 1; step < 4096 && !bad; step = step * 3 + 1)
		if (parse_big(t, len, step, &b, err, sizeof(err)) || b.n != 1 || b.len != len - 14 ||
		    memcmp(b.raw, t + 12, b.len)) {
			bad = 1;
			printf("# step %zu: %s\n", step, err);
		}
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && !bad; i++)
		if (parse_big(t, len, steps[i], &b, err, sizeof(err)) || b.n != 1 || b.len != len - 14 ||
		    memcmp(b.raw, t + 12, b.len))
			bad = 1;
	UNIT_OK(!bad, "a 300 kB value in a record: raw exact at every chunk size");
	free(t);

	/* the longest string allowed passes, one byte more fails, anywhere */
	t = filled("{\"Records\":[],\"x\":\"", CTSTREAM_MAX_TOKEN - 2, 'a', "\"}", &len);
	bad = 0;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && !bad; i++)
		if (parse_big(t, len, steps[i], &b, err, sizeof(err))) {
			bad = 1;
			printf("# step %zu: %s\n", steps[i], err);
		}
	UNIT_OK(!bad, "a string of 32 MiB (with its quotes) after Records passes at every chunk size");
	free(t);
	free(b.raw);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		too_long("a string 1 byte over", "{\"Records\":[],\"x\":\"", CTSTREAM_MAX_TOKEN - 1, 'a',
			 "\"}", steps[i], "byte 18: a JSON string longer than 32 MiB");
	too_long("a 40 MiB number", "{\"Records\":[],\"n\":1", 40u << 20, '0', "}", 65536,
		 "byte 18: a JSON number longer than 32 MiB");
	too_long("a 40 MiB CloudTrailEvent", "{\"Events\":[{\"CloudTrailEvent\":\"", 40u << 20, ' ',
		 "\"}]}", 1u << 20, "byte 30: a JSON string longer than 32 MiB");
	too_long("a 40 MiB string in a record", "{\"Records\":[{\"eventID\":\"", 40u << 20, 'i',
		 "\"}]}", 4096, "byte 23: a JSON string longer than 32 MiB");
}

int main(void)
{
	shapes();
	bom();
	lookup_events();
	errors();
	utf8();
	surrogates();
	long_tokens();
	return unit_exit();
}
