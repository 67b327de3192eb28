/*
 * findings.h - reading findings back from the store and printing them.
 *
 * `findings` and `audit` print the same rows in the same formats; this is
 * the one place that knows the columns of the JSON Lines form (documented
 * in README.md, a contract for scripts).
 */
#ifndef TRAILSIFT_FINDINGS_H
#define TRAILSIFT_FINDINGS_H

#include <sqlite3.h>

#include "out.h"
#include "rules.h"

struct findings_filter {
	const char *const *rules;   /* rule ids to keep; NULL or empty: all */
	int nrules;
	enum severity min_severity;
	long long since_ms;         /* last event at or after; 0: all */
	long long after_scan;       /* updated by a scan after this one; -1: all */
	long max_printed;           /* print at most this many (still counted); 0: all */
};

/*
 * Prints the matching findings, most severe first, then newest first.
 * Sets *count (if not NULL) and *worst (the highest severity, -1 if none),
 * over all that match, printed or not. Returns 0 or -1 (printed).
 */
int findings_print(sqlite3 *db, const struct findings_filter *flt, enum out_format fmt,
		   long *count, int *worst);

#endif
