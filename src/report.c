/*
 * report.c - the diagnosis report; see report.h.
 *
 * The report is a sequence of parts (report_render.h): the head, one per
 * account and region, one per cause, the settings changes, the source
 * servers, the tail. build_*() write each part as JSON; `--format json`
 * streams them as one document, text and HTML parse each part back
 * (yajl_tree) and lay it out as soon as it is built, so output starts early
 * and memory holds one part at a time. The text and HTML forms are capped
 * (a person reads them; the caps below) and say what is left out and the
 * command that shows it; the JSON form carries everything. The causes are
 * the ones CloudTrail can show, in the order a support engineer would rule
 * them out: permissions (IAM, then the KMS keys on the replication path),
 * quotas and capacity, throttling, the replication settings, the network,
 * others removing the staging area's resources, then the backlog settings.
 * A finding's details.cause (cause.h: the change that made its calls fail)
 * travels in its details; the text and HTML show it as a line of its own.
 */
#include "report.h"

#include <errno.h>
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

/* What the text and HTML show at most; the JSON form has no caps. */
#define SHOWN_FINDINGS 10   /* per cause, the worst */
#define SHOWN_POLICIES 3    /* policy statements, the most denied principals first */
#define SHOWN_CHANGES 10    /* replication-settings changes, those with findings first */
#define SHOWN_SERVERS 50    /* source servers, the worst first */

/*
 * The report's sections, one per cause of a stuck replication that
 * CloudTrail can show, each backed by one rule (its JSON key stays
 * "causes": a contract for scripts).
 */
static const struct section {
	const char *id;
	const char *rule;
	const char *title;
	const char *next_step;
	enum severity evident_at;    /* the least severity that makes it a cause */
} sections[] = {
	{ "permissions", "ec2-access-denied", "Missing EC2 permissions",
	  "Grant the denied actions to the principals below (the policy statement is ready to"
	  " paste), or re-attach the AWS managed policy of the MGN/DRS role; where the reason is a"
	  " service control policy or permissions boundary, change that instead. Then restart"
	  " replication (mgn retry-data-replication) and watch the errors stop.", SEV_LOW },
	{ "kms", "replication-kms", "KMS keys on the replication path",
	  "Check the key's state and policy (aws kms describe-key --key-id KEY; aws kms"
	  " get-key-policy --key-id KEY --policy-name default) and the grants to the MGN/DRS roles"
	  " (aws kms list-grants --key-id KEY); re-enable the key (aws kms enable-key) or cancel its"
	  " deletion (aws kms cancel-key-deletion), restore the policy statement or grant that"
	  " admits the roles, then restart replication.", SEV_LOW },
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
	{ "interference", "staging-interference", "Someone else removing the staging area's resources",
	  "Find the cleanup script, Lambda or person named in `who` and make it skip resources"
	  " tagged AWSApplicationMigrationServiceManaged or AWSElasticDisasterRecoveryManaged"
	  " (a tag condition in its code or an IAM deny on those tags); then restart replication"
	  " (mgn retry-data-replication) so that MGN/DRS recreates what was removed.", SEV_LOW },
	{ "backlog", "replication-settings-risk", "Replication settings that slow the backlog",
	  "Read the current settings (mgn get-replication-configuration --source-server-id s-...);"
	  " while the backlog flushes set --bandwidth-throttling 0, GP3 staging disks and a larger"
	  " or dedicated replication server, and check the staging subnet and groups allow TCP 443"
	  " out and 1500 in. Snapshot progress: aws ec2 describe-snapshots --region REGION"
	  " --owner-ids self --filters Name=tag-key,Values=AWSApplicationMigrationServiceManaged.",
	  /* a shared or small server alone is a choice, not why a sync is stuck */
	  SEV_MEDIUM },
};
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

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

struct report {
	sqlite3 *db;
	long long since;
	enum report_format fmt;
	FILE *f;
	struct buf b;        /* the part being built (JSON: what is not yet written) */
	struct jsonw w;
	int failed;
};

static const char *text_col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* The LIMIT of a list: cap in text and HTML; none (-1) in JSON. */
static long long shown(const struct report *r, long long cap)
{
	return r->fmt == REPORT_JSON ? -1 : cap;
}

/* Starts a part: JSON writes on into the one document, the others into a fresh one. */
static void part_begin(struct report *r, int members)
{
	if (r->fmt == REPORT_JSON)
		return;
	buf_reset(&r->b);
	jsonw_init(&r->w, &r->b);
	if (members)
		jsonw_object(&r->w);
}

/* Ends a part: JSON writes it out, the others render it. */
static void part_end(struct report *r, enum report_part part, int members)
{
	char err[200];
	yajl_val v;

	if (r->fmt == REPORT_JSON) {
		fwrite(r->b.data, 1, r->b.len, r->f);
		buf_reset(&r->b);
		return;
	}
	if (members)
		jsonw_end_object(&r->w);
	v = yajl_tree_parse(r->b.data, err, sizeof(err));
	if (!v) {
		r->failed = error("report: internal JSON error: %s", err);
		return;
	}
	if (r->fmt == REPORT_TEXT)
		report_render_text(part, v, r->f);
	else
		report_render_html(part, v, r->f);
	yajl_tree_free(v);
}

/* JSON only: the key and array that the parts to come are elements of. */
static void json_array_begin(struct report *r, const char *key)
{
	if (r->fmt == REPORT_JSON) {
		jsonw_key(&r->w, key);
		jsonw_array(&r->w);
	}
}

static void json_array_end(struct report *r)
{
	if (r->fmt == REPORT_JSON)
		jsonw_end_array(&r->w);
}

/* The command that lists a rule's findings, with the report's --since. */
static void more_command(struct buf *b, const char *rule, long long since)
{
	buf_addf(b, "trailsift findings --rule %s", rule);
	if (since > 0) {
		char t[32];

		time_format_iso(since, t);
		buf_addf(b, " --since %s", t);
	}
}

/*
 * Starts the array `key` of a list: prepares its statement with the
 * report's since bound to ?1 and the list's LIMIT (-1: none) to ?2; NULL
 * (printed) when it cannot be prepared. The array is opened either way.
 */
static sqlite3_stmt *list_begin(struct report *r, const char *key, const char *sql, long long limit)
{
	sqlite3_stmt *st = store_prepare(r->db, sql);

	jsonw_key(&r->w, key);
	jsonw_array(&r->w);
	if (st) {
		sqlite3_bind_int64(st, 1, r->since);
		sqlite3_bind_int64(st, 2, limit);
	}
	return st;
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
	jsonw_kv_string(w, "account", text_col(st, 8));
	jsonw_kv_string(w, "region", text_col(st, 9));
	jsonw_key(w, "related");
	jsonw_bool(w, sqlite3_column_int(st, 10));
	jsonw_key(w, "details");
	jsonw_raw(w, text_col(st, 7));
	jsonw_end_object(w);
}

/* Where a cause's findings are counted: one account and region, or all. */
struct area {
	int all;
	const char *account, *region;
};

/*
 * A cause's findings in area a under key, the worst first (severity, then
 * MGN/DRS related, then how many events), at most limit (-1: all).
 */
static void build_findings(struct report *r, const struct section *c, const struct area *a,
			   const char *key, long long limit)
{
	sqlite3_stmt *st = list_begin(r, key,
		"SELECT severity, summary, first_time, last_time, event_count, event_id, principal,"
		" details, account, region, related FROM findings WHERE rule = ?3"
		" AND (?6 OR (account IS ?4 AND region IS ?5)) AND last_time_ms >= ?1"
		" ORDER BY severity_rank DESC, related DESC, event_count DESC, last_time_ms DESC,"
		" finding_id LIMIT ?2", limit);

	if (st) {
		sqlite3_bind_text(st, 3, c->rule, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, a->account, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, a->region, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 6, a->all);
		while (sqlite3_step(st) == SQLITE_ROW)
			build_finding(&r->w, st);
		sqlite3_finalize(st);
	}
	jsonw_end_array(&r->w);
}

/*
 * The totals of a cause in area a: severity, first and last seen, events,
 * finding_count (and over all areas, in how many), evident. Returns
 * whether it is evident.
 */
static int build_cause_totals(struct report *r, const struct section *c, const struct area *a)
{
	sqlite3_stmt *st = store_prepare(r->db,
		"SELECT max(severity_rank), min(first_time), max(last_time), total(event_count), count(*),"
		" count(DISTINCT coalesce(account, '') || ' ' || coalesce(region, ''))"
		" FROM findings WHERE rule = ?1 AND (?5 OR (account IS ?2 AND region IS ?3))"
		" AND last_time_ms >= ?4");
	int worst = -1;

	if (st) {
		sqlite3_bind_text(st, 1, c->rule, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, a->account, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, a->region, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, r->since);
		sqlite3_bind_int(st, 5, a->all);
	}
	if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 4) > 0)
		worst = sqlite3_column_int(st, 0);
	jsonw_kv_string(&r->w, "id", c->id);
	jsonw_kv_string(&r->w, "title", c->title);
	jsonw_kv_string(&r->w, "rule", c->rule);
	jsonw_kv_string(&r->w, "severity", worst >= 0 ? severity_name((enum severity)worst) : NULL);
	jsonw_kv_string(&r->w, "first_seen", worst >= 0 ? text_col(st, 1) : NULL);
	jsonw_kv_string(&r->w, "last_seen", worst >= 0 ? text_col(st, 2) : NULL);
	jsonw_kv_int(&r->w, "events", worst >= 0 ? (long long)sqlite3_column_double(st, 3) : 0);
	jsonw_kv_int(&r->w, "finding_count", worst >= 0 ? sqlite3_column_int64(st, 4) : 0);
	if (a->all)
		jsonw_kv_int(&r->w, "areas", worst >= 0 ? sqlite3_column_int64(st, 5) : 0);
	jsonw_key(&r->w, "evident");
	jsonw_bool(&r->w, worst >= (int)c->evident_at);
	sqlite3_finalize(st);
	return worst >= (int)c->evident_at;
}

/* The permissions cause's policy statement per principal, the most denied first. */
static void build_policies(struct report *r)
{
	sqlite3_stmt *st = list_begin(r, "policies",
		"SELECT principal, group_concat(DISTINCT action), count(*) OVER () FROM"
		" (SELECT principal, json_extract(details, '$.action') AS action, severity_rank,"
		"  related, event_count FROM findings WHERE rule = 'ec2-access-denied'"
		"  AND last_time_ms >= ?1 ORDER BY action)"
		" GROUP BY principal"
		" ORDER BY max(severity_rank) DESC, max(related) DESC, sum(event_count) DESC, principal"
		" LIMIT ?2", shown(r, SHOWN_POLICIES));
	long long total = 0;

	if (st) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *actions = text_col(st, 1) ? text_col(st, 1) : "";

			total = sqlite3_column_int64(st, 2);
			jsonw_object(&r->w);
			jsonw_kv_string(&r->w, "principal", text_col(st, 0));
			jsonw_key(&r->w, "policy");
			jsonw_object(&r->w);
			jsonw_kv_string(&r->w, "Version", "2012-10-17");
			jsonw_key(&r->w, "Statement");
			jsonw_array(&r->w);
			jsonw_object(&r->w);
			jsonw_kv_string(&r->w, "Effect", "Allow");
			jsonw_key(&r->w, "Action");
			jsonw_array(&r->w);
			for (const char *a = actions; *a; a += strcspn(a, ",") + (a[strcspn(a, ",")] == ',')) {
				size_t n = strcspn(a, ",");

				if (n)
					jsonw_string_len(&r->w, a, n);
			}
			jsonw_end_array(&r->w);
			jsonw_kv_string(&r->w, "Resource", "*");
			jsonw_end_object(&r->w);
			jsonw_end_array(&r->w);
			jsonw_end_object(&r->w);
			jsonw_end_object(&r->w);
		}
		sqlite3_finalize(st);
	}
	jsonw_end_array(&r->w);
	jsonw_kv_int(&r->w, "policy_count", total);
}

/* One cause over every account and region: totals, the worst findings, the next step. */
static void build_cause(struct report *r, const struct section *c)
{
	struct area all = { 1, NULL, NULL };
	struct buf more;

	buf_init(&more, 1u << 12);
	more_command(&more, c->rule, r->since);
	jsonw_object(&r->w);
	build_cause_totals(r, c, &all);
	build_findings(r, c, &all, "worst_findings", SHOWN_FINDINGS);
	jsonw_kv_string(&r->w, "more_command", more.data);
	jsonw_kv_string(&r->w, "next_step", c->next_step);
	if (!strcmp(c->id, "permissions"))
		build_policies(r);
	jsonw_end_object(&r->w);
	buf_release(&more);
}

/* One cause of one area (its findings only in JSON); returns whether it is evident. */
static int build_area_cause(struct report *r, const struct section *c, const char *account,
			    const char *region)
{
	struct area one = { 0, account, region };
	int evident;

	jsonw_object(&r->w);
	evident = build_cause_totals(r, c, &one);
	if (r->fmt == REPORT_JSON)
		build_findings(r, c, &one, "findings", -1);
	jsonw_end_object(&r->w);
	return evident;
}

static void build_area(struct report *r, const char *account, const char *region)
{
	struct buf verdict;
	int evident = 0;

	buf_init(&verdict, 1u << 12);
	jsonw_object(&r->w);
	jsonw_kv_string(&r->w, "account", account);
	jsonw_kv_string(&r->w, "region", region);
	jsonw_key(&r->w, "causes");
	jsonw_array(&r->w);
	for (size_t i = 0; i < NSECTIONS; i++) {
		if (build_area_cause(r, &sections[i], account, region)) {
			buf_addstr(&verdict, evident++ ? ", " : "");
			buf_addstr(&verdict, sections[i].title);
		}
	}
	jsonw_end_array(&r->w);
	jsonw_kv_string(&r->w, "verdict", evident ? verdict.data
				: "none of the causes CloudTrail can show: see what is not visible in CloudTrail");
	jsonw_end_object(&r->w);
	buf_release(&verdict);
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

/*
 * The replication-settings calls, who made them and what their tags were:
 * those with a finding first (the most severe), then the newest.
 */
static void build_changes(struct report *r)
{
	sqlite3_stmt *st = list_begin(r, "settings_changes",
		"SELECT e.event_time, e.principal_arn, e.event_source,"
		" e.event_name, e.error_code, json_extract(e.raw, '$.requestParameters.sourceServerID'),"
		" f.severity, f.summary, e.event_id, e.user_name,"
		" coalesce(e.recipient_account_id, e.account_id), e.aws_region, count(*) OVER ()"
		" FROM (SELECT * FROM events WHERE " MGN_SETTINGS_SQL " AND event_time_ms >= ?1) AS e"
		" LEFT JOIN findings AS f ON f.rule = 'replication-invalid-tags' AND f.key = e.event_id"
		" ORDER BY f.severity_rank IS NULL, f.severity_rank DESC, e.event_time_ms DESC, e.seq DESC"
		" LIMIT ?2", shown(r, SHOWN_CHANGES));
	long long total = 0;

	if (st) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			char api[160];

			total = sqlite3_column_int64(st, 12);
			snprintf(api, sizeof(api), "%.*s:%s", (int)strcspn(text_col(st, 2), "."),
				 text_col(st, 2), text_col(st, 3));
			jsonw_object(&r->w);
			jsonw_kv_string(&r->w, "time", text_col(st, 0));
			who(&r->w, text_col(st, 1), text_col(st, 9));
			jsonw_kv_string(&r->w, "api", api);
			jsonw_kv_string(&r->w, "error_code", text_col(st, 4));
			jsonw_kv_string(&r->w, "source_server_id", text_col(st, 5));
			jsonw_kv_string(&r->w, "finding_severity", text_col(st, 6));
			jsonw_kv_string(&r->w, "finding", text_col(st, 7));
			jsonw_kv_string(&r->w, "event_id", text_col(st, 8));
			jsonw_kv_string(&r->w, "account", text_col(st, 10));
			jsonw_kv_string(&r->w, "region", text_col(st, 11));
			jsonw_end_object(&r->w);
		}
		sqlite3_finalize(st);
	}
	jsonw_end_array(&r->w);
	jsonw_kv_int(&r->w, "settings_change_count", total);
}

/* Findings' events per hour and rule, for the timeline chart. */
static void build_timeline(struct report *r)
{
	sqlite3_stmt *st = list_begin(r, "timeline",
		"SELECT substr(e.event_time, 1, 13) || ':00Z' AS hour, f.rule, count(*)"
		" FROM finding_events AS fe JOIN findings AS f USING (finding_id)"
		" JOIN event_fields AS e ON e.seq = fe.seq WHERE f.last_time_ms >= ?1"
		" GROUP BY hour, f.rule ORDER BY hour, f.rule LIMIT ?2", -1);

	if (st) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			jsonw_object(&r->w);
			jsonw_kv_string(&r->w, "hour", text_col(st, 0));
			jsonw_kv_string(&r->w, "rule", text_col(st, 1));
			jsonw_kv_int(&r->w, "events", sqlite3_column_int64(st, 2));
			jsonw_end_object(&r->w);
		}
		sqlite3_finalize(st);
	}
	jsonw_end_array(&r->w);
}

/*
 * The account and region of the MGN/DRS calls since ?1. The rows are read
 * in seq order (IN a list of seqs), so each page of the table is read once:
 * 3-4 times faster on 150,000 calls than in the order of the index.
 */
#define MGN_EVENTS_SQL \
	"SELECT coalesce(recipient_account_id, account_id), aws_region FROM event_fields WHERE seq IN" \
	" (SELECT seq FROM event_fields WHERE event_source IN ('mgn.amazonaws.com', 'drs.amazonaws.com')" \
	" AND event_time_ms >= ?1)"

/* Every account and region with findings or MGN/DRS activity since ?1. */
#define AREAS_SQL "SELECT account, region FROM findings WHERE last_time_ms >= ?1 UNION " MGN_EVENTS_SQL

/* A count with the report's since bound to ?1. */
static long long store_int_bound(struct report *r, const char *sql)
{
	sqlite3_stmt *st = store_prepare(r->db, sql);
	long long n = 0;

	if (!st)
		return 0;
	sqlite3_bind_int64(st, 1, r->since);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
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

static void build_head(struct report *r, const char *store_path)
{
	sqlite3_stmt *st = store_prepare(r->db, "SELECT count(*), min(event_time), max(event_time),"
					 " (SELECT max(ended_at) FROM scans) FROM event_fields");
	char now[32];

	time_now_iso(now);
	jsonw_kv_string(&r->w, "generated_at", now);
	jsonw_key(&r->w, "empty"); /* no area will follow */
	jsonw_bool(&r->w, !store_int_bound(r, "SELECT EXISTS (SELECT 1 FROM findings WHERE last_time_ms >= ?1)"
					   " OR EXISTS (SELECT 1 FROM event_fields WHERE event_source IN"
					   " ('mgn.amazonaws.com', 'drs.amazonaws.com') AND event_time_ms >= ?1)"));
	jsonw_kv_string(&r->w, "store", store_path);
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		jsonw_kv_int(&r->w, "events", sqlite3_column_int64(st, 0));
		jsonw_kv_string(&r->w, "first_event", text_col(st, 1));
		jsonw_kv_string(&r->w, "last_event", text_col(st, 2));
		jsonw_kv_string(&r->w, "last_scan", text_col(st, 3));
	}
	sqlite3_finalize(st);
	build_verified(&r->w, r->db);
	build_timeline(r);
}

/* Every account and region with findings or MGN/DRS activity, one part each; *first_region for the tail. */
static void build_areas(struct report *r, char first_region[64])
{
	sqlite3_stmt *st = store_prepare(r->db, AREAS_SQL " ORDER BY 1, 2");

	json_array_begin(r, "areas");
	if (st) {
		sqlite3_bind_int64(st, 1, r->since);
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (!first_region[0] && text_col(st, 1))
				snprintf(first_region, 64, "%s", text_col(st, 1));
			part_begin(r, 0);
			build_area(r, text_col(st, 0), text_col(st, 1));
			part_end(r, REPORT_PART_AREA, 0);
		}
		sqlite3_finalize(st);
	}
	json_array_end(r);
}

struct servers {
	struct report *r;
	long long count;
};

/* One source server: JSON streams its whole timeline; text and HTML keep the first few. */
static int one_server(void *arg, const char *id)
{
	struct servers *s = arg;
	struct report *r = s->r;

	if (r->fmt == REPORT_JSON) {
		s->count++;
		if (timeline_build(r->db, id, r->since, TIMELINE_ALL, &r->w))
			return -1;
		part_end(r, REPORT_PART_SERVERS, 0);
		return 0;
	}
	if (s->count++ >= SHOWN_SERVERS)
		return 0;
	return timeline_build(r->db, id, r->since, r->fmt == REPORT_TEXT ? TIMELINE_NONE : TIMELINE_MARKED,
			      &r->w);
}

/* The source servers, worst first (timeline.h): one part in text and HTML. */
static void build_servers(struct report *r)
{
	struct servers s = { r, 0 };

	part_begin(r, 1);
	jsonw_key(&r->w, "source_servers");
	jsonw_array(&r->w);
	if (timeline_servers(r->db, r->since, one_server, &s))
		r->failed = -1;
	jsonw_end_array(&r->w);
	jsonw_kv_int(&r->w, "source_server_count", s.count);
	part_end(r, REPORT_PART_SERVERS, 1);
}

static void build_tail(struct report *r, const char *first_region)
{
	part_begin(r, 1);
	if (r->fmt != REPORT_JSON) /* the region to fill into the commands of the text */
		jsonw_kv_string(&r->w, "region", first_region[0] ? first_region : NULL);
	jsonw_key(&r->w, "not_visible");
	jsonw_array(&r->w);
	for (size_t i = 0; i < sizeof(not_visible) / sizeof(not_visible[0]); i++) {
		jsonw_object(&r->w);
		jsonw_kv_string(&r->w, "what", not_visible[i][0]);
		jsonw_kv_string(&r->w, "check", not_visible[i][1]);
		jsonw_end_object(&r->w);
	}
	jsonw_end_array(&r->w);
	part_end(r, REPORT_PART_TAIL, 1);
}

int report_write(sqlite3 *db, const char *store_path, long long since_ms, enum report_format fmt,
		 FILE *f)
{
	struct report r = { db, since_ms, fmt, f, { 0 }, { 0 }, 0 };
	char first_region[64] = "";

	buf_init(&r.b, (size_t)1 << 30);
	jsonw_init(&r.w, &r.b);
	if (fmt == REPORT_JSON)
		jsonw_object(&r.w);
	part_begin(&r, 1);
	build_head(&r, store_path);
	part_end(&r, REPORT_PART_HEAD, 1);
	build_areas(&r, first_region);
	json_array_begin(&r, "causes");
	for (size_t i = 0; i < NSECTIONS; i++) {
		part_begin(&r, 0);
		build_cause(&r, &sections[i]);
		part_end(&r, REPORT_PART_CAUSE, 0);
	}
	json_array_end(&r);
	part_begin(&r, 1);
	build_changes(&r);
	part_end(&r, REPORT_PART_CHANGES, 1);
	build_servers(&r);
	build_tail(&r, first_region);
	if (fmt == REPORT_JSON) {
		jsonw_end_object(&r.w);
		buf_addch(&r.b, '\n');
		part_end(&r, REPORT_PART_TAIL, 0);
	}
	buf_release(&r.b);
	if (fflush(f) || ferror(f))
		r.failed = error("report: writing: %s", strerror(errno));
	return r.failed ? -1 : 0;
}
