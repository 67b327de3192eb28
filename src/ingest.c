/*
 * ingest.c - the parsing side of file ingest; see ingest.h.
 */
#include "ingest.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctstream.h"
#include "input.h"
#include "msg.h"
#include "store.h"
#include "timeparse.h"
#include "walk.h"
#include "writer.h"

#define READ_CHUNK (256u << 10)
#define ROWSET_POOL 6

/* A file the store has read before, for skip-if-unchanged. */
struct known {
	char *path;
	long long size, mtime_ns;
};

struct ingest {
	sqlite3 *db;
	struct writer *w;
	struct rowset *rs;          /* the set being filled */
	struct ingest_totals *t;
	const struct ingest_opts *o;
	struct known *known;        /* sorted by path */
	size_t n_known;
	unsigned char *chunk;       /* READ_CHUNK bytes */
	long long last_progress_ms;
	int stop;                   /* the writer failed */
};

static int cmp_known(const void *a, const void *b)
{
	return strcmp(((const struct known *)a)->path, ((const struct known *)b)->path);
}

/* Loads the files already read, ok or skipped, that need no second look. */
static int load_known(struct ingest *ig)
{
	sqlite3_stmt *st = store_prepare(ig->db,
		"SELECT path, size, mtime_ns FROM sources WHERE status <> 'failed'"
		" AND size IS NOT NULL AND mtime_ns IS NOT NULL");
	size_t cap = 0;

	if (!st)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (ig->n_known == cap) {
			cap = cap ? cap * 2 : 1024;
			ig->known = xrealloc(ig->known, cap * sizeof(*ig->known));
		}
		ig->known[ig->n_known].path = xstrdup((const char *)sqlite3_column_text(st, 0));
		ig->known[ig->n_known].size = sqlite3_column_int64(st, 1);
		ig->known[ig->n_known].mtime_ns = sqlite3_column_int64(st, 2);
		ig->n_known++;
	}
	sqlite3_finalize(st);
	if (ig->n_known)
		qsort(ig->known, ig->n_known, sizeof(*ig->known), cmp_known);
	return 0;
}

static int is_unchanged(const struct ingest *ig, const char *abs, const struct stat *st)
{
	struct known key = { (char *)abs, 0, 0 };
	const struct known *k;

	if (!ig->n_known)
		return 0;
	k = bsearch(&key, ig->known, ig->n_known, sizeof(key), cmp_known);

	return k && k->size == (long long)st->st_size &&
	       k->mtime_ns == (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

static void progress(struct ingest *ig, int force)
{
	long long now = time_now_ms();

	if (!ig->o->progress || (!force && now - ig->last_progress_ms < 250))
		return;
	ig->last_progress_ms = now;
	fprintf(stderr, "\r\033[Kingest: %ld files, %lld records, %.1f MB parsed",
		ig->t->files_ok + ig->t->files_failed, ig->t->records,
		(double)ig->t->json_bytes / 1e6);
	fflush(stderr);
	msg_progress_shown = 1;
}

/*
 * The absolute form of path, which keys the sources table. A file is
 * resolved (through links) to what was read; a path that cannot be read (a
 * dangling link, a loop) keeps its own last component, so the row names the
 * link at fault rather than its target.
 */
static void absolute_path(const char *path, int resolve_last, char out[PATH_MAX])
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (resolve_last && realpath(path, out))
		return;
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (!dir[0] || !realpath(dir, out) ||
	    snprintf(dir, sizeof(dir), "%s/%s", out, slash ? slash + 1 : path) >= (int)sizeof(dir))
		snprintf(dir, sizeof(dir), "%s", path);
	memcpy(out, dir, PATH_MAX);
}

static struct source *new_source(const char *abs, const struct stat *st)
{
	struct source *src = xcalloc(1, sizeof(*src));

	src->path = xstrdup(abs);
	src->size = st ? (long long)st->st_size : -1;
	src->mtime_ns = st ? (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec : -1;
	return src;
}

static int emit(void *ctx, const char *raw, size_t len, const struct record *rec)
{
	struct ingest *ig = ctx;

	if (rowset_add(ig->rs, raw, len, rec))
		return -1;
	if (rowset_full(ig->rs)) {
		writer_put_rows(ig->w, ig->rs);
		ig->rs = writer_get_rowset(ig->w);
		progress(ig, 0);
		if (writer_failed(ig->w))
			return -1;
	}
	return 0;
}

/* Reads and parses one input into the writer. Returns 0, or -1 with err set. */
static int parse_input(struct ingest *ig, const char *path, struct source *src, char *err,
		       size_t errlen)
{
	struct input *in = input_open(path, err, errlen);
	struct ctstream *cs;
	int rc = 0;

	if (!in)
		return -1;
	cs = ctstream_new(emit, ig);
	for (;;) {
		ssize_t n = input_read(in, ig->chunk, READ_CHUNK, err, errlen);

		if (n < 0) {
			rc = -1;
			break;
		}
		if (n == 0) {
			if (ctstream_finish(cs)) {
				snprintf(err, errlen, "%s", ctstream_error(cs));
				rc = -1;
			}
			break;
		}
		ig->t->json_bytes += n;
		if (ctstream_feed(cs, ig->chunk, (size_t)n)) {
			snprintf(err, errlen, "%s", ctstream_error(cs));
			rc = -1;
			break;
		}
	}
	if (rc == 0 && input_stored_bytes(in) == 0) {
		snprintf(err, errlen, "empty file");
		rc = -1;
	}
	src->records = ctstream_records(cs);
	input_sha256(in, src->sha256);
	if (src->size < 0 || !strcmp(path, "-"))
		src->size = (long long)input_stored_bytes(in);
	ctstream_free(cs);
	input_close(in);
	return rc;
}

static void skip_file(struct ingest *ig, const char *abs, const struct stat *st, const char *why)
{
	struct source *src = new_source(abs, st);

	src->status = SOURCE_SKIPPED;
	src->error = xstrdup(why);
	ig->t->files_skipped++;
	writer_end_source(ig->w, src);
}

static void fail_file(struct ingest *ig, const char *shown, struct source *src, const char *why)
{
	error("'%s': %s", shown, why);
	src->status = SOURCE_FAILED;
	src->error = xstrdup(why);
	ig->t->files_failed++;
	writer_end_source(ig->w, src);
}

static void ingest_file(struct ingest *ig, const char *path, const struct stat *st)
{
	char abs[PATH_MAX], err[400];
	struct source *src;

	if (!strcmp(path, "-"))
		snprintf(abs, sizeof(abs), "<stdin>");
	else
		absolute_path(path, 1, abs);
	if (st && strcmp(path, "-") && is_unchanged(ig, abs, st)) {
		ig->t->files_unchanged++;
		return;
	}
	src = new_source(abs, strcmp(path, "-") ? st : NULL);
	writer_begin_source(ig->w, src);
	if (parse_input(ig, path, src, err, sizeof(err))) {
		rowset_reset(ig->rs); /* rows not yet sent are simply dropped */
		fail_file(ig, path, src, err);
	} else {
		writer_put_rows(ig->w, ig->rs);
		ig->rs = writer_get_rowset(ig->w);
		src->status = SOURCE_OK;
		ig->t->files_ok++;
		ig->t->records += src->records;
		writer_end_source(ig->w, src);
	}
	progress(ig, 0);
}

static int on_path(void *ctx, const char *path, const struct stat *st, enum walk_kind kind,
		   const char *why)
{
	struct ingest *ig = ctx;
	char abs[PATH_MAX];

	if (writer_failed(ig->w))
		return -1;
	switch (kind) {
	case WALK_LOG:
		ingest_file(ig, path, st);
		break;
	case WALK_SKIP:
		absolute_path(path, 1, abs);
		skip_file(ig, abs, st, why);
		break;
	case WALK_ERROR:
		absolute_path(path, 0, abs);
		fail_file(ig, path, new_source(abs, NULL), why);
		break;
	}
	return 0;
}

static int end_run(sqlite3 *db, long long run_id, const struct ingest_totals *t)
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
	store_bind_int64(st, ":ok", t->files_ok);
	store_bind_int64(st, ":unchanged", t->files_unchanged);
	store_bind_int64(st, ":skipped", t->files_skipped);
	store_bind_int64(st, ":failed", t->files_failed);
	store_bind_int64(st, ":records", t->records);
	store_bind_int64(st, ":inserted", t->inserted);
	store_bind_int64(st, ":run_id", run_id);
	rc = store_step_done(st);
	sqlite3_finalize(st);
	return rc;
}

int ingest_paths(sqlite3 *db, char *const *paths, int n, const struct ingest_opts *o,
		 struct ingest_totals *t)
{
	struct ingest ig;
	long long run_id;
	int bulk, rc = 0;

	memset(&ig, 0, sizeof(ig));
	memset(t, 0, sizeof(*t));
	ig.db = db;
	ig.t = t;
	ig.o = o;
	run_id = store_run_start(db, o->command ? o->command : "ingest");
	if (run_id < 0 || load_known(&ig))
		return -1;
	/* into an empty store, building the indexes once at the end is faster */
	bulk = store_int(db, "SELECT NOT EXISTS (SELECT 1 FROM event_fields)", 0) == 1;
	if (bulk && store_drop_indexes(db))
		return -1;
	ig.chunk = xmalloc(READ_CHUNK);
	ig.w = writer_start(db, run_id, ROWSET_POOL, bulk);
	ig.rs = writer_get_rowset(ig.w);
	for (int i = 0; i < n && !writer_failed(ig.w); i++) {
		if (!strcmp(paths[i], "-"))
			ingest_file(&ig, "-", NULL);
		else if (walk_path(paths[i], on_path, &ig))
			break;
	}
	writer_return_rowset(ig.w, ig.rs);
	if (writer_finish(ig.w, &t->inserted))
		rc = -1;
	if (o->progress && msg_progress_shown) {
		fprintf(stderr, "\r\033[K");
		msg_progress_shown = 0;
	}
	if (bulk) {
		long long dups = store_ensure_indexes(db);

		if (dups < 0 || store_analyze(db, 0))
			rc = -1;
		else
			t->inserted -= dups;
	}
	if (end_run(db, run_id, t))
		rc = -1;
	for (size_t i = 0; i < ig.n_known; i++)
		free(ig.known[i].path);
	free(ig.known);
	free(ig.chunk);
	return rc;
}
