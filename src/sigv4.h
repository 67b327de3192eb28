/*
 * sigv4.h - AWS Signature Version 4 signing of HTTP requests (header form).
 *
 * The HTTP client builds a struct sigv4_request describing exactly what it
 * will send, calls sigv4_sign() and sends the returned string as the value
 * of the Authorization header. Canonicalisation follows the AWS SigV4 test
 * suite: header names lower-cased and sorted, values trimmed with inner
 * whitespace runs collapsed, repeated headers joined by commas in the order
 * given, query parameters decoded, re-encoded and sorted by key then value.
 *
 * Ownership: every pointer passed in is borrowed for the call only. Every
 * char * handed back is malloc'd and owned by the caller. Nothing here keeps
 * a pointer to caller memory, and nothing here prints: secrets never reach
 * stdout or stderr. All functions return 0 on success and -1 on failure
 * (bad arguments, malformed input, out of memory, libcrypto error); on
 * failure no output is allocated and output pointers are set to NULL.
 */
#ifndef TRAILSIFT_SIGV4_H
#define TRAILSIFT_SIGV4_H

#include <stddef.h>
#include <time.h>

/* Length of an amz_date such as "20150830T123600Z", without the NUL. */
#define SIGV4_AMZ_DATE_LEN 16

enum sigv4_flags {
	/*
	 * Remove "." and ".." segments and empty segments (duplicate slashes)
	 * from the path before encoding it. Every service but S3 wants this.
	 */
	SIGV4_NORMALIZE_PATH = 1 << 0,
	/*
	 * sigv4_sign() signs an x-amz-content-sha256 header holding the hex
	 * SHA-256 of the body (S3 requires it; other services ignore it).
	 */
	SIGV4_CONTENT_SHA256 = 1 << 1,
	/*
	 * sigv4_sign() leaves X-Amz-Security-Token out of the signature even
	 * when the credentials carry a session token; the caller adds the
	 * header after signing (the "header-after" services).
	 */
	SIGV4_OMIT_SESSION_TOKEN = 1 << 2
};

struct sigv4_header {
	const char *name;  /* any case; RFC 7230 token characters only */
	const char *value; /* trimmed and collapsed when signed; no CR or LF */
};

struct sigv4_request {
	const char *method;                 /* "GET", "POST": used as given */
	const char *path;                   /* as sent on the wire, no query; NULL or "" means "/" */
	const char *query;                  /* raw query string without '?'; may be NULL */
	const struct sigv4_header *headers; /* the headers to sign; include Host (not checked) */
	size_t n_headers;                   /* entries in headers */
	const void *body;                   /* payload; may be NULL when body_len is 0 */
	size_t body_len;                    /* bytes in body */
};

struct sigv4_credentials {
	const char *access_key_id;     /* "AKIDEXAMPLE"; letters and digits only */
	const char *secret_access_key; /* never copied except into the "AWS4" key prefix, which is wiped */
	const char *session_token;     /* STS session token, or NULL for long-term keys */
};

struct sigv4_params {
	const char *amz_date; /* "20150830T123600Z", see sigv4_format_amz_date() */
	const char *region;   /* "us-east-1" */
	const char *service;  /* "cloudtrail", "sts" */
	unsigned flags;       /* enum sigv4_flags */
};

/*
 * Caches the signing key of one (access key id, date, region, service): the
 * key only changes once a day, so deriving it (four HMACs over the secret)
 * on every request is wasted work. A single entry is enough for a client
 * that talks to one service in one region. Not thread-safe: use one cache
 * per thread or lock around sigv4_sign().
 */
struct sigv4_key_cache {
	char access_key_id[129]; /* whose key this is: a rotated credential misses */
	char date[9];            /* "20150830", the scope date */
	char region[64];         /* scope region */
	char service[64];        /* scope service */
	unsigned char key[32];   /* derived signing key; secret, wiped by release */
	int valid;               /* 0 until a key has been stored */
	unsigned derivations;    /* keys derived so far through this cache: shows reuse */
};

/*
 * Optional by-products of sigv4_sign(), for tests and debugging. Both are
 * malloc'd; free them with sigv4_trace_release(). The canonical request
 * holds the session token when it is signed, so treat it as secret.
 */
struct sigv4_trace {
	char *canonical_request; /* task 1 of SigV4, no trailing newline */
	char *string_to_sign;    /* task 2 of SigV4, no trailing newline */
};

/* Empties the cache. Call before first use; a zeroed struct is also valid. */
void sigv4_key_cache_init(struct sigv4_key_cache *cache);

/* Wipes the cached key (OPENSSL_cleanse) and empties the cache. NULL is a no-op. */
void sigv4_key_cache_release(struct sigv4_key_cache *cache);

/* Frees and NULLs both strings, wiping them first. NULL is a no-op. */
void sigv4_trace_release(struct sigv4_trace *trace);

/*
 * Writes t as an amz_date, "YYYYMMDDTHHMMSSZ" in UTC, into out, which must
 * hold SIGV4_AMZ_DATE_LEN + 1 bytes. Uses gmtime_r(). Returns -1, with out
 * set to "", when t cannot be converted or its year is not four digits.
 */
int sigv4_format_amz_date(time_t t, char *out);

/*
 * Writes the lower-case hex SHA-256 of len bytes at data (NULL allowed when
 * len is 0) and a NUL into out, which must hold 65 bytes. Returns -1, with
 * out set to "", if libcrypto fails.
 */
int sigv4_hex_sha256(const void *data, size_t len, char *out);

/*
 * Builds the canonical request of req exactly as given: only the headers
 * in req are signed. flags: SIGV4_NORMALIZE_PATH is honoured, other bits
 * are ignored. On success *out is a malloc'd string the caller frees.
 * Fails on NULL arguments, an empty or non-token method, an invalid header
 * name, a header value holding CR or LF, no headers at all, or a query
 * holding '%' not followed by two hex digits. '+' in the query is taken as
 * a literal plus sign (encoded as %2B), not as a space.
 */
int sigv4_canonical_request(const struct sigv4_request *req, unsigned flags, char **out);

/*
 * Builds the string to sign for a canonical request: algorithm, amz_date,
 * credential scope "<date>/<region>/<service>/aws4_request" and the hex
 * SHA-256 of canonical_request, joined by newlines. On success *out is a
 * malloc'd string the caller frees. Fails on NULL arguments, a malformed
 * amz_date, or a region or service that is empty or holds characters other
 * than letters, digits, '-', '_' and '.'.
 */
int sigv4_string_to_sign(const char *amz_date, const char *region, const char *service,
			 const char *canonical_request, char **out);

/*
 * Signs req and sets *authorization to the full Authorization header value,
 * "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...",
 * malloc'd, caller frees.
 *
 * The signed headers are req's headers plus each of these that req lacks
 * (names compared case-insensitively); the caller must send the ones added,
 * with exactly these values:
 *   X-Amz-Date: params->amz_date
 *   X-Amz-Security-Token: cred->session_token  (when it is not NULL, unless
 *                                             SIGV4_OMIT_SESSION_TOKEN)
 *   X-Amz-Content-Sha256: sigv4_hex_sha256() of the body  (with
 *                                             SIGV4_CONTENT_SHA256)
 * A header the request already has is signed as given, except that an
 * X-Amz-Date other than params->amz_date (outer spaces aside) is an error.
 *
 * cache may be NULL: the signing key is then derived for this call only.
 * Otherwise the key is taken from cache when it matches the access key id,
 * date, region and service, and derived and stored in cache when it does
 * not. Temporary key material is wiped before returning.
 *
 * trace may be NULL; otherwise, on success, it receives the canonical
 * request and string to sign (release it with sigv4_trace_release()) and,
 * on failure, both its fields are NULL.
 *
 * Fails for the reasons sigv4_canonical_request() and
 * sigv4_string_to_sign() do, on a NULL cred, access key id or secret, an
 * access key id that is empty or not alphanumeric, and if libcrypto fails.
 */
int sigv4_sign(struct sigv4_key_cache *cache, const struct sigv4_credentials *cred,
	       const struct sigv4_params *params, const struct sigv4_request *req,
	       char **authorization, struct sigv4_trace *trace);

#endif
