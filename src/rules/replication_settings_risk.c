/*
 * replication_settings_risk.c - rule replication-settings-risk: replication
 * settings that make the backlog flush slowly or cut the data path.
 *
 * The "Flushing Backlog" causes that settings explain (docs/research.md §4):
 * bandwidth throttling, HDD staging disks (ST1/SC1), a shared replication
 * server, a small replication-server instance type, private data-plane
 * routing without a public IP, and moving the staging subnet or its security
 * groups. Every UpdateReplicationConfiguration, UpdateReplicationConfiguration-
 * Template and CreateReplicationConfigurationTemplate of mgn and drs that
 * succeeded is read in time order; the settings each source server and
 * template had before are kept, so a finding says what changed from what.
 * A source server whose earlier setting is not in the store is compared with
 * the last template seen. Values CloudTrail hides are never read as values.
 * The group is the account and region (templates apply to every server).
 * What every target's setting was after the last call read is kept in the
 * store, so that a scan reads only the calls that came after it; a call that
 * arrives late, before one already read, makes the group read whole again.
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
#include "staging.h"

/* One replication configuration as far as the calls show it ("" / -1: unknown). */
struct setting {
	long long bw;                /* bandwidthThrottling, Mbps; 0 unthrottled */
	char disk[16];               /* defaultLargeStagingDiskType */
	char disks[256];             /* replicatedDisks: "dev=TYPE,..." */
	int dedicated;               /* useDedicatedReplicationServer */
	char itype[64];              /* replicationServerInstanceType */
	char routing[16];            /* dataPlaneRouting */
	int public_ip;               /* createPublicIP */
	char subnet[72];             /* stagingAreaSubnetId */
	char sgs[600];               /* replicationServersSecurityGroupsIDs, comma-joined */
	int default_sg;              /* associateDefaultSecurityGroup */
	int hidden;                  /* fields CloudTrail hid */
};

struct state {
	char key[80];                /* s-..., rct-..., or "template" (the last one seen) */
	char from[120];              /* what the setting was learned from */
	struct setting s;
};

struct group {
	struct state *v;
	size_t n;
	struct event_refs calls;
	char **principals;
};

static void setting_init(struct setting *s)
{
	memset(s, 0, sizeof(*s));
	s->bw = -1;
	s->dedicated = s->public_ip = s->default_sg = -1;
}

static struct state *state_get(struct group *g, const char *key, int create)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->v[i].key, key))
			return &g->v[i];
	if (!create)
		return NULL;
	g->v = xrealloc(g->v, (g->n + 1) * sizeof(*g->v));
	memset(&g->v[g->n], 0, sizeof(g->v[0]));
	snprintf(g->v[g->n].key, sizeof(g->v[0].key), "%s", key);
	setting_init(&g->v[g->n].s);
	return &g->v[g->n++];
}

static void copy_str(char *dst, size_t n, yajl_val v, int *hidden)
{
	if (ctj_hidden(v))
		(*hidden)++;
	else if (ctj_str(v))
		snprintf(dst, n, "%s", ctj_str(v));
}

static void read_bool(int *dst, yajl_val v, int *hidden)
{
	int b;

	if (ctj_hidden(v))
		(*hidden)++;
	else if (!ctj_bool(v, &b))
		*dst = b;
}

/* The settings a call sets; members it leaves out stay unknown. */
static void read_setting(yajl_val p, struct setting *s)
{
	yajl_val v, items[64];
	long long bw;
	size_t n;

	setting_init(s);
	if (ctj_hidden(p)) {
		s->hidden++;
		return;
	}
	v = ctj_get(p, "bandwidthThrottling");
	if (ctj_hidden(v))
		s->hidden++;
	else if (v && !ctj_int(v, &bw))
		s->bw = bw;
	copy_str(s->disk, sizeof(s->disk), ctj_get(p, "defaultLargeStagingDiskType"), &s->hidden);
	read_bool(&s->dedicated, ctj_get(p, "useDedicatedReplicationServer"), &s->hidden);
	copy_str(s->itype, sizeof(s->itype), ctj_get(p, "replicationServerInstanceType"), &s->hidden);
	copy_str(s->routing, sizeof(s->routing), ctj_get(p, "dataPlaneRouting"), &s->hidden);
	read_bool(&s->public_ip, ctj_get(p, "createPublicIP"), &s->hidden);
	copy_str(s->subnet, sizeof(s->subnet), ctj_get(p, "stagingAreaSubnetId"), &s->hidden);
	read_bool(&s->default_sg, ctj_get(p, "associateDefaultSecurityGroup"), &s->hidden);
	v = ctj_get(p, "replicationServersSecurityGroupsIDs");
	if (ctj_hidden(v)) {
		s->hidden++;
	} else if (v) {
		struct buf b;

		n = ctj_items(v, items, 64);
		buf_init(&b, sizeof(s->sgs) - 1);
		for (size_t i = 0; i < n && i < 64; i++)
			if (ctj_str(items[i]))
				buf_addf(&b, "%s%s", b.len ? "," : "", ctj_str(items[i]));
		snprintf(s->sgs, sizeof(s->sgs), "%s", b.len ? b.data : "(none)");
		buf_release(&b);
	}
	v = ctj_get(p, "replicatedDisks");
	if (ctj_hidden(v)) {
		s->hidden++;
	} else if (v) {
		struct buf b;

		n = ctj_items(v, items, 64);
		buf_init(&b, sizeof(s->disks) - 1);
		for (size_t i = 0; i < n && i < 64; i++) {
			const char *dev = ctj_str(ctj_get(items[i], "deviceName"));
			const char *t = ctj_str(ctj_get(items[i], "stagingDiskType"));

			if (t)
				buf_addf(&b, "%s%s=%s", b.len ? "," : "", dev ? dev : "?", t);
		}
		snprintf(s->disks, sizeof(s->disks), "%s", b.data);
		buf_release(&b);
	}
}

/* Known fields of cur written over st. */
static void merge(struct setting *st, const struct setting *cur)
{
	if (cur->bw >= 0)
		st->bw = cur->bw;
	if (cur->disk[0])
		memcpy(st->disk, cur->disk, sizeof(st->disk));
	if (cur->disks[0])
		memcpy(st->disks, cur->disks, sizeof(st->disks));
	if (cur->dedicated >= 0)
		st->dedicated = cur->dedicated;
	if (cur->itype[0])
		memcpy(st->itype, cur->itype, sizeof(st->itype));
	if (cur->routing[0])
		memcpy(st->routing, cur->routing, sizeof(st->routing));
	if (cur->public_ip >= 0)
		st->public_ip = cur->public_ip;
	if (cur->subnet[0])
		memcpy(st->subnet, cur->subnet, sizeof(st->subnet));
	if (cur->sgs[0])
		memcpy(st->sgs, cur->sgs, sizeof(st->sgs));
	if (cur->default_sg >= 0)
		st->default_sg = cur->default_sg;
}

static int is_hdd(const char *t)
{
	return !strcasecmp(t, "ST1") || !strcasecmp(t, "SC1");
}

/* The size part of an instance type: "t3.micro" gives "micro". */
static const char *type_size(const char *t)
{
	const char *dot = strchr(t, '.');

	return dot ? dot + 1 : "";
}

/* A finding in the making: its risks and changes as JSON members, and the summary. */
struct verdict {
	enum severity sev;
	int nrisks;
	struct buf risks, changes, summary;
};

static void risk(struct verdict *v, enum severity sev, const char *field, const char *value,
		 const char *was, const char *what, const char *why)
{
	struct jsonw w;

	if (!v->nrisks || sev > v->sev)
		v->sev = sev;
	if (v->nrisks)
		buf_addch(&v->risks, ',');
	jsonw_init(&w, &v->risks);
	jsonw_object(&w);
	jsonw_kv_string(&w, "field", field);
	jsonw_kv_string(&w, "severity", severity_name(sev));
	jsonw_kv_string(&w, "value", value);
	jsonw_kv_string(&w, "was", was);
	jsonw_kv_string(&w, "what", what);
	jsonw_kv_string(&w, "why", why);
	jsonw_end_object(&w);
	buf_addf(&v->summary, "%s%s", v->nrisks ? "; " : "", what);
	if (was && value && (!strcmp(was, value) ||
			     (!strncmp(was, value, strlen(value)) && was[strlen(value)] == ' ')))
		buf_addstr(&v->summary, " (unchanged)");
	else if (was)
		buf_addf(&v->summary, " (was %s)", was);
	v->nrisks++;
}

static void change(struct verdict *v, const char *field, const char *from, const char *to)
{
	struct jsonw w;

	if (!to || !*to || (from && !strcmp(from, to)))
		return;
	if (v->changes.len)
		buf_addch(&v->changes, ',');
	jsonw_init(&w, &v->changes);
	jsonw_object(&w);
	jsonw_kv_string(&w, "field", field);
	jsonw_kv_string(&w, "from", from && *from ? from : NULL);
	jsonw_kv_string(&w, "to", to);
	jsonw_end_object(&w);
}

static const char *bool_text(int b)
{
	return b < 0 ? NULL : b ? "true" : "false";
}

/* The previous value of a field as text (NULL when unknown). */
static const char *was_str(const struct setting *prev, const char *s)
{
	(void)prev;
	return s && *s ? s : NULL;
}

/* Judges cur against prev; a template being created sets its subnet and groups, it does not move them. */
static void judge(const struct setting *cur, const struct setting *prev, int creating, struct verdict *v)
{
	char now[64], before[64];

	if (cur->bw >= 0) {
		snprintf(now, sizeof(now), "%lld", cur->bw);
		if (prev->bw >= 0)
			snprintf(before, sizeof(before), "%lld", prev->bw);
		change(v, "bandwidthThrottling", prev->bw >= 0 ? before : NULL, now);
	}
	if (cur->bw > 0) {
		char what[96];

		snprintf(what, sizeof(what), "bandwidth throttled to %lld Mbps", cur->bw);
		if (prev->bw == 0)
			snprintf(before, sizeof(before), "unthrottled");
		else if (prev->bw > 0)
			snprintf(before, sizeof(before), "%lld Mbps", prev->bw);
		risk(v, cur->bw <= 10 ? SEV_HIGH : SEV_MEDIUM, "bandwidthThrottling", now,
		     prev->bw >= 0 ? before : NULL, what,
		     "replication cannot send faster than this, so a backlog of changed blocks flushes"
		     " slowly and the first launchable snapshot waits for it (0 means unthrottled)");
	}
	change(v, "defaultLargeStagingDiskType", prev->disk, cur->disk);
	if (cur->disk[0] && is_hdd(cur->disk)) {
		char what[96];

		snprintf(what, sizeof(what), "large staging disks on %s (HDD)", cur->disk);
		risk(v, SEV_MEDIUM, "defaultLargeStagingDiskType", cur->disk, was_str(prev, prev->disk), what,
		     "throughput-optimized and cold HDD volumes give few IOPS for small random writes,"
		     " so the backlog flushes slowly and snapshots of the staging disks take longer");
	}
	change(v, "replicatedDisks", prev->disks, cur->disks);
	if (cur->disks[0]) {
		char d[256], what[300];

		for (const char *q = cur->disks; *q; q += strcspn(q, ",") + (q[strcspn(q, ",")] == ',')) {
			const char *t;

			snprintf(d, sizeof(d), "%.*s", (int)strcspn(q, ","), q);
			t = strrchr(d, '=');
			if (t && is_hdd(t + 1)) {
				snprintf(what, sizeof(what), "staging disk %s on HDD", d);
				risk(v, SEV_MEDIUM, "replicatedDisks.stagingDiskType", d, NULL, what,
				     "an HDD staging disk gives few IOPS, so this disk's backlog flushes slowly");
			}
		}
	}
	change(v, "useDedicatedReplicationServer", bool_text(prev->dedicated), bool_text(cur->dedicated));
	if (cur->dedicated == 0)
		risk(v, SEV_LOW, "useDedicatedReplicationServer", "false",
		     prev->dedicated == 1 ? "dedicated" : NULL, "shared replication server",
		     "one replication server serves several source servers; a busy neighbour's"
		     " writes compete for its network and disk throughput");
	change(v, "replicationServerInstanceType", prev->itype, cur->itype);
	if (cur->itype[0]) {
		const char *sz = type_size(cur->itype);
		int tiny = !strcmp(sz, "nano") || !strcmp(sz, "micro");
		char what[96];

		snprintf(what, sizeof(what), "replication server type %s", cur->itype);
		if (tiny || !strcmp(sz, "small"))
			risk(v, tiny ? SEV_MEDIUM : SEV_LOW, "replicationServerInstanceType", cur->itype,
			     was_str(prev, prev->itype), what,
			     "a small (often burstable) instance runs out of network and EBS bandwidth or"
			     " CPU credits under a large backlog; a larger type flushes faster");
	}
	change(v, "dataPlaneRouting", prev->routing, cur->routing);
	change(v, "createPublicIP", bool_text(prev->public_ip), bool_text(cur->public_ip));
	/* a move from public to private routing cuts a path that worked; private from the start was planned */
	if (!strcasecmp(cur->routing, "PRIVATE_IP") && cur->public_ip != 1)
		risk(v, prev->routing[0] && strcasecmp(prev->routing, "PRIVATE_IP") ? SEV_MEDIUM : SEV_LOW, "dataPlaneRouting", "PRIVATE_IP", was_str(prev, prev->routing),
		     "private data-plane routing without a public IP",
		     "the source servers must reach the replication servers' private addresses on TCP"
		     " 1500 over VPN, Direct Connect or peering; without that path nothing replicates");
	change(v, "stagingAreaSubnetId", prev->subnet, cur->subnet);
	if (cur->subnet[0] && strcmp(cur->subnet, prev->subnet) && (prev->subnet[0] || !creating)) {
		char what[160];

		snprintf(what, sizeof(what), "staging subnet %s %s", prev->subnet[0] ? "changed to" : "set to",
			 cur->subnet);
		risk(v, prev->subnet[0] ? SEV_MEDIUM : SEV_INFO, "stagingAreaSubnetId", cur->subnet,
		     was_str(prev, prev->subnet), what,
		     "the replication servers are relaunched in the new subnet, which must reach the EC2,"
		     " S3 and MGN/DRS endpoints on TCP 443 and be reachable from the sources on TCP 1500;"
		     " replication restarts its sync meanwhile");
	}
	change(v, "replicationServersSecurityGroupsIDs", prev->sgs, cur->sgs);
	if (cur->sgs[0] && strcmp(cur->sgs, prev->sgs) && (prev->sgs[0] || !creating)) {
		char what[700];

		snprintf(what, sizeof(what), "replication server security groups %s %s",
			 prev->sgs[0] ? "changed to" : "set to", cur->sgs);
		risk(v, prev->sgs[0] ? SEV_MEDIUM : SEV_INFO, "replicationServersSecurityGroupsIDs", cur->sgs,
		     was_str(prev, prev->sgs), what,
		     "the new groups must allow TCP 1500 in from the sources and TCP 443 out to the"
		     " endpoints, or the agents disconnect and the backlog grows");
	}
	change(v, "associateDefaultSecurityGroup", bool_text(prev->default_sg), bool_text(cur->default_sg));
	if (cur->default_sg == 0)
		risk(v, SEV_MEDIUM, "associateDefaultSecurityGroup", "false",
		     prev->default_sg == 1 ? "true" : NULL, "default replication security group not associated",
		     "the default group is the one that opens TCP 1500 to the agents; without it the"
		     " groups given must do that");
}

static int collect(void *arg, const struct event *ev)
{
	struct group *g = arg;

	event_refs_add(&g->calls, ev);
	g->principals = xrealloc(g->principals, g->calls.n * sizeof(*g->principals));
	g->principals[g->calls.n - 1] = xstrdup(ev->principal ? ev->principal : "");
	return 0;
}

static int emit(struct rule_ctx *rc, char *const *p, const struct event_ref *ref, const char *principal,
		const char *api, const char *target, const char *from, const struct setting *cur,
		struct verdict *v)
{
	struct buf b, summary;
	struct jsonw w;
	struct finding f;
	int rc_;

	buf_init(&b, 1u << 20);
	buf_init(&summary, 1u << 16);
	buf_addf(&summary, "%s for %s: %s", api, target, v->summary.data);
	if (!from)
		buf_addstr(&summary, "; the earlier setting is not in the store");
	jsonw_init(&w, &b);
	jsonw_object(&w);
	jsonw_kv_string(&w, "api", api);
	jsonw_kv_string(&w, "target", target);
	jsonw_kv_string(&w, "compared_with", from);
	jsonw_kv_int(&w, "hidden_fields", cur->hidden);
	jsonw_key(&w, "risks");
	jsonw_raw(&w, "[");
	buf_add(&b, v->risks.data, v->risks.len);
	buf_addch(&b, ']');
	jsonw_key(&w, "changes");
	jsonw_raw(&w, "[");
	buf_add(&b, v->changes.data, v->changes.len);
	buf_addch(&b, ']');
	jsonw_end_object(&w);
	memset(&f, 0, sizeof(f));
	f.key = ref->event_id;
	f.severity = v->sev;
	f.related = 1;
	f.account = p[0];
	f.region = p[1];
	f.principal = principal;
	f.event_source = api[0] == 'm' ? "mgn.amazonaws.com" : "drs.amazonaws.com";
	f.event_name = strchr(api, ':') + 1;
	f.summary = summary.data;
	f.details = b.data;
	f.events = ref;
	f.nevents = 1;
	rc_ = rule_emit(rc, &f);
	buf_release(&b);
	buf_release(&summary);
	return rc_;
}

/* Reads one call, judges it against what came before, and records its settings. */
static int one_call(struct rule_ctx *rc, char *const *p, struct group *g, size_t i)
{
	const struct event_ref *ref = &g->calls.v[i];
	yajl_val doc = rule_event_record(rc, ref->seq);
	char api[96], target[80] = "", from[160] = "";
	const char *src, *name;
	struct setting cur;
	struct state *st, *prev;
	struct verdict v;
	int rc_ = 0, is_template;

	if (!doc)
		return 0;
	src = ctj_str(ctj_get(doc, "eventSource"));
	name = ctj_str(ctj_get(doc, "eventName"));
	snprintf(api, sizeof(api), "%.*s:%s", src ? (int)strcspn(src, ".") : 3, src ? src : "mgn",
		 name ? name : "?");
	is_template = name && strstr(name, "Template") != NULL;
	read_setting(ctj_params(doc), &cur);
	if (is_template) {
		const char *id = ctj_str(ctj_get(ctj_params(doc), "replicationConfigurationTemplateID"));

		if (!id)
			id = ctj_str(ctj_get(ctj_get(doc, "responseElements"), "replicationConfigurationTemplateID"));
		snprintf(target, sizeof(target), "template %s", id ? id : "(new)");
	} else {
		const char *id = ctj_str(ctj_get(ctj_params(doc), "sourceServerID"));

		snprintf(target, sizeof(target), "%s", id ? id : "(unknown source server)");
	}
	prev = state_get(g, target, 0);
	if (prev) {
		snprintf(from, sizeof(from), "%s", prev->from);
	} else if (!is_template && (prev = state_get(g, "template", 0))) {
		snprintf(from, sizeof(from), "the %s", prev->from);
	}
	memset(&v, 0, sizeof(v));
	buf_init(&v.risks, 1u << 20);
	buf_init(&v.changes, 1u << 20);
	buf_init(&v.summary, 1u << 16);
	{
		struct setting none;

		setting_init(&none);
		judge(&cur, prev ? &prev->s : &none, name && !strncmp(name, "Create", 6), &v);
	}
	if (v.nrisks)
		rc_ = emit(rc, p, ref, g->principals[i], api, target, from[0] ? from : NULL, &cur, &v);
	st = state_get(g, target, 1);
	merge(&st->s, &cur);
	snprintf(st->from, sizeof(st->from), "%s at %s", target, ref->event_time);
	if (is_template) {
		struct state *t = state_get(g, "template", 1);

		merge(&t->s, &cur);
		snprintf(t->from, sizeof(t->from), "%s at %s", target, ref->event_time);
	}
	buf_release(&v.risks);
	buf_release(&v.changes);
	buf_release(&v.summary);
	yajl_tree_free(doc);
	return rc_;
}

static int check(struct rule_ctx *rc, const struct event *ev)
{
	static const enum ev_field by[] = { EV_ACCOUNT, EV_REGION };

	if (ev->error_code || !mgn_settings_call(ev->event_source, ev->event_name))
		return RULE_DECLINED;
	return rule_touch_fields(rc, ev, by, 2) ? RULE_ERROR : RULE_OK;
}

/* What a build keeps for the next: every target's setting, after a header that names the layout. */
struct kept {
	unsigned magic;              /* KEPT_MAGIC */
	unsigned state_size;         /* sizeof(struct state) */
};
#define KEPT_MAGIC 0x53525331u  /* "SRS1" */

/*
 * Restores the settings every target had after the calls the last build
 * read, when the new calls all came after them; returns where to read
 * from: after those calls, or LLONG_MIN to read the group whole (a first
 * build, `scan --all`, or a call that arrived late, before the last one read).
 */
static long long resume(struct rule_ctx *rc, const struct rule_group *grp, struct group *g)
{
	size_t size = 0;
	long long upto = 0;
	const unsigned char *blob = rule_state_get(rc, &size, &upto);
	struct kept k;

	if (!blob || grp->new_from_ms == LLONG_MIN || grp->new_from_ms <= upto || size < sizeof(k))
		return LLONG_MIN;
	memcpy(&k, blob, sizeof(k));
	if (k.magic != KEPT_MAGIC || k.state_size != sizeof(struct state) ||
	    (size - sizeof(k)) % sizeof(struct state))
		return LLONG_MIN;
	g->n = (size - sizeof(k)) / sizeof(struct state);
	g->v = xmalloc((g->n ? g->n : 1) * sizeof(*g->v));
	memcpy(g->v, blob + sizeof(k), g->n * sizeof(*g->v));
	return grp->new_from_ms;
}

static int keep(struct rule_ctx *rc, const struct group *g, long long upto)
{
	struct kept k = { KEPT_MAGIC, sizeof(struct state) };
	size_t size = sizeof(k) + g->n * sizeof(*g->v);
	unsigned char *blob = xmalloc(size);
	int rc_;

	memcpy(blob, &k, sizeof(k));
	if (g->n)
		memcpy(blob + sizeof(k), g->v, g->n * sizeof(*g->v));
	rc_ = rule_state_put(rc, blob, size, upto);
	free(blob);
	return rc_;
}

static int build(struct rule_ctx *rc, const struct rule_group *grp)
{
	char *const *p = grp->field;
	struct group g;
	long long from;
	int rc_;

	if (grp->nfields != 2)
		return -1;
	memset(&g, 0, sizeof(g));
	from = resume(rc, grp, &g);
	/* a call's finding depends on the calls before it only: those before `from` stay */
	rule_keep_before(rc, from);
	rc_ = rule_group_events(rc, from, collect, &g);
	for (size_t i = 0; !rc_ && i < g.calls.n; i++)
		rc_ = one_call(rc, p, &g, i);
	if (!rc_ && g.calls.n)
		rc_ = keep(rc, &g, g.calls.v[g.calls.n - 1].time_ms);
	for (size_t i = 0; i < g.calls.n; i++)
		free(g.principals[i]);
	free(g.principals);
	free(g.v);
	event_refs_release(&g.calls);
	return rc_;
}

const struct rule rule_replication_settings_risk = {
	.version = RULE_V1,
	.id = "replication-settings-risk",
	.title = "Replication settings that slow the backlog or cut the data path",
	.severity = SEV_MEDIUM,
	.description = "UpdateReplicationConfiguration, UpdateReplicationConfigurationTemplate and"
		" CreateReplicationConfigurationTemplate calls (mgn and drs) that set bandwidth"
		" throttling (bandwidthThrottling > 0; 0 is unthrottled), HDD staging disks (ST1, SC1"
		" as defaultLargeStagingDiskType or a disk's stagingDiskType), a shared replication"
		" server, a nano, micro or small replication-server instance type, private data-plane"
		" routing without a public IP, no default security group, or that move the staging"
		" subnet or security groups. Each finding says what changed from what, when the store"
		" holds the earlier setting of the source server or the template, and why it matters"
		" for the backlog or the first snapshot. Fields CloudTrail hides are not read.",
	.advice = "Check the current settings with aws mgn get-replication-configuration"
		" --source-server-id s-... (drs: aws drs get-replication-configuration); set"
		" --bandwidth-throttling 0, GP3 staging disks, a larger replication-server instance"
		" type or a dedicated server while the backlog flushes, and make sure the staging"
		" subnet and groups allow TCP 443 out and TCP 1500 in.",
	.check = check,
	.build = build,
};
