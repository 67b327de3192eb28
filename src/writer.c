/*
 * writer.c - the store-writing thread; see writer.h.
 */
#include "writer.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "idset.h"
#include "msg.h"
#include "queue.h"
#include "srvindex.h"
#include "store.h"
#include "timeparse.h"
#include "writeback.h"

/* SQLite's page cache during a bulk load (KiB). */
#define BULK_CACHE_KIB "4096"

/* Events per INSERT statement. */
#define BATCH_LEVELS 9                   /* statements for 1, 2, 4, ... 256 events */
#define BATCH_ROWS (1 << (BATCH_LEVELS - 1))

/* Parameters per event in an event_fields INSERT: its columns, time, source, seq. */
#define FIELD_PARAMS (RECORD_COLUMN_COUNT + 3)

enum msg_kind { MSG_BEGIN, MSG_ROWS, MSG_END, MSG_PAGE, MSG_FLUSH, MSG_STOP };

struct msg {
	enum msg_kind kind;
	int lane;             /* the lane it came by (rows go back to its pool) */
	struct source *src;   /* MSG_BEGIN, MSG_END */
	struct rowset *rows;  /* MSG_ROWS */
	struct writer_page *page; /* MSG_PAGE */
};

/*
 * One producer's way to the writer. The writer takes whole units from the
 * lanes in turn (a source from its begin to its end, a page, a flush), so
 * that sources parsed side by side are stored in the order they were handed
 * out; each lane has its own row sets, so a producer that runs ahead waits
 * for its turn without starving the one the writer is waiting for.
 */
struct lane {
	struct queue work;       /* struct msg *, producer to writer */
	struct queue pool;       /* empty struct rowset *, writer to producer */
};

struct writer {
	sqlite3 *db;
	long long run_id;
	pthread_t thread;
	struct lane *lanes;
	int nlanes;
	int pool_size;           /* row sets per lane */
	atomic_int failed;
	atomic_llong inserted;

	/* writer-thread state */
	sqlite3_stmt *insert_fields[BATCH_LEVELS]; /* event_fields: [k] inserts 2^k rows */
	sqlite3_stmt *insert_raw[BATCH_LEVELS];    /* event_raw: likewise */
	sqlite3_stmt *stored_id;     /* is this eventID in the store? (not in bulk mode) */
	sqlite3_stmt *index_server;  /* source_server_events (srvindex.h) */
	sqlite3_stmt *upsert_source;
	sqlite3_stmt *page_source;   /* pages: upsert their sources row (prepared on first use) */
	sqlite3_stmt *page_inserted; /* pages: add to its inserted count */
	int bulk;                /* no unique key in the store: `seen` stands in for it */
	struct idset seen;       /* eventIDs stored by this run */
	const struct row *batch[BATCH_ROWS]; /* new events waiting for a full statement */
	int nbatch;
	long long next_seq;      /* seq of the next event stored */
	long long source_seq;    /* next_seq when the current source began */
	size_t source_ids;       /* idset_mark() when the current source began */
	int in_txn;              /* a BEGIN is open */
	int in_source;           /* a SAVEPOINT is open */
	size_t txn_bytes;        /* raw bytes inserted in this transaction */
	struct writeback wb;     /* bulk: pages go to disk as they are made */
	long source_inserted;
	long long source_id;     /* the current source's sources.source_id */
	struct source *current;
};

/*
 * A file keeps what `verify` proved of it (verified_at, verified_by) only
 * while it reads ok with the same content; the placeholder row written at a
 * source's begin has no content hash and changes neither.
 */
static const char upsert_sql[] =
	"INSERT INTO sources (path, size, mtime_ns, sha256, content_sha256, records, inserted,"
	" status, error, run_id, seen_at, etag)"
	" VALUES (:path, :size, :mtime_ns, :sha256, :content_sha256, :records, :inserted, :status,"
	" :error, :run_id, :seen_at, :etag)"
	" ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,"
	" sha256 = excluded.sha256, records = excluded.records, inserted = excluded.inserted,"
	" status = excluded.status, error = excluded.error, run_id = excluded.run_id,"
	" seen_at = excluded.seen_at, etag = excluded.etag,"
	" content_sha256 = coalesce(excluded.content_sha256, content_sha256),"
	" verified_at = CASE WHEN excluded.content_sha256 IS NULL OR (excluded.status = 'ok'"
	"  AND excluded.content_sha256 = content_sha256) THEN verified_at END,"
	" verified_by = CASE WHEN excluded.content_sha256 IS NULL OR (excluded.status = 'ok'"
	"  AND excluded.content_sha256 = content_sha256) THEN verified_by END"
	" RETURNING source_id";

/* An API page's sources row: created, or its totals grown. */
static const char page_source_sql[] =
	"INSERT INTO sources (path, records, inserted, status, run_id, seen_at)"
	" VALUES (:path, :records, 0, 'ok', :run_id, :seen_at)"
	" ON CONFLICT (path) DO UPDATE SET records = coalesce(records, 0) + excluded.records,"
	" status = 'ok', error = NULL, run_id = excluded.run_id, seen_at = excluded.seen_at"
	" RETURNING source_id";

static const char page_inserted_sql[] =
	"UPDATE sources SET inserted = coalesce(inserted, 0) + :n WHERE source_id = :id";

void source_free(struct source *src)
{
	if (!src)
		return;
	free(src->path);
	free(src->error);
	free(src->shown);
	free(src->etag);
	free(src);
}

static int db_fail(struct writer *w, const char *what)
{
	error("store: %s: %s", what, sqlite3_errmsg(w->db));
	atomic_store(&w->failed, 1);
	return -1;
}

static int exec(struct writer *w, const char *sql)
{
	if (sqlite3_exec(w->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(w, sql);
	return 0;
}

static int commit(struct writer *w)
{
	if (!w->in_txn)
		return 0;
	w->in_txn = 0;
	w->txn_bytes = 0;
	return exec(w, "COMMIT");
}

/*
 * The INSERT statements for n rows: event_fields (the columns of
 * record_columns[], then event_time_ms, source_id, seq) and event_raw (seq,
 * raw), each with n VALUES groups of anonymous parameters.
 */
static sqlite3_stmt *prepare_insert(sqlite3 *db, int raw, int n)
{
	struct buf sql;
	sqlite3_stmt *st;
	int params = raw ? 2 : FIELD_PARAMS;

	buf_init(&sql, 1u << 20);
	if (raw) {
		buf_addstr(&sql, "INSERT INTO event_raw (seq, raw) VALUES ");
	} else {
		buf_addstr(&sql, "INSERT INTO event_fields (");
		for (int f = 0; f < RF_COUNT; f++)
			if (record_columns[f]) {
				buf_addstr(&sql, record_columns[f]);
				buf_addstr(&sql, ", ");
			}
		buf_addstr(&sql, "event_time_ms, source_id, seq) VALUES ");
	}
	for (int i = 0; i < n; i++) {
		buf_addstr(&sql, i ? ", (" : "(");
		for (int c = 0; c < params; c++)
			buf_addstr(&sql, c ? ", ?" : "?");
		buf_addch(&sql, ')');
	}
	buf_addch(&sql, '\0');
	st = store_prepare(db, sql.data);
	buf_release(&sql);
	return st;
}

/* Binds row r's columns to parameters first.. of an event_fields INSERT. */
static void bind_fields(sqlite3_stmt *st, int first, const struct rowset *rs, const struct row *r,
			long long seq, long long source_id)
{
	int col = first;

	for (int f = 0; f < RF_COUNT; f++) {
		if (!record_columns[f])
			continue;
		if (r->len[f] < 0)
			sqlite3_bind_null(st, col);
		else if (f == RF_READ_ONLY || f == RF_MANAGEMENT_EVENT)
			sqlite3_bind_int(st, col, rs->arena.data[r->off[f]] == '1');
		else
			sqlite3_bind_text(st, col, rs->arena.data + r->off[f], r->len[f], SQLITE_STATIC);
		col++;
	}
	sqlite3_bind_int64(st, col++, r->time_ms);
	sqlite3_bind_int64(st, col++, source_id);
	sqlite3_bind_int64(st, col, seq);
}

static int step_done(struct writer *w, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(w, "inserting events");
}

static const char *row_value(const struct rowset *rs, const struct row *r, int f)
{
	return r->len[f] < 0 ? NULL : rs->arena.data + r->off[f];
}

/* Records which source servers the event names (srvindex.h). */
static int index_servers(struct writer *w, const struct rowset *rs, const struct row *r, long long seq)
{
	struct srvindex_event ev;

	if (r->len[RF_SERVER_IDS] < 0)
		return 0;
	ev.seq = seq;
	ev.time_ms = r->time_ms;
	ev.acts = srvindex_acts(row_value(rs, r, RF_EVENT_SOURCE), row_value(rs, r, RF_ERROR_CODE),
				row_value(rs, r, RF_PRINCIPAL_ARN), row_value(rs, r, RF_SESSION_ISSUER_ARN),
				row_value(rs, r, RF_INVOKED_BY), row_value(rs, r, RF_SOURCE_IP));
	if (srvindex_put(w->index_server, &ev, row_value(rs, r, RF_SERVER_IDS), (size_t)r->len[RF_SERVER_IDS]))
		return db_fail(w, "indexing source servers");
	return 0;
}

/* Stores 2^level new events with one statement per table. */
static int insert_group(struct writer *w, const struct rowset *rs, const struct row *const *rows,
			int level)
{
	sqlite3_stmt *fields, *raw;
	int n = 1 << level;
	size_t bytes = 0;

	if (!w->insert_fields[level]) { /* prepared when first needed */
		w->insert_fields[level] = prepare_insert(w->db, 0, n);
		w->insert_raw[level] = prepare_insert(w->db, 1, n);
		if (!w->insert_fields[level] || !w->insert_raw[level])
			return db_fail(w, "preparing an INSERT");
	}
	fields = w->insert_fields[level];
	raw = w->insert_raw[level];

	for (int i = 0; i < n; i++) {
		long long seq = w->next_seq + i;

		bind_fields(fields, i * FIELD_PARAMS + 1, rs, rows[i], seq, w->source_id);
		sqlite3_bind_int64(raw, 2 * i + 1, seq);
		sqlite3_bind_text(raw, 2 * i + 2, rs->arena.data + rows[i]->raw_off,
				  (int)rows[i]->raw_len, SQLITE_STATIC);
		bytes += rows[i]->raw_len;
	}
	if (step_done(w, fields) || step_done(w, raw))
		return -1;
	for (int i = 0; i < n; i++)
		if (index_servers(w, rs, rows[i], w->next_seq + i))
			return -1;
	writeback_note(&w->wb, bytes);
	w->next_seq += n;
	w->source_inserted += n;
	w->txn_bytes += bytes;
	return 0;
}

/*
 * Stores the batched events, as few statements as the binary digits of
 * their number: fewer statements to run, and the generated columns'
 * constant IN lists (schema/001) are built once per statement, not per row.
 */
static int flush_batch(struct writer *w, const struct rowset *rs)
{
	int done = 0;

	for (int level = BATCH_LEVELS - 1; level >= 0; level--)
		if (w->nbatch & (1 << level)) {
			if (insert_group(w, rs, w->batch + done, level))
				return -1;
			done += 1 << level;
		}
	w->nbatch = 0;
	return 0;
}

/* Whether row r is an event not yet stored (1), a repeat (0), or -1 on error. */
static int is_new(struct writer *w, const struct rowset *rs, const struct row *r)
{
	const char *id = rs->arena.data + r->off[RF_EVENT_ID];
	int added = idset_add(&w->seen, id, (size_t)r->len[RF_EVENT_ID]);
	sqlite3_stmt *st = w->stored_id;
	int rc;

	if (added == 0)
		return 0; /* earlier in this run: the first one stays */
	if (w->bulk)
		return 1; /* an ID the set cannot keep is left to the key build's dedupe */
	if (added < 0 && flush_batch(w, rs))
		return -1; /* so that the store holds every earlier event of the run */
	sqlite3_bind_text(st, 1, id, r->len[RF_EVENT_ID], SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(w, "looking up an eventID");
	return rc == SQLITE_DONE;
}

static int insert_rows(struct writer *w, const struct rowset *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		int fresh = is_new(w, rs, &rs->rows[i]);

		if (fresh < 0)
			return -1;
		if (!fresh)
			continue;
		w->batch[w->nbatch++] = &rs->rows[i];
		if (w->nbatch == BATCH_ROWS && flush_batch(w, rs))
			return -1;
	}
	return flush_batch(w, rs); /* the rows live in rs, which goes back to the pool */
}

/*
 * Opens a transaction. Events get their seq from the writer, so that a
 * batch can name it for both tables: one past the highest in the store.
 */
static int begin_txn(struct writer *w)
{
	if (exec(w, "BEGIN IMMEDIATE"))
		return -1;
	w->in_txn = 1;
	w->next_seq = store_int(w->db, "SELECT max(coalesce((SELECT max(seq) FROM event_fields), 0),"
				" coalesce((SELECT max(seq) FROM event_raw), 0)) + 1", -1);
	if (w->next_seq < 1)
		return db_fail(w, "reading the last seq");
	return 0;
}

/*
 * Upserts the sources row of src with the given status; sets w->source_id.
 * The producer owns src until it sends the end of the source.
 */
static int write_source_row(struct writer *w, const struct source *src, enum source_status status,
			    long inserted)
{
	static const char *const status_names[] = { "ok", "skipped", "failed" };
	sqlite3_stmt *st = w->upsert_source;
	char now[32];

	time_now_iso(now);
	store_bind_text(st, ":path", src->path, -1);
	store_bind_known(st, ":size", src->size);
	store_bind_known(st, ":mtime_ns", src->mtime_ns);
	store_bind_text(st, ":sha256", src->sha256[0] ? src->sha256 : NULL, -1);
	store_bind_text(st, ":content_sha256", src->content_sha256[0] ? src->content_sha256 : NULL, -1);
	store_bind_int64(st, ":records", src->records);
	store_bind_int64(st, ":inserted", inserted);
	store_bind_text(st, ":status", status_names[status], -1);
	store_bind_text(st, ":error", src->error, -1);
	store_bind_int64(st, ":run_id", w->run_id);
	store_bind_text(st, ":seen_at", now, -1);
	store_bind_text(st, ":etag", src->etag, -1);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(w, "recording a source");
	}
	w->source_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

static int begin_source(struct writer *w, struct source *src)
{
	/* the row exists before the savepoint, so the rows can name it;
	   a file that fails keeps it, with its final status. Only the path
	   is taken from src: the producer fills in the rest while it reads,
	   and the end of the source writes it all. */
	struct source placeholder = { .path = src->path, .size = -1, .mtime_ns = -1 };

	if (!w->in_txn && begin_txn(w))
		return -1;
	if (write_source_row(w, &placeholder, SOURCE_FAILED, 0) || exec(w, "SAVEPOINT source"))
		return -1;
	w->source_seq = w->next_seq;
	w->source_ids = idset_mark(&w->seen);
	w->in_source = 1;
	w->current = src;
	w->source_inserted = 0;
	return 0;
}

static int end_source(struct writer *w, struct source *src)
{
	if (w->in_source) {
		w->in_source = 0;
		w->current = NULL;
		if (src->status == SOURCE_OK) {
			if (exec(w, "RELEASE source"))
				return -1;
			src->inserted = w->source_inserted;
			atomic_fetch_add(&w->inserted, w->source_inserted);
		} else {
			if (exec(w, "ROLLBACK TO source") || exec(w, "RELEASE source"))
				return -1;
			src->inserted = 0;
			w->next_seq = w->source_seq;
			idset_rollback(&w->seen, w->source_ids);
		}
	} else if (!w->in_txn && begin_txn(w)) {
		return -1;
	}
	if (write_source_row(w, src, src->status, src->inserted))
		return -1;
	if (w->txn_bytes >= WRITER_TXN_BYTES)
		return commit(w);
	return 0;
}

static void page_free(struct writer_page *pg)
{
	if (pg->free_arg)
		pg->free_arg(pg->arg);
	free(pg->path);
	free(pg);
}

static int store_page(struct writer *w, const struct writer_page *pg)
{
	sqlite3_stmt *st;
	char now[32];

	if (w->in_source) {
		error("internal: an API page inside a file source");
		atomic_store(&w->failed, 1);
		return -1;
	}
	if (!w->page_source) {
		w->page_source = store_prepare(w->db, page_source_sql);
		w->page_inserted = store_prepare(w->db, page_inserted_sql);
		if (!w->page_source || !w->page_inserted) {
			atomic_store(&w->failed, 1);
			return -1;
		}
	}
	if (!w->in_txn && begin_txn(w))
		return -1;
	st = w->page_source;
	time_now_iso(now);
	store_bind_text(st, ":path", pg->path, -1);
	store_bind_int64(st, ":records", pg->records);
	store_bind_int64(st, ":run_id", w->run_id);
	store_bind_text(st, ":seen_at", now, -1);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(w, "recording an API source");
	}
	w->source_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	w->source_inserted = 0;
	if (insert_rows(w, pg->rows))
		return -1;
	st = w->page_inserted;
	store_bind_int64(st, ":n", w->source_inserted);
	store_bind_int64(st, ":id", w->source_id);
	if (store_step_done(st)) {
		atomic_store(&w->failed, 1);
		return -1;
	}
	if (pg->hook && pg->hook(w->db, pg->arg)) {
		atomic_store(&w->failed, 1);
		return -1;
	}
	atomic_fetch_add(&w->inserted, w->source_inserted);
	/* pages share a transaction until writer_flush(): one commit per page
	   costs more than the page */
	if (w->txn_bytes >= WRITER_TXN_BYTES)
		return commit(w);
	return 0;
}

/* Handles one message; after a failure only drains, so producers never block. */
static void handle(struct writer *w, struct msg *m)
{
	int ok = !atomic_load(&w->failed);

	switch (m->kind) {
	case MSG_BEGIN:
		if (ok)
			begin_source(w, m->src);
		break;
	case MSG_ROWS:
		if (ok && w->current)
			insert_rows(w, m->rows);
		rowset_reset(m->rows);
		queue_push(&w->lanes[m->lane].pool, m->rows);
		break;
	case MSG_END:
		/* here rather than in the producer: in the order of the run */
		if (m->src->status == SOURCE_FAILED && m->src->shown)
			error("'%s': %s", m->src->shown, m->src->error ? m->src->error : "failed");
		if (ok)
			end_source(w, m->src);
		source_free(m->src);
		break;
	case MSG_PAGE:
		if (ok)
			store_page(w, m->page);
		rowset_reset(m->page->rows);
		queue_push(&w->lanes[m->lane].pool, m->page->rows);
		page_free(m->page);
		break;
	case MSG_FLUSH:
		if (ok && !w->in_source)
			commit(w);
		break;
	case MSG_STOP:
		break;
	}
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	pthread_setname_np(pthread_self(), "trailsift-write");
	for (int lane = 0;;) {
		struct msg *m = queue_pop(&w->lanes[lane].work);
		enum msg_kind kind = m->kind;

		handle(w, m);
		free(m);
		if (kind == MSG_STOP)
			break;
		if (kind == MSG_END || kind == MSG_PAGE || kind == MSG_FLUSH)
			lane = (lane + 1) % w->nlanes; /* the unit is complete */
	}
	if (!atomic_load(&w->failed))
		commit(w);
	else if (w->in_txn)
		sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
	return NULL;
}

struct writer *writer_start(sqlite3 *db, long long run_id, int lanes, int pool, int bulk)
{
	struct writer *w = xcalloc(1, sizeof(*w));

	w->db = db;
	w->bulk = bulk;
	w->wb.fd = -1;
	/* appending needs few pages in memory; a small cache puts the rest in
	   the file early, where writeback.h gets it to disk before the commit */
	if (bulk && (store_exec(db, "PRAGMA cache_size = -" BULK_CACHE_KIB) == 0))
		writeback_open(&w->wb, sqlite3_db_filename(db, "main"));
	idset_init(&w->seen);
	w->run_id = run_id;
	w->pool_size = pool;
	w->nlanes = lanes;
	w->lanes = xcalloc((size_t)lanes, sizeof(*w->lanes));
	for (int l = 0; l < lanes; l++) {
		queue_init(&w->lanes[l].work, (size_t)pool + 64);
		queue_init(&w->lanes[l].pool, (size_t)pool);
		for (int i = 0; i < pool; i++)
			queue_push(&w->lanes[l].pool, rowset_new());
	}
	if (!bulk)
		w->stored_id = store_prepare(db, "SELECT 1 FROM event_fields WHERE event_id = ?1");
	w->upsert_source = store_prepare(db, upsert_sql);
	w->index_server = srvindex_prepare(db);
	if ((!bulk && !w->stored_id) || !w->upsert_source || !w->index_server)
		atomic_store(&w->failed, 1);
	if (pthread_create(&w->thread, NULL, writer_main, w)) {
		error("cannot start the writer thread");
		exit(1);
	}
	return w;
}

static void send(struct writer *w, int lane, enum msg_kind kind, struct source *src,
		 struct rowset *rs, struct writer_page *pg)
{
	struct msg *m = xmalloc(sizeof(*m));

	m->kind = kind;
	m->lane = lane;
	m->src = src;
	m->rows = rs;
	m->page = pg;
	queue_push(&w->lanes[lane].work, m);
}

struct rowset *writer_get_rowset(struct writer *w, int lane)
{
	return queue_pop(&w->lanes[lane].pool);
}

void writer_return_rowset(struct writer *w, int lane, struct rowset *rs)
{
	rowset_reset(rs);
	queue_push(&w->lanes[lane].pool, rs);
}

void writer_begin_source(struct writer *w, int lane, struct source *src)
{
	send(w, lane, MSG_BEGIN, src, NULL, NULL);
}

void writer_put_rows(struct writer *w, int lane, struct rowset *rs)
{
	send(w, lane, MSG_ROWS, NULL, rs, NULL);
}

void writer_end_source(struct writer *w, int lane, struct source *src)
{
	send(w, lane, MSG_END, src, NULL, NULL);
}

void writer_put_page(struct writer *w, struct writer_page *pg)
{
	send(w, 0, MSG_PAGE, NULL, NULL, pg);
}

void writer_flush(struct writer *w)
{
	send(w, 0, MSG_FLUSH, NULL, NULL, NULL);
}

int writer_failed(struct writer *w)
{
	return atomic_load(&w->failed);
}

long long writer_inserted(struct writer *w)
{
	return atomic_load(&w->inserted);
}

int writer_finish(struct writer *w, long long *inserted)
{
	int failed;

	/* the writer stops at the first STOP its turn order meets: after
	   the last unit of every lane */
	for (int l = 0; l < w->nlanes; l++)
		send(w, l, MSG_STOP, NULL, NULL, NULL);
	pthread_join(w->thread, NULL);
	writeback_close(&w->wb);
	if (w->bulk)
		store_exec(w->db, "PRAGMA cache_size = " STORE_CACHE_SIZE);
	for (int level = 0; level < BATCH_LEVELS; level++) {
		sqlite3_finalize(w->insert_fields[level]);
		sqlite3_finalize(w->insert_raw[level]);
	}
	sqlite3_finalize(w->stored_id);
	sqlite3_finalize(w->index_server);
	sqlite3_finalize(w->upsert_source);
	sqlite3_finalize(w->page_source);
	sqlite3_finalize(w->page_inserted);
	for (int l = 0; l < w->nlanes; l++) {
		while (queue_count(&w->lanes[l].work))
			free(queue_pop(&w->lanes[l].work)); /* the STOPs not reached */
		for (int i = 0; i < w->pool_size; i++)
			rowset_free(queue_pop(&w->lanes[l].pool));
		queue_release(&w->lanes[l].work);
		queue_release(&w->lanes[l].pool);
	}
	free(w->lanes);
	idset_release(&w->seen);
	failed = atomic_load(&w->failed);
	if (inserted)
		*inserted = atomic_load(&w->inserted);
	free(w);
	return failed ? -1 : 0;
}
