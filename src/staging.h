/*
 * staging.h - the MGN/DRS staging area as the store shows it, and reading
 * EC2's request parameters whatever shape CloudTrail gave them.
 *
 * The staging area is where the replication servers run: a subnet
 * (stagingAreaSubnetId), security groups (replicationServersSecurityGroupsIDs),
 * and what the events relate to them: the VPC, route tables and their
 * associations, network ACLs, NAT and internet gateways, VPC endpoints.
 * staging_learn() reads them from the calls of one account and region that
 * staging_gather() kept; the rules then ask how close a changed resource is
 * to the staging area.
 *
 * EC2 logs request parameters in two shapes (docs/research.md §8): older
 * calls in lowerCamelCase with lists as {"items":[...]}, newer ones wrapped
 * in {"<Action>Request":{...}} in PascalCase with lists as {"tag":1,
 * "content":"..."} or arrays. The ctj_ helpers read both.
 */
#ifndef TRAILSIFT_STAGING_H
#define TRAILSIFT_STAGING_H

#include <stddef.h>

#include <yajl/yajl_tree.h>

struct rule_ctx;
struct event;

#define CTJ_HIDDEN "HIDDEN_DUE_TO_SECURITY_REASONS"

/* The member of object v named key, compared case-insensitively; NULL if none. */
yajl_val ctj_get(yajl_val v, const char *key);

/*
 * The request parameters of a parsed record: requestParameters, or the one
 * object inside it when it is the only member and named "<Something>Request".
 */
yajl_val ctj_params(yajl_val doc);

/*
 * The elements of a list in any of EC2's forms: an array, {"items":[...]},
 * {"content":x} or a lone value. Stores at most max of them in out and
 * returns how many there are in all (0 for NULL).
 */
size_t ctj_items(yajl_val v, yajl_val *out, size_t max);

/* The string value of v, or NULL (also for CTJ_HIDDEN). */
const char *ctj_str(yajl_val v);

/* Whether v is CloudTrail's hidden marker. */
int ctj_hidden(yajl_val v);

/* v as a boolean (true, "true", {"value":true}): 0 or 1 in *out; -1 if it is none. */
int ctj_bool(yajl_val v, int *out);

/* v as an integer (a number or a numeric string): 0, or -1 if it is none. */
int ctj_int(yajl_val v, long long *out);

/* The first string found under a member named key anywhere in v (depth first), or NULL. */
const char *ctj_find(yajl_val v, const char *key);

/* How close a resource is to the staging area. */
enum staging_rel {
	STAGING_NONE = 0,  /* not known to be the staging area's */
	STAGING_VPC = 1,   /* in the staging subnet's VPC */
	STAGING_AREA = 2,  /* the staging subnet or group itself, or its route table */
};

struct staging_item {
	char id[72];                 /* subnet-..., sg-..., vpc-..., rtb-..., vpce-..., ... */
	enum staging_rel rel;
	char via[160];               /* how the store shows it, for a person */
	char service[128];           /* vpce: the endpoint's service name, if known */
};

struct staging {
	struct staging_item *v;      /* owned */
	size_t n, cap;
};

/* Events that teach the staging area, in time order: their seq, name, time. */
struct staging_seqs {
	long long *seq;
	char (*name)[64];
	char (*time)[32];
	int *related;
	size_t n, cap;
};

/* The teaching calls of one account and region, gathered by staging_gather(). */
struct staging_calls {
	struct staging_seqs set;     /* successful replication-settings calls */
	struct staging_seqs topo;    /* successful EC2 topology calls */
};

/*
 * Keeps ev in c if it teaches the staging area (a successful settings call
 * or EC2 topology call); events must come in time order. c starts zeroed.
 */
void staging_gather(struct staging_calls *c, const struct event *ev);
void staging_calls_release(struct staging_calls *c);

/*
 * Learns the staging area from the gathered calls, reading their records
 * (through the rule_ctx of a rule being built). st must be zeroed; release
 * it with staging_release(). Returns 0 or -1.
 */
int staging_learn(struct rule_ctx *rc, const struct staging_calls *c, struct staging *st);

/* The item for id, or NULL. */
const struct staging_item *staging_get(const struct staging *st, const char *id);

/* "staging area", "staging VPC" or "not the staging area's". */
const char *staging_rel_name(enum staging_rel rel);

void staging_release(struct staging *st);

#endif
