/*
 * s3plan.h - reading only the part of a CloudTrail bucket a question needs.
 *
 * CloudTrail writes [PREFIX/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/
 * YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_xxxx.json.gz. The
 * planner walks that tree from the prefix the user named: a level named by
 * --account or --region is not listed at all, the others are discovered
 * with one delimiter listing each, and a region's logs are one listing
 * that starts after the key of --since (or of the late window before the
 * newest object already stored) and stops past the day of --until. So
 * reading three days of one account and region of an organization trail
 * of hundreds of accounts costs a few LIST requests, not the bucket's.
 * CloudTrail-Digest/ and CloudTrail-Insight/ are never entered; a prefix
 * below the region level is listed whole, its non-log keys reported as
 * skipped (walk_skip_reason()).
 *
 * Objects are reported in S3's key order, level by level, so a run's order
 * (and the store's) does not depend on timing.
 */
#ifndef TRAILSIFT_S3PLAN_H
#define TRAILSIFT_S3PLAN_H

#include "s3.h"

struct s3plan_opts {
	const char *prefix;         /* the key prefix from s3://BUCKET/PREFIX, "" for the root */
	char *const *accounts;      /* --account, or none */
	int n_accounts;
	char *const *regions;       /* --region (the logs' regions), or none */
	int n_regions;
	long long since_ms;         /* --since, 0 when not given */
	long long until_ms;         /* --until, 0 when not given */
	long long late_ms;          /* --late: how far before the newest stored object to look again */
	int max_keys;               /* listing page size, 0 for S3's default */
	char *const *known;         /* keys of this bucket already stored, sorted (strcmp) */
	size_t n_known;
};

struct s3plan_stats {
	long prefixes;              /* listings made (each may take several pages) */
};

/*
 * Called for each object found, in order; skip is NULL for a log to read,
 * or why it is not one. Returns 0 to go on, -1 to stop the walk.
 */
typedef int (*s3plan_fn)(void *ctx, const struct s3_object *o, const char *skip);

/*
 * Lists what o asks for through s and reports every object to fn. Returns
 * 0, or -1 with err set (a listing failed, or fn stopped it: err is then "").
 */
int s3plan_run(struct s3 *s, const struct s3plan_opts *o, s3plan_fn fn, void *ctx,
	       struct s3plan_stats *st, char *err, size_t errlen);

/*
 * The time in a CloudTrail log key's file name (..._YYYYMMDDTHHMMZ_...),
 * epoch ms, or -1 when the key is not named so.
 */
long long s3plan_key_time(const char *key);

#endif
