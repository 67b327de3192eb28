/*
 * replication_kms.c - rule replication-kms: the KMS key the replication
 * path encrypts with, failing for MGN/DRS or broken by a change.
 *
 * Replication-server volumes and snapshots are encrypted with the key the
 * replication settings name (ebsEncryption CUSTOM + ebsEncryptionKeyArn) or
 * the account's EBS default key (ModifyEbsDefaultKmsKeyId); when the MGN/DRS
 * roles cannot use it, volume and snapshot creation fails and the sync stops
 * at "Creating First Launchable Snapshot".
 *
 * The group is the key (account, region, id: kmskey.h), and everything that
 * tells about it is a member: what shows the replication path uses it
 * (settings calls naming it, MGN/DRS principals' KMS calls on it, including
 * those EBS makes on their behalf, grants to MGN/DRS roles), its failures for
 * MGN/DRS principals, and the changes that can break it. So a settings call
 * read in a later scan than a DisableKey rebuilds the group and flags it, as
 * `scan --all` would. EC2 calls by MGN/DRS whose error names KMS join the
 * group of the key they name, or the group of no key ("") when they name
 * none.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "buf.h"
#include "cause.h"
#include "jsonw.h"
#include "kmskey.h"
#include "mgn.h"
#include "msg.h"
#include "rules.h"
#include "staging.h"

/* What a member of a key's group is. */
enum kind {
	K_NONE,      /* not this rule's */
	K_USE,       /* an MGN/DRS principal's KMS call on the key that succeeded */
	K_FAIL,      /* an MGN/DRS principal's KMS call that failed, or its EC2 call failing on KMS */
	K_SETTING,   /* a settings call naming the key */
	K_GRANT,     /* someone else's CreateGrant to an MGN/DRS role (check() read the grantee) */
	K_CHANGE,    /* DisableKey, ScheduleKeyDeletion, PutKeyPolicy; grants revoked or retired by others */
};

#define KMS "kms.amazonaws.com"
#define EC2 "ec2.amazonaws.com"

/* The KMS calls the replication path makes (a '*' ends a prefix). */
static const char *const use_names[] = {
	"CreateGrant", "GenerateDataKey*", "Decrypt", "ReEncrypt*", "DescribeKey", NULL
};

/* The errors that mean the key could not be used (AccessDenied: CloudTrail's short spelling). */
static const char *const fail_codes[] = {
	"AccessDeniedException", "AccessDenied", "KMSInvalidStateException", "DisabledException",
	"NotFoundException", "KeyUnavailableException", NULL
};

/* The changes that can break a key, and how bad each is for a key in use. */
static const struct change_name {
	const char *name;
	enum severity severity;
	const char *verb;            /* for the summary */
} change_names[] = {
	{ "DisableKey", SEV_HIGH, "disabled" },
	{ "ScheduleKeyDeletion", SEV_HIGH, "scheduled for deletion" },
	{ "PutKeyPolicy", SEV_MEDIUM, "given a new key policy (the store cannot tell whether it still admits the MGN/DRS roles)" },
	{ "RevokeGrant", SEV_MEDIUM, "stripped of a grant to MGN/DRS (revoked)" },
	{ "RetireGrant", SEV_MEDIUM, "stripped of a grant to MGN/DRS (retired)" },
	{ NULL, SEV_INFO, NULL },
};

static int name_in(const char *name, const char *const *list)
{
	for (int i = 0; name && list[i]; i++) {
		size_t n = strlen(list[i]);

		if (list[i][n - 1] == '*' ? !strncmp(name, list[i], n - 1) : !strcmp(name, list[i]))
			return 1;
	}
	return 0;
}

static const struct change_name *change_of(const char *name)
{
	for (const struct change_name *c = change_names; name && c->name; c++)
		if (!strcmp(name, c->name))
			return c;
	return NULL;
}

/* Whether s holds "kms" in any case: an EC2 error about the key (InvalidKMSKey.*, "KMS key"). */
static int names_kms(const char *s)
{
	for (; s && s[0] && s[1] && s[2]; s++)
		if ((s[0] | 0x20) == 'k' && (s[1] | 0x20) == 'm' && (s[2] | 0x20) == 's')
			return 1;
	return 0;
}

static int is(const char *a, const char *b)
{
	return a && !strcmp(a, b);
}

/* The kind of ev from its fields; K_GRANT and K_SETTING still need the record read. */
static enum kind kind_of(const struct event *ev)
{
	if (is(ev->event_source, KMS)) {
		if (ev->error_code)
			return ev->related && name_in(ev->event_name, use_names) &&
			       name_in(ev->error_base, fail_codes) ? K_FAIL : K_NONE;
		/* MGN/DRS, or EBS for them, retiring their own grants is their lifecycle */
		if (change_of(ev->event_name))
			return strstr(ev->event_name, "Grant") && (ev->related || ev->invoked_by) ? K_NONE : K_CHANGE;
		if (ev->related && name_in(ev->event_name, use_names))
			return K_USE;
		return is(ev->event_name, "CreateGrant") ? K_GRANT : K_NONE;
	}
	if (is(ev->event_source, EC2)) {
		if (!ev->error_code)
			return is(ev->event_name, "ModifyEbsDefaultKmsKeyId") ? K_SETTING : K_NONE;
		return ev->related && (names_kms(ev->error_code) || names_kms(ev->error_message)) ? K_FAIL : K_NONE;
	}
	return !ev->error_code && mgn_settings_call(ev->event_source, ev->event_name) ? K_SETTING : K_NONE;
}

/* Whether a grantee (an ARN or service principal) is an MGN/DRS role or service. */
static int grantee_is_mgn(const char *grantee)
{
	return grantee && mgn_related(NULL, grantee, NULL, NULL, grantee, NULL);
}

/* The key a settings call names: CUSTOM's ebsEncryptionKeyArn, EC2's new default key; NULL if none. */
static const char *settings_key(yajl_val doc, const struct event *ev)
{
	yajl_val p = ctj_params(doc);
	const char *enc;

	if (is(ev->event_source, EC2))
		return ctj_str(ctj_get(p, "kmsKeyId"));
	enc = ctj_str(ctj_get(p, "ebsEncryption"));
	return enc && !strcmp(enc, "CUSTOM") ? ctj_str(ctj_get(p, "ebsEncryptionKeyArn")) : NULL;
}

/* The key an EC2 call failing on KMS used: its kmsKeyId, else a key ARN its message names. */
static const char *ec2_key(yajl_val doc, const struct event *ev, char *tmp, size_t n)
{
	const char *k = ctj_find(ctj_params(doc), "kmsKeyId");

	if (k)
		return k;
	return kmskey_in_text(ev->error_message, tmp, n) ? NULL : tmp;
}

/*
 * Sets *key to the key ev is about (id "" when the record names none) and
 * returns 1, or returns 0 when ev is not a member after all (a settings call
 * without a custom key, a grant to someone else, a change naming no key).
 */
static int key_of(struct rule_ctx *rc, const struct event *ev, enum kind k, struct kms_key *key)
{
	yajl_val doc = rule_event_record(rc, ev->seq);
	char tmp[512];
	const char *ref;
	int member = 1;

	if (k == K_SETTING)
		ref = settings_key(doc, ev);
	else if (k == K_FAIL && is(ev->event_source, EC2))
		ref = ec2_key(doc, ev, tmp, sizeof(tmp));
	else
		ref = kmskey_of_record(doc);
	if (k == K_GRANT)
		member = grantee_is_mgn(ctj_str(ctj_get(ctj_params(doc), "granteePrincipal")));
	if (kmskey_parse(ref, ev->account, ev->aws_region, key)) {
		/* only a failure is worth keeping without a key: it is still a failure */
		member = member && k == K_FAIL;
		memset(key, 0, sizeof(*key));
		snprintf(key->account, sizeof(key->account), "%s", ev->account ? ev->account : "");
		snprintf(key->region, sizeof(key->region), "%s", ev->aws_region ? ev->aws_region : "");
	}
	yajl_tree_free(doc);
	return member;
}

static int check(struct rule_ctx *rc, const struct event *ev)
{
	enum kind k = kind_of(ev);
	struct kms_key key;
	const char *v[3], *account;
	long long from, to;

	/* a change that may explain earlier failures (or an alias or attachment that decides which
	   changes count): their findings are rebuilt (an SCP's in any account) */
	if (cause_span(ev, &account, &from, &to) && rule_touch_findings(rc, account, from, to))
		return RULE_ERROR;
	if (k == K_NONE)
		return RULE_DECLINED;
	if (!key_of(rc, ev, k, &key))
		return RULE_DECLINED;
	v[0] = key.account;
	v[1] = key.region;
	v[2] = key.id;
	return rule_touch_values(rc, ev, v, 3) ? RULE_ERROR : RULE_OK;
}

/* The failures of one principal and call on the key. */
struct failure {
	struct event_refs refs;
	char principal[256];
	char principal_arn[256];
	char source[64];
	char name[64];
	long long through_ebs;       /* calls EBS made on the principal's behalf */
	struct {
		char code[64];
		long n;
	} codes[8];                  /* error codes in the order first seen */
	int ncodes;
	char sample[400];            /* the first error message */
};

/* One change of the key. */
struct change {
	struct event_ref ref;
	const struct change_name *what;
	char principal[256];
	char who[256];               /* the session or user that made it */
};

#define SETTINGS_KEPT 8          /* settings calls named in details */

/* What shows the replication path uses the key: the first of each kind. */
struct evidence {
	long settings, uses, grants;
	struct event_ref setting, use, grant;
	char setting_call[80];       /* "mgn:UpdateReplicationConfiguration" */
	char use_call[80];           /* "kms:GenerateDataKey" */
	char use_by[256];            /* the principal's name */
	struct event_ref settings_refs[SETTINGS_KEPT]; /* the first settings calls, for details */
};

struct group {
	struct failure *f;
	size_t nf;
	struct change *c;
	size_t nc;
	long long *grant_seqs;       /* CreateGrant calls, read only when a grant is revoked */
	size_t ngrants, grants_cap;  /* EBS makes one per volume: grown by doubling */
	struct evidence ev;
};

static struct failure *failure_for(struct group *g, const struct event *ev)
{
	const char *principal = ev->principal ? ev->principal : "";
	struct failure *f;

	for (size_t i = 0; i < g->nf; i++)
		if (!strcmp(g->f[i].principal, principal) && !strcmp(g->f[i].source, ev->event_source) &&
		    !strcmp(g->f[i].name, ev->event_name))
			return &g->f[i];
	g->f = xrealloc(g->f, (g->nf + 1) * sizeof(*g->f));
	f = &g->f[g->nf++];
	memset(f, 0, sizeof(*f));
	snprintf(f->principal, sizeof(f->principal), "%s", principal);
	snprintf(f->principal_arn, sizeof(f->principal_arn), "%s", ev->principal_arn ? ev->principal_arn : "");
	snprintf(f->source, sizeof(f->source), "%s", ev->event_source);
	snprintf(f->name, sizeof(f->name), "%s", ev->event_name);
	return f;
}

static void add_failure(struct group *g, const struct event *ev)
{
	struct failure *f = failure_for(g, ev);
	int i;

	event_refs_add(&f->refs, ev);
	if (is(ev->invoked_by, EC2) || is(ev->source_ip, EC2))
		f->through_ebs++;
	for (i = 0; i < f->ncodes && strcmp(f->codes[i].code, ev->error_code); i++)
		;
	if (i == f->ncodes && f->ncodes < (int)(sizeof(f->codes) / sizeof(f->codes[0])))
		snprintf(f->codes[f->ncodes++].code, sizeof(f->codes[0].code), "%s", ev->error_code);
	if (i < f->ncodes)
		f->codes[i].n++;
	if (!f->sample[0] && ev->error_message)
		snprintf(f->sample, sizeof(f->sample), "%s", ev->error_message);
}

static void add_change(struct group *g, const struct event *ev)
{
	struct change *c;

	g->c = xrealloc(g->c, (g->nc + 1) * sizeof(*g->c));
	c = &g->c[g->nc++];
	memset(c, 0, sizeof(*c));
	event_ref_set(&c->ref, ev);
	c->what = change_of(ev->event_name);
	snprintf(c->principal, sizeof(c->principal), "%s", ev->principal ? ev->principal : "");
	snprintf(c->who, sizeof(c->who), "%s",
		 arn_short_name(ev->principal_arn ? ev->principal_arn : ev->principal ? ev->principal : "?"));
}

static void add_grant(struct group *g, const struct event *ev)
{
	if (g->ngrants == g->grants_cap) {
		g->grants_cap = g->grants_cap ? 2 * g->grants_cap : 64;
		g->grant_seqs = xrealloc(g->grant_seqs, g->grants_cap * sizeof(*g->grant_seqs));
	}
	g->grant_seqs[g->ngrants++] = ev->seq;
}

static void add_evidence(struct evidence *e, const struct event *ev, enum kind k)
{
	if (k == K_SETTING) {
		if (e->settings < SETTINGS_KEPT)
			event_ref_set(&e->settings_refs[e->settings], ev);
		if (!e->settings++) {
			event_ref_set(&e->setting, ev);
			snprintf(e->setting_call, sizeof(e->setting_call), "%.*s:%s",
				 (int)strcspn(ev->event_source, "."), ev->event_source, ev->event_name);
		}
	} else if (k == K_USE || k == K_FAIL) {
		if (!e->uses++) {
			event_ref_set(&e->use, ev);
			snprintf(e->use_call, sizeof(e->use_call), "%.*s:%s",
				 (int)strcspn(ev->event_source, "."), ev->event_source, ev->event_name);
			snprintf(e->use_by, sizeof(e->use_by), "%s", arn_short_name(ev->principal ? ev->principal : "?"));
		}
	} else if (k == K_GRANT) {
		if (!e->grants++)
			event_ref_set(&e->grant, ev);
	}
}

static int collect(void *arg, const struct event *ev)
{
	struct group *g = arg;
	enum kind k = kind_of(ev);

	add_evidence(&g->ev, ev, k);
	if (k == K_FAIL)
		add_failure(g, ev);
	else if (k == K_CHANGE)
		add_change(g, ev);
	if ((k == K_USE || k == K_GRANT) && is(ev->event_name, "CreateGrant"))
		add_grant(g, ev);
	return 0;
}

static int in_use(const struct evidence *e)
{
	return e->settings || e->uses || e->grants;
}

/* "named by mgn:UpdateReplicationConfiguration at T", or how else the store shows the key in use. */
static void in_use_text(struct buf *b, const struct evidence *e)
{
	if (e->settings)
		buf_addf(b, "named by %s at %s", e->setting_call, e->setting.event_time);
	else if (e->uses)
		buf_addf(b, "used by %s (%s at %s, %ld call%s)", e->use_by, e->use_call, e->use.event_time,
			 e->uses, e->uses == 1 ? "" : "s");
	else
		buf_addf(b, "granted to MGN/DRS at %s", e->grant.event_time);
}

static void in_use_json(struct jsonw *w, const struct evidence *e)
{
	long n = e->settings < SETTINGS_KEPT ? e->settings : SETTINGS_KEPT;

	jsonw_key(w, "key_in_use_by");
	jsonw_object(w);
	jsonw_key(w, "settings_calls");
	jsonw_array(w);
	for (long i = 0; i < n; i++)
		jsonw_string(w, e->settings_refs[i].event_id);
	jsonw_end_array(w);
	jsonw_kv_int(w, "settings_count", e->settings);
	jsonw_kv_int(w, "kms_calls", e->uses);
	jsonw_kv_string(w, "first_kms_call", e->uses ? e->use.event_id : NULL);
	jsonw_kv_string(w, "kms_call_by", e->uses ? e->use_by : NULL);
	jsonw_kv_int(w, "grants", e->grants);
	jsonw_end_object(w);
}

/* The key as the first failure gave it, and the key's fullest name for cause_find(). */
static void failure_key(struct rule_ctx *rc, const struct failure *f, char *given, char *full, size_t n)
{
	yajl_val doc = rule_event_record(rc, f->refs.v[0].seq);
	const char *g = NULL, *k = NULL;
	char tmp[512];

	if (!strcmp(f->source, KMS)) {
		g = kmskey_as_given(doc);
		k = kmskey_of_record(doc);
	} else if (doc) {
		g = k = ctj_find(ctj_params(doc), "kmsKeyId");
		if (!g && !kmskey_in_text(f->sample, tmp, sizeof(tmp)))
			g = k = tmp;
	}
	snprintf(given, n, "%s", g ? g : k ? k : "");
	snprintf(full, n, "%s", k ? k : g ? g : "");
	yajl_tree_free(doc);
}

static void codes_text(struct buf *b, const struct failure *f)
{
	for (int i = 0; i < f->ncodes; i++)
		buf_addf(b, "%s%s (%ld)", i ? ", " : "", f->codes[i].code, f->codes[i].n);
}

static char *failure_details(const struct failure *f, char *const *p, const char *given,
			     const struct evidence *e, const struct cause *cause)
{
	struct buf b;
	struct jsonw w;
	char action[96];

	snprintf(action, sizeof(action), "%.*s:%s", (int)strcspn(f->source, "."), f->source, f->name);
	buf_init(&b, 1u << 20);
	jsonw_init(&w, &b);
	jsonw_object(&w);
	jsonw_kv_string(&w, "kind", "failure");
	jsonw_kv_string(&w, "key", given[0] ? given : NULL);
	jsonw_kv_string(&w, "key_id", p[2][0] ? p[2] : NULL);
	jsonw_kv_string(&w, "action", action);
	jsonw_kv_string(&w, "principal", f->principal);
	jsonw_kv_string(&w, "principal_name", arn_short_name(f->principal));
	jsonw_kv_string(&w, "session_arn", f->principal_arn[0] ? f->principal_arn : NULL);
	jsonw_kv_int(&w, "count", (long long)f->refs.n);
	jsonw_kv_int(&w, "through_ebs", f->through_ebs);
	jsonw_key(&w, "error_codes");
	jsonw_object(&w);
	for (int i = 0; i < f->ncodes; i++)
		jsonw_kv_int(&w, f->codes[i].code, f->codes[i].n);
	jsonw_end_object(&w);
	jsonw_kv_string(&w, "sample_message", f->sample[0] ? f->sample : NULL);
	in_use_json(&w, e);
	jsonw_key(&w, "cause");
	cause_json(&w, cause);
	jsonw_end_object(&w);
	return buf_detach(&b, NULL);
}

/* The finding of one principal's failures of one call on the key; members come in time order. */
static int emit_failure(struct rule_ctx *rc, char *const *p, const struct failure *f, const struct evidence *e)
{
	const char *const kv[] = { p[0], p[1], p[2], f->principal, f->source, f->name };
	char given[512], full[512];
	struct cause_query q;
	struct cause cause;
	struct buf summary;
	struct finding fi;
	char *details, *key;
	int found, rc_;

	failure_key(rc, f, given, full, sizeof(given));
	memset(&q, 0, sizeof(q));
	q.account = p[0];
	q.role_arn = f->principal;
	q.key = full[0] ? full : NULL;
	q.scp = strstr(f->sample, "service control policy") != NULL;
	q.first_fail_ms = f->refs.v[0].time_ms;
	found = rule_cause(rc, &q, &cause);
	if (found < 0)
		return -1;
	buf_init(&summary, 1u << 16);
	if (found)
		cause_lead(&summary, &cause);
	buf_addf(&summary, "%.*s:%s failed %zu time%s for %s on ", (int)strcspn(f->source, "."), f->source,
		 f->name, f->refs.n, f->refs.n == 1 ? "" : "s", arn_short_name(f->principal));
	if (given[0])
		buf_addf(&summary, "KMS key %s: ", given);
	else
		buf_addstr(&summary, "a KMS key the records do not name: ");
	codes_text(&summary, f);
	if (f->through_ebs)
		buf_addf(&summary, "; %lld through EBS on its behalf", f->through_ebs);
	details = failure_details(f, p, given, e, found ? &cause : NULL);
	key = rule_key(kv, NULL, 6);
	memset(&fi, 0, sizeof(fi));
	fi.key = key;
	fi.severity = SEV_CRITICAL;
	fi.related = 1;
	fi.account = p[0];
	fi.region = p[1];
	fi.principal = f->principal;
	fi.event_source = f->source;
	fi.event_name = f->name;
	fi.error_code = f->codes[0].code;
	fi.summary = summary.data;
	fi.details = details;
	fi.events = f->refs.v;
	fi.nevents = f->refs.n;
	rc_ = rule_emit(rc, &fi);
	free(key);
	free(details);
	buf_release(&summary);
	return rc_;
}

/* A grant's id and token from its CreateGrant, and whether it was to MGN/DRS. */
struct grant {
	char id[128];
	char token[1024];
	int to_mgn;
};

static int grant_read(struct rule_ctx *rc, long long seq, struct grant *gr)
{
	yajl_val doc = rule_event_record(rc, seq), resp;
	const char *id, *token, *grantee;
	int made_by_mgn;

	memset(gr, 0, sizeof(*gr));
	if (!doc)
		return -1;
	resp = ctj_get(doc, "responseElements");
	id = ctj_str(ctj_get(resp, "grantId"));
	token = ctj_str(ctj_get(resp, "grantToken"));
	grantee = ctj_str(ctj_get(ctj_params(doc), "granteePrincipal"));
	made_by_mgn = mgn_related(ctj_str(ctj_get(doc, "eventSource")),
				  ctj_str(ctj_get(ctj_get(doc, "userIdentity"), "arn")),
				  ctj_str(ctj_get(ctj_get(ctj_get(ctj_get(doc, "userIdentity"), "sessionContext"),
							  "sessionIssuer"), "arn")),
				  NULL, NULL, NULL);
	snprintf(gr->id, sizeof(gr->id), "%s", id ? id : "");
	snprintf(gr->token, sizeof(gr->token), "%s", token ? token : "");
	gr->to_mgn = grantee_is_mgn(grantee) || made_by_mgn;
	yajl_tree_free(doc);
	return 0;
}

/*
 * Whether a RevokeGrant or RetireGrant took away a grant the store shows was
 * to MGN/DRS (by its id or token); *grant_id gets the grant's id.
 */
static int grant_to_mgn(struct rule_ctx *rc, const struct group *g, const struct change *c,
			char *grant_id, size_t n)
{
	yajl_val doc = rule_event_record(rc, c->ref.seq), p = ctj_params(doc);
	const char *id = ctj_str(ctj_get(p, "grantId")), *token = ctj_str(ctj_get(p, "grantToken"));
	struct grant gr;
	int hit = 0;

	for (size_t i = 0; !hit && (id || token) && i < g->ngrants; i++)
		if (!grant_read(rc, g->grant_seqs[i], &gr) && gr.to_mgn &&
		    ((id && !strcmp(gr.id, id)) || (token && gr.token[0] && !strcmp(gr.token, token)))) {
			hit = 1;
			snprintf(grant_id, n, "%s", gr.id);
		}
	yajl_tree_free(doc);
	return hit;
}

/* What a change's record adds: the key as given, the deletion date. */
static void change_record(struct rule_ctx *rc, const struct change *c, char *given, char *when, size_t n)
{
	yajl_val doc = rule_event_record(rc, c->ref.seq);
	const char *g = kmskey_as_given(doc);
	const char *d = ctj_str(ctj_get(ctj_get(doc, "responseElements"), "deletionDate"));

	snprintf(given, n, "%s", g ? g : "");
	snprintf(when, n, "%s", d ? d : "");
	yajl_tree_free(doc);
}

static int emit_change(struct rule_ctx *rc, char *const *p, const struct change *c, const struct evidence *e,
		       const char *grant_id)
{
	char given[512], deletion[512];
	struct buf summary, b;
	struct jsonw w;
	struct finding fi;
	int rc_;

	change_record(rc, c, given, deletion, sizeof(given));
	buf_init(&summary, 1u << 16);
	buf_init(&b, 1u << 20);
	buf_addf(&summary, "kms:%s: KMS key %s %s by %s", c->what->name, given[0] ? given : p[2], c->what->verb, c->who);
	if (grant_id)
		buf_addf(&summary, " (grant %s)", grant_id);
	if (deletion[0])
		buf_addf(&summary, ", deletion on %s", deletion);
	buf_addstr(&summary, "; the replication path uses it: ");
	in_use_text(&summary, e);
	jsonw_init(&w, &b);
	jsonw_object(&w);
	jsonw_kv_string(&w, "kind", "change");
	jsonw_kv_string(&w, "key", given[0] ? given : p[2]);
	jsonw_kv_string(&w, "key_id", p[2]);
	jsonw_kv_string(&w, "change", c->what->name);
	jsonw_kv_string(&w, "who", c->who);
	jsonw_kv_string(&w, "grant_id", grant_id);
	jsonw_kv_string(&w, "deletion_date", deletion[0] ? deletion : NULL);
	in_use_json(&w, e);
	jsonw_end_object(&w);
	memset(&fi, 0, sizeof(fi));
	fi.key = c->ref.event_id;
	fi.severity = c->what->severity;
	fi.related = 1;
	fi.account = p[0];
	fi.region = p[1];
	fi.principal = c->principal;
	fi.event_source = KMS;
	fi.event_name = c->what->name;
	fi.summary = summary.data;
	fi.details = b.data;
	fi.events = &c->ref;
	fi.nevents = 1;
	rc_ = rule_emit(rc, &fi);
	buf_release(&summary);
	buf_release(&b);
	return rc_;
}

/* A change is flagged when the key is in use; a grant's only when the store shows it was MGN/DRS's. */
static int judge_change(struct rule_ctx *rc, char *const *p, const struct group *g, const struct change *c)
{
	char grant_id[128];

	if (!in_use(&g->ev))
		return 0;
	if (strstr(c->what->name, "Grant")) {
		if (!grant_to_mgn(rc, g, c, grant_id, sizeof(grant_id)))
			return 0;
		return emit_change(rc, p, c, &g->ev, grant_id);
	}
	return emit_change(rc, p, c, &g->ev, NULL);
}

static int build(struct rule_ctx *rc, const struct rule_group *grp)
{
	struct group g;
	int rc_;

	if (grp->nfields != 3)
		return -1;
	memset(&g, 0, sizeof(g));
	rc_ = rule_group_events(rc, LLONG_MIN, collect, &g);
	for (size_t i = 0; !rc_ && i < g.nf; i++)
		rc_ = emit_failure(rc, grp->field, &g.f[i], &g.ev);
	for (size_t i = 0; !rc_ && i < g.nc; i++)
		rc_ = judge_change(rc, grp->field, &g, &g.c[i]);
	for (size_t i = 0; i < g.nf; i++)
		event_refs_release(&g.f[i].refs);
	free(g.f);
	free(g.c);
	free(g.grant_seqs);
	return rc_;
}

const struct rule rule_replication_kms = {
	.version = RULE_V1,
	.id = "replication-kms",
	.title = "The replication path's KMS key failing or broken",
	.severity = SEV_HIGH,
	.description = "KMS calls of MGN/DRS principals (CreateGrant, GenerateDataKey*, Decrypt,"
		" ReEncrypt*, DescribeKey), including those EBS makes on their behalf, that failed for"
		" the key (AccessDenied, KMSInvalidState, Disabled, NotFound, KeyUnavailable), and their"
		" EC2 calls whose error names KMS (InvalidKMSKey.*): critical, one finding per key,"
		" principal and call, with the change that most plausibly caused it. And changes to a"
		" key the replication path uses (named by the replication settings or as the EBS default"
		" key, used by MGN/DRS's KMS calls, granted to their roles): DisableKey and"
		" ScheduleKeyDeletion (high), PutKeyPolicy (medium: the store cannot tell whether the new"
		" policy still admits the roles), RevokeGrant and RetireGrant of grants to MGN/DRS by"
		" someone else (medium). Other keys and other applications' failures are not this rule.",
	.advice = "Check the key with aws kms describe-key --key-id KEY (KeyState Enabled, not"
		" PendingDeletion; aws kms cancel-key-deletion and enable-key undo the changes), and that"
		" its key policy and grants let the MGN/DRS service-linked and replication-server roles"
		" use it (kms:CreateGrant, kms:GenerateDataKey*, kms:Decrypt, kms:ReEncrypt*,"
		" kms:DescribeKey, with kms:ViaService ec2.REGION.amazonaws.com); or point the"
		" replication settings at a key they can use.",
	.check = check,
	.build = build,
};
