/*
 * sandbox.h - what SQL a read-only connection may run, and for how long.
 *
 * `query` runs SQL anyone can write (a shared query file, a pasted
 * one-liner) on a store of attacker-written records. The connection is
 * SQLITE_OPEN_READONLY, and the authorizer installed here admits only
 * reading: no ATTACH, no pragma that sets anything, and only the functions
 * on a known list (core scalar, aggregate, date, JSON, math and window
 * functions), so that fts3_tokenizer() cannot print or plant a function
 * pointer (the first step of published SQLite exploits). sandbox_limit()
 * bounds each statement's time and SQLite's heap, so that a recursive CTE
 * or randomblob(1e9) ends with a message instead of running on.
 */
#ifndef TRAILSIFT_SANDBOX_H
#define TRAILSIFT_SANDBOX_H

#include <sqlite3.h>
#include <time.h>

/* Installs the read-only authorizer on db. */
void sandbox_install(sqlite3 *db);

/*
 * What the authorizer last refused, e.g. "function fts3_tokenizer()" or
 * "PRAGMA journal_mode", or NULL when it refused nothing (or only a
 * statement that writes).
 */
const char *sandbox_refused(void);

/* The bounds of sandbox_limit(); 0 in a field means none. */
struct sandbox_limits {
	long long timeout_s;     /* seconds a statement may run */
	long long max_memory_mib; /* SQLite's heap, all connections of the process */
	struct timespec deadline; /* set by sandbox_limit() */
	int timed_out;            /* set when the deadline stopped a statement */
};

/* The longest value a sandboxed statement may make (SQLITE_LIMIT_LENGTH). */
#define SANDBOX_MAX_VALUE ((int)(128 << 20))

/*
 * Bounds what runs on db from now on: the deadline is timeout_s from now
 * (checked by a progress handler), the heap limit is process-wide
 * (sqlite3_hard_heap_limit64), and no string or blob may pass
 * SANDBOX_MAX_VALUE. lim must outlive db's statements.
 */
void sandbox_limit(sqlite3 *db, struct sandbox_limits *lim);

#endif
