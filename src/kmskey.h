/*
 * kmskey.h - naming a KMS key the same way whichever form a record gives.
 *
 * KMS accepts a key as a key ARN, a key id, an alias ARN or "alias/NAME";
 * CloudTrail writes what the caller sent in requestParameters.keyId and,
 * for most KMS calls, the key's ARN in resources[]. A rule that groups by
 * key needs one name per key: the id, with the account and region it lives
 * in. An alias stays an alias ("alias/NAME") since only CreateAlias tells
 * which key it points to.
 */
#ifndef TRAILSIFT_KMSKEY_H
#define TRAILSIFT_KMSKEY_H

#include <stddef.h>

#include <yajl/yajl_tree.h>

/* A key as this program names it. */
struct kms_key {
	char account[32];            /* the key's account */
	char region[32];             /* the key's region */
	char id[256];                /* the key id ("1234abcd-...", "mrk-...") or "alias/NAME" */
};

/*
 * Parses ref (any form KMS accepts); account and region are taken when ref
 * does not name them (an id or "alias/NAME"). Returns 0, or -1 when ref is
 * NULL, empty, an alias without a name, an ARN that is not a KMS key's or
 * alias's, or too long.
 */
int kmskey_parse(const char *ref, const char *account, const char *region, struct kms_key *out);

/*
 * The key a parsed CloudTrail record of kms.amazonaws.com acts on: the key
 * ARN of resources[] (type AWS::KMS::Key, or no type: the key itself even
 * when the caller gave an alias), else a key ARN in responseElements.keyId,
 * else the key as given (kmskey_as_given()); NULL when none. The string
 * lives as long as doc.
 */
const char *kmskey_of_record(yajl_val doc);

/*
 * The key the caller gave: requestParameters.keyId, else ReEncrypt's
 * destinationKeyId, else its sourceKeyId; NULL when none. Lives as long as doc.
 */
const char *kmskey_as_given(yajl_val doc);

/*
 * The first KMS key ARN ("arn:aws...:kms:...") a text names, copied to out
 * (cut at a blank, quote or comma); 0, or -1 when there is none.
 */
int kmskey_in_text(const char *text, char *out, size_t n);

#endif
