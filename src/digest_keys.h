/*
 * digest_keys.h - CloudTrail's public keys for digest signatures.
 *
 * CloudTrail signs digests with a private key per region, rotated now and
 * then; ListPublicKeys gives the public keys of a time range with their
 * fingerprints, and a digest names the fingerprint of its key. Keys are
 * asked for once per region and run, with the signed request code that
 * pull uses (awsreq.h, creds.h), and kept in the store
 * (digest_public_keys, by region and fingerprint): a key found there is not
 * asked for again.
 */
#ifndef TRAILSIFT_DIGEST_KEYS_H
#define TRAILSIFT_DIGEST_KEYS_H

#include <stddef.h>

#include <sqlite3.h>

struct digest_keys;

/* profile, endpoint_url and ca_bundle as pull takes them (each may be NULL). */
struct digest_keys *digest_keys_new(sqlite3 *db, const char *profile, const char *endpoint_url,
				    const char *ca_bundle);

/*
 * The key whose fingerprint is fp, for a digest of region; from..to (epoch
 * ms) is the range to ask ListPublicKeys for when the store does not have
 * it. Returns 1 and sets *der, *len (owned by k) when found; 0 when the
 * region's keys were fetched and fp is not among them; -1 when they could
 * not be fetched, with the reason in err (the same reason for every later
 * call about that region).
 */
int digest_keys_find(struct digest_keys *k, const char *region, const char *fp,
		     long long from_ms, long long to_ms, const unsigned char **der, size_t *len,
		     char *err, size_t errlen);

void digest_keys_free(struct digest_keys *k);

#endif
