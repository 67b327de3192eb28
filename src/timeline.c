/*
 * timeline.c - a source server's events and the findings on them; see timeline.h.
 */
#include "timeline.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonw.h"
#include "mgn.h"
#include "msg.h"
#include "out.h"
#include "rules.h"
#include "store.h"
#include "ytree.h"

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* The findings on one event (written to w unless NULL); sets *worst and counts distinct ids into seen. */
static void event_findings(sqlite3_stmt *fs, long long seq, struct jsonw *w, int *worst,
			   long long **seen, size_t *nseen)
{
	sqlite3_reset(fs);
	sqlite3_bind_int64(fs, 1, seq);
	if (w) {
		jsonw_key(w, "findings");
		jsonw_array(w);
	}
	while (sqlite3_step(fs) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(fs, 3);
		size_t i;

		if (w) {
			jsonw_object(w);
			jsonw_kv_string(w, "rule", col(fs, 0));
			jsonw_kv_string(w, "severity", col(fs, 1));
			jsonw_kv_string(w, "summary", col(fs, 2));
			jsonw_kv_int(w, "finding_id", id);
			jsonw_end_object(w);
		}
		if (sqlite3_column_int(fs, 4) > *worst)
			*worst = sqlite3_column_int(fs, 4);
		for (i = 0; i < *nseen && (*seen)[i] != id; i++)
			;
		if (i == *nseen) {
			*seen = xrealloc(*seen, (*nseen + 1) * sizeof(**seen));
			(*seen)[(*nseen)++] = id;
		}
	}
	if (w)
		jsonw_end_array(w);
}

/* The columns both event statements start with, in this order (COL_*). */
#define EVENT_COLUMNS \
	"e.seq, e.event_time, e.event_id, e.event_source, e.event_name," \
	" coalesce(e.recipient_account_id, e.account_id), e.aws_region," \
	" coalesce(e.session_issuer_arn, e.principal_arn, e.invoked_by, e.identity_type)," \
	" e.user_name, e.error_code, e.principal_arn, e.session_issuer_arn, e.invoked_by," \
	" e.source_ip, e.user_agent, e.event_time_ms"
enum { COL_SEQ, COL_TIME, COL_ID, COL_SOURCE, COL_NAME, COL_ACCOUNT, COL_REGION, COL_PRINCIPAL, COL_USER,
       COL_ERROR, COL_ARN, COL_ISSUER, COL_INVOKED_BY, COL_IP, COL_AGENT, COL_TIME_MS,
       COL_EXTRA /* the server's events: whether findings cover it; causes: the finding caused */ };

/*
 * The server's events, in time order: those that name it (the index), and
 * the calls that destroyed its staging resources (a staging-interference
 * finding names the server in details.source_server, a comma-separated
 * list, though the call itself names only an instance, volume or snapshot).
 */
#define SERVER_EVENTS_SQL \
	"SELECT " EVENT_COLUMNS ", EXISTS (SELECT 1 FROM finding_events AS m WHERE m.seq = e.seq)" \
	" FROM (SELECT seq FROM source_server_events WHERE server_id = ?1 AND event_time_ms >= ?2" \
	"  UNION SELECT fe.seq FROM findings AS f JOIN finding_events AS fe USING (finding_id)" \
	"  WHERE f.rule = 'staging-interference' AND f.first_time_ms >= ?2 AND json_valid(f.details)" \
	"  AND instr(',' || json_extract(f.details, '$.source_server') || ',', ',' || ?1 || ',') > 0) AS x" \
	" JOIN event_fields AS e ON e.seq = x.seq ORDER BY e.event_time_ms, e.seq"

/*
 * The changes that caused findings on the server's events (details.cause,
 * cause.h), a row per change and finding, in the order of the events: each
 * change is found by its event id through the unique index on
 * event_fields(event_id), one lookup per cause; each finding's details are
 * read once, however many of the server's events it covers (CROSS JOIN
 * keeps the planner from reading event_fields in time order instead). A
 * cause may lie before since: it is shown with the finding it explains.
 */
#define CAUSE_EVENTS_SQL \
	"SELECT " EVENT_COLUMNS ", c.finding_id FROM" \
	" (SELECT f.finding_id, json_extract(f.details, '$.cause.event_id') AS cause_id FROM findings AS f" \
	"  WHERE f.finding_id IN (SELECT fe.finding_id FROM source_server_events AS x" \
	"   JOIN finding_events AS fe ON fe.seq = x.seq WHERE x.server_id = ?1 AND x.event_time_ms >= ?2)" \
	"  AND json_valid(f.details) AND json_type(f.details, '$.cause') = 'object') AS c" \
	" CROSS JOIN event_fields AS e ON e.event_id = c.cause_id ORDER BY e.event_time_ms, e.seq, c.finding_id"

/* One timeline being written: the two statements read side by side, merged by time. */
struct tl {
	sqlite3_stmt *st;      /* SERVER_EVENTS_SQL; its current row valid while ev_step is SQLITE_ROW */
	sqlite3_stmt *cs;      /* CAUSE_EVENTS_SQL, or NULL when no events are listed */
	sqlite3_stmt *fs;      /* the findings on one event */
	int ev_step, cause_step;
	struct jsonw *w;
	long long *seen;       /* distinct finding ids marked */
	size_t nseen;
	int worst;             /* severity_rank, -1: none */
};

/* The members every listed event has, from a row of either statement. */
static void write_event(struct jsonw *w, sqlite3_stmt *st)
{
	const char *src = col(st, COL_SOURCE) ? col(st, COL_SOURCE) : "";
	struct buf api;

	buf_init(&api, 1u << 12);
	buf_addf(&api, "%.*s:%s", (int)strcspn(src, "."), src, col(st, COL_NAME) ? col(st, COL_NAME) : "?");
	jsonw_kv_string(w, "time", col(st, COL_TIME));
	jsonw_kv_string(w, "event_id", col(st, COL_ID));
	jsonw_kv_string(w, "api", api.data);
	jsonw_kv_string(w, "event_source", col(st, COL_SOURCE));
	jsonw_kv_string(w, "event_name", col(st, COL_NAME));
	jsonw_kv_string(w, "account", col(st, COL_ACCOUNT));
	jsonw_kv_string(w, "region", col(st, COL_REGION));
	jsonw_kv_string(w, "principal", col(st, COL_PRINCIPAL));
	jsonw_kv_string(w, "who", col(st, COL_USER) ? col(st, COL_USER) : arn_short_name(col(st, COL_PRINCIPAL)));
	jsonw_kv_string(w, "error_code", col(st, COL_ERROR));
	jsonw_key(w, "related");
	jsonw_bool(w, mgn_related(col(st, COL_SOURCE), col(st, COL_ARN), col(st, COL_ISSUER), col(st, COL_INVOKED_BY),
				  col(st, COL_IP), col(st, COL_AGENT)));
	buf_release(&api);
}

/* Whether the cause row comes before the event row (time, then seq). */
static int cause_first(const struct tl *t)
{
	long long ct = sqlite3_column_int64(t->cs, COL_TIME_MS), et = sqlite3_column_int64(t->st, COL_TIME_MS);

	if (t->ev_step != SQLITE_ROW || ct != et)
		return t->ev_step != SQLITE_ROW || ct < et;
	return sqlite3_column_int64(t->cs, COL_SEQ) < sqlite3_column_int64(t->st, COL_SEQ);
}

/*
 * "cause_of": the findings the cause rows at event seq caused, which are
 * consumed; nothing when the next cause row is another event's.
 */
static void write_cause_of(struct tl *t, long long seq)
{
	if (!t->cs || t->cause_step != SQLITE_ROW || sqlite3_column_int64(t->cs, COL_SEQ) != seq)
		return;
	jsonw_key(t->w, "cause_of");
	jsonw_array(t->w);
	while (t->cause_step == SQLITE_ROW && sqlite3_column_int64(t->cs, COL_SEQ) == seq) {
		jsonw_int(t->w, sqlite3_column_int64(t->cs, COL_EXTRA));
		t->cause_step = sqlite3_step(t->cs);
	}
	jsonw_end_array(t->w);
}

/* A cause that is not one of the server's events: listed at its time, with no findings of its own. */
static void write_cause(struct tl *t)
{
	jsonw_object(t->w);
	write_event(t->w, t->cs);
	jsonw_key(t->w, "findings");
	jsonw_array(t->w);
	jsonw_end_array(t->w);
	write_cause_of(t, sqlite3_column_int64(t->cs, COL_SEQ));
	jsonw_end_object(t->w);
}

/* The server's current event: listed (with its findings and, if it caused some, cause_of) or only counted. */
static void server_event(struct tl *t, enum timeline_events which)
{
	long long seq = sqlite3_column_int64(t->st, COL_SEQ);
	int marked = sqlite3_column_int(t->st, COL_EXTRA);
	int causes = t->cs && t->cause_step == SQLITE_ROW && sqlite3_column_int64(t->cs, COL_SEQ) == seq;

	if (which == TIMELINE_NONE || (which == TIMELINE_MARKED && !marked && !causes)) {
		if (marked) /* its findings still count */
			event_findings(t->fs, seq, NULL, &t->worst, &t->seen, &t->nseen);
		return;
	}
	jsonw_object(t->w);
	write_event(t->w, t->st);
	event_findings(t->fs, seq, t->w, &t->worst, &t->seen, &t->nseen);
	write_cause_of(t, seq);
	jsonw_end_object(t->w);
}

int timeline_build(sqlite3 *db, const char *server, long long since_ms, enum timeline_events which,
		   struct jsonw *w)
{
	/* the index (srvindex.h) says which events name the server */
	struct tl t = { store_prepare(db, SERVER_EVENTS_SQL),
			which == TIMELINE_NONE ? NULL : store_prepare(db, CAUSE_EVENTS_SQL),
			store_prepare(db,
		"SELECT f.rule, f.severity, f.summary, f.finding_id, f.severity_rank"
		" FROM finding_events AS fe JOIN findings AS f USING (finding_id)"
		" WHERE fe.seq = ?1 ORDER BY f.severity_rank DESC, f.finding_id"),
			SQLITE_DONE, SQLITE_DONE, w, NULL, 0, -1 };
	long long n = 0;
	int rc = 0;
	char first[32] = "", last[32] = "";

	if (!t.st || !t.fs || (which != TIMELINE_NONE && !t.cs)) {
		sqlite3_finalize(t.st);
		sqlite3_finalize(t.cs);
		sqlite3_finalize(t.fs);
		return -1;
	}
	sqlite3_bind_text(t.st, 1, server, -1, SQLITE_STATIC);
	sqlite3_bind_int64(t.st, 2, since_ms);
	if (t.cs) {
		sqlite3_bind_text(t.cs, 1, server, -1, SQLITE_STATIC);
		sqlite3_bind_int64(t.cs, 2, since_ms);
		t.cause_step = sqlite3_step(t.cs);
	}
	jsonw_object(w);
	jsonw_kv_string(w, "source_server_id", server);
	jsonw_key(w, "events");
	jsonw_array(w);
	t.ev_step = sqlite3_step(t.st);
	while (t.ev_step == SQLITE_ROW || t.cause_step == SQLITE_ROW) {
		if (t.cause_step == SQLITE_ROW && cause_first(&t)) {
			write_cause(&t);
			continue;
		}
		if (!first[0])
			snprintf(first, sizeof(first), "%s", col(t.st, COL_TIME));
		snprintf(last, sizeof(last), "%s", col(t.st, COL_TIME));
		n++;
		server_event(&t, which);
		t.ev_step = sqlite3_step(t.st);
	}
	if (t.ev_step != SQLITE_DONE || (t.cs && t.cause_step != SQLITE_DONE))
		rc = error("timeline: %s", sqlite3_errmsg(db));
	jsonw_end_array(w);
	jsonw_kv_int(w, "event_count", n);
	jsonw_kv_string(w, "first_time", first[0] ? first : NULL);
	jsonw_kv_string(w, "last_time", last[0] ? last : NULL);
	jsonw_kv_int(w, "findings", (long long)t.nseen);
	jsonw_kv_string(w, "worst_severity", t.worst >= 0 ? severity_name((enum severity)t.worst) : NULL);
	jsonw_end_object(w);
	sqlite3_finalize(t.st);
	sqlite3_finalize(t.cs);
	sqlite3_finalize(t.fs);
	free(t.seen);
	return rc;
}

int timeline_servers(sqlite3 *db, long long since_ms, int (*fn)(void *arg, const char *id), void *arg)
{
	/* acts: the server exists (srvindex.h); a finding on one of its events: it matters */
	sqlite3_stmt *st = store_prepare(db,
		"SELECT x.server_id FROM source_server_events AS x"
		" LEFT JOIN finding_events AS fe ON fe.seq = x.seq"
		" LEFT JOIN findings AS f ON f.finding_id = fe.finding_id"
		" WHERE x.event_time_ms >= ?1 GROUP BY x.server_id"
		" HAVING max(x.acts) = 1 OR max(f.severity_rank) IS NOT NULL"
		" ORDER BY coalesce(max(f.severity_rank), -1) DESC, count(DISTINCT fe.finding_id) DESC,"
		" count(DISTINCT x.seq) DESC, x.server_id");
	int rc = 0, step = SQLITE_DONE;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, since_ms);
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = fn(arg, col(st, 0));
	if (!rc && step != SQLITE_DONE)
		rc = error("source servers: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc ? -1 : 0;
}

void timeline_cause_of_text(yajl_val ids, FILE *f)
{
	size_t n = ytree_len(ids);

	if (!n)
		return;
	fprintf(f, "      * cause of finding%s", n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		yajl_val id = ytree_item(ids, i);

		fprintf(f, "%s%lld", i ? ", " : " ", YAJL_IS_INTEGER(id) ? YAJL_GET_INTEGER(id) : 0);
	}
	fprintf(f, "\n");
}

void timeline_render_text(yajl_val tl, FILE *f)
{
	yajl_val evs = ytree_get(tl, "events", yajl_t_array);
	yajl_val n = ytree_get(tl, "event_count", yajl_t_number), nf = ytree_get(tl, "findings", yajl_t_number);
	size_t count = evs ? evs->u.array.len : 0;

	fprintf(f, "Source server ");
	out_text(f, ytree_str(tl, "source_server_id"));
	fprintf(f, ": %lld event%s", n ? YAJL_GET_INTEGER(n) : 0, n && YAJL_GET_INTEGER(n) == 1 ? "" : "s");
	if (ytree_str(tl, "first_time")) {
		fprintf(f, ", ");
		out_text(f, ytree_str(tl, "first_time"));
		fprintf(f, " .. ");
		out_text(f, ytree_str(tl, "last_time"));
	}
	fprintf(f, "; %lld finding%s marked", nf ? YAJL_GET_INTEGER(nf) : 0,
		nf && YAJL_GET_INTEGER(nf) == 1 ? "" : "s");
	if (ytree_str(tl, "worst_severity")) {
		fprintf(f, " (worst ");
		out_upper(f, ytree_str(tl, "worst_severity"));
		fprintf(f, ")");
	}
	fprintf(f, "\n");
	for (size_t i = 0; i < count; i++) {
		yajl_val e = evs->u.array.values[i], fs = ytree_get(e, "findings", yajl_t_array);
		size_t nfs = fs ? fs->u.array.len : 0;

		fprintf(f, "  ");
		out_text(f, ytree_str(e, "time"));
		fprintf(f, "  ");
		out_text(f, ytree_str(e, "api"));
		fprintf(f, "  ");
		out_text(f, ytree_str(e, "who"));
		if (ytree_get(e, "related", yajl_t_true))
			fprintf(f, "  MGN/DRS");
		if (ytree_str(e, "error_code")) {
			fprintf(f, "  failed: ");
			out_text(f, ytree_str(e, "error_code"));
		}
		fprintf(f, "\n");
		for (size_t j = 0; j < nfs; j++) {
			yajl_val x = fs->u.array.values[j];

			fprintf(f, "      ! ");
			out_upper(f, ytree_str(x, "severity"));
			fprintf(f, " ");
			out_text(f, ytree_str(x, "rule"));
			fprintf(f, ": ");
			out_text(f, ytree_str(x, "summary"));
			fprintf(f, "\n");
		}
		timeline_cause_of_text(ytree_get(e, "cause_of", yajl_t_array), f);
	}
}
