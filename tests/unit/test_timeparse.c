/*
 * test_timeparse.c - ISO-8601 and relative time parsing.
 */
#include <string.h>

#include "timeparse.h"
#include "unit.h"

static long long iso(const char *s, int allow_date)
{
	long long ms = -1;

	if (time_parse_iso(s, strlen(s), allow_date, &ms))
		return -999;
	return ms;
}

int main(void)
{
	char out[32];
	long long ms;

	ASSERT_INT_EQ(iso("1970-01-01T00:00:00Z", 0), 0, "epoch");
	ASSERT_INT_EQ(iso("2026-11-03T06:20:00Z", 0), 1793686800000LL, "a CloudTrail eventTime");
	ASSERT_INT_EQ(iso("2026-11-03T06:20:00.123Z", 0), 1793686800123LL, "fractional seconds");
	ASSERT_INT_EQ(iso("2026-11-03T06:20:00.123456Z", 0), 1793686800123LL, "micro seconds cut to ms");
	ASSERT_INT_EQ(iso("2026-11-03T08:20:00+02:00", 0), 1793686800000LL, "a +02:00 offset");
	ASSERT_INT_EQ(iso("2026-11-03T01:20:00-0500", 0), 1793686800000LL, "a -0500 offset");
	ASSERT_INT_EQ(iso("2026-11-03 06:20:00", 0), 1793686800000LL, "space for T, no zone is UTC");
	ASSERT_INT_EQ(iso("2024-02-29T00:00:00Z", 0), 1709164800000LL, "a leap day");
	ASSERT_INT_EQ(iso("2023-02-29T00:00:00Z", 0), -999, "no 29 February in 2023");
	ASSERT_INT_EQ(iso("2026-13-01T00:00:00Z", 0), -999, "month 13");
	ASSERT_INT_EQ(iso("2026-11-03T24:00:00Z", 0), -999, "hour 24");
	ASSERT_INT_EQ(iso("2026-11-03T06:20:00Zjunk", 0), -999, "trailing junk");
	ASSERT_INT_EQ(iso("2026-11-03", 0), -999, "a date alone is no eventTime");
	ASSERT_INT_EQ(iso("2026-11-03", 1), 1793664000000LL, "a date alone as an argument");
	ASSERT_INT_EQ(iso("", 1), -999, "empty");
	ASSERT_INT_EQ(iso("1705316744", 1), -999, "epoch seconds are not ISO");

	UNIT_OK(!time_parse_arg("90d", 100LL * 86400000, &ms) && ms == 10LL * 86400000, "90d back");
	UNIT_OK(!time_parse_arg("12h", 86400000, &ms) && ms == 43200000, "12h back");
	UNIT_OK(!time_parse_arg("30m", 3600000, &ms) && ms == 1800000, "30m back");
	UNIT_OK(!time_parse_arg("1w", 8LL * 86400000, &ms) && ms == 86400000, "1w back");
	UNIT_OK(time_parse_arg("d", 0, &ms), "a unit without a number is refused");
	UNIT_OK(time_parse_arg("5y", 0, &ms), "an unknown unit is refused");
	UNIT_OK(time_parse_arg("-5d", 0, &ms), "a negative span is refused");

	time_format_iso(1793686800000LL, out);
	ASSERT_STR_EQ(out, "2026-11-03T06:20:00Z", "format whole seconds");
	time_format_iso(1793686800123LL, out);
	ASSERT_STR_EQ(out, "2026-11-03T06:20:00.123Z", "format milliseconds");
	time_format_iso(-1, out);
	ASSERT_STR_EQ(out, "1969-12-31T23:59:59.999Z", "format before the epoch");
	for (long long t = -86400000LL * 800; t < 86400000LL * 40000; t += 86400000LL * 7 + 3601001) {
		long long back;

		time_format_iso(t, out);
		if (time_parse_iso(out, strlen(out), 0, &back) || back != t) {
			UNIT_OK(0, "format and parse round-trip at %lld (%s)", t, out);
			break;
		}
	}
	UNIT_OK(1, "format and parse round-trip over 110 years");
	return unit_exit();
}
