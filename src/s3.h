/*
 * s3.h - reading an S3 bucket over its REST API: ListObjectsV2, GetObject
 * streamed piece by piece, HeadObject and HeadBucket, signed with SigV4
 * (service "s3", X-Amz-Content-Sha256, the path encoded once).
 *
 * A struct s3_bucket says where the bucket is and how to reach it; it is
 * set up once (s3_bucket_init, s3_bucket_locate) and then only read, so any
 * number of threads share it. Each thread makes its own struct s3 client,
 * which keeps its connection alive between requests.
 *
 * Addressing: path-style (https://host/bucket/key) for a custom endpoint
 * (--endpoint-url, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL) and for bucket
 * names with dots (which break the TLS wildcard), virtual-hosted
 * (https://bucket.s3.region.amazonaws.com/key) otherwise.
 *
 * Every request is retried, with capped exponential backoff and full
 * jitter (pace.h), when S3 answers 500, 502, 503 (SlowDown), 504 or a
 * RequestTimeout, or when the connection fails or times out. A GetObject
 * cut off midway goes on where it stopped (Range, If-Match on the ETag), so
 * the reader sees every byte once, in order.
 *
 * Secrets: credentials come from creds.h and are never printed. Error
 * messages of s3_list() and s3_bucket_locate() name the prefix or bucket
 * (escaped with s3_shown()); those of s3_head() and s3_get() do not name
 * the key, which the caller does. None quotes a header.
 */
#ifndef TRAILSIFT_S3_H
#define TRAILSIFT_S3_H

#include <stdatomic.h>
#include <stddef.h>

#include "awsreq.h"
#include "http.h"
#include "sigv4.h"

struct creds;

#define S3_MAX_ATTEMPTS 6     /* tries per request, the first included */

/* Requests sent, all threads together: the run's closing line and tests read them. */
struct s3_counters {
	atomic_long lists;          /* ListObjectsV2 pages */
	atomic_long gets;           /* GetObject requests (resumed parts included) */
	atomic_long heads;          /* HeadObject and HeadBucket */
	atomic_long retries;        /* requests sent again after a fault */
	atomic_llong bytes;         /* object bytes received */
};

struct s3_bucket {
	char name[64];              /* the bucket (3 to 63 characters) */
	char region[64];            /* the region requests are signed for */
	char endpoint[1024];        /* custom endpoint, without trailing '/'; "" for AWS */
	int path_style;             /* https://host/bucket/key */
	struct creds *creds;        /* shared with the other threads (thread-safe) */
	struct http_opts http;      /* CA bundle, timeouts, stop flag */
	int max_attempts;           /* tries per request, 0 means S3_MAX_ATTEMPTS */
	struct s3_counters count;
};

/*
 * Sets up b for bucket `name` in `region` (the first guess; see
 * s3_bucket_locate), through endpoint (NULL: AWS) with credentials c and
 * HTTP options ho. Returns 0, or -1 with the reason in err (a bucket name
 * S3 would refuse, a bad endpoint URL).
 */
int s3_bucket_init(struct s3_bucket *b, const char *name, const char *region,
		   const char *endpoint, struct creds *c, const struct http_opts *ho,
		   char *err, size_t errlen);

/* How to reach a bucket, as the command line and the environment say. */
struct s3_setup {
	const char *profile;        /* --profile, or NULL */
	const char *endpoint_url;   /* --endpoint-url, else AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL */
	const char *ca_bundle;      /* --ca-bundle, else AWS_CA_BUNDLE */
	long timeout_ms;            /* per request; 0 means 120 s */
	atomic_int *stop;           /* raised: requests in flight are abandoned; may be NULL */
};

/*
 * Readies b for bucket `name`: credentials (creds.h chain), libcurl, the
 * endpoint, and a first guess of the bucket's region (AWS_REGION,
 * AWS_DEFAULT_REGION, the profile's, else us-east-1; s3_bucket_locate()
 * finds the real one). Release with s3_bucket_close(). 0, or -1 with err set.
 */
int s3_bucket_open(struct s3_bucket *b, const char *name, const struct s3_setup *o, char *err,
		   size_t errlen);

void s3_bucket_close(struct s3_bucket *b);

/* A client: one connection, one signing key cache. One per thread. */
struct s3 {
	struct s3_bucket *b;
	struct http http;
	struct sigv4_key_cache kc;
	struct aws_creds cr;        /* the credentials last used */
};

/* Makes a client of b. Returns 0, or -1 with err set. */
int s3_init(struct s3 *s, struct s3_bucket *b, char *err, size_t errlen);

/* Closes the connection and wipes the client's credentials. */
void s3_release(struct s3 *s);

/*
 * HeadBucket: checks that the bucket exists and may be read, and moves
 * s->b to the bucket's region when S3 names another one (the
 * x-amz-bucket-region answer to a request signed for the wrong region).
 * Call before other threads use the bucket. Returns 0, or -1 with err set.
 */
int s3_bucket_locate(struct s3 *s, char *err, size_t errlen);

/* One ListObjectsV2 request. NULL or "" leaves a parameter out. */
struct s3_list_req {
	const char *prefix;
	const char *delimiter;      /* "/" to get the next level as common prefixes */
	const char *start_after;    /* keys after this one only */
	const char *continuation;   /* the previous page's next_token */
	int max_keys;               /* 0: the server's default (1000) */
};

struct s3_object {
	char *key;
	char etag[80];              /* without its quotes */
	long long size;
	char last_modified[40];     /* as S3 wrote it, e.g. 2026-11-03T06:25:12.000Z */
};

/* One page of a listing, keys in S3's (byte) order. */
struct s3_page {
	struct s3_object *objects;
	size_t n_objects;
	char **prefixes;            /* common prefixes, with a delimiter */
	size_t n_prefixes;
	char *next_token;           /* NULL on the last page */
};

/* Lists one page into *out (release it with s3_page_release). 0, or -1 with err set. */
int s3_list(struct s3 *s, const struct s3_list_req *rq, struct s3_page *out, char *err,
	    size_t errlen);

void s3_page_release(struct s3_page *p);

/* What HeadObject says about an object. */
struct s3_meta {
	char *name;                 /* after "x-amz-meta-", lower case */
	char *value;
};

struct s3_head {
	long long size;
	char etag[80];              /* without its quotes */
	char last_modified[64];     /* the HTTP date as sent */
	struct s3_meta *meta;       /* the user metadata (x-amz-meta-*) */
	size_t n_meta;
};

/* HeadObject of key into *out (release it with s3_head_release). 0, or -1 with err set. */
int s3_head(struct s3 *s, const char *key, struct s3_head *out, char *err, size_t errlen);

void s3_head_release(struct s3_head *h);

/* The outcome of s3_get(). */
enum s3_get_result {
	S3_GET_OK = 0,
	S3_GET_FAILED = -1,         /* err says why */
	S3_GET_STOPPED = -2,        /* on_data stopped it: the reader knows why */
};

/*
 * GetObject of key, its bytes as stored handed to on_data as they arrive
 * (on_data returns 0, or -1 to stop). etag, when not NULL, is the ETag the
 * object must still have (412 otherwise: it changed since it was listed).
 * *etag_out (80 bytes, may be NULL) receives the ETag of what was read.
 * Returns an enum s3_get_result.
 */
int s3_get(struct s3 *s, const char *key, const char *etag,
	   int (*on_data)(void *arg, const void *data, size_t len), void *arg,
	   char *etag_out, char *err, size_t errlen);

/*
 * Writes "s3://bucket/key" into out for a message: bytes below 0x20, 0x7f
 * and backslashes escaped as \xNN (a key is attacker-written).
 */
void s3_shown(const char *bucket, const char *key, char *out, size_t outlen);

/* Parses "s3://bucket[/prefix]". Returns 0, or -1 when it is not such a URL. */
int s3_parse_url(const char *url, char bucket[64], const char **prefix);

#endif
