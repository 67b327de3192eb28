/*
 * rules.c - the rule registry and the scan engine; see rules.h.
 */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonw.h"
#include "mgn.h"
#include "msg.h"
#include "store.h"
#include "timeparse.h"

extern const struct rule rule_ec2_access_denied;
extern const struct rule rule_api_throttling;
extern const struct rule rule_service_quota;
extern const struct rule rule_replication_invalid_tags;
extern const struct rule rule_replication_settings_risk;
extern const struct rule rule_staging_network_change;

const struct rule *const rules[] = {
	&rule_ec2_access_denied,
	&rule_api_throttling,
	&rule_service_quota,
	&rule_replication_invalid_tags,
	&rule_replication_settings_risk,
	&rule_staging_network_change,
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

/* A growable list of strings: the groups one rule must rebuild. */
struct strset {
	char **items;
	size_t n, cap;
};

struct rule_ctx {
	sqlite3 *db;
	const struct rule *rule;
	long long scan_id;
	long long last_seq;          /* the rule has seen events up to here */
	struct strset touched;
	const char *group;           /* the group being built */
	struct strset emitted;       /* keys emitted for it */
	struct scan_totals *t;
	int failed;
};

static void strset_add(struct strset *s, const char *v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->items = xrealloc(s->items, s->cap * sizeof(*s->items));
	}
	s->items[s->n++] = xstrdup(v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and drops repeats. */
static void strset_unique(struct strset *s)
{
	size_t j = 0;

	if (!s->n)
		return;
	qsort(s->items, s->n, sizeof(*s->items), cmp_str);
	for (size_t i = 1; i < s->n; i++) {
		if (!strcmp(s->items[i], s->items[j]))
			free(s->items[i]);
		else
			s->items[++j] = s->items[i];
	}
	s->n = j + 1;
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

int rule_touch(struct rule_ctx *rc, const char *group_key)
{
	/* events of one group tend to come together: skip the common repeat */
	if (rc->touched.n && !strcmp(rc->touched.items[rc->touched.n - 1], group_key))
		return 0;
	strset_add(&rc->touched, group_key);
	return 0;
}

char *rule_group_key(const char *const *parts, int n)
{
	struct buf b;

	buf_init(&b, 1u << 16);
	for (int i = 0; i < n; i++) {
		if (i)
			buf_addch(&b, '|');
		buf_addstr(&b, parts[i] ? parts[i] : "");
	}
	return buf_detach(&b, NULL);
}

int rule_group_split(const char *key, char **parts, int n)
{
	const char *p = key;

	for (int i = 0; i < n; i++) {
		size_t len = strcspn(p, "|");

		if (i < n - 1 && !p[len]) {
			while (i >= 0)
				free(parts[i--]);
			return -1;
		}
		parts[i] = xstrndup(p, i == n - 1 ? strlen(p) : len);
		p += len + (p[len] == '|');
	}
	return 0;
}

int rule_touch_parts(struct rule_ctx *rc, const char *const *parts, int n)
{
	char *key = rule_group_key(parts, n);
	int rc_ = rule_touch(rc, key);

	free(key);
	return rc_;
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

#define EVENT_COLUMNS \
	"seq, event_id, event_time, event_time_ms, event_source, event_name, aws_region," \
	" coalesce(recipient_account_id, account_id)," \
	" coalesce(session_issuer_arn, principal_arn, invoked_by, identity_type)," \
	" principal_arn, user_name, invoked_by, source_ip, user_agent, error_code, error_base," \
	" error_class, error_message, session_issuer_arn"

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Fills ev from a row of EVENT_COLUMNS; the strings live until the next step. */
static void read_event(sqlite3_stmt *st, struct event *ev)
{
	ev->seq = sqlite3_column_int64(st, 0);
	ev->event_id = col(st, 1);
	ev->event_time = col(st, 2);
	ev->time_ms = sqlite3_column_int64(st, 3);
	ev->event_source = col(st, 4);
	ev->event_name = col(st, 5);
	ev->aws_region = col(st, 6);
	ev->account = col(st, 7);
	ev->principal = col(st, 8);
	ev->principal_arn = col(st, 9);
	ev->user_name = col(st, 10);
	ev->invoked_by = col(st, 11);
	ev->source_ip = col(st, 12);
	ev->user_agent = col(st, 13);
	ev->error_code = col(st, 14);
	ev->error_base = col(st, 15);
	ev->error_class = col(st, 16);
	ev->error_message = col(st, 17);
	ev->related = mgn_related(ev->event_source, ev->principal_arn, col(st, 18), ev->invoked_by,
				  ev->source_ip, ev->user_agent);
}

int rule_each_event(struct rule_ctx *rc, const char *where, const char *const *params,
		    int nparams, int (*fn)(void *arg, const struct event *ev), void *arg)
{
	struct buf sql;
	sqlite3_stmt *st;
	struct event ev;
	int rc_step, status = 0;

	buf_init(&sql, 1u << 16);
	buf_addf(&sql, "SELECT " EVENT_COLUMNS " FROM event_fields WHERE %s"
		 " ORDER BY event_time_ms, seq", where);
	st = store_prepare(rc->db, sql.data);
	buf_release(&sql);
	if (!st)
		return -1;
	for (int i = 0; i < nparams; i++)
		sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_STATIC);
	while ((rc_step = sqlite3_step(st)) == SQLITE_ROW) {
		read_event(st, &ev);
		if (fn(arg, &ev)) {
			status = -1;
			break;
		}
	}
	if (rc_step != SQLITE_ROW && rc_step != SQLITE_DONE)
		status = error("scan: %s", sqlite3_errmsg(rc->db));
	sqlite3_finalize(st);
	return status;
}

char *rule_event_raw(struct rule_ctx *rc, long long seq)
{
	sqlite3_stmt *st = store_prepare(rc->db, "SELECT raw FROM event_raw WHERE seq = ?1");
	char *raw = NULL;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, seq);
	if (sqlite3_step(st) == SQLITE_ROW)
		raw = xstrdup(col(st, 0));
	sqlite3_finalize(st);
	return raw;
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

/* Replaces the finding's event list with refs. */
static int write_finding_events(struct rule_ctx *rc, long long id, const struct event_ref *refs,
				size_t n)
{
	sqlite3_stmt *del = store_prepare(rc->db, "DELETE FROM finding_events WHERE finding_id = ?1");
	sqlite3_stmt *ins = store_prepare(rc->db,
		"INSERT OR IGNORE INTO finding_events (finding_id, seq) VALUES (?1, ?2)");
	int rc_ = 0;

	if (!del || !ins) {
		sqlite3_finalize(del);
		sqlite3_finalize(ins);
		return -1;
	}
	sqlite3_bind_int64(del, 1, id);
	rc_ = store_step_done(del);
	for (size_t i = 0; !rc_ && i < n; i++) {
		sqlite3_bind_int64(ins, 1, id);
		sqlite3_bind_int64(ins, 2, refs[i].seq);
		rc_ = store_step_done(ins);
	}
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	return rc_;
}

/* Looks up (rule, key): sets *id and whether its content differs. 1 found, 0 not, -1 error. */
static int existing(struct rule_ctx *rc, const char *key, const char *summary, const char *details,
		    int sev, long long count, long long last_ms, long long *id, int *changed)
{
	sqlite3_stmt *st = store_prepare(rc->db,
		"SELECT finding_id, summary = ?3 AND details = ?4 AND severity_rank = ?5"
		" AND event_count = ?6 AND last_time_ms = ?7 FROM findings WHERE rule = ?1 AND key = ?2");
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
	sqlite3_finalize(st);
	return found;
}

int rule_emit(struct rule_ctx *rc, const struct finding *f)
{
	static const char upsert[] =
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
	struct event_ref *refs;
	sqlite3_stmt *st;
	char *ids;
	long long id = 0;
	int found, changed = 1, rc_ = 0;

	if (!f->nevents)
		return 0;
	refs = xmalloc(f->nevents * sizeof(*refs));
	memcpy(refs, f->events, f->nevents * sizeof(*refs));
	qsort(refs, f->nevents, sizeof(*refs), cmp_ref);
	strset_add(&rc->emitted, f->key);
	found = existing(rc, f->key, f->summary, f->details, (int)f->severity, (long long)f->nevents,
			 refs[f->nevents - 1].time_ms, &id, &changed);
	if (found < 0 || (found && !changed)) {
		free(refs);
		return found < 0 ? -1 : 0;
	}
	ids = event_ids_json(refs, f->nevents);
	st = store_prepare(rc->db, upsert);
	if (!st) {
		free(refs);
		free(ids);
		return -1;
	}
	bind_opt(st, ":rule", rc->rule->id);
	bind_opt(st, ":key", f->key);
	bind_opt(st, ":group", rc->group);
	bind_opt(st, ":severity", severity_name(f->severity));
	store_bind_int64(st, ":rank", f->severity);
	bind_opt(st, ":event_id", refs[0].event_id);
	bind_opt(st, ":event_ids", ids);
	store_bind_int64(st, ":count", (long long)f->nevents);
	bind_opt(st, ":first", refs[0].event_time);
	bind_opt(st, ":last", refs[f->nevents - 1].event_time);
	store_bind_int64(st, ":first_ms", refs[0].time_ms);
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
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else
		rc_ = error("scan: storing a finding: %s", sqlite3_errmsg(rc->db));
	sqlite3_finalize(st);
	if (!rc_)
		rc_ = write_finding_events(rc, id, refs, f->nevents);
	if (!rc_) {
		if (found)
			rc->t->findings_changed++;
		else
			rc->t->findings_new++;
	}
	free(refs);
	free(ids);
	return rc_;
}

/* Deletes the group's findings that build() did not emit again. */
static int drop_stale(struct rule_ctx *rc)
{
	sqlite3_stmt *st = store_prepare(rc->db,
		"SELECT finding_id, key FROM findings WHERE rule = ?1 AND group_key = ?2");
	sqlite3_stmt *del = store_prepare(rc->db,
		"DELETE FROM findings WHERE finding_id = ?1");
	sqlite3_stmt *del_ev = store_prepare(rc->db,
		"DELETE FROM finding_events WHERE finding_id = ?1");
	int rc_ = 0;

	if (!st || !del || !del_ev)
		rc_ = -1;
	if (!rc_) {
		sqlite3_bind_text(st, 1, rc->rule->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, rc->group, -1, SQLITE_STATIC);
		while (!rc_ && sqlite3_step(st) == SQLITE_ROW) {
			if (strset_has(&rc->emitted, col(st, 1)))
				continue;
			sqlite3_bind_int64(del, 1, sqlite3_column_int64(st, 0));
			sqlite3_bind_int64(del_ev, 1, sqlite3_column_int64(st, 0));
			rc_ = store_step_done(del) || store_step_done(del_ev) ? -1 : 0;
			if (!rc_)
				rc->t->findings_changed++;
		}
	}
	sqlite3_finalize(st);
	sqlite3_finalize(del);
	sqlite3_finalize(del_ev);
	return rc_;
}

/* In a full scan, groups that hold findings are rebuilt even without events. */
static int touch_existing_groups(struct rule_ctx *rc)
{
	sqlite3_stmt *st = store_prepare(rc->db,
		"SELECT DISTINCT group_key FROM findings WHERE rule = ?1");

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, rc->rule->id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		strset_add(&rc->touched, col(st, 0));
	sqlite3_finalize(st);
	return 0;
}

static int build_groups(struct rule_ctx *rc)
{
	strset_unique(&rc->touched);
	for (size_t i = 0; i < rc->touched.n; i++) {
		rc->group = rc->touched.items[i];
		if (rc->rule->build(rc, rc->group) || drop_stale(rc))
			return error("scan: rule %s failed on group '%s'", rc->rule->id, rc->group);
		strset_clear(&rc->emitted);
	}
	rc->group = NULL;
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
	sqlite3_stmt *st = store_prepare(db, "SELECT " EVENT_COLUMNS
					 " FROM event_fields WHERE seq > ?1 ORDER BY seq");
	struct event ev;
	int rc_step;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, from);
	*max_seq = from;
	while ((rc_step = sqlite3_step(st)) == SQLITE_ROW) {
		read_event(st, &ev);
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

static int scan_in_txn(sqlite3 *db, int full, struct scan_totals *t, struct rule_ctx *ctxs, int n)
{
	long long from = -1, max_seq = 0;

	t->scan_id = start_scan(db, full);
	if (t->scan_id < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		ctxs[i].db = db;
		ctxs[i].rule = rules[i];
		ctxs[i].scan_id = t->scan_id;
		ctxs[i].t = t;
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
	int n = 0, rc;

	memset(t, 0, sizeof(*t));
	memset(ctxs, 0, sizeof(ctxs));
	while (rules[n] && n < (int)(sizeof(ctxs) / sizeof(ctxs[0])))
		n++;
	if (store_analyze(db, 1) || store_exec(db, "BEGIN IMMEDIATE"))
		return -1;
	rc = scan_in_txn(db, full, t, ctxs, n);
	for (int i = 0; i < n; i++) {
		strset_clear(&ctxs[i].touched);
		strset_clear(&ctxs[i].emitted);
	}
	if (rc) {
		store_exec(db, "ROLLBACK");
		return -1;
	}
	return store_exec(db, "COMMIT");
}
