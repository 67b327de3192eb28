/*
 * replication_invalid_tags.c - rule replication-invalid-tags: replication
 * settings whose tags AWS will reject.
 *
 * MGN and DRS copy stagingAreaTags onto the replication servers, volumes and
 * snapshots they create; a tag EC2 rejects makes those calls fail and the
 * sync stalls. For each UpdateReplicationConfiguration,
 * UpdateReplicationConfigurationTemplate and
 * CreateReplicationConfigurationTemplate of mgn or drs, every tag map in the
 * request (stagingAreaTags, tags, any member named *Tags) is checked with
 * tagcheck.h. CloudTrail usually hides these maps
 * (HIDDEN_DUE_TO_SECURITY_REASONS, the models mark them sensitive): then the
 * finding is info, raised when EC2 calls by MGN/DRS roles in the same account
 * and region fail with tag or parameter errors within CORRELATION_MS after.
 * The group is the account and region, so a later EC2 failure re-rates the
 * changes before it.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "buf.h"
#include "jsonw.h"
#include "mgn.h"
#include "msg.h"
#include "rules.h"
#include "tagcheck.h"

#define CORRELATION_MS (24 * 3600 * 1000LL)
#define HIDDEN "HIDDEN_DUE_TO_SECURITY_REASONS"
#define MAX_ISSUES 32

/* EC2 errors that a rejected tag produces (docs/research.md §5). */
static const char *const tag_errors[] = {
	"InvalidParameterValue", "InvalidParameter", "InvalidTagKey.Malformed", "TagLimitExceeded",
	"TagPolicyViolation", "InvalidParameterCombination", NULL
};

static int is_settings_call(const struct event *ev)
{
	return mgn_settings_call(ev->event_source, ev->event_name);
}

static int is_tag_error(const struct event *ev)
{
	if (!ev->related || !ev->event_source || strcmp(ev->event_source, "ec2.amazonaws.com") ||
	    !ev->error_base)
		return 0;
	for (int i = 0; tag_errors[i]; i++)
		if (!strcmp(ev->error_base, tag_errors[i]))
			return 1;
	return 0;
}

static int check(struct rule_ctx *rc, const struct event *ev)
{
	static const enum ev_field by[] = { EV_ACCOUNT, EV_REGION };

	if (!is_settings_call(ev) && !is_tag_error(ev))
		return RULE_DECLINED;
	return rule_touch_fields(rc, ev, by, 2) ? RULE_ERROR : RULE_OK;
}

/* One settings call and what its tags say. */
struct call {
	struct event_ref ref;
	char api[96];
	char error_code[64];
	char *error_message;
	char *principal;
	int hidden;                  /* a tag map (or part of one) was hidden */
	int maps;                    /* tag maps seen */
	struct buf issues;           /* JSON array members, comma-separated */
	int nissues;
	char first_issue[TAGCHECK_DESCRIBE_SIZE];
	char source_server[64];
};

struct group {
	struct call *calls;
	size_t ncalls;
	struct event_refs tag_errs;  /* EC2 tag/parameter failures by MGN/DRS roles */
	char (*err_code)[64];        /* per tag_errs entry: its error code */
};

static int collect_call(void *arg, const struct event *ev)
{
	struct group *g = arg;
	struct call *c;

	g->calls = xrealloc(g->calls, (g->ncalls + 1) * sizeof(*g->calls));
	c = &g->calls[g->ncalls++];
	memset(c, 0, sizeof(*c));
	event_ref_set(&c->ref, ev);
	snprintf(c->api, sizeof(c->api), "%.*s:%s", (int)strcspn(ev->event_source, "."),
		 ev->event_source, ev->event_name);
	snprintf(c->error_code, sizeof(c->error_code), "%s", ev->error_code ? ev->error_code : "");
	c->error_message = ev->error_message ? xstrdup(ev->error_message) : NULL;
	c->principal = xstrdup(ev->principal ? ev->principal : "");
	buf_init(&c->issues, 1u << 20);
	return 0;
}

static int collect_tag_error(struct group *g, const struct event *ev)
{
	event_refs_add(&g->tag_errs, ev);
	g->err_code = xrealloc(g->err_code, g->tag_errs.cap * sizeof(*g->err_code));
	snprintf(g->err_code[g->tag_errs.n - 1], sizeof(g->err_code[0]), "%s", ev->error_code);
	return 0;
}

/* A member of the group: a settings call, or an EC2 tag failure (both, never). */
static int collect(void *arg, const struct event *ev)
{
	return is_settings_call(ev) ? collect_call(arg, ev) : collect_tag_error(arg, ev);
}

static int is_tag_map_name(const char *name)
{
	size_t n = strlen(name);

	return !strcmp(name, "tags") || (n > 4 && !strcmp(name + n - 4, "Tags"));
}

/* Checks one key/value pair of map `map`, adding its issues to c. */
static void check_pair(struct call *c, const char *map, const char *k, const char *v)
{
	struct tag_issue issues[8];
	int n = tagcheck_pair(k, strlen(k), v, strlen(v), issues, 8);

	for (int i = 0; i < n && c->nissues < MAX_ISSUES; i++) {
		char text[TAGCHECK_DESCRIBE_SIZE];
		struct jsonw w;

		tagcheck_describe(&issues[i], k, strlen(k), text, sizeof(text));
		if (!c->nissues)
			snprintf(c->first_issue, sizeof(c->first_issue), "%s", text);
		jsonw_init(&w, &c->issues);
		if (c->nissues)
			buf_addch(&c->issues, ',');
		jsonw_object(&w);
		jsonw_kv_string(&w, "map", map);
		jsonw_kv_string(&w, "key", k);
		jsonw_kv_string(&w, "problem", tagcheck_problem_name(issues[i].problem));
		jsonw_key(&w, "in_key");
		jsonw_bool(&w, issues[i].in_key);
		if (issues[i].codepoint >= 0) {
			char cp[24];

			snprintf(cp, sizeof(cp), "U+%04lX", issues[i].codepoint);
			jsonw_kv_string(&w, "codepoint", cp);
		}
		jsonw_kv_string(&w, "text", text);
		jsonw_end_object(&w);
		c->nissues++;
	}
}

static int string_is(yajl_val v, const char *s)
{
	const char *t = YAJL_GET_STRING(v);

	return t && !strcmp(t, s);
}

/* Reads the call's request parameters and checks every tag map in them. */
static void analyze(struct rule_ctx *rc, struct call *c)
{
	const char *params_path[] = { "requestParameters", NULL };
	const char *server_path[] = { "requestParameters", "sourceServerID", NULL };
	yajl_val doc = rule_event_record(rc, c->ref.seq), params, server;

	if (!doc)
		return;
	server = yajl_tree_get(doc, server_path, yajl_t_string);
	if (server && YAJL_GET_STRING(server))
		snprintf(c->source_server, sizeof(c->source_server), "%s", YAJL_GET_STRING(server));
	params = yajl_tree_get(doc, params_path, yajl_t_object);
	for (size_t i = 0; params && i < params->u.object.len; i++) {
		const char *name = params->u.object.keys[i];
		yajl_val map = params->u.object.values[i];

		if (!is_tag_map_name(name))
			continue;
		c->maps++;
		if (string_is(map, HIDDEN)) {
			c->hidden = 1;
			continue;
		}
		if (!YAJL_IS_OBJECT(map))
			continue;
		for (size_t j = 0; j < map->u.object.len; j++) {
			const char *k = map->u.object.keys[j];
			yajl_val v = map->u.object.values[j];

			if (!strcmp(k, HIDDEN) || string_is(v, HIDDEN))
				c->hidden = 1;
			else if (YAJL_GET_STRING(v))
				check_pair(c, name, k, YAJL_GET_STRING(v));
		}
	}
	yajl_tree_free(doc);
}

static int failed_for_tags(const struct call *c)
{
	return c->error_code[0] && c->error_message && strcasestr(c->error_message, "tag");
}

/* The EC2 tag failures in the CORRELATION_MS after a call; *code: the first one's error code. */
static size_t correlated(const struct group *g, const struct call *c, struct event_ref *out,
			 const char **code)
{
	size_t n = 0;

	for (size_t i = 0; i < g->tag_errs.n; i++) {
		long long dt = g->tag_errs.v[i].time_ms - c->ref.time_ms;

		if (dt >= 0 && dt <= CORRELATION_MS) {
			if (!n)
				*code = g->err_code[i];
			out[n++] = g->tag_errs.v[i];
		}
	}
	return n;
}

static int emit_call(struct rule_ctx *rc, char *const *p, const struct group *g, struct call *c)
{
	struct event_ref *refs = xmalloc((g->tag_errs.n + 1) * sizeof(*refs));
	size_t nrefs = 1, linked = 0;
	char summary[1200];
	struct buf b;
	struct jsonw w;
	struct finding f;
	int rc_, bad = c->nissues > 0, tagfail = failed_for_tags(c);

	refs[0] = c->ref;
	memset(&f, 0, sizeof(f));
	if (bad) {
		f.severity = c->error_code[0] ? SEV_MEDIUM : SEV_HIGH;
		snprintf(summary, sizeof(summary), "%s%s%s sets tags AWS rejects: %s%s%s", c->api,
			 c->source_server[0] ? " for " : "", c->source_server, c->first_issue,
			 c->nissues > 1 ? " (and more)" : "",
			 c->error_code[0] ? "; the call failed" : "; the call succeeded");
	} else if (tagfail) {
		f.severity = SEV_MEDIUM;
		snprintf(summary, sizeof(summary), "%s%s%s failed because of its tags: %s: %.300s", c->api,
			 c->source_server[0] ? " for " : "", c->source_server, c->error_code,
			 c->error_message);
	} else if (c->hidden) {
		const char *code = "";

		linked = correlated(g, c, refs + 1, &code);
		nrefs += linked;
		f.severity = linked >= 3 ? SEV_HIGH : linked ? SEV_MEDIUM : SEV_INFO;
		if (linked)
			snprintf(summary, sizeof(summary), "%s%s%s changed replication settings with tags"
				 " CloudTrail hides; then %zu EC2 call%s by MGN/DRS roles failed with tag or"
				 " parameter errors (%s)", c->api, c->source_server[0] ? " for " : "",
				 c->source_server, linked, linked == 1 ? "" : "s", code);
		else
			snprintf(summary, sizeof(summary), "%s%s%s changed replication settings; CloudTrail"
				 " hides the tags, so they cannot be checked", c->api,
				 c->source_server[0] ? " for " : "", c->source_server);
	} else {
		free(refs);
		return 0; /* visible tags, all valid, or no tags at all */
	}
	buf_init(&b, 1u << 20);
	jsonw_init(&w, &b);
	jsonw_object(&w);
	jsonw_kv_string(&w, "api", c->api);
	jsonw_kv_string(&w, "source_server_id", c->source_server[0] ? c->source_server : NULL);
	jsonw_key(&w, "call_failed");
	jsonw_bool(&w, c->error_code[0] != 0);
	jsonw_kv_string(&w, "error_code", c->error_code[0] ? c->error_code : NULL);
	jsonw_kv_string(&w, "error_message", c->error_message);
	jsonw_key(&w, "tags_hidden");
	jsonw_bool(&w, c->hidden);
	jsonw_key(&w, "issues");
	jsonw_raw(&w, "[");
	buf_add(&b, c->issues.data, c->issues.len);
	buf_addch(&b, ']');
	jsonw_kv_int(&w, "linked_ec2_failures", (long long)linked);
	jsonw_end_object(&w);
	f.key = c->ref.event_id;
	f.related = 1;
	f.account = p[0];
	f.region = p[1];
	f.principal = c->principal;
	f.event_source = c->api[0] == 'm' ? "mgn.amazonaws.com" : "drs.amazonaws.com";
	f.event_name = strchr(c->api, ':') + 1;
	f.error_code = c->error_code[0] ? c->error_code : NULL;
	f.summary = summary;
	f.details = b.data;
	f.events = refs;
	f.nevents = nrefs;
	rc_ = rule_emit(rc, &f);
	buf_release(&b);
	free(refs);
	return rc_;
}

static int build(struct rule_ctx *rc, const struct rule_group *grp)
{
	char *const *p = grp->field;
	/*
	 * A call's finding depends on its own record and the tag failures in the
	 * CORRELATION_MS after it: new events change only the calls at most that
	 * long before the earliest of them, so the group is read from there on.
	 */
	long long from = grp->new_from_ms == LLONG_MIN ? LLONG_MIN : grp->new_from_ms - CORRELATION_MS;
	struct group g;
	int rc_;

	if (grp->nfields != 2)
		return -1;
	memset(&g, 0, sizeof(g));
	rule_keep_before(rc, from);
	rc_ = rule_group_events(rc, from, collect, &g);
	for (size_t i = 0; i < g.ncalls; i++) {
		if (!rc_) {
			analyze(rc, &g.calls[i]);
			rc_ = emit_call(rc, p, &g, &g.calls[i]);
		}
		free(g.calls[i].error_message);
		free(g.calls[i].principal);
		buf_release(&g.calls[i].issues);
	}
	free(g.calls);
	event_refs_release(&g.tag_errs);
	free(g.err_code);
	return rc_;
}

const struct rule rule_replication_invalid_tags = {
	.version = RULE_V1,
	.id = "replication-invalid-tags",
	.title = "Replication settings with tags AWS rejects",
	.severity = SEV_HIGH,
	.description = "UpdateReplicationConfiguration, UpdateReplicationConfigurationTemplate and"
		" CreateReplicationConfigurationTemplate calls (mgn and drs) whose stagingAreaTags or"
		" other tag maps hold a key or value AWS rejects: a character that is not a Unicode"
		" letter, number or separator or one of _ . : / = + - @, a key over 128 or a value over"
		" 256 characters, an empty key, a key starting with aws:. Also such calls that failed"
		" because of their tags. When CloudTrail hides the tags (HIDDEN_DUE_TO_SECURITY_REASONS)"
		" the change is recorded as info, raised when EC2 calls by MGN/DRS roles in the same"
		" account and region fail with tag or parameter errors within 24 hours.",
	.advice = "Fix the tag in the replication settings (mgn/drs update-replication-configuration"
		" --staging-area-tags, and the template for new servers): remove the offending"
		" character or shorten the key or value. When the tags are hidden, read them with"
		" aws mgn get-replication-configuration --source-server-id s-...",
	.check = check,
	.build = build,
};
