/*
 * cause.c - the change that most plausibly made a call fail; see cause.h.
 *
 * The store's index on (event_source, event_name, event_time_ms) gives the
 * successful changes of one service in the window, newest first; each one's
 * record then says what it changed (requestParameters), and the first that
 * changed the failing call's role, policy or key is the cause. Every value
 * read here is attacker-written text: it is only compared and copied (cut
 * to the struct's sizes); jsonw and safetext escape it where it leaves.
 */
#include "cause.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <yajl/yajl_tree.h>

#include "msg.h"
#include "rules.h"
#include "store.h"
#include "ytree.h"

#define IAM "iam.amazonaws.com"
#define ORGS "organizations.amazonaws.com"
#define KMS "kms.amazonaws.com"

/* What a change acts on, and so which failures it can explain. */
enum target { T_ROLE, T_POLICY, T_SCP, T_KEY };

static const struct kind {
	const char *source, *name;
	enum target target;
} kinds[] = {
	{ IAM, "DetachRolePolicy", T_ROLE },
	{ IAM, "DeleteRolePolicy", T_ROLE },
	{ IAM, "PutRolePolicy", T_ROLE },
	{ IAM, "PutRolePermissionsBoundary", T_ROLE },
	{ IAM, "DeleteRolePermissionsBoundary", T_ROLE },
	{ IAM, "UpdateAssumeRolePolicy", T_ROLE },
	{ IAM, "CreatePolicyVersion", T_POLICY },
	{ IAM, "SetDefaultPolicyVersion", T_POLICY },
	{ ORGS, "AttachPolicy", T_SCP },
	{ ORGS, "DetachPolicy", T_SCP },
	{ ORGS, "UpdatePolicy", T_SCP },
	{ KMS, "PutKeyPolicy", T_KEY },
	{ KMS, "DisableKey", T_KEY },
	{ KMS, "ScheduleKeyDeletion", T_KEY },
	{ KMS, "RevokeGrant", T_KEY },
	{ KMS, "RetireGrant", T_KEY },
	{ NULL, NULL, T_ROLE },
};

/* The successful changes of one source in [?2, ?3] of account ?4 (NULL: any), newest first. */
#define CANDIDATES(source, names) \
	"SELECT seq, event_time_ms, event_id, event_time, event_name FROM event_fields" \
	" WHERE event_source = '" source "' AND event_name IN (" names ")" \
	" AND event_time_ms BETWEEN ?2 AND ?3 AND error_code IS NULL" \
	" AND (?4 IS NULL OR coalesce(recipient_account_id, account_id) = ?4)" \
	" ORDER BY event_time_ms DESC, seq DESC"

static const char *const candidate_sql[3] = {
	CANDIDATES(IAM, "'DetachRolePolicy', 'DeleteRolePolicy', 'PutRolePolicy',"
		   " 'PutRolePermissionsBoundary', 'DeleteRolePermissionsBoundary',"
		   " 'UpdateAssumeRolePolicy', 'CreatePolicyVersion', 'SetDefaultPolicyVersion'"),
	CANDIDATES(ORGS, "'AttachPolicy', 'DetachPolicy', 'UpdatePolicy'"),
	CANDIDATES(KMS, "'PutKeyPolicy', 'DisableKey', 'ScheduleKeyDeletion', 'RevokeGrant', 'RetireGrant'"),
};
enum { SRC_IAM, SRC_ORGS, SRC_KMS };

/* The role's policy attachments of account ?1 at or before ?2, newest first. */
static const char attachments_sql[] =
	"SELECT seq, event_name FROM event_fields"
	" WHERE event_source = '" IAM "' AND event_name IN ('AttachRolePolicy', 'DetachRolePolicy')"
	" AND event_time_ms <= ?2 AND error_code IS NULL"
	" AND coalesce(recipient_account_id, account_id) = ?1"
	" ORDER BY event_time_ms DESC, seq DESC";

static const char raw_sql[] = "SELECT raw FROM event_raw WHERE seq = ?1";

static const struct kind *kind_of(const char *source, const char *name)
{
	if (!source || !name)
		return NULL;
	for (const struct kind *k = kinds; k->source; k++)
		if (!strcmp(k->source, source) && !strcmp(k->name, name))
			return k;
	return NULL;
}

int cause_is_change(const struct event *ev)
{
	return !ev->error_code && kind_of(ev->event_source, ev->event_name) != NULL;
}

int cause_span(const struct event *ev, const char **account, long long *from_ms, long long *to_ms)
{
	int attachment = !ev->error_code && ev->event_source && ev->event_name &&
			 !strcmp(ev->event_source, IAM) && !strcmp(ev->event_name, "AttachRolePolicy");

	if (!attachment && !cause_is_change(ev))
		return 0;
	*account = strcmp(ev->event_source, ORGS) ? ev->account : NULL;
	*from_ms = ev->time_ms;
	/* a detach also ends an attachment: later policy changes stop counting */
	if (attachment || !strcmp(ev->event_name, "DetachRolePolicy"))
		*to_ms = LLONG_MAX;
	else
		*to_ms = ev->time_ms > LLONG_MAX - CAUSE_WINDOW_MS ? LLONG_MAX : ev->time_ms + CAUSE_WINDOW_MS;
	return 1;
}

/* A copy cut to n bytes, and back to a whole UTF-8 character when cut. */
static void copy_cut(char *out, size_t n, const char *s)
{
	size_t len, i;
	unsigned char lead;
	size_t need;

	snprintf(out, n, "%s", s ? s : "");
	len = strlen(out);
	if (len + 1 < n)
		return;
	for (i = len; i > 0 && len - i < 4 && ((unsigned char)out[i - 1] & 0xC0) == 0x80; i--)
		;
	if (i == 0)
		return;
	lead = (unsigned char)out[i - 1];
	need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	if (len - (i - 1) < need)
		out[i - 1] = '\0';
}

/* A value a record lacks, shown as "?". */
static const char *shown(const char *s)
{
	return s ? s : "?";
}

/* Formats what, cut like copy_cut(). */
static void what_set(struct cause *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void what_set(struct cause *c, const char *fmt, ...)
{
	char line[sizeof(c->what) + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	copy_cut(c->what, sizeof(c->what), line);
}

/* The last path segment of a name or ARN ("policy/x/Name" gives "Name"). */
static const char *last_segment(const char *s)
{
	const char *p = s ? strrchr(s, '/') : NULL;

	return p && p[1] ? p + 1 : s;
}

/* The role name of a role ARN ("arn:aws:iam::A:role/path/Name"), or NULL. */
static const char *role_name(const char *arn)
{
	if (!arn || strncmp(arn, "arn:", 4) || !strstr(arn, ":role/"))
		return NULL;
	return last_segment(arn);
}

/* What compares of a KMS key reference: a key's id (from its ARN or bare), or "alias/x". */
static const char *key_ref(const char *s)
{
	const char *p;

	if (!s || strncmp(s, "arn:", 4))
		return s;
	if ((p = strstr(s, ":key/")))
		return p + 5;
	if ((p = strstr(s, ":alias/")))
		return p + 1;
	return s;
}

/* The account of a key ARN ("arn:aws:kms:REGION:ACCOUNT:key/..."), into out; 0 when not one. */
static int key_account(const char *s, char *out, size_t n)
{
	const char *p = s;
	size_t len;

	if (!s || strncmp(s, "arn:", 4))
		return 0;
	for (int i = 0; i < 4 && p; i++)
		if ((p = strchr(p, ':')))
			p++;
	if (!p)
		return 0;
	len = strcspn(p, ":");
	if (!len || p[len] != ':' || len >= n)
		return 0;
	memcpy(out, p, len);
	out[len] = '\0';
	return 1;
}

/* The record of event seq, parsed; NULL when absent or not JSON. */
static yajl_val record_of(sqlite3 *db, struct cause_stmts *cs, long long seq)
{
	char err[128];
	yajl_val doc = NULL;

	if (!cs->raw && !(cs->raw = store_prepare(db, raw_sql)))
		return NULL;
	sqlite3_reset(cs->raw);
	sqlite3_bind_int64(cs->raw, 1, seq);
	if (sqlite3_step(cs->raw) == SQLITE_ROW)
		doc = yajl_tree_parse((const char *)sqlite3_column_text(cs->raw, 0), err, sizeof(err));
	sqlite3_reset(cs->raw);
	return doc;
}

static yajl_val params_of(yajl_val doc)
{
	return ytree_get(doc, "requestParameters", yajl_t_object);
}

/*
 * Whether the store shows policy attached to role when the change at
 * before_ms was made: its latest AttachRolePolicy/DetachRolePolicy for the
 * pair by then is an attach. 1, 0, or -1 on a store error.
 */
static int attached(sqlite3 *db, struct cause_stmts *cs, const char *account, const char *role,
		    const char *policy, long long before_ms)
{
	sqlite3_stmt *st;
	int step = SQLITE_DONE, found = 0;

	if (!cs->attachments && !(cs->attachments = store_prepare(db, attachments_sql)))
		return -1;
	st = cs->attachments;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, before_ms);
	while (!found && (step = sqlite3_step(st)) == SQLITE_ROW) {
		int attach = !strcmp((const char *)sqlite3_column_text(st, 1), "AttachRolePolicy");
		yajl_val doc = record_of(db, cs, sqlite3_column_int64(st, 0));
		const char *r = ytree_str(params_of(doc), "roleName");
		const char *p = ytree_str(params_of(doc), "policyArn");

		if (r && p && !strcasecmp(r, role) && !strcmp(p, policy))
			found = attach ? 1 : 2;
		yajl_tree_free(doc);
	}
	if (!found && step != SQLITE_DONE) {
		sqlite3_reset(st);
		return error("cause: %s", sqlite3_errmsg(db));
	}
	sqlite3_reset(st);
	return found == 1;
}

/* A role change: to q's role? Fills what. */
static int match_role(yajl_val params, const char *name, const char *role, struct cause *c)
{
	const char *r = ytree_str(params, "roleName");

	if (!r || !role || strcasecmp(r, role))
		return 0;
	if (!strcmp(name, "DetachRolePolicy"))
		what_set(c, "detached %s from %s", shown(last_segment(ytree_str(params, "policyArn"))), r);
	else if (!strcmp(name, "DeleteRolePolicy"))
		what_set(c, "deleted inline policy %s from %s", shown(ytree_str(params, "policyName")), r);
	else if (!strcmp(name, "PutRolePolicy"))
		what_set(c, "put inline policy %s on %s", shown(ytree_str(params, "policyName")), r);
	else if (!strcmp(name, "PutRolePermissionsBoundary"))
		what_set(c, "set permissions boundary %s on %s",
			 shown(last_segment(ytree_str(params, "permissionsBoundary"))), r);
	else if (!strcmp(name, "DeleteRolePermissionsBoundary"))
		what_set(c, "removed the permissions boundary of %s", r);
	else
		what_set(c, "changed the trust policy of %s", r);
	return 1;
}

/* A new default version of a policy the role has attached? 1, 0 or -1. Fills what. */
static int match_policy(sqlite3 *db, struct cause_stmts *cs, yajl_val params, const char *name,
			const struct cause_query *q, const char *role, long long at_ms, struct cause *c)
{
	const char *policy = ytree_str(params, "policyArn");
	int on;

	if (!policy || !role)
		return 0;
	if (!strcmp(name, "CreatePolicyVersion") && !ytree_true(params, "setAsDefault"))
		return 0;
	on = attached(db, cs, q->account, role, policy, at_ms);
	if (on <= 0)
		return on;
	if (!strcmp(name, "CreatePolicyVersion"))
		what_set(c, "made a new default version of policy %s, attached to %s", last_segment(policy), role);
	else
		what_set(c, "set version %s of policy %s, attached to %s, as default",
			 shown(ytree_str(params, "versionId")), last_segment(policy), role);
	return 1;
}

/* An SCP change that reaches q's account (attached to it, an OU or the root, or any update). */
static int match_scp(yajl_val params, const char *name, const struct cause_query *q, struct cause *c)
{
	const char *policy = shown(ytree_str(params, "policyId"));
	const char *target = ytree_str(params, "targetId");

	if (!strcmp(name, "UpdatePolicy")) {
		what_set(c, "updated SCP %s", policy);
		return 1;
	}
	if (!target || !(!strcmp(target, q->account ? q->account : "") || !strncmp(target, "ou-", 3) ||
			 !strncmp(target, "r-", 2)))
		return 0;
	if (!strcmp(name, "AttachPolicy"))
		what_set(c, "attached SCP %s to %s", policy, target);
	else
		what_set(c, "detached SCP %s from %s", policy, target);
	return 1;
}

/* A change of q's key (the same key id, or the same alias). */
static int match_key(yajl_val params, const char *name, const char *key, struct cause *c)
{
	const char *k = ytree_str(params, "keyId");

	if (!k || strcmp(key_ref(k), key_ref(key)))
		return 0;
	k = key_ref(k);
	if (!strcmp(name, "PutKeyPolicy"))
		what_set(c, "replaced the key policy of KMS key %s", k);
	else if (!strcmp(name, "DisableKey"))
		what_set(c, "disabled KMS key %s", k);
	else if (!strcmp(name, "ScheduleKeyDeletion"))
		what_set(c, "scheduled the deletion of KMS key %s", k);
	else if (!strcmp(name, "RevokeGrant"))
		what_set(c, "revoked grant %s of KMS key %s", shown(ytree_str(params, "grantId")), k);
	else
		what_set(c, "retired grant %s of KMS key %s", shown(ytree_str(params, "grantId")), k);
	return 1;
}

/* Who made the change: an assumed role's session name (an SSO user's email), else the ARN. */
static void who_set(yajl_val doc, struct cause *c)
{
	yajl_val ui = ytree_get(doc, "userIdentity", yajl_t_object);
	const char *type = ytree_str(ui, "type"), *arn = ytree_str(ui, "arn");
	const char *who = arn;

	if (type && arn && !strcmp(type, "AssumedRole") && strstr(arn, ":assumed-role/") &&
	    last_segment(arn) != arn)
		who = last_segment(arn);
	if (!who)
		who = ytree_str(ui, "invokedBy");
	if (!who)
		who = type ? type : "an unknown identity";
	copy_cut(c->who, sizeof(c->who), who);
}

/* Whether the change in doc is to what q failed on. 1 (what filled), 0, or -1. */
static int matches(sqlite3 *db, struct cause_stmts *cs, const struct cause_query *q, yajl_val doc,
		   const char *name, long long at_ms, struct cause *c)
{
	const char *source = ytree_str(doc, "eventSource");
	const struct kind *k = kind_of(source, name);
	yajl_val params = params_of(doc);
	const char *role = role_name(q->role_arn);

	if (!k || !params)
		return 0;
	switch (k->target) {
	case T_ROLE:
		return match_role(params, name, role, c);
	case T_POLICY:
		return match_policy(db, cs, params, name, q, role, at_ms, c);
	case T_SCP:
		return q->scp && match_scp(params, name, q, c);
	case T_KEY:
		return q->key && match_key(params, name, q->key, c);
	}
	return 0;
}

/* The newest change of one source that matches q, into *c. 1, 0 or -1. */
static int find_in_source(sqlite3 *db, struct cause_stmts *cs, int src, const char *account,
			  const struct cause_query *q, struct cause *c)
{
	sqlite3_stmt *st;
	int step = SQLITE_DONE, found = 0;

	if (!cs->candidates[src] && !(cs->candidates[src] = store_prepare(db, candidate_sql[src])))
		return -1;
	st = cs->candidates[src];
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_int64(st, 2, q->first_fail_ms - CAUSE_WINDOW_MS);
	sqlite3_bind_int64(st, 3, q->first_fail_ms);
	if (account)
		sqlite3_bind_text(st, 4, account, -1, SQLITE_TRANSIENT);
	while (!found && (step = sqlite3_step(st)) == SQLITE_ROW) {
		long long seq = sqlite3_column_int64(st, 0), at = sqlite3_column_int64(st, 1);
		yajl_val doc = record_of(db, cs, seq);

		found = doc ? matches(db, cs, q, doc, (const char *)sqlite3_column_text(st, 4), at, c) : 0;
		if (found == 1) {
			c->seq = seq;
			c->time_ms = at;
			copy_cut(c->event_id, sizeof(c->event_id), (const char *)sqlite3_column_text(st, 2));
			copy_cut(c->time, sizeof(c->time), (const char *)sqlite3_column_text(st, 3));
			copy_cut(c->event_name, sizeof(c->event_name), (const char *)sqlite3_column_text(st, 4));
			copy_cut(c->event_source, sizeof(c->event_source), ytree_str(doc, "eventSource"));
			who_set(doc, c);
		}
		yajl_tree_free(doc);
	}
	if (found >= 0 && !found && step != SQLITE_DONE)
		found = error("cause: %s", sqlite3_errmsg(db));
	sqlite3_reset(st);
	return found;
}

int cause_find_in(sqlite3 *db, struct cause_stmts *cs, const struct cause_query *q, struct cause *out)
{
	char key_acct[32];
	struct {
		int src;
		const char *account;
		int wanted;
	} searches[] = {
		{ SRC_IAM, q->account, q->account && role_name(q->role_arn) },
		{ SRC_ORGS, NULL, q->scp },
		{ SRC_KMS, key_account(q->key, key_acct, sizeof(key_acct)) ? key_acct : q->account,
		  q->key && (q->account || key_account(q->key, key_acct, sizeof(key_acct))) },
	};
	int found = 0;

	for (size_t i = 0; i < sizeof(searches) / sizeof(searches[0]); i++) {
		struct cause c;
		int rc;

		if (!searches[i].wanted)
			continue;
		memset(&c, 0, sizeof(c));
		rc = find_in_source(db, cs, searches[i].src, searches[i].account, q, &c);
		if (rc < 0)
			return -1;
		if (rc && (!found || c.time_ms > out->time_ms || (c.time_ms == out->time_ms && c.seq > out->seq))) {
			*out = c;
			found = 1;
		}
	}
	if (found)
		out->fail_ms = q->first_fail_ms;
	return found;
}

void cause_stmts_close(struct cause_stmts *cs)
{
	for (int i = 0; i < 3; i++)
		sqlite3_finalize(cs->candidates[i]);
	sqlite3_finalize(cs->attachments);
	sqlite3_finalize(cs->raw);
	memset(cs, 0, sizeof(*cs));
}

int cause_find(sqlite3 *db, const struct cause_query *q, struct cause *out)
{
	struct cause_stmts cs;
	int rc;

	memset(&cs, 0, sizeof(cs));
	rc = cause_find_in(db, &cs, q, out);
	cause_stmts_close(&cs);
	return rc;
}

void cause_json(struct jsonw *w, const struct cause *c)
{
	if (!c) {
		jsonw_null(w);
		return;
	}
	jsonw_object(w);
	jsonw_kv_string(w, "event_id", c->event_id);
	jsonw_kv_string(w, "event_source", c->event_source);
	jsonw_kv_string(w, "event_name", c->event_name);
	jsonw_kv_string(w, "time", c->time);
	jsonw_kv_string(w, "who", c->who);
	jsonw_kv_string(w, "what", c->what);
	jsonw_end_object(w);
}

/* "HH:MMZ", with "YYYY-MM-DD " before it when dated or not on ref_ms's day (UTC). */
static void clock_text(char out[32], long long ms, long long ref_ms, int dated)
{
	time_t s = (time_t)(ms / 1000 - (ms % 1000 < 0)), r = (time_t)(ref_ms / 1000 - (ref_ms % 1000 < 0));
	struct tm tm, rt;

	if (!gmtime_r(&s, &tm) || !gmtime_r(&r, &rt)) {
		snprintf(out, 32, "?");
		return;
	}
	if (dated || tm.tm_year != rt.tm_year || tm.tm_yday != rt.tm_yday)
		strftime(out, 32, "%Y-%m-%d %H:%MZ", &tm);
	else
		strftime(out, 32, "%H:%MZ", &tm);
}

void cause_phrase(struct buf *b, const struct cause *c)
{
	char at[32];

	clock_text(at, c->time_ms, c->fail_ms, 0);
	buf_addf(b, "after %s %s at %s", c->who, c->what, at);
}

void cause_lead(struct buf *b, const struct cause *c)
{
	char since[32];

	clock_text(since, c->fail_ms, c->fail_ms, 1);
	buf_addf(b, "since %s, ", since);
	cause_phrase(b, c);
	buf_addstr(b, ": ");
}
