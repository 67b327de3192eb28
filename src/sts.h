/*
 * sts.h - the two AWS STS calls trailsift makes: GetCallerIdentity (whose
 * account the credentials are, which keys the pull checkpoints) and
 * AssumeRole (profiles with role_arn).
 *
 * STS speaks the query protocol: a form-encoded POST signed for service
 * "sts", answered in XML. The endpoint is AWS_ENDPOINT_URL_STS, else
 * AWS_ENDPOINT_URL, else the regional https://sts.<region>.amazonaws.com.
 * Throttling, server errors and lost connections are retried a few times.
 *
 * Secrets: the answer of AssumeRole holds a secret key and a session token;
 * the answer body is wiped once parsed, and error messages pass through
 * aws_clean_message() before anyone sees them.
 */
#ifndef TRAILSIFT_STS_H
#define TRAILSIFT_STS_H

#include <stddef.h>

#include "awsreq.h"
#include "sigv4.h"

struct http;
struct buf;

struct sts_client {
	struct http *http;          /* borrowed: the connection to use */
	struct sigv4_key_cache kc;  /* signing keys, per access key */
	struct aws_endpoint ep;     /* where STS is */
};

/* What AssumeRole is asked for. */
struct sts_role {
	const char *role_arn;       /* arn:aws:iam::123456789012:role/name */
	const char *session_name;   /* RoleSessionName */
	const char *external_id;    /* ExternalId, or NULL */
	long duration_s;            /* DurationSeconds, or 0 for STS's default (1 hour) */
};

/* Sets up a client signing for region, through h. 0, or -1 with err set. */
int sts_init(struct sts_client *s, struct http *h, const char *region, char *err, size_t errlen);

/* Wipes the signing keys. */
void sts_release(struct sts_client *s);

/*
 * GetCallerIdentity: writes the 12-digit account id of cr into account
 * (size 13). Returns 0, or -1 with one line in err ("InvalidClientTokenId:
 * ... (likely cause)").
 */
int sts_get_caller_identity(struct sts_client *s, const struct aws_creds *cr, char *account,
			    char *err, size_t errlen);

/*
 * AssumeRole with cr: on success fills out (the caller releases it) and
 * returns 0; otherwise -1 with one line in err.
 */
int sts_assume_role(struct sts_client *s, const struct aws_creds *cr, const struct sts_role *r,
		    struct aws_creds *out, char *err, size_t errlen);

/*
 * The text of the first <tag>...</tag> element in xml (len bytes), XML
 * entities decoded, malloc'd; NULL when there is none. The parts of an STS
 * answer trailsift reads are all such leaf elements.
 */
char *sts_xml_value(const char *xml, size_t len, const char *tag);

/*
 * Reads the <Credentials> of an AssumeRole answer into out. Returns 0, or
 * -1 with the reason in err (out is then empty).
 */
int sts_parse_credentials(const char *xml, size_t len, struct aws_creds *out, char *err,
			  size_t errlen);

/* Appends "&key=value" (or "key=value" to an empty b), form-encoded. 0 or -1. */
int sts_form_add(struct buf *b, const char *key, const char *value);

#endif
