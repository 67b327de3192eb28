/*
 * fuzz_sigv4.c - SigV4 canonicalisation of paths, queries and headers, and
 * signing (sigv4.c).
 *
 * Input: newline-separated method, path, query, then header names and
 * values in turn; a NUL byte ends the headers and the rest is the body. The
 * first byte is the flags. When canonicalisation succeeds, the canonical
 * path and query must be in SigV4's alphabet (unreserved characters,
 * %XX in upper-case hex, '/' in the path, '=' and '&' in the query), a
 * normalised path must have no "." or ".." segment or empty one, and
 * signing the request must succeed too (unless it has its own X-Amz-Date).
 */
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "sigv4.h"

#define MAX_HEADERS 8

static int unreserved(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* Checks s[0..n) is unreserved characters, %XX escapes and the extra characters. */
static void check_encoded(const char *what, const char *s, size_t n, const char *extra)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			FUZZ_CHECK(i + 2 < n && strchr("0123456789ABCDEF", s[i + 1]) &&
					   strchr("0123456789ABCDEF", s[i + 2]),
				   "%s: a bad escape in '%.*s'", what, (int)n, s);
			i += 2;
		} else {
			FUZZ_CHECK(unreserved((unsigned char)s[i]) || strchr(extra, s[i]),
				   "%s: '%c' unencoded in '%.*s'", what, s[i], (int)n, s);
		}
	}
}

static void check_canonical(const char *creq, unsigned flags)
{
	const char *path = strchr(creq, '\n'), *query, *end;

	FUZZ_CHECK(path, "no path line");
	query = strchr(++path, '\n');
	FUZZ_CHECK(query, "no query line");
	end = strchr(++query, '\n');
	FUZZ_CHECK(end, "no header lines");
	FUZZ_CHECK(path[0] == '/', "the path '%.*s' does not start with '/'", (int)(query - 1 - path), path);
	check_encoded("path", path, (size_t)(query - 1 - path), "/");
	check_encoded("query", query, (size_t)(end - query), "=&");
	if (flags & SIGV4_NORMALIZE_PATH) {
		for (const char *seg = path + 1; seg < query;) { /* each segment, up to '/' or '\n' */
			size_t n = strcspn(seg, "/\n");

			FUZZ_CHECK(!(n == 1 && seg[0] == '.') && !(n == 2 && !strncmp(seg, "..", 2)),
				   "a '%.*s' segment left", (int)n, seg);
			FUZZ_CHECK(n || seg + 1 == query, "an empty segment left in '%.*s'",
				   (int)(query - 1 - path), path);
			seg += n + 1;
		}
	}
}

/* Whether req has an X-Amz-Date header (signing refuses one that is not its date). */
static int has_date(const struct sigv4_request *req)
{
	for (size_t i = 0; i < req->n_headers; i++)
		if (!strcasecmp(req->headers[i].name, "x-amz-date"))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	unsigned flags = fuzz_byte(&in) & 7;
	char *field[3 + 2 * MAX_HEADERS] = { 0 };
	struct sigv4_header h[MAX_HEADERS];
	struct sigv4_request req = { 0 };
	struct sigv4_credentials cred = { "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
					  flags & 4 ? "token" : NULL };
	struct sigv4_params params = { "20150830T123600Z", "us-east-1", "service", flags };
	struct sigv4_trace trace;
	char *creq = NULL, *authz = NULL;
	size_t nf = 0, len;

	while (nf < sizeof(field) / sizeof(field[0]) && in.n && in.p[0] != '\0') {
		const char *s = fuzz_field(&in, '\n', &len);

		field[nf++] = fuzz_strndup(s, len);
		if (memchr(s, '\0', len))
			break; /* the body starts inside this field */
	}
	if (in.n && in.p[0] == '\0')
		fuzz_byte(&in);
	req.method = field[0] ? field[0] : "GET";
	req.path = field[1];
	req.query = field[2];
	for (size_t i = 3; i + 1 < nf; i += 2) {
		h[req.n_headers].name = field[i];
		h[req.n_headers].value = field[i + 1];
		req.n_headers++;
	}
	req.headers = h;
	req.body = in.p;
	req.body_len = in.n;
	if (!sigv4_canonical_request(&req, flags, &creq)) {
		check_canonical(creq, flags);
		if (!has_date(&req)) {
			FUZZ_CHECK(!sigv4_sign(NULL, &cred, &params, &req, &authz, &trace),
				   "the canonical request builds but signing fails");
			FUZZ_CHECK(!strncmp(authz, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 40),
				   "Authorization '%s'", authz);
			free(authz);
			sigv4_trace_release(&trace);
		}
		free(creq);
	} else {
		FUZZ_CHECK(creq == NULL, "output left after a failure");
	}
	for (size_t i = 0; i < nf; i++)
		free(field[i]);
	return 0;
}
