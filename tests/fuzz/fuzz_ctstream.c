/*
 * fuzz_ctstream.c - the streaming CloudTrail parser (ctstream.c, record.c)
 * fed in random chunks.
 *
 * Input: one byte seeding the chunk sizes, then the document. The document
 * is parsed twice, whole and in chunks of 1 to 64 bytes, and both parses
 * must agree: the same records (count and a hash of their raw text and
 * columns) and the same outcome, down to the error message. Every raw text
 * must be a JSON object and every record must have what record_finish()
 * promises.
 *
 * One known difference is allowed: yajl places a syntax error at the start
 * of the offending token, or at the chunk's start when the token began in
 * the chunk before, so the byte of an "invalid JSON" error may differ.
 */
#include <string.h>

#include "ctstream.h"
#include "fuzz.h"

/* What a parse reported, reduced to something two parses can compare. */
struct outcome {
	long records;
	unsigned long long hash;  /* FNV-1a over every raw text and column */
	int rc;
	char err[300];
};

static void fnv(unsigned long long *h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		*h = (*h ^ s[i]) * 0x100000001b3ULL;
}

static int on_record(void *ctx, const char *raw, size_t len, const struct record *rec)
{
	struct outcome *o = ctx;

	FUZZ_CHECK(len >= 2 && raw[0] == '{' && raw[len - 1] == '}', "raw text is no object");
	FUZZ_CHECK(record_get(rec, RF_EVENT_ID) != NULL, "a record without eventID");
	FUZZ_CHECK(record_get(rec, RF_EVENT_TIME) != NULL, "a record without eventTime");
	fnv(&o->hash, raw, len);
	for (int f = 0; f < RF_COUNT; f++) {
		const char *v = record_get(rec, (enum record_field)f);

		fnv(&o->hash, v ? v : "\xff", v ? strlen(v) + 1 : 1);
	}
	fnv(&o->hash, &rec->event_time_ms, sizeof(rec->event_time_ms));
	o->records++;
	return 0;
}

/* Parses doc[0..n) in chunks of the sizes seed draws (0: all at once). */
static void parse(const uint8_t *doc, size_t n, unsigned seed, struct outcome *o)
{
	struct ctstream *cs = ctstream_new(on_record, o);
	unsigned x = seed * 2654435761u | 1;
	size_t off = 0;

	memset(o, 0, sizeof(*o));
	o->hash = 0xcbf29ce484222325ULL;
	while (off < n && !o->rc) {
		size_t step = n - off;

		if (seed) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			if (step > x % 64 + 1)
				step = x % 64 + 1;
		}
		o->rc = ctstream_feed(cs, doc + off, step);
		off += step;
	}
	if (!o->rc)
		o->rc = ctstream_finish(cs);
	if (o->rc)
		snprintf(o->err, sizeof(o->err), "%s", ctstream_error(cs));
	o->records = ctstream_records(cs);
	ctstream_free(cs);
}

/* err without the byte offset of a yajl syntax error ("byte N: invalid JSON: ..."). */
static const char *comparable(const char *err)
{
	const char *json = strstr(err, ": invalid JSON: ");

	return !strncmp(err, "byte ", 5) && json ? json : err;
}

/*
 * Whether a and b name the same fault. No byte of a character reaches yajl
 * before the UTF-8 check has seen the character whole, so an invalid-UTF-8
 * error is the same at every chunking.
 */
static int same_fault(const char *a, const char *b)
{
	return !strcmp(comparable(a), comparable(b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome whole, chunked;
	unsigned seed;

	if (size < 1)
		return 0;
	seed = data[0] + 1u;
	parse(data + 1, size - 1, 0, &whole);
	parse(data + 1, size - 1, seed, &chunked);
	FUZZ_CHECK(whole.rc == chunked.rc, "whole: %d '%s', chunked: %d '%s'", whole.rc, whole.err,
		   chunked.rc, chunked.err);
	FUZZ_CHECK(whole.records == chunked.records, "whole: %ld records, chunked: %ld",
		   whole.records, chunked.records);
	FUZZ_CHECK(whole.hash == chunked.hash, "the records differ between whole and chunked");
	FUZZ_CHECK(same_fault(whole.err, chunked.err), "whole: '%s', chunked: '%s'", whole.err,
		   chunked.err);
	FUZZ_CHECK(!whole.rc || whole.err[0], "a failure without a reason");
	return 0;
}
