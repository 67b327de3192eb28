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

struct ingest_totals {
	long files_ok;          /* read and stored */
	long files_unchanged;   /* known by path, size and mtime: not read again */
	long files_skipped;     /* digest, insight and other non-log files */
	long files_failed;      /* bad input: none of their records stored */
	long long records;      /* records read from the files that were ok */
	long long inserted;     /* of which new to the store */
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

#endif
