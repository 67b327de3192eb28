/*
 * http.c - libcurl requests; see http.h.
 */
#include "http.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "msg.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define DEFAULT_TIMEOUT_MS 30000L

int http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void http_global_cleanup(void)
{
	curl_global_cleanup();
}

/* A streamed request's 2xx body goes to its reader, anything else to h->body. */
static int streaming_now(struct http *h)
{
	long status = 0;

	if (!h->stream || !h->stream->on_body)
		return 0;
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	return status >= 200 && status < 300;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct http *h = arg;

	if (streaming_now(h)) {
		if (h->stream->on_body(h->stream->arg, p, size * n)) {
			h->stream_stopped = 1;
			return 0; /* curl fails with CURLE_WRITE_ERROR */
		}
		return size * n;
	}
	if (buf_add(&h->body, p, size * n))
		return 0; /* past HTTP_MAX_BODY: curl fails with CURLE_WRITE_ERROR */
	return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	static const char name[] = "x-amzn-errortype:";
	struct http *h = arg;
	size_t len = size * n;
	const char *colon = memchr(p, ':', len);

	if (h->stream && h->stream->on_header && colon && strncmp(p, "HTTP/", 5)) {
		const char *v = colon + 1;
		size_t vl = len - (size_t)(v - p);

		while (vl && (*v == ' ' || *v == '\t')) {
			v++;
			vl--;
		}
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
			vl--;
		h->stream->on_header(h->stream->arg, p, (size_t)(colon - p), v, vl);
	}
	if (len > sizeof(name) - 1 && !strncasecmp(p, name, sizeof(name) - 1)) {
		const char *v = p + sizeof(name) - 1;
		size_t vl = len - (sizeof(name) - 1);

		while (vl && (*v == ' ' || *v == '\t')) {
			v++;
			vl--;
		}
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
			vl--;
		if (vl >= sizeof(h->error_type))
			vl = sizeof(h->error_type) - 1;
		memcpy(h->error_type, v, vl);
		h->error_type[vl] = '\0';
	}
	return len;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct http *h = arg;

	(void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
	return h->opts.stop && atomic_load(h->opts.stop) ? 1 : 0;
}

/*
 * libcurl opens a socket: when the request began on a kept-alive
 * connection, this is libcurl re-sending it on a fresh one (the old one
 * died), and the re-sent request must wait for its turn like any other.
 */
static int on_sockopt(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	struct http *h = arg;

	(void)fd;
	if (purpose == CURLSOCKTYPE_IPCXN && h->had_conn && !h->resent && h->opts.on_resend) {
		h->resent = 1;
		h->opts.on_resend(h->opts.on_resend_arg);
	}
	return CURL_SOCKOPT_OK;
}

int http_init(struct http *h, const struct http_opts *o)
{
	CURL *c;

	memset(h, 0, sizeof(*h));
	h->opts = *o;
	if (!h->opts.connect_timeout_ms)
		h->opts.connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
	if (!h->opts.timeout_ms)
		h->opts.timeout_ms = DEFAULT_TIMEOUT_MS;
	buf_init(&h->body, HTTP_MAX_BODY);
	c = curl_easy_init();
	if (!c) {
		snprintf(h->error, sizeof(h->error), "cannot initialise libcurl");
		return -1;
	}
	h->curl = c;
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->opts.connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->opts.timeout_ms);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "trailsift/" TRAILSIFT_VERSION);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* whatever libcurl can inflate */
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_SOCKOPTFUNCTION, on_sockopt);
	curl_easy_setopt(c, CURLOPT_SOCKOPTDATA, h);
	/* verification stays on (libcurl's default); only the trust anchors can change */
	if (h->opts.ca_bundle)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->opts.ca_bundle);
	if (h->opts.no_proxy)
		curl_easy_setopt(c, CURLOPT_PROXY, "");
	return 0;
}

void http_release(struct http *h)
{
	if (h->curl)
		curl_easy_cleanup(h->curl);
	h->curl = NULL;
	http_wipe_body(h);
	buf_release(&h->body);
}

void http_wipe_body(struct http *h)
{
	if (h->body.cap)
		OPENSSL_cleanse(h->body.data, h->body.cap);
	buf_reset(&h->body);
}

static void free_headers(struct curl_slist *list)
{
	for (struct curl_slist *l = list; l; l = l->next)
		if (l->data)
			OPENSSL_cleanse(l->data, strlen(l->data));
	curl_slist_free_all(list);
}

/* Whether a failure to get an answer may go away by itself. */
static int transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_PROXY:
		return 1;
	default:
		return 0;
	}
}

static int perform(struct http *h, const char *method, const char *url,
		   const struct http_header *headers, size_t n, const void *body, size_t len)
{
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *list = NULL;
	struct buf line;
	CURL *c = h->curl;
	CURLcode rc;
	int result;

	h->status = 0;
	h->error[0] = '\0';
	h->error_type[0] = '\0';
	http_wipe_body(h);
	errbuf[0] = '\0';
	buf_init(&line, 1u << 20);
	for (size_t i = 0; i < n; i++) {
		struct curl_slist *next;

		buf_reset(&line);
		if (buf_addf(&line, "%s: %s", headers[i].name, headers[i].value)) {
			snprintf(h->error, sizeof(h->error), "header %s is too long", headers[i].name);
			free_headers(list);
			return HTTP_FATAL;
		}
		next = curl_slist_append(list, line.data);
		if (!next) {
			snprintf(h->error, sizeof(h->error), "out of memory");
			free_headers(list);
			return HTTP_FATAL;
		}
		list = next;
	}
	if (line.cap)
		OPENSSL_cleanse(line.data, line.cap);
	buf_release(&line);
	list = curl_slist_append(list, "Expect:");

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (!strcmp(method, "GET") || !strcmp(method, "HEAD")) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(c, CURLOPT_NOBODY, strcmp(method, "HEAD") ? 0L : 1L);
	} else {
		curl_easy_setopt(c, CURLOPT_NOBODY, 0L);
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, strcmp(method, "POST") ? method : NULL);
	}
	{
		curl_socket_t fd = CURL_SOCKET_BAD;

		h->had_conn = curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &fd) == CURLE_OK &&
			      fd != CURL_SOCKET_BAD;
		h->resent = 0;
	}
	rc = curl_easy_perform(c);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
	free_headers(list);

	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &h->status);
		return HTTP_ANSWERED;
	}
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		snprintf(h->error, sizeof(h->error), "interrupted");
		return HTTP_ABORTED;
	}
	if (rc == CURLE_WRITE_ERROR && h->stream_stopped) {
		snprintf(h->error, sizeof(h->error), "the reader stopped the transfer");
		return HTTP_FATAL;
	}
	if (rc == CURLE_WRITE_ERROR) {
		snprintf(h->error, sizeof(h->error), "the answer is larger than %u bytes", HTTP_MAX_BODY);
		return HTTP_RETRYABLE;
	}
	result = transient(rc) ? HTTP_RETRYABLE : HTTP_FATAL;
	snprintf(h->error, sizeof(h->error), "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	if (rc == CURLE_PEER_FAILED_VERIFICATION && strstr(h->error, "host name"))
		snprintf(h->error + strlen(h->error), sizeof(h->error) - strlen(h->error),
			 " (the server's TLS certificate is for another host name)");
	else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
		snprintf(h->error + strlen(h->error), sizeof(h->error) - strlen(h->error),
			 " (the server's TLS certificate is not trusted: give its CA with --ca-bundle"
			 " or AWS_CA_BUNDLE)");
	return result;
}

int http_request(struct http *h, const char *method, const char *url,
		 const struct http_header *headers, size_t n, const void *body, size_t len)
{
	h->stream = NULL;
	return perform(h, method, url, headers, n, body, len);
}

int http_request_stream(struct http *h, const char *method, const char *url,
			const struct http_header *headers, size_t n, const struct http_stream *s)
{
	int rc;

	h->stream = s;
	h->stream_stopped = 0;
	/* the bytes as stored: a resumed (Range) transfer cannot be inflated by
	   libcurl, and the reader recognises gzip by itself */
	curl_easy_setopt(h->curl, CURLOPT_ACCEPT_ENCODING, NULL);
	curl_easy_setopt(h->curl, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	rc = perform(h, method, url, headers, n, NULL, 0);
	curl_easy_setopt(h->curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h->curl, CURLOPT_HTTP_CONTENT_DECODING, 1L);
	h->stream = NULL;
	return rc;
}

int http_url_split(const char *url, char *host, size_t hostlen, char *path, size_t pathlen,
		   char *err, size_t errlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *h = NULL, *port = NULL, *p = NULL, *user = NULL, *query = NULL,
	     *frag = NULL;
	int rc = -1, n;

	if (!u) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		snprintf(err, errlen, "'%s' is not a URL", url);
		goto out;
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &h, 0);
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_PATH, &p, 0);
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
	if (!scheme || (strcmp(scheme, "http") && strcmp(scheme, "https"))) {
		snprintf(err, errlen, "'%s': only http:// and https:// URLs are supported", url);
		goto out;
	}
	if (!h || !*h || user || query || frag) {
		snprintf(err, errlen, "'%s': want scheme://host[:port][/path], no user, query or fragment",
			 url);
		goto out;
	}
	/* CURLUPART_PORT is only set when the URL names a port; the default is not sent */
	if (port && !(!strcmp(scheme, "http") && !strcmp(port, "80")) &&
	    !(!strcmp(scheme, "https") && !strcmp(port, "443")))
		n = snprintf(host, hostlen, "%s:%s", h, port);
	else
		n = snprintf(host, hostlen, "%s", h);
	if (n < 0 || (size_t)n >= hostlen) {
		snprintf(err, errlen, "'%s': host name too long", url);
		goto out;
	}
	n = snprintf(path, pathlen, "%s", p && *p ? p : "/");
	if (n < 0 || (size_t)n >= pathlen) {
		snprintf(err, errlen, "'%s': path too long", url);
		goto out;
	}
	rc = 0;
out:
	curl_free(scheme);
	curl_free(h);
	curl_free(port);
	curl_free(p);
	curl_free(user);
	curl_free(query);
	curl_free(frag);
	curl_url_cleanup(u);
	return rc;
}

int http_url_is_loopback(const char *url)
{
	CURLU *u = curl_url();
	char *h = NULL;
	int yes = 0;

	if (!u)
		return 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK && h)
{
		struct in_addr a;

		if (!strcmp(h, "localhost") || !strcmp(h, "[::1]"))
			yes = 1;
		else if (inet_pton(AF_INET, h, &a) == 1)
			yes = (ntohl(a.s_addr) >> 24) == 127;
	}
	curl_free(h);
	curl_url_cleanup(u);
	return yes;
}
