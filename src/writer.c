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
#include "store.h"
#include "timeparse.h"

enum msg_kind { MSG_BEGIN, MSG_ROWS, MSG_END, MSG_PAGE, MSG_FLUSH, MSG_STOP };

struct msg {
	enum msg_kind kind;
	struct source *src;   /* MSG_BEGIN, MSG_END */
	struct rowset *rows;  /* MSG_ROWS */
	struct writer_page *page; /* MSG_PAGE */
};

struct writer {
	sqlite3 *db;
	long long run_id;
	pthread_t thread;
	struct queue work;       /* struct msg *, producer to writer */
	struct queue pool;       /* empty struct rowset *, writer to producer */
	int pool_size;
	atomic_int failed;
	atomic_llong inserted;

	/* writer-thread state */
	sqlite3_stmt *insert_event;
	sqlite3_stmt *insert_raw;
	sqlite3_stmt *upsert_source;
	sqlite3_stmt *page_source;   /* pages: upsert their sources row (prepared on first use) */
	sqlite3_stmt *page_inserted; /* pages: add to its inserted count */
	int bulk;                /* no unique key in the store: `seen` stands in for it */
	struct idset seen;       /* eventIDs stored by this bulk load */
	int in_txn;              /* a BEGIN is open */
	int in_source;           /* a SAVEPOINT is open */
	size_t txn_bytes;        /* raw bytes inserted in this transaction */
	long source_inserted;
	long long source_id;     /* the current source's sources.source_id */
	struct source *current;
};

static const char insert_sql[] =
	"INSERT OR IGNORE INTO event_fields (event_id, event_time, event_source, event_name, aws_region,"
	" source_ip, user_agent, identity_type, principal_arn, principal_id, account_id,"
	" access_key_id, user_name, session_issuer_arn, invoked_by, error_code, error_message,"
	" read_only, event_type, management_event, recipient_account_id, request_id,"
	" shared_event_id, vpc_endpoint_id, event_category, tls_version,"
	" event_time_ms, source_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
	" ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)";

static const char insert_raw_sql[] = "INSERT INTO event_raw (seq, raw) VALUES (?1, ?2)";

static const char upsert_sql[] =
	"INSERT INTO sources (path, size, mtime_ns, sha256, records, inserted, status, error,"
	" run_id, seen_at)"
	" VALUES (:path, :size, :mtime_ns, :sha256, :records, :inserted, :status, :error,"
	" :run_id, :seen_at)"
	" ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,"
	" sha256 = excluded.sha256, records = excluded.records, inserted = excluded.inserted,"
	" status = excluded.status, error = excluded.error, run_id = excluded.run_id,"
	" seen_at = excluded.seen_at"
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

/* Stores one row: its columns, and its raw text when the event is new. */
static int insert_row(struct writer *w, const struct rowset *rs, const struct row *r)
{
	sqlite3_stmt *st = w->insert_event;
	int col = 1;

	if (w->bulk && !idset_add(&w->seen, rs->arena.data + r->off[RF_EVENT_ID],
				  (size_t)r->len[RF_EVENT_ID]))
		return 0; /* stored earlier in this load: the first one stays */
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
	sqlite3_bind_int64(st, col, w->source_id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return db_fail(w, "inserting an event");
	}
	sqlite3_reset(st);
	if (!sqlite3_changes(w->db))
		return 0; /* a duplicate eventID: the first one stays */
	st = w->insert_raw;
	sqlite3_bind_int64(st, 1, sqlite3_last_insert_rowid(w->db));
	sqlite3_bind_text(st, 2, rs->arena.data + r->raw_off, (int)r->raw_len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return db_fail(w, "inserting an event");
	}
	sqlite3_reset(st);
	w->source_inserted++;
	w->txn_bytes += r->raw_len;
	return 0;
}

static int insert_rows(struct writer *w, const struct rowset *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		if (insert_row(w, rs, &rs->rows[i]))
			return -1;
	return 0;
}

/* Binds v, or NULL when it is negative (unknown). */
static void bind_optional(sqlite3_stmt *st, const char *name, long long v)
{
	if (v >= 0)
		store_bind_int64(st, name, v);
	else
		store_bind_text(st, name, NULL, 0);
}

/*
 * Upserts the sources row of src with the given status (the producer owns
 * src->status until it sends the end of the source); sets w->source_id.
 */
static int write_source_row(struct writer *w, const struct source *src, enum source_status status,
			    long inserted)
{
	static const char *const status_names[] = { "ok", "skipped", "failed" };
	sqlite3_stmt *st = w->upsert_source;
	char now[32];

	time_now_iso(now);
	store_bind_text(st, ":path", src->path, -1);
	bind_optional(st, ":size", src->size);
	bind_optional(st, ":mtime_ns", src->mtime_ns);
	store_bind_text(st, ":sha256", src->sha256[0] ? src->sha256 : NULL, -1);
	store_bind_int64(st, ":records", src->records);
	store_bind_int64(st, ":inserted", inserted);
	store_bind_text(st, ":status", status_names[status], -1);
	store_bind_text(st, ":error", src->error, -1);
	store_bind_int64(st, ":run_id", w->run_id);
	store_bind_text(st, ":seen_at", now, -1);
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
	if (!w->in_txn) {
		if (exec(w, "BEGIN IMMEDIATE"))
			return -1;
		w->in_txn = 1;
	}
	/* the row exists before the savepoint, so the rows can name it;
	   a file that fails keeps it, with its final status */
	if (write_source_row(w, src, SOURCE_FAILED, 0) || exec(w, "SAVEPOINT source"))
		return -1;
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
		}
	} else if (!w->in_txn) {
		if (exec(w, "BEGIN IMMEDIATE"))
			return -1;
		w->in_txn = 1;
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
	if (!w->in_txn) {
		if (exec(w, "BEGIN IMMEDIATE"))
			return -1;
		w->in_txn = 1;
	}
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
		queue_push(&w->pool, m->rows);
		break;
	case MSG_END:
		if (ok)
			end_source(w, m->src);
		source_free(m->src);
		break;
	case MSG_PAGE:
		if (ok)
			store_page(w, m->page);
		rowset_reset(m->page->rows);
		queue_push(&w->pool, m->page->rows);
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
	for (;;) {
		struct msg *m = queue_pop(&w->work);
		int stop = m->kind == MSG_STOP;

		handle(w, m);
		free(m);
		if (stop)
			break;
	}
	if (!atomic_load(&w->failed))
		commit(w);
	else if (w->in_txn)
		sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
	return NULL;
}

struct writer *writer_start(sqlite3 *db, long long run_id, int pool, int bulk)
{
	struct writer *w = xcalloc(1, sizeof(*w));

	w->db = db;
	w->bulk = bulk;
	idset_init(&w->seen);
	w->run_id = run_id;
	w->pool_size = pool;
	queue_init(&w->work, (size_t)pool + 64);
	queue_init(&w->pool, (size_t)pool);
	for (int i = 0; i < pool; i++)
		queue_push(&w->pool, rowset_new());
	w->insert_event = store_prepare(db, insert_sql);
	w->insert_raw = store_prepare(db, insert_raw_sql);
	w->upsert_source = store_prepare(db, upsert_sql);
	if (!w->insert_event || !w->insert_raw || !w->upsert_source)
		atomic_store(&w->failed, 1);
	if (pthread_create(&w->thread, NULL, writer_main, w)) {
		error("cannot start the writer thread");
		exit(1);
	}
	return w;
}

static void send(struct writer *w, enum msg_kind kind, struct source *src, struct rowset *rs)
{
	struct msg *m = xmalloc(sizeof(*m));

	m->kind = kind;
	m->src = src;
	m->rows = rs;
	m->page = NULL;
	queue_push(&w->work, m);
}

struct rowset *writer_get_rowset(struct writer *w)
{
	return queue_pop(&w->pool);
}

void writer_return_rowset(struct writer *w, struct rowset *rs)
{
	rowset_reset(rs);
	queue_push(&w->pool, rs);
}

void writer_begin_source(struct writer *w, struct source *src)
{
	send(w, MSG_BEGIN, src, NULL);
}

void writer_put_rows(struct writer *w, struct rowset *rs)
{
	send(w, MSG_ROWS, NULL, rs);
}

void writer_end_source(struct writer *w, struct source *src)
{
	send(w, MSG_END, src, NULL);
}

void writer_put_page(struct writer *w, struct writer_page *pg)
{
	struct msg *m = xmalloc(sizeof(*m));

	m->kind = MSG_PAGE;
	m->src = NULL;
	m->rows = NULL;
	m->page = pg;
	queue_push(&w->work, m);
}

void writer_flush(struct writer *w)
{
	send(w, MSG_FLUSH, NULL, NULL);
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

	send(w, MSG_STOP, NULL, NULL);
	pthread_join(w->thread, NULL);
	sqlite3_finalize(w->insert_event);
	sqlite3_finalize(w->insert_raw);
	sqlite3_finalize(w->upsert_source);
	sqlite3_finalize(w->page_source);
	sqlite3_finalize(w->page_inserted);
	for (int i = 0; i < w->pool_size; i++)
		rowset_free(queue_pop(&w->pool));
	queue_release(&w->work);
	queue_release(&w->pool);
	idset_release(&w->seen);
	failed = atomic_load(&w->failed);
	if (inserted)
		*inserted = atomic_load(&w->inserted);
	free(w);
	return failed ? -1 : 0;
}
