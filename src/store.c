/*
 * store.c - opening, creating and migrating the store; see store.h.
 *
 * The page size and journal were chosen by measuring a 1M-event load (see
 * README "Performance"): 16 KiB pages keep a 1.7 KB record per page slot
 * with room, and the rollback journal does not copy pages appended past the
 * old end of the file, which is what a bulk load mostly writes, where WAL
 * writes every page twice.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"
#include "sandbox.h"
#include "schema.h"
#include "srvindex.h"
#include "timeparse.h"

#define BUSY_TIMEOUT_MS 30000

static const char index_names[][24] = {
	"events_event_id", "events_time", "events_source_name", "events_error", "events_principal",
	"events_rule_groups",
};
#define INDEX_COUNT ((long long)(sizeof(index_names) / sizeof(index_names[0])))


int store_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		error("store: %s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *store_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		error("store: %s", sqlite3_errmsg(db));
		return NULL;
	}
	return st;
}

static int param_index(sqlite3_stmt *st, const char *name)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (!i) {
		error("internal: statement has no parameter %s", name);
		abort();
	}
	return i;
}

void store_bind_text(sqlite3_stmt *st, const char *name, const char *s, int len)
{
	int i = param_index(st, name);

	if (s)
		sqlite3_bind_text(st, i, s, len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

void store_bind_int64(sqlite3_stmt *st, const char *name, long long v)
{
	sqlite3_bind_int64(st, param_index(st, name), v);
}

void store_bind_known(sqlite3_stmt *st, const char *name, long long v)
{
	if (v >= 0)
		store_bind_int64(st, name, v);
	else
		store_bind_text(st, name, NULL, 0);
}

int store_step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return error("store: %s", sqlite3_errmsg(sqlite3_db_handle(st)));
	return 0;
}

long long store_int(sqlite3 *db, const char *sql, long long dflt)
{
	sqlite3_stmt *st = NULL;
	long long v = dflt;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Creates the file with mode 0600 before SQLite does (it would use 0644). */
static int create_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		return error("cannot create store '%s': %s", path, strerror(errno));
	}
	close(fd);
	return 0;
}

/* The number a schema file's name starts with: 001-events.sql is 1. */
static int schema_number(const struct schema_file *f)
{
	return (int)strtol(f->name, NULL, 10);
}

int store_schema_version(void)
{
	int v = 0;

	for (int i = 0; schema_files[i].name; i++)
		if (schema_number(&schema_files[i]) > v)
			v = schema_number(&schema_files[i]);
	return v;
}

/*
 * Applies, in order, each schema file numbered above the store's
 * user_version, each in its own transaction that also sets user_version to
 * the file's number.
 */
static int migrate(sqlite3 *db, const char *path)
{
	int have = (int)store_int(db, "PRAGMA user_version", 0);

	for (int i = 0; schema_files[i].name; i++) {
		int v = schema_number(&schema_files[i]);
		char pragma[64];

		if (v <= have)
			continue;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v);
		if (store_exec(db, "BEGIN IMMEDIATE"))
			return -1;
		/* another process may have migrated while we waited for the lock */
		if (store_int(db, "PRAGMA user_version", 0) >= v) {
			if (store_exec(db, "COMMIT"))
				return -1;
			continue;
		}
		if (store_exec(db, schema_files[i].sql) || store_exec(db, pragma) ||
		    (v == 5 && srvindex_backfill(db))) { /* the index of the events stored before it */
			error("store '%s': applying %s failed", path, schema_files[i].name);
			store_exec(db, "ROLLBACK");
			return -1;
		}
		if (store_exec(db, "COMMIT"))
			return -1;
	}
	return 0;
}

/*
 * Removes the later copies of each eventID (a bulk load inserts without the
 * unique key), keeping the first as INSERT OR IGNORE would have, and takes
 * them off their sources' inserted counts. Returns the number removed or -1.
 */
static long long remove_duplicates(sqlite3 *db)
{
	long long n;

	if (store_exec(db, "CREATE TEMP TABLE dup AS SELECT seq, source_id FROM event_fields"
			   " WHERE seq NOT IN (SELECT min(seq) FROM event_fields GROUP BY event_id)"))
		return -1;
	n = store_int(db, "SELECT count(*) FROM temp.dup", 0);
	if (store_exec(db, "UPDATE sources SET inserted = inserted -"
			   " (SELECT count(*) FROM temp.dup AS d WHERE d.source_id = sources.source_id)"
			   " WHERE source_id IN (SELECT source_id FROM temp.dup)") ||
	    store_exec(db, "DELETE FROM event_raw WHERE seq IN (SELECT seq FROM temp.dup)") ||
	    store_exec(db, "DELETE FROM source_server_events WHERE seq IN (SELECT seq FROM temp.dup)") ||
	    store_exec(db, "DELETE FROM event_fields WHERE seq IN (SELECT seq FROM temp.dup)") ||
	    store_exec(db, "DROP TABLE temp.dup"))
		return -1;
	return n;
}

/* Builds the unique key; on duplicates, removes them first. */
static long long build_key(sqlite3 *db)
{
	static const char key_sql[] =
		"CREATE UNIQUE INDEX IF NOT EXISTS events_event_id ON event_fields(event_id)";
	long long removed = 0;

	if (sqlite3_exec(db, key_sql, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	if ((sqlite3_errcode(db) & 0xff) != SQLITE_CONSTRAINT)
		return error("store: %s", sqlite3_errmsg(db));
	if (store_exec(db, "SAVEPOINT dedupe"))
		return -1;
	removed = remove_duplicates(db);
	if (removed < 0 || store_exec(db, key_sql)) {
		store_exec(db, "ROLLBACK TO dedupe");
		store_exec(db, "RELEASE dedupe");
		return -1;
	}
	if (store_exec(db, "RELEASE dedupe"))
		return -1;
	return removed;
}

static long long ensure_indexes(sqlite3 *db)
{
	long long removed = 0;

	if (!store_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'events_event_id'", 1)) {
		removed = build_key(db);
		if (removed < 0)
			return -1;
	}
	for (int i = 0; schema_files[i].name; i++)
		if (!strcmp(schema_files[i].name, "002-indexes.sql") && store_exec(db, schema_files[i].sql))
			return -1;
	return removed;
}

/*
 * Builds the missing indexes with a small page cache. SQLite's sorter sorts
 * runs of at most the cache size in memory and merges them: with a 64 MiB
 * cache a 1M-row index is one long linked-list sort on one core (pointer
 * chasing through 60+ MiB); with 4 MiB the runs fit the CPU caches and the
 * worker threads (PRAGMA threads) sort them while the table is read.
 * Measured on 1M events: the six indexes in 3.5 s instead of 6.7 s.
 */
long long store_ensure_indexes(sqlite3 *db)
{
	long long removed;

	if (store_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
		      " AND tbl_name = 'event_fields'", 0) == INDEX_COUNT)
		return 0;
	if (store_exec(db, "PRAGMA cache_size = -4096"))
		return -1;
	removed = ensure_indexes(db);
	return store_exec(db, "PRAGMA cache_size = " STORE_CACHE_SIZE) ? -1 : removed;
}

int store_analyze(sqlite3 *db, int only_if_missing)
{
	if (only_if_missing &&
	    store_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'", 0) &&
	    store_int(db, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'event_fields'", 0))
		return 0;
	/* a sample of each index is enough for the planner, and takes well under a second */
	return store_exec(db, "PRAGMA analysis_limit = 1000") || store_exec(db, "ANALYZE") ? -1 : 0;
}

int store_drop_indexes(sqlite3 *db)
{
	char sql[200];

	for (long long i = 0; i < INDEX_COUNT; i++) {
		snprintf(sql, sizeof(sql), "DROP INDEX IF EXISTS %s", index_names[i]);
		if (store_exec(db, sql))
			return -1;
	}
	return 0;
}

/*
 * Is the database open on db a trailsift store, and one this binary can
 * read? Another program's SQLite file must never be "migrated" into one, by
 * a reader or a writer, and a store written by a newer trailsift must not be
 * misread. A writer may start a store in an empty database (empty_ok).
 * Returns 0 or -1 (printed).
 */
static int check_store_kind(sqlite3 *db, const char *path, int empty_ok)
{
	long long objects = store_int(db, "SELECT count(*) FROM sqlite_schema", -1);
	long long ours = store_int(db, "SELECT count(*) FROM sqlite_schema WHERE name IN"
				   " ('event_fields', 'event_raw', 'sources', 'events')", 0);
	int v = (int)store_int(db, "PRAGMA user_version", -1);

	if (objects < 0 || v < 0)
		return error("'%s' is not a trailsift store: %s", path, sqlite3_errmsg(db));
	if (objects == 0 && v == 0) {
		if (empty_ok)
			return 0;
		return error("'%s' is not a trailsift store: it is empty (run 'trailsift ingest' first)", path);
	}
	if (v < 1 || ours != 4)
		return error("'%s' is not a trailsift store (an SQLite database of another program?);"
			     " left unchanged", path);
	if (v > store_schema_version())
		return error("store '%s' has schema version %d; this trailsift knows up to %d "
			     "(upgrade trailsift)", path, v, store_schema_version());
	return 0;
}

/*
 * Is there something at path that can be a store? A read needs a file (no
 * store is created for it); a write may create one. A directory or a device
 * is named as what it is, rather than as SQLite's "disk I/O error".
 */
static int check_store_path(const char *path, enum store_mode mode)
{
	struct stat st;

	if (stat(path, &st)) {
		if (errno == ENOENT && mode == STORE_READ_WRITE)
			return 0;
		if (errno == ENOENT)
			return error("no store at '%s' (run 'trailsift ingest' first)", path);
		return error("cannot open store '%s': %s", path, strerror(errno));
	}
	if (S_ISDIR(st.st_mode))
		return error("'%s' is a directory, not a store (--db names the store's file)", path);
	if (!S_ISREG(st.st_mode))
		return error("'%s' is not a regular file, so not a store", path);
	return 0;
}

/*
 * Readies a store for a read-only connection, which can neither roll back
 * the journal a killed writer left ("hot journal") nor migrate an older
 * schema: a brief read-write connection does the first, a full read-write
 * open the second. Returns 0 or -1 (printed).
 */
static int prepare_for_reading(const char *path)
{
	sqlite3 *probe = NULL;
	int v = -1, rc;

	rc = sqlite3_open_v2(path, &probe, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(probe, BUSY_TIMEOUT_MS);
		sqlite3_extended_result_codes(probe, 1);
		v = (int)store_int(probe, "PRAGMA user_version", -1);
		rc = sqlite3_errcode(probe);
	}
	if (rc == SQLITE_READONLY_ROLLBACK) {
		/* reading sqlite_schema on a writable connection rolls the journal back */
		sqlite3_close(probe);
		probe = NULL;
		if (sqlite3_open_v2(path, &probe, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
			sqlite3_close(probe);
			return error("store '%s' needs recovery and is not writable here", path);
		}
		sqlite3_busy_timeout(probe, BUSY_TIMEOUT_MS);
		v = (int)store_int(probe, "PRAGMA user_version", -1);
	}
	rc = check_store_kind(probe, path, 0);
	sqlite3_close(probe);
	if (rc)
		return -1;
	if (v < store_schema_version()) { /* an older trailsift store: brought up to date */
		sqlite3 *rw = NULL;

		if (store_open(path, STORE_READ_WRITE, &rw))
			return -1;
		store_close(rw);
	}
	return 0;
}

static int open_read_only(const char *path, sqlite3 **db)
{
	int rc;

	if (check_store_path(path, STORE_READ_ONLY) || prepare_for_reading(path))
		return -1;
	rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		error("cannot open store '%s': %s", path, *db ? sqlite3_errmsg(*db) : "out of memory");
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	sqlite3_busy_timeout(*db, BUSY_TIMEOUT_MS);
	sandbox_install(*db);
	return 0;
}

static int open_read_write(const char *path, sqlite3 **db)
{
	int rc;

	if (check_store_path(path, STORE_READ_WRITE) || create_private(path))
		return -1;
	/* one connection per thread: SQLite's own locking is not needed */
	rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		error("cannot open store '%s': %s", path, *db ? sqlite3_errmsg(*db) : "out of memory");
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	sqlite3_busy_timeout(*db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(*db, 1);
	if (check_store_kind(*db, path, 1) ||
	    store_exec(*db, "PRAGMA page_size = 16384") ||
	    store_exec(*db, "PRAGMA journal_mode = DELETE") ||
	    store_exec(*db, "PRAGMA synchronous = NORMAL") ||
	    store_exec(*db, "PRAGMA cache_size = " STORE_CACHE_SIZE) ||
	    store_exec(*db, "PRAGMA threads = 2") || /* index builds sort on both cores */
	    migrate(*db, path) || store_ensure_indexes(*db) < 0) {
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	return 0;
}

int store_open(const char *path, enum store_mode mode, sqlite3 **db)
{
	*db = NULL;
	return mode == STORE_READ_ONLY ? open_read_only(path, db) : open_read_write(path, db);
}

void store_close(sqlite3 *db)
{
	if (db && sqlite3_close(db) != SQLITE_OK)
		error("store: closing: %s", sqlite3_errmsg(db));
}

long long store_run_start(sqlite3 *db, const char *command)
{
	sqlite3_stmt *st = store_prepare(db,
		"INSERT INTO ingest_runs (started_at, command) VALUES (:started_at, :command)");
	char now[32];

	if (!st)
		return -1;
	time_now_iso(now);
	store_bind_text(st, ":started_at", now, -1);
	store_bind_text(st, ":command", command, -1);
	if (store_step_done(st)) {
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return sqlite3_last_insert_rowid(db);
}

int store_run_end(sqlite3 *db, long long run_id, const struct run_counts *c)
{
	sqlite3_stmt *st = store_prepare(db,
		"UPDATE ingest_runs SET ended_at = :ended_at, files_ok = :ok,"
		" files_unchanged = :unchanged, files_skipped = :skipped, files_failed = :failed,"
		" records = :records, inserted = :inserted WHERE run_id = :run_id");
	char now[32];
	int rc;

	if (!st)
		return -1;
	time_now_iso(now);
	store_bind_text(st, ":ended_at", now, -1);
	store_bind_int64(st, ":ok", c->files_ok);
	store_bind_int64(st, ":unchanged", c->files_unchanged);
	store_bind_int64(st, ":skipped", c->files_skipped);
	store_bind_int64(st, ":failed", c->files_failed);
	store_bind_int64(st, ":records", c->records);
	store_bind_int64(st, ":inserted", c->inserted);
	store_bind_int64(st, ":run_id", run_id);
	rc = store_step_done(st);
	sqlite3_finalize(st);
	return rc;
}
