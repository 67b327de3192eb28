/*
 * report.c - the diagnosis report; see report.h.
 *
 * build_*() turn the findings into one JSON document; render_text() and
 * render_html() read that document back (yajl_tree) and lay it out. The
 * causes are the ones CloudTrail can show, in the order a support engineer
 * would rule them out: permissions, quotas and capacity, throttling, then
 * the replication settings.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "buf.h"
#include "jsonw.h"
#include "mgn.h"
#include "msg.h"
#include "report_render.h"
#include "rules.h"
#include "store.h"
#include "timeline.h"
#include "timeparse.h"
#include "verify.h"

/* The causes, each backed by one rule. */
static const struct cause {
	const char *id;
	const char *rule;
	const char *title;
	const char *next_step;
	enum severity evident_at;    /* the least severity that makes it a cause */
} causes[] = {
	{ "permissions", "ec2-access-denied", "Missing EC2 permissions",
	  "Grant the denied actions to the principals below (the policy statement is ready to"
	  " paste), or re-attach the AWS managed policy of the MGN/DRS role; where the reason is a"
	  " service control policy or permissions boundary, change that instead. Then restart"
	  " replication (mgn retry-data-replication) and watch the errors stop.", SEV_LOW },
	{ "quotas", "service-quota", "Service quotas and capacity",
	  "Raise the named quota in Service Quotas, or free capacity (old snapshots and"
	  " volumes); for capacity errors pick another Availability Zone (staging subnet) or"
	  " replication server instance type.", SEV_LOW },
	{ "throttling", "api-throttling", "EC2 API throttling",
	  "Find the other callers of the throttled APIs in this account and region (query"
	  " principal-activity, source-timeline) and slow them down; API rate limits are per"
	  " account and region and shared by every caller.", SEV_LOW },
	{ "settings", "replication-invalid-tags", "Replication settings and staging-area tags",
	  "Correct the tags in the replication settings and the template (mgn"
	  " update-replication-configuration --staging-area-tags); read hidden tags with mgn"
	  " get-replication-configuration.", SEV_LOW },
	{ "network", "staging-network-change", "Network changes on the staging area's path",
	  "Restore the egress rule, ACL entry, route, gateway or endpoint setting named above; then"
	  " test from a replication server: curl -sv https://ec2.REGION.amazonaws.com -o /dev/null"
	  " (TCP 443 to the endpoint) and, from a source server, nc -vz REPLICATION-SERVER-IP 1500.",
	  SEV_LOW },
	{ "backlog", "replication-settings-risk", "Replication settings that slow the backlog",
	  "Read the current settings (mgn get-replication-configuration --source-server-id s-...);"
	  " while the backlog flushes set --bandwidth-throttling 0, GP3 staging disks and a larger"
	  " or dedicated replication server, and check the staging subnet and groups allow TCP 443"
	  " out and 1500 in. Snapshot progress: aws ec2 describe-snapshots --region REGION"
	  " --owner-ids self --filters Name=tag-key,Values=AWSApplicationMigrationServiceManaged.",
	  /* a shared or small server alone is a choice, not why a sync is stuck */
	  SEV_MEDIUM },
};
#define NCAUSES (sizeof(causes) / sizeof(causes[0]))

/*
 * What CloudTrail cannot show, and how to look at it by hand. Network
 * changes and backlog settings are rules now; what is left is what no API
 * call records.
 */
static const char *const not_visible[][2] = {
	{ "DNS answers for the AWS endpoints in the staging subnet",
	  "from an instance in the staging subnet: dig +short ec2.REGION.amazonaws.com"
	  " mgn.REGION.amazonaws.com s3.REGION.amazonaws.com" },
	{ "Proxies and TLS inspection between the servers and AWS",
	  "curl -sv https://mgn.REGION.amazonaws.com -o /dev/null (look for a proxy or a"
	  " certificate that is not Amazon's)" },
	{ "Bandwidth actually available to replication",
	  "compare the replication rate in the MGN/DRS console with iperf3 from the source"
	  " server to an instance in the staging subnet" },
	{ "The replication agent's own log",
	  "Linux: /var/lib/aws-replication-agent/agent.log.0; Windows: C:\\Program Files"
	  " (x86)\\AWS Replication Agent\\agent.log.0" },
};

struct servers_arg {
	sqlite3 *db;
	long long since;
	struct jsonw *w;
};

static const char *text_col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* One finding as the report lists it. */
static void build_finding(struct jsonw *w, sqlite3_stmt *st)
{
	jsonw_object(w);
	jsonw_kv_string(w, "severity", text_col(st, 0));
	jsonw_kv_string(w, "summary", text_col(st, 1));
	jsonw_kv_string(w, "first_time", text_col(st, 2));
	jsonw_kv_string(w, "last_time", text_col(st, 3));
	jsonw_kv_int(w, "event_count", sqlite3_column_int64(st, 4));
	jsonw_kv_string(w, "event_id", text_col(st, 5));
	jsonw_kv_string(w, "principal", text_col(st, 6));
	jsonw_key(w, "details");
	jsonw_raw(w, text_col(st, 7));
	jsonw_end_object(w);
}

/* The permissions cause's policy statement per principal, from the findings' actions. */
static void build_policy(struct jsonw *w, sqlite3 *db, const char *account, const char *region,
			 long long since)
{
	sqlite3_stmt *st = store_prepare(db,
		"SELECT principal, group_concat(DISTINCT json_extract(details, '$.action'))"
		" FROM (SELECT principal, details FROM findings WHERE rule = 'ec2-access-denied'"
		" AND account IS ?1 AND region IS ?2 AND last_time_ms >= ?3"
		" ORDER BY json_extract(details, '$.action'))"
		" GROUP BY principal ORDER BY principal");

	jsonw_key(w, "policies");
	jsonw_array(w);
	if (st) {
		sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, region, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, since);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *actions = text_col(st, 1) ? text_col(st, 1) : "";

			jsonw_object(w);
			jsonw_kv_string(w, "principal", text_col(st, 0));
			jsonw_key(w, "policy");
			jsonw_object(w);
			jsonw_kv_string(w, "Version", "2012-10-17");
			jsonw_key(w, "Statement");
			jsonw_array(w);
			jsonw_object(w);
			jsonw_kv_string(w, "Effect", "Allow");
			jsonw_key(w, "Action");
			jsonw_array(w);
			for (const char *a = actions; *a; a += strcspn(a, ",") + (a[strcspn(a, ",")] == ',')) {
				size_t n = strcspn(a, ",");

				if (n)
					jsonw_string_len(w, a, n);
			}
			jsonw_end_array(w);
			jsonw_kv_string(w, "Resource", "*");
			jsonw_end_object(w);
			jsonw_end_array(w);
			jsonw_end_object(w);
			jsonw_end_object(w);
		}
		sqlite3_finalize(st);
	}
	jsonw_end_array(w);
}

/* One cause of one area; returns whether it has a finding above info. */
static int build_cause(struct jsonw *w, sqlite3 *db, const struct cause *c, const char *account,
		       const char *region, long long since)
{
	sqlite3_stmt *st = store_prepare(db,
		"SELECT severity, summary, first_time, last_time, event_count, event_id, principal,"
		" details, severity_rank FROM findings WHERE rule = ?1 AND account IS ?2"
		" AND region IS ?3 AND last_time_ms >= ?4"
		" ORDER BY severity_rank DESC, last_time_ms DESC, finding_id");
	long long events = 0;
	int worst = -1, n = 0;
	char first[32] = "", last[32] = "";

	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, c->rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, since);
	jsonw_object(w);
	jsonw_kv_string(w, "id", c->id);
	jsonw_kv_string(w, "title", c->title);
	jsonw_kv_string(w, "rule", c->rule);
	jsonw_key(w, "findings");
	jsonw_array(w);
	while (sqlite3_step(st) == SQLITE_ROW) {
		build_finding(w, st);
		n++;
		events += sqlite3_column_int64(st, 4);
		if (sqlite3_column_int(st, 8) > worst)
			worst = sqlite3_column_int(st, 8);
		if (!first[0] || strcmp(text_col(st, 2), first) < 0)
			snprintf(first, sizeof(first), "%s", text_col(st, 2));
		if (strcmp(text_col(st, 3), last) > 0)
			snprintf(last, sizeof(last), "%s", text_col(st, 3));
	}
	sqlite3_finalize(st);
	jsonw_end_array(w);
	jsonw_kv_string(w, "severity", worst >= 0 ? severity_name((enum severity)worst) : NULL);
	jsonw_kv_string(w, "first_seen", first[0] ? first : NULL);
	jsonw_kv_string(w, "last_seen", last[0] ? last : NULL);
	jsonw_kv_int(w, "events", events);
	jsonw_kv_int(w, "finding_count", n);
	jsonw_key(w, "evident");
	jsonw_bool(w, worst >= (int)c->evident_at);
	jsonw_kv_string(w, "next_step", c->next_step);
	if (!strcmp(c->id, "permissions"))
		build_policy(w, db, account, region, since);
	jsonw_end_object(w);
	return worst >= (int)c->evident_at;
}

/*
 * Who made a call, for a person: an assumed-role session is its session name
 * (often the human's, e.g. an SSO user) and its role; anyone else their name.
 */
static void who(struct jsonw *w, const char *arn, const char *user)
{
	const char *session = arn && strstr(arn, ":assumed-role/") ? strrchr(arn, '/') + 1 : NULL;
	struct buf b;

	buf_init(&b, 1u << 12);
	if (session && user)
		buf_addf(&b, "%s (%s)", session, user);
	else
		buf_addstr(&b, user ? user : arn ? arn : "unknown");
	jsonw_kv_string(w, "who", b.data);
	buf_release(&b);
}

/* Every replication-settings call of the area, who made it, and what its tags were. */
static void build_changes(struct jsonw *w, sqlite3 *db, const char *account, const char *region)
{
	sqlite3_stmt *st = store_prepare(db,
		"SELECT e.event_time, e.principal_arn, e.event_source,"
		" e.event_name, e.error_code, json_extract(e.raw, '$.requestParameters.sourceServerID'),"
		" f.severity, f.summary, e.event_id, e.user_name"
		" FROM (SELECT * FROM events WHERE " MGN_SETTINGS_SQL ") AS e"
		" LEFT JOIN findings AS f ON f.rule = 'replication-invalid-tags' AND f.key = e.event_id"
		" WHERE coalesce(e.recipient_account_id, e.account_id) IS ?1 AND e.aws_region IS ?2"
		" ORDER BY e.event_time_ms, e.seq");

	jsonw_key(w, "settings_changes");
	jsonw_array(w);
	if (st) {
		sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, region, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			char api[160];

			snprintf(api, sizeof(api), "%.*s:%s", (int)strcspn(text_col(st, 2), "."),
				 text_col(st, 2), text_col(st, 3));
			jsonw_object(w);
			jsonw_kv_string(w, "time", text_col(st, 0));
			who(w, text_col(st, 1), text_col(st, 9));
			jsonw_kv_string(w, "api", api);
			jsonw_kv_string(w, "error_code", text_col(st, 4));
			jsonw_kv_string(w, "source_server_id", text_col(st, 5));
			jsonw_kv_string(w, "finding_severity", text_col(st, 6));
			jsonw_kv_string(w, "finding", text_col(st, 7));
			jsonw_kv_string(w, "event_id", text_col(st, 8));
			jsonw_end_object(w);
		}
		sqlite3_finalize(st);
	}
	jsonw_end_array(w);
}

static void build_area(struct jsonw *w, sqlite3 *db, const char *account, const char *region,
		       long long since)
{
	struct buf verdict;
	int evident = 0;

	buf_init(&verdict, 1u << 12);
	jsonw_object(w);
	jsonw_kv_string(w, "account", account);
	jsonw_kv_string(w, "region", region);
	jsonw_key(w, "causes");
	jsonw_array(w);
	for (size_t i = 0; i < NCAUSES; i++) {
		if (build_cause(w, db, &causes[i], account, region, since)) {
			buf_addstr(&verdict, evident++ ? ", " : "");
			buf_addstr(&verdict, causes[i].title);
		}
	}
	jsonw_end_array(w);
	build_changes(w, db, account, region);
	jsonw_kv_string(w, "verdict", evident ? verdict.data
				: "none of the causes CloudTrail can show: see what is not visible in CloudTrail");
	jsonw_end_object(w);
	buf_release(&verdict);
}

/* Findings' events per hour and rule, for the timeline chart. */
static void build_timeline(struct jsonw *w, sqlite3 *db, long long since)
{
	sqlite3_stmt *st = store_prepare(db,
		"SELECT substr(e.event_time, 1, 13) || ':00Z' AS hour, f.rule, count(*)"
		" FROM finding_events AS fe JOIN findings AS f USING (finding_id)"
		" JOIN event_fields AS e ON e.seq = fe.seq WHERE f.last_time_ms >= ?1"
		" GROUP BY hour, f.rule ORDER BY hour, f.rule");

	jsonw_key(w, "timeline");
	jsonw_array(w);
	if (st) {
		sqlite3_bind_int64(st, 1, since);
		while (sqlite3_step(st) == SQLITE_ROW) {
			jsonw_object(w);
			jsonw_kv_string(w, "hour", text_col(st, 0));
			jsonw_kv_string(w, "rule", text_col(st, 1));
			jsonw_kv_int(w, "events", sqlite3_column_int64(st, 2));
			jsonw_end_object(w);
		}
		sqlite3_finalize(st);
	}
	jsonw_end_array(w);
}

static int one_server(void *arg, const char *id)
{
	struct servers_arg *a = arg;

	return timeline_build(a->db, id, a->since, a->w);
}

/* One timeline per source server named by an MGN/DRS call (timeline.h). */
static void build_servers(struct jsonw *w, sqlite3 *db, long long since)
{
	struct servers_arg a = { db, since, w };

	jsonw_key(w, "source_servers");
	jsonw_array(w);
	timeline_servers(db, since, one_server, &a);
	jsonw_end_array(w);
}

/* How much of the store the trail's digest files vouch for (trailsift verify). */
static void build_verified(struct jsonw *w, sqlite3 *db)
{
	struct verify_summary v;

	if (verify_summary(db, &v))
		return;
	jsonw_kv_int(w, "verified_events", v.verified);
	jsonw_kv_string(w, "verified_first", v.first[0] ? v.first : NULL);
	jsonw_kv_string(w, "verified_last", v.last[0] ? v.last : NULL);
}

static char *build(sqlite3 *db, const char *store_path, long long since)
{
	struct buf b;
	struct jsonw w;
	char now[32];
	sqlite3_stmt *st;

	buf_init(&b, (size_t)1 << 30);
	jsonw_init(&w, &b);
	jsonw_object(&w);
	time_now_iso(now);
	jsonw_kv_string(&w, "generated_at", now);
	jsonw_kv_string(&w, "store", store_path);
	st = store_prepare(db, "SELECT count(*), min(event_time), max(event_time),"
			   " (SELECT max(ended_at) FROM scans) FROM event_fields");
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		jsonw_kv_int(&w, "events", sqlite3_column_int64(st, 0));
		jsonw_kv_string(&w, "first_event", text_col(st, 1));
		jsonw_kv_string(&w, "last_event", text_col(st, 2));
		jsonw_kv_string(&w, "last_scan", text_col(st, 3));
	}
	sqlite3_finalize(st);
	build_verified(&w, db);
	jsonw_key(&w, "areas");
	jsonw_array(&w);
	/* every account and region with findings or MGN/DRS activity */
	st = store_prepare(db,
		"SELECT account, region FROM findings WHERE last_time_ms >= ?1 UNION"
		" SELECT coalesce(recipient_account_id, account_id), aws_region FROM event_fields"
		" WHERE event_source IN ('mgn.amazonaws.com', 'drs.amazonaws.com')"
		" AND event_time_ms >= ?1 ORDER BY 1, 2");
	if (st) {
		sqlite3_bind_int64(st, 1, since);
		while (sqlite3_step(st) == SQLITE_ROW)
			build_area(&w, db, text_col(st, 0), text_col(st, 1), since);
		sqlite3_finalize(st);
	}
	jsonw_end_array(&w);
	build_servers(&w, db, since);
	build_timeline(&w, db, since);
	jsonw_key(&w, "not_visible");
	jsonw_array(&w);
	for (size_t i = 0; i < sizeof(not_visible) / sizeof(not_visible[0]); i++) {
		jsonw_object(&w);
		jsonw_kv_string(&w, "what", not_visible[i][0]);
		jsonw_kv_string(&w, "check", not_visible[i][1]);
		jsonw_end_object(&w);
	}
	jsonw_end_array(&w);
	jsonw_end_object(&w);
	return buf_detach(&b, NULL);
}


int report_write(sqlite3 *db, const char *store_path, long long since_ms, enum report_format fmt,
		 FILE *f)
{
	char *json = build(db, store_path, since_ms);
	char err[200];
	yajl_val doc;

	if (fmt == REPORT_JSON) {
		fputs(json, f);
		fputc('\n', f);
		free(json);
		return 0;
	}
	doc = yajl_tree_parse(json, err, sizeof(err));
	free(json);
	if (!doc)
		return error("report: internal JSON error: %s", err);
	if (fmt == REPORT_TEXT)
		report_render_text(doc, f);
	else
		report_render_html(doc, f);
	yajl_tree_free(doc);
	return 0;
}
