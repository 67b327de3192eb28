/*
 * verify.c - the store against the trail's digest files; see verify.h.
 */
#include "verify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "digest.h"
#include "digest_keys.h"
#include "jsonw.h"
#include "msg.h"
#include "out.h"
#include "store.h"
#include "timeparse.h"
#include "verify_s3.h"
#include "walk.h"

/*
 * CloudTrail delivers a file some minutes after the time in its name, so a
 * file named in the last minutes of the span may be listed by the digest
 * after the last one read: it is not called unlisted.
 */
#define DELIVERY_SLACK_MS (15 * 60 * 1000LL)

enum problem_kind { P_MISSING, P_ALTERED, P_UNLISTED, P_BREAK, P_NEW_CHAIN, P_BAD_DIGEST,
		    P_BAD_SIGNATURE };

static const char *const problem_names[] = { "missing", "altered", "unlisted", "chain_break",
					     "new_chain", "bad_digest", "invalid_signature" };

struct problem {
	enum problem_kind kind;
	long long time_ms;          /* the hour it concerns */
	char *what;                 /* the S3 key (or path) it is about */
	char *detail;               /* one sentence */
};

/* A file in the store, found by the part of its path from AWSLogs/ on. */
struct vsource {
	long long id;
	const char *path;           /* sources.path */
	const char *tail;           /* within path: "AWSLogs/..." */
	const char *status;         /* ok, skipped, failed */
	const char *hash;           /* content_sha256, or NULL */
	const char *error;          /* why it failed, or NULL */
	int listed;                 /* some digest of this run lists it */
	const char *verified_by;    /* the digest key that vouches for it, or NULL */
};

/* One account, region and trail: its digests and what was found. */
struct trail {
	struct digest *d;           /* in time order; points into the run's array */
	size_t n;
	long long digests_ok, digests_bad, logs_ok, missing, altered, unlisted, breaks, new_chains;
	long long uncovered;        /* stored files of its span in hours without a digest */
	long long sig_valid, sig_invalid, sig_unchecked;
	const char *unchecked_why;
	struct problem *p;
	size_t np;
};

struct run {
	const struct verify_opts *o;
	sqlite3 *db;
	struct digest *d;
	size_t nd;
	struct trail *t;
	size_t nt;
	struct vsource *s;          /* sorted by tail */
	size_t ns;
	char **owned;               /* the strings of s */
	size_t nowned;
	long long unreadable;       /* digest files that could not be read */
	struct digest_keys *keys;
};

static void add_problem(struct trail *t, enum problem_kind kind, long long time_ms,
			const char *what, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add_problem(struct trail *t, enum problem_kind kind, long long time_ms,
			const char *what, const char *fmt, ...)
{
	struct problem *p;
	va_list ap;
	char line[1200];

	t->p = xrealloc(t->p, (t->np + 1) * sizeof(*t->p));
	p = &t->p[t->np++];
	p->kind = kind;
	p->time_ms = time_ms;
	p->what = xstrdup(what ? what : "");
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	p->detail = xstrdup(line);
}

/* ---------------------------------------------------------------- reading */

static int on_file(void *ctx, const char *path, const struct stat *st, enum walk_kind kind,
		   const char *why)
{
	struct run *r = ctx;
	const char *base = strrchr(path, '/');
	char err[600];
	struct digest d;

	(void)st;
	base = base ? base + 1 : path;
	if (kind == WALK_ERROR) {
		error("verify: %s: %s", path, why);
		r->unreadable++;
		return 0;
	}
	if (kind != WALK_SKIP || !why || strcmp(why, "CloudTrail digest file") ||
	    !strstr(base, "_CloudTrail-Digest_"))
		return 0;
	if (digest_load(path, &d, err, sizeof(err))) {
		error("verify: %s: %s", path, err);
		digest_release(&d);
		r->unreadable++;
		return 0;
	}
	if ((r->o->since_ms >= 0 && d.end_ms < r->o->since_ms) ||
	    (r->o->until_ms >= 0 && d.end_ms > r->o->until_ms)) {
		digest_release(&d);
		return 0;
	}
	r->d = xrealloc(r->d, (r->nd + 1) * sizeof(*r->d));
	r->d[r->nd++] = d;
	return 0;
}

/* Takes a digest read from S3, unless it ends outside the time range. */
static void add_digest(void *ctx, struct digest *d)
{
	struct run *r = ctx;

	if ((r->o->since_ms >= 0 && d->end_ms < r->o->since_ms) ||
	    (r->o->until_ms >= 0 && d->end_ms > r->o->until_ms)) {
		digest_release(d);
	} else {
		r->d = xrealloc(r->d, (r->nd + 1) * sizeof(*r->d));
		r->d[r->nd++] = *d;
	}
	free(d);
}

static int cmp_digest(const void *a, const void *b)
{
	const struct digest *x = a, *y = b;
	int c = strcmp(x->account, y->account);

	if (!c)
		c = strcmp(x->region, y->region);
	if (!c)
		c = strcmp(x->trail, y->trail);
	if (!c)
		c = (x->end_ms > y->end_ms) - (x->end_ms < y->end_ms);
	return c ? c : strcmp(x->key, y->key);
}

static void group_trails(struct run *r)
{
	qsort(r->d, r->nd, sizeof(*r->d), cmp_digest);
	for (size_t i = 0; i < r->nd; i++) {
		struct digest *d = &r->d[i];

		if (!r->nt || strcmp(d->account, r->t[r->nt - 1].d->account) ||
		    strcmp(d->region, r->t[r->nt - 1].d->region) ||
		    strcmp(d->trail, r->t[r->nt - 1].d->trail)) {
			r->t = xrealloc(r->t, (r->nt + 1) * sizeof(*r->t));
			memset(&r->t[r->nt], 0, sizeof(*r->t));
			r->t[r->nt++].d = d;
		}
		r->t[r->nt - 1].n++;
	}
}

static int cmp_tail(const void *a, const void *b)
{
	return strcmp(((const struct vsource *)a)->tail, ((const struct vsource *)b)->tail);
}

static const char *own(struct run *r, const unsigned char *s)
{
	if (!s)
		return NULL;
	r->owned = xrealloc(r->owned, (r->nowned + 1) * sizeof(*r->owned));
	return r->owned[r->nowned++] = xstrdup((const char *)s);
}

/* The store's files in the S3 layout, by the part of their path from AWSLogs/ on. */
static int load_sources(struct run *r)
{
	sqlite3_stmt *st = store_prepare(r->db,
		"SELECT source_id, path, status, content_sha256, error FROM sources"
		" WHERE path LIKE '%AWSLogs/%'");

	if (!st)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct vsource *v;
		const char *path = own(r, sqlite3_column_text(st, 1)), *tail = strstr(path, "AWSLogs/");

		while (tail && tail != path && tail[-1] != '/')
			tail = strstr(tail + 1, "AWSLogs/");
		if (!tail)
			continue;
		r->s = xrealloc(r->s, (r->ns + 1) * sizeof(*r->s));
		v = &r->s[r->ns++];
		memset(v, 0, sizeof(*v));
		v->id = sqlite3_column_int64(st, 0);
		v->path = path;
		v->tail = tail;
		v->status = own(r, sqlite3_column_text(st, 2));
		v->hash = own(r, sqlite3_column_text(st, 3));
		v->error = own(r, sqlite3_column_text(st, 4));
	}
	sqlite3_finalize(st);
	if (r->ns)
		qsort(r->s, r->ns, sizeof(*r->s), cmp_tail);
	return 0;
}

/*
 * Whether the stored path names the S3 object: s3://bucket/key, or a local
 * copy whose path ends with /key.
 */
static int path_is_object(const char *path, const char *bucket, const char *key)
{
	size_t pl = strlen(path), kl = strlen(key), bl = strlen(bucket);

	if (!strncmp(path, "s3://", 5))
		return pl == 5 + bl + 1 + kl && !strncmp(path + 5, bucket, bl) && path[5 + bl] == '/' &&
		       !strcmp(path + 6 + bl, key);
	return pl > kl && path[pl - kl - 1] == '/' && !strcmp(path + pl - kl, key);
}

/* ---------------------------------------------------------------- checking */

static void fmt_hour(long long ms, char out[32])
{
	time_format_iso(ms, out);
}

/* The digest of t whose key is key, or NULL. */
static struct digest *find_digest(struct trail *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->d[i].key, key))
			return &t->d[i];
	return NULL;
}

/*
 * The chain: each digest's successor names its key and hash. Marks bad[i]
 * for a digest that is not what its successor names, or not where it says
 * it was written, and takes its signature from the successor.
 */
static void check_chain(struct trail *t, unsigned char *bad)
{
	char at[32], at2[32];

	for (size_t i = 0; i < t->n; i++) {
		struct digest *d = &t->d[i], *prev;

		if (!path_is_object(d->path, d->bucket, d->key)) {
			bad[i] = 1;
			add_problem(t, P_BAD_DIGEST, d->end_ms, d->path,
				    "not where CloudTrail wrote it: the digest names %s", d->key);
		}
		if (i == 0)
			continue;
		if (!d->prev_key) {
			fmt_hour(t->d[i - 1].end_ms, at);
			fmt_hour(d->start_ms, at2);
			t->new_chains++;
			add_problem(t, P_NEW_CHAIN, d->start_ms, d->key,
				    "a new chain starts: logging (or log file validation) stopped after"
				    " %s and started again by %s; CloudTrail says so, this is not"
				    " tampering", at, at2);
			continue;
		}
		prev = find_digest(t, d->prev_key);
		if (!prev) {
			fmt_hour(t->d[i - 1].end_ms, at);
			fmt_hour(d->start_ms, at2);
			t->breaks++;
			add_problem(t, P_BREAK, d->start_ms, d->prev_key,
				    "chain break: the digest is missing (no digest for %s to %s)", at, at2);
			continue;
		}
		if (strcmp(prev->sha256, d->prev_hash)) {
			t->breaks++;
			bad[prev - t->d] = 1;
			add_problem(t, P_BREAK, prev->end_ms, prev->key,
				    "chain break: the digest was altered (SHA-256 %s, the next digest names"
				    " %s)", prev->sha256, d->prev_hash[0] ? d->prev_hash : "none");
			continue;
		}
		if (!prev->signature && d->prev_signature)
			prev->signature = xstrdup(d->prev_signature);
	}
}

static void check_signatures(struct run *r, struct trail *t, unsigned char *bad)
{
	long long from = t->d[0].start_ms, to = t->d[t->n - 1].end_ms;

	for (size_t i = 0; i < t->n; i++) {
		struct digest *d = &t->d[i];
		const unsigned char *der;
		size_t len;
		char err[2600];
		int found;

		if (!d->signature && !strncmp(d->path, "s3://", 5)) {
			/* CloudTrail writes one on every digest object (AWS's validator fails it too) */
			t->sig_invalid++;
			bad[i] = 1;
			add_problem(t, P_BAD_SIGNATURE, d->end_ms, d->key,
				    "the digest object has no x-amz-meta-signature");
			continue;
		}
		if (!d->signature || !r->keys) {
			t->sig_unchecked++;
			if (!t->unchecked_why)
				t->unchecked_why = !r->keys ?
					"a local copy's signatures are checked only with --check-signatures" :
					"the newest digest's signature is in its S3 metadata, which a local"
					" copy lacks";
			continue;
		}
		found = digest_keys_find(r->keys, d->region, d->fingerprint, from, to, &der, &len, err,
					 sizeof(err));
		if (found < 0) {
			t->sig_unchecked++;
			if (!t->unchecked_why)
				t->unchecked_why = "CloudTrail's public keys could not be fetched";
			continue;
		}
		if (!found || digest_check_signature(d, der, len) != DIGEST_SIG_VALID) {
			t->sig_invalid++;
			bad[i] = 1;
			add_problem(t, P_BAD_SIGNATURE, d->end_ms, d->key, found ?
				    "the signature does not match: this digest is not as CloudTrail signed it" :
				    "CloudTrail has no public key with the fingerprint the digest names");
			continue;
		}
		t->sig_valid++;
	}
}

/* The stored copies of the object bucket/key: [*first, *first + count). */
static size_t find_sources(struct run *r, const char *bucket, const char *key, size_t *first)
{
	const char *tail = strstr(key, "AWSLogs/");
	size_t lo = 0, hi = r->ns, n = 0;

	*first = 0;
	if (!tail)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(r->s[mid].tail, tail) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo + n < r->ns && !strcmp(r->s[lo + n].tail, tail))
		n++;
	(void)bucket; /* the caller checks each copy's whole path with path_is_object() */
	return n;
}

/* Time in a log file's name: ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_x.json.gz; -1 if none. */
static long long name_time(const char *path)
{
	const char *base = strrchr(path, '/'), *p;
	char iso[32];
	long long ms;

	base = base ? base + 1 : path;
	p = strstr(base, "_CloudTrail_");
	if (!p || !(p = strchr(p + strlen("_CloudTrail_"), '_')) || strlen(p) < 15 || p[14] != 'Z')
		return -1;
	p++;
	snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2sT%.2s:%.2s:00Z", p, p + 4, p + 6, p + 9, p + 11);
	return time_parse_iso(iso, strlen(iso), 0, &ms) ? -1 : ms;
}

static void check_logs(struct run *r, struct trail *t, const unsigned char *bad)
{
	for (size_t i = 0; i < t->n; i++) {
		struct digest *d = &t->d[i];

		for (size_t j = 0; j < d->n_logs; j++) {
			struct digest_log *l = &d->logs[j];
			size_t first, n = find_sources(r, l->bucket, l->key, &first);
			struct vsource *found = NULL, *whole = NULL;

			for (size_t k = first; k < first + n; k++) {
				struct vsource *v = &r->s[k];

				if (!path_is_object(v->path, l->bucket, l->key))
					continue;
				v->listed = 1;
				found = v;
				if (!strcmp(v->status, "ok") && v->hash && !strcmp(v->hash, l->hash)) {
					whole = v;
					if (!bad[i])
						v->verified_by = d->key;
				}
			}
			if (whole) {
				t->logs_ok += !bad[i];
			} else if (!found) {
				t->missing++;
				add_problem(t, P_MISSING, d->end_ms, l->key,
					    "not in the store (listed by the digest of %s)", d->end_time);
			} else if (strcmp(found->status, "ok")) {
				t->missing++;
				add_problem(t, P_MISSING, d->end_ms, l->key,
					    "not stored whole: the ingest failed (%s)",
					    found->error ? found->error : found->status);
			} else if (!found->hash) {
				t->missing++;
				add_problem(t, P_MISSING, d->end_ms, l->key,
					    "stored before trailsift kept content hashes: ingest it again");
			} else {
				t->altered++;
				add_problem(t, P_ALTERED, d->end_ms, l->key,
					    "altered: its content has SHA-256 %s, the digest lists %s",
					    found->hash, l->hash);
			}
		}
	}
}

/* Whether v is a log file of t's account and region. */
static int trail_has(const struct trail *t, const struct vsource *v)
{
	char want[200];

	snprintf(want, sizeof(want), "/%s/CloudTrail/%s/", t->d[0].account, t->d[0].region);
	return strstr(v->tail, want) != NULL;
}

/*
 * Whether a digest of t should list a log file named at ms: the digest of
 * that hour is there, and, when the file was named in the last minutes of
 * the hour, the next one too (it may list the file instead). Hours without
 * a digest (validation or logging was off, or a digest is gone: a break)
 * prove nothing either way.
 */
static int trail_covers(const struct trail *t, long long ms)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->d[i].start_ms <= ms && ms < t->d[i].end_ms)
			return ms < t->d[i].end_ms - DELIVERY_SLACK_MS ||
			       (i + 1 < t->n && t->d[i + 1].start_ms == t->d[i].end_ms);
	return 0;
}

/* Log files of the trail's account and region, in its hours, that no digest lists. */
static void check_unlisted(struct run *r, struct trail *t)
{
	for (size_t k = 0; k < r->ns; k++) {
		struct vsource *v = &r->s[k];
		long long ms;

		if (v->listed || strcmp(v->status, "ok") || !trail_has(t, v))
			continue;
		ms = name_time(v->path);
		if (ms < t->d[0].start_ms || ms >= t->d[t->n - 1].end_ms)
			continue;
		if (!trail_covers(t, ms)) {
			t->uncovered++;
			continue;
		}
		t->unlisted++;
		add_problem(t, P_UNLISTED, ms, v->tail,
			    "in the store but listed by no digest of its hour: not delivered by"
			    " CloudTrail, or its digest is gone");
	}
}

static void check_trail(struct run *r, struct trail *t)
{
	unsigned char *bad = xcalloc(t->n, 1);

	check_chain(t, bad);
	check_signatures(r, t, bad);
	check_logs(r, t, bad);
	check_unlisted(r, t);
	for (size_t i = 0; i < t->n; i++) {
		t->digests_bad += bad[i];
		t->digests_ok += !bad[i];
	}
	free(bad);
}

/* ---------------------------------------------------------------- recording */

/* What this run found, in sources: vouched-for files stamped, the others cleared. */
static int record(struct run *r)
{
	sqlite3_stmt *st;
	char now[32];
	int rc = 0;

	time_now_iso(now);
	if (store_exec(r->db, "BEGIN IMMEDIATE"))
		return -1;
	st = store_prepare(r->db, "UPDATE sources SET verified_at = :at, verified_by = :by"
			   " WHERE source_id = :id");
	for (size_t k = 0; st && !rc && k < r->ns; k++) {
		struct vsource *v = &r->s[k];
		int in_scope = v->listed;

		for (size_t i = 0; !in_scope && i < r->nt; i++)
			in_scope = trail_has(&r->t[i], v) && trail_covers(&r->t[i], name_time(v->path));
		if (!in_scope)
			continue;
		store_bind_text(st, ":at", v->verified_by ? now : NULL, -1);
		store_bind_text(st, ":by", v->verified_by, -1);
		store_bind_int64(st, ":id", v->id);
		rc = store_step_done(st);
	}
	sqlite3_finalize(st);
	if (!st || rc) {
		store_exec(r->db, "ROLLBACK");
		return -1;
	}
	return store_exec(r->db, "COMMIT");
}

/* ---------------------------------------------------------------- printing */

/* The problems that fail verification: all but a new chain, which CloudTrail announces. */
static long long trail_failures(const struct trail *t)
{
	long long n = 0;

	for (size_t j = 0; j < t->np; j++)
		n += t->p[j].kind != P_NEW_CHAIN;
	return n;
}

static void print_text(struct run *r, long long failures)
{
	char a[32], b[32];

	for (size_t i = 0; i < r->nt; i++) {
		struct trail *t = &r->t[i];

		fmt_hour(t->d[0].start_ms, a);
		fmt_hour(t->d[t->n - 1].end_ms, b);
		printf("account ");
		out_text(stdout, t->d[0].account);
		printf("  region ");
		out_text(stdout, t->d[0].region);
		printf("  trail ");
		out_text(stdout, t->d[0].trail);
		printf("\n  hours        %s .. %s\n", a, b);
		printf("  digests      %lld verified, %lld failed\n", t->digests_ok, t->digests_bad);
		printf("  log files    %lld verified, %lld missing, %lld altered, %lld unlisted,"
		       " %lld in hours without a digest\n", t->logs_ok, t->missing, t->altered,
		       t->unlisted, t->uncovered);
		printf("  chain        %lld breaks, %lld new chains\n", t->breaks, t->new_chains);
		printf("  signatures   %lld valid, %lld invalid, %lld not checkable%s%s%s\n",
		       t->sig_valid, t->sig_invalid, t->sig_unchecked, t->unchecked_why ? " (" : "",
		       t->unchecked_why ? t->unchecked_why : "", t->unchecked_why ? ")" : "");
		for (size_t j = 0; j < t->np; j++) {
			fmt_hour(t->p[j].time_ms, a);
			printf("  %-17s %s  ", problem_names[t->p[j].kind], a);
			out_text(stdout, t->p[j].what);
			printf(": ");
			out_text(stdout, t->p[j].detail);
			printf("\n");
		}
	}
	if (failures)
		printf("result: FAILED: %lld problem%s\n", failures, failures == 1 ? "" : "s");
	else
		printf("result: verified\n");
}

static void print_json(struct run *r, int ok)
{
	struct buf b;
	struct jsonw w;
	char at[32];

	buf_init(&b, (size_t)1 << 30);
	jsonw_init(&w, &b);
	jsonw_object(&w);
	jsonw_key(&w, "verified");
	jsonw_bool(&w, ok);
	jsonw_kv_int(&w, "unreadable_digests", r->unreadable);
	jsonw_key(&w, "trails");
	jsonw_array(&w);
	for (size_t i = 0; i < r->nt; i++) {
		struct trail *t = &r->t[i];

		jsonw_object(&w);
		jsonw_kv_string(&w, "account", t->d[0].account);
		jsonw_kv_string(&w, "region", t->d[0].region);
		jsonw_kv_string(&w, "trail", t->d[0].trail);
		fmt_hour(t->d[0].start_ms, at);
		jsonw_kv_string(&w, "first_hour", at);
		fmt_hour(t->d[t->n - 1].end_ms, at);
		jsonw_kv_string(&w, "last_hour_end", at);
		jsonw_kv_int(&w, "digests_verified", t->digests_ok);
		jsonw_kv_int(&w, "digests_failed", t->digests_bad);
		jsonw_kv_int(&w, "log_files_verified", t->logs_ok);
		jsonw_kv_int(&w, "missing", t->missing);
		jsonw_kv_int(&w, "altered", t->altered);
		jsonw_kv_int(&w, "unlisted", t->unlisted);
		jsonw_kv_int(&w, "in_hours_without_digest", t->uncovered);
		jsonw_kv_int(&w, "chain_breaks", t->breaks);
		jsonw_kv_int(&w, "new_chains", t->new_chains);
		jsonw_kv_int(&w, "signatures_valid", t->sig_valid);
		jsonw_kv_int(&w, "signatures_invalid", t->sig_invalid);
		jsonw_kv_int(&w, "signatures_unchecked", t->sig_unchecked);
		jsonw_kv_string(&w, "unchecked_why", t->unchecked_why);
		jsonw_key(&w, "problems");
		jsonw_array(&w);
		for (size_t j = 0; j < t->np; j++) {
			jsonw_object(&w);
			jsonw_kv_string(&w, "kind", problem_names[t->p[j].kind]);
			fmt_hour(t->p[j].time_ms, at);
			jsonw_kv_string(&w, "time", at);
			jsonw_kv_string(&w, "object", t->p[j].what);
			jsonw_kv_string(&w, "detail", t->p[j].detail);
			jsonw_end_object(&w);
		}
		jsonw_end_array(&w);
		jsonw_end_object(&w);
	}
	jsonw_end_array(&w);
	jsonw_end_object(&w);
	fwrite(b.data, 1, b.len, stdout);
	putchar('\n');
	buf_release(&b);
}

/* ---------------------------------------------------------------- the run */

static void run_release(struct run *r)
{
	for (size_t i = 0; i < r->nt; i++) {
		for (size_t j = 0; j < r->t[i].np; j++) {
			free(r->t[i].p[j].what);
			free(r->t[i].p[j].detail);
		}
		free(r->t[i].p);
	}
	free(r->t);
	for (size_t i = 0; i < r->nd; i++)
		digest_release(&r->d[i]);
	free(r->d);
	for (size_t i = 0; i < r->nowned; i++)
		free(r->owned[i]);
	free(r->owned);
	free(r->s);
	digest_keys_free(r->keys);
}

int verify_run(sqlite3 *db, const struct verify_opts *o)
{
	struct run r;
	long long failures = 0;
	int status;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.db = db;
	if (!strncmp(o->source, "s3://", 5)) {
		if (verify_s3_digests(o, add_digest, &r, &r.unreadable)) {
			run_release(&r);
			return 1;
		}
	} else {
		walk_path(o->source, on_file, &r);
	}
	if (!r.nd && !r.unreadable) {
		error("verify: no CloudTrail digest files under '%s'%s", o->source,
		      o->since_ms >= 0 || o->until_ms >= 0 ? " in that time range" : "");
		run_release(&r);
		return 1;
	}
	/* an S3 digest carries its own signature: checking it is what reading S3 is for */
	if (o->check_signatures || !strncmp(o->source, "s3://", 5))
		r.keys = digest_keys_new(db, o->profile, o->endpoint_url, o->ca_bundle);
	group_trails(&r);
	if (load_sources(&r)) {
		run_release(&r);
		return 1;
	}
	for (size_t i = 0; i < r.nt; i++) {
		check_trail(&r, &r.t[i]);
		failures += trail_failures(&r.t[i]);
	}
	failures += r.unreadable;
	status = record(&r) ? 1 : failures ? 1 : 0;
	if (o->json)
		print_json(&r, !failures);
	else
		print_text(&r, failures);
	run_release(&r);
	return status;
}

int verify_summary(sqlite3 *db, struct verify_summary *s)
{
	sqlite3_stmt *st;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (sqlite3_prepare_v2(db,
		"SELECT count(*), count(s.verified_at), min(CASE WHEN s.verified_at IS NOT NULL"
		" THEN f.event_time END), max(CASE WHEN s.verified_at IS NOT NULL THEN f.event_time END)"
		" FROM event_fields AS f LEFT JOIN sources AS s ON s.source_id = f.source_id",
		-1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		s->events = sqlite3_column_int64(st, 0);
		s->verified = sqlite3_column_int64(st, 1);
		snprintf(s->first, sizeof(s->first), "%s",
			 sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "");
		snprintf(s->last, sizeof(s->last), "%s",
			 sqlite3_column_text(st, 3) ? (const char *)sqlite3_column_text(st, 3) : "");
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}
