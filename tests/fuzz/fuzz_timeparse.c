/*
 * fuzz_timeparse.c - the time parsers (timeparse.c).
 *
 * Input: one byte of flags, then the text. A time that parses must format
 * (time_format_iso()) to a text that parses back to the same instant, and
 * a date (allow_date) parses as the midnight of the same time with T00:00:00.
 */
#include <string.h>

#include "fuzz.h"
#include "timeparse.h"

/* 9999-12-31T23:59:59.999Z: time_format_iso() writes 4-digit years up to it. */
#define MAX_FORMATTED 253402300799999LL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	int allow_date = fuzz_byte(&in) & 1;
	const char *s = (const char *)in.p;
	long long ms, again, now = 1762000000000LL;
	char iso[32];
	char *z;

	if (!time_parse_iso(s, in.n, allow_date, &ms) && ms >= 0 && ms <= MAX_FORMATTED) {
		time_format_iso(ms, iso);
		FUZZ_CHECK(!time_parse_iso(iso, strlen(iso), 0, &again), "'%s' does not parse", iso);
		FUZZ_CHECK(again == ms, "'%s' is %lld, not %lld", iso, again, ms);
	}
	z = fuzz_strndup(s, in.n);
	if (!time_parse_arg(z, now, &ms) && ms >= 0 && ms <= MAX_FORMATTED) {
		time_format_iso(ms, iso);
		FUZZ_CHECK(!time_parse_iso(iso, strlen(iso), 0, &again) && again == ms,
			   "'%s' does not parse back to %lld", iso, ms);
	}
	free(z);
	return 0;
}
