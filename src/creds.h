/*
 * creds.h - where AWS credentials come from, in the AWS CLI's order, and
 * keeping them fresh.
 *
 * The chain, first match wins (botocore's, less what trailsift cannot do):
 *   1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN),
 *      unless --profile names a profile (as the AWS CLI: an explicit
 *      profile skips the environment's keys; AWS_PROFILE does not).
 *   2. The profile (--profile, else AWS_PROFILE, else "default") in
 *      ~/.aws/credentials and ~/.aws/config: role_arn with source_profile
 *      or credential_source (STS AssumeRole, renewed before it expires),
 *      else aws_access_key_id + aws_secret_access_key (+ aws_session_token).
 *   3. Container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (from
 *      http://169.254.170.2) or AWS_CONTAINER_CREDENTIALS_FULL_URI (https,
 *      or http to a loopback or the ECS/EKS agent address), with the
 *      Authorization header from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or
 *      AWS_CONTAINER_AUTHORIZATION_TOKEN.
 *   4. EC2 instance metadata, IMDSv2 (a session token first; IMDSv1 only
 *      when the token call is refused with 403, 404 or 405), at
 *      AWS_EC2_METADATA_SERVICE_ENDPOINT or http://169.254.169.254, unless
 *      AWS_EC2_METADATA_DISABLED=true.
 * A profile with credential_process, SSO settings, web_identity_token_file
 * or mfa_serial, or AWS_WEB_IDENTITY_TOKEN_FILE in the environment at its
 * turn, stops the chain with an error saying so, rather than silently using
 * other credentials than the AWS CLI would.
 *
 * Temporary credentials are renewed when less than the refresh margin is
 * left (5 minutes, or half their lifetime when that is shorter). All of it
 * is thread-safe: the region threads share one struct creds.
 *
 * Secrets: nothing here prints a key, and every copy is wiped when released.
 */
#ifndef TRAILSIFT_CREDS_H
#define TRAILSIFT_CREDS_H

#include <stddef.h>

#include "awsreq.h"

struct creds;
struct http_opts;

/*
 * Works out where credentials come from, from the environment and the
 * shared files, without any network call. profile is --profile or NULL.
 * Returns NULL with the reason in err when the configuration is wrong (a
 * named profile that does not exist, half a key pair, a setting trailsift
 * cannot honour).
 */
struct creds *creds_new(const char *profile, char *err, size_t errlen);

/* Where the credentials come from, for messages: "environment", "profile 'x'", ... */
const char *creds_source(const struct creds *c);

/* The region the profile sets, or NULL. */
const char *creds_profile_region(const struct creds *c);

/* Whether the credentials come from EC2 instance metadata. */
int creds_from_imds(const struct creds *c);

/*
 * Readies c for network calls: HTTP options (CA bundle, stop flag). Call
 * once, before anything below. 0, or -1 with err set.
 */
int creds_connect(struct creds *c, const struct http_opts *o, char *err, size_t errlen);

/*
 * Sets the region STS calls are signed for (and sent to, unless
 * AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL says otherwise). Call before
 * creds_get() and creds_account(). 0, or -1 with err set.
 */
int creds_sts_region(struct creds *c, const char *region, char *err, size_t errlen);

/*
 * Sets *out to a copy of the current credentials, which the caller
 * releases with aws_creds_release(). They are fetched or renewed first when
 * needed. When failed_key is not NULL, the caller's last request with the
 * key of that access key id was refused as expired: if those are still the
 * current ones, they are renewed now. Returns 0, or -1 with one line in err.
 */
int creds_get(struct creds *c, const char *failed_key, struct aws_creds *out, char *err,
	      size_t errlen);

/* Whether creds_get() can get new credentials (not fixed keys). */
int creds_refreshable(const struct creds *c);

/* The 12-digit account of the credentials (STS GetCallerIdentity). 0 or -1. */
int creds_account(struct creds *c, char account[13], char *err, size_t errlen);

/* The instance's region from instance metadata. 0 or -1 with err set. */
int creds_imds_region(struct creds *c, char *region, size_t n, char *err, size_t errlen);

void creds_free(struct creds *c);

/*
 * Reads credentials from the JSON of a container or instance metadata
 * endpoint: AccessKeyId, SecretAccessKey, Token, Expiration (and Code, which
 * must be "Success" when present). Returns 0, or -1 with err set.
 */
int creds_parse_json(const char *text, size_t len, struct aws_creds *out, char *err,
		     size_t errlen);

/* How long before expiry credentials obtained as c says are renewed, in ms. */
long long creds_refresh_margin_ms(const struct aws_creds *c);

#endif
