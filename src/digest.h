/*
 * digest.h - one CloudTrail digest file: what it says and what it proves.
 *
 * Every hour CloudTrail writes, per account, region and trail, a digest
 * file (CloudTrail-Digest/...json.gz) listing the log files it delivered in
 * that hour with the SHA-256 of their uncompressed content, and naming the
 * previous digest with that file's SHA-256 and RSA signature. A digest's own
 * signature is in its S3 object's metadata (x-amz-meta-signature), or, for
 * every digest but the newest, in the next digest's previousDigestSignature.
 * docs/research.md gives AWS's description of all of it.
 */
#ifndef TRAILSIFT_DIGEST_H
#define TRAILSIFT_DIGEST_H

#include <stddef.h>

#include "buf.h"

/* One log file a digest lists. */
struct digest_log {
	char *bucket;            /* s3Bucket */
	char *key;               /* s3Object: AWSLogs/... */
	char hash[65];           /* hashValue, lower-case hex SHA-256 of the content */
};

struct digest {
	char *path;              /* where it was read: a local file, or s3://bucket/key */
	char sha256[65];         /* hex SHA-256 of its uncompressed content */
	char *account;           /* awsAccountId */
	char *region;            /* from its key: .../CloudTrail-Digest/REGION/... */
	char *trail;             /* the trail's name, from the file name */
	char *bucket, *key;      /* digestS3Bucket, digestS3Object */
	char *start_time;        /* digestStartTime as written */
	char *end_time;          /* digestEndTime as written (it is signed as written) */
	long long start_ms, end_ms;
	char *fingerprint;       /* digestPublicKeyFingerprint, hex */
	char *algorithm;         /* digestSignatureAlgorithm: SHA256withRSA */
	/* the previous digest; all NULL in the first digest of a chain */
	char *prev_bucket, *prev_key;
	char prev_hash[65];      /* "" when null */
	char *prev_signature;    /* hex */
	struct digest_log *logs; /* logFiles */
	size_t n_logs;
	char *signature;         /* its own signature (hex) once known, else NULL */
};

/*
 * Reads the digest file at path (gzip or plain) into d. Returns 0, or -1
 * with one line in err naming what is wrong (not gzip, not JSON, a field
 * missing or of the wrong type).
 */
int digest_load(const char *path, struct digest *d, char *err, size_t errlen);

/* The same from the file's bytes as stored (an S3 object's body); shown names it. */
int digest_load_bytes(const char *shown, const void *data, size_t len, struct digest *d,
		      char *err, size_t errlen);

/* Frees what d owns; d is zeroed. */
void digest_release(struct digest *d);

/*
 * The data-signing string AWS documents: digestEndTime, bucket/key, the hex
 * SHA-256 of the digest's content and the previous signature ("null" in the
 * first digest of a chain), joined by newlines. Appended to out.
 */
void digest_signing_string(const struct digest *d, struct buf *out);

/* The outcome of digest_check_signature(). */
enum digest_sig {
	DIGEST_SIG_VALID,
	DIGEST_SIG_INVALID,      /* the signature does not match: the digest is not CloudTrail's */
	DIGEST_SIG_BAD_KEY,      /* the key cannot be read as DER PKCS#1 RSAPublicKey */
};

/*
 * Checks d->signature (hex) over the signing string with the RSA public key
 * der (DER PKCS#1 RSAPublicKey, as ListPublicKeys gives it), SHA256withRSA.
 */
enum digest_sig digest_check_signature(const struct digest *d, const unsigned char *der,
				       size_t derlen);

#endif
