/*
 * ec2_access_denied.c - rule ec2-access-denied: EC2 calls refused for
 * permissions.
 *
 * One finding per account, region, principal (the role behind a session)
 * and action. Only ec2.amazonaws.com and only the `denied` error class
 * (UnauthorizedOperation, AccessDenied, AuthFailure, ... with or without
 * EC2's Client. prefix); a Client.DryRunOperation is a dry run that would
 * have succeeded, class dry_run, never a denial. The reason is read from the
 * error message where it says one, and the change that most plausibly
 * started the denials is looked up (cause.h) each time the group is built.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cause.h"
#include "jsonw.h"
#include "mgn.h"
#include "msg.h"
#include "rules.h"

/* What IAM says in its denial messages, most specific first. */
static const struct reason {
	const char *needle;   /* substring of the errorMessage */
	const char *id;       /* for details.reasons */
	const char *text;     /* for the summary */
} reasons[] = {
	{ "explicit deny in a service control policy", "scp_explicit_deny",
	  "explicit deny in a service control policy" },
	{ "no service control policy allows", "scp_no_allow", "no service control policy allows it" },
	{ "explicit deny in a permissions boundary", "boundary_explicit_deny",
	  "explicit deny in a permissions boundary" },
	{ "no permissions boundary allows", "boundary_no_allow", "no permissions boundary allows it" },
	{ "explicit deny in a session policy", "session_explicit_deny", "explicit deny in a session policy" },
	{ "no session policy allows", "session_no_allow", "no session policy allows it" },
	{ "explicit deny in an identity-based policy", "identity_explicit_deny",
	  "explicit deny in an identity-based policy" },
	{ "no identity-based policy allows", "identity_no_allow", "no identity-based policy allows it" },
	{ "explicit deny in a resource-based policy", "resource_explicit_deny",
	  "explicit deny in a resource-based policy" },
	{ "no resource-based policy allows", "resource_no_allow", "no resource-based policy allows it" },
	{ "VPC endpoint policy", "vpc_endpoint_policy", "a VPC endpoint policy" },
	{ "kms:", "kms_key_policy", "the KMS key policy or grants (a kms: action was refused)" },
	{ "Encoded authorization failure message", "encoded_only",
	  "only an encoded authorization message: decode it with aws sts decode-authorization-message" },
	{ NULL, "unknown", "no reason given" },
};

static const struct reason auth_failure = {
	NULL, "auth_failure", "authentication failure: the credentials were not accepted"
};

static const struct reason *reason_of(const char *code, const char *message)
{
	const struct reason *r = reasons;

	if (code && strstr(code, "AuthFailure"))
		return &auth_failure;
	for (; r->needle; r++)
		if (message && strstr(message, r->needle))
			return r;
	return r;
}

static int check(struct rule_ctx *rc, const struct event *ev)
{
	static const enum ev_field by[] = { EV_ACCOUNT, EV_REGION, EV_PRINCIPAL, EV_NAME };
	const char *account;
	long long from, to;

	/* a change read after the denials it explains: their findings take it as their cause
	   (IAM and SCP changes: this rule asks for no key's) */
	if (cause_span(ev, &account, &from, &to))
		return strcmp(ev->event_source, "kms.amazonaws.com") && rule_touch_findings(rc, account, from, to)
			       ? RULE_ERROR : RULE_OK;
	if (!ev->event_source || strcmp(ev->event_source, "ec2.amazonaws.com") ||
	    !ev->error_class || strcmp(ev->error_class, "denied"))
		return RULE_DECLINED;
	return rule_touch_fields(rc, ev, by, 4) ? RULE_ERROR : RULE_OK;
}

#define NREASONS (sizeof(reasons) / sizeof(reasons[0]) + 1)

/* What the finding says of all the group's events: kept in the store between scans. */
struct tally {
	unsigned magic;              /* TALLY_MAGIC: this layout */
	long long total;             /* events */
	long long first_ms;          /* the first event's time: the cause is looked for before it */
	int related;
	long counts[NREASONS];       /* per seen[] entry */
	int seen[NREASONS];          /* reasons in the order first seen: index in reasons[], -1 auth_failure */
	int nseen;
	char code[64];               /* the first event's, and so on: the first in time order */
	char resource[256];
	char sample[400];
	char principal_arn[256];
};
#define TALLY_MAGIC 0x45414432u  /* "EAD2" */

struct group {
	struct event_refs refs;      /* the events read in this build */
	struct tally t;
};

static const struct reason *reason_at(int i)
{
	return i < 0 ? &auth_failure : &reasons[i];
}

/* The resource an IAM message names: "... on resource: arn:aws:ec2:... because". */
static void resource_of(const char *message, char *out, size_t n)
{
	const char *p = message ? strstr(message, "on resource: ") : NULL;
	size_t len;

	if (!p || out[0])
		return;
	p += strlen("on resource: ");
	len = strcspn(p, " ");
	snprintf(out, n, "%.*s", (int)len, p);
}

static int collect(void *arg, const struct event *ev)
{
	struct group *g = arg;
	struct tally *t = &g->t;
	const struct reason *r = reason_of(ev->error_code, ev->error_message);
	int ri = r == &auth_failure ? -1 : (int)(r - reasons), i;

	event_refs_add(&g->refs, ev);
	if (!t->total)
		t->first_ms = ev->time_ms;
	t->total++;
	t->related |= ev->related;
	for (i = 0; i < t->nseen && t->seen[i] != ri; i++)
		;
	if (i == t->nseen)
		t->seen[t->nseen++] = ri;
	t->counts[i]++;
	if (!t->code[0] && ev->error_code)
		snprintf(t->code, sizeof(t->code), "%s", ev->error_code);
	if (!t->sample[0] && ev->error_message)
		snprintf(t->sample, sizeof(t->sample), "%s", ev->error_message);
	if (!t->principal_arn[0] && ev->principal_arn)
		snprintf(t->principal_arn, sizeof(t->principal_arn), "%s", ev->principal_arn);
	resource_of(ev->error_message, t->resource, sizeof(t->resource));
	return 0;
}

/* The reason most events give. */
static int top_reason(const struct tally *g)
{
	int best = 0;

	for (int i = 1; i < g->nseen; i++)
		if (g->counts[i] > g->counts[best])
			best = i;
	return best;
}

/* "no identity-based policy allows it (4), explicit deny in ... (1)", most first. */
static void reasons_text(const struct tally *g, char *out, size_t n)
{
	int order[NREASONS], used = 0;
	size_t len = 0;

	for (int i = 0; i < g->nseen; i++)
		order[i] = i;
	for (int i = 1; i < g->nseen; i++)
		for (int j = i; j > 0 && g->counts[order[j]] > g->counts[order[j - 1]]; j--) {
			int t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	out[0] = '\0';
	for (int i = 0; i < g->nseen && len < n; i++) {
		int k = order[i];
		int w = g->nseen == 1 ? snprintf(out + len, n - len, "%s", reason_at(g->seen[k])->text)
				      : snprintf(out + len, n - len, "%s%s (%ld)", used ? ", " : "",
						 reason_at(g->seen[k])->text, g->counts[k]);

		if (w < 0)
			break;
		len += (size_t)w;
		used++;
	}
}

static char *details_json(const struct tally *g, const char *action, const char *principal,
			  const struct cause *cause)
{
	struct buf b;
	struct jsonw w;

	buf_init(&b, 1u << 20);
	jsonw_init(&w, &b);
	jsonw_object(&w);
	jsonw_kv_string(&w, "action", action);
	jsonw_kv_string(&w, "principal", principal);
	jsonw_kv_string(&w, "principal_name", arn_short_name(principal));
	jsonw_kv_string(&w, "session_arn", g->principal_arn[0] ? g->principal_arn : NULL);
	jsonw_kv_int(&w, "count", g->total);
	jsonw_key(&w, "reasons");
	jsonw_object(&w);
	for (int i = 0; i < g->nseen; i++)
		jsonw_kv_int(&w, reason_at(g->seen[i])->id, g->counts[i]);
	jsonw_end_object(&w);
	jsonw_kv_string(&w, "reason", reason_at(g->seen[top_reason(g)])->text);
	jsonw_kv_string(&w, "resource", g->resource[0] ? g->resource : NULL);
	jsonw_key(&w, "encoded_message");
	jsonw_bool(&w, strstr(g->sample, "Encoded authorization failure message") != NULL);
	jsonw_kv_string(&w, "sample_message", g->sample[0] ? g->sample : NULL);
	jsonw_key(&w, "cause");
	cause_json(&w, cause);
	jsonw_end_object(&w);
	return buf_detach(&b, NULL);
}

/*
 * The change that made the principal's calls fail, looked for before the
 * group's first denial: for a denial by a service control policy, the
 * organization's SCP changes (an IAM change to the role cannot make an SCP
 * deny); else the changes to the role and the policies attached to it.
 * 1 found, 0 none, -1 error.
 */
static int find_cause(struct rule_ctx *rc, const struct rule_group *grp, const struct tally *t,
		      struct cause *out)
{
	struct cause_query q;
	const char *principal = grp->field[2];

	memset(&q, 0, sizeof(q));
	q.account = grp->field[0];
	q.first_fail_ms = t->first_ms;
	q.scp = t->nseen > 0 && !strncmp(reason_at(t->seen[top_reason(t)])->id, "scp_", 4);
	if (!q.scp && !strncmp(principal, "arn:", 4) && strstr(principal, ":role/"))
		q.role_arn = principal;
	if (!q.scp && !q.role_arn)
		return 0;
	return rule_cause(rc, &q, out);
}

/* Emits the group's finding: whole (from LLONG_MIN), or its events after `from` added. */
static int emit(struct rule_ctx *rc, const struct rule_group *grp, const struct group *g, long long from)
{
	char *const *p = grp->field;
	char action[160], why[600];
	char *details;
	struct finding f;
	struct cause cause;
	struct buf summary;
	int rc_, found = find_cause(rc, grp, &g->t, &cause);

	if (found < 0)
		return -1;
	snprintf(action, sizeof(action), "ec2:%s", p[3]);
	reasons_text(&g->t, why, sizeof(why));
	buf_init(&summary, 1u << 16);
	if (found)
		cause_lead(&summary, &cause);
	buf_addf(&summary, "%s denied %lld time%s to %s: %s", action, g->t.total, g->t.total == 1 ? "" : "s",
		 arn_short_name(p[2]), why);
	details = details_json(&g->t, action, p[2], found ? &cause : NULL);
	memset(&f, 0, sizeof(f));
	f.key = grp->key;
	f.severity = g->t.related ? SEV_CRITICAL : SEV_HIGH;
	f.related = g->t.related;
	f.account = p[0];
	f.region = p[1];
	f.principal = p[2];
	f.event_source = "ec2.amazonaws.com";
	f.event_name = p[3];
	f.error_code = g->t.code;
	f.summary = summary.data;
	f.details = details;
	f.events = g->refs.v;
	f.nevents = g->refs.n;
	rc_ = from == LLONG_MIN ? rule_emit(rc, &f) : rule_emit_more(rc, &f);
	free(details);
	buf_release(&summary);
	return rc_;
}

static int build(struct rule_ctx *rc, const struct rule_group *grp)
{
	struct group *g;
	long long from;
	int rc_;

	if (grp->nfields != 4)
		return -1;
	g = xcalloc(1, sizeof(*g));
	from = rule_state_resume(rc, grp, &g->t, sizeof(g->t), TALLY_MAGIC);
	for (;;) {
		rc_ = rule_group_events(rc, from, collect, g);
		if (!rc_ && g->refs.n)
			rc_ = emit(rc, grp, g, from);
		if (rc_ != 1 || from == LLONG_MIN)
			break;
		/* the finding was not there to extend: build the group whole */
		event_refs_release(&g->refs);
		memset(&g->t, 0, sizeof(g->t));
		from = LLONG_MIN;
	}
	if (!rc_ && g->refs.n) {
		g->t.magic = TALLY_MAGIC;
		rc_ = rule_state_put(rc, &g->t, sizeof(g->t), g->refs.v[g->refs.n - 1].time_ms);
	}
	event_refs_release(&g->refs);
	free(g);
	return rc_ < 0 ? -1 : rc_;
}

const struct rule rule_ec2_access_denied = {
	.version = RULE_V1,
	.id = "ec2-access-denied",
	.title = "EC2 calls denied for missing permissions",
	.severity = SEV_HIGH,
	.description = "Calls to ec2.amazonaws.com that failed for permissions (UnauthorizedOperation,"
		" AccessDenied, AuthFailure and the like, with or without EC2's Client. prefix), one"
		" finding per account, region, principal and action, with the reason IAM gave. Dry runs"
		" (Client.DryRunOperation) and denials by other services are not this rule. Critical when"
		" the principal is an MGN/DRS role or service: the replication server cannot snapshot,"
		" tag or attach volumes without these actions. The finding names the change that most"
		" plausibly started the denials (details.cause): the latest IAM change to the role or to"
		" a policy attached to it, or for an SCP denial the latest SCP change, at or before the"
		" first denial and within 30 days.",
	.advice = "Grant the named ec2: actions to the principal (for MGN/DRS roles, re-attach the AWS"
		" managed policy, e.g. AWSApplicationMigrationReplicationServerPolicy), or lift the"
		" service control policy or permissions boundary that denies them. Decode an encoded"
		" message with: aws sts decode-authorization-message --encoded-message <message>.",
	.check = check,
	.build = build,
};
