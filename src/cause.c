/*
 * cause.c - the change that most plausibly made a call fail; see cause.h.
 *
 * A scan builds many groups and asks for each one's cause, while a store
 * holds few changes: so the first question of a scan about a service reads
 * that service's successful changes once (by the index on event_source and
 * event_name), parses each record once for what it acts on (the roleName,
 * policyArn, targetId or keyId of its requestParameters), and keeps them in
 * time order. A question is then a binary search for the first failure and
 * a walk back through the window to the first change that fits; only that
 * change's record is read again, for who made it and what it did. Every
 * value read here is attacker-written text: it is only compared and copied
 * (cut to the struct's sizes); jsonw and safetext escape it where it leaves.
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
enum target { T_ROLE, T_POLICY, T_SCP, T_KEY, T_ATTACH, T_ALIAS };

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
	/* no causes, but they decide what counts: whether a policy is attached, what an alias names */
	{ IAM, "AttachRolePolicy", T_ATTACH },
	{ KMS, "CreateAlias", T_ALIAS },
	{ KMS, "UpdateAlias", T_ALIAS },
	{ KMS, "DeleteAlias", T_ALIAS },
	{ NULL, NULL, T_ROLE },
};

enum { SRC_IAM, SRC_ORGS, SRC_KMS, NSRC };
static const char *const sources[NSRC] = { IAM, ORGS, KMS };

/* The successful calls of one name, for the index below. */
static const char changes_sql[] =
	"SELECT seq, event_time_ms, coalesce(recipient_account_id, account_id), aws_region, invoked_by"
	" FROM event_fields WHERE event_source = ?1 AND event_name = ?2 AND error_code IS NULL";

/*
 * A grant a service retires or revokes for itself (EBS, after the volume
 * work it made the grant for) is housekeeping, not someone breaking the key.
 */
static int housekeeping(const struct kind *k, const char *invoked_by)
{
	return invoked_by && *invoked_by && !strcmp(k->source, KMS) && strstr(k->name, "Grant");
}

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
	const struct kind *k = ev->error_code ? NULL : kind_of(ev->event_source, ev->event_name);

	return k && k->target != T_ATTACH && k->target != T_ALIAS;
}

int cause_span(const struct event *ev, const char **account, long long *from_ms, long long *to_ms)
{
	const struct kind *k = ev->error_code ? NULL : kind_of(ev->event_source, ev->event_name);
	int attachment = k && (k->target == T_ATTACH || k->target == T_ALIAS);

	if (!k)
		return 0;
	*account = strcmp(ev->event_source, ORGS) ? ev->account : NULL;
	*from_ms = ev->time_ms;
	/* an attachment or alias counts for every later change; a detach also ends an attachment */
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

/* Field i of a KMS ARN (3 region, 4 account: "arn:aws:kms:REGION:ACCOUNT:key/..."), into out; 0 when none. */
static int arn_field(const char *s, int i, char *out, size_t n)
{
	const char *p = s;
	size_t len;

	if (!s || strncmp(s, "arn:", 4))
		return 0;
	for (int k = 0; k < i && p; k++)
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
static yajl_val record_of(sqlite3 *db, struct cause_cache *cs, long long seq)
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

/* One successful change (or attachment) of a source, as its record names what it acts on. */
struct change {
	long long seq, time_ms;
	const struct kind *kind;
	char *account;               /* whose trail: recipientAccountId, else the caller's */
	char *target;                /* roleName; a policy version's policyArn; an SCP's targetId
					(NULL: UpdatePolicy); a key's keyId reduced by key_ref() */
	char *policy;                /* Attach/DetachRolePolicy: the policyArn; an alias's key (key_ref) */
	char *region;                /* awsRegion: an alias names a key in its region */
};

/* A source's changes in time order (then seq). */
struct cause_changes {
	struct change *v;
	size_t n, cap;
};

static int change_cmp(const void *a, const void *b)
{
	const struct change *x = a, *y = b;

	if (x->time_ms != y->time_ms)
		return x->time_ms < y->time_ms ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* What a change acts on, from its record; 0 when it acts on nothing a cause can be. */
static int change_read(yajl_val doc, const struct kind *k, struct change *ch)
{
	yajl_val params = params_of(doc);
	const char *target = NULL;

	switch (k->target) {
	case T_ROLE:
	case T_ATTACH:
		target = ytree_str(params, "roleName");
		ch->policy = dup_or_null(ytree_str(params, "policyArn"));
		break;
	case T_POLICY:
		if (!strcmp(k->name, "CreatePolicyVersion") && !ytree_true(params, "setAsDefault"))
			return 0;
		target = ytree_str(params, "policyArn");
		break;
	case T_SCP:
		target = ytree_str(params, "targetId");
		if (!target && strcmp(k->name, "UpdatePolicy"))
			return 0;
		break;
	case T_KEY:
		target = key_ref(ytree_str(params, "keyId"));
		break;
	case T_ALIAS:
		target = key_ref(ytree_str(params, "aliasName"));
		ch->policy = dup_or_null(key_ref(ytree_str(params, "targetKeyId")));
		break;
	}
	if (!target && k->target != T_SCP) {
		free(ch->policy);
		return 0;
	}
	ch->target = dup_or_null(target);
	return 1;
}

/* Adds the successful calls of kind k to list. 0 or -1. */
static int changes_add(sqlite3 *db, struct cause_cache *cache, sqlite3_stmt *st, const struct kind *k,
		       struct cause_changes *list)
{
	int step;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, k->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->name, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct change ch;
		yajl_val doc;

		memset(&ch, 0, sizeof(ch));
		ch.seq = sqlite3_column_int64(st, 0);
		ch.time_ms = sqlite3_column_int64(st, 1);
		ch.kind = k;
		if (housekeeping(k, (const char *)sqlite3_column_text(st, 4)))
			continue;
		doc = record_of(db, cache, ch.seq);
		if (doc && change_read(doc, k, &ch)) {
			ch.account = dup_or_null((const char *)sqlite3_column_text(st, 2));
			ch.region = dup_or_null((const char *)sqlite3_column_text(st, 3));
			if (list->n == list->cap) {
				list->cap = list->cap ? list->cap * 2 : 64;
				list->v = xrealloc(list->v, list->cap * sizeof(*list->v));
			}
			list->v[list->n++] = ch;
		}
		yajl_tree_free(doc);
	}
	sqlite3_reset(st);
	return step == SQLITE_DONE ? 0 : error("cause: %s", sqlite3_errmsg(db));
}

static void changes_free(struct cause_changes *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->n; i++) {
		free(list->v[i].account);
		free(list->v[i].target);
		free(list->v[i].policy);
		free(list->v[i].region);
	}
	free(list->v);
	free(list);
}

/* The changes of source src, read on first use (each a range of the index on source and name). */
static struct cause_changes *changes_of(sqlite3 *db, struct cause_cache *cache, int src)
{
	struct cause_changes *list;
	sqlite3_stmt *st;
	int rc = 0;

	if (cache->changes[src])
		return cache->changes[src];
	st = store_prepare(db, changes_sql);
	if (!st)
		return NULL;
	list = xcalloc(1, sizeof(*list));
	for (const struct kind *k = kinds; k->source && !rc; k++)
		if (!strcmp(k->source, sources[src]))
			rc = changes_add(db, cache, st, k, list);
	sqlite3_finalize(st);
	if (rc) {
		changes_free(list);
		return NULL;
	}
	if (list->n)
		qsort(list->v, list->n, sizeof(*list->v), change_cmp);
	cache->changes[src] = list;
	return list;
}

/* The number of changes at or before ms: the one after the last to look at. */
static size_t changes_upto(const struct cause_changes *list, long long ms)
{
	size_t lo = 0, hi = list->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (list->v[mid].time_ms <= ms)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int same_str(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/*
 * Whether the store shows policy attached to role when a change at at_ms
 * was made: the latest AttachRolePolicy/DetachRolePolicy of the pair by
 * then is an attach.
 */
static int attached(const struct cause_changes *iam, const char *account, const char *role,
		    const char *policy, long long at_ms)
{
	for (size_t i = changes_upto(iam, at_ms); i-- > 0;) {
		const struct change *ch = &iam->v[i];

		if ((ch->kind->target == T_ATTACH || !strcmp(ch->kind->name, "DetachRolePolicy")) &&
		    same_str(ch->account, account) && same_str(ch->policy, policy) && !strcasecmp(ch->target, role))
			return ch->kind->target == T_ATTACH;
	}
	return 0;
}

/* What a role change did (role: its name as the record writes it). */
static void describe_role(struct cause *c, yajl_val params, const char *name, const char *role)
{
	if (!strcmp(name, "DetachRolePolicy"))
		what_set(c, "detached %s from %s", shown(last_segment(ytree_str(params, "policyArn"))), role);
	else if (!strcmp(name, "DeleteRolePolicy"))
		what_set(c, "deleted inline policy %s from %s", shown(ytree_str(params, "policyName")), role);
	else if (!strcmp(name, "PutRolePolicy"))
		what_set(c, "put inline policy %s on %s", shown(ytree_str(params, "policyName")), role);
	else if (!strcmp(name, "PutRolePermissionsBoundary"))
		what_set(c, "set permissions boundary %s on %s",
			 shown(last_segment(ytree_str(params, "permissionsBoundary"))), role);
	else if (!strcmp(name, "DeleteRolePermissionsBoundary"))
		what_set(c, "removed the permissions boundary of %s", role);
	else
		what_set(c, "changed the trust policy of %s", role);
}

/* What a change did: one line into c->what (role: the failing role's name, for policy changes). */
static void describe(struct cause *c, yajl_val doc, const struct kind *k, const char *role)
{
	yajl_val params = params_of(doc);
	const char *name = k->name;
	const char *policy = shown(last_segment(ytree_str(params, "policyArn")));
	const char *scp = shown(ytree_str(params, "policyId")), *target = shown(ytree_str(params, "targetId"));
	const char *key = shown(key_ref(ytree_str(params, "keyId"))), *grant = shown(ytree_str(params, "grantId"));

	if (k->target == T_ROLE)
		describe_role(c, params, name, shown(ytree_str(params, "roleName")));
	else if (!strcmp(name, "CreatePolicyVersion"))
		what_set(c, "made a new default version of policy %s, attached to %s", policy, role);
	else if (!strcmp(name, "SetDefaultPolicyVersion"))
		what_set(c, "set version %s of policy %s, attached to %s, as default",
			 shown(ytree_str(params, "versionId")), policy, role);
	else if (!strcmp(name, "UpdatePolicy"))
		what_set(c, "updated SCP %s", scp);
	else if (!strcmp(name, "AttachPolicy"))
		what_set(c, "attached SCP %s to %s", scp, target);
	else if (!strcmp(name, "DetachPolicy"))
		what_set(c, "detached SCP %s from %s", scp, target);
	else if (!strcmp(name, "PutKeyPolicy"))
		what_set(c, "replaced the key policy of KMS key %s", key);
	else if (!strcmp(name, "DisableKey"))
		what_set(c, "disabled KMS key %s", key);
	else if (!strcmp(name, "ScheduleKeyDeletion"))
		what_set(c, "scheduled the deletion of KMS key %s", key);
	else if (!strcmp(name, "RevokeGrant"))
		what_set(c, "revoked grant %s of KMS key %s", grant, key);
	else
		what_set(c, "retired grant %s of KMS key %s", grant, key);
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

/*
 * The key (key_ref) that alias key ("alias/x" or an alias ARN, which also
 * names the region) named at ms by the account's CreateAlias, UpdateAlias
 * and DeleteAlias calls in the store; NULL when key is no alias or the
 * store does not say.
 */
static const char *alias_target(const struct cause_changes *kms, const char *account, const char *key,
				long long ms)
{
	const char *alias = key_ref(key);
	char region[64];
	int in_region = arn_field(key, 3, region, sizeof(region));

	if (!alias || strncmp(alias, "alias/", 6))
		return NULL;
	for (size_t i = changes_upto(kms, ms); i-- > 0;) {
		const struct change *ch = &kms->v[i];

		if (ch->kind->target == T_ALIAS && same_str(ch->target, alias) && same_str(ch->account, account) &&
		    (!in_region || same_str(ch->region, region)))
			return ch->policy; /* NULL after a DeleteAlias */
	}
	return NULL;
}

/*
 * Whether the change ch can have made q's call fail (account: whose changes
 * count, NULL any; alias_key: the key q's alias named at the failure).
 */
static int change_fits(const struct change *ch, const struct cause_query *q, const char *account,
		       const char *role, const struct cause_changes *iam, const char *alias_key)
{
	const char *t = ch->target;

	if (account && !same_str(ch->account, account))
		return 0;
	switch (ch->kind->target) {
	case T_ROLE:
		return role && !strcasecmp(t, role);
	case T_POLICY:
		return role && attached(iam, account, role, t, ch->time_ms);
	case T_SCP:
		/* an update reaches wherever the policy is attached; an attachment, its target */
		return q->scp && (!t || same_str(t, q->account) || !strncmp(t, "ou-", 3) || !strncmp(t, "r-", 2));
	case T_KEY:
		return q->key && (!strcmp(t, key_ref(q->key)) || same_str(t, alias_key));
	case T_ATTACH:
	case T_ALIAS:
		return 0;
	}
	return 0;
}

/* Fills c from the change's record. 0, or -1 when the record cannot be read. */
static int cause_fill(sqlite3 *db, struct cause_cache *cache, const struct change *ch, const char *role,
		      struct cause *c)
{
	yajl_val doc = record_of(db, cache, ch->seq);

	if (!doc)
		return error("cause: cannot read the record of event %lld", ch->seq);
	memset(c, 0, sizeof(*c));
	c->seq = ch->seq;
	c->time_ms = ch->time_ms;
	copy_cut(c->event_id, sizeof(c->event_id), ytree_str(doc, "eventID"));
	copy_cut(c->event_source, sizeof(c->event_source), ch->kind->source);
	copy_cut(c->event_name, sizeof(c->event_name), ch->kind->name);
	copy_cut(c->time, sizeof(c->time), ytree_str(doc, "eventTime"));
	who_set(doc, c);
	describe(c, doc, ch->kind, role);
	yajl_tree_free(doc);
	return 0;
}

/*
 * The newest change of source src in q's window that fits q (the changes
 * are in time order: a binary search finds the window's end), into *c.
 * 1, 0 or -1.
 */
static int find_in_source(sqlite3 *db, struct cause_cache *cache, int src, const char *account,
			  const struct cause_query *q, struct cause *c)
{
	const struct cause_changes *list = changes_of(db, cache, src), *iam = list;
	const char *role = role_name(q->role_arn), *alias_key = NULL;

	if (!list || (src != SRC_IAM && !(iam = changes_of(db, cache, SRC_IAM))))
		return -1;
	if (src == SRC_KMS)
		alias_key = alias_target(list, account, q->key, q->first_fail_ms);
	for (size_t i = changes_upto(list, q->first_fail_ms); i-- > 0;) {
		const struct change *ch = &list->v[i];

		if (ch->time_ms < q->first_fail_ms - CAUSE_WINDOW_MS)
			break;
		if (change_fits(ch, q, account, role, iam, alias_key))
			return cause_fill(db, cache, ch, role, c) ? -1 : 1;
	}
	return 0;
}

int cause_find_in(sqlite3 *db, struct cause_cache *cache, const struct cause_query *q, struct cause *out)
{
	char key_acct[32];
	int key_arn = arn_field(q->key, 4, key_acct, sizeof(key_acct));
	struct {
		int src;
		const char *account;
		int wanted;
	} searches[] = {
		{ SRC_IAM, q->account, q->account && role_name(q->role_arn) },
		{ SRC_ORGS, NULL, q->scp },
		/* a key's changes are in its owner's trail */
		{ SRC_KMS, key_arn ? key_acct : q->account, q->key && (key_arn || q->account) },
	};
	int found = 0;

	for (size_t i = 0; i < sizeof(searches) / sizeof(searches[0]); i++) {
		struct cause c;
		int rc;

		if (!searches[i].wanted)
			continue;
		rc = find_in_source(db, cache, searches[i].src, searches[i].account, q, &c);
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

void cause_cache_close(struct cause_cache *cache)
{
	for (int i = 0; i < NSRC; i++)
		changes_free(cache->changes[i]);
	sqlite3_finalize(cache->raw);
	memset(cache, 0, sizeof(*cache));
}

int cause_find(sqlite3 *db, const struct cause_query *q, struct cause *out)
{
	struct cause_cache cache;
	int rc;

	memset(&cache, 0, sizeof(cache));
	rc = cause_find_in(db, &cache, q, out);
	cause_cache_close(&cache);
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
