/*
 * store.h - opening the SQLite store and the few helpers every user of it
 * shares.
 *
 * The store is one SQLite file. Opening it read-write creates it (mode
 * 0600: CloudTrail records name principals, keys and addresses), applies the
 * schema files that are newer than its PRAGMA user_version, and re-creates
 * any index a killed bulk load left missing. Opening it read-only refuses
 * every statement that could change it, twice over: the connection is
 * SQLITE_OPEN_READONLY and an authorizer admits only reading (sandbox.h).
 * Either way only a trailsift store is opened: another program's database,
 * a file that is none, a directory, or a store of a newer schema is refused
 * unchanged, and a read-only open never creates a file or fills an empty one.
 */
#ifndef TRAILSIFT_STORE_H
#define TRAILSIFT_STORE_H

#include <sqlite3.h>

enum store_mode {
	STORE_READ_ONLY,
	STORE_READ_WRITE,
};

/*
 * Opens the store at path. On success returns 0 and sets *db. On failure
 * prints one error line naming path and returns -1. A read-only open of a
 * store that does not exist fails ("no store at ...").
 */
int store_open(const char *path, enum store_mode mode, sqlite3 **db);

/* Finalizes nothing: callers finalize their statements first. */
void store_close(sqlite3 *db);

/* Runs SQL without results; prints the error and returns -1 on failure. */
int store_exec(sqlite3 *db, const char *sql);

/* Prepares one statement; prints the error and returns NULL on failure. */
sqlite3_stmt *store_prepare(sqlite3 *db, const char *sql);

/*
 * Binds by name (":event_id"); a name the statement lacks is a programming
 * error and aborts loudly. len < 0 means NUL-terminated; NULL binds NULL.
 */
void store_bind_text(sqlite3_stmt *st, const char *name, const char *s, int len);
void store_bind_int64(sqlite3_stmt *st, const char *name, long long v);

/* Binds v, or NULL when it is negative (unknown). */
void store_bind_known(sqlite3_stmt *st, const char *name, long long v);

/* Runs a statement that returns no rows and resets it. 0 or -1 (printed). */
int store_step_done(sqlite3_stmt *st);

/* The schema version this binary brings stores to. */
int store_schema_version(void);

/*
 * Builds the indexes that are missing (002-indexes.sql). When the unique
 * eventID key is missing (a bulk load, or one that was killed), duplicate
 * eventIDs are removed first, keeping the first stored. Returns the number
 * of duplicates removed, or -1 (printed).
 */
long long store_ensure_indexes(sqlite3 *db);

/*
 * Gathers index statistics (a sampled ANALYZE) so that SQLite picks the
 * selective index for the rules' group lookups; with only_if_missing, only
 * when the store has none yet. Returns 0 or -1 (printed).
 */
int store_analyze(sqlite3 *db, int only_if_missing);

/* Drops every index of event_fields, the unique key too (bulk load). */
int store_drop_indexes(sqlite3 *db);

/* Records the start of an ingest or pull run in ingest_runs; returns its run_id or -1. */
long long store_run_start(sqlite3 *db, const char *command);

/* What a run did, for its ingest_runs row (a pull reads no files: zeros). */
struct run_counts {
	long files_ok, files_unchanged, files_skipped, files_failed;
	long long records, inserted;
};

/* Records the end of run run_id with its counts. 0 or -1 (printed). */
int store_run_end(sqlite3 *db, long long run_id, const struct run_counts *c);

/* A single integer from a query of one row and column, or dflt. */
/* The page cache a read-write connection has (PRAGMA cache_size: -KiB). */
#define STORE_CACHE_SIZE "-65536"

long long store_int(sqlite3 *db, const char *sql, long long dflt);

#endif
