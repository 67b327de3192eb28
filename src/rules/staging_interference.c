/*
 * staging_interference.c - rule staging-interference: someone other than
 * MGN/DRS destroying what they created in the staging area.
 *
 * The calls: TerminateInstances and StopInstances of their replication and
 * conversion servers, DeleteVolume and DetachVolume of their staging
 * volumes, DeleteSnapshot of their snapshots, when they succeeded (a denied
 * call destroyed nothing) and the caller is not an MGN/DRS role or service
 * (their own terminations are their lifecycle). A resource is theirs when
 * the store shows it: RunInstances, CreateVolume, CreateSnapshot(s) by an
 * MGN/DRS principal (the ids from the response), or their managed tag
 * (AWSApplicationMigrationServiceManaged, AWSElasticDisasterRecoveryManaged)
 * in CreateTags or in a create call's tag specifications, whoever made it.
 * A resource the store cannot tie to them is not flagged.
 *
 * The group is the resource (account, region, id), whose members are the
 * calls that tie it to MGN/DRS and the destructive calls, so a creation read
 * in a later scan than the deletion lands as if read in one. Severity rises
 * to critical when MGN/DRS calls fail within the hour after the call; those
 * failures mark for rebuild the findings of the hour before them.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yajl/yajl_tree.h>

#include "buf.h"
#include "jsonw.h"
#include "mgn.h"
#include "msg.h"
#include "rules.h"
#include "srvindex.h"
#include "staging.h"

#define HOUR_MS 3600000LL

/* The calls this rule reads: what they do and where their resource ids are. */
static const struct call {
	const char *name;
	enum { DESTROYS, CREATES, TAGS } kind;
	const char *id_key;          /* the member naming the ids (requestParameters; responseElements for CREATES) */
	const char *verb;            /* for the summary */
} calls[] = {
	{ "TerminateInstances", DESTROYS, "instanceId", "terminated" },
	{ "StopInstances", DESTROYS, "instanceId", "stopped" },
	{ "DeleteVolume", DESTROYS, "volumeId", "deleted" },
	{ "DetachVolume", DESTROYS, "volumeId", "detached" },
	{ "DeleteSnapshot", DESTROYS, "snapshotId", "deleted" },
	{ "RunInstances", CREATES, "instanceId", "launched" },
	{ "CreateVolume", CREATES, "volumeId", "created" },
	{ "CreateSnapshot", CREATES, "snapshotId", "created" },
	{ "CreateSnapshots", CREATES, "snapshotId", "created" },
	{ "CreateTags", TAGS, "resourceId", "tagged" },
};

static const char *const managed_tags[] = {
	"AWSApplicationMigrationServiceManaged", "AWSElasticDisasterRecoveryManaged", NULL
};

static const struct call *call_of(const struct event *ev)
{
	if (!ev->event_source || !ev->event_name || strcmp(ev->event_source, "ec2.amazonaws.com"))
		return NULL;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (!strcmp(calls[i].name, ev->event_name))
			return &calls[i];
	return NULL;
}

/*
 * Whether MGN/DRS made the call: one of their roles, or their service as
 * invokedBy or sourceIPAddress. Not the userAgent, which the caller writes:
 * a cleanup script must not pass for MGN by naming it.
 */
static int by_mgn(const struct event *ev)
{
	return mgn_related(NULL, ev->principal_arn, ev->principal, ev->invoked_by, ev->source_ip, NULL);
}

/* A replication error: a failed call by an MGN/DRS principal, dry runs aside. */
static int replication_error(const struct event *ev)
{
	return ev->error_code && ev->related && (!ev->error_class || strcmp(ev->error_class, "dry_run"));
}

/* A list of distinct strings. */
struct strs {
	char **v;
	size_t n;
};

static void strs_add(struct strs *s, const char *v)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], v))
			return;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = xstrdup(v);
}

static void strs_release(struct strs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* The strings of v: a string, or a list of them in any of EC2's forms (array, items, content). */
static void strings_of(yajl_val v, struct strs *out)
{
	yajl_val inner;

	if (ctj_str(v) && ctj_str(v)[0]) {
		strs_add(out, ctj_str(v));
	} else if (YAJL_IS_ARRAY(v)) {
		for (size_t i = 0; i < v->u.array.len; i++)
			strings_of(v->u.array.values[i], out);
	} else if (YAJL_IS_OBJECT(v)) {
		inner = ctj_get(v, "items");
		strings_of(inner ? inner : ctj_get(v, "content"), out);
	}
}

/* Every string under a member named key (any case), anywhere in v. */
static void find_all(yajl_val v, const char *key, struct strs *out)
{
	if (YAJL_IS_ARRAY(v)) {
		for (size_t i = 0; i < v->u.array.len; i++)
			find_all(v->u.array.values[i], key, out);
		return;
	}
	if (!YAJL_IS_OBJECT(v))
		return;
	for (size_t i = 0; i < v->u.object.len; i++) {
		if (!strcasecmp(v->u.object.keys[i], key))
			strings_of(v->u.object.values[i], out);
		else
			find_all(v->u.object.values[i], key, out);
	}
}

/* Whether v holds, as a tag key anywhere, one of the MGN/DRS managed tags. */
static int has_managed_tag(yajl_val v)
{
	struct strs keys = { 0 };
	int found = 0;

	find_all(v, "key", &keys);
	for (size_t i = 0; i < keys.n && !found; i++)
		for (int t = 0; managed_tags[t]; t++)
			found |= !strcmp(keys.v[i], managed_tags[t]);
	strs_release(&keys);
	return found;
}

/*
 * Whether raw may name a managed tag: its key spelled out, or written with
 * a JSON escape that a text search cannot see through. Most creations and
 * tags are other applications'; this spares parsing them.
 */
static int may_name_managed_tag(const char *raw)
{
	if (strstr(raw, "\\u"))
		return 1;
	for (int t = 0; managed_tags[t]; t++)
		if (strstr(raw, managed_tags[t]))
			return 1;
	return 0;
}

/* rule_event_record() of ev, or NULL when only a managed tag could make it matter and it names none. */
static yajl_val parse_if_it_matters(struct rule_ctx *rc, const struct event *ev, const struct call *c)
{
	char *raw;
	char err[64];
	yajl_val doc = NULL;

	if (c->kind == DESTROYS || (c->kind == CREATES && by_mgn(ev)))
		return rule_event_record(rc, ev->seq);
	raw = rule_event_raw(rc, ev->seq);
	if (raw && may_name_managed_tag(raw))
		doc = yajl_tree_parse(raw, err, sizeof(err));
	free(raw);
	return doc;
}

/*
 * The resources a call names that this rule cares about: all of a
 * destructive call's; those of a call by MGN/DRS or carrying their tag for
 * creations and tags; none otherwise.
 */
static void resources_of(yajl_val doc, const struct event *ev, const struct call *c, struct strs *ids)
{
	yajl_val params = ctj_params(doc);

	if (!params || ctj_hidden(params))
		params = NULL;
	if (c->kind == DESTROYS)
		find_all(params, c->id_key, ids);
	else if (c->kind == TAGS && has_managed_tag(params))
		find_all(params, c->id_key, ids);
	else if (c->kind == CREATES && (by_mgn(ev) || has_managed_tag(params)))
		find_all(ctj_get(doc, "responseElements"), c->id_key, ids);
}

static int check(struct rule_ctx *rc, const struct event *ev)
{
	const struct call *c;
	struct strs ids = { 0 };
	yajl_val doc;
	size_t n;
	int rc_ = 0;

	if (replication_error(ev)) {
		/* it may raise the findings of the hour before it, rounded to the hour
		   so that a burst of errors marks them once */
		long long hour = ev->time_ms - ((ev->time_ms % HOUR_MS) + HOUR_MS) % HOUR_MS;

		return rule_touch_findings(rc, ev->account, hour - HOUR_MS, hour + HOUR_MS - 1) ? RULE_ERROR : RULE_OK;
	}
	c = call_of(ev);
	if (!c || ev->error_code || (c->kind == DESTROYS && by_mgn(ev)))
		return RULE_DECLINED;
	doc = parse_if_it_matters(rc, ev, c);
	if (!doc)
		return RULE_DECLINED;
	resources_of(doc, ev, c, &ids);
	yajl_tree_free(doc);
	for (size_t i = 0; !rc_ && i < ids.n; i++) {
		const char *key[] = { ev->account, ev->aws_region, ids.v[i] };

		rc_ = rule_touch_values(rc, ev, key, 3);
	}
	n = ids.n;
	strs_release(&ids);
	if (rc_)
		return RULE_ERROR;
	return n ? RULE_OK : RULE_DECLINED;
}

/* One member of a resource's group. */
struct member {
	struct event_ref ref;
	const struct call *call;
	char principal[256];
	char who[256];               /* the session name of an assumed role, else the ARN */
	int by_mgn;                  /* made by an MGN/DRS role or service */
};

struct group {
	struct member *v;
	size_t n;
};

/* The session name of an assumed-role ARN (SSO users' sessions are their names), else the ARN. */
static void who_of(const struct event *ev, char *out, size_t size)
{
	const char *arn = ev->principal_arn, *slash;

	if (arn && strstr(arn, ":assumed-role/")) {
		slash = strrchr(arn, '/');
		snprintf(out, size, "%s", slash + 1);
	} else {
		snprintf(out, size, "%s", arn ? arn : ev->principal ? ev->principal : "?");
	}
}

static int collect(void *arg, const struct event *ev)
{
	struct group *g = arg;
	const struct call *c = call_of(ev);
	struct member *m;

	if (!c)
		return 0;
	g->v = xrealloc(g->v, (g->n + 1) * sizeof(*g->v));
	m = &g->v[g->n++];
	memset(m, 0, sizeof(*m));
	event_ref_set(&m->ref, ev);
	m->call = c;
	snprintf(m->principal, sizeof(m->principal), "%s", ev->principal ? ev->principal : "");
	who_of(ev, m->who, sizeof(m->who));
	m->by_mgn = by_mgn(ev);
	return 0;
}

/* The source servers a call names: ids among its strings, MGN's tag lists ("s-1,s-2") split. */
static void servers_in(yajl_val v, struct strs *out)
{
	if (YAJL_IS_STRING(v)) {
		const char *s = YAJL_GET_STRING(v);

		while (*s) {
			size_t len = strcspn(s, ",");

			if (srvindex_is_id(s, len) && len <= SRVINDEX_MAX_ID) {
				char id[SRVINDEX_MAX_ID + 1];

				memcpy(id, s, len);
				id[len] = '\0';
				strs_add(out, id);
			}
			s += len + (s[len] == ',');
		}
	} else if (YAJL_IS_ARRAY(v)) {
		for (size_t i = 0; i < v->u.array.len; i++)
			servers_in(v->u.array.values[i], out);
	} else if (YAJL_IS_OBJECT(v)) {
		for (size_t i = 0; i < v->u.object.len; i++)
			servers_in(v->u.object.values[i], out);
	}
}

/* The source servers the calls that tie the resource to MGN/DRS name, joined by commas. */
static void source_servers(struct rule_ctx *rc, const struct group *g, struct buf *out)
{
	struct strs ids = { 0 };

	for (size_t i = 0; i < g->n; i++) {
		yajl_val doc;

		if (g->v[i].call->kind == DESTROYS)
			continue;
		doc = rule_event_record(rc, g->v[i].ref.seq);
		if (doc) {
			servers_in(ctj_get(doc, "requestParameters"), &ids);
			servers_in(ctj_get(doc, "responseElements"), &ids);
			yajl_tree_free(doc);
		}
	}
	for (size_t i = 0; i < ids.n; i++)
		buf_addf(out, "%s%s", i ? "," : "", ids.v[i]);
	strs_release(&ids);
}

static const char *resource_type(const char *id)
{
	return !strncmp(id, "i-", 2) ? "instance" : !strncmp(id, "vol-", 4) ? "volume"
	       : !strncmp(id, "snap-", 5) ? "snapshot" : "resource";
}

static int emit(struct rule_ctx *rc, char *const *p, const struct member *d, const struct member *tie,
		const char *servers, long long errors)
{
	const char *const key_of[] = { d->ref.event_id, p[2] };
	char *key = rule_key(key_of, NULL, 2);
	struct buf b, summary;
	struct jsonw w;
	struct finding f;
	int rc_;

	buf_init(&b, 1u << 20);
	buf_init(&summary, 1u << 16);
	buf_addf(&summary, "%s %s %s by %s at %s, not by MGN/DRS; %s %s (%s at %s)", resource_type(p[2]), p[2],
		 d->call->verb, d->who, d->ref.event_time, tie->call->verb,
		 tie->call->kind == TAGS ? "as theirs" : tie->by_mgn ? "by MGN/DRS" : "with their tag",
		 tie->call->name, tie->ref.event_time);
	if (servers[0])
		buf_addf(&summary, ", source server %s", servers);
	if (errors)
		buf_addf(&summary, "; %lld MGN/DRS call%s failed within the hour after", errors, errors > 1 ? "s" : "");
	jsonw_init(&w, &b);
	jsonw_object(&w);
	jsonw_kv_string(&w, "resource_id", p[2]);
	jsonw_kv_string(&w, "resource_type", resource_type(p[2]));
	jsonw_kv_string(&w, "action", d->call->name);
	jsonw_kv_string(&w, "who", d->who);
	jsonw_key(&w, "created_by");
	jsonw_object(&w);
	jsonw_kv_string(&w, "event_id", tie->ref.event_id);
	jsonw_kv_string(&w, "event_name", tie->call->name);
	jsonw_kv_string(&w, "time", tie->ref.event_time);
	jsonw_end_object(&w);
	jsonw_kv_int(&w, "followed_by_errors", errors);
	jsonw_kv_string(&w, "source_server", servers[0] ? servers : NULL);
	jsonw_end_object(&w);
	memset(&f, 0, sizeof(f));
	f.key = key;
	f.severity = errors ? SEV_CRITICAL : SEV_HIGH;
	f.related = 1;
	f.account = p[0];
	f.region = p[1];
	f.principal = d->principal;
	f.event_source = "ec2.amazonaws.com";
	f.event_name = d->call->name;
	f.summary = summary.data;
	f.details = b.data;
	f.events = &d->ref;
	f.nevents = 1;
	rc_ = rule_emit(rc, &f);
	buf_release(&b);
	buf_release(&summary);
	free(key);
	return rc_;
}

static int build(struct rule_ctx *rc, const struct rule_group *grp)
{
	char *const *p = grp->field;
	struct group g = { 0 };
	const struct member *tie = NULL;
	struct buf servers;
	int rc_;

	if (grp->nfields != 3)
		return -1;
	buf_init(&servers, 1u << 16);
	rc_ = rule_group_events(rc, LLONG_MIN, collect, &g);
	/* the first call that shows the resource is theirs; without one nothing is flagged */
	for (size_t i = 0; i < g.n && !tie; i++)
		if (g.v[i].call->kind != DESTROYS)
			tie = &g.v[i];
	if (!rc_ && tie)
		source_servers(rc, &g, &servers);
	for (size_t i = 0; !rc_ && tie && i < g.n; i++) {
		const struct member *d = &g.v[i];
		long long errors;

		if (d->call->kind != DESTROYS)
			continue;
		errors = rule_count_related_failures(rc, p[0], p[1], d->ref.time_ms, d->ref.time_ms + HOUR_MS);
		rc_ = errors < 0 ? -1 : emit(rc, p, d, tie, servers.data, errors);
	}
	free(g.v);
	buf_release(&servers);
	return rc_;
}

const struct rule rule_staging_interference = {
	.version = RULE_V1,
	.id = "staging-interference",
	.title = "Replication servers, staging volumes or snapshots destroyed by someone else",
	.severity = SEV_HIGH,
	.description = "Successful TerminateInstances or StopInstances of the replication and"
		" conversion servers MGN/DRS launched, DeleteVolume or DetachVolume of their staging"
		" volumes, DeleteSnapshot of their snapshots, by a principal that is not an MGN/DRS role"
		" or service: cleanup scripts, janitor functions, people. A resource is theirs when the"
		" store shows MGN/DRS creating it (RunInstances, CreateVolume, CreateSnapshot(s)) or"
		" their managed tag on it (CreateTags, tag specifications); MGN/DRS terminating their"
		" own servers is their lifecycle and not flagged, nor is a resource the store cannot"
		" tie to them. Critical when MGN/DRS calls fail within the hour after.",
	.advice = "Find who runs the principal named in the finding (a scheduled cleanup, a"
		" cost-saving Lambda, an instance scheduler) and exclude the resources tagged"
		" AWSApplicationMigrationServiceManaged or AWSElasticDisasterRecoveryManaged; MGN/DRS"
		" relaunch the replication server and resynchronise, which can start the initial sync"
		" over.",
	.check = check,
	.build = build,
};
