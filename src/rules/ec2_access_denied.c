/*
 * ec2_access_denied.c - rule ec2-access-denied: EC2 calls refused for
 * permissions.
 *
 * One finding per account, region, principal (the role behind a session)
 * and action. Only ec2.amazonaws.com and only the `denied` error class
 * (UnauthorizedOperation, AccessDenied, AuthFailure, ... with or without
 * EC2's Client. prefix); a Client.DryRunOperation is a dry run that would
 * have succeeded, class dry_run, never a denial. The reason is read from the
 * error message where it says one.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
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

	if (!ev->event_source || strcmp(ev->event_source, "ec2.amazonaws.com") ||
	    !ev->error_class || strcmp(ev->error_class, "denied"))
		return RULE_DECLINED;
	return rule_touch_fields(rc, ev, by, 4) ? RULE_ERROR : RULE_OK;
}

struct group {
	struct event_refs refs;
	int related;
	long counts[sizeof(reasons) / sizeof(reasons[0]) + 1];
	const struct reason *seen[sizeof(reasons) / sizeof(reasons[0]) + 1];
	int nseen;
	char code[64];
	char resource[256];
	char sample[400];
	char principal_arn[256];
};

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
	const struct reason *r = reason_of(ev->error_code, ev->error_message);
	int i;

	event_refs_add(&g->refs, ev);
	g->related |= ev->related;
	for (i = 0; i < g->nseen && g->seen[i] != r; i++)
		;
	if (i == g->nseen)
		g->seen[g->nseen++] = r;
	g->counts[i]++;
	if (!g->code[0] && ev->error_code)
		snprintf(g->code, sizeof(g->code), "%s", ev->error_code);
	if (!g->sample[0] && ev->error_message)
		snprintf(g->sample, sizeof(g->sample), "%s", ev->error_message);
	if (!g->principal_arn[0] && ev->principal_arn)
		snprintf(g->principal_arn, sizeof(g->principal_arn), "%s", ev->principal_arn);
	resource_of(ev->error_message, g->resource, sizeof(g->resource));
	return 0;
}

/* The reason most events give. */
static int top_reason(const struct group *g)
{
	int best = 0;

	for (int i = 1; i < g->nseen; i++)
		if (g->counts[i] > g->counts[best])
			best = i;
	return best;
}

/* "no identity-based policy allows it (4), explicit deny in ... (1)", most first. */
static void reasons_text(const struct group *g, char *out, size_t n)
{
	int order[sizeof(reasons) / sizeof(reasons[0]) + 1], used = 0;
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
		int w = g->nseen == 1 ? snprintf(out + len, n - len, "%s", g->seen[k]->text)
				      : snprintf(out + len, n - len, "%s%s (%ld)", used ? ", " : "",
						 g->seen[k]->text, g->counts[k]);

		if (w < 0)
			break;
		len += (size_t)w;
		used++;
	}
}

static char *details_json(const struct group *g, const char *action, const char *principal)
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
	jsonw_kv_int(&w, "count", (long long)g->refs.n);
	jsonw_key(&w, "reasons");
	jsonw_object(&w);
	for (int i = 0; i < g->nseen; i++)
		jsonw_kv_int(&w, g->seen[i]->id, g->counts[i]);
	jsonw_end_object(&w);
	jsonw_kv_string(&w, "reason", g->seen[top_reason(g)]->text);
	jsonw_kv_string(&w, "resource", g->resource[0] ? g->resource : NULL);
	jsonw_key(&w, "encoded_message");
	jsonw_bool(&w, strstr(g->sample, "Encoded authorization failure message") != NULL);
	jsonw_kv_string(&w, "sample_message", g->sample[0] ? g->sample : NULL);
	jsonw_end_object(&w);
	return buf_detach(&b, NULL);
}

static int build(struct rule_ctx *rc, const struct rule_group *grp)
{
	char *const *p = grp->field;
	struct group *g;
	char action[160], summary[900], why[600];
	char *details;
	struct finding f;
	int rc_;

	if (grp->nfields != 4)
		return -1;
	g = xcalloc(1, sizeof(*g));
	rc_ = rule_group_events(rc, LLONG_MIN, collect, g);
	if (!rc_ && g->refs.n) {
		snprintf(action, sizeof(action), "ec2:%s", p[3]);
		reasons_text(g, why, sizeof(why));
		snprintf(summary, sizeof(summary), "%s denied %zu time%s to %s: %s", action, g->refs.n,
			 g->refs.n == 1 ? "" : "s", arn_short_name(p[2]), why);
		details = details_json(g, action, p[2]);
		memset(&f, 0, sizeof(f));
		f.key = grp->key;
		f.severity = g->related ? SEV_CRITICAL : SEV_HIGH;
		f.related = g->related;
		f.account = p[0];
		f.region = p[1];
		f.principal = p[2];
		f.event_source = "ec2.amazonaws.com";
		f.event_name = p[3];
		f.error_code = g->code;
		f.summary = summary;
		f.details = details;
		f.events = g->refs.v;
		f.nevents = g->refs.n;
		rc_ = rule_emit(rc, &f);
		free(details);
	}
	event_refs_release(&g->refs);
	free(g);
	return rc_;
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
		" tag or attach volumes without these actions.",
	.advice = "Grant the named ec2: actions to the principal (for MGN/DRS roles, re-attach the AWS"
		" managed policy, e.g. AWSApplicationMigrationReplicationServerPolicy), or lift the"
		" service control policy or permissions boundary that denies them. Decode an encoded"
		" message with: aws sts decode-authorization-message --encoded-message <message>.",
	.check = check,
	.build = build,
};
