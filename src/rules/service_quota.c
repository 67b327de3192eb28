/*
 * service_quota.c - rule service-quota: quota and capacity errors.
 *
 * The `quota` error class (InstanceLimitExceeded, VcpuLimitExceeded,
 * SnapshotLimitExceeded, VolumeLimitExceeded, MaxIOPSLimitExceeded,
 * ResourceLimitExceeded, LimitExceededException,
 * ServiceQuotaExceededException, ...) and the `capacity` class
 * (InsufficientInstanceCapacity and its kin), one finding per account,
 * region, principal, API and error. A throttle (RequestLimitExceeded) is not
 * a quota error: the taxonomy puts it in `throttled`.
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

/* What each limit is and what raises it; anything else gets the generic text. */
static const struct limit {
	const char *code;     /* error_base */
	const char *what;
} limits[] = {
	{ "VcpuLimitExceeded", "the On-Demand vCPU quota of the instance family in this Region (Service Quotas: Amazon EC2, Running On-Demand instances)" },
	{ "InstanceLimitExceeded", "the On-Demand instance limit for this instance type in this Region" },
	{ "SnapshotLimitExceeded", "the EBS snapshots-per-Region quota (Service Quotas: Amazon EBS, Snapshots per Region)" },
	{ "VolumeLimitExceeded", "the EBS storage quota for this volume type in this Region (Service Quotas: Amazon EBS)" },
	{ "MaxIOPSLimitExceeded", "the provisioned IOPS quota for io1/io2 volumes in this Region" },
	{ "AddressLimitExceeded", "the Elastic IP addresses quota in this Region" },
	{ "SecurityGroupLimitExceeded", "the security groups per VPC quota" },
	{ "RulesPerSecurityGroupLimitExceeded", "the rules per security group quota" },
	{ "NetworkInterfaceLimitExceeded", "the network interfaces per Region quota" },
	{ "TagLimitExceeded", "the 50-tags-per-resource limit" },
	{ "InsufficientInstanceCapacity", "AWS capacity for this instance type in this Availability Zone (not a quota: try another subnet's AZ or instance type, or retry later)" },
	{ "InsufficientVolumeCapacity", "AWS capacity for this volume type in this Availability Zone (retry later or use another AZ)" },
	{ NULL, "a service quota (check Service Quotas for this service and Region)" },
};

static const char *limit_of(const char *base)
{
	const struct limit *l = limits;

	for (; l->code; l++)
		if (base && !strcmp(base, l->code))
			break;
	return l->what;
}

static int check(struct rule_ctx *rc, const struct event *ev)
{
	static const enum ev_field by[] = {
		EV_ACCOUNT, EV_REGION, EV_PRINCIPAL, EV_SOURCE, EV_NAME, EV_ERROR_BASE
	};

	if (!ev->error_class || (strcmp(ev->error_class, "quota") && strcmp(ev->error_class, "capacity")))
		return RULE_DECLINED;
	return rule_touch_fields(rc, ev, by, 6) ? RULE_ERROR : RULE_OK;
}

/* What the finding says of all the group's events: kept in the store between scans. */
struct tally {
	unsigned magic;              /* TALLY_MAGIC: this layout */
	long long total;             /* events */
	int related;
	char code[80];               /* the first event's, and so on: the first in time order */
	char cls[16];
	char sample[300];
};
#define TALLY_MAGIC 0x53513031u  /* "SQ01" */

struct group {
	struct event_refs refs;      /* the events read in this build */
	struct tally t;
};

static int collect(void *arg, const struct event *ev)
{
	struct group *g = arg;
	struct tally *t = &g->t;

	event_refs_add(&g->refs, ev);
	t->total++;
	t->related |= ev->related;
	if (!t->code[0] && ev->error_code)
		snprintf(t->code, sizeof(t->code), "%s", ev->error_code);
	if (!t->cls[0] && ev->error_class)
		snprintf(t->cls, sizeof(t->cls), "%s", ev->error_class);
	if (!t->sample[0] && ev->error_message)
		snprintf(t->sample, sizeof(t->sample), "%s", ev->error_message);
	return 0;
}

/* Emits the group's finding: whole (from LLONG_MIN), or its events after `from` added. */
static int emit(struct rule_ctx *rc, const struct rule_group *grp, const struct group *g, long long from)
{
	char *const *p = grp->field;
	const struct tally *t = &g->t;
	int quota = !strcmp(t->cls, "quota"), rc_;
	char api[200], summary[600];
	struct buf b;
	struct jsonw w;
	struct finding f;

	snprintf(api, sizeof(api), "%.*s:%s", (int)strcspn(p[3], "."), p[3], p[4]);
	snprintf(summary, sizeof(summary), "%s failed %lld time%s with %s for %s: %s", api,
		 t->total, t->total == 1 ? "" : "s", t->code, arn_short_name(p[2]),
		 quota ? "a quota is exhausted" : "AWS is out of capacity");
	buf_init(&b, 1u << 16);
	jsonw_init(&w, &b);
	jsonw_object(&w);
	jsonw_kv_string(&w, "api", api);
	jsonw_kv_string(&w, "class", t->cls);
	jsonw_kv_string(&w, "limit", limit_of(p[5]));
	jsonw_kv_int(&w, "count", t->total);
	jsonw_kv_string(&w, "sample_message", t->sample[0] ? t->sample : NULL);
	jsonw_end_object(&w);
	memset(&f, 0, sizeof(f));
	f.key = grp->key;
	f.severity = quota ? (t->related ? SEV_CRITICAL : SEV_HIGH) : (t->related ? SEV_HIGH : SEV_MEDIUM);
	f.related = t->related;
	f.account = p[0];
	f.region = p[1];
	f.principal = p[2];
	f.event_source = p[3];
	f.event_name = p[4];
	f.error_code = t->code;
	f.summary = summary;
	f.details = b.data;
	f.events = g->refs.v;
	f.nevents = g->refs.n;
	rc_ = from == LLONG_MIN ? rule_emit(rc, &f) : rule_emit_more(rc, &f);
	buf_release(&b);
	return rc_;
}

static int build(struct rule_ctx *rc, const struct rule_group *grp)
{
	struct group g;
	long long from;
	int rc_;

	if (grp->nfields != 6)
		return -1;
	memset(&g, 0, sizeof(g));
	from = rule_state_resume(rc, grp, &g.t, sizeof(g.t), TALLY_MAGIC);
	for (;;) {
		rc_ = rule_group_events(rc, from, collect, &g);
		if (!rc_ && g.refs.n)
			rc_ = emit(rc, grp, &g, from);
		if (rc_ != 1 || from == LLONG_MIN)
			break;
		/* the finding was not there to extend: build the group whole */
		event_refs_release(&g.refs);
		memset(&g.t, 0, sizeof(g.t));
		from = LLONG_MIN;
	}
	if (!rc_ && g.refs.n) {
		g.t.magic = TALLY_MAGIC;
		rc_ = rule_state_put(rc, &g.t, sizeof(g.t), g.refs.v[g.refs.n - 1].time_ms);
	}
	event_refs_release(&g.refs);
	return rc_ < 0 ? -1 : rc_;
}

const struct rule rule_service_quota = {
	.version = RULE_V1,
	.id = "service-quota",
	.title = "Service quota and capacity errors",
	.severity = SEV_HIGH,
	.description = "Calls that failed because a quota is exhausted (InstanceLimitExceeded,"
		" VcpuLimitExceeded, SnapshotLimitExceeded, VolumeLimitExceeded, MaxIOPSLimitExceeded,"
		" ResourceLimitExceeded, LimitExceededException, ServiceQuotaExceededException, ...) or"
		" AWS lacked capacity (InsufficientInstanceCapacity, ...), one finding per account,"
		" region, principal, API and error. Throttling is not a quota error (see api-throttling).",
	.advice = "Raise the quota in Service Quotas (or delete unused snapshots, volumes and"
		" instances); for capacity errors choose another Availability Zone (staging subnet)"
		" or instance type for the replication or conversion server.",
	.check = check,
	.build = build,
};
