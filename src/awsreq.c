/*
 * awsreq.c - signed AWS API requests and AWS error codes; see awsreq.h.
 */
#include "awsreq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "http.h"
#include "jsonw.h"
#include "msg.h"
#include "out.h"
#include "safetext.h"
#include "sigv4.h"
#include "timeparse.h"

static void wipe_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void aws_creds_release(struct aws_creds *c)
{
	free(c->access_key_id);
	wipe_free(c->secret_access_key);
	wipe_free(c->session_token);
	memset(c, 0, sizeof(*c));
}

void aws_creds_copy(struct aws_creds *dst, const struct aws_creds *src)
{
	dst->access_key_id = src->access_key_id ? xstrdup(src->access_key_id) : NULL;
	dst->secret_access_key = src->secret_access_key ? xstrdup(src->secret_access_key) : NULL;
	dst->session_token = src->session_token ? xstrdup(src->session_token) : NULL;
	dst->expires_ms = src->expires_ms;
	dst->obtained_ms = src->obtained_ms;
}

static int valid_region(const char *r)
{
	if (!*r || strlen(r) > 40)
		return 0;
	for (const char *p = r; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
	return 1;
}

int aws_endpoint_init(struct aws_endpoint *ep, const char *service, const char *region,
		      const char *override, char *err, size_t errlen)
{
	int n;

	memset(ep, 0, sizeof(*ep));
	if (!valid_region(region)) {
		snprintf(err, errlen, "'%s' is not a region name (like us-east-1)", region);
		return -1;
	}
	snprintf(ep->region, sizeof(ep->region), "%s", region);
	snprintf(ep->service, sizeof(ep->service), "%s", service);
	if (override && *override)
		n = snprintf(ep->url, sizeof(ep->url), "%s", override);
	else
		n = snprintf(ep->url, sizeof(ep->url), "https://%s.%s.amazonaws.com%s/", service, region,
			     strncmp(region, "cn-", 3) ? "" : ".cn");
	if (n < 0 || (size_t)n >= sizeof(ep->url)) {
		snprintf(err, errlen, "endpoint URL too long");
		return -1;
	}
	if (http_url_split(ep->url, ep->host, sizeof(ep->host), ep->path, sizeof(ep->path), err,
			   errlen))
		return -1;
	/* STS answers carry secret keys; requests carry session tokens */
	if (!strncmp(ep->url, "http://", 7) && !http_url_is_loopback(ep->url)) {
		snprintf(err, errlen, "'%s': plain http is only allowed to a loopback address (the"
			 " traffic holds credentials); use https", ep->url);
		return -1;
	}
	return 0;
}

const char *aws_endpoint_from_env(const char *env_name)
{
	char name[96];
	const char *v;

	snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s", env_name);
	v = getenv(name);
	if (v && *v)
		return v;
	v = getenv("AWS_ENDPOINT_URL");
	return v && *v ? v : NULL;
}

int aws_post(struct http *h, struct sigv4_key_cache *kc, const struct aws_endpoint *ep,
	     const struct aws_creds *cr, const char *content_type, const char *target,
	     const char *body, size_t len)
{
	char amz_date[SIGV4_AMZ_DATE_LEN + 1];
	struct sigv4_header sh[3];
	struct http_header hh[6];
	struct sigv4_credentials sc = { cr->access_key_id, cr->secret_access_key, cr->session_token };
	struct sigv4_params sp;
	struct sigv4_request rq;
	char *auth = NULL;
	size_t n = 0, m = 0;
	int rc;

	if (sigv4_format_amz_date(time(NULL), amz_date)) {
		snprintf(h->error, sizeof(h->error), "cannot format the request date");
		return HTTP_FATAL;
	}
	sh[n++] = (struct sigv4_header){ "Host", ep->host };
	sh[n++] = (struct sigv4_header){ "Content-Type", content_type };
	if (target)
		sh[n++] = (struct sigv4_header){ "X-Amz-Target", target };
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.path = ep->path;
	rq.headers = sh;
	rq.n_headers = n;
	rq.body = body;
	rq.body_len = len;
	memset(&sp, 0, sizeof(sp));
	sp.amz_date = amz_date;
	sp.region = ep->region;
	sp.service = ep->service;
	sp.flags = SIGV4_NORMALIZE_PATH;
	if (sigv4_sign(kc, &sc, &sp, &rq, &auth, NULL)) {
		snprintf(h->error, sizeof(h->error),
			 "cannot sign the request (is the access key ID made of letters and digits?)");
		return HTTP_FATAL;
	}
	for (size_t i = 0; i < n; i++)
		hh[m++] = (struct http_header){ sh[i].name, sh[i].value };
	hh[m++] = (struct http_header){ "X-Amz-Date", amz_date };
	if (cr->session_token)
		hh[m++] = (struct http_header){ "X-Amz-Security-Token", cr->session_token };
	hh[m++] = (struct http_header){ "Authorization", auth };
	rc = http_request(h, "POST", ep->url, hh, m, body, len);
	free(auth);
	return rc;
}

void aws_error_code(const char *type, char *out, size_t outlen)
{
	const char *s = type ? type : "";
	const char *hash = strrchr(s, '#');
	size_t n;

	if (hash)
		s = hash + 1;
	n = strcspn(s, ":");
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

struct aws_error_rule {
	const char *code;
	enum aws_error_kind kind;
	const char *hint;
};

/* Sorted by code (strcmp), found by bsearch. */
static const struct aws_error_rule error_rules[] = {
	{ "AccessDenied", AWS_ERR_FATAL,
	  "not allowed: for a role, its trust policy must let these credentials assume it"
	  " (sts:AssumeRole)" },
	{ "AccessDeniedException", AWS_ERR_FATAL,
	  "the credentials lack the cloudtrail:LookupEvents permission"
	  " (or an SCP or permissions boundary denies it)" },
	{ "BandwidthLimitExceeded", AWS_ERR_RETRY, "" },
	{ "EC2ThrottledException", AWS_ERR_RETRY, "" },
	{ "ExpiredToken", AWS_ERR_EXPIRED,
	  "the session token has expired: get new credentials" },
	{ "ExpiredTokenException", AWS_ERR_EXPIRED,
	  "the session token has expired: get new credentials" },
	{ "IDPCommunicationError", AWS_ERR_RETRY, "" },
	{ "IncompleteSignature", AWS_ERR_FATAL,
	  "the request's signature is incomplete (did a proxy change the request?)" },
	{ "IncompleteSignatureException", AWS_ERR_FATAL,
	  "the request's signature is incomplete (did a proxy change the request?)" },
	{ "InternalError", AWS_ERR_RETRY, "" },
	{ "InternalFailure", AWS_ERR_RETRY, "" },
	{ "InternalServerError", AWS_ERR_RETRY, "" },
	{ "InvalidAction", AWS_ERR_FATAL, "the endpoint does not know this action: check the endpoint URL" },
	{ "InvalidClientTokenId", AWS_ERR_FATAL,
	  "AWS does not know the access key ID: a wrong, deleted or inactive key, a session"
	  " token that does not go with it, or a region not enabled for the account" },
	{ "InvalidEventCategoryException", AWS_ERR_FATAL, "the event category is not valid" },
	{ "InvalidLookupAttributesException", AWS_ERR_FATAL,
	  "--attribute wants KEY=VALUE with KEY one of EventId, EventName, ReadOnly, Username,"
	  " ResourceType, ResourceName, EventSource, AccessKeyId and a VALUE of 1 to 2000"
	  " characters" },
	{ "InvalidMaxResultsException", AWS_ERR_FATAL, "MaxResults must be 1 to 50" },
	{ "InvalidNextTokenException", AWS_ERR_FATAL,
	  "the NextToken was refused: it is only good with the same time window and attribute" },
	{ "InvalidSignatureException", AWS_ERR_FATAL,
	  "the secret access key does not go with the access key ID (or a proxy changed the"
	  " request)" },
	{ "InvalidTimeRangeException", AWS_ERR_FATAL,
	  "--since must come before --until, within the last 90 days" },
	{ "LimitExceededException", AWS_ERR_RETRY, "" },
	{ "MissingAuthenticationToken", AWS_ERR_FATAL, "the request was not signed" },
	{ "MissingAuthenticationTokenException", AWS_ERR_FATAL, "the request was not signed" },
	{ "OperationNotPermittedException", AWS_ERR_FATAL,
	  "CloudTrail does not permit this operation for the account" },
	{ "OptInRequired", AWS_ERR_FATAL, "the account is not subscribed to CloudTrail in this region" },
	{ "PriorRequestNotComplete", AWS_ERR_RETRY, "" },
	{ "ProvisionedThroughputExceededException", AWS_ERR_RETRY, "" },
	{ "RegionDisabledException", AWS_ERR_FATAL,
	  "STS is not activated in this region for the account (IAM account settings)" },
	{ "RequestExpired", AWS_ERR_FATAL,
	  "the request's time is too far from AWS's: set the system clock right (NTP)" },
	{ "RequestLimitExceeded", AWS_ERR_RETRY, "" },
	{ "RequestThrottled", AWS_ERR_RETRY, "" },
	{ "RequestThrottledException", AWS_ERR_RETRY, "" },
	{ "RequestTimeout", AWS_ERR_RETRY, "" },
	{ "RequestTimeoutException", AWS_ERR_RETRY, "" },
	{ "SerializationException", AWS_ERR_FATAL, "the endpoint could not read the request" },
	{ "ServiceUnavailable", AWS_ERR_RETRY, "" },
	{ "ServiceUnavailableException", AWS_ERR_RETRY, "" },
	{ "SignatureDoesNotMatch", AWS_ERR_FATAL,
	  "the secret access key does not go with the access key ID (or a proxy changed the"
	  " request)" },
	{ "SlowDown", AWS_ERR_RETRY, "" },
	{ "Throttling", AWS_ERR_RETRY, "" },
	{ "ThrottlingException", AWS_ERR_RETRY, "" },
	{ "TooManyRequestsException", AWS_ERR_RETRY, "" },
	{ "TransactionInProgressException", AWS_ERR_RETRY, "" },
	{ "UnknownOperationException", AWS_ERR_FATAL,
	  "the endpoint does not speak CloudTrail LookupEvents (a wrong --endpoint-url, or a"
	  " proxy changed the Content-Type)" },
	{ "UnrecognizedClientException", AWS_ERR_FATAL,
	  "AWS does not know the access key ID: a wrong, deleted or inactive key, a session"
	  " token that does not go with it, or a region not enabled for the account" },
	{ "UnsupportedOperationException", AWS_ERR_FATAL,
	  "LookupEvents is not supported in this region" },
	{ "ValidationError", AWS_ERR_FATAL, "a parameter is not valid (role ARN, session name, duration)" },
};

static int rule_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct aws_error_rule *)elem)->code);
}

enum aws_error_kind aws_error_classify(const char *type, long status, const char *message,
				       const char **hint)
{
	const struct aws_error_rule *r = NULL;
	char code[128];

	aws_error_code(type, code, sizeof(code));
	*hint = "";
	if (code[0])
		r = bsearch(code, error_rules, sizeof(error_rules) / sizeof(error_rules[0]),
			    sizeof(error_rules[0]), rule_cmp);
	if (r) {
		*hint = r->hint;
		/* an expired signature is a clock problem, not a key problem */
		if ((!strcmp(r->code, "InvalidSignatureException") ||
		     !strcmp(r->code, "SignatureDoesNotMatch")) && message &&
		    (strstr(message, "Signature expired") || strstr(message, "not yet current")))
			*hint = "the system clock is more than 5 minutes off AWS's: set it right (NTP)";
		return r->kind;
	}
	if (status >= 500 || status == 429)
		return AWS_ERR_RETRY;
	if (!code[0] && status == 404)
		*hint = "not an AWS API endpoint: check --endpoint-url";
	else if (!code[0] && (status == 401 || status == 403))
		*hint = "refused before reaching AWS (a proxy?)";
	return AWS_ERR_FATAL;
}

static void mask(char *s, const char *secret)
{
	size_t n;
	char *p;

	if (!secret || !*secret)
		return;
	n = strlen(secret);
	for (p = strstr(s, secret); p; p = strstr(p, secret)) {
		static const char repl[] = "[secret]";

		if (n >= sizeof(repl) - 1) {
			memcpy(p, repl, sizeof(repl) - 1);
			memmove(p + sizeof(repl) - 1, p + n, strlen(p + n) + 1);
			p += sizeof(repl) - 1;
		} else {
			memset(p, '*', n);
			p += n;
		}
	}
}

void aws_clean_message(const char *msg, const struct aws_creds *cr, char *out, size_t outlen)
{
	size_t n = 0;

	if (!outlen)
		return;
	/* mask on a full copy first, so that a cut cannot leave part of a secret */
	if (msg && cr) {
		char *copy = xstrdup(msg);

		mask(copy, cr->secret_access_key);
		mask(copy, cr->session_token);
		aws_clean_message(copy, NULL, out, outlen);
		OPENSSL_cleanse(copy, strlen(copy));
		free(copy);
		return;
	}
	for (const char *p = msg ? msg : "", *end = p + strlen(p); p < end && *p != '\n';) {
		/* whole characters only; controls (C1 and bidi too) and bytes that are not UTF-8 replaced */
		unsigned cp = 0;
		size_t len = utf8_char((const unsigned char *)p, (size_t)(end - p), &cp);
		int keep = len && !unsafe_char(cp);

		if (n + (keep ? len : 1) + 1 > outlen)
			break;
		if (keep)
			memcpy(out + n, p, len);
		else
			out[n] = len ? ' ' : '?';
		n += keep ? len : 1;
		p += len ? len : 1;
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}
