/*
 * rules.c - the rule registry and the scan engine; see rules.h.
 */
#include "rules.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "buf.h"
#include "cause.h"
#include "idset.h"
#include "jsonw.h"
#include "mgn.h"
#include "mgn_failures.h"
#include "msg.h"
#include "rule_groups.h"
#include "store.h"
#include "timeparse.h"

extern const struct rule rule_ec2_access_denied;
extern const struct rule rule_replication_kms;
extern const struct rule rule_api_throttling;
extern const struct rule rule_service_quota;
extern const struct rule rule_replication_invalid_tags;
extern const struct rule rule_replication_settings_risk;
extern const struct rule rule_staging_network_change;
extern const struct rule rule_staging_interference;

const struct rule *const rules[] = {
	&rule_ec2_access_denied,
	&rule_replication_kms,
	&rule_api_throttling,
	&rule_service_quota,
	&rule_replication_invalid_tags,
	&rule_replication_settings_risk,
	&rule_staging_network_change,
	&rule_staging_interference,
	NULL
};

static const char *const severity_names[] = { "info", "low", "medium", "high", "critical" };

const char *severity_name(enum severity s)
{
	return s <= SEV_CRITICAL ? severity_names[s] : "?";
}

int severity_parse(const char *s, enum severity *out)
{
	for (int i = 0; i <= SEV_CRITICAL; i++)
		if (!strcmp(s, severity_names[i])) {
			*out = (enum severity)i;
			return 0;
		}
	return -1;
}

const struct rule *rule_find(const char *id)
{
	for (int i = 0; rules[i]; i++)
		if (!strcmp(rules[i]->id, id))
			return rules[i];
	return NULL;
}

/* A growable list of strings: the keys emitted for the group being built. */
struct strset {
	char **items;
	size_t n, cap;
};

struct rule_ctx {
	sqlite3 *db;
	const struct rule *rule;
	long long scan_id;
	long long last_seq;          /* the rule has seen events up to here */
	struct group_set groups;     /* the groups touched */
	const struct touched *group; /* the group being built */
	long long keep_before;       /* its findings starting before this stay */
	struct strset emitted;       /* keys emitted for it */
	void *state;                 /* its state as rule_state_get() read it */
	struct scan_totals *t;
	struct stmt_cache *stmts;
	struct idset windows;        /* "account|from|to" of the rule_touch_findings() calls made */
	struct mgn_failures failures; /* rule_count_related_failures()' hours read */
};

/* Statements prepared once per scan, by their (static) SQL text. */
struct stmt_cache {
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} v[16];
	int n;
	struct cause_cache causes;   /* rule_cause()'s */
};

/* The cached statement for sql, reset and ready to bind; NULL on error (printed). */
static sqlite3_stmt *cached(struct rule_ctx *rc, const char *sql)
{
	struct stmt_cache *c = rc->stmts;
	int i;

	for (i = 0; i < c->n && c->v[i].sql != sql; i++)
		;
	if (i == c->n) {
		if (c->n == (int)(sizeof(c->v) / sizeof(c->v[0]))) {
			error("scan: more statements than the cache holds"); /* a programming error */
			return NULL;
		}
		c->v[i].sql = sql;
		c->v[i].st = store_prepare(rc->db, sql);
		if (!c->v[i].st)
			return NULL;
		c->n++;
	}
	sqlite3_reset(c->v[i].st);
	sqlite3_clear_bindings(c->v[i].st);
	return c->v[i].st;
}

static void stmt_cache_clear(struct stmt_cache *c)
{
	for (int i = 0; i < c->n; i++)
		sqlite3_finalize(c->v[i].st);
	c->n = 0;
	cause_cache_close(&c->causes);
}

static void strset_add(struct strset *s, const char *v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->items = xrealloc(s->items, s->cap * sizeof(*s->items));
	}
	s->items[s->n++] = xstrdup(v);
}

static int strset_has(const struct strset *s, const char *v)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->items[i], v))
			return 1;
	return 0;
}

static void strset_clear(struct strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->items[i]);
	free(s->items);
	memset(s, 0, sizeof(*s));
}

int rule_touch_fields(struct rule_ctx *rc, const struct event *ev, const enum ev_field *by, int n)
{
	const char *s[8];
	size_t len[8];
	char *key;
	int rc_;

	for (int i = 0; i < n && i < 8; i++) {
		const char *const v[] = { ev->account, ev->aws_region, ev->principal, ev->event_source,
					  ev->event_name, ev->error_base, ev->event_id };

		s[i] = v[by[i]];
		len[i] = s[i] ? ev->len[by[i]] : 0;
	}
	key = rule_key(s, len, n < 8 ? n : 8);
	rc_ = group_set_touch(&rc->groups, key, ev->time_ms, ev->seq);
	free(key);
	return rc_;
}

int rule_touch_values(struct rule_ctx *rc, const struct event *ev, const char *const *s, int n)
{
	char *key = rule_key(s, NULL, n);
	int rc_ = group_set_touch(&rc->groups, key, ev->time_ms, ev->seq);

	free(key);
	return rc_;
}

int rule_touch_findings(struct rule_ctx *rc, const char *account, long long from_ms, long long to_ms)
{
	static const char sql[] = "SELECT DISTINCT group_key FROM findings"
		" WHERE rule = ?1 AND first_time_ms BETWEEN ?2 AND ?3 AND (?4 IS NULL OR account = ?4)";
	sqlite3_stmt *st;
	char **keys = NULL, window[160];
	size_t n = 0;
	int rc_ = 0, step, len;

	/* a full scan (or the rule's first) builds every group whole already */
	if (rc->last_seq == 0)
		return 0;
	/* a window too long to keep whole is queried every time */
	len = snprintf(window, sizeof(window), "%s%s|%lld|%lld", account ? "a:" : "*", account ? account : "",
		       from_ms, to_ms);
	if (len > 0 && (size_t)len < sizeof(window) && idset_add(&rc->windows, window, (size_t)len) == 0)
		return 0;
	st = cached(rc, sql);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, rc->rule->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from_ms);
	sqlite3_bind_int64(st, 3, to_ms);
	if (account)
		sqlite3_bind_text(st, 4, account, -1, SQLITE_STATIC);
	/* collected first: touching a new group writes rule_groups, which the cached SELECT must not see mid-step */
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		keys = xrealloc(keys, (n + 1) * sizeof(*keys));
		keys[n++] = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	if (step != SQLITE_DONE)
		rc_ = error("scan: %s", sqlite3_errmsg(rc->db));
	sqlite3_reset(st);
	for (size_t i = 0; i < n; i++) {
		if (!rc_)
			rc_ = group_set_touch(&rc->groups, keys[i], 0, -1);
		free(keys[i]);
	}
	free(keys);
	return rc_;
}

long long rule_count_related_failures(struct rule_ctx *rc, const char *account, const char *region,
				      long long from_ms, long long to_ms)
{
	return mgn_failures_count(&rc->failures, rc->db, account, region, from_ms, to_ms);
}

int rule_cause(struct rule_ctx *rc, const struct cause_query *q, struct cause *out)
{
	return cause_find_in(rc->db, &rc->stmts->causes, q, out);
}

void event_ref_set(struct event_ref *r, const struct event *ev)
{
	r->seq = ev->seq;
	r->time_ms = ev->time_ms;
	snprintf(r->event_id, sizeof(r->event_id), "%s", ev->event_id);
	snprintf(r->event_time, sizeof(r->event_time), "%s", ev->event_time);
}

void event_refs_add(struct event_refs *r, const struct event *ev)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	event_ref_set(&r->v[r->n++], ev);
}

void event_refs_release(struct event_refs *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

int rule_group_events(struct rule_ctx *rc, long long from_ms,
		      int (*fn)(void *arg, const struct event *ev), void *arg)
{
	return group_members(&rc->groups, rc->group->id, from_ms, fn, arg);
}

void rule_keep_before(struct rule_ctx *rc, long long ms)
{
	rc->keep_before = ms;
}

long long rule_findings_first_after(struct rule_ctx *rc, long long ms)
{
	static const char sql[] = "SELECT min(first_time_ms) FROM findings"
		" WHERE rule = ?1 AND group_key = ?2 AND last_time_ms >= ?3";
	sqlite3_stmt *st = cached(rc, sql);
	long long v = LLONG_MAX;

	if (!st)
		return LLONG_MAX;
	sqlite3_bind_text(st, 1, rc->rule->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rc->group->key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ms);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

const void *rule_state_get(struct rule_ctx *rc, size_t *size, long long *upto_ms)
{
	static const char sql[] = "SELECT state, state_ms FROM rule_groups WHERE group_id = ?1";
	sqlite3_stmt *st = cached(rc, sql);

	free(rc->state);
	rc->state = NULL;
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, rc->group->id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_BLOB) {
		*size = (size_t)sqlite3_column_bytes(st, 0);
		*upto_ms = sqlite3_column_int64(st, 1);
		rc->state = xmalloc(*size ? *size : 1);
		memcpy(rc->state, sqlite3_column_blob(st, 0), *size);
	}
	sqlite3_reset(st);
	return rc->state;
}

long long rule_state_resume(struct rule_ctx *rc, const struct rule_group *g, void *state, size_t size,
			    unsigned magic)
{
	size_t kept_size = 0;
	long long upto = 0;
	const void *kept = rule_state_get(rc, &kept_size, &upto);
	unsigned kept_magic;

	if (!kept || g->new_from_ms == LLONG_MIN || g->new_from_ms <= upto || kept_size != size ||
	    size < sizeof(kept_magic))
		return LLONG_MIN;
	memcpy(&kept_magic, kept, sizeof(kept_magic));
	if (kept_magic != magic)
		return LLONG_MIN;
	memcpy(state, kept, size);
	return g->new_from_ms;
}

int rule_state_put(struct rule_ctx *rc, const void *state, size_t size, long long upto_ms)
{
	static const char sql[] = "UPDATE rule_groups SET state = ?2, state_ms = ?3 WHERE group_id = ?1";
	sqlite3_stmt *st = cached(rc, sql);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, rc->group->id);
	sqlite3_bind_blob(st, 2, state, (int)size, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, upto_ms);
	return store_step_done(st);
}

char *rule_event_raw(struct rule_ctx *rc, long long seq)
{
	static const char sql[] = "SELECT raw FROM event_raw WHERE seq = ?1";
	sqlite3_stmt *st = cached(rc, sql);
	char *raw = NULL;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, seq);
	if (sqlite3_step(st) == SQLITE_ROW)
		raw = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return raw;
}

struct yajl_val_s *rule_event_record(struct rule_ctx *rc, long long seq)
{
	char *raw = rule_event_raw(rc, seq);
	char err[64];
	yajl_val doc;

	if (!raw)
		return NULL;
	doc = yajl_tree_parse(raw, err, sizeof(err));
	free(raw);
	return doc;
}

static int cmp_ref(const void *a, const void *b)
{
	const struct event_ref *x = a, *y = b;

	if (x->time_ms != y->time_ms)
		return x->time_ms < y->time_ms ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The event_ids JSON array, in time order. */
static char *event_ids_json(const struct event_ref *refs, size_t n)
{
	struct buf b;
	struct jsonw w;

	buf_init(&b, (size_t)1 << 30);
	jsonw_init(&w, &b);
	jsonw_array(&w);
	for (size_t i = 0; i < n; i++)
		jsonw_string(&w, refs[i].event_id);
	jsonw_end_array(&w);
	return buf_detach(&b, NULL);
}

static void bind_opt(sqlite3_stmt *st, const char *name, const char *v)
{
	store_bind_text(st, name, v, -1);
}

static const char finding_event_sql[] =
	"INSERT OR IGNORE INTO finding_events (finding_id, seq) VALUES (?1, ?2)";

/* Replaces the finding's event list with refs. */
static int write_finding_events(struct rule_ctx *rc, long long id, const struct event_ref *refs,
				size_t n)
{
	static const char del_sql[] = "DELETE FROM finding_events WHERE finding_id = ?1";
	sqlite3_stmt *del = cached(rc, del_sql);
	sqlite3_stmt *ins = cached(rc, finding_event_sql);
	int rc_;

	if (!del || !ins)
		return -1;
	sqlite3_bind_int64(del, 1, id);
	rc_ = store_step_done(del);
	for (size_t i = 0; !rc_ && i < n; i++) {
		sqlite3_bind_int64(ins, 1, id);
		sqlite3_bind_int64(ins, 2, refs[i].seq);
		rc_ = store_step_done(ins);
	}
	return rc_;
}

/* Looks up (rule, key): sets *id and whether its content differs. 1 found, 0 not, -1 error. */
static int existing(struct rule_ctx *rc, const char *key, const char *summary, const char *details,
		    int sev, long long count, long long last_ms, long long *id, int *changed)
{
	static const char sql[] =
		"SELECT finding_id, summary = ?3 AND details = ?4 AND severity_rank = ?5"
		" AND event_count = ?6 AND last_time_ms = ?7 FROM findings WHERE rule = ?1 AND key = ?2";
	sqlite3_stmt *st = cached(rc, sql);
	int found = 0;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, rc->rule->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, summary, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, details, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, sev);
	sqlite3_bind_int64(st, 6, count);
	sqlite3_bind_int64(st, 7, last_ms);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		*id = sqlite3_column_int64(st, 0);
		*changed = !sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	return found;
}

static const char upsert_sql[] =
	"INSERT INTO findings (rule, key, group_key, severity, severity_rank, event_id, event_ids,"
	" event_count, first_time, last_time, first_time_ms, last_time_ms, account, region,"
	" principal, event_source, event_name, error_code, related, summary, details,"
	" created_scan, updated_scan)"
	" VALUES (:rule, :key, :group, :severity, :rank, :event_id, :event_ids, :count, :first,"
	" :last, :first_ms, :last_ms, :account, :region, :principal, :source, :name, :code,"
	" :related, :summary, :details, :scan, :scan)"
	" ON CONFLICT (rule, key) DO UPDATE SET group_key = excluded.group_key,"
	" severity = excluded.severity, severity_rank = excluded.severity_rank,"
	" event_id = excluded.event_id, event_ids = excluded.event_ids,"
	" event_count = excluded.event_count, first_time = excluded.first_time,"
	" last_time = excluded.last_time, first_time_ms = excluded.first_time_ms,"
	" last_time_ms = excluded.last_time_ms, account = excluded.account,"
	" region = excluded.region, principal = excluded.principal,"
	" event_source = excluded.event_source, event_name = excluded.event_name,"
	" error_code = excluded.error_code, related = excluded.related,"
	" summary = excluded.summary, details = excluded.details, updated_scan = excluded.updated_scan"
	" RETURNING finding_id";

/* Binds what both ways of storing a finding take: f, its refs in time order and their IDs' JSON. */
static void bind_finding(sqlite3_stmt *st, struct rule_ctx *rc, const struct finding *f,
			 const struct event_ref *refs, const char *ids)
{
	bind_opt(st, ":rule", rc->rule->id);
	bind_opt(st, ":key", f->key);
	bind_opt(st, ":severity", severity_name(f->severity));
	store_bind_int64(st, ":rank", f->severity);
	bind_opt(st, ":event_ids", ids);
	store_bind_int64(st, ":count", (long long)f->nevents);
	store_bind_int64(st, ":first_ms", refs[0].time_ms);
	bind_opt(st, ":last", refs[f->nevents - 1].event_time);
	store_bind_int64(st, ":last_ms", refs[f->nevents - 1].time_ms);
	bind_opt(st, ":account", f->account);
	bind_opt(st, ":region", f->region);
	bind_opt(st, ":principal", f->principal);
	bind_opt(st, ":source", f->event_source);
	bind_opt(st, ":name", f->event_name);
	bind_opt(st, ":code", f->error_code);
	store_bind_int64(st, ":related", f->related != 0);
	bind_opt(st, ":summary", f->summary);
	bind_opt(st, ":details", f->details ? f->details : "{}");
	store_bind_int64(st, ":scan", rc->scan_id);
}

/* Writes f (its refs in time order) over the finding with its key; sets *id. */
static int upsert(struct rule_ctx *rc, const struct finding *f, const struct event_ref *refs,
		  long long *id)
{
	sqlite3_stmt *st = cached(rc, upsert_sql);
	char *ids;
	int rc_ = 0;

	if (!st)
		return -1;
	ids = event_ids_json(refs, f->nevents);
	bind_finding(st, rc, f, refs, ids);
	bind_opt(st, ":group", rc->group->key);
	bind_opt(st, ":event_id", refs[0].event_id);
	bind_opt(st, ":first", refs[0].event_time);
	if (sqlite3_step(st) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	else
		rc_ = error("scan: storing a finding: %s", sqlite3_errmsg(rc->db));
	sqlite3_reset(st);
	free(ids);
	return rc_;
}

int rule_emit(struct rule_ctx *rc, const struct finding *f)
{
	struct event_ref *refs;
	long long id = 0;
	int found, changed = 1, rc_ = 0;

	if (!f->nevents)
		return 0;
	refs = xmalloc(f->nevents * sizeof(*refs));
	memcpy(refs, f->events, f->nevents * sizeof(*refs));
	qsort(refs, f->nevents, sizeof(*refs), cmp_ref);
	strset_add(&rc->emitted, f->key);
	found = existing(rc, f->key, f->summary, f->details ? f->details : "{}", (int)f->severity,
			 (long long)f->nevents, refs[f->nevents - 1].time_ms, &id, &changed);
	if (found < 0 || (found && !changed)) {
		free(refs);
		return found < 0 ? -1 : 0;
	}
	rc_ = upsert(rc, f, refs, &id);
	if (!rc_)
		rc_ = write_finding_events(rc, id, refs, f->nevents);
	if (!rc_) {
		if (found)
			rc->t->findings_changed++;
		else
			rc->t->findings_new++;
	}
	free(refs);
	return rc_;
}

int rule_emit_more(struct rule_ctx *rc, const struct finding *f)
{
	static const char sql[] =
		"UPDATE findings SET severity = :severity, severity_rank = :rank,"
		" event_ids = substr(event_ids, 1, length(event_ids) - 1) || ',' || substr(:event_ids, 2),"
		" event_count = event_count + :count, last_time = :last, last_time_ms = :last_ms,"
		" account = :account, region = :region, principal = :principal, event_source = :source,"
		" event_name = :name, error_code = :code, related = :related, summary = :summary,"
		" details = :details, updated_scan = :scan"
		" WHERE rule = :rule AND key = :key AND last_time_ms < :first_ms RETURNING finding_id";
	sqlite3_stmt *st;
	struct event_ref *refs;
	char *ids;
	long long id = -1;
	int rc_ = 0, step;

	if (!f->nevents)
		return 0;
	st = cached(rc, sql);
	if (!st)
		return -1;
	refs = xmalloc(f->nevents * sizeof(*refs));
	memcpy(refs, f->events, f->nevents * sizeof(*refs));
	qsort(refs, f->nevents, sizeof(*refs), cmp_ref);
	strset_add(&rc->emitted, f->key);
	ids = event_ids_json(refs, f->nevents);
	bind_finding(st, rc, f, refs, ids);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (step != SQLITE_DONE)
		rc_ = error("scan: storing a finding: %s", sqlite3_errmsg(rc->db));
	sqlite3_reset(st);
	if (!rc_ && id < 0)
		rc_ = 1;
	for (size_t i = 0; !rc_ && i < f->nevents; i++) {
		sqlite3_stmt *ins = cached(rc, finding_event_sql);

		if (!ins) {
			rc_ = -1;
			break;
		}
		sqlite3_bind_int64(ins, 1, id);
		sqlite3_bind_int64(ins, 2, refs[i].seq);
		rc_ = store_step_done(ins);
	}
	if (!rc_)
		rc->t->findings_changed++;
	free(refs);
	free(ids);
	return rc_;
}

/* Deletes the group's findings that build() did not emit again (those it kept aside). */
static int drop_stale(struct rule_ctx *rc)
{
	static const char sel_sql[] = "SELECT finding_id, key FROM findings"
		" WHERE rule = ?1 AND group_key = ?2 AND first_time_ms >= ?3";
	static const char del_sql[] = "DELETE FROM findings WHERE finding_id = ?1";
	static const char del_ev_sql[] = "DELETE FROM finding_events WHERE finding_id = ?1";
	sqlite3_stmt *st = cached(rc, sel_sql);
	long long *ids = NULL;
	size_t n = 0;
	int rc_ = 0, step;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, rc->rule->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rc->group->key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, rc->keep_before);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (strset_has(&rc->emitted, (const char *)sqlite3_column_text(st, 1)))
			continue;
		ids = xrealloc(ids, (n + 1) * sizeof(*ids));
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	if (step != SQLITE_DONE)
		rc_ = error("scan: %s", sqlite3_errmsg(rc->db));
	sqlite3_reset(st);
	for (size_t i = 0; !rc_ && i < n; i++) {
		sqlite3_stmt *del = cached(rc, del_sql);
		sqlite3_stmt *del_ev;

		if (!del)
			rc_ = -1;
		else {
			sqlite3_bind_int64(del, 1, ids[i]);
			rc_ = store_step_done(del);
		}
		del_ev = rc_ ? NULL : cached(rc, del_ev_sql);
		if (!rc_ && !del_ev)
			rc_ = -1;
		if (!rc_) {
			sqlite3_bind_int64(del_ev, 1, ids[i]);
			rc_ = store_step_done(del_ev);
		}
		if (!rc_)
			rc->t->findings_changed++;
	}
	free(ids);
	return rc_;
}

/* In a full scan, groups that hold findings are rebuilt even without events. */
static int touch_existing_groups(struct rule_ctx *rc)
{
	sqlite3_stmt *st = store_prepare(rc->db,
		"SELECT DISTINCT group_key FROM findings WHERE rule = ?1");
	int rc_ = 0;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, rc->rule->id, -1, SQLITE_STATIC);
	while (!rc_ && sqlite3_step(st) == SQLITE_ROW)
		rc_ = group_set_touch(&rc->groups, (const char *)sqlite3_column_text(st, 0), 0, -1);
	sqlite3_finalize(st);
	return rc_;
}

/* Builds one touched group: its fields, the rule's build(), the stale findings dropped. */
static int build_group(struct rule_ctx *rc, const struct touched *t)
{
	struct rule_group g;
	char **fields = NULL;
	int n = rule_key_fields(t->key, &fields), rc_;

	if (n < 0)
		return error("scan: rule %s: malformed group key '%s'", rc->rule->id, t->key);
	g.key = t->key;
	g.field = fields;
	g.nfields = n;
	g.new_from_ms = t->from_ms;
	rc->group = t;
	rc->keep_before = LLONG_MIN;
	rc_ = rc->rule->build(rc, &g);
	if (!rc_)
		rc_ = drop_stale(rc);
	strset_clear(&rc->emitted);
	free(rc->state);
	rc->state = NULL;
	for (int i = 0; i < n; i++)
		free(fields[i]);
	free(fields);
	rc->group = NULL;
	return rc_;
}

static int build_groups(struct rule_ctx *rc)
{
	group_set_sort(&rc->groups);
	for (size_t i = 0; i < rc->groups.n; i++)
		if (build_group(rc, &rc->groups.v[i]))
			return error("scan: rule %s failed on group '%s'", rc->rule->id, rc->groups.v[i].key);
	return 0;
}

static long long rule_last_seq(sqlite3 *db, const char *id)
{
	sqlite3_stmt *st = store_prepare(db, "SELECT last_seq FROM rule_state WHERE rule = ?1");
	long long v = 0;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int save_last_seq(sqlite3 *db, const char *id, long long seq)
{
	sqlite3_stmt *st = store_prepare(db,
		"INSERT INTO rule_state (rule, last_seq) VALUES (?1, ?2)"
		" ON CONFLICT (rule) DO UPDATE SET last_seq = excluded.last_seq");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	rc = store_step_done(st);
	sqlite3_finalize(st);
	return rc;
}

/* Streams the unseen events past every rule's check(). */
static int stream(sqlite3 *db, struct rule_ctx *ctxs, int n, long long from, long long *max_seq,
		  struct scan_totals *t)
{
	sqlite3_stmt *st = store_prepare(db, "SELECT " RULE_EVENT_COLUMNS
					 " FROM event_fields AS e WHERE e.seq > ?1 ORDER BY e.seq");
	struct event ev;
	int rc_step;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, from);
	*max_seq = from;
	while ((rc_step = sqlite3_step(st)) == SQLITE_ROW) {
		rule_read_event(st, &ev);
		t->events_read++;
		*max_seq = ev.seq;
		for (int i = 0; i < n; i++)
			if (ev.seq > ctxs[i].last_seq && ctxs[i].rule->check(&ctxs[i], &ev) == RULE_ERROR) {
				sqlite3_finalize(st);
				return error("scan: rule %s failed on event %s", ctxs[i].rule->id, ev.event_id);
			}
	}
	sqlite3_finalize(st);
	if (rc_step != SQLITE_DONE)
		return error("scan: %s", sqlite3_errmsg(db));
	return 0;
}

static long long start_scan(sqlite3 *db, int full)
{
	sqlite3_stmt *st = store_prepare(db,
		"INSERT INTO scans (started_at, full) VALUES (?1, ?2)");
	char now[32];

	if (!st)
		return -1;
	time_now_iso(now);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, full);
	if (store_step_done(st)) {
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return sqlite3_last_insert_rowid(db);
}

static int end_scan(sqlite3 *db, const struct scan_totals *t)
{
	sqlite3_stmt *st = store_prepare(db,
		"UPDATE scans SET ended_at = ?1, events_read = ?2, findings_new = ?3,"
		" findings_changed = ?4 WHERE scan_id = ?5");
	char now[32];
	int rc;

	if (!st)
		return -1;
	time_now_iso(now);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, t->events_read);
	sqlite3_bind_int64(st, 3, t->findings_new);
	sqlite3_bind_int64(st, 4, t->findings_changed);
	sqlite3_bind_int64(st, 5, t->scan_id);
	rc = store_step_done(st);
	sqlite3_finalize(st);
	return rc;
}

static int scan_in_txn(sqlite3 *db, int full, struct scan_totals *t, struct rule_ctx *ctxs, int n,
		       struct stmt_cache *stmts)
{
	long long from = -1, max_seq = 0;

	t->scan_id = start_scan(db, full);
	if (t->scan_id < 0)
		return -1;
	/* a full scan rebuilds every group from nothing */
	if (full && store_exec(db, "DELETE FROM rule_members; DELETE FROM rule_groups"))
		return -1;
	for (int i = 0; i < n; i++) {
		ctxs[i].db = db;
		ctxs[i].rule = rules[i];
		ctxs[i].scan_id = t->scan_id;
		ctxs[i].t = t;
		ctxs[i].stmts = stmts;
		idset_init(&ctxs[i].windows);
		if (group_set_open(&ctxs[i].groups, db, rules[i]->id))
			return -1;
		ctxs[i].last_seq = full ? 0 : rule_last_seq(db, rules[i]->id);
		if (ctxs[i].last_seq < 0)
			return -1;
		if (from < 0 || ctxs[i].last_seq < from)
			from = ctxs[i].last_seq;
		if (full && touch_existing_groups(&ctxs[i]))
			return -1;
	}
	if (stream(db, ctxs, n, from < 0 ? 0 : from, &max_seq, t))
		return -1;
	for (int i = 0; i < n; i++) {
		if (build_groups(&ctxs[i]))
			return -1;
		if (max_seq > ctxs[i].last_seq && save_last_seq(db, rules[i]->id, max_seq))
			return -1;
	}
	return end_scan(db, t);
}

int rules_scan(sqlite3 *db, int full, struct scan_totals *t)
{
	struct rule_ctx ctxs[16];
	struct stmt_cache stmts;
	int n = 0, rc;

	memset(t, 0, sizeof(*t));
	memset(ctxs, 0, sizeof(ctxs));
	memset(&stmts, 0, sizeof(stmts));
	while (rules[n] && n < (int)(sizeof(ctxs) / sizeof(ctxs[0])))
		n++;
	/* statement journals (each upsert's) in memory: a scan writes only the store and its journal */
	if (store_analyze(db, 1) || store_exec(db, "PRAGMA temp_store = MEMORY") ||
	    store_exec(db, "BEGIN IMMEDIATE"))
		return -1;
	rc = scan_in_txn(db, full, t, ctxs, n, &stmts);
	for (int i = 0; i < n; i++) {
		group_set_close(&ctxs[i].groups);
		strset_clear(&ctxs[i].emitted);
		idset_release(&ctxs[i].windows);
		mgn_failures_release(&ctxs[i].failures);
	}
	stmt_cache_clear(&stmts);
	if (rc) {
		store_exec(db, "ROLLBACK");
		return -1;
	}
	return store_exec(db, "COMMIT");
}
