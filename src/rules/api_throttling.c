/*
 * api_throttling.c - rule api-throttling: bursts of throttled calls.
 *
 * Throttling errors (RequestLimitExceeded, ThrottlingException, Throttling,
 * TooManyRequestsException, SlowDown, ...: the `throttled` error class) are
 * grouped by account, region, principal and API, and split into bursts where
 * two errors are more than BURST_GAP_MS apart: one finding per burst with its
 * count, span and peak rate, and the error code of its first event (a
 * burst's finding depends on its own events only, so a scan re-reads only
 * the bursts new events can reach). Quota errors are not throttles
 * (service-quota).
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

/* Errors closer than this belong to one burst: SDK retries back off for up to minutes. */
#define BURST_GAP_MS (5 * 60 * 1000LL)
#define PEAK_WINDOW_MS (60 * 1000LL)

/* Services on the replication path: their throttles delay snapshots and the backlog. */
static const char *const replication_path[] = {
	"ec2.amazonaws.com", "ebs.amazonaws.com", "mgn.amazonaws.com", "drs.amazonaws.com",
	"kms.amazonaws.com", "sts.amazonaws.com", "s3.amazonaws.com", "iam.amazonaws.com", NULL
};

static int on_path(const char *source)
{
	for (int i = 0; source && replication_path[i]; i++)
		if (!strcmp(source, replication_path[i]))
			return 1;
	return 0;
}

static int check(struct rule_ctx *rc, const struct event *ev)
{
	static const enum ev_field by[] = { EV_ACCOUNT, EV_REGION, EV_PRINCIPAL, EV_SOURCE, EV_NAME };

	if (!ev->error_class || strcmp(ev->error_class, "throttled"))
		return RULE_DECLINED;
	return rule_touch_fields(rc, ev, by, 5) ? RULE_ERROR : RULE_OK;
}

struct group {
	struct event_refs refs;
	char *related;       /* per ref */
	char (*code)[64];    /* per ref: its error code */
};

static int collect(void *arg, const struct event *ev)
{
	struct group *g = arg;

	event_refs_add(&g->refs, ev);
	g->related = xrealloc(g->related, g->refs.cap);
	g->related[g->refs.n - 1] = (char)ev->related;
	g->code = xrealloc(g->code, g->refs.cap * sizeof(*g->code));
	snprintf(g->code[g->refs.n - 1], sizeof(g->code[0]), "%s", ev->error_code ? ev->error_code : "");
	return 0;
}

/* Most errors in any PEAK_WINDOW_MS of refs[0..n), which are in time order. */
static size_t peak(const struct event_ref *refs, size_t n)
{
	size_t best = 0, lo = 0;

	for (size_t hi = 0; hi < n; hi++) {
		while (refs[hi].time_ms - refs[lo].time_ms >= PEAK_WINDOW_MS)
			lo++;
		if (hi - lo + 1 > best)
			best = hi - lo + 1;
	}
	return best;
}

static int emit_burst(struct rule_ctx *rc, const struct rule_group *grp, const struct group *g,
		      size_t from, size_t to)
{
	const struct event_ref *refs = g->refs.v + from;
	size_t n = to - from, top = peak(refs, n);
	long long span = refs[n - 1].time_ms - refs[0].time_ms;
	char *const *p = grp->field;
	const char *id = refs[0].event_id;
	char *first_id = rule_key(&id, NULL, 1);
	const char *code = NULL;
	int related = 0, rc_;
	char *key, api[200], summary[600];
	struct buf b;
	struct jsonw w;
	struct finding f;

	for (size_t i = from; i < to; i++) {
		related |= g->related[i];
		if (!code && g->code[i][0])
			code = g->code[i];
	}
	/* the group's key, then the burst's first event: unambiguous, as the group has 5 fields */
	key = xmalloc(strlen(grp->key) + strlen(first_id) + 2);
	sprintf(key, "%s|%s", grp->key, first_id);
	free(first_id);
	snprintf(api, sizeof(api), "%s:%s", p[3][0] ? p[3] : "?", p[4]);
	/* "ec2.amazonaws.com:CreateSnapshot" reads better as ec2:CreateSnapshot */
	if (strstr(api, ".amazonaws.com:")) {
		char *dot = strchr(api, '.');
		char *colon = strchr(api, ':');

		memmove(dot, colon, strlen(colon) + 1);
	}
	snprintf(summary, sizeof(summary), "%s throttled %zu time%s in %llds (peak %zu/min) for %s",
		 api, n, n == 1 ? "" : "s", span / 1000, top, arn_short_name(p[2]));
	buf_init(&b, 1u << 16);
	jsonw_init(&w, &b);
	jsonw_object(&w);
	jsonw_kv_string(&w, "api", api);
	jsonw_kv_int(&w, "count", (long long)n);
	jsonw_kv_int(&w, "span_seconds", span / 1000);
	jsonw_kv_int(&w, "peak_per_minute", (long long)top);
	jsonw_kv_int(&w, "gap_threshold_seconds", BURST_GAP_MS / 1000);
	jsonw_key(&w, "replication_path");
	jsonw_bool(&w, on_path(p[3]));
	jsonw_end_object(&w);
	memset(&f, 0, sizeof(f));
	f.key = key;
	f.severity = related ? SEV_HIGH : on_path(p[3]) ? SEV_MEDIUM : SEV_LOW;
	f.related = related;
	f.account = p[0];
	f.region = p[1];
	f.principal = p[2];
	f.event_source = p[3];
	f.event_name = p[4];
	f.error_code = code;
	f.summary = summary;
	f.details = b.data;
	f.events = refs;
	f.nevents = n;
	rc_ = rule_emit(rc, &f);
	buf_release(&b);
	free(key);
	return rc_;
}

/*
 * Where a rebuild must start: new events can extend or join only the bursts
 * that end less than BURST_GAP_MS before the earliest of them, so the bursts
 * before stay as they are and only the tail from the first such burst is
 * read again.
 */
static long long window_start(struct rule_ctx *rc, const struct rule_group *grp)
{
	long long first;

	if (grp->new_from_ms == LLONG_MIN)
		return LLONG_MIN;
	first = rule_findings_first_after(rc, grp->new_from_ms - BURST_GAP_MS);
	return first < grp->new_from_ms ? first : grp->new_from_ms;
}

static int build(struct rule_ctx *rc, const struct rule_group *grp)
{
	struct group g;
	size_t start = 0;
	long long from = window_start(rc, grp);
	int rc_;

	if (grp->nfields != 5)
		return -1;
	memset(&g, 0, sizeof(g));
	rule_keep_before(rc, from);
	rc_ = rule_group_events(rc, from, collect, &g);
	for (size_t i = 1; !rc_ && i <= g.refs.n; i++) {
		if (i == g.refs.n || g.refs.v[i].time_ms - g.refs.v[i - 1].time_ms > BURST_GAP_MS) {
			rc_ = emit_burst(rc, grp, &g, start, i);
			start = i;
		}
	}
	event_refs_release(&g.refs);
	free(g.related);
	free(g.code);
	return rc_;
}

const struct rule rule_api_throttling = {
	.version = RULE_V1,
	.id = "api-throttling",
	.title = "API throttling bursts",
	.severity = SEV_MEDIUM,
	.description = "Throttled calls (RequestLimitExceeded, ThrottlingException, Throttling,"
		" TooManyRequestsException, SlowDown, ...), grouped by account, region, principal and"
		" API into bursts: errors less than 5 minutes apart are one burst. One finding per burst"
		" with its count, span and peak rate per minute. High when MGN/DRS is throttled, medium"
		" on the replication path (EC2, EBS, MGN, DRS, KMS, STS, S3, IAM), low elsewhere.",
	.advice = "Find what else calls the same API in the account and region (query principal-activity,"
		" source-timeline) and slow it down; EC2 API request rate limits are per account and"
		" region and shared by every caller. Snapshot-heavy tools running beside MGN/DRS are the"
		" usual cause.",
	.check = check,
	.build = build,
};
