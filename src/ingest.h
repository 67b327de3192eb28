/*
 * ingest.h - loading CloudTrail files into the store.
 *
 * The calling thread walks the paths and hands the files out in turn to
 * parser threads, one per core, which inflate and parse them and pack
 * their records into row sets; a writer thread (writer.h) stores them, in
 * the order the files were handed out, so a run's result does not depend
 * on the threads' timing. Parsing and SQLite work overlap on all cores.
 */
#ifndef TRAILSIFT_INGEST_H
#define TRAILSIFT_INGEST_H

#include <sqlite3.h>

#include "s3plan.h"

struct ingest_totals {
	long files_ok;          /* read and stored */
	long files_unchanged;   /* known by path, size and mtime: not read again */
	long files_skipped;     /* digest, insight and other non-log files */
	long files_failed;      /* bad input: none of their records stored */
	long long records;      /* records read from the files that were ok */
	long long inserted;     /* of which new to the store */
	long prefixes;          /* S3: prefixes listed */
	long long bytes;        /* S3: object bytes received */
};

#define INGEST_MAX_JOBS 64

struct ingest_opts {
	int progress;           /* show a progress line on stderr */
	const char *command;    /* the command line, for ingest_runs */
	int jobs;               /* parser threads; 0: one per core, at most 4 */
};

/*
 * Ingests every path ("-" is stdin) into db. Bad files are reported on
 * stderr, one line each, and counted; the others go on. Returns 0 when the
 * run completed (even with failed files: see t->files_failed) or -1 when
 * the store itself failed.
 */
int ingest_paths(sqlite3 *db, char *const *paths, int n, const struct ingest_opts *o,
		 struct ingest_totals *t);

#define INGEST_S3_MAX_NAMES 64

/* Where `ingest s3://BUCKET[/PREFIX]` reads. */
struct ingest_s3 {
	const char *url;            /* s3://BUCKET[/PREFIX] */
	struct s3_setup setup;      /* credentials, endpoint, CA bundle */
	struct s3plan_opts plan;    /* accounts, regions, times, late window (known: filled here) */
	char *accounts[INGEST_S3_MAX_NAMES]; /* plan.accounts points here */
	char *regions[INGEST_S3_MAX_NAMES];
};

#define INGEST_S3_DEFAULT_JOBS 8

/*
 * Ingests the CloudTrail logs of an S3 bucket, as ingest_paths() does
 * files: the objects are listed as s3plan.h says and o->jobs of them (8 by
 * default) are read at a time, each streamed from S3 into the parser, and
 * stored in listing order. An object already stored with the same ETag is
 * not fetched again. Returns 0 when the run completed (objects may have
 * failed: see t->files_failed), or -1 when the bucket could not be listed
 * or the store failed (printed).
 */
int ingest_s3(sqlite3 *db, const struct ingest_s3 *s, const struct ingest_opts *o,
	      struct ingest_totals *t);

#endif
