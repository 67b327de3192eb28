/*
 * verify_s3.h - the digest files of a trail's bucket, read over S3 with
 * their signatures (the x-amz-meta-signature of each digest object).
 */
#ifndef TRAILSIFT_VERIFY_S3_H
#define TRAILSIFT_VERIFY_S3_H

#include "digest.h"
#include "verify.h"

/*
 * Lists the CloudTrail-Digest/ objects under o->source, s3://BUCKET[/PREFIX]
 * (PREFIX the trail's S3 prefix; every account below AWSLogs/, organization
 * trails included), and hands each digest ending in o's time range to add()
 * with d->signature set from its metadata (NULL when it has none); add()
 * owns it then. A digest that cannot be read is printed as an error and
 * counted in *unreadable. Returns 0, or -1 (printed) when the bucket cannot
 * be listed.
 */
int verify_s3_digests(const struct verify_opts *o, void (*add)(void *ctx, struct digest *d),
		      void *ctx, long long *unreadable);

#endif
