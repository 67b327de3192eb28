/*
 * cause.h - the change that most plausibly made a call fail: a finding's
 * details.cause (issue "Who broke it").
 *
 * A denial or a KMS failure usually follows a change CloudTrail also holds:
 * a policy detached from the role, a key disabled. cause_find() looks in the
 * store for the latest such change at or before the group's first failure,
 * within CAUSE_WINDOW_MS, among the changes that can affect the call:
 *   - IAM changes to the denied role (DetachRolePolicy, DeleteRolePolicy,
 *     PutRolePolicy, PutRolePermissionsBoundary,
 *     DeleteRolePermissionsBoundary, UpdateAssumeRolePolicy), and
 *     CreatePolicyVersion (setAsDefault) / SetDefaultPolicyVersion of a
 *     customer-managed policy the store shows attached to it
 *     (AttachRolePolicy);
 *   - for a denial that names a service control policy, organizations
 *     AttachPolicy, DetachPolicy, UpdatePolicy;
 *   - for a KMS failure, the key's PutKeyPolicy, DisableKey,
 *     ScheduleKeyDeletion, RevokeGrant, RetireGrant (for a key named by
 *     an alias: the key the store's CreateAlias/UpdateAlias had pointed
 *     the alias to at the first failure).
 * Only calls that succeeded are changes. A change after the first failure,
 * or to another role or key, is not a cause; with no candidate there is no
 * cause (cause_find() returns 0) rather than a guess.
 *
 * It is a query, not kept state: a rule calls it (rule_cause()) whenever it
 * builds a group, and a rule whose findings take causes marks for rebuild,
 * when a change arrives (cause_is_change()), the groups whose first failure
 * lies in the change's window (rule_touch_findings()), so that a cause that
 * arrives in a later scan than its failures lands as if read in one.
 */
#ifndef TRAILSIFT_CAUSE_H
#define TRAILSIFT_CAUSE_H

#include <sqlite3.h>

#include "buf.h"
#include "jsonw.h"

struct event;

/* How far before the first failure a change may lie: 30 days. */
#define CAUSE_WINDOW_MS (30LL * 24 * 3600 * 1000)

/* What failed. */
struct cause_query {
	const char *account;         /* the failing call's account */
	const char *role_arn;        /* the denied principal (a role's ARN), or NULL */
	const char *key;             /* the KMS key the call used (ARN, alias or id), or NULL */
	int scp;                     /* the denial names a service control policy */
	long long first_fail_ms;     /* the group's first failure */
};

/* The change found. Strings are NUL-terminated, cut to fit. */
struct cause {
	long long seq;               /* event_fields.seq */
	long long time_ms;
	char event_id[64];
	char event_source[64];
	char event_name[64];
	char time[32];               /* eventTime as CloudTrail wrote it */
	char who[256];               /* session name of an SSO or assumed role, else the ARN */
	char what[512];              /* one line: "detached X from Y" */
	long long fail_ms;           /* the query's first failure, for cause_lead() */
};

/* 1 and *out filled when a cause is found, 0 when none, -1 on a store error (printed). */
int cause_find(sqlite3 *db, const struct cause_query *q, struct cause *out);

/*
 * What cause_find_in() reads from the store once and keeps, so that a scan
 * that looks for causes once per group it builds reads and parses each
 * candidate change once: per service, every successful change of the kinds
 * above (and the role policy attachments), with what it acts on, in time
 * order. Zeroed before the first call, released with cause_cache_close()
 * after the last; the store must not change in between (one scan).
 */
struct cause_changes;
struct cause_cache {
	sqlite3_stmt *raw;                 /* an event's record */
	struct cause_changes *changes[3];  /* iam, organizations, kms: loaded on first use */
};

/* cause_find() with what cache holds (filled on first use). */
int cause_find_in(sqlite3 *db, struct cause_cache *cache, const struct cause_query *q, struct cause *out);
void cause_cache_close(struct cause_cache *cache);

/* Whether ev is a change cause_find() may return. */
int cause_is_change(const struct event *ev);

/*
 * Whether ev may change what cause_find() returns, and for which first
 * failures: a change (cause_is_change(): [its time, its time +
 * CAUSE_WINDOW_MS]), or a successful AttachRolePolicy/DetachRolePolicy,
 * which decides whether later changes of the policy count, or a KMS
 * CreateAlias/UpdateAlias/DeleteAlias, which decides what key an alias
 * names ([its time, end of time]). *account is the account whose findings it concerns, NULL for
 * organizations changes (the management account's trail speaks for all).
 * For check(): rule_touch_findings(rc, *account, *from, *to).
 */
int cause_span(const struct event *ev, const char **account, long long *from_ms, long long *to_ms);

/* Writes c as a JSON object, or null when c is NULL (after jsonw_key("cause")). */
void cause_json(struct jsonw *w, const struct cause *c);

/*
 * Appends "after WHO WHAT at HH:MMZ" (with the date, "YYYY-MM-DD HH:MMZ",
 * when the change was not made on the first failure's day).
 */
void cause_phrase(struct buf *b, const struct cause *c);

/* Appends a summary's lead: "since YYYY-MM-DD HH:MMZ, after WHO WHAT at HH:MMZ: ". */
void cause_lead(struct buf *b, const struct cause *c);

#endif
