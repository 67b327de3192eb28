/*
 * mgn_failures.c - MGN/DRS failures counted by window; see mgn_failures.h.
 */
#include "mgn_failures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgn.h"
#include "msg.h"
#include "rules.h"
#include "store.h"

#define HOUR_MS 3600000LL

/* The failures of one account, region and hour: their times, sorted. */
struct mgn_failures_hour {
	char *key;                   /* rule_key() of account, region and the hour's start */
	long long *t;
	size_t n;
};

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* Reads the failures of the hour starting at hour into h. 0 or -1 (printed). */
static int read_hour(struct mgn_failures *c, sqlite3 *db, const char *account, const char *region,
		     long long hour, struct mgn_failures_hour *h)
{
	size_t cap = 0;
	int step;

	if (!c->read)
		c->read = store_prepare(db, "SELECT e.event_time_ms, e.event_source, e.principal_arn,"
			" e.session_issuer_arn, e.invoked_by, e.source_ip, e.user_agent FROM event_fields AS e"
			" WHERE e.error_code IS NOT NULL AND e.event_time_ms >= ?1 AND e.event_time_ms < ?2"
			" AND e.error_base IS NOT 'DryRunOperation' AND e.aws_region = ?3"
			" AND coalesce(e.recipient_account_id, e.account_id) = ?4");
	if (!c->read)
		return -1;
	sqlite3_bind_int64(c->read, 1, hour);
	sqlite3_bind_int64(c->read, 2, hour + HOUR_MS);
	sqlite3_bind_text(c->read, 3, region ? region : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(c->read, 4, account ? account : "", -1, SQLITE_STATIC);
	while ((step = sqlite3_step(c->read)) == SQLITE_ROW) {
		const char *col[6];

		for (int i = 0; i < 6; i++)
			col[i] = (const char *)sqlite3_column_text(c->read, i + 1);
		if (!mgn_related(col[0], col[1], col[2], col[3], col[4], col[5]))
			continue;
		if (h->n == cap) {
			cap = cap ? cap * 2 : 64;
			h->t = xrealloc(h->t, cap * sizeof(*h->t));
		}
		h->t[h->n++] = sqlite3_column_int64(c->read, 0);
	}
	sqlite3_reset(c->read);
	if (step != SQLITE_DONE)
		return error("scan: %s", sqlite3_errmsg(db));
	if (h->n)
		qsort(h->t, h->n, sizeof(*h->t), cmp_ll);
	return 0;
}

/* The cached hour (read now if it is not), or NULL on error. */
static const struct mgn_failures_hour *hour_of(struct mgn_failures *c, sqlite3 *db, const char *account,
					       const char *region, long long hour)
{
	char start[24];
	const char *f[] = { account, region, start };
	char *key;
	size_t lo = 0, hi = c->n;
	struct mgn_failures_hour h = { 0 };

	snprintf(start, sizeof(start), "%lld", hour);
	key = rule_key(f, NULL, 3);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(c->v[mid].key, key);

		if (!d) {
			free(key);
			return &c->v[mid];
		}
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	h.key = key;
	if (read_hour(c, db, account, region, hour, &h)) {
		free(h.t);
		free(key);
		return NULL;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	memmove(&c->v[lo + 1], &c->v[lo], (c->n - lo) * sizeof(*c->v));
	c->v[lo] = h;
	c->n++;
	return &c->v[lo];
}

/* How many of the sorted times t[0..n) are at most ms. */
static size_t upto(const long long *t, size_t n, long long ms)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t[mid] <= ms)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static long long floor_hour(long long ms)
{
	return ms - ((ms % HOUR_MS) + HOUR_MS) % HOUR_MS;
}

long long mgn_failures_count(struct mgn_failures *c, sqlite3 *db, const char *account, const char *region,
			     long long from_ms, long long to_ms)
{
	long long n = 0;

	if (to_ms <= from_ms)
		return 0;
	/* the hours holding times in (from_ms, to_ms] */
	for (long long hour = floor_hour(from_ms + 1); hour <= to_ms; hour += HOUR_MS) {
		const struct mgn_failures_hour *h = hour_of(c, db, account, region, hour);

		if (!h)
			return -1;
		n += (long long)(upto(h->t, h->n, to_ms) - upto(h->t, h->n, from_ms));
	}
	return n;
}

void mgn_failures_release(struct mgn_failures *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].key);
		free(c->v[i].t);
	}
	free(c->v);
	sqlite3_finalize(c->read);
	memset(c, 0, sizeof(*c));
}
