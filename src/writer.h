/*
 * writer.h - the thread that writes parsed events into the store.
 *
 * Producers (file ingest, API pull) describe each input as a source and
 * send, in order: writer_begin_source(), any number of row sets,
 * writer_end_source() with the input's final status. The writer inserts
 * the rows of a source inside a SAVEPOINT, releases it when the source ended
 * ok and rolls it back when it failed, so a bad file leaves none of its
 * records. Several sources share one transaction until it holds about
 * WRITER_TXN_BYTES, and the sources row is written in the same transaction
 * as the events it vouches for: a kill at any moment leaves the store as it
 * was at the last commit, and a re-run reads exactly the uncommitted files
 * again. An eventID already stored, or seen earlier in the run, is skipped:
 * the first copy stays. The writer gives each event its seq and stores new
 * events BATCH_ROWS to a statement.
 */
#ifndef TRAILSIFT_WRITER_H
#define TRAILSIFT_WRITER_H

#include <sqlite3.h>

#include "rowset.h"

#define WRITER_TXN_BYTES (48u << 20)

enum source_status { SOURCE_OK, SOURCE_SKIPPED, SOURCE_FAILED };

/* One input as the sources table records it. */
struct source {
	char *path;               /* the sources key and the rows' origin; owned */
	long long size;           /* bytes as stored, -1 unknown */
	long long mtime_ns;       /* modification time, -1 unknown */
	char sha256[65];          /* hex digest of the stored bytes, "" unknown */
	char content_sha256[65];  /* hex digest of the content (inflated), "" unknown */
	long records;             /* records read */
	long inserted;            /* of which new: set by the writer */
	enum source_status status;
	char *error;              /* why it failed or was skipped; owned, may be NULL */
	char *shown;              /* how the user named it, for the failure message; owned, may be NULL */
	char *etag;               /* an S3 object's ETag; owned, NULL for files */
};

struct writer;

/*
 * Starts the writer thread on db, an open read-write store that the thread
 * owns until writer_finish(). run_id is stamped on the sources rows.
 *
 * Producers reach the writer by `lanes` lanes, numbered from 0, one per
 * producer thread that sends sources. The writer takes whole units from the
 * lanes in turn, lane 0 first: a source (begin, rows, end), a page or a
 * flush. So the producer of lane i sends the units numbered i, i + lanes,
 * i + 2 * lanes, ... of the run, and the store holds them in that order
 * whatever the threads' timing. Each lane has a pool of `pool` row sets.
 * Pages and flushes go by lane 0; pull uses one lane, shared by its threads.
 *
 * With bulk, the store has no unique eventID index (a bulk load builds it
 * at the end) and the writer's set of eventIDs stands in for it (idset.h).
 */
struct writer *writer_start(sqlite3 *db, long long run_id, int lanes, int pool, int bulk);

/* Takes an empty row set from the lane's pool, waiting while all are in use. */
struct rowset *writer_get_rowset(struct writer *w, int lane);

/* Gives back a row set that will not be sent (the producer is done with it). */
void writer_return_rowset(struct writer *w, int lane, struct rowset *rs);

/* Hands a source to the writer; it owns src from here on. */
void writer_begin_source(struct writer *w, int lane, struct source *src);

/* Queues the rows of the lane's current source; rs goes back to the pool. */
void writer_put_rows(struct writer *w, int lane, struct rowset *rs);

/*
 * Ends the lane's current source: src->status (set by the caller before
 * this call) decides release or rollback; a failed source's error is
 * printed then, naming src->shown. For an input that was never begun (a
 * skipped file), call it without writer_begin_source(): it only writes the
 * sources row.
 */
void writer_end_source(struct writer *w, int lane, struct source *src);

/*
 * One page of an API pull, stored whole: its rows, the running totals of
 * the sources row it belongs to, and a hook that writes more in the same
 * transaction (the pull checkpoint). Several producer threads may send
 * pages at once: each page is one message, so their rows never mix.
 */
struct writer_page {
	char *path;               /* its sources row, e.g. "api:cloudtrail:us-east-1:..."; owned */
	struct rowset *rows;      /* from writer_get_rowset(w, 0); goes back to the pool */
	long records;             /* events the page brought: added to sources.records */
	int (*hook)(sqlite3 *db, void *arg); /* runs after the rows, same transaction; 0 or -1; may be NULL */
	void *arg;                /* the hook's argument, freed by free_arg (may be NULL) */
	void (*free_arg)(void *arg);
};

/*
 * Stores a page: creates or updates the sources row pg->path (records and
 * inserted grow, status 'ok'), inserts the rows under it (a duplicate
 * eventID is ignored), then runs pg->hook, all in one transaction, which
 * later pages may share: it is committed by writer_flush(), or when it
 * holds WRITER_TXN_BYTES, or by writer_finish(). A kill leaves each page
 * whole or absent, hook included. A hook failure fails the writer (the
 * transaction rolls back). The writer owns pg from here on. Not for use
 * while a source is open.
 */
void writer_put_page(struct writer *w, struct writer_page *pg);

/*
 * Commits the open transaction of API pages, once the messages sent before
 * are handled. A producer of pages calls it every so often (pull: every
 * 250 ms), which bounds both what a kill loses and how long other writers
 * wait for the store, while pages that come faster share a commit.
 */
void writer_flush(struct writer *w);

/* Whether the writer has failed (a store error); producers should stop. */
int writer_failed(struct writer *w);

/* Totals so far (read by the producer's progress line; approximate). */
long long writer_inserted(struct writer *w);

/*
 * Commits, stops the thread and frees the writer. Returns 0, or -1 if any
 * store error happened (already printed).
 */
int writer_finish(struct writer *w, long long *inserted);

/* Frees a source and what it owns. */
void source_free(struct source *src);

#endif
