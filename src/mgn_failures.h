/*
 * mgn_failures.h - how many calls by MGN/DRS principals failed in a window
 * of time, for findings whose severity depends on the replication errors
 * that followed them (rule staging-interference).
 *
 * A throttling burst puts tens of thousands of failures in an hour, and a
 * scan may ask about many windows over them (one per finding), so the
 * failures of an account, region and hour are read from the store once per
 * scan (by the events_error index), kept as sorted times, and every window
 * is counted from those by binary search. The store must not change while
 * a cache is in use: a scan holds its transaction.
 */
#ifndef TRAILSIFT_MGN_FAILURES_H
#define TRAILSIFT_MGN_FAILURES_H

#include <stddef.h>

#include <sqlite3.h>

struct mgn_failures_hour;

/* The hours read so far. Zeroed memory is an empty cache. */
struct mgn_failures {
	struct mgn_failures_hour *v; /* sorted by key */
	size_t n, cap;
	sqlite3_stmt *read;          /* prepared on first use */
};

/*
 * The number of failed calls (dry runs aside) by MGN/DRS principals (mgn.h:
 * mgn_related(), as struct event.related says) in account and region at
 * times in (from_ms, to_ms]. Returns the count, or -1 (printed).
 */
long long mgn_failures_count(struct mgn_failures *c, sqlite3 *db, const char *account, const char *region,
			     long long from_ms, long long to_ms);

/* Frees the cache and its statement; c is then empty. */
void mgn_failures_release(struct mgn_failures *c);

#endif
