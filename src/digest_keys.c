/*
 * digest_keys.c - CloudTrail ListPublicKeys, cached in the store; see
 * digest_keys.h.
 */
#include "digest_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <yajl/yajl_tree.h>

#include "awsreq.h"
#include "creds.h"
#include "http.h"
#include "lookup.h"
#include "msg.h"
#include "sigv4.h"
#include "store.h"
#include "timeparse.h"
#include "ytree.h"

#define LIST_KEYS_TARGET "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListPublicKeys"
#define ATTEMPTS 4

/* A region asked about in this run. */
struct region_state {
	char *region;
	int fetched;                /* 1 fetched (and stored), -1 failed */
	char *why;                  /* why it failed */
};

struct digest_keys {
	sqlite3 *db;
	const char *profile, *endpoint_url, *ca_bundle;
	struct creds *creds;
	int net_ready;              /* 1 ready, -1 failed (why in net_error) */
	int curl_ready;             /* http_global_init() done */
	char net_error[600];
	struct region_state *regions;
	size_t nregions;
	unsigned char *der;         /* the last key found */
	size_t derlen;
};

struct digest_keys *digest_keys_new(sqlite3 *db, const char *profile, const char *endpoint_url,
				    const char *ca_bundle)
{
	struct digest_keys *k = xcalloc(1, sizeof(*k));

	k->db = db;
	k->profile = profile;
	k->endpoint_url = endpoint_url;
	k->ca_bundle = ca_bundle ? ca_bundle : getenv("AWS_CA_BUNDLE");
	return k;
}

void digest_keys_free(struct digest_keys *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->nregions; i++) {
		free(k->regions[i].region);
		free(k->regions[i].why);
	}
	free(k->regions);
	free(k->der);
	if (k->creds)
		creds_free(k->creds);
	if (k->curl_ready)
		http_global_cleanup();
	free(k);
}

/* The stored key of region with fingerprint fp; 1 found (k->der set), 0 not, -1 error. */
static int stored_key(struct digest_keys *k, const char *region, const char *fp)
{
	sqlite3_stmt *st = store_prepare(k->db,
		"SELECT der FROM digest_public_keys WHERE region = :region AND fingerprint = :fp");
	int found = 0;

	if (!st)
		return -1;
	store_bind_text(st, ":region", region, -1);
	store_bind_text(st, ":fp", fp, -1);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const void *p = sqlite3_column_blob(st, 0);
		int n = sqlite3_column_bytes(st, 0);

		free(k->der);
		k->der = xmalloc(n > 0 ? (size_t)n : 1);
		memcpy(k->der, p, (size_t)n);
		k->derlen = (size_t)n;
		found = 1;
	}
	sqlite3_finalize(st);
	return found;
}

static struct region_state *region_state(struct digest_keys *k, const char *region)
{
	for (size_t i = 0; i < k->nregions; i++)
		if (!strcmp(k->regions[i].region, region))
			return &k->regions[i];
	k->regions = xrealloc(k->regions, (k->nregions + 1) * sizeof(*k->regions));
	memset(&k->regions[k->nregions], 0, sizeof(*k->regions));
	k->regions[k->nregions].region = xstrdup(region);
	return &k->regions[k->nregions++];
}

static int net_setup(struct digest_keys *k)
{
	struct http_opts ho;

	if (k->net_ready)
		return k->net_ready > 0 ? 0 : -1;
	k->net_ready = -1;
	k->creds = creds_new(k->profile, k->net_error, sizeof(k->net_error));
	if (!k->creds)
		return -1;
	if (http_global_init()) {
		snprintf(k->net_error, sizeof(k->net_error), "cannot initialise libcurl");
		return -1;
	}
	k->curl_ready = 1;
	memset(&ho, 0, sizeof(ho));
	ho.ca_bundle = k->ca_bundle;
	if (creds_connect(k->creds, &ho, k->net_error, sizeof(k->net_error)))
		return -1;
	k->net_ready = 1;
	return 0;
}

/* base64 to bytes; -1 when s is not base64. */
static long unbase64(const char *s, unsigned char **out)
{
	size_t n = strlen(s);
	int len;

	if (!n || n % 4)
		return -1;
	*out = xmalloc(n / 4 * 3 + 1);
	len = EVP_DecodeBlock(*out, (const unsigned char *)s, (int)n);
	if (len < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes */
	len -= (n >= 1 && s[n - 1] == '=') + (n >= 2 && s[n - 2] == '=');
	return len;
}

/* Stores the keys of a ListPublicKeys answer. 0, or -1 with err set. */
static int store_keys(struct digest_keys *k, const char *region, const char *body, char *err,
		      size_t errlen)
{
	char yerr[200], now[32];
	yajl_val doc = yajl_tree_parse(body, yerr, sizeof(yerr));
	yajl_val list = ytree_get(doc, "PublicKeyList", yajl_t_array);
	sqlite3_stmt *st;
	int rc = 0;

	if (!list) {
		snprintf(err, errlen, "ListPublicKeys answered without a PublicKeyList");
		yajl_tree_free(doc);
		return -1;
	}
	st = store_prepare(k->db, "INSERT OR REPLACE INTO digest_public_keys"
			   " (fingerprint, region, der, valid_from, valid_until, fetched_at)"
			   " VALUES (:fp, :region, :der, :from, :until, :at)");
	time_now_iso(now);
	for (size_t i = 0; st && !rc && i < ytree_len(list); i++) {
		yajl_val v = ytree_item(list, i);
		const char *fp = ytree_str(v, "Fingerprint"), *value = ytree_str(v, "Value");
		yajl_val from = ytree_get(v, "ValidityStartTime", yajl_t_number);
		yajl_val until = ytree_get(v, "ValidityEndTime", yajl_t_number);
		unsigned char *der = NULL;
		long len = value ? unbase64(value, &der) : -1;

		if (!fp || len <= 0) {
			snprintf(err, errlen, "ListPublicKeys: key %zu has no Fingerprint or no base64"
				 " Value", i);
			free(der);
			rc = -1;
			break;
		}
		store_bind_text(st, ":fp", fp, -1);
		store_bind_text(st, ":region", region, -1);
		sqlite3_bind_blob(st, sqlite3_bind_parameter_index(st, ":der"), der, (int)len,
				  SQLITE_TRANSIENT);
		store_bind_known(st, ":from", from ? (long long)YAJL_GET_DOUBLE(from) : -1);
		store_bind_known(st, ":until", until ? (long long)YAJL_GET_DOUBLE(until) : -1);
		store_bind_text(st, ":at", now, -1);
		free(der);
		if (store_step_done(st)) {
			snprintf(err, errlen, "cannot store the public keys");
			rc = -1;
		}
	}
	sqlite3_finalize(st);
	yajl_tree_free(doc);
	return st ? rc : -1;
}

/* Asks region's CloudTrail for the keys of from..to and stores them. 0 or -1. */
static int fetch(struct digest_keys *k, const char *region, long long from_ms, long long to_ms,
		 char *err, size_t errlen)
{
	struct aws_endpoint ep;
	struct sigv4_key_cache kc;
	struct http h;
	struct http_opts ho;
	char body[128];
	int rc = -1;

	if (net_setup(k)) {
		snprintf(err, errlen, "%s", k->net_error);
		return -1;
	}
	if (aws_endpoint_init(&ep, "cloudtrail", region, k->endpoint_url ? k->endpoint_url :
			      aws_endpoint_from_env("CLOUDTRAIL"), err, errlen))
		return -1;
	creds_sts_region(k->creds, region, err, errlen);
	memset(&ho, 0, sizeof(ho));
	ho.ca_bundle = k->ca_bundle;
	if (http_init(&h, &ho)) {
		snprintf(err, errlen, "%s", h.error);
		return -1;
	}
	sigv4_key_cache_init(&kc);
	/* a key is valid for a while around the digests it signed: ask a day wider */
	snprintf(body, sizeof(body), "{\"StartTime\":%lld,\"EndTime\":%lld}",
		 from_ms / 1000 - 86400, to_ms / 1000 + 86400);
	for (int attempt = 1; attempt <= ATTEMPTS && rc; attempt++) {
		struct aws_creds cr;
		char code[128];
		const char *hint;
		int got;

		if (creds_get(k->creds, NULL, &cr, err, errlen))
			break;
		got = aws_post(&h, &kc, &ep, &cr, LOOKUP_CONTENT_TYPE, LIST_KEYS_TARGET, body,
			       strlen(body));
		aws_creds_release(&cr);
		if (got == HTTP_RETRYABLE) {
			snprintf(err, errlen, "ListPublicKeys at %s: no answer: %s", ep.url, h.error);
			continue;
		}
		if (got != HTTP_ANSWERED) {
			snprintf(err, errlen, "ListPublicKeys at %s: %s", ep.url, h.error);
			break;
		}
		if (h.status == 200) {
			rc = store_keys(k, region, h.body.data, err, errlen);
			break;
		}
		aws_error_code(h.error_type, code, sizeof(code));
		snprintf(err, errlen, "ListPublicKeys at %s: HTTP %ld %s", ep.url, h.status, code);
		if (aws_error_classify(code, h.status, NULL, &hint) != AWS_ERR_RETRY)
			break;
	}
	sigv4_key_cache_release(&kc);
	http_release(&h);
	return rc;
}

int digest_keys_find(struct digest_keys *k, const char *region, const char *fp,
		     long long from_ms, long long to_ms, const unsigned char **der, size_t *len,
		     char *err, size_t errlen)
{
	struct region_state *rs;
	int found = fp ? stored_key(k, region, fp) : 0;

	if (found < 0) {
		snprintf(err, errlen, "cannot read the stored public keys");
		return -1;
	}
	if (!found) {
		rs = region_state(k, region);
		if (!rs->fetched) {
			char why[2600];

			rs->fetched = fetch(k, region, from_ms, to_ms, why, sizeof(why)) ? -1 : 1;
			if (rs->fetched < 0) {
				rs->why = xstrdup(why);
				warning("verify: region %s: cannot fetch CloudTrail's public keys: %s",
					region, why);
			}
		}
		if (rs->fetched < 0) {
			snprintf(err, errlen, "%s", rs->why);
			return -1;
		}
		found = fp ? stored_key(k, region, fp) : 0;
		if (found <= 0)
			return found < 0 ? -1 : 0;
	}
	*der = k->der;
	*len = k->derlen;
	return 1;
}
