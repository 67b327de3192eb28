/*
 * http.h - HTTP requests over libcurl: one client, one connection, per thread.
 *
 * A struct http wraps one libcurl easy handle, so consecutive requests from
 * one thread reuse its connection (one TLS handshake per region, not per
 * page). TLS peer and host verification are always on; there is no switch
 * to turn them off. A CA file can be given (--ca-bundle, AWS_CA_BUNDLE)
 * for endpoints behind a TLS-inspecting proxy or a private CA. Proxies come
 * from the environment as libcurl reads it (https_proxy/HTTPS_PROXY,
 * http_proxy, ALL_PROXY, NO_PROXY) unless the client is made with no_proxy
 * (the link-local credential endpoints, whose answers are credentials).
 * Only http and https URLs are followed, and redirects never.
 *
 * Secrets: every request header line is wiped after the request (one holds
 * the session token) and http_wipe_body() wipes an answer that held
 * credentials. Nothing here prints.
 */
#ifndef TRAILSIFT_HTTP_H
#define TRAILSIFT_HTTP_H

#include <stdatomic.h>
#include <stddef.h>

#include "buf.h"

#define HTTP_MAX_BODY (64u << 20)

struct http_opts {
	const char *ca_bundle;      /* CA file to verify servers with, or NULL for the system's */
	long connect_timeout_ms;    /* to set up the connection; 0 means 10 s */
	long timeout_ms;            /* for the whole request; 0 means 30 s */
	int no_proxy;               /* never go through a proxy */
	atomic_int *stop;           /* when non-zero, a request in flight is abandoned; may be NULL */
	/*
	 * Called (once per request) before libcurl opens a new connection in
	 * place of a kept-alive one it found dead, when it sends the request
	 * again by itself: the request then reaches the server twice, so the
	 * caller's pacing must apply. May be NULL.
	 */
	void (*on_resend)(void *arg);
	void *on_resend_arg;
};

struct http_header {
	const char *name;           /* e.g. "X-Amz-Target" */
	const char *value;          /* no CR or LF */
};

/* The outcome of http_request(). */
enum http_result {
	HTTP_ANSWERED = 0,          /* a status and a body arrived (any status) */
	HTTP_RETRYABLE = -1,        /* no answer, and a retry may get one (reset, timeout, refused) */
	HTTP_FATAL = -2,            /* no answer, and retrying will not help (TLS trust, bad URL) */
	HTTP_ABORTED = -3,          /* the stop flag was raised */
};

/*
 * Where http_request_stream() sends an answer as it arrives, for bodies
 * too large to hold (S3 objects). Either callback may be NULL.
 */
struct http_stream {
	/* each header line of the answer, name and value trimmed (not NUL-ended) */
	void (*on_header)(void *arg, const char *name, size_t nlen, const char *value, size_t vlen);
	/* a piece of a 2xx answer's body; returns 0, or -1 to stop the transfer */
	int (*on_body)(void *arg, const void *data, size_t len);
	void *arg;
};

struct http {
	void *curl;                 /* CURL *, kept for connection reuse */
	struct http_opts opts;      /* a copy; ca_bundle is borrowed */
	long status;                /* HTTP status of the last answer, 0 when none */
	struct buf body;            /* its body, at most HTTP_MAX_BODY bytes */
	char error_type[128];       /* its x-amzn-ErrorType header, "" when absent */
	char error[300];            /* why the last request got no answer */
	int had_conn;               /* the request began on a kept-alive connection */
	int resent;                 /* on_resend was called for this request */
	const struct http_stream *stream; /* the streamed request in flight, else NULL */
	int stream_stopped;         /* its on_body asked to stop */
};

/* Initialises libcurl; call once, before any thread uses a client. 0 or -1. */
int http_global_init(void);

/* Releases libcurl's global state, after every client is released. */
void http_global_cleanup(void);

/* Makes a client. Returns 0, or -1 with the reason in h->error. */
int http_init(struct http *h, const struct http_opts *o);

/* Closes the connection and frees the client (the body is wiped). */
void http_release(struct http *h);

/*
 * Sends one request: method "GET", "HEAD", "POST" or "PUT"; body may be NULL when
 * len is 0 (a POST or PUT then sends an empty body). headers are sent as
 * given, and no others but Content-Length, Accept, Accept-Encoding,
 * User-Agent and, for a POST without one, Content-Type (curl's "Expect:
 * 100-continue" is suppressed). Returns an enum http_result; on
 * HTTP_ANSWERED, h->status, h->body and h->error_type describe the answer,
 * otherwise h->error says what went wrong (no secrets: URLs carry none).
 */
int http_request(struct http *h, const char *method, const char *url,
		 const struct http_header *headers, size_t n, const void *body, size_t len);

/*
 * Sends a GET or HEAD as http_request() does, but hands a 2xx answer's body
 * to s->on_body piece by piece instead of keeping it (an error answer's
 * body is kept in h->body, as usual), and every answer header to
 * s->on_header. When on_body stopped the transfer, returns HTTP_FATAL with
 * h->stream_stopped set.
 */
int http_request_stream(struct http *h, const char *method, const char *url,
			const struct http_header *headers, size_t n, const struct http_stream *s);

/* Wipes the last answer's body (it held credentials) and empties it. */
void http_wipe_body(struct http *h);

/*
 * Splits url into what a signature needs: the Host header value exactly as
 * libcurl will send it ("host" or "host:port" when the port is not the
 * scheme's default) and the path ("/" when empty). Accepts http and https
 * URLs only, without user info, query or fragment. Returns 0, or -1 with
 * the reason in err.
 */
int http_url_split(const char *url, char *host, size_t hostlen, char *path, size_t pathlen,
		   char *err, size_t errlen);

/* Whether url's host is a loopback address (127.0.0.0/8, ::1, localhost). */
int http_url_is_loopback(const char *url);

#endif
