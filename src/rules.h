/*
 * rules.h - the rule modules and the scan engine that runs them.
 *
 * Adding a rule: write src/rules/<id>.c defining one `const struct rule`,
 * add it to rules[] in src/rules.c, document it in README.md, and give it a
 * firing and a non-firing test in tests/t004x-*.sh.
 *
 * How a scan works. The engine streams the events each rule has not seen
 * (seq > the rule's last_seq) and calls check() on each; check() names the
 * group the event belongs to, if any, by the event's fields (account, region,
 * principal, action, ...), and the engine records the membership in the
 * store (rule_members) the one time it streams the event. Then, for every
 * group touched, the engine calls build(), which reads the group's members
 * (rule_group_events(): by the group's own index, in time order, from a time
 * the rule chooses) and emits the findings they make; the engine writes each
 * finding over the one with the same key and deletes the group's findings
 * that were not emitted again (except those before rule_keep_before()). So a
 * finding is never duplicated, a burst that goes on across scans stays one
 * finding, an event that arrives late and out of time order lands where it
 * belongs, and `scan --all` is every group rebuilt from nothing.
 *
 * Group keys are the fields escaped ('\\' for a backslash, '\\|' for '|',
 * '\\0' for a NUL byte) and joined by '|': unambiguous for any bytes, and
 * the plain join when no field holds those bytes.
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
	size_t len[7];               /* byte lengths of the fields enum ev_field names (a field may hold a NUL) */
};

/* The fields rules group by. */
enum ev_field { EV_ACCOUNT, EV_REGION, EV_PRINCIPAL, EV_SOURCE, EV_NAME, EV_ERROR_BASE, EV_EVENT_ID };

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

/* A group being built. */
struct rule_group {
	const char *key;             /* its key (escaped fields, see above) */
	char **field;                /* its fields, NUL-terminated copies ("" when absent) */
	int nfields;
	long long new_from_ms;       /* the earliest new member's time; LLONG_MIN: rebuild it whole */
};

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
	/* Recomputes one group's findings with rule_group_events() and rule_emit(). */
	int (*build)(struct rule_ctx *rc, const struct rule_group *g);
};

/* Every rule, NULL-terminated, in the order `trailsift rules` lists them. */
extern const struct rule *const rules[];

/* The rule with this id, or NULL. */
const struct rule *rule_find(const char *id);

/*
 * Puts ev in the group made of its fields by[0..n) (the group's key is
 * those fields of ev, escaped and joined). Returns 0 or -1.
 */
int rule_touch_fields(struct rule_ctx *rc, const struct event *ev, const enum ev_field *by, int n);

/*
 * Puts ev in the group made of the values s[0..n) (NUL-terminated; NULL
 * taken as empty), for rules whose groups are named by what an event's
 * parameters hold (a resource id) rather than by its fields. 0 or -1.
 */
int rule_touch_values(struct rule_ctx *rc, const struct event *ev, const char *const *s, int n);

/*
 * Marks for a whole rebuild every group of the rule that holds a finding
 * (from an earlier scan) of account (NULL: any account) whose first event
 * is in [from_ms, to_ms]. For an event that changes what those findings say
 * without being one of their events: a cause arriving after the failures it
 * explains, an error that raises an earlier finding's severity. A call with
 * the same account and window as an earlier one of the scan does nothing
 * (the findings it would find are the earlier scans', already marked), so a
 * rule may call it for each event of a burst with a window rounded to an
 * hour. 0 or -1.
 */
int rule_touch_findings(struct rule_ctx *rc, const char *account, long long from_ms, long long to_ms);

/*
 * How many calls by MGN/DRS principals (struct event.related) failed, dry
 * runs aside, in account and region at times in (from_ms, to_ms]: for a
 * finding whose severity depends on the replication errors that followed it.
 * Each hour's failures are read from the store once a scan (mgn_failures.h).
 * Returns the count, or -1 (printed).
 */
long long rule_count_related_failures(struct rule_ctx *rc, const char *account, const char *region,
				      long long from_ms, long long to_ms);

struct cause_query;
struct cause;

/* cause_find() (cause.h) in the scan's store: 1 found, 0 none, -1 error. */
int rule_cause(struct rule_ctx *rc, const struct cause_query *q, struct cause *out);

/*
 * Calls fn for each member of the group being built whose time is at or
 * after from_ms (LLONG_MIN: all), in time order (then seq). Returns 0, or -1
 * on a store error or when fn returns non-zero.
 */
int rule_group_events(struct rule_ctx *rc, long long from_ms,
		      int (*fn)(void *arg, const struct event *ev), void *arg);

/*
 * The group's findings whose first event is before ms were not rebuilt and
 * stay (a rule that rebuilt only the window a change can affect says so).
 */
void rule_keep_before(struct rule_ctx *rc, long long ms);

/*
 * One value of the previous scans' findings of the group being built: the
 * smallest first_time_ms of those whose last_time_ms is at or after ms, or
 * LLONG_MAX when none. For rules that rebuild a window.
 */
long long rule_findings_first_after(struct rule_ctx *rc, long long ms);

/*
 * What the rule kept for the group being built at its last build
 * (rule_state_put()), and the time of the last member it covers; NULL when
 * none. Valid until the build returns.
 */
const void *rule_state_get(struct rule_ctx *rc, size_t *size, long long *upto_ms);

/*
 * For a rule that keeps a fixed-size state whose first member is an
 * unsigned magic naming its layout: copies the kept state into state when
 * the group's new members all come after what it covers and its size and
 * magic match, and returns where build() reads the group from: new_from_ms,
 * or LLONG_MIN to read it whole (a first build, `scan --all`, a late event,
 * a state of another layout).
 */
long long rule_state_resume(struct rule_ctx *rc, const struct rule_group *g, void *state, size_t size,
			    unsigned magic);

/* Keeps state for the group's next build. 0 or -1. */
int rule_state_put(struct rule_ctx *rc, const void *state, size_t size, long long upto_ms);

/* The raw JSON text of event seq, malloc'd (caller frees), or NULL. */
char *rule_event_raw(struct rule_ctx *rc, long long seq);

/* Event seq's record parsed (yajl_tree: the caller frees it with yajl_tree_free()), or NULL. */
struct yajl_val_s *rule_event_record(struct rule_ctx *rc, long long seq);

/* Stores a finding of the group being built. Returns 0 or -1. */
int rule_emit(struct rule_ctx *rc, const struct finding *f);

/*
 * Adds to the finding f->key of the group being built the events f->events,
 * which are all later than those it has (f->nevents counts only them); its
 * other fields are replaced. For rules that keep state (rule_state_put())
 * instead of reading a group again. Returns 0, 1 when the finding is not in
 * the store (the rule then builds the group whole), or -1.
 */
int rule_emit_more(struct rule_ctx *rc, const struct finding *f);

/*
 * The key of a group's field values s[0..n) of lengths len[] (len NULL:
 * NUL-terminated strings, NULL ones taken as empty), escaped and joined;
 * malloc'd.
 */
char *rule_key(const char *const *s, const size_t *len, int n);

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
