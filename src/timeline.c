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

int timeline_build(sqlite3 *db, const char *server, long long since_ms, enum timeline_events which,
		   struct jsonw *w)
{
	/* the index (srvindex.h) says which events name the server */
	sqlite3_stmt *st = store_prepare(db,
		"SELECT e.seq, e.event_time, e.event_id, e.event_source, e.event_name,"
		" coalesce(e.recipient_account_id, e.account_id), e.aws_region,"
		" coalesce(e.session_issuer_arn, e.principal_arn, e.invoked_by, e.identity_type),"
		" e.user_name, e.error_code, e.principal_arn, e.session_issuer_arn, e.invoked_by,"
		" e.source_ip, e.user_agent, EXISTS (SELECT 1 FROM finding_events AS m WHERE m.seq = e.seq)"
		" FROM source_server_events AS x JOIN event_fields AS e ON e.seq = x.seq"
		" WHERE x.server_id = ?1 AND e.event_time_ms >= ?2 ORDER BY e.event_time_ms, e.seq");
	sqlite3_stmt *fs = store_prepare(db,
		"SELECT f.rule, f.severity, f.summary, f.finding_id, f.severity_rank"
		" FROM finding_events AS fe JOIN findings AS f USING (finding_id)"
		" WHERE fe.seq = ?1 ORDER BY f.severity_rank DESC, f.finding_id");
	long long *seen = NULL, n = 0;
	size_t nseen = 0;
	int worst = -1, rc = 0, step;
	char first[32] = "", last[32] = "";

	if (!st || !fs) {
		sqlite3_finalize(st);
		sqlite3_finalize(fs);
		return -1;
	}
	sqlite3_bind_text(st, 1, server, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since_ms);
	jsonw_object(w);
	jsonw_kv_string(w, "source_server_id", server);
	jsonw_key(w, "events");
	jsonw_array(w);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *src = col(st, 3) ? col(st, 3) : "";
		struct buf api;

		if (!first[0])
			snprintf(first, sizeof(first), "%s", col(st, 1));
		snprintf(last, sizeof(last), "%s", col(st, 1));
		n++;
		if (which == TIMELINE_NONE || (which == TIMELINE_MARKED && !sqlite3_column_int(st, 15))) {
			if (sqlite3_column_int(st, 15)) /* its findings still count */
				event_findings(fs, sqlite3_column_int64(st, 0), NULL, &worst, &seen, &nseen);
			continue;
		}
		buf_init(&api, 1u << 12);
		buf_addf(&api, "%.*s:%s", (int)strcspn(src, "."), src, col(st, 4) ? col(st, 4) : "?");
		jsonw_object(w);
		jsonw_kv_string(w, "time", col(st, 1));
		jsonw_kv_string(w, "event_id", col(st, 2));
		jsonw_kv_string(w, "api", api.data);
		jsonw_kv_string(w, "event_source", col(st, 3));
		jsonw_kv_string(w, "event_name", col(st, 4));
		jsonw_kv_string(w, "account", col(st, 5));
		jsonw_kv_string(w, "region", col(st, 6));
		jsonw_kv_string(w, "principal", col(st, 7));
		jsonw_kv_string(w, "who", col(st, 8) ? col(st, 8) : arn_short_name(col(st, 7)));
		jsonw_kv_string(w, "error_code", col(st, 9));
		jsonw_key(w, "related");
		jsonw_bool(w, mgn_related(col(st, 3), col(st, 10), col(st, 11), col(st, 12), col(st, 13),
					  col(st, 14)));
		event_findings(fs, sqlite3_column_int64(st, 0), w, &worst, &seen, &nseen);
		jsonw_end_object(w);
		buf_release(&api);
	}
	if (step != SQLITE_DONE)
		rc = error("timeline: %s", sqlite3_errmsg(db));
	jsonw_end_array(w);
	jsonw_kv_int(w, "event_count", n);
	jsonw_kv_string(w, "first_time", first[0] ? first : NULL);
	jsonw_kv_string(w, "last_time", last[0] ? last : NULL);
	jsonw_kv_int(w, "findings", (long long)nseen);
	jsonw_kv_string(w, "worst_severity", worst >= 0 ? severity_name((enum severity)worst) : NULL);
	jsonw_end_object(w);
	sqlite3_finalize(st);
	sqlite3_finalize(fs);
	free(seen);
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
	}
}
