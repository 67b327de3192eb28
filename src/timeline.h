/*
 * timeline.h - everything the store shows about one MGN/DRS source server.
 *
 * A source server's timeline is every stored event that names it: MGN/DRS
 * calls with its sourceServerID in the request or response, and the EC2
 * calls whose parameters, tags or resources carry its id (the replication
 * server, staging volumes and snapshots that the MGN/DRS roles create and
 * tag). An event names the server when some string in its record equals the
 * id exactly (so s-1 never matches s-10); which events do is recorded when
 * they are stored (srvindex.h), so a timeline is an index lookup. Each event
 * carries the findings that cover it (finding_events). `trailsift timeline`
 * prints one; the report has one per source server.
 */
#ifndef TRAILSIFT_TIMELINE_H
#define TRAILSIFT_TIMELINE_H

#include <stdio.h>

#include <sqlite3.h>
#include <yajl/yajl_tree.h>

struct jsonw;

/* Which events a timeline object lists (the counts always cover them all). */
enum timeline_events { TIMELINE_ALL, TIMELINE_MARKED, TIMELINE_NONE };

/*
 * Writes the timeline of source server `server` as one JSON object to w:
 * source_server_id, event_count, first_time, last_time, findings (how many
 * distinct findings are marked), worst_severity, and events (time order;
 * all of them, those with findings, or none), each with time, event_id,
 * api, event_source, event_name, account, region, principal, who,
 * error_code, related, and findings (rule, severity, summary, finding_id).
 * Events before since_ms are left out. Among the listed events, at their
 * time, are the changes that caused findings on the server's events
 * (details.cause, cause.h), each with cause_of (the ids of the findings it
 * caused) and no findings of its own, even though the change (an IAM or KMS
 * call) names no server and may lie before since_ms; the counts cover only
 * the server's events. Returns 0 or -1.
 */
int timeline_build(sqlite3 *db, const char *server, long long since_ms, enum timeline_events which,
		   struct jsonw *w);

/*
 * Calls fn for every source server with events at or after since_ms that
 * an MGN/DRS role or service or a successful mgn/drs call acted on, or that
 * has findings on its events (a failed call naming an unknown id makes no
 * server), worst first: highest severity, most findings, most events, id.
 * Stops and returns -1 when fn does, or on a store error (printed).
 */
int timeline_servers(sqlite3 *db, long long since_ms, int (*fn)(void *arg, const char *id), void *arg);

/* Prints "      * cause of finding(s) N, M" for an event's cause_of array; nothing without one. */
void timeline_cause_of_text(yajl_val ids, FILE *f);

/* Prints a timeline object (as timeline_build() writes it, parsed) as text: a line, then its events. */
void timeline_render_text(yajl_val tl, FILE *f);

#endif
