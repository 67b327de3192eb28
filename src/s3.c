/*
 * s3.c - the S3 REST client; see s3.h.
 */
#include "s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "creds.h"
#include "msg.h"
#include "pace.h"

#define BACKOFF_BASE_MS 200
#define BACKOFF_CAP_MS 10000
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* What one request's answer said, beyond its status and body. */
struct reply {
	char region[64];            /* x-amz-bucket-region */
	char etag[80];              /* ETag, unquoted */
	char last_modified[64];
	long long length;           /* Content-Length, -1 when absent */
	long long range_start;      /* first byte of a 206 answer (Content-Range), -1 when none */
	struct s3_head *head;       /* collects x-amz-meta-* when not NULL */
	/* GetObject: where the bytes go, and how many went there */
	int (*on_data)(void *arg, const void *data, size_t len);
	void *arg;
	unsigned long long delivered;
	unsigned long long skip;    /* bytes of a resumed answer already delivered */
	int body_started;           /* this attempt's first body byte came */
	int reader_stopped;         /* on_data said stop */
	char bad_resume[120];       /* the server resumed at the wrong place */
};

/* ------------------------------------------------------------ names and URLs */

static int valid_bucket(const char *n)
{
	size_t len = strlen(n);

	if (len < 3 || len > 63)
		return 0;
	for (const char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '.' || *p == '-' || *p == '_'))
			return 0;
	return 1;
}

/* Names that cannot be a host name label under a wildcard certificate. */
static int needs_path_style(const char *n)
{
	for (const char *p = n; *p; p++)
		if (*p == '.' || *p == '_' || (*p >= 'A' && *p <= 'Z'))
			return 1;
	return 0;
}

int s3_parse_url(const char *url, char bucket[64], const char **prefix)
{
	const char *b, *slash;
	size_t n;

	if (strncmp(url, "s3://", 5))
		return -1;
	b = url + 5;
	slash = strchr(b, '/');
	n = slash ? (size_t)(slash - b) : strlen(b);
	if (n == 0 || n > 63)
		return -1;
	memcpy(bucket, b, n);
	bucket[n] = '\0';
	*prefix = slash ? slash + 1 : "";
	return valid_bucket(bucket) ? 0 : -1;
}

void s3_shown(const char *bucket, const char *key, char *out, size_t outlen)
{
	struct buf b;
	const char *parts[2] = { bucket, key ? key : "" };

	buf_init(&b, outlen ? outlen - 1 : 0);
	buf_addstr(&b, "s3://");
	for (int i = 0; i < (key ? 2 : 1); i++) {
		if (i)
			buf_addch(&b, '/');
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++)
			if (*p < 0x20 || *p == 0x7f || *p == '\\')
				buf_addf(&b, "\\x%02x", *p);
			else
				buf_addch(&b, *p);
	}
	snprintf(out, outlen, "%s", b.data);
	buf_release(&b);
}

static int unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == '~';
}

/* Appends s URI-encoded as SigV4 wants it; '/' kept when keep_slash. */
static void add_encoded(struct buf *b, const char *s, int keep_slash)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (unreserved(*p) || (keep_slash && *p == '/'))
			buf_addch(b, *p);
		else
			buf_addf(b, "%%%02X", *p);
}

static void add_param(struct buf *q, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	if (q->len)
		buf_addch(q, '&');
	buf_addstr(q, name);
	buf_addch(q, '=');
	add_encoded(q, value, 0);
}

int s3_bucket_init(struct s3_bucket *b, const char *name, const char *region,
		   const char *endpoint, struct creds *c, const struct http_opts *ho,
		   char *err, size_t errlen)
{
	char host[300], path[512];

	memset(b, 0, sizeof(*b));
	if (!valid_bucket(name)) {
		snprintf(err, errlen, "'%s' is not an S3 bucket name", name);
		return -1;
	}
	snprintf(b->name, sizeof(b->name), "%s", name);
	snprintf(b->region, sizeof(b->region), "%s", region);
	b->creds = c;
	b->http = *ho;
	b->path_style = needs_path_style(name);
	if (endpoint && *endpoint) {
		size_t n = strlen(endpoint);

		while (n && endpoint[n - 1] == '/')
			n--;
		if (n >= sizeof(b->endpoint)) {
			snprintf(err, errlen, "endpoint URL too long");
			return -1;
		}
		memcpy(b->endpoint, endpoint, n);
		b->endpoint[n] = '\0';
		if (http_url_split(endpoint, host, sizeof(host), path, sizeof(path), err, errlen))
			return -1;
		/* requests carry session tokens */
		if (!strncmp(endpoint, "http://", 7) && !http_url_is_loopback(endpoint)) {
			snprintf(err, errlen, "'%s': plain http is only allowed to a loopback address (the"
				 " traffic holds credentials); use https", endpoint);
			return -1;
		}
		b->path_style = 1;
	}
	return 0;
}

static const char *getenv_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int s3_bucket_open(struct s3_bucket *b, const char *name, const struct s3_setup *o, char *err,
		   size_t errlen)
{
	struct http_opts ho;
	struct creds *c;
	const char *region, *endpoint = o->endpoint_url;

	memset(b, 0, sizeof(*b));
	memset(&ho, 0, sizeof(ho));
	ho.ca_bundle = o->ca_bundle ? o->ca_bundle : getenv_set("AWS_CA_BUNDLE");
	ho.timeout_ms = o->timeout_ms ? o->timeout_ms : 120000;
	ho.stop = o->stop;
	if (ho.ca_bundle && access(ho.ca_bundle, R_OK)) {
		snprintf(err, errlen, "cannot read the CA bundle '%s'", ho.ca_bundle);
		return -1;
	}
	c = creds_new(o->profile, err, errlen);
	if (!c)
		return -1;
	if (http_global_init()) {
		snprintf(err, errlen, "cannot initialise libcurl");
		creds_free(c);
		return -1;
	}
	region = getenv_set("AWS_REGION");
	if (!region)
		region = getenv_set("AWS_DEFAULT_REGION");
	if (!region)
		region = creds_profile_region(c);
	if (!region)
		region = "us-east-1";
	if (!endpoint)
		endpoint = aws_endpoint_from_env("S3");
	if (creds_connect(c, &ho, err, errlen) || creds_sts_region(c, region, err, errlen) ||
	    s3_bucket_init(b, name, region, endpoint, c, &ho, err, errlen)) {
		creds_free(c);
		http_global_cleanup();
		memset(b, 0, sizeof(*b));
		return -1;
	}
	return 0;
}

void s3_bucket_close(struct s3_bucket *b)
{
	if (!b->creds)
		return;
	creds_free(b->creds);
	b->creds = NULL;
	http_global_cleanup();
}

/*
 * The URL to send, and the Host and path to sign (the path unencoded: the
 * signer encodes it once, as S3 wants), of key (NULL: the bucket itself).
 */
static int make_target(const struct s3_bucket *b, const char *key, const char *query,
		       struct buf *url, struct buf *sign_path, char *host, size_t hostlen,
		       char *err, size_t errlen)
{
	char base[1200], path[512];
	const char *cn = strncmp(b->region, "cn-", 3) ? "" : ".cn";

	if (b->endpoint[0])
		snprintf(base, sizeof(base), "%s/%s", b->endpoint, b->name);
	else if (b->path_style)
		snprintf(base, sizeof(base), "https://s3.%s.amazonaws.com%s/%s", b->region, cn, b->name);
	else
		snprintf(base, sizeof(base), "https://%s.s3.%s.amazonaws.com%s", b->name, b->region, cn);
	if (http_url_split(base, host, hostlen, path, sizeof(path), err, errlen))
		return -1;
	buf_reset(url);
	buf_reset(sign_path);
	buf_addstr(url, base);
	if (!b->path_style)
		path[0] = '\0'; /* virtual-hosted: the bucket is the host, the path starts at '/' */
	buf_addstr(sign_path, path);
	if (key) {
		buf_addch(url, '/');
		add_encoded(url, key, 1);
		buf_addch(sign_path, '/');
		buf_addstr(sign_path, key);
	} else if (!b->path_style) {
		buf_addch(url, '/');
		buf_addch(sign_path, '/');
	}
	if (query && *query) {
		buf_addch(url, '?');
		buf_addstr(url, query);
	}
	return 0;
}

/* ------------------------------------------------------------ answers */

static void copy_span(char *out, size_t outlen, const char *v, size_t n)
{
	if (n >= outlen)
		n = outlen - 1;
	memmove(out, v, n); /* v may lie inside out (an ETag losing its quotes) */
	out[n] = '\0';
}

/* An ETag without its quotes (and without a weak W/ mark). */
static void copy_etag(char *out, size_t outlen, const char *v, size_t n)
{
	if (n >= 2 && v[0] == 'W' && v[1] == '/') {
		v += 2;
		n -= 2;
	}
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v++;
		n -= 2;
	}
	copy_span(out, outlen, v, n);
}

static void on_reply_header(void *arg, const char *name, size_t nlen, const char *v, size_t vl)
{
	struct reply *r = arg;
	static const char meta[] = "x-amz-meta-";

#define IS(s) (nlen == sizeof(s) - 1 && !strncasecmp(name, s, nlen))
	if (IS("x-amz-bucket-region"))
		copy_span(r->region, sizeof(r->region), v, vl);
	else if (IS("etag"))
		copy_etag(r->etag, sizeof(r->etag), v, vl);
	else if (IS("last-modified"))
		copy_span(r->last_modified, sizeof(r->last_modified), v, vl);
	else if (IS("content-length"))
		r->length = strtoll(v, NULL, 10);
	else if (IS("content-range") && vl > 6 && !strncasecmp(v, "bytes ", 6))
		r->range_start = strtoll(v + 6, NULL, 10);
	else if (r->head && nlen > sizeof(meta) - 1 && !strncasecmp(name, meta, sizeof(meta) - 1)) {
		struct s3_head *h = r->head;
		char *n = xstrndup(name + sizeof(meta) - 1, nlen - (sizeof(meta) - 1));

		for (char *p = n; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		h->meta = xrealloc(h->meta, (h->n_meta + 1) * sizeof(*h->meta));
		h->meta[h->n_meta].name = n;
		h->meta[h->n_meta].value = xstrndup(v, vl);
		h->n_meta++;
	}
#undef IS
}

/* A 2xx GetObject body: resumed answers are lined up with what was delivered. */
static int on_reply_body(void *arg, const void *data, size_t len)
{
	struct reply *r = arg;
	const char *p = data;

	if (!r->body_started) {
		r->body_started = 1;
		if (r->delivered && r->range_start < 0) {
			r->skip = r->delivered; /* the server ignored Range and sent it all */
		} else if (r->range_start >= 0 && (unsigned long long)r->range_start != r->delivered) {
			snprintf(r->bad_resume, sizeof(r->bad_resume),
				 "asked to resume at byte %llu, the server answered from byte %lld",
				 r->delivered, r->range_start);
			return -1;
		}
	}
	if (r->skip) {
		size_t drop = r->skip < len ? (size_t)r->skip : len;

		p += drop;
		len -= drop;
		r->skip -= drop;
	}
	if (!len)
		return 0;
	if (r->on_data(r->arg, p, len)) {
		r->reader_stopped = 1;
		return -1;
	}
	r->delivered += len;
	return 0;
}

/*
 * Finds the next <tag>...</tag> in [p, end): sets the content span and
 * returns the position after the closing tag, or NULL.
 */
static const char *xml_find(const char *p, const char *end, const char *tag, const char **v,
			    size_t *vlen)
{
	char open[64], close[64];
	size_t ol = (size_t)snprintf(open, sizeof(open), "<%s>", tag);
	size_t cl = (size_t)snprintf(close, sizeof(close), "</%s>", tag);
	const char *a, *z;

	a = memmem(p, (size_t)(end - p), open, ol);
	if (!a)
		return NULL;
	a += ol;
	z = memmem(a, (size_t)(end - a), close, cl);
	if (!z)
		return NULL;
	*v = a;
	*vlen = (size_t)(z - a);
	return z + cl;
}

/* The text of an element, its entities decoded; malloc'd. */
static char *xml_text(const char *v, size_t n)
{
	static const struct { const char *name; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' },
	};
	char *out = xmalloc(n + 1), *o = out;

	for (size_t i = 0; i < n;) {
		size_t k;

		if (v[i] != '&') {
			*o++ = v[i++];
			continue;
		}
		for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
			size_t el = strlen(ents[k].name);

			if (n - i >= el && !memcmp(v + i, ents[k].name, el)) {
				*o++ = ents[k].c;
				i += el;
				break;
			}
		}
		if (k < sizeof(ents) / sizeof(ents[0]))
			continue;
		if (n - i > 3 && v[i + 1] == '#') {
			/* a character reference: S3 writes control characters so */
			char *e;
			int hex = v[i + 2] == 'x';
			unsigned long c = strtoul(v + i + 2 + hex, &e, hex ? 16 : 10);

			if (e < v + n && *e == ';' && c > 0 && c < 0x80) {
				*o++ = (char)c;
				i = (size_t)(e - v) + 1;
				continue;
			}
		}
		*o++ = v[i++];
	}
	*o = '\0';
	return out;
}

static void xml_copy(const char *p, const char *end, const char *tag, char *out, size_t outlen)
{
	const char *v;
	size_t n;
	char *t;

	out[0] = '\0';
	if (!xml_find(p, end, tag, &v, &n))
		return;
	t = xml_text(v, n);
	snprintf(out, outlen, "%s", t);
	free(t);
}

/* ------------------------------------------------------------ requests */

int s3_init(struct s3 *s, struct s3_bucket *b, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->b = b;
	sigv4_key_cache_init(&s->kc);
	if (http_init(&s->http, &b->http)) {
		snprintf(err, errlen, "%s", s->http.error);
		http_release(&s->http);
		return -1;
	}
	return 0;
}

void s3_release(struct s3 *s)
{
	http_release(&s->http);
	sigv4_key_cache_release(&s->kc);
	aws_creds_release(&s->cr);
}

/* Signs and sends one request. Returns an enum http_result (HTTP_FATAL with err set). */
static int send_signed(struct s3 *s, const char *method, const char *key, const char *query,
		       const struct http_header *extra, size_t n_extra, struct reply *r,
		       const char *failed_key, char *err, size_t errlen)
{
	char amz_date[SIGV4_AMZ_DATE_LEN + 1], host[300];
	struct http_stream stream = { on_reply_header, r->on_data ? on_reply_body : NULL, r };
	struct sigv4_header sh[1];
	struct http_header hh[8];
	struct sigv4_credentials sc;
	struct sigv4_params sp;
	struct sigv4_request rq;
	struct buf url, path;
	char *auth = NULL;
	size_t m = 0;
	int rc = HTTP_FATAL;

	buf_init(&url, 8192);
	buf_init(&path, 8192);
	aws_creds_release(&s->cr);
	if (creds_get(s->b->creds, failed_key, &s->cr, err, errlen))
		goto out;
	if (make_target(s->b, key, query, &url, &path, host, sizeof(host), err, errlen))
		goto out;
	if (sigv4_format_amz_date(time(NULL), amz_date)) {
		snprintf(err, errlen, "cannot format the request date");
		goto out;
	}
	sh[0] = (struct sigv4_header){ "Host", host };
	memset(&rq, 0, sizeof(rq));
	rq.method = method;
	rq.path = path.data;
	rq.query = query;
	rq.headers = sh;
	rq.n_headers = 1;
	memset(&sp, 0, sizeof(sp));
	sp.amz_date = amz_date;
	sp.region = s->b->region;
	sp.service = "s3";
	sp.flags = SIGV4_CONTENT_SHA256; /* and no path normalisation: S3 keys are literal */
	sc = (struct sigv4_credentials){ s->cr.access_key_id, s->cr.secret_access_key,
					 s->cr.session_token };
	if (sigv4_sign(&s->kc, &sc, &sp, &rq, &auth, NULL)) {
		snprintf(err, errlen, "cannot sign the request (is the access key ID made of letters"
			 " and digits?)");
		goto out;
	}
	hh[m++] = (struct http_header){ "Host", host };
	hh[m++] = (struct http_header){ "X-Amz-Date", amz_date };
	hh[m++] = (struct http_header){ "X-Amz-Content-Sha256", EMPTY_SHA256 };
	if (s->cr.session_token)
		hh[m++] = (struct http_header){ "X-Amz-Security-Token", s->cr.session_token };
	hh[m++] = (struct http_header){ "Authorization", auth };
	for (size_t i = 0; i < n_extra && m < sizeof(hh) / sizeof(hh[0]); i++)
		hh[m++] = extra[i];
	rc = http_request_stream(&s->http, method, url.data, hh, m, &stream);
	if (rc != HTTP_ANSWERED)
		snprintf(err, errlen, "%s", s->http.error);
out:
	free(auth);
	buf_release(&url);
	buf_release(&path);
	return rc;
}

static int retryable_answer(long status, const char *code)
{
	return status == 500 || status == 502 || status == 503 || status == 504 ||
	       !strcmp(code, "SlowDown") || !strcmp(code, "RequestTimeout") ||
	       !strcmp(code, "InternalError");
}

/* Waits before retry `attempt`; -1 when the run is stopping. */
static int backoff(struct s3 *s, int attempt)
{
	long long ms = pace_backoff_ms(attempt, BACKOFF_BASE_MS, BACKOFF_CAP_MS, pace_random());

	atomic_fetch_add(&s->b->count.retries, 1);
	while (ms > 0) {
		long long slice = ms < 100 ? ms : 100;
		struct timespec ts = { 0, (long)slice * 1000000L };

		if (s->b->http.stop && atomic_load(s->b->http.stop))
			return -1;
		nanosleep(&ts, NULL);
		ms -= slice;
	}
	return s->b->http.stop && atomic_load(s->b->http.stop) ? -1 : 0;
}

/* Why S3 refused, in words: the likely cause of an error a retry cannot fix. */
static const char *likely_cause(const char *op, long status, const char *code)
{
	if (!strcmp(code, "NoSuchBucket"))
		return "the bucket does not exist (check its name)";
	if (!strcmp(code, "NoSuchKey"))
		return "the key does not exist (deleted since it was listed?)";
	if (status == 412)
		return "the object changed while it was read (a new ETag): run again";
	if (status == 403 && !strcmp(code, "AccessDenied")) {
		if (!strcmp(op, "GetObject"))
			return "the credentials need s3:GetObject on the key; for an SSE-KMS trail also"
			       " kms:Decrypt on the trail's KMS key; or a bucket policy denies it";
		if (!strcmp(op, "ListObjectsV2"))
			return "the credentials need s3:ListBucket on the bucket (or a bucket policy"
			       " denies it)";
		return "the credentials may not read the bucket (s3:ListBucket, or a bucket policy)";
	}
	if (status == 403 && !code[0])
		return "access denied: the credentials need s3:ListBucket and s3:GetObject (or a"
		       " bucket policy denies it)";
	if (status == 301 || status == 307 || !strcmp(code, "PermanentRedirect") ||
	    !strcmp(code, "AuthorizationHeaderMalformed"))
		return "the bucket is in another region";
	if (status == 404 && !strcmp(op, "HeadBucket"))
		return "the bucket does not exist (check its name)";
	if (status == 404 && !code[0])
		return "not found";
	return NULL;
}

static void answer_error(struct s3 *s, const char *op, int attempts, struct reply *r, char *err,
			 size_t errlen)
{
	const char *body = s->http.body.data, *end = body + s->http.body.len;
	char code[64], msg[300], clean[300], region[64], attempts_text[40];
	const char *cause, *hint = "";

	xml_copy(body, end, "Code", code, sizeof(code));
	xml_copy(body, end, "Message", msg, sizeof(msg));
	xml_copy(body, end, "Region", region, sizeof(region));
	if (!r->region[0] && region[0])
		snprintf(r->region, sizeof(r->region), "%s", region);
	aws_clean_message(msg, &s->cr, clean, sizeof(clean));
	cause = likely_cause(op, s->http.status, code);
	if (!cause && code[0])
		aws_error_classify(code, s->http.status, msg, &hint);
	snprintf(attempts_text, sizeof(attempts_text), " after %d attempts", attempts);
	snprintf(err, errlen, "%s refused%s: HTTP %ld%s%s%s%s%s%s%s%s", op,
		 attempts > 1 ? attempts_text : "", s->http.status,
		 code[0] ? " " : "", code, clean[0] ? ": " : "", clean,
		 cause || (hint && *hint) ? " (" : "", cause ? cause : hint ? hint : "",
		 cause && r->region[0] && strcmp(r->region, s->b->region) ? ": " : "",
		 cause && r->region[0] && strcmp(r->region, s->b->region) ? r->region : "");
	if (cause || (hint && *hint))
		snprintf(err + strlen(err), errlen - strlen(err), ")");
}

/*
 * Sends a request until it gets an answer that a retry cannot change.
 * Returns 0 on a 2xx answer, S3_GET_STOPPED when the reader stopped it,
 * else -1 with err set. *status gets the last HTTP status (0: none).
 */
static int request(struct s3 *s, const char *op, const char *method, const char *key,
		   const char *query, const char *if_match, struct reply *r, char *err,
		   size_t errlen)
{
	int max = s->b->max_attempts > 0 ? s->b->max_attempts : S3_MAX_ATTEMPTS;
	const char *failed_key = NULL;
	char range[64], match[100], stale_key[130] = "";

	for (int attempt = 1;; attempt++) {
		struct http_header extra[2];
		size_t n = 0;
		int rc;

		if (r->delivered) {
			/* go on where the cut transfer stopped, from the same object */
			snprintf(range, sizeof(range), "bytes=%llu-", r->delivered);
			extra[n++] = (struct http_header){ "Range", range };
		}
		if ((if_match && *if_match) || (r->delivered && r->etag[0])) {
			snprintf(match, sizeof(match), "\"%s\"", if_match && *if_match ? if_match : r->etag);
			extra[n++] = (struct http_header){ "If-Match", match };
		}
		r->region[0] = '\0';
		r->length = r->range_start = -1;
		r->body_started = 0;
		r->skip = 0;
		rc = send_signed(s, method, key, query, extra, n, r, failed_key, err, errlen);
		failed_key = NULL;
		if (rc == HTTP_ANSWERED && s->http.status >= 200 && s->http.status < 300)
			return 0;
		if (rc == HTTP_FATAL && s->http.stream_stopped) {
			if (r->reader_stopped)
				return S3_GET_STOPPED;
			snprintf(err, errlen, "%s", r->bad_resume);
			return -1;
		}
		if (rc == HTTP_ANSWERED) {
			const char *body = s->http.body.data, *end = body + s->http.body.len;
			char code[64];

			xml_copy(body, end, "Code", code, sizeof(code));
			if ((!strcmp(code, "ExpiredToken") || !strcmp(code, "TokenRefreshRequired")) &&
			    creds_refreshable(s->b->creds) && !stale_key[0] && s->cr.access_key_id) {
				snprintf(stale_key, sizeof(stale_key), "%s", s->cr.access_key_id);
				failed_key = stale_key;
				continue; /* new credentials, at once */
			}
			if (!retryable_answer(s->http.status, code) || attempt >= max) {
				answer_error(s, op, attempt, r, err, errlen);
				return -1;
			}
		} else if (rc != HTTP_RETRYABLE || attempt >= max) {
			char why[300];

			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, errlen, "%s failed: %s%s", op, why,
				 rc == HTTP_RETRYABLE ? " (gave up after retries)" : "");
			return -1;
		}
		if (backoff(s, attempt)) {
			snprintf(err, errlen, "interrupted");
			return -1;
		}
	}
}

int s3_bucket_locate(struct s3 *s, char *err, size_t errlen)
{
	for (int moved = 0;; moved++) {
		struct reply r;
		int rc;

		memset(&r, 0, sizeof(r));
		atomic_fetch_add(&s->b->count.heads, 1);
		rc = request(s, "HeadBucket", "HEAD", NULL, NULL, NULL, &r, err, errlen);
		/* S3 names the bucket's region in every answer, good or bad */
		if (r.region[0] && strcmp(r.region, s->b->region) && !moved) {
			snprintf(s->b->region, sizeof(s->b->region), "%s", r.region);
			sigv4_key_cache_release(&s->kc);
			sigv4_key_cache_init(&s->kc);
			continue;
		}
		if (rc) {
			char shown[600], why[1000];

			snprintf(why, sizeof(why), "%s", err);
			s3_shown(s->b->name, NULL, shown, sizeof(shown));
			snprintf(err, errlen, "%s: %s", shown, why);
			return -1;
		}
		return 0;
	}
}

int s3_list(struct s3 *s, const struct s3_list_req *rq, struct s3_page *out, char *err,
	    size_t errlen)
{
	struct buf q;
	struct reply r;
	const char *body, *end, *p, *v;
	size_t n;
	char num[24];
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	buf_init(&q, 16384);
	/* the parameters in sorted order, as the signature's canonical query has them */
	add_param(&q, "continuation-token", rq->continuation);
	add_param(&q, "delimiter", rq->delimiter);
	add_param(&q, "list-type", "2");
	snprintf(num, sizeof(num), "%d", rq->max_keys);
	add_param(&q, "max-keys", rq->max_keys > 0 ? num : NULL);
	add_param(&q, "prefix", rq->prefix);
	add_param(&q, "start-after", rq->start_after);
	atomic_fetch_add(&s->b->count.lists, 1);
	rc = request(s, "ListObjectsV2", "GET", NULL, q.data, NULL, &r, err, errlen);
	buf_release(&q);
	if (rc) {
		char shown[600], why[1000];

		snprintf(why, sizeof(why), "%s", err);
		s3_shown(s->b->name, rq->prefix, shown, sizeof(shown));
		snprintf(err, errlen, "listing %s: %s", shown, why);
		return -1;
	}
	body = s->http.body.data;
	end = body + s->http.body.len;
	for (p = body; (p = xml_find(p, end, "Contents", &v, &n));) {
		struct s3_object *o;
		const char *kv;
		size_t kn;
		char size[32];

		if (!xml_find(v, v + n, "Key", &kv, &kn))
			continue;
		out->objects = xrealloc(out->objects, (out->n_objects + 1) * sizeof(*out->objects));
		o = &out->objects[out->n_objects++];
		memset(o, 0, sizeof(*o));
		o->key = xml_text(kv, kn);
		xml_copy(v, v + n, "ETag", o->etag, sizeof(o->etag));
		copy_etag(o->etag, sizeof(o->etag), o->etag, strlen(o->etag));
		xml_copy(v, v + n, "Size", size, sizeof(size));
		o->size = strtoll(size, NULL, 10);
		xml_copy(v, v + n, "LastModified", o->last_modified, sizeof(o->last_modified));
	}
	for (p = body; (p = xml_find(p, end, "CommonPrefixes", &v, &n));) {
		const char *pv;
		size_t pn;

		if (!xml_find(v, v + n, "Prefix", &pv, &pn))
			continue;
		out->prefixes = xrealloc(out->prefixes, (out->n_prefixes + 1) * sizeof(char *));
		out->prefixes[out->n_prefixes++] = xml_text(pv, pn);
	}
	{
		char truncated[16];

		xml_copy(body, end, "IsTruncated", truncated, sizeof(truncated));
		if (!strcmp(truncated, "true") && xml_find(body, end, "NextContinuationToken", &v, &n))
			out->next_token = xml_text(v, n);
	}
	return 0;
}

void s3_page_release(struct s3_page *p)
{
	for (size_t i = 0; i < p->n_objects; i++)
		free(p->objects[i].key);
	for (size_t i = 0; i < p->n_prefixes; i++)
		free(p->prefixes[i]);
	free(p->objects);
	free(p->prefixes);
	free(p->next_token);
	memset(p, 0, sizeof(*p));
}

int s3_head(struct s3 *s, const char *key, struct s3_head *out, char *err, size_t errlen)
{
	struct reply r;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.head = out;
	atomic_fetch_add(&s->b->count.heads, 1);
	if (request(s, "HeadObject", "HEAD", key, NULL, NULL, &r, err, errlen)) {
		s3_head_release(out);
		return -1;
	}
	out->size = r.length;
	snprintf(out->etag, sizeof(out->etag), "%s", r.etag);
	snprintf(out->last_modified, sizeof(out->last_modified), "%s", r.last_modified);
	return 0;
}

void s3_head_release(struct s3_head *h)
{
	for (size_t i = 0; i < h->n_meta; i++) {
		free(h->meta[i].name);
		free(h->meta[i].value);
	}
	free(h->meta);
	memset(h, 0, sizeof(*h));
}

int s3_get(struct s3 *s, const char *key, const char *etag,
	   int (*on_data)(void *arg, const void *data, size_t len), void *arg,
	   char *etag_out, char *err, size_t errlen)
{
	struct reply r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.on_data = on_data;
	r.arg = arg;
	atomic_fetch_add(&s->b->count.gets, 1);
	rc = request(s, "GetObject", "GET", key, NULL, etag, &r, err, errlen);
	atomic_fetch_add(&s->b->count.bytes, (long long)r.delivered);
	if (etag_out)
		snprintf(etag_out, 80, "%s", r.etag[0] ? r.etag : etag ? etag : "");
	if (rc == S3_GET_STOPPED)
		return S3_GET_STOPPED;
	return rc ? S3_GET_FAILED : S3_GET_OK;
}
