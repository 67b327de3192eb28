/*
 * test_sigv4.c - checks src/sigv4.c against AWS's SigV4 test suite.
 *
 * Usage: test_sigv4 [VECTORS_DIR]   (default "tests/vectors/sigv4", vendored)
 *
 * Both copies of the suite in VECTORS_DIR are read at run time (see its
 * README.md): the classic one (<name>.req/.creq/.sts/.authz, constants from
 * the README) and aws-c-auth-v4/ (context.json, request.txt and the
 * header-*.txt answers). For every case the canonical request, string to
 * sign and Authorization header must match byte for byte. Then come the
 * signing-key cache, two requests shaped like the ones trailsift sends
 * (answers computed with botocore's SigV4Auth), canonicalisation corners
 * and failures. The .req parser below exists only for these tests.
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L /* opendir, stat */
#endif

#include "sigv4.h"
#include "unit.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define DEFAULT_VECTORS "tests/vectors/sigv4"
#define CLASSIC_CASES 34 /* README.md: 26 top level + 8 normalize-path + 2 post-sts-token */
#define CRT_CASES 38     /* README.md: aws-c-auth-v4 */
#define MAX_HEADERS 32
#define MAX_CASES 128

/* The classic suite's constants (README.md). */
#define SUITE_AKID "AKIDEXAMPLE"
#define SUITE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_REGION "us-east-1"
#define SUITE_SERVICE "service"
#define SUITE_DATE "20150830T123600Z"
/* The token of get-vanilla-with-session-token, as its .creq shows it. */
#define SUITE_TOKEN_VANILLA "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
/* post-sts-token/readme.txt */
#define SUITE_TOKEN_STS                                                                      \
	"AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeM" \
	"icRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8ph" \
	"UZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT" \
	"38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJab" \
	"IQwj2ICCR/oLxBA=="

/* A request parsed from a .req or request.txt file, pointing into text. */
struct test_request {
	char *text;                                /* owns every string below */
	struct sigv4_header headers[MAX_HEADERS];  /* in file order */
	struct sigv4_request req;                  /* headers points at the array above */
};

/*
 * The classic suite's cases that need credentials or flags the files do
 * not carry (post-sts-token/readme.txt says which is which).
 */
static const struct classic_extra {
	const char *name;
	const char *token;
	unsigned flags;
} classic_extras[] = {
	{ "get-vanilla-with-session-token", SUITE_TOKEN_VANILLA, 0 },
	{ "post-sts-token/post-sts-header-before", SUITE_TOKEN_STS, 0 },
	{ "post-sts-token/post-sts-header-after", SUITE_TOKEN_STS, SIGV4_OMIT_SESSION_TOKEN },
};

/* Joins up to three path parts with '/' into out; -1 when it does not fit. */
static int path_join(char *out, size_t size, const char *a, const char *b, const char *c)
{
	int n;

	if (c)
		n = snprintf(out, size, "%s/%s/%s", a, b, c);
	else
		n = snprintf(out, size, "%s/%s", a, b);
	return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

/* Reads a whole file, NUL-terminated, malloc'd; NULL on any error. */
static char *read_file(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	size_t len = 0, cap = 4096;
	char *data;

	if (!f)
		return NULL;
	data = malloc(cap);
	while (data) {
		size_t got = fread(data + len, 1, cap - len - 1, f);

		len += got;
		if (got == 0)
			break;
		if (cap - len - 1 == 0) {
			char *grown = realloc(data, cap * 2);

			if (!grown) {
				free(data);
				data = NULL;
				break;
			}
			data = grown;
			cap *= 2;
		}
	}
	if (data && ferror(f)) {
		free(data);
		data = NULL;
	}
	fclose(f);
	if (!data)
		return NULL;
	data[len] = '\0';
	if (len_out)
		*len_out = len;
	return data;
}

/* Reads an expected-answer file, without the final newline if it has one. */
static char *read_answer(const char *path)
{
	size_t len = 0;
	char *s = read_file(path, &len);

	if (s && len && s[len - 1] == '\n')
		s[len - 1] = '\0';
	return s;
}

static int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int dir_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Parses text, in place, as an HTTP/1.1 request: a request line, header
 * lines up to a blank line or the end, then the body. The request target
 * is everything between the first and the last space of the request line,
 * so a raw space in the path survives (normalize-path/get-space). A line
 * starting with a space or tab continues the previous header's value: the
 * line break becomes spaces, as RFC 7230 allows for obs-fold, and the
 * signer's whitespace collapsing does the rest. Takes ownership of text
 * (even on failure); free with test_request_free(). Returns -1 when text
 * is not a request.
 */
static int parse_request(char *text, size_t len, struct test_request *out)
{
	char *end = text + len, *p = text, *eol, *sp1, *sp2, *q;
	char *last_value = NULL;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	out->text = text;
	out->req.headers = out->headers;

	eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	if (eol > p && eol[-1] == '\r')
		eol[-1] = '\0';
	*eol = '\0';
	sp1 = strchr(p, ' ');
	sp2 = strrchr(p, ' ');
	if (!sp1 || sp1 == sp2 || sp1 == p)
		return -1;
	*sp1 = '\0';
	*sp2 = '\0';
	out->req.method = p;
	out->req.path = sp1 + 1;
	q = strchr(sp1 + 1, '?');
	if (q) {
		*q = '\0';
		out->req.query = q + 1;
	}
	p = eol < end ? eol + 1 : end;

	while (p < end) {
		char *colon;

		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if (eol == p || (eol == p + 1 && *p == '\r')) {
			p = eol < end ? eol + 1 : end;
			break; /* the blank line: the body follows */
		}
		if (eol > p && eol[-1] == '\r')
			eol[-1] = '\0';
		*eol = '\0';
		if (*p == ' ' || *p == '\t') {
			if (!last_value)
				return -1;
			for (q = last_value; q < p; q++)
				if (*q == '\0')
					*q = ' ';
		} else {
			colon = strchr(p, ':');
			if (!colon || n == MAX_HEADERS)
				return -1;
			*colon = '\0';
			out->headers[n].name = p;
			out->headers[n].value = colon + 1;
			last_value = colon + 1;
			n++;
		}
		p = eol < end ? eol + 1 : end;
	}
	out->req.n_headers = n;
	out->req.body = p;
	out->req.body_len = (size_t)(end - p);
	return 0;
}

static void test_request_free(struct test_request *r)
{
	free(r->text);
	r->text = NULL;
}

static int load_request(const char *path, struct test_request *r)
{
	size_t len;
	char *text = read_file(path, &len);

	if (!text) {
		memset(r, 0, sizeof(*r));
		return -1;
	}
	if (parse_request(text, len, r) < 0) {
		test_request_free(r);
		return -1;
	}
	return 0;
}

/*
 * Finds "key": in a flat JSON object and returns a pointer to its value,
 * or NULL. Enough for context.json, which has no escapes and no nesting of
 * the same key names.
 */
static const char *json_find(const char *json, const char *key)
{
	char pattern[80];
	const char *p;
	int n = snprintf(pattern, sizeof(pattern), "\"%s\"", key);

	if (n < 0 || (size_t)n >= sizeof(pattern))
		return NULL;
	p = strstr(json, pattern);
	if (!p)
		return NULL;
	p += n;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p != ':')
		return NULL;
	p++;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* Copies a string value into out: 1 found, 0 absent, -1 malformed or too long. */
static int json_string(const char *json, const char *key, char *out, size_t size)
{
	const char *p = json_find(json, key), *close;

	if (!p)
		return 0;
	if (*p != '"')
		return -1;
	close = strchr(p + 1, '"');
	if (!close || memchr(p + 1, '\\', (size_t)(close - p - 1)) || (size_t)(close - p - 1) >= size)
		return -1;
	memcpy(out, p + 1, (size_t)(close - p - 1));
	out[close - p - 1] = '\0';
	return 1;
}

/* Reads a boolean: 1 true, 0 false or absent, -1 malformed. */
static int json_bool(const char *json, const char *key)
{
	const char *p = json_find(json, key);

	if (!p)
		return 0;
	if (strncmp(p, "true", 4) == 0)
		return 1;
	if (strncmp(p, "false", 5) == 0)
		return 0;
	return -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static int digits(const char *s, int n, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Parses "2015-08-30T12:36:00Z" into a time_t. */
static int parse_timestamp(const char *s, time_t *out)
{
	unsigned y, mo, d, h, mi, se;

	if (strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se))
		return -1;
	*out = (time_t)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se);
	return 0;
}

static const char *signature_of(const char *authorization)
{
	const char *p = authorization ? strstr(authorization, "Signature=") : NULL;

	return p ? p + strlen("Signature=") : NULL;
}

/* The value of the first "Authorization:" line of a signed request file. */
static char *authorization_line(char *signed_request)
{
	char *p = signed_request, *eol;

	while (p && *p) {
		eol = strchr(p, '\n');
		if (eol)
			*eol = '\0';
		if (strncmp(p, "Authorization:", 14) == 0)
			return p + 14;
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the subdirectories of dir, sorted, into names (malloc'd each). */
static size_t list_dirs(const char *dir, char **names, size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char path[4096];

		if (e->d_name[0] == '.' || n == max)
			continue;
		if (path_join(path, sizeof(path), dir, e->d_name, NULL) < 0 || !dir_exists(path))
			continue;
		names[n] = malloc(strlen(e->d_name) + 1);
		if (!names[n])
			break;
		memcpy(names[n], e->d_name, strlen(e->d_name) + 1);
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	return n;
}

static void free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
}

/*
 * Signs one case and checks every answer given (NULL: none to check).
 * want_signature is checked against the Signature= part of the result.
 */
static void check_case(const char *suite, const char *name, const struct sigv4_request *req,
		       const struct sigv4_credentials *cred, const struct sigv4_params *params,
		       const char *want_creq, const char *want_sts, const char *want_authz,
		       const char *want_signature)
{
	struct sigv4_key_cache cache;
	struct sigv4_trace trace;
	char *authz = NULL;
	int rc;

	sigv4_key_cache_init(&cache);
	rc = sigv4_sign(&cache, cred, params, req, &authz, &trace);
	ASSERT_INT_EQ(rc, 0, "%s %s: sigv4_sign succeeds", suite, name);
	ASSERT_STR_EQ(trace.canonical_request, want_creq, "%s %s: canonical request", suite, name);
	ASSERT_STR_EQ(trace.string_to_sign, want_sts, "%s %s: string to sign", suite, name);
	if (want_authz)
		ASSERT_STR_EQ(authz, want_authz, "%s %s: Authorization header", suite, name);
	if (want_signature)
		ASSERT_STR_EQ(signature_of(authz), want_signature, "%s %s: signature", suite, name);
	free(authz);
	sigv4_trace_release(&trace);
	sigv4_key_cache_release(&cache);
}

/* One case of the classic suite: dir holds <base>.req, .creq, .sts, .authz. */
static void run_classic_case(const char *dir, const char *base, const char *name)
{
	char path[4096], file[512];
	const char *ext[] = { "creq", "sts", "authz" };
	char *want[3] = { NULL, NULL, NULL };
	struct sigv4_credentials cred = { SUITE_AKID, SUITE_SECRET, NULL };
	struct sigv4_params params = { SUITE_DATE, SUITE_REGION, SUITE_SERVICE, SIGV4_NORMALIZE_PATH };
	struct test_request r;
	size_t i;
	int ok;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < sizeof(classic_extras) / sizeof(classic_extras[0]); i++) {
		if (strcmp(classic_extras[i].name, name) == 0) {
			cred.session_token = classic_extras[i].token;
			params.flags |= classic_extras[i].flags;
		}
	}
	ok = snprintf(file, sizeof(file), "%s.req", base) < (int)sizeof(file) &&
	     path_join(path, sizeof(path), dir, file, NULL) == 0 && load_request(path, &r) == 0;
	for (i = 0; ok && i < 3; i++) {
		ok = snprintf(file, sizeof(file), "%s.%s", base, ext[i]) < (int)sizeof(file) &&
		     path_join(path, sizeof(path), dir, file, NULL) == 0;
		want[i] = ok ? read_answer(path) : NULL;
		ok = want[i] != NULL;
	}
	UNIT_OK(ok, "classic %s: case files read", name);
	if (ok) {
		char *creq = NULL, *sts = NULL;

		check_case("classic", name, &r.req, &cred, &params, want[0], want[1], want[2], NULL);

		/* The building blocks on their own, where the signer adds nothing. */
		if (!cred.session_token) {
			ASSERT_INT_EQ(sigv4_canonical_request(&r.req, SIGV4_NORMALIZE_PATH, &creq), 0,
				      "classic %s: sigv4_canonical_request succeeds", name);
			ASSERT_STR_EQ(creq, want[0], "classic %s: sigv4_canonical_request", name);
		}
		ASSERT_INT_EQ(sigv4_string_to_sign(SUITE_DATE, SUITE_REGION, SUITE_SERVICE, want[0], &sts), 0,
			      "classic %s: sigv4_string_to_sign succeeds", name);
		ASSERT_STR_EQ(sts, want[1], "classic %s: sigv4_string_to_sign of the expected creq", name);
		free(creq);
		free(sts);
	}
	for (i = 0; i < 3; i++)
		free(want[i]);
	if (r.text)
		test_request_free(&r);
}

/* Walks the top level and its case-group folders (normalize-path/, post-sts-token/). */
static void run_classic(const char *root)
{
	char *names[MAX_CASES], *sub[MAX_CASES];
	size_t n = list_dirs(root, names, MAX_CASES), i, j, cases = 0;

	for (i = 0; i < n; i++) {
		char dir[4096], req[4096], file[512];

		if (strcmp(names[i], "aws-c-auth-v4") == 0)
			continue;
		if (path_join(dir, sizeof(dir), root, names[i], NULL) < 0 ||
		    snprintf(file, sizeof(file), "%s.req", names[i]) >= (int)sizeof(file) ||
		    path_join(req, sizeof(req), dir, file, NULL) < 0)
			continue;
		if (file_exists(req)) {
			run_classic_case(dir, names[i], names[i]);
			cases++;
			continue;
		}
		{
			size_t m = list_dirs(dir, sub, MAX_CASES);

			for (j = 0; j < m; j++) {
				char subdir[4096], name[1024];

				if (path_join(subdir, sizeof(subdir), dir, sub[j], NULL) < 0 ||
				    snprintf(name, sizeof(name), "%s/%s", names[i], sub[j]) >= (int)sizeof(name))
					continue;
				run_classic_case(subdir, sub[j], name);
				cases++;
			}
			free_names(sub, m);
		}
	}
	free_names(names, n);
	ASSERT_INT_EQ(cases, CLASSIC_CASES, "classic suite: every case found in %s", root);
}

/* One aws-c-auth-v4 case: its context.json says how to sign request.txt. */
static void run_crt_case(const char *dir, const char *name)
{
	static const char *files[] = { "header-canonical-request.txt", "header-string-to-sign.txt",
				       "header-signature.txt", "header-signed-request.txt",
				       "context.json" };
	char *want[5] = { NULL, NULL, NULL, NULL, NULL };
	char path[4096], akid[64] = "", secret[128] = "", token[1024] = "", region[64] = "";
	char service[64] = "", stamp[32] = "", amz_date[SIGV4_AMZ_DATE_LEN + 1] = "";
	struct sigv4_credentials cred = { akid, secret, NULL };
	struct sigv4_params params = { amz_date, region, service, 0 };
	struct test_request r;
	const char *ctx;
	time_t t;
	size_t i;
	int ok, has_token, normalize, sign_body, omit;

	memset(&r, 0, sizeof(r));
	ok = path_join(path, sizeof(path), dir, "request.txt", NULL) == 0 && load_request(path, &r) == 0;
	for (i = 0; ok && i < 5; i++) {
		ok = path_join(path, sizeof(path), dir, files[i], NULL) == 0;
		want[i] = ok ? read_answer(path) : NULL;
		ok = want[i] != NULL;
	}
	UNIT_OK(ok, "aws-c-auth-v4 %s: case files read", name);
	if (!ok)
		goto out;
	ctx = want[4];
	has_token = json_string(ctx, "token", token, sizeof(token));
	normalize = json_bool(ctx, "normalize");
	sign_body = json_bool(ctx, "sign_body");
	omit = json_bool(ctx, "omit_session_token");
	ok = json_string(ctx, "access_key_id", akid, sizeof(akid)) == 1 &&
	     json_string(ctx, "secret_access_key", secret, sizeof(secret)) == 1 &&
	     json_string(ctx, "region", region, sizeof(region)) == 1 &&
	     json_string(ctx, "service", service, sizeof(service)) == 1 &&
	     json_string(ctx, "timestamp", stamp, sizeof(stamp)) == 1 && has_token >= 0 &&
	     normalize >= 0 && sign_body >= 0 && omit >= 0 && parse_timestamp(stamp, &t) == 0 &&
	     sigv4_format_amz_date(t, amz_date) == 0;
	UNIT_OK(ok, "aws-c-auth-v4 %s: context.json understood", name);
	if (!ok)
		goto out;
	if (has_token)
		cred.session_token = token;
	params.flags = (normalize ? SIGV4_NORMALIZE_PATH : 0) | (sign_body ? SIGV4_CONTENT_SHA256 : 0) |
		       (omit ? SIGV4_OMIT_SESSION_TOKEN : 0);
	check_case("aws-c-auth-v4", name, &r.req, &cred, &params, want[0], want[1],
		   authorization_line(want[3]), want[2]);
out:
	for (i = 0; i < 5; i++)
		free(want[i]);
	if (r.text)
		test_request_free(&r);
}

static void run_crt(const char *root)
{
	char dir[4096], *names[MAX_CASES];
	size_t n = 0, i;

	if (path_join(dir, sizeof(dir), root, "aws-c-auth-v4", NULL) == 0)
		n = list_dirs(dir, names, MAX_CASES);
	for (i = 0; i < n; i++) {
		char sub[4096];

		if (path_join(sub, sizeof(sub), dir, names[i], NULL) == 0)
			run_crt_case(sub, names[i]);
	}
	free_names(names, n);
	ASSERT_INT_EQ(n, CRT_CASES, "aws-c-auth-v4 suite: every case found in %s", dir);
}

static void test_parser(void)
{
	static const char multi[] = "GET /a b/?x=1&y HTTP/1.1\r\nHost:h\r\nMy-Header1:value1\n"
				    "  value2\n\tvalue3\nX:\n\nbody\nline";
	static const char bare[] = "POST / HTTP/1.1\nHost:example.amazonaws.com";
	struct test_request r;
	char *text = malloc(sizeof(multi));

	if (!text)
		return;
	memcpy(text, multi, sizeof(multi));
	ASSERT_INT_EQ(parse_request(text, sizeof(multi) - 1, &r), 0, "parser: accepts a request");
	ASSERT_STR_EQ(r.req.method, "GET", "parser: method");
	ASSERT_STR_EQ(r.req.path, "/a b/", "parser: path keeps a raw space");
	ASSERT_STR_EQ(r.req.query, "x=1&y", "parser: query split at '?'");
	ASSERT_INT_EQ(r.req.n_headers, 3, "parser: continuation lines are no headers");
	ASSERT_STR_EQ(r.headers[0].value, "h", "parser: CRLF line ends");
	ASSERT_STR_EQ(r.headers[1].value, "value1   value2 \tvalue3", "parser: obs-fold unfolded");
	ASSERT_STR_EQ(r.headers[2].name, "X", "parser: empty value's name");
	ASSERT_STR_EQ(r.headers[2].value, "", "parser: empty value");
	ASSERT_INT_EQ(r.req.body_len, 9, "parser: body after the blank line");
	UNIT_OK(memcmp(r.req.body, "body\nline", 9) == 0, "parser: body bytes kept");
	test_request_free(&r);

	text = malloc(sizeof(bare));
	if (!text)
		return;
	memcpy(text, bare, sizeof(bare));
	ASSERT_INT_EQ(parse_request(text, sizeof(bare) - 1, &r), 0, "parser: no final newline");
	ASSERT_STR_EQ(r.req.query, NULL, "parser: no query");
	ASSERT_INT_EQ(r.req.n_headers, 1, "parser: last header without newline");
	ASSERT_STR_EQ(r.headers[0].value, "example.amazonaws.com", "parser: last header value");
	ASSERT_INT_EQ(r.req.body_len, 0, "parser: no body");
	test_request_free(&r);

	text = malloc(8);
	if (!text)
		return;
	memcpy(text, "GET\nX:y", 8);
	ASSERT_INT_EQ(parse_request(text, 7, &r), -1, "parser: rejects a request line without spaces");
	test_request_free(&r);

	{
		time_t t = 0;
		char date[SIGV4_AMZ_DATE_LEN + 1];

		ASSERT_INT_EQ(parse_timestamp("2015-08-30T12:36:00Z", &t), 0, "timestamp: parsed");
		ASSERT_INT_EQ(t, 1440938160, "timestamp: epoch seconds");
		ASSERT_INT_EQ(sigv4_format_amz_date(t, date), 0, "timestamp: formatted");
		ASSERT_STR_EQ(date, SUITE_DATE, "timestamp: round trip");
	}
}

static void test_helpers(void)
{
	char hex[65], date[SIGV4_AMZ_DATE_LEN + 1];

	ASSERT_INT_EQ(sigv4_hex_sha256(NULL, 0, hex), 0, "sha256: empty input");
	ASSERT_STR_EQ(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		      "sha256: of nothing");
	ASSERT_INT_EQ(sigv4_hex_sha256("abc", 3, hex), 0, "sha256: abc");
	ASSERT_STR_EQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		      "sha256: FIPS 180-2 example");
	ASSERT_INT_EQ(sigv4_format_amz_date((time_t)0, date), 0, "amz_date: epoch");
	ASSERT_STR_EQ(date, "19700101T000000Z", "amz_date: epoch text");
	ASSERT_INT_EQ(sigv4_format_amz_date((time_t)1709251198, date), 0, "amz_date: leap day");
	ASSERT_STR_EQ(date, "20240229T235958Z", "amz_date: leap day text");
	if (sizeof(time_t) > 4) {
		/* 10000-01-01T00:00:00Z: five-digit years cannot be signed. */
		ASSERT_INT_EQ(sigv4_format_amz_date((time_t)253402300800LL, date), -1,
			      "amz_date: year 10000 refused");
		ASSERT_STR_EQ(date, "", "amz_date: empty after a refusal");
	}
}

/* A small GET in the classic suite's scope, for the cache and error tests. */
static const struct sigv4_header vanilla_headers[] = {
	{ "Host", "example.amazonaws.com" },
	{ "X-Amz-Date", SUITE_DATE },
};
static const struct sigv4_request vanilla = { "GET", "/", NULL, vanilla_headers, 2, NULL, 0 };
static const char vanilla_authz[] =
	"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
	"SignedHeaders=host;x-amz-date, "
	"Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

static int sign_with(struct sigv4_key_cache *cache, const char *akid, const char *date,
		     const char *region, const char *service, const struct sigv4_request *req,
		     char **authz)
{
	struct sigv4_credentials cred = { akid, SUITE_SECRET, NULL };
	struct sigv4_params params = { date, region, service, SIGV4_NORMALIZE_PATH };

	*authz = NULL;
	return sigv4_sign(cache, &cred, &params, req, authz, NULL);
}

static int all_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void test_key_cache(void)
{
	/* HMAC chain over the classic secret, per AWS's "derive a signing key" example. */
	static const char iam_key[] = "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9";
	static const struct sigv4_header late_headers[] = {
		{ "Host", "example.amazonaws.com" },
		{ "X-Amz-Date", "20150830T235959Z" },
	};
	static const struct sigv4_request late = { "GET", "/later", NULL, late_headers, 2, NULL, 0 };
	struct sigv4_key_cache cache;
	char *a = NULL, *b = NULL, hex[65];
	int rc;

	sigv4_key_cache_init(&cache);
	ASSERT_INT_EQ(cache.derivations, 0, "cache: starts empty");
	rc = sign_with(&cache, SUITE_AKID, SUITE_DATE, SUITE_REGION, SUITE_SERVICE, &vanilla, &a);
	ASSERT_INT_EQ(rc, 0, "cache: first signature");
	ASSERT_STR_EQ(a, vanilla_authz, "cache: first signature is right");
	ASSERT_INT_EQ(cache.derivations, 1, "cache: first signature derives the key");
	UNIT_OK(cache.valid && strcmp(cache.date, "20150830") == 0 &&
			strcmp(cache.region, SUITE_REGION) == 0 && strcmp(cache.service, SUITE_SERVICE) == 0 &&
			strcmp(cache.access_key_id, SUITE_AKID) == 0,
		"cache: holds the scope it was derived for");
	free(a);

	rc = sign_with(&cache, SUITE_AKID, SUITE_DATE, SUITE_REGION, SUITE_SERVICE, &vanilla, &a);
	ASSERT_STR_EQ(a, vanilla_authz, "cache: second signature from the cached key is right");
	ASSERT_INT_EQ(cache.derivations, 1, "cache: same scope reuses the key");
	free(a);

	rc = sign_with(&cache, SUITE_AKID, "20150830T235959Z", SUITE_REGION, SUITE_SERVICE, &late, &a);
	ASSERT_INT_EQ(rc, 0, "cache: other request later that day");
	ASSERT_INT_EQ(cache.derivations, 1, "cache: same day, other time and request reuse the key");
	rc = sign_with(NULL, SUITE_AKID, "20150830T235959Z", SUITE_REGION, SUITE_SERVICE, &late, &b);
	ASSERT_INT_EQ(rc, 0, "cache: signing without a cache works");
	ASSERT_STR_EQ(a, b, "cache: cached and fresh keys sign alike");
	free(a);
	free(b);

	rc = sign_with(&cache, SUITE_AKID, "20150831T000000Z", SUITE_REGION, SUITE_SERVICE,
		       &(struct sigv4_request){ "GET", "/", NULL, vanilla_headers, 1, NULL, 0 }, &a);
	ASSERT_INT_EQ(rc, 0, "cache: next day signs");
	ASSERT_INT_EQ(cache.derivations, 2, "cache: a new date derives a new key");
	free(a);
	sign_with(&cache, SUITE_AKID, "20150831T000000Z", "eu-west-1", SUITE_SERVICE,
		  &(struct sigv4_request){ "GET", "/", NULL, vanilla_headers, 1, NULL, 0 }, &a);
	ASSERT_INT_EQ(cache.derivations, 3, "cache: a new region derives a new key");
	free(a);
	sign_with(&cache, SUITE_AKID, "20150831T000000Z", "eu-west-1", "cloudtrail",
		  &(struct sigv4_request){ "GET", "/", NULL, vanilla_headers, 1, NULL, 0 }, &a);
	ASSERT_INT_EQ(cache.derivations, 4, "cache: a new service derives a new key");
	free(a);
	sign_with(&cache, "ASIAROTATED", "20150831T000000Z", "eu-west-1", "cloudtrail",
		  &(struct sigv4_request){ "GET", "/", NULL, vanilla_headers, 1, NULL, 0 }, &a);
	ASSERT_INT_EQ(cache.derivations, 5, "cache: a rotated access key derives a new key");
	free(a);

	sign_with(&cache, SUITE_AKID, SUITE_DATE, SUITE_REGION, "iam", &vanilla, &a);
	ASSERT_INT_EQ(cache.derivations, 6, "cache: one entry, so going back derives again");
	free(a);
	{
		static const char hexdig[] = "0123456789abcdef";
		size_t i;

		for (i = 0; i < sizeof(cache.key); i++) {
			hex[2 * i] = hexdig[cache.key[i] >> 4];
			hex[2 * i + 1] = hexdig[cache.key[i] & 0xf];
		}
		hex[64] = '\0';
	}
	ASSERT_STR_EQ(hex, iam_key, "cache: derived key matches AWS's documented example");

	ASSERT_INT_EQ(sign_with(&cache, SUITE_AKID, "2015083OT123600Z", SUITE_REGION, "iam", &vanilla, &a), -1,
		      "cache: a failed signature");
	ASSERT_INT_EQ(cache.derivations, 6, "cache: a failed signature derives nothing");
	UNIT_OK(cache.valid, "cache: a failed signature keeps the cached key");

	sigv4_key_cache_release(&cache);
	UNIT_OK(!cache.valid && cache.derivations == 0 && all_zero(cache.key, sizeof(cache.key)),
		"cache: release wipes the key");
	sigv4_key_cache_release(NULL);
	sigv4_trace_release(NULL);
	UNIT_OK(1, "cache: release(NULL) and trace_release(NULL) are no-ops");
}

/* Requests shaped like trailsift's; answers from botocore 1.43 SigV4Auth. */
static void test_trailsift_requests(void)
{
	static const char body[] = "{\"MaxResults\":50,\"LookupAttributes\":[{\"AttributeKey\":"
				   "\"EventSource\",\"AttributeValue\":\"mgn.amazonaws.com\"}]}";
	static const struct sigv4_header ct_headers[] = {
		{ "Content-Type", "application/x-amz-json-1.1" },
		{ "X-Amz-Target", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents" },
		{ "Host", "cloudtrail.eu-west-1.amazonaws.com" },
	};
	static const struct sigv4_request ct = { "POST", "/", NULL, ct_headers, 3, body, sizeof(body) - 1 };
	static const char sts_body[] = "Action=GetCallerIdentity&Version=2011-06-15";
	static const struct sigv4_header sts_headers[] = {
		{ "Host", "sts.amazonaws.com" },
		{ "Content-Type", "application/x-www-form-urlencoded; charset=utf-8" },
	};
	static const struct sigv4_request sts = { "POST", "/", NULL, sts_headers, 2, sts_body,
						  sizeof(sts_body) - 1 };
	struct sigv4_credentials cred = { "ASIAEXAMPLE123", SUITE_SECRET, "FQoGZXIvYXdzEXAMPLETOKEN//+=" };
	struct sigv4_params params = { NULL, "eu-west-1", "cloudtrail", SIGV4_NORMALIZE_PATH };
	char date[SIGV4_AMZ_DATE_LEN + 1];
	struct sigv4_key_cache cache;
	char *authz = NULL;

	sigv4_key_cache_init(&cache);
	sigv4_format_amz_date((time_t)1709251198, date);
	params.amz_date = date;
	ASSERT_INT_EQ(sigv4_sign(&cache, &cred, &params, &ct, &authz, NULL), 0, "cloudtrail: signs");
	ASSERT_STR_EQ(authz,
		      "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE123/20240229/eu-west-1/cloudtrail/aws4_request, "
		      "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
		      "Signature=c494db27d93c15188ad0b7c75b574e2a50f221fd521fba0aace8d44a112a8b1f",
		      "cloudtrail: LookupEvents with a session token matches botocore");
	free(authz);
	sigv4_key_cache_release(&cache);

	cred.access_key_id = SUITE_AKID;
	cred.session_token = NULL;
	params.amz_date = "20240301T000000Z";
	params.region = "us-east-1";
	params.service = "sts";
	ASSERT_INT_EQ(sigv4_sign(NULL, &cred, &params, &sts, &authz, NULL), 0, "sts: signs");
	ASSERT_STR_EQ(authz,
		      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240301/us-east-1/sts/aws4_request, "
		      "SignedHeaders=content-type;host;x-amz-date, "
		      "Signature=6ef3edab543e482351b7744f775cf9eec7b270f410709eecaa399fbc65314855",
		      "sts: GetCallerIdentity matches botocore");
	free(authz);
}

/* Canonical request of a GET to "/" with Host only, for the corner cases. */
static char *creq_of(const char *path, const char *query, const char *name, const char *value,
		     unsigned flags)
{
	struct sigv4_header h[2] = { { "Host", "h" }, { name, value } };
	struct sigv4_request req = { "GET", path, query, h, name ? 2 : 1, NULL, 0 };
	char *out = NULL;

	if (sigv4_canonical_request(&req, flags, &out) < 0)
		return NULL;
	return out;
}

/* Line n (0-based) of s, in a static buffer. */
static const char *line_of(const char *s, int n)
{
	static char line[512];
	const char *end;
	size_t len;

	if (!s)
		return NULL;
	while (n-- > 0) {
		s = strchr(s, '\n');
		if (!s)
			return NULL;
		s++;
	}
	end = strchr(s, '\n');
	len = end ? (size_t)(end - s) : strlen(s);
	if (len >= sizeof(line))
		return NULL;
	memcpy(line, s, len);
	line[len] = '\0';
	return line;
}

static void check_line(const char *path, const char *query, const char *name, const char *value,
		       unsigned flags, int n, const char *want, const char *what)
{
	char *creq = creq_of(path, query, name, value, flags);

	ASSERT_STR_EQ(line_of(creq, n), want, "%s", what);
	free(creq);
}

static void test_canonical_corners(void)
{
	const unsigned N = SIGV4_NORMALIZE_PATH;

	check_line(NULL, NULL, NULL, NULL, 0, 1, "/", "path: NULL is /");
	check_line("", NULL, NULL, NULL, N, 1, "/", "path: empty is /");
	check_line("/a/b/../c/./d/", NULL, NULL, NULL, N, 1, "/a/c/d/", "path: dot segments removed");
	check_line("/a/b/..", NULL, NULL, NULL, N, 1, "/a", "path: trailing .. leaves no slash");
	check_line("/../..", NULL, NULL, NULL, N, 1, "/", "path: .. above the root stays at the root");
	check_line("/a//b///", NULL, NULL, NULL, N, 1, "/a/b/", "path: duplicate slashes collapsed");
	check_line("/a//b/./", NULL, NULL, NULL, 0, 1, "/a//b/./", "path: kept as is without normalize");
	check_line("/a%2Fb c", NULL, NULL, NULL, N, 1, "/a%252Fb%20c", "path: encoded once more (double encoding)");
	check_line("/..%2F", NULL, NULL, NULL, N, 1, "/..%252F", "path: an encoded slash is no separator");
	check_line("/", "b=1&a=2&a=1&A=3", NULL, NULL, N, 2, "A=3&a=1&a=2&b=1",
		   "query: sorted by key, then value, byte order");
	check_line("/", "a+b=c d&%e1%88%b4=%7e", NULL, NULL, N, 2, "%E1%88%B4=~&a%2Bb=c%20d",
		   "query: decoded and re-encoded; + is literal");
	check_line("/", "&&k&a=b=c&", NULL, NULL, N, 2, "a=b%3Dc&k=", "query: empty pieces dropped, no value is =");
	check_line("/", "=v", NULL, NULL, N, 2, "=v", "query: empty key kept");
	check_line("/", "", NULL, NULL, N, 2, "", "query: empty string");
	check_line("/", NULL, "X-Spaced", " \t a \t  b\t", N, 4, "x-spaced:a b", "header: trimmed and collapsed");
	check_line("/", NULL, "X-Empty", "   ", N, 4, "x-empty:", "header: blank value is empty");
	check_line("/", NULL, "HOST", "h2", N, 3, "host:h,h2", "header: names fold case before joining");
	check_line("/", NULL, "HOST", "h2", N, 5, "host", "header: one signed entry per name");

	{
		char *creq = creq_of("/", "a=%zz", NULL, NULL, N);

		UNIT_OK(creq == NULL, "query: a bad escape fails");
		free(creq);
		creq = creq_of("/", "a=%4", NULL, NULL, N);
		UNIT_OK(creq == NULL, "query: a truncated escape fails");
		free(creq);
		creq = creq_of("/", NULL, "Bad Name", "v", N);
		UNIT_OK(creq == NULL, "header: a name with a space fails");
		free(creq);
		creq = creq_of("/", NULL, "", "v", N);
		UNIT_OK(creq == NULL, "header: an empty name fails");
		free(creq);
		creq = creq_of("/", NULL, "X-Injected", "a\r\nEvil: 1", N);
		UNIT_OK(creq == NULL, "header: CR LF in a value fails");
		free(creq);
		creq = creq_of("/", NULL, "X-Null", NULL, N);
		UNIT_OK(creq == NULL, "header: a NULL value fails");
		free(creq);
	}
}

static void test_failures(void)
{
	struct sigv4_credentials cred = { SUITE_AKID, SUITE_SECRET, NULL };
	struct sigv4_params params = { SUITE_DATE, SUITE_REGION, SUITE_SERVICE, SIGV4_NORMALIZE_PATH };
	struct sigv4_header wrong_date[] = { { "Host", "h" }, { "x-amz-date", "20150830T123601Z" } };
	struct sigv4_header spaced_date[] = { { "Host", "h" }, { "x-amz-date", " " SUITE_DATE " " } };
	struct sigv4_request req = { "GET", "/", NULL, wrong_date, 2, NULL, 0 };
	struct sigv4_trace trace = { NULL, NULL };
	char *authz = (char *)"untouched", *out = (char *)"untouched";

	ASSERT_INT_EQ(sigv4_sign(NULL, &cred, &params, &req, &authz, &trace), -1,
		      "sign: X-Amz-Date other than amz_date fails");
	UNIT_OK(authz == NULL && !trace.canonical_request && !trace.string_to_sign,
		"sign: outputs NULL after a failure");
	req.headers = spaced_date;
	ASSERT_INT_EQ(sigv4_sign(NULL, &cred, &params, &req, &authz, NULL), 0,
		      "sign: X-Amz-Date equal once trimmed is accepted");
	free(authz);

	req.headers = vanilla_headers;
	req.n_headers = 0;
	ASSERT_INT_EQ(sigv4_canonical_request(&req, 0, &out), -1, "canonical: no headers fails");
	UNIT_OK(out == NULL, "canonical: output NULL after a failure");
	req.n_headers = 2;
	req.method = "GE T";
	ASSERT_INT_EQ(sigv4_canonical_request(&req, 0, &out), -1, "canonical: bad method fails");
	req.method = "";
	ASSERT_INT_EQ(sigv4_canonical_request(&req, 0, &out), -1, "canonical: empty method fails");
	req.method = "GET";
	req.body_len = 1;
	ASSERT_INT_EQ(sigv4_canonical_request(&req, 0, &out), -1, "canonical: NULL body with a length fails");
	req.body_len = 0;
	ASSERT_INT_EQ(sigv4_canonical_request(NULL, 0, &out), -1, "canonical: NULL request fails");

	ASSERT_INT_EQ(sigv4_string_to_sign("20150830T1236Z", "r", "s", "", &out), -1, "sts: short date fails");
	ASSERT_INT_EQ(sigv4_string_to_sign("20150830 123600Z", "r", "s", "", &out), -1, "sts: no T fails");
	ASSERT_INT_EQ(sigv4_string_to_sign(SUITE_DATE, "us/east", "s", "", &out), -1, "sts: '/' in region fails");
	ASSERT_INT_EQ(sigv4_string_to_sign(SUITE_DATE, "r", "", "", &out), -1, "sts: empty service fails");
	ASSERT_INT_EQ(sigv4_string_to_sign(SUITE_DATE, "r", "s", NULL, &out), -1, "sts: NULL creq fails");

	cred.access_key_id = "AKID/EXAMPLE";
	ASSERT_INT_EQ(sigv4_sign(NULL, &cred, &params, &vanilla, &authz, NULL), -1, "sign: '/' in access key fails");
	cred.access_key_id = "";
	ASSERT_INT_EQ(sigv4_sign(NULL, &cred, &params, &vanilla, &authz, NULL), -1, "sign: empty access key fails");
	cred.access_key_id = SUITE_AKID;
	cred.secret_access_key = NULL;
	ASSERT_INT_EQ(sigv4_sign(NULL, &cred, &params, &vanilla, &authz, NULL), -1, "sign: NULL secret fails");
	cred.secret_access_key = SUITE_SECRET;
	ASSERT_INT_EQ(sigv4_sign(NULL, NULL, &params, &vanilla, &authz, NULL), -1, "sign: NULL credentials fail");
	ASSERT_INT_EQ(sigv4_sign(NULL, &cred, NULL, &vanilla, &authz, NULL), -1, "sign: NULL params fail");
	ASSERT_INT_EQ(sigv4_sign(NULL, &cred, &params, NULL, &authz, NULL), -1, "sign: NULL request fails");
	ASSERT_INT_EQ(sigv4_sign(NULL, &cred, &params, &vanilla, NULL, NULL), -1, "sign: NULL output fails");

	/* The token is signed when the caller already sends it, not added twice. */
	{
		struct sigv4_header with_token[] = { { "Host", "example.amazonaws.com" },
						     { "X-Amz-Date", SUITE_DATE },
						     { "x-amz-security-token", "tok" } };
		struct sigv4_request tok_req = { "GET", "/", NULL, with_token, 3, NULL, 0 };
		struct sigv4_trace t;

		cred.session_token = "tok";
		ASSERT_INT_EQ(sigv4_sign(NULL, &cred, &params, &tok_req, &authz, &t), 0, "sign: token header given");
		ASSERT_STR_EQ(line_of(t.canonical_request, 5), "x-amz-security-token:tok",
			      "sign: a token header already present is not added again");
		free(authz);
		sigv4_trace_release(&t);
		UNIT_OK(t.canonical_request == NULL && t.string_to_sign == NULL, "trace: release NULLs the fields");
	}
}

int main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : DEFAULT_VECTORS;
	char readme[4096];

	UNIT_OK(path_join(readme, sizeof(readme), root, "README.md", NULL) == 0 && file_exists(readme),
		"vectors found in %s", root);
	run_classic(root);
	run_crt(root);
	test_parser();
	test_helpers();
	test_key_cache();
	test_trailsift_requests();
	test_canonical_corners();
	test_failures();
	return unit_exit();
}
