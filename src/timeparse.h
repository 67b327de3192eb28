/*
 * timeparse.h - CloudTrail timestamps and command-line times.
 *
 * CloudTrail writes eventTime as ISO-8601 UTC ("2026-11-03T06:20:00Z");
 * some exports add fractional seconds or a numeric offset. Users give times
 * as ISO dates or as spans back from now ("90d", "12h", "30m").
 * All times here are integer milliseconds since the Unix epoch, UTC.
 */
#ifndef TRAILSIFT_TIMEPARSE_H
#define TRAILSIFT_TIMEPARSE_H

#include <stddef.h>

/*
 * Parses "YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|-HH:MM|+HHMM]" (a space may
 * stand for the T; no zone means UTC). With allow_date, "YYYY-MM-DD" alone
 * means its midnight UTC. Returns 0 and sets *ms, or -1 if s is not such a
 * time (the whole of s[0..len) must be used).
 */
int time_parse_iso(const char *s, size_t len, int allow_date, long long *ms);

/*
 * Parses a command-line time: an ISO time or date as above, or a span back
 * from now_ms: a number followed by w, d, h, m or s ("90d"). Returns 0 or -1.
 */
int time_parse_arg(const char *s, long long now_ms, long long *ms);

/* Formats ms as "YYYY-MM-DDTHH:MM:SSZ" (".mmmZ" when ms is not whole). */
void time_format_iso(long long ms, char out[32]);

/* The current time, to the second, as "YYYY-MM-DDTHH:MM:SSZ" (for the store's *_at columns). */
void time_now_iso(char out[32]);

/* The current time in epoch milliseconds. */
long long time_now_ms(void);

#endif
