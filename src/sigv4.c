/*
 * sigv4.c - AWS Signature Version 4 signing with OpenSSL libcrypto.
 *
 * The four SigV4 tasks, in the order sigv4_sign() runs them: build the
 * canonical request, build the string to sign, derive (or reuse) the
 * signing key, and HMAC the string to sign with it. The rules for each
 * step are the ones the AWS SigV4 test suite checks byte for byte (see
 * tests/unit/test_sigv4.c). The API and its contracts are in sigv4.h.
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#endif

#include "sigv4.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_TERMINATOR "aws4_request"
#define SIGV4_KEY_LEN 32
/*
 * The body is only hashed, so a canonical request is a few kilobytes at
 * most; the cap keeps a broken caller from growing a buffer without limit.
 */
#define SIGV4_MAX_OUTPUT ((size_t)16 << 20)

/*
 * A growable string. Appends after a failure are no-ops, so a sequence of
 * appends is checked once, by sbuf_detach().
 */
struct sigv4_sbuf {
	char *data;  /* NUL-terminated when not NULL */
	size_t len;  /* bytes before the NUL */
	size_t cap;  /* bytes allocated */
	int failed;  /* out of memory or past SIGV4_MAX_OUTPUT */
};

/* One header as it appears in the canonical request. */
struct sigv4_canon_header {
	char *name;   /* lower-cased */
	char *value;  /* trimmed, inner whitespace runs collapsed to one space */
	size_t order; /* index in the request: repeated headers keep their order */
};

/* One query parameter, both halves already URI-encoded. */
struct sigv4_query_param {
	char *key;
	char *value;
};

static const char sigv4_hex_digits[] = "0123456789abcdef";

static void sbuf_wipe_release(struct sigv4_sbuf *b)
{
	if (b->data) {
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = 0;
}

static void sbuf_add(struct sigv4_sbuf *b, const void *p, size_t n)
{
	if (b->failed)
		return;
	if (n > SIGV4_MAX_OUTPUT - b->len) {
		b->failed = 1;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *grown;

		while (cap < b->len + n + 1)
			cap *= 2;
		grown = malloc(cap);
		if (!grown) {
			b->failed = 1;
			return;
		}
		/* Copy by hand rather than realloc so the old copy can be wiped. */
		if (b->data) {
			memcpy(grown, b->data, b->len);
			OPENSSL_cleanse(b->data, b->cap);
			free(b->data);
		}
		b->data = grown;
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void sbuf_adds(struct sigv4_sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

static void sbuf_addc(struct sigv4_sbuf *b, char c)
{
	sbuf_add(b, &c, 1);
}

/*
 * Hands the string over to *out (never NULL on success, "" when nothing was
 * appended) and empties b. On an earlier failure frees b and returns -1.
 */
static int sbuf_detach(struct sigv4_sbuf *b, char **out)
{
	*out = NULL;
	if (!b->failed && !b->data)
		sbuf_add(b, "", 0);
	if (b->failed) {
		sbuf_wipe_release(b);
		return -1;
	}
	*out = b->data;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return 0;
}

static void wipe_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

static int is_alpha(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* RFC 3986 unreserved characters: the only ones SigV4 leaves unencoded. */
static int is_unreserved(int c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* RFC 7230 tchar: what header names and methods are made of. */
static int is_tchar(int c)
{
	return is_alpha(c) || is_digit(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int is_token(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (!is_tchar((unsigned char)*s))
			return 0;
	return 1;
}

static int to_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* ASCII case-insensitive equality, independent of the locale. */
static int name_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (to_lower((unsigned char)*a) != to_lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

static int hex_value(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void hex_encode(const unsigned char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = sigv4_hex_digits[p[i] >> 4];
		out[2 * i + 1] = sigv4_hex_digits[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* Appends n bytes URI-encoded: unreserved kept, all else %XX upper case. */
static void uri_encode(struct sigv4_sbuf *b, const char *s, size_t n)
{
	static const char upper[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_unreserved(c)) {
			sbuf_addc(b, (char)c);
		} else {
			char esc[3] = { '%', upper[c >> 4], upper[c & 0xf] };

			sbuf_add(b, esc, sizeof(esc));
		}
	}
}

/*
 * Appends the canonical URI. The path is encoded as it will be sent, which
 * for a path that is already percent-encoded on the wire is the "encode
 * twice" AWS asks of every service but S3. With normalize, "." and empty
 * segments go, ".." drops the segment before it, and a trailing slash stays
 * only if the path had one.
 */
static void canonical_uri(struct sigv4_sbuf *b, const char *path, int normalize)
{
	const char *p, *end;
	size_t start_len;

	if (!path || !*path) {
		sbuf_addc(b, '/');
		return;
	}
	if (!normalize) {
		if (*path != '/')
			sbuf_addc(b, '/');
		for (p = path; *p; p = end) {
			end = strchr(p, '/');
			if (!end)
				end = p + strlen(p);
			uri_encode(b, p, (size_t)(end - p));
			if (*end == '/') {
				sbuf_addc(b, '/');
				end++;
			}
		}
		return;
	}

	/*
	 * Normalized: each kept segment is written as "/" + encoded segment,
	 * and ".." truncates the output back to where its parent started. The
	 * encoded form of a segment never holds '/', so the last '/' in the
	 * output is always the start of the last segment.
	 */
	start_len = b->len;
	for (p = path; *p; p = end) {
		size_t n;

		while (*p == '/')
			p++;
		end = strchr(p, '/');
		if (!end)
			end = p + strlen(p);
		n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.'))
			continue;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (!b->failed && b->data) {
				size_t cut = b->len;

				while (cut > start_len && b->data[cut - 1] != '/')
					cut--;
				if (cut > start_len)
					cut--;
				b->len = cut;
				b->data[cut] = '\0';
			}
			continue;
		}
		sbuf_addc(b, '/');
		uri_encode(b, p, n);
	}
	if (b->len == start_len)
		sbuf_addc(b, '/');
	else if (path[strlen(path) - 1] == '/')
		sbuf_addc(b, '/');
}

/*
 * Decodes the percent-escapes of n bytes of a raw query component and
 * appends the bytes URI-encoded again, so that "%e1%88%b4", "%E1%88%B4" and
 * the raw UTF-8 all come out alike. Returns -1 on a bad escape.
 */
static int query_component(struct sigv4_sbuf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			int hi, lo;

			if (n - i < 3)
				return -1;
			hi = hex_value((unsigned char)s[i + 1]);
			lo = hex_value((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		uri_encode(b, &c, 1);
	}
	return 0;
}

static int query_param_cmp(const void *a, const void *b)
{
	const struct sigv4_query_param *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->value, y->value);
}

/* Appends the canonical query string: parameters sorted by key, then value. */
static int canonical_query(struct sigv4_sbuf *b, const char *query)
{
	struct sigv4_query_param *params;
	size_t cap = 1, n = 0, i;
	const char *p, *end;
	int rc = -1;

	if (!query || !*query)
		return 0;
	for (p = query; *p; p++)
		if (*p == '&')
			cap++;
	params = calloc(cap, sizeof(*params));
	if (!params)
		return -1;
	for (p = query; *p; p = *end ? end + 1 : end) {
		struct sigv4_sbuf key = { 0 }, value = { 0 };
		const char *eq;

		end = strchr(p, '&');
		if (!end)
			end = p + strlen(p);
		if (end == p)
			continue;
		eq = memchr(p, '=', (size_t)(end - p));
		if (query_component(&key, p, (size_t)((eq ? eq : end) - p)) < 0 ||
		    (eq && query_component(&value, eq + 1, (size_t)(end - eq - 1)) < 0)) {
			sbuf_wipe_release(&key);
			sbuf_wipe_release(&value);
			goto out;
		}
		if (sbuf_detach(&key, &params[n].key) < 0) {
			sbuf_wipe_release(&value);
			goto out;
		}
		if (sbuf_detach(&value, &params[n].value) < 0) {
			free(params[n].key);
			params[n].key = NULL;
			goto out;
		}
		n++;
	}
	qsort(params, n, sizeof(*params), query_param_cmp);
	for (i = 0; i < n; i++) {
		if (i)
			sbuf_addc(b, '&');
		sbuf_adds(b, params[i].key);
		sbuf_addc(b, '=');
		sbuf_adds(b, params[i].value);
	}
	rc = 0;
out:
	for (i = 0; i < n; i++) {
		wipe_free(params[i].key);
		wipe_free(params[i].value);
	}
	free(params);
	return rc;
}

static int is_space(int c)
{
	return c == ' ' || c == '\t';
}

/*
 * Appends value trimmed, with each inner run of spaces and tabs made one
 * space. Returns -1 on CR or LF: such a value cannot be sent as one header.
 */
static int canonical_value(struct sigv4_sbuf *b, const char *value)
{
	int pending = 0, any = 0;
	const char *p;

	for (p = value; *p; p++) {
		if (*p == '\r' || *p == '\n')
			return -1;
		if (is_space((unsigned char)*p)) {
			pending = any;
			continue;
		}
		if (pending)
			sbuf_addc(b, ' ');
		sbuf_addc(b, *p);
		pending = 0;
		any = 1;
	}
	return 0;
}

static int canon_header_cmp(const void *a, const void *b)
{
	const struct sigv4_canon_header *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void canon_headers_free(struct sigv4_canon_header *h, size_t n)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < n; i++) {
		free(h[i].name);
		wipe_free(h[i].value);
	}
	free(h);
}

/*
 * Appends the canonical headers block (one "name:value\n" per distinct
 * name) to b and the signed headers list ("a;b;c") to signed_headers.
 */
static int canonical_headers(struct sigv4_sbuf *b, struct sigv4_sbuf *signed_headers,
			     const struct sigv4_header *headers, size_t n)
{
	struct sigv4_canon_header *h;
	size_t i;
	int rc = -1;

	if (!headers || n == 0)
		return -1;
	h = calloc(n, sizeof(*h));
	if (!h)
		return -1;
	for (i = 0; i < n; i++) {
		struct sigv4_sbuf name = { 0 }, value = { 0 };
		const char *p;

		if (!is_token(headers[i].name) || !headers[i].value)
			goto out;
		for (p = headers[i].name; *p; p++)
			sbuf_addc(&name, (char)to_lower((unsigned char)*p));
		if (canonical_value(&value, headers[i].value) < 0) {
			sbuf_wipe_release(&name);
			sbuf_wipe_release(&value);
			goto out;
		}
		if (sbuf_detach(&name, &h[i].name) < 0) {
			sbuf_wipe_release(&value);
			goto out;
		}
		if (sbuf_detach(&value, &h[i].value) < 0)
			goto out;
		h[i].order = i;
	}
	qsort(h, n, sizeof(*h), canon_header_cmp);
	for (i = 0; i < n; i++) {
		if (i == 0 || strcmp(h[i].name, h[i - 1].name) != 0) {
			if (i) {
				sbuf_addc(b, '\n');
				sbuf_addc(signed_headers, ';');
			}
			sbuf_adds(b, h[i].name);
			sbuf_addc(b, ':');
			sbuf_adds(signed_headers, h[i].name);
		} else {
			sbuf_addc(b, ',');
		}
		sbuf_adds(b, h[i].value);
	}
	sbuf_addc(b, '\n');
	rc = 0;
out:
	/* Entries not reached on failure are still zeroed by calloc. */
	canon_headers_free(h, n);
	return rc;
}

/*
 * Builds the canonical request of the given method, path, query, headers
 * and payload hash into *out, and the signed headers list into
 * signed_headers.
 */
static int build_canonical_request(const struct sigv4_request *req, const struct sigv4_header *headers,
				   size_t n_headers, unsigned flags, const char *payload_hash,
				   char **out, struct sigv4_sbuf *signed_headers)
{
	struct sigv4_sbuf b = { 0 };

	*out = NULL;
	if (!is_token(req->method))
		return -1;
	sbuf_adds(&b, req->method);
	sbuf_addc(&b, '\n');
	canonical_uri(&b, req->path, (flags & SIGV4_NORMALIZE_PATH) != 0);
	sbuf_addc(&b, '\n');
	if (canonical_query(&b, req->query) < 0)
		goto fail;
	sbuf_addc(&b, '\n');
	if (canonical_headers(&b, signed_headers, headers, n_headers) < 0)
		goto fail;
	sbuf_addc(&b, '\n');
	sbuf_add(&b, signed_headers->data ? signed_headers->data : "", signed_headers->len);
	sbuf_addc(&b, '\n');
	sbuf_adds(&b, payload_hash);
	if (signed_headers->failed)
		goto fail;
	return sbuf_detach(&b, out);
fail:
	sbuf_wipe_release(&b);
	return -1;
}

static int sha256(const void *data, size_t len, unsigned char md[SIGV4_KEY_LEN])
{
	unsigned int md_len = 0;

	if (!data && len)
		return -1;
	if (!EVP_Digest(data ? data : "", len, md, &md_len, EVP_sha256(), NULL) ||
	    md_len != SIGV4_KEY_LEN)
		return -1;
	return 0;
}

static int hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
		       unsigned char md[SIGV4_KEY_LEN])
{
	unsigned int md_len = 0;

	if (key_len > INT_MAX)
		return -1;
	if (!HMAC(EVP_sha256(), key, (int)key_len, data, len, md, &md_len) ||
	    md_len != SIGV4_KEY_LEN)
		return -1;
	return 0;
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
static int derive_signing_key(const char *secret, const char *date8, const char *region,
			      const char *service, unsigned char key[SIGV4_KEY_LEN])
{
	unsigned char a[SIGV4_KEY_LEN], b[SIGV4_KEY_LEN];
	size_t secret_len = strlen(secret);
	unsigned char *k_secret;
	int rc = -1;

	if (secret_len > INT_MAX - 4)
		return -1;
	k_secret = malloc(secret_len + 4);
	if (!k_secret)
		return -1;
	memcpy(k_secret, "AWS4", 4);
	memcpy(k_secret + 4, secret, secret_len);
	if (hmac_sha256(k_secret, secret_len + 4, date8, 8, a) == 0 &&
	    hmac_sha256(a, sizeof(a), region, strlen(region), b) == 0 &&
	    hmac_sha256(b, sizeof(b), service, strlen(service), a) == 0 &&
	    hmac_sha256(a, sizeof(a), SIGV4_TERMINATOR, strlen(SIGV4_TERMINATOR), key) == 0)
		rc = 0;
	OPENSSL_cleanse(k_secret, secret_len + 4);
	free(k_secret);
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(b, sizeof(b));
	if (rc < 0)
		OPENSSL_cleanse(key, SIGV4_KEY_LEN);
	return rc;
}

static int fits(const char *s, size_t size)
{
	return strlen(s) < size;
}

/*
 * Puts the signing key in key: from the cache when it holds this scope,
 * otherwise derived (and stored when the scope fits the cache's fields).
 */
static int signing_key(struct sigv4_key_cache *cache, const struct sigv4_credentials *cred,
		       const char *date8, const char *region, const char *service,
		       unsigned char key[SIGV4_KEY_LEN])
{
	int cacheable;

	cacheable = cache && fits(cred->access_key_id, sizeof(cache->access_key_id)) &&
		    fits(region, sizeof(cache->region)) && fits(service, sizeof(cache->service));
	if (cacheable && cache->valid && strcmp(cache->access_key_id, cred->access_key_id) == 0 &&
	    memcmp(cache->date, date8, 8) == 0 && strcmp(cache->region, region) == 0 &&
	    strcmp(cache->service, service) == 0) {
		memcpy(key, cache->key, SIGV4_KEY_LEN);
		return 0;
	}
	if (derive_signing_key(cred->secret_access_key, date8, region, service, key) < 0)
		return -1;
	if (cache)
		cache->derivations++;
	if (cacheable) {
		OPENSSL_cleanse(cache->key, sizeof(cache->key));
		memcpy(cache->access_key_id, cred->access_key_id, strlen(cred->access_key_id) + 1);
		memcpy(cache->date, date8, 8);
		cache->date[8] = '\0';
		memcpy(cache->region, region, strlen(region) + 1);
		memcpy(cache->service, service, strlen(service) + 1);
		memcpy(cache->key, key, SIGV4_KEY_LEN);
		cache->valid = 1;
	}
	return 0;
}

static int valid_amz_date(const char *d)
{
	int i;

	if (!d || strlen(d) != SIGV4_AMZ_DATE_LEN)
		return 0;
	for (i = 0; i < SIGV4_AMZ_DATE_LEN; i++) {
		int c = (unsigned char)d[i];

		if (i == 8 ? c != 'T' : i == 15 ? c != 'Z' : !is_digit(c))
			return 0;
	}
	return 1;
}

/* Region and service appear in the '/'-separated credential scope. */
static int valid_scope_part(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++) {
		int c = (unsigned char)*s;

		if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_' && c != '.')
			return 0;
	}
	return 1;
}

static int valid_access_key_id(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (!is_alpha((unsigned char)*s) && !is_digit((unsigned char)*s))
			return 0;
	return 1;
}

/* Trims spaces and tabs from both ends of s and compares with want. */
static int trimmed_equal(const char *s, const char *want)
{
	size_t n, want_len = strlen(want);

	while (is_space((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && is_space((unsigned char)s[n - 1]))
		n--;
	return n == want_len && memcmp(s, want, n) == 0;
}

static const struct sigv4_header *find_header(const struct sigv4_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->n_headers; i++)
		if (req->headers[i].name && name_equal(req->headers[i].name, name))
			return &req->headers[i];
	return NULL;
}

void sigv4_key_cache_init(struct sigv4_key_cache *cache)
{
	if (cache)
		memset(cache, 0, sizeof(*cache));
}

void sigv4_key_cache_release(struct sigv4_key_cache *cache)
{
	if (!cache)
		return;
	OPENSSL_cleanse(cache, sizeof(*cache));
	sigv4_key_cache_init(cache);
}

void sigv4_trace_release(struct sigv4_trace *trace)
{
	if (!trace)
		return;
	wipe_free(trace->canonical_request);
	wipe_free(trace->string_to_sign);
	trace->canonical_request = NULL;
	trace->string_to_sign = NULL;
}

int sigv4_format_amz_date(time_t t, char *out)
{
	struct tm tm;

	out[0] = '\0';
	if (!gmtime_r(&t, &tm))
		return -1;
	/* tm_year counts from 1900: only years 1000 to 9999 have four digits. */
	if (tm.tm_year < 1000 - 1900 || tm.tm_year > 9999 - 1900)
		return -1;
	if (strftime(out, SIGV4_AMZ_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm) != SIGV4_AMZ_DATE_LEN) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

int sigv4_hex_sha256(const void *data, size_t len, char *out)
{
	unsigned char md[SIGV4_KEY_LEN];

	out[0] = '\0';
	if (sha256(data, len, md) < 0)
		return -1;
	hex_encode(md, sizeof(md), out);
	return 0;
}

int sigv4_canonical_request(const struct sigv4_request *req, unsigned flags, char **out)
{
	struct sigv4_sbuf signed_headers = { 0 };
	char payload_hash[2 * SIGV4_KEY_LEN + 1];
	int rc;

	if (!out)
		return -1;
	*out = NULL;
	if (!req || sigv4_hex_sha256(req->body, req->body_len, payload_hash) < 0)
		return -1;
	rc = build_canonical_request(req, req->headers, req->n_headers, flags, payload_hash, out,
				     &signed_headers);
	sbuf_wipe_release(&signed_headers);
	return rc;
}

int sigv4_string_to_sign(const char *amz_date, const char *region, const char *service,
			 const char *canonical_request, char **out)
{
	char creq_hash[2 * SIGV4_KEY_LEN + 1];
	struct sigv4_sbuf b = { 0 };

	if (!out)
		return -1;
	*out = NULL;
	if (!valid_amz_date(amz_date) || !valid_scope_part(region) || !valid_scope_part(service) ||
	    !canonical_request)
		return -1;
	if (sigv4_hex_sha256(canonical_request, strlen(canonical_request), creq_hash) < 0)
		return -1;
	sbuf_adds(&b, SIGV4_ALGORITHM "\n");
	sbuf_adds(&b, amz_date);
	sbuf_addc(&b, '\n');
	sbuf_add(&b, amz_date, 8);
	sbuf_addc(&b, '/');
	sbuf_adds(&b, region);
	sbuf_addc(&b, '/');
	sbuf_adds(&b, service);
	sbuf_adds(&b, "/" SIGV4_TERMINATOR "\n");
	sbuf_adds(&b, creq_hash);
	return sbuf_detach(&b, out);
}

int sigv4_sign(struct sigv4_key_cache *cache, const struct sigv4_credentials *cred,
	       const struct sigv4_params *params, const struct sigv4_request *req,
	       char **authorization, struct sigv4_trace *trace)
{
	char payload_hash[2 * SIGV4_KEY_LEN + 1];
	char signature[2 * SIGV4_KEY_LEN + 1];
	unsigned char key[SIGV4_KEY_LEN], mac[SIGV4_KEY_LEN];
	struct sigv4_sbuf signed_headers = { 0 }, auth = { 0 };
	struct sigv4_header *headers = NULL;
	const struct sigv4_header *date_header;
	char *creq = NULL, *sts = NULL;
	size_t n = 0, i;
	int rc = -1;

	if (trace) {
		trace->canonical_request = NULL;
		trace->string_to_sign = NULL;
	}
	if (!authorization)
		return -1;
	*authorization = NULL;
	if (!cred || !params || !req || !valid_access_key_id(cred->access_key_id) ||
	    !cred->secret_access_key || !valid_amz_date(params->amz_date) ||
	    !valid_scope_part(params->region) || !valid_scope_part(params->service) ||
	    (req->n_headers && !req->headers))
		return -1;
	if (sigv4_hex_sha256(req->body, req->body_len, payload_hash) < 0)
		return -1;

	/* The request's headers plus the x-amz-* ones it lacks (see sigv4.h). */
	headers = calloc(req->n_headers + 3, sizeof(*headers));
	if (!headers)
		return -1;
	for (i = 0; i < req->n_headers; i++)
		headers[n++] = req->headers[i];
	date_header = find_header(req, "X-Amz-Date");
	if (date_header && (!date_header->value || !trimmed_equal(date_header->value, params->amz_date)))
		goto out;
	if (!date_header)
		headers[n++] = (struct sigv4_header){ "X-Amz-Date", params->amz_date };
	if (cred->session_token && !(params->flags & SIGV4_OMIT_SESSION_TOKEN) &&
	    !find_header(req, "X-Amz-Security-Token"))
		headers[n++] = (struct sigv4_header){ "X-Amz-Security-Token", cred->session_token };
	if ((params->flags & SIGV4_CONTENT_SHA256) && !find_header(req, "X-Amz-Content-Sha256"))
		headers[n++] = (struct sigv4_header){ "X-Amz-Content-Sha256", payload_hash };

	if (build_canonical_request(req, headers, n, params->flags, payload_hash, &creq,
				    &signed_headers) < 0)
		goto out;
	if (sigv4_string_to_sign(params->amz_date, params->region, params->service, creq, &sts) < 0)
		goto out;
	if (signing_key(cache, cred, params->amz_date, params->region, params->service, key) < 0)
		goto out;
	if (hmac_sha256(key, sizeof(key), sts, strlen(sts), mac) < 0)
		goto out;
	hex_encode(mac, sizeof(mac), signature);

	sbuf_adds(&auth, SIGV4_ALGORITHM " Credential=");
	sbuf_adds(&auth, cred->access_key_id);
	sbuf_addc(&auth, '/');
	sbuf_add(&auth, params->amz_date, 8);
	sbuf_addc(&auth, '/');
	sbuf_adds(&auth, params->region);
	sbuf_addc(&auth, '/');
	sbuf_adds(&auth, params->service);
	sbuf_adds(&auth, "/" SIGV4_TERMINATOR ", SignedHeaders=");
	sbuf_adds(&auth, signed_headers.data);
	sbuf_adds(&auth, ", Signature=");
	sbuf_adds(&auth, signature);
	if (sbuf_detach(&auth, authorization) < 0)
		goto out;
	if (trace) {
		trace->canonical_request = creq;
		trace->string_to_sign = sts;
		creq = NULL;
		sts = NULL;
	}
	rc = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(mac, sizeof(mac));
	wipe_free(creq);
	wipe_free(sts);
	sbuf_wipe_release(&signed_headers);
	sbuf_wipe_release(&auth);
	free(headers);
	return rc;
}
