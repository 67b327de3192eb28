/*
 * verify.h - checking the store against the trail's digest files.
 *
 * For each account, region and trail, the digest files are put in time
 * order and checked as AWS's own validator does: each digest's SHA-256
 * against the one the next digest names (a digest missing from the chain,
 * or altered, is a break; a digest that starts a new chain says logging
 * stopped and started again), its signature when it is known, and every log
 * file it lists against the store: present, read whole, and with the
 * uncompressed SHA-256 the digest names. Log files in the store that no
 * digest of their hours lists are reported too. What a digest vouches for
 * is recorded in sources (verified_at, verified_by).
 */
#ifndef TRAILSIFT_VERIFY_H
#define TRAILSIFT_VERIFY_H

#include <sqlite3.h>

struct verify_opts {
	const char *source;       /* s3://BUCKET[/PREFIX], or DIR: a local copy of (part of) it */
	long long since_ms;       /* digests ending at or after this; -1 for all */
	long long until_ms;       /* digests ending at or before this; -1 for all */
	int json;                 /* --format json */
	int check_signatures;     /* DIR: fetch public keys and check the signatures known (s3: always) */
	const char *profile;      /* for ListPublicKeys: --profile, or NULL */
	const char *endpoint_url; /* --endpoint-url, or NULL */
	const char *ca_bundle;    /* --ca-bundle, or NULL */
};

/*
 * Verifies, prints the result on stdout and records it in db (a read-write
 * store). Returns the exit status: 0 when everything checkable verified,
 * 1 when something failed verification (or could not be read).
 */
int verify_run(sqlite3 *db, const struct verify_opts *o);

/* How much of the store a digest vouches for, for stats and the report. */
struct verify_summary {
	long long events;         /* events in the store */
	long long verified;       /* of which stored from files a digest vouches for */
	char first[32], last[32]; /* the verified events' eventTime span, "" when none */
};

/* Fills *s. 0, or -1 when the store cannot say (it predates verify). Prints nothing. */
int verify_summary(sqlite3 *db, struct verify_summary *s);

#endif
