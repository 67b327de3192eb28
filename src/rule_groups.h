/*
 * rule_groups.h - the groups of a rule that a scan touches, their keys, and
 * their members in the store (schema/006-rule-groups.sql).
 *
 * The scan engine (rules.c) gives every event a rule's check() accepts to
 * group_set_touch(), which finds or creates the group's row and records the
 * event as a member; build() later reads the members back with
 * group_members(), by the group's own index and in time order.
 */
#ifndef TRAILSIFT_RULE_GROUPS_H
#define TRAILSIFT_RULE_GROUPS_H

#include <stddef.h>

#include <sqlite3.h>

#include "rules.h"

/* The event_fields columns read_event() takes, from column `first` on. */
#define RULE_EVENT_COLUMNS \
	"e.seq, e.event_id, e.event_time, e.event_time_ms, e.event_source, e.event_name, e.aws_region," \
	" coalesce(e.recipient_account_id, e.account_id)," \
	" coalesce(e.session_issuer_arn, e.principal_arn, e.invoked_by, e.identity_type)," \
	" e.principal_arn, e.user_name, e.invoked_by, e.source_ip, e.user_agent, e.error_code," \
	" e.error_base, e.error_class, e.error_message, e.session_issuer_arn"

/* Fills ev from a row of RULE_EVENT_COLUMNS; the strings live until the next step. */
void rule_read_event(sqlite3_stmt *st, struct event *ev);

/* One group touched in this scan. */
struct touched {
	char *key;
	long long id;                /* rule_groups.group_id */
	long long from_ms;           /* the earliest new member's time; LLONG_MIN: rebuild whole */
};

/* The groups of one rule touched in one scan. */
struct group_set {
	sqlite3 *db;
	const char *rule;
	struct touched *v;
	size_t n, cap;
	size_t *slot;                /* open addressing over v: index + 1, 0 empty */
	size_t nslot;
	sqlite3_stmt *find, *add, *member, *members;
};

/* Prepares s for rule `rule`. 0 or -1 (printed). */
int group_set_open(struct group_set *s, sqlite3 *db, const char *rule);
void group_set_close(struct group_set *s);

/*
 * Marks the group `key` touched and, when seq >= 0, records event seq (at
 * time_ms) as its member; seq < 0 marks it for a whole rebuild. 0 or -1.
 */
int group_set_touch(struct group_set *s, const char *key, long long time_ms, long long seq);

/* Orders the touched groups by key, so that scans build them in one order. */
void group_set_sort(struct group_set *s);

/* Calls fn for each member of group id at or after from_ms, in time order. 0 or -1. */
int group_members(struct group_set *s, long long id, long long from_ms,
		  int (*fn)(void *arg, const struct event *ev), void *arg);

/*
 * The fields of a key made by rule_key(), unescaped, as n malloc'd strings
 * (cut at a NUL byte: for display). Returns n, or -1 for a malformed key.
 */
int rule_key_fields(const char *key, char ***fields);

#endif
