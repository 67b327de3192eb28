/*
 * verify_s3.c - the digest files of a trail's bucket; see verify_s3.h.
 */
#include "verify_s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "msg.h"
#include "s3.h"
#include "timeparse.h"

#define DIGEST_OBJECT_MAX (64u << 20)

struct lister {
	const struct verify_opts *o;
	struct s3 s;
	void (*add)(void *ctx, struct digest *d);
	void *ctx;
	long long *unreadable;
};

static int collect(void *arg, const void *data, size_t len)
{
	return buf_add(arg, data, len);
}

/* The end time in a digest key's name (..._YYYYMMDDTHHMMSSZ.json.gz); -1 if none. */
static long long key_end_time(const char *key)
{
	const char *p = strstr(key, ".json.gz");
	char iso[32];
	long long ms;

	if (!p || p - key < 16)
		return -1;
	if (p - key > 25 && !strncmp(p - 9, "_backfill", 9))
		p -= 9;
	p -= 16;
	snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", p, p + 4, p + 6, p + 9, p + 11,
		 p + 13);
	return time_parse_iso(iso, strlen(iso), 0, &ms) ? -1 : ms;
}

/* Reads one digest object and its signature. */
static void read_digest(struct lister *l, const char *key)
{
	struct buf body;
	struct s3_head h;
	struct digest *d = xcalloc(1, sizeof(*d));
	char shown[1200], url[1200], err[600];
	long long end = key_end_time(key);

	if ((l->o->since_ms >= 0 && end >= 0 && end < l->o->since_ms) ||
	    (l->o->until_ms >= 0 && end > l->o->until_ms)) {
		free(d);
		return;
	}
	s3_shown(l->s.b->name, key, shown, sizeof(shown));
	snprintf(url, sizeof(url), "s3://%s/%s", l->s.b->name, key);
	buf_init(&body, DIGEST_OBJECT_MAX);
	memset(&h, 0, sizeof(h));
	if (s3_get(&l->s, key, NULL, collect, &body, NULL, err, sizeof(err)) != S3_GET_OK ||
	    s3_head(&l->s, key, &h, err, sizeof(err)) ||
	    digest_load_bytes(url, body.data, body.len, d, err, sizeof(err))) {
		error("verify: %s: %s", shown, err);
		(*l->unreadable)++;
		digest_release(d);
		free(d);
	} else {
		for (size_t i = 0; i < h.n_meta; i++)
			if (!strcmp(h.meta[i].name, "signature") && !d->signature)
				d->signature = xstrdup(h.meta[i].value);
		l->add(l->ctx, d);
	}
	s3_head_release(&h);
	buf_release(&body);
}

/*
 * Lists prefix: with a delimiter, calls fn(l, common prefix) for the next
 * level; without, fn(l, key) for every object. 0 or -1 (printed).
 */
static int list(struct lister *l, const char *prefix, int by_level,
		int (*fn)(struct lister *l, const char *name))
{
	struct s3_list_req rq;
	char *token = NULL, err[600], shown[1200];
	int rc = 0;

	do {
		struct s3_page page;

		memset(&rq, 0, sizeof(rq));
		rq.prefix = prefix;
		rq.delimiter = by_level ? "/" : NULL;
		rq.continuation = token;
		if (s3_list(&l->s, &rq, &page, err, sizeof(err))) {
			s3_shown(l->s.b->name, prefix, shown, sizeof(shown));
			rc = error("verify: listing %s: %s", shown, err);
			break;
		}
		for (size_t i = 0; !rc && by_level && i < page.n_prefixes; i++)
			rc = fn(l, page.prefixes[i]);
		for (size_t i = 0; !rc && !by_level && i < page.n_objects; i++)
			rc = fn(l, page.objects[i].key);
		free(token);
		token = page.next_token ? xstrdup(page.next_token) : NULL;
		s3_page_release(&page);
	} while (!rc && token);
	free(token);
	return rc;
}

static int on_digest_key(struct lister *l, const char *key)
{
	size_t n = strlen(key);

	if (n > 8 && !strcmp(key + n - 8, ".json.gz") && strstr(key, "_CloudTrail-Digest_"))
		read_digest(l, key);
	return 0;
}

/* AWSLogs/ACCOUNT/ (or AWSLogs/o-ID/, one level more): its CloudTrail-Digest/ objects. */
static int on_level(struct lister *l, const char *prefix)
{
	const char *last = prefix + strlen(prefix) - 1;
	char next[1100];

	while (last > prefix && last[-1] != '/')
		last--;
	if (!strncmp(last, "o-", 2))
		return list(l, prefix, 1, on_level);
	snprintf(next, sizeof(next), "%sCloudTrail-Digest/", prefix);
	return list(l, next, 0, on_digest_key);
}

int verify_s3_digests(const struct verify_opts *o, void (*add)(void *ctx, struct digest *d),
		      void *ctx, long long *unreadable)
{
	struct lister l;
	struct s3_bucket b;
	struct s3_setup setup;
	char bucket[64], top[1100], err[600];
	const char *prefix;
	int rc;

	memset(&l, 0, sizeof(l));
	l.o = o;
	l.add = add;
	l.ctx = ctx;
	l.unreadable = unreadable;
	if (s3_parse_url(o->source, bucket, &prefix))
		return error("verify: '%s' is not s3://BUCKET[/PREFIX]", o->source);
	memset(&setup, 0, sizeof(setup));
	setup.profile = o->profile;
	setup.ca_bundle = o->ca_bundle;
	if (s3_bucket_open(&b, bucket, &setup, err, sizeof(err)))
		return error("verify: %s", err);
	if (s3_init(&l.s, &b, err, sizeof(err)) || s3_bucket_locate(&l.s, err, sizeof(err))) {
		error("verify: %s", err);
		s3_release(&l.s);
		s3_bucket_close(&b);
		return -1;
	}
	snprintf(top, sizeof(top), "%s%sAWSLogs/", prefix, *prefix && prefix[strlen(prefix) - 1] != '/' ?
		 "/" : "");
	rc = list(&l, top, 1, on_level);
	s3_release(&l.s);
	s3_bucket_close(&b);
	return rc;
}
