/*
 * ingest.c - the parsing side of file ingest; see ingest.h.
 */
#include "ingest.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "buf.h"
#include "ctstream.h"
#include "input.h"
#include "msg.h"
#include "queue.h"
#include "store.h"
#include "timeparse.h"
#include "walk.h"
#include "writer.h"

#define READ_CHUNK (256u << 10)
#define ROWSET_POOL 4      /* row sets per parser */
#define DEFAULT_MAX_PARSERS 4 /* past this the writer thread is the limit */
#define JOB_QUEUE 16       /* files handed out ahead, per parser */
#define PARSER_NICE 5      /* parsers yield to the writer (see parser_main) */

/* A file the store has read before, for skip-if-unchanged. */
struct known {
	char *path;
	long long size, mtime_ns;
};

/* One input for a parser: read it, or only record why it was not read. */
enum job_kind { JOB_READ, JOB_GET, JOB_SKIP, JOB_FAIL };

struct job {
	enum job_kind kind;
	char *path;                 /* as walked or given ("-" for stdin); JOB_GET: the S3 key */
	struct source *src;         /* its sources row to be; goes to the writer */
};

/* A parser thread; its number is its writer lane. */
struct parser {
	struct ingest *ig;
	int lane;
	pthread_t thread;
	struct queue jobs;          /* struct job *, NULL to stop */
	struct rowset *rs;          /* the set being filled */
	unsigned char *chunk;       /* READ_CHUNK bytes */
	struct ingest_totals t;     /* this parser's counts, summed at the end */
	struct s3 s3;               /* its own S3 connection, when reading a bucket */
};

/* The objects of a bucket already stored: keys sorted, with their ETags. */
struct s3_known {
	char **keys;
	char **etags;
	size_t n;
};

struct ingest {
	sqlite3 *db;
	struct writer *w;
	const struct ingest_opts *o;
	struct known *known;        /* sorted by path */
	size_t n_known;
	struct parser *parsers;
	int nparsers;
	long next_job;              /* jobs handed out: job k goes to parser k % nparsers */
	struct ingest_totals t;     /* the walker's own counts (unchanged files) */
	struct s3_bucket *bucket;   /* the bucket read, or NULL for files */
	struct s3_known s3_known;
	atomic_llong records, json_bytes, files_done; /* for the progress line */
	long long last_progress_ms;
};

static int cmp_known(const void *a, const void *b)
{
	return strcmp(((const struct known *)a)->path, ((const struct known *)b)->path);
}

/*
 * Loads the files already read that need no second look. Only files read
 * whole: a file once skipped (by a walk) must still be read when named.
 */
static int load_known(struct ingest *ig)
{
	sqlite3_stmt *st = store_prepare(ig->db,
		"SELECT path, size, mtime_ns FROM sources WHERE status = 'ok'"
		" AND size IS NOT NULL AND mtime_ns IS NOT NULL"
		/* a file read before the content hash existed is read once more for it */
		" AND content_sha256 IS NOT NULL");
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

	/* a pipe or device has no size and mtime that say its content is the same */
	if (!ig->n_known || !S_ISREG(st->st_mode))
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
	fprintf(stderr, "\r\033[Kingest: %lld files, %lld records, %.1f MB parsed",
		atomic_load(&ig->files_done), atomic_load(&ig->records),
		(double)atomic_load(&ig->json_bytes) / 1e6);
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
	struct parser *p = ctx;

	if (rowset_add(p->rs, raw, len, rec))
		return -1;
	if (rowset_full(p->rs)) {
		atomic_fetch_add(&p->ig->records, (long long)p->rs->n);
		writer_put_rows(p->ig->w, p->lane, p->rs);
		p->rs = writer_get_rowset(p->ig->w, p->lane);
		if (writer_failed(p->ig->w))
			return -1;
	}
	return 0;
}

/*
 * Parses what in yields into the writer, until the input ends (0), a
 * pushed input wants its next piece (INPUT_AGAIN) or it fails (-1, err set).
 */
static int drain(struct parser *p, struct input *in, struct ctstream *cs, char *err,
		 size_t errlen)
{
	for (;;) {
		ssize_t n = input_read(in, p->chunk, READ_CHUNK, err, errlen);

		if (n == INPUT_AGAIN)
			return INPUT_AGAIN;
		if (n < 0)
			return -1;
		if (n == 0) {
			if (ctstream_finish(cs)) {
				snprintf(err, errlen, "%s", ctstream_error(cs));
				return -1;
			}
			return 0;
		}
		atomic_fetch_add(&p->ig->json_bytes, (long long)n);
		if (ctstream_feed(cs, p->chunk, (size_t)n)) {
			snprintf(err, errlen, "%s", ctstream_error(cs));
			return -1;
		}
	}
}

/* The end of any input: what the sources row says of it. Returns rc. */
static int end_input(struct input *in, struct ctstream *cs, const char *path, struct source *src,
		     int rc, char *err, size_t errlen)
{
	if (rc == 0 && input_stored_bytes(in) == 0) {
		snprintf(err, errlen, "empty file");
		rc = -1;
	}
	src->records = ctstream_records(cs);
	input_sha256(in, src->sha256);
	input_content_sha256(in, src->content_sha256);
	if (src->size < 0 || !strcmp(path, "-") || !strncmp(path, "s3://", 5))
		src->size = (long long)input_stored_bytes(in);
	ctstream_free(cs);
	input_close(in);
	return rc;
}

/* Reads and parses one input into the writer. Returns 0, or -1 with err set. */
static int parse_input(struct parser *p, const char *path, struct source *src, char *err,
		       size_t errlen)
{
	struct input *in = input_open(path, err, errlen);
	struct ctstream *cs;

	if (!in)
		return -1;
	cs = ctstream_new(emit, p);
	return end_input(in, cs, path, src, drain(p, in, cs, err, errlen), err, errlen);
}

/* An S3 object on its way from the network into the parser. */
struct object_read {
	struct parser *p;
	struct input *in;
	struct ctstream *cs;
	char err[400];              /* why parsing failed */
};

/* Pushes a piece of the object and parses as far as it goes; -1 stops the transfer. */
static int on_object_bytes(void *arg, const void *data, size_t len)
{
	struct object_read *r = arg;
	const char *d = data;

	while (len) {
		size_t n = len < INPUT_PUSH_MAX ? len : INPUT_PUSH_MAX;

		input_push(r->in, d, n);
		if (drain(r->p, r->in, r->cs, r->err, sizeof(r->err)) == -1)
			return -1;
		d += n;
		len -= n;
	}
	return writer_failed(r->p->ig->w) ? -1 : 0;
}

/* Streams one object from S3 through the parser into the writer. 0, or -1 with err set. */
static int parse_object(struct parser *p, const char *key, struct source *src, char *err,
			size_t errlen)
{
	struct object_read r = { p, input_open_pushed(), NULL, "" };
	int rc;

	r.cs = ctstream_new(emit, p);
	rc = s3_get(&p->s3, key, src->etag, on_object_bytes, &r, NULL, err, errlen);
	if (rc == S3_GET_STOPPED) {
		snprintf(err, errlen, "%s", r.err[0] ? r.err : "the store failed");
		rc = -1;
	} else if (rc == S3_GET_OK) {
		input_push_end(r.in);
		rc = drain(p, r.in, r.cs, err, errlen);
	} else {
		rc = -1;
	}
	return end_input(r.in, r.cs, src->path, src, rc, err, errlen);
}

/* Marks src failed for `why`; the writer prints the message, in run order. */
static void fail_source(struct parser *p, const char *shown, struct source *src, const char *why)
{
	src->status = SOURCE_FAILED;
	if (why != src->error) {
		free(src->error);
		src->error = xstrdup(why);
	}
	src->shown = xstrdup(shown);
	p->t.files_failed++;
}

static void read_file(struct parser *p, const char *path, struct source *src)
{
	char err[1200], shown[1100];
	int rc;

	writer_begin_source(p->ig->w, p->lane, src);
	if (p->ig->bucket)
		rc = parse_object(p, path, src, err, sizeof(err));
	else
		rc = parse_input(p, path, src, err, sizeof(err));
	if (rc) {
		rowset_reset(p->rs); /* rows not yet sent are simply dropped */
		if (p->ig->bucket)
			s3_shown(p->ig->bucket->name, path, shown, sizeof(shown));
		fail_source(p, p->ig->bucket ? shown : path, src, err);
	} else {
		atomic_fetch_add(&p->ig->records, (long long)p->rs->n);
		writer_put_rows(p->ig->w, p->lane, p->rs);
		p->rs = writer_get_rowset(p->ig->w, p->lane);
		src->status = SOURCE_OK;
		p->t.files_ok++;
		p->t.records += src->records;
	}
}

/* Every job ends its source, so that the writer's turn passes to the next lane. */
static void run_job(struct parser *p, struct job *j)
{
	struct source *src = j->src;

	switch (j->kind) {
	case JOB_READ:
	case JOB_GET:
		if (writer_failed(p->ig->w))
			src->status = SOURCE_FAILED; /* not read: the run is stopping */
		else
			read_file(p, j->path, src);
		break;
	case JOB_SKIP:
		src->status = SOURCE_SKIPPED;
		p->t.files_skipped++;
		break;
	case JOB_FAIL:
		fail_source(p, j->path, src, src->error);
		break;
	}
	writer_end_source(p->ig->w, p->lane, src);
	atomic_fetch_add(&p->ig->files_done, 1);
}

static void *parser_main(void *arg)
{
	struct parser *p = arg;
	struct job *j;

	pthread_setname_np(pthread_self(), "trailsift-parse");
	/* the writer thread is the pipeline's narrow part: when the cores are
	   short, it goes first */
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), PARSER_NICE)) {
		/* not allowed here: run at the same priority */
	}
	while ((j = queue_pop(&p->jobs))) {
		run_job(p, j);
		free(j->path);
		free(j);
	}
	return NULL;
}

/* Hands the next job of the run to its parser. */
static void hand_out(struct ingest *ig, enum job_kind kind, const char *path, struct source *src)
{
	struct job *j = xmalloc(sizeof(*j));

	j->kind = kind;
	j->path = xstrdup(path);
	j->src = src;
	queue_push(&ig->parsers[ig->next_job++ % ig->nparsers].jobs, j);
	progress(ig, 0);
}

static void ingest_file(struct ingest *ig, const char *path, const struct stat *st)
{
	char abs[PATH_MAX];

	if (!strcmp(path, "-")) {
		hand_out(ig, JOB_READ, path, new_source("<stdin>", NULL));
		return;
	}
	absolute_path(path, 1, abs);
	if (st && is_unchanged(ig, abs, st)) {
		ig->t.files_unchanged++;
		return;
	}
	hand_out(ig, JOB_READ, path, new_source(abs, st));
}

static int on_path(void *ctx, const char *path, const struct stat *st, enum walk_kind kind,
		   const char *why)
{
	struct ingest *ig = ctx;
	char abs[PATH_MAX];
	struct source *src;

	if (writer_failed(ig->w))
		return -1;
	switch (kind) {
	case WALK_LOG:
		ingest_file(ig, path, st);
		break;
	case WALK_SKIP:
		absolute_path(path, 1, abs);
		src = new_source(abs, st);
		src->error = xstrdup(why);
		hand_out(ig, JOB_SKIP, path, src);
		break;
	case WALK_ERROR:
		absolute_path(path, 0, abs);
		src = new_source(abs, NULL);
		src->error = xstrdup(why);
		hand_out(ig, JOB_FAIL, path, src);
		break;
	}
	return 0;
}

/* By default one parser per core, up to a few; the writer thread shares them. */
static int parser_count(const struct ingest_opts *o, int ig_reads_s3)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (o->jobs > 0)
		return o->jobs;
	if (ig_reads_s3)
		return INGEST_S3_DEFAULT_JOBS; /* the network, not the cores, is the limit */
	return n < 1 ? 1 : n > DEFAULT_MAX_PARSERS ? DEFAULT_MAX_PARSERS : (int)n;
}

static void start_parsers(struct ingest *ig)
{
	char err[300];

	ig->parsers = xcalloc((size_t)ig->nparsers, sizeof(*ig->parsers));
	for (int i = 0; i < ig->nparsers; i++) {
		struct parser *p = &ig->parsers[i];

		p->ig = ig;
		p->lane = i;
		p->chunk = xmalloc(READ_CHUNK);
		p->rs = writer_get_rowset(ig->w, i);
		queue_init(&p->jobs, JOB_QUEUE);
		if (ig->bucket && s3_init(&p->s3, ig->bucket, err, sizeof(err))) {
			error("%s", err);
			exit(1);
		}
		if (pthread_create(&p->thread, NULL, parser_main, p)) {
			error("cannot start a parser thread");
			exit(1);
		}
	}
}

/* Stops the parsers once their jobs are done and adds up their counts. */
static void stop_parsers(struct ingest *ig, struct ingest_totals *t)
{
	*t = ig->t;
	for (int i = 0; i < ig->nparsers; i++)
		queue_push(&ig->parsers[i].jobs, NULL);
	for (int i = 0; i < ig->nparsers; i++) {
		struct parser *p = &ig->parsers[i];

		pthread_join(p->thread, NULL);
		writer_return_rowset(ig->w, p->lane, p->rs);
		t->files_ok += p->t.files_ok;
		t->files_skipped += p->t.files_skipped;
		t->files_failed += p->t.files_failed;
		t->records += p->t.records;
		queue_release(&p->jobs);
		free(p->chunk);
		if (ig->bucket)
			s3_release(&p->s3);
	}
	free(ig->parsers);
}

/* A run's start: its ingest_runs row, the writer and the parsers. Returns the run id or -1. */
static long long run_begin(struct ingest *ig, sqlite3 *db, const struct ingest_opts *o,
			   int *bulk)
{
	long long run_id;

	ig->db = db;
	ig->o = o;
	run_id = store_run_start(db, o->command ? o->command : "ingest");
	if (run_id < 0 || load_known(ig))
		return -1;
	/* into an empty store, building the indexes once at the end is faster */
	*bulk = store_int(db, "SELECT NOT EXISTS (SELECT 1 FROM event_fields)", 0) == 1;
	if (*bulk && store_drop_indexes(db))
		return -1;
	trace_phase(NULL);
	ig->nparsers = parser_count(o, ig->bucket != NULL);
	ig->w = writer_start(db, run_id, ig->nparsers, ROWSET_POOL, *bulk);
	start_parsers(ig);
	return run_id;
}

/* A run's end: the parsers' and writer's last work, the indexes, the counts. 0 or -1. */
static int run_end(struct ingest *ig, long long run_id, int bulk, struct ingest_totals *t)
{
	struct run_counts counts;
	int rc = 0;

	stop_parsers(ig, t);
	if (writer_finish(ig->w, &t->inserted))
		rc = -1;
	trace_phase("load");
	if (ig->o->progress && msg_progress_shown) {
		fprintf(stderr, "\r\033[K");
		msg_progress_shown = 0;
	}
	if (bulk) {
		long long dups = store_ensure_indexes(ig->db);

		trace_phase("indexes");
		if (dups < 0 || store_analyze(ig->db, 0))
			rc = -1;
		else
			t->inserted -= dups;
		trace_phase("analyze");
	}
	counts.files_ok = t->files_ok;
	counts.files_unchanged = t->files_unchanged;
	counts.files_skipped = t->files_skipped;
	counts.files_failed = t->files_failed;
	counts.records = t->records;
	counts.inserted = t->inserted;
	if (store_run_end(ig->db, run_id, &counts))
		rc = -1;
	for (size_t i = 0; i < ig->n_known; i++)
		free(ig->known[i].path);
	free(ig->known);
	return rc;
}

int ingest_paths(sqlite3 *db, char *const *paths, int n, const struct ingest_opts *o,
		 struct ingest_totals *t)
{
	struct ingest ig;
	long long run_id;
	int bulk;

	memset(&ig, 0, sizeof(ig));
	memset(t, 0, sizeof(*t));
	run_id = run_begin(&ig, db, o, &bulk);
	if (run_id < 0)
		return -1;
	for (int i = 0; i < n && !writer_failed(ig.w); i++) {
		if (!strcmp(paths[i], "-"))
			ingest_file(&ig, "-", NULL);
		else if (walk_path(paths[i], on_path, &ig))
			break;
	}
	return run_end(&ig, run_id, bulk, t);
}

/* ------------------------------------------------------------ S3 */

/* Loads the objects under s3://bucket/prefix stored whole before, in key order. */
static int load_s3_known(struct ingest *ig, const char *prefix)
{
	sqlite3_stmt *st = store_prepare(ig->db,
		"SELECT substr(path, ?3), etag FROM sources WHERE path >= ?1 AND path < ?2"
		" AND status = 'ok' AND etag IS NOT NULL ORDER BY path");
	struct s3_known *k = &ig->s3_known;
	struct buf lo, hi;
	size_t cap = 0;

	if (!st)
		return -1;
	buf_init(&lo, 1u << 20);
	buf_init(&hi, 1u << 20);
	buf_addf(&lo, "s3://%s/", ig->bucket->name);
	sqlite3_bind_int64(st, 3, (long long)lo.len + 1);
	buf_addstr(&lo, prefix);
	buf_addf(&hi, "%s\xff", lo.data); /* past every key that starts so (paths compare as bytes) */
	sqlite3_bind_text(st, 1, lo.data, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, hi.data, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (k->n == cap) {
			cap = cap ? cap * 2 : 1024;
			k->keys = xrealloc(k->keys, cap * sizeof(*k->keys));
			k->etags = xrealloc(k->etags, cap * sizeof(*k->etags));
		}
		k->keys[k->n] = xstrdup((const char *)sqlite3_column_text(st, 0));
		k->etags[k->n] = xstrdup((const char *)sqlite3_column_text(st, 1));
		k->n++;
	}
	sqlite3_finalize(st);
	buf_release(&lo);
	buf_release(&hi);
	return 0;
}

static void free_s3_known(struct s3_known *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->keys[i]);
		free(k->etags[i]);
	}
	free(k->keys);
	free(k->etags);
}

/* Whether key is stored with this ETag already. */
static int s3_is_known(const struct s3_known *k, const char *key, const char *etag)
{
	size_t lo = 0, hi = k->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(k->keys[mid], key);

		if (!c)
			return !strcmp(k->etags[mid], etag);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int on_object(void *ctx, const struct s3_object *ob, const char *skip)
{
	struct ingest *ig = ctx;
	struct source *src;
	struct buf path;

	if (writer_failed(ig->w))
		return -1;
	if (!skip && s3_is_known(&ig->s3_known, ob->key, ob->etag)) {
		ig->t.files_unchanged++;
		progress(ig, 0);
		return 0;
	}
	buf_init(&path, 1u << 20);
	buf_addf(&path, "s3://%s/%s", ig->bucket->name, ob->key);
	src = new_source(path.data, NULL);
	buf_release(&path);
	src->size = ob->size;
	src->etag = xstrdup(ob->etag);
	if (skip)
		src->error = xstrdup(skip);
	hand_out(ig, skip ? JOB_SKIP : JOB_GET, ob->key, src);
	return 0;
}

int ingest_s3(sqlite3 *db, const struct ingest_s3 *s, const struct ingest_opts *o,
	      struct ingest_totals *t)
{
	struct ingest ig;
	struct s3_bucket bucket;
	struct s3 client;
	struct s3plan_opts plan = s->plan;
	struct s3plan_stats ps;
	char bucket_name[64], err[1400];
	const char *prefix;
	long long run_id;
	int bulk, rc;

	memset(&ig, 0, sizeof(ig));
	memset(t, 0, sizeof(*t));
	if (s3_parse_url(s->url, bucket_name, &prefix))
		return error("'%s' is not an s3://BUCKET[/PREFIX] URL", s->url);
	if (s3_bucket_open(&bucket, bucket_name, &s->setup, err, sizeof(err)))
		return error("%s", err);
	if (s3_init(&client, &bucket, err, sizeof(err)) || s3_bucket_locate(&client, err, sizeof(err))) {
		error("%s", err);
		s3_release(&client);
		s3_bucket_close(&bucket);
		return -1;
	}
	ig.bucket = &bucket;
	ig.db = db;
	run_id = load_s3_known(&ig, prefix) ? -1 : run_begin(&ig, db, o, &bulk);
	if (run_id < 0) {
		free_s3_known(&ig.s3_known);
		s3_release(&client);
		s3_bucket_close(&bucket);
		return -1;
	}
	plan.prefix = prefix;
	plan.known = ig.s3_known.keys;
	plan.n_known = ig.s3_known.n;
	rc = s3plan_run(&client, &plan, on_object, &ig, &ps, err, sizeof(err));
	if (rc && err[0])
		error("%s", err);
	if (run_end(&ig, run_id, bulk, t))
		rc = -1;
	t->prefixes = ps.prefixes;
	t->bytes = atomic_load(&bucket.count.bytes);
	free_s3_known(&ig.s3_known);
	s3_release(&client);
	s3_bucket_close(&bucket);
	return rc ? -1 : 0;
}
