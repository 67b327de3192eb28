/*
 * srvindex.c - the source-server index; see srvindex.h.
 */
#include "srvindex.h"

#include <ctype.h>
#include <string.h>

#include "mgn.h"
#include "msg.h"
#include "record.h"
#include "store.h"

int srvindex_is_id(const char *s, size_t len)
{
	/* letters and digits only: MGN's own tag AWSApplicationMigrationServiceReplicationServerFor
	   holds "s-1...,s-2...", a list, not a server */
	if (len <= 2 || len > SRVINDEX_MAX_ID || s[0] != 's' || s[1] != '-')
		return 0;
	for (size_t i = 2; i < len; i++)
		if (!isalnum((unsigned char)s[i]))
			return 0;
	return 1;
}

static int is_mgn_api(const char *event_source)
{
	return event_source && (!strcmp(event_source, "mgn.amazonaws.com") ||
				!strcmp(event_source, "drs.amazonaws.com"));
}

int srvindex_acts(const char *event_source, const char *error_code, const char *principal_arn,
		  const char *role_arn, const char *invoked_by, const char *source_ip)
{
	return (is_mgn_api(event_source) && !error_code) ||
	       mgn_related(NULL, principal_arn, role_arn, invoked_by, source_ip, NULL);
}

sqlite3_stmt *srvindex_prepare(sqlite3 *db)
{
	return store_prepare(db, "INSERT OR IGNORE INTO source_server_events (server_id, seq, acts,"
			     " event_time_ms) VALUES (?1, ?2, ?3, ?4)");
}

int srvindex_put(sqlite3_stmt *insert, const struct srvindex_event *ev, const char *ids, size_t len)
{
	for (size_t at = 0; at < len; at += strlen(ids + at) + 1) {
		int rc;

		sqlite3_bind_text(insert, 1, ids + at, -1, SQLITE_STATIC);
		sqlite3_bind_int64(insert, 2, ev->seq);
		sqlite3_bind_int(insert, 3, ev->acts);
		sqlite3_bind_int64(insert, 4, ev->time_ms);
		rc = sqlite3_step(insert);
		sqlite3_reset(insert);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

/* Indexes one stored event from its raw record; a record that no longer parses names nothing. */
static int backfill_one(sqlite3_stmt *insert, struct record *rec, long long seq, const char *raw,
			size_t len)
{
	struct srvindex_event ev;
	char err[160];

	if (record_parse_text(rec, raw, len, err, sizeof(err)) || rec->len[RF_SERVER_IDS] < 0)
		return 0;
	ev.seq = seq;
	ev.time_ms = rec->event_time_ms;
	ev.acts = srvindex_acts(record_get(rec, RF_EVENT_SOURCE), record_get(rec, RF_ERROR_CODE),
				record_get(rec, RF_PRINCIPAL_ARN), record_get(rec, RF_SESSION_ISSUER_ARN),
				record_get(rec, RF_INVOKED_BY), record_get(rec, RF_SOURCE_IP));
	return srvindex_put(insert, &ev, record_get(rec, RF_SERVER_IDS), (size_t)rec->len[RF_SERVER_IDS]);
}

int srvindex_backfill(sqlite3 *db)
{
	/* instr() skips, unparsed, the records that cannot name a server: no string
	   starts with s- (as written, or with an escape in its first two characters) */
	sqlite3_stmt *st = store_prepare(db, "SELECT seq, raw FROM event_raw"
					 " WHERE instr(raw, '\"s-') > 0 OR instr(raw, '\\u00') > 0");
	sqlite3_stmt *insert = srvindex_prepare(db);
	struct record rec;
	int rc = 0, step;

	if (!st || !insert) {
		sqlite3_finalize(st);
		sqlite3_finalize(insert);
		return -1;
	}
	record_init(&rec);
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = backfill_one(insert, &rec, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
				  (size_t)sqlite3_column_bytes(st, 1));
	if (rc)
		error("store: indexing source servers: %s", sqlite3_errmsg(db));
	else if (step != SQLITE_DONE)
		rc = error("store: indexing source servers: %s", sqlite3_errmsg(db));
	record_release(&rec);
	sqlite3_finalize(st);
	sqlite3_finalize(insert);
	return rc;
}
