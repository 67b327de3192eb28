/*
 * sts.c - STS GetCallerIdentity and AssumeRole; see sts.h.
 */
#include "sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "http.h"
#include "msg.h"
#include "pace.h"
#include "timeparse.h"

#define STS_ATTEMPTS 4
#define STS_CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"

int sts_init(struct sts_client *s, struct http *h, const char *region, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->http = h;
	sigv4_key_cache_init(&s->kc);
	return aws_endpoint_init(&s->ep, "sts", region, aws_endpoint_from_env("STS"), err, errlen);
}

void sts_release(struct sts_client *s)
{
	sigv4_key_cache_release(&s->kc);
}

int sts_form_add(struct buf *b, const char *key, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	if (b->len)
		rc |= buf_addch(b, '&');
	rc |= buf_addstr(b, key);
	rc |= buf_addch(b, '=');
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			rc |= buf_addch(b, *p);
		} else {
			rc |= buf_addch(b, '%');
			rc |= buf_addch(b, hex[*p >> 4]);
			rc |= buf_addch(b, hex[*p & 15]);
		}
	}
	return rc ? -1 : 0;
}

/* Decodes XML's five entities and numeric references into b. */
static void xml_decode(struct buf *b, const char *s, size_t n)
{
	static const struct { const char *name; char ch; } ents[] = {
		{ "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' }, { "quot;", '"' }, { "apos;", '\'' },
	};

	for (size_t i = 0; i < n; i++) {
		size_t k;

		if (s[i] != '&') {
			buf_addch(b, s[i]);
			continue;
		}
		for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
			size_t el = strlen(ents[k].name);

			if (n - i - 1 >= el && !memcmp(s + i + 1, ents[k].name, el)) {
				buf_addch(b, ents[k].ch);
				i += el;
				break;
			}
		}
		if (k < sizeof(ents) / sizeof(ents[0]))
			continue;
		if (i + 2 < n && s[i + 1] == '#') {
			unsigned long cp = 0;
			size_t j = i + 2;
			int base = 10;

			if (s[j] == 'x' || s[j] == 'X') {
				base = 16;
				j++;
			}
			for (; j < n && s[j] != ';' && cp < 0x110000; j++) {
				int d = s[j] >= '0' && s[j] <= '9' ? s[j] - '0' :
					base == 16 && s[j] >= 'a' && s[j] <= 'f' ? s[j] - 'a' + 10 :
					base == 16 && s[j] >= 'A' && s[j] <= 'F' ? s[j] - 'A' + 10 : -1;

				if (d < 0)
					break;
				cp = cp * (unsigned long)base + (unsigned long)d;
			}
			if (j < n && s[j] == ';' && cp && cp < 0x110000) {
				if (cp < 0x80) {
					buf_addch(b, (int)cp);
				} else if (cp < 0x800) {
					buf_addch(b, (int)(0xc0 | (cp >> 6)));
					buf_addch(b, (int)(0x80 | (cp & 0x3f)));
				} else if (cp < 0x10000) {
					buf_addch(b, (int)(0xe0 | (cp >> 12)));
					buf_addch(b, (int)(0x80 | ((cp >> 6) & 0x3f)));
					buf_addch(b, (int)(0x80 | (cp & 0x3f)));
				} else {
					buf_addch(b, (int)(0xf0 | (cp >> 18)));
					buf_addch(b, (int)(0x80 | ((cp >> 12) & 0x3f)));
					buf_addch(b, (int)(0x80 | ((cp >> 6) & 0x3f)));
					buf_addch(b, (int)(0x80 | (cp & 0x3f)));
				}
				i = j;
				continue;
			}
		}
		buf_addch(b, '&');
	}
}

char *sts_xml_value(const char *xml, size_t len, const char *tag)
{
	char open[80], close[80];
	const char *end = xml + len, *p = xml, *start, *stop;
	size_t ol, cl;
	struct buf b;

	if ((size_t)snprintf(open, sizeof(open), "<%s", tag) >= sizeof(open) ||
	    (size_t)snprintf(close, sizeof(close), "</%s>", tag) >= sizeof(close))
		return NULL;
	ol = strlen(open);
	cl = strlen(close);
	for (;;) {
		p = memmem(p, (size_t)(end - p), open, ol);
		if (!p)
			return NULL;
		p += ol;
		if (p < end && (*p == '>' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			break; /* not a longer tag name that starts alike */
	}
	start = memchr(p, '>', (size_t)(end - p));
	if (!start)
		return NULL;
	if (start[-1] == '/')
		return xstrdup(""); /* <Tag/> */
	start++;
	stop = memmem(start, (size_t)(end - start), close, cl);
	if (!stop)
		return NULL;
	buf_init(&b, len + 1);
	xml_decode(&b, start, (size_t)(stop - start));
	return buf_detach(&b, NULL);
}

static void wipe_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

int sts_parse_credentials(const char *xml, size_t len, struct aws_creds *out, char *err,
			  size_t errlen)
{
	const char *creds = memmem(xml, len, "<Credentials>", 13);
	char *exp = NULL;
	long long ms;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!creds) {
		snprintf(err, errlen, "the answer has no Credentials");
		return -1;
	}
	n = len - (size_t)(creds - xml);
	out->access_key_id = sts_xml_value(creds, n, "AccessKeyId");
	out->secret_access_key = sts_xml_value(creds, n, "SecretAccessKey");
	out->session_token = sts_xml_value(creds, n, "SessionToken");
	exp = sts_xml_value(creds, n, "Expiration");
	if (!out->access_key_id || !*out->access_key_id || !out->secret_access_key ||
	    !*out->secret_access_key || !out->session_token || !*out->session_token) {
		snprintf(err, errlen, "the answer lacks AccessKeyId, SecretAccessKey or SessionToken");
		free(exp);
		aws_creds_release(out);
		return -1;
	}
	if (!exp || time_parse_iso(exp, strlen(exp), 0, &ms)) {
		snprintf(err, errlen, "the answer has no readable Expiration");
		free(exp);
		aws_creds_release(out);
		return -1;
	}
	free(exp);
	out->expires_ms = ms;
	out->obtained_ms = time_now_ms();
	return 0;
}

static void sleep_ms(long long ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

/*
 * Sends one STS action (body) with retries. On success returns 0 with the
 * answer in s->http->body. Otherwise -1 with one line in err.
 */
static int call(struct sts_client *s, const struct aws_creds *cr, const char *action,
		const struct buf *body, char *err, size_t errlen)
{
	struct http *h = s->http;
	char last[600] = "";

	for (int attempt = 1; attempt <= STS_ATTEMPTS; attempt++) {
		int rc;

		if (attempt > 1)
			sleep_ms(pace_backoff_ms(attempt - 1, 200, 2000, pace_random()));
		rc = aws_post(h, &s->kc, &s->ep, cr, STS_CONTENT_TYPE, NULL, body->data, body->len);
		if (rc == HTTP_ANSWERED && h->status == 200)
			return 0;
		if (rc == HTTP_ANSWERED) {
			char *code = sts_xml_value(h->body.data, h->body.len, "Code");
			char *msg = sts_xml_value(h->body.data, h->body.len, "Message");
			char clean[300];
			const char *hint;
			enum aws_error_kind kind = aws_error_classify(code ? code : "", h->status,
								      msg, &hint);

			aws_clean_message(msg, cr, clean, sizeof(clean));
			snprintf(last, sizeof(last), "%s%s%s", code && *code ? code : "",
				 code && *code && clean[0] ? ": " : "", clean);
			if (!last[0])
				snprintf(last, sizeof(last), "HTTP %ld", h->status);
			if (*hint)
				snprintf(last + strlen(last), sizeof(last) - strlen(last),
					 " (likely cause: %s)", hint);
			free(code);
			wipe_free(msg);
			http_wipe_body(h);
			if (kind != AWS_ERR_RETRY)
				break;
		} else {
			snprintf(last, sizeof(last), "%s", h->error);
			if (rc != HTTP_RETRYABLE)
				break;
		}
	}
	snprintf(err, errlen, "STS %s at %s failed: %s", action, s->ep.url, last);
	return -1;
}

int sts_get_caller_identity(struct sts_client *s, const struct aws_creds *cr, char *account,
			    char *err, size_t errlen)
{
	struct buf body;
	char *acct;
	int rc;

	buf_init(&body, 4096);
	sts_form_add(&body, "Action", "GetCallerIdentity");
	sts_form_add(&body, "Version", "2011-06-15");
	rc = call(s, cr, "GetCallerIdentity", &body, err, errlen);
	buf_release(&body);
	if (rc)
		return -1;
	acct = sts_xml_value(s->http->body.data, s->http->body.len, "Account");
	http_wipe_body(s->http);
	if (!acct || strlen(acct) != 12 || strspn(acct, "0123456789") != 12) {
		snprintf(err, errlen, "STS GetCallerIdentity at %s: the answer has no 12-digit Account",
			 s->ep.url);
		free(acct);
		return -1;
	}
	memcpy(account, acct, 13);
	free(acct);
	return 0;
}

int sts_assume_role(struct sts_client *s, const struct aws_creds *cr, const struct sts_role *r,
		    struct aws_creds *out, char *err, size_t errlen)
{
	struct buf body;
	char why[200];
	int rc;

	memset(out, 0, sizeof(*out));
	buf_init(&body, 16384);
	sts_form_add(&body, "Action", "AssumeRole");
	sts_form_add(&body, "Version", "2011-06-15");
	sts_form_add(&body, "RoleArn", r->role_arn);
	sts_form_add(&body, "RoleSessionName", r->session_name);
	if (r->duration_s > 0) {
		char d[24];

		snprintf(d, sizeof(d), "%ld", r->duration_s);
		sts_form_add(&body, "DurationSeconds", d);
	}
	if (r->external_id)
		sts_form_add(&body, "ExternalId", r->external_id);
	rc = call(s, cr, "AssumeRole", &body, err, errlen);
	buf_release(&body);
	if (rc)
		return -1;
	rc = sts_parse_credentials(s->http->body.data, s->http->body.len, out, why, sizeof(why));
	http_wipe_body(s->http);
	if (rc) {
		snprintf(err, errlen, "STS AssumeRole at %s: %s", s->ep.url, why);
		return -1;
	}
	return 0;
}
