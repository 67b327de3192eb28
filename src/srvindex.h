/*
 * srvindex.h - the source-server index: which events name which MGN/DRS
 * source server (schema/005-source-servers.sql).
 *
 * An event names a server when some string in its record, value or key,
 * equals the server's id exactly (s-1 never matches s-10). The record
 * parser notes every string that could be an id (srvindex_is_id) while it
 * extracts the columns (record.h, RF_SERVER_IDS), for files and API pages
 * alike; the writer stores them with the event. Stores made before the
 * index get it filled when they are first opened for writing.
 */
#ifndef TRAILSIFT_SRVINDEX_H
#define TRAILSIFT_SRVINDEX_H

#include <stddef.h>

#include <sqlite3.h>

/* Ids longer than this are not indexed (MGN/DRS ids are 19 bytes). */
#define SRVINDEX_MAX_ID 64

/*
 * Whether a string of a record could be a source server id: "s-" and letters
 * or digits, 3 to SRVINDEX_MAX_ID bytes in all.
 */
int srvindex_is_id(const char *s, size_t len);

/*
 * Whether the event acts on the servers it names: a successful mgn or drs
 * call, or a call by an MGN/DRS role or service (mgn.h: the role, or the
 * service as invokedBy or sourceIPAddress, which CloudTrail writes; not the
 * caller-written userAgent). A failed call that merely names an id does
 * not: anyone allowed to call the API could make one up. Any argument may
 * be NULL.
 */
int srvindex_acts(const char *event_source, const char *error_code, const char *principal_arn,
		  const char *role_arn, const char *invoked_by, const char *source_ip);

/* The statement srvindex_put() runs; NULL on failure (printed). */
sqlite3_stmt *srvindex_prepare(sqlite3 *db);

/* One stored event, as the index records it. */
struct srvindex_event {
	long long seq, time_ms;
	int acts;                /* srvindex_acts() */
};

/*
 * Stores that event ev names each id in ids (len bytes of NUL-terminated
 * ids back to back, as RF_SERVER_IDS holds them). 0 or -1 (not printed:
 * the caller names what it was doing).
 */
int srvindex_put(sqlite3_stmt *insert, const struct srvindex_event *ev, const char *ids, size_t len);

/*
 * Fills the index for every stored event from its raw record, through the
 * same extraction as ingest. Runs inside the caller's transaction. 0 or -1
 * (printed).
 */
int srvindex_backfill(sqlite3 *db);

#endif
