/*
 * awsreq.h - one signed AWS API request: credentials, endpoints, SigV4
 * headers, and what an AWS error means.
 *
 * The callers (lookup.c for CloudTrail, sts.c for STS) build the body;
 * aws_post() adds Host, X-Amz-Date, X-Amz-Security-Token and Authorization
 * (sigv4.h) and sends it with http.h. aws_error_classify() is the one
 * table of AWS error codes trailsift knows: which are worth a retry and,
 * for those that are not, the likely cause to tell the user.
 *
 * Secrets: struct aws_creds owns its strings and aws_creds_release() wipes
 * them (OPENSSL_cleanse). Error text from a server can quote the request
 * (InvalidSignatureException quotes the canonical request, which holds the
 * session token): aws_clean_message() cuts it to its first sentence and
 * masks any credential in it before it is shown.
 */
#ifndef TRAILSIFT_AWSREQ_H
#define TRAILSIFT_AWSREQ_H

#include <stddef.h>

struct http;
struct sigv4_key_cache;

struct aws_creds {
	char *access_key_id;      /* owned; not secret, but shown only in the fake's log */
	char *secret_access_key;  /* owned; secret, wiped on release */
	char *session_token;      /* owned; secret, wiped on release; NULL for long-term keys */
	long long expires_ms;     /* when they stop working (epoch ms); 0 = never */
	long long obtained_ms;    /* when they were obtained (epoch ms) */
};

/* Wipes and frees the strings; the struct is zeroed. NULL strings are fine. */
void aws_creds_release(struct aws_creds *c);

/* Makes dst an independent copy of src (dst is overwritten, not released). */
void aws_creds_copy(struct aws_creds *dst, const struct aws_creds *src);

struct aws_endpoint {
	char url[1024];           /* where requests go */
	char host[300];           /* the Host header, as signed */
	char path[512];           /* the request path, as signed */
	char region[64];          /* the signing region */
	char service[32];         /* the signing service: "cloudtrail", "sts" */
};

/*
 * Sets up the endpoint of service in region: override when given (an
 * --endpoint-url or AWS_ENDPOINT_URL_<SERVICE>), else
 * https://<service>.<region>.amazonaws.com (amazonaws.com.cn in China).
 * Plain http is refused except to a loopback address (a test endpoint):
 * requests carry session tokens and STS answers secret keys. Returns 0, or
 * -1 with the reason in err (a bad URL or region).
 */
int aws_endpoint_init(struct aws_endpoint *ep, const char *service, const char *region,
		      const char *override, char *err, size_t errlen);

/*
 * The endpoint the environment sets for a service, as the AWS SDKs read it:
 * AWS_ENDPOINT_URL_<ENV_NAME> (e.g. AWS_ENDPOINT_URL_STS), else
 * AWS_ENDPOINT_URL, else NULL.
 */
const char *aws_endpoint_from_env(const char *env_name);

/*
 * Signs a POST of body (len bytes) with cr for ep and sends it through h,
 * with Content-Type content_type and, when target is not NULL, X-Amz-Target.
 * Returns an enum http_result; when the request cannot be signed, returns
 * HTTP_FATAL with h->error saying why.
 */
int aws_post(struct http *h, struct sigv4_key_cache *kc, const struct aws_endpoint *ep,
	     const struct aws_creds *cr, const char *content_type, const char *target,
	     const char *body, size_t len);

/* What an AWS error calls for. */
enum aws_error_kind {
	AWS_ERR_RETRY,            /* throttling, server errors: try again after a pause */
	AWS_ERR_EXPIRED,          /* the session token expired: new credentials may fix it */
	AWS_ERR_FATAL,            /* retrying cannot fix it */
};

/*
 * Classifies an error answer: type is the error code without namespace
 * ("ThrottlingException"; may be "" when the answer had none), status the
 * HTTP status, message the server's text (for telling clock skew from a
 * wrong secret). Sets *hint to the likely cause in a few words (static
 * text, "" when there is nothing to add).
 */
enum aws_error_kind aws_error_classify(const char *type, long status, const char *message,
				       const char **hint);

/*
 * Strips an error type to its code: "com.amazonaws.x#ThrottlingException"
 * and "ThrottlingException:http://internal.amazon.com/..." both become
 * "ThrottlingException". Writes into out (size outlen).
 */
void aws_error_code(const char *type, char *out, size_t outlen);

/*
 * Copies a server's error message into out for display: the first line,
 * at most outlen-1 bytes cut at a character, control characters (see
 * unsafe_char()) replaced by spaces and bytes that are not UTF-8 by '?',
 * and any occurrence of cr's secret key or session token (when cr is not NULL) masked as
 * "[secret]".
 */
void aws_clean_message(const char *msg, const struct aws_creds *cr, char *out, size_t outlen);

#endif
