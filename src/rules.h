/*
 * rules.h - the rule modules and the scan engine that runs them.
 *
 * Adding a rule: write src/rules/<id>.c defining one `const struct rule`,
 * add it to rules[] in src/rules.c, document it in README.md, and give it a
 * firing and a non-firing test in tests/t004x-*.sh.
 *
 * How a scan works. The engine streams the events each rule has not seen
 * (seq > the rule's last_seq) and calls check() on each; check() says which
 * group the event belongs to, if any ("111122223333|us-east-1|role|CreateSnapshot").
 * Then, for every group touched, the engine calls build(), which reads the
 * group's events from the store (old and new alike) and emits the group's
 * findings afresh; the engine writes each finding over the one with the same
 * key and deletes the group's findings that were not emitted again. So a
 * finding is never duplicated, a burst that goes on across scans stays one
 * finding, and `scan --all` is just every group recomputed.
 */
#ifndef TRAILSIFT_RULES_H
#define TRAILSIFT_RULES_H

#include <stddef.h>

#include <sqlite3.h>

enum severity { SEV_INFO, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };

/* "info" .. "critical"; severity_parse() returns 0 or -1. */
const char *severity_name(enum severity s);
int severity_parse(const char *s, enum severity *out);

/* One stored event as rules see it. Strings are NULL when absent. */
struct event {
	long long seq;               /* event_fields.seq */
	const char *event_id;
	const char *event_time;      /* as CloudTrail wrote it */
	long long time_ms;
	const char *event_source, *event_name, *aws_region;
	const char *account;         /* recipientAccountId, else the principal's account */
	const char *principal;       /* the role behind a session, else the identity ARN, else the calling service */
	const char *principal_arn;   /* userIdentity.arn as written */
	const char *user_name;       /* user or role name */
	const char *invoked_by, *source_ip, *user_agent;
	const char *error_code, *error_base, *error_class, *error_message;
	int related;                 /* MGN/DRS related (mgn.h) */
};

/* A short reference to an event a finding covers. */
struct event_ref {
	long long seq;
	long long time_ms;
	char event_id[64];
	char event_time[32];
};

/* What a rule's build() emits. Strings are copied by rule_emit(). */
struct finding {
	const char *key;             /* unique within the rule; stable across scans */
	enum severity severity;
	int related;
	const char *account, *region, *principal, *event_source, *event_name, *error_code;
	const char *summary;         /* one line */
	const char *details;         /* a JSON object */
	const struct event_ref *events; /* every event it covers, any order */
	size_t nevents;
};

struct rule_ctx;

enum rule_rc { RULE_OK = 0, RULE_DECLINED = 1, RULE_ERROR = -1 }; /* DECLINED: not my event */

#define RULE_V1 1

struct rule {
	int version;                 /* RULE_V1; new hooks are added at the end */
	const char *id;              /* stable: stored with findings, used by --rule */
	const char *title;
	enum severity severity;      /* the usual severity; findings may rank higher */
	const char *description;     /* what it flags, a paragraph */
	const char *advice;          /* what to do about it */
	/* A new event: RULE_OK after rule_touch()ing its group, or RULE_DECLINED. */
	int (*check)(struct rule_ctx *rc, const struct event *ev);
	/* Recomputes one group's findings with rule_each_event() and rule_emit(). */
	int (*build)(struct rule_ctx *rc, const char *group_key);
};

/* Every rule, NULL-terminated, in the order `trailsift rules` lists them. */
extern const struct rule *const rules[];

/* The rule with this id, or NULL. */
const struct rule *rule_find(const char *id);

/* Marks a group as needing build(). Returns 0 or -1. */
int rule_touch(struct rule_ctx *rc, const char *group_key);

/*
 * Calls fn for each event matching `where` (an SQL condition on the columns
 * of event_fields, with ?1..?n bound to params as text), in time order.
 * Returns 0, or -1 on a store error or when fn returns non-zero.
 */
int rule_each_event(struct rule_ctx *rc, const char *where, const char *const *params,
		    int nparams, int (*fn)(void *arg, const struct event *ev), void *arg);

/* The raw JSON text of event seq, malloc'd (caller frees), or NULL. */
char *rule_event_raw(struct rule_ctx *rc, long long seq);

/* Stores a finding of the group being built. Returns 0 or -1. */
int rule_emit(struct rule_ctx *rc, const struct finding *f);

/*
 * Group keys are the group's fields joined by '|' (an absent field is empty):
 * "111122223333|us-east-1|arn:aws:iam::111122223333:role/x|CreateSnapshot".
 * rule_group_key() makes one (malloc'd); rule_group_split() gives back its n
 * fields as n malloc'd strings (the last takes the rest), 0 or -1.
 */
char *rule_group_key(const char *const *parts, int n);
/* rule_touch() of the group key made of parts. */
int rule_touch_parts(struct rule_ctx *rc, const char *const *parts, int n);
int rule_group_split(const char *key, char **parts, int n);

/*
 * The SQL condition that selects a group's events: "coalesce(<account>,'') = ?1
 * AND ..." over the columns rules group by, for rule_each_event().
 */
#define RULE_ACCOUNT_SQL "coalesce(recipient_account_id, account_id, '')"
/* Spelled exactly as in the events_rule_groups index, so group lookups use it. */
#define RULE_PRINCIPAL_SQL "coalesce(session_issuer_arn, principal_arn, invoked_by, identity_type, '')"

/* Fills an event_ref from an event. */
void event_ref_set(struct event_ref *r, const struct event *ev);

/* A growable list of event references, for build() callbacks. */
struct event_refs {
	struct event_ref *v;
	size_t n, cap;
};
void event_refs_add(struct event_refs *r, const struct event *ev);
void event_refs_release(struct event_refs *r);

struct scan_totals {
	long long events_read;       /* events streamed past the rules */
	long findings_new;
	long findings_changed;
	long long scan_id;
};

/*
 * Runs every rule over the events it has not seen (all events when full)
 * and records findings, in one transaction. Returns 0 or -1 (printed).
 */
int rules_scan(sqlite3 *db, int full, struct scan_totals *t);

#endif
