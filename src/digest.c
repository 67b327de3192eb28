/*
 * digest.c - reading a CloudTrail digest file and checking its signature;
 * see digest.h.
 */
#include "digest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <yajl/yajl_tree.h>
#include <zlib.h>

#include "msg.h"
#include "timeparse.h"
#include "ytree.h"

/* A digest lists one hour's files: a few KB, a few MB for a busy trail. */
#define DIGEST_MAX (64u << 20)

static void hex_sha256(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	out[0] = '\0';
	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL))
		return;
	for (unsigned i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Inflates gzip bytes (plain bytes are taken as they are) into out. */
static int inflate_all(const unsigned char *data, size_t len, struct buf *out, char *err,
		       size_t errlen)
{
	z_stream z;
	int rc = Z_OK;

	if (len < 2 || data[0] != 0x1f || data[1] != 0x8b) {
		if (buf_add(out, data, len))
			goto too_big;
		return 0;
	}
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		snprintf(err, errlen, "cannot start the gzip decoder");
		return -1;
	}
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)len;
	while (rc != Z_STREAM_END) {
		if (buf_grow(out, 64u << 10)) {
			inflateEnd(&z);
			goto too_big;
		}
		z.next_out = (unsigned char *)out->data + out->len;
		z.avail_out = (uInt)(out->cap - out->len - 1 < out->max - out->len ?
				     out->cap - out->len - 1 : out->max - out->len);
		rc = inflate(&z, Z_NO_FLUSH);
		out->len = out->cap - 1 - z.avail_out;
		out->data[out->len] = '\0';
		if (rc == Z_BUF_ERROR && z.avail_in == 0)
			rc = Z_DATA_ERROR; /* the stream ends early */
		if (rc != Z_OK && rc != Z_STREAM_END) {
			snprintf(err, errlen, "byte %lu: corrupt or truncated gzip data",
				 (unsigned long)(len - z.avail_in));
			inflateEnd(&z);
			return -1;
		}
	}
	inflateEnd(&z);
	if (z.avail_in) {
		snprintf(err, errlen, "byte %lu: data after the end of the gzip stream",
			 (unsigned long)(len - z.avail_in));
		return -1;
	}
	return 0;
too_big:
	snprintf(err, errlen, "larger than %u MiB: not a digest file", DIGEST_MAX >> 20);
	return -1;
}

/* A string member, copied; NULL when absent or null. */
static char *str_or_null(yajl_val v, const char *key)
{
	const char *s = ytree_str(v, key);

	return s ? xstrdup(s) : NULL;
}

/* A hex SHA-256 member into out[65], lower-cased; "" when null. -1 when malformed. */
static int hash_member(yajl_val v, const char *key, char out[65])
{
	const char *s = ytree_str(v, key);

	out[0] = '\0';
	if (!s)
		return ytree_get(v, key, yajl_t_any) && !YAJL_IS_NULL(ytree_get(v, key, yajl_t_any)) ?
			-1 : 0;
	if (strlen(s) != 64 || strspn(s, "0123456789abcdefABCDEF") != 64)
		return -1;
	for (int i = 0; i <= 64; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a' : s[i]);
	return 0;
}

/*
 * The region and trail from the digest's key:
 * [prefix/]AWSLogs/[o-id/]ACCOUNT/CloudTrail-Digest/REGION/Y/M/D/
 * ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOMEREGION_YYYYMMDDTHHMMSSZ[_backfill].json.gz
 */
static int names_from_key(struct digest *d)
{
	const char *p = strstr(d->key, "/CloudTrail-Digest/"), *slash, *base, *end;
	size_t n;
	char prefix[200];

	if (!p)
		return -1;
	p += strlen("/CloudTrail-Digest/");
	slash = strchr(p, '/');
	if (!slash || slash == p)
		return -1;
	d->region = xstrndup(p, (size_t)(slash - p));
	base = strrchr(d->key, '/') + 1;
	snprintf(prefix, sizeof(prefix), "%s_CloudTrail-Digest_%s_", d->account, d->region);
	n = strlen(base);
	if (strncmp(base, prefix, strlen(prefix)) || n < strlen(prefix) + 25)
		return -1;
	end = base + n - strlen(".json.gz");
	if (strcmp(end, ".json.gz"))
		return -1;
	if (end - base > 9 && !strncmp(end - 9, "_backfill", 9))
		end -= 9;
	end -= 17; /* _YYYYMMDDTHHMMSSZ */
	if (end <= base + strlen(prefix) || *end != '_')
		return -1;
	/* TRAIL_HOMEREGION: a region has no underscore, a trail name may */
	base += strlen(prefix);
	for (p = end - 1; p > base && *p != '_'; p--)
		;
	if (p == base)
		return -1;
	d->trail = xstrndup(base, (size_t)(p - base));
	return 0;
}

static int load_logs(struct digest *d, yajl_val arr, char *err, size_t errlen)
{
	d->n_logs = ytree_len(arr);
	d->logs = xcalloc(d->n_logs ? d->n_logs : 1, sizeof(*d->logs));
	for (size_t i = 0; i < d->n_logs; i++) {
		yajl_val v = ytree_item(arr, i);
		const char *alg = ytree_str(v, "hashAlgorithm");

		d->logs[i].bucket = str_or_null(v, "s3Bucket");
		d->logs[i].key = str_or_null(v, "s3Object");
		if (!d->logs[i].bucket || !d->logs[i].key || hash_member(v, "hashValue", d->logs[i].hash) ||
		    !d->logs[i].hash[0] || (alg && strcmp(alg, "SHA-256"))) {
			snprintf(err, errlen, "logFiles[%zu]: want s3Bucket, s3Object and a SHA-256"
				 " hashValue", i);
			return -1;
		}
	}
	return 0;
}

static int parse(struct digest *d, const char *text, char *err, size_t errlen)
{
	char yerr[200];
	yajl_val doc = yajl_tree_parse(text, yerr, sizeof(yerr));
	yajl_val logs;
	const char *missing = NULL;
	int rc = -1;

	if (!doc || !YAJL_IS_OBJECT(doc)) {
		snprintf(err, errlen, "not a JSON object: %.*s", (int)strcspn(yerr, "\n"),
			 doc ? "" : yerr);
		goto out;
	}
	d->account = str_or_null(doc, "awsAccountId");
	d->bucket = str_or_null(doc, "digestS3Bucket");
	d->key = str_or_null(doc, "digestS3Object");
	d->start_time = str_or_null(doc, "digestStartTime");
	d->end_time = str_or_null(doc, "digestEndTime");
	d->fingerprint = str_or_null(doc, "digestPublicKeyFingerprint");
	d->algorithm = str_or_null(doc, "digestSignatureAlgorithm");
	d->prev_bucket = str_or_null(doc, "previousDigestS3Bucket");
	d->prev_key = str_or_null(doc, "previousDigestS3Object");
	d->prev_signature = str_or_null(doc, "previousDigestSignature");
	logs = ytree_get(doc, "logFiles", yajl_t_array);
	missing = !d->account ? "awsAccountId" : !d->bucket ? "digestS3Bucket" :
		  !d->key ? "digestS3Object" : !d->start_time ? "digestStartTime" :
		  !d->end_time ? "digestEndTime" : !d->fingerprint ? "digestPublicKeyFingerprint" :
		  !logs ? "logFiles" : NULL;
	if (missing) {
		snprintf(err, errlen, "no %s: not a CloudTrail digest file", missing);
		goto out;
	}
	if (time_parse_iso(d->start_time, strlen(d->start_time), 0, &d->start_ms) ||
	    time_parse_iso(d->end_time, strlen(d->end_time), 0, &d->end_ms)) {
		snprintf(err, errlen, "digestStartTime or digestEndTime is not an ISO-8601 time");
		goto out;
	}
	if (hash_member(doc, "previousDigestHashValue", d->prev_hash)) {
		snprintf(err, errlen, "previousDigestHashValue is not a hex SHA-256");
		goto out;
	}
	if (names_from_key(d)) {
		snprintf(err, errlen, "digestS3Object is not a CloudTrail-Digest key of account %s",
			 d->account);
		goto out;
	}
	rc = load_logs(d, logs, err, errlen);
out:
	yajl_tree_free(doc);
	return rc;
}

int digest_load_bytes(const char *shown, const void *data, size_t len, struct digest *d,
		      char *err, size_t errlen)
{
	struct buf text;
	int rc;

	memset(d, 0, sizeof(*d));
	d->path = xstrdup(shown);
	buf_init(&text, DIGEST_MAX);
	rc = inflate_all(data, len, &text, err, errlen);
	if (!rc) {
		hex_sha256(text.data, text.len, d->sha256);
		rc = parse(d, text.data, err, errlen);
	}
	buf_release(&text);
	/* the message may quote the file (a JSON parser's context, an account): it goes to a terminal */
	for (char *c = err; rc && *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return rc;
}

int digest_load(const char *path, struct digest *d, char *err, size_t errlen)
{
	struct buf raw;
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;
	ssize_t n;

	memset(d, 0, sizeof(*d));
	if (fd < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return -1;
	}
	buf_init(&raw, DIGEST_MAX);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && buf_add(&raw, chunk, (size_t)n)) {
			n = -2;
			break;
		}
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, n == -2 ? "larger than %u MiB: not a digest file" :
			 "read error", DIGEST_MAX >> 20);
		buf_release(&raw);
		return -1;
	}
	rc = digest_load_bytes(path, raw.data, raw.len, d, err, errlen);
	buf_release(&raw);
	return rc;
}

void digest_release(struct digest *d)
{
	char **strs[] = { &d->path, &d->account, &d->region, &d->trail, &d->bucket, &d->key,
			  &d->start_time, &d->end_time, &d->fingerprint, &d->algorithm,
			  &d->prev_bucket, &d->prev_key, &d->prev_signature, &d->signature };

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		free(*strs[i]);
	for (size_t i = 0; i < d->n_logs; i++) {
		free(d->logs[i].bucket);
		free(d->logs[i].key);
	}
	free(d->logs);
	memset(d, 0, sizeof(*d));
}

void digest_signing_string(const struct digest *d, struct buf *out)
{
	/* AWS's own validator (aws-cli) writes a null previous signature as "null" */
	buf_addf(out, "%s\n%s/%s\n%s\n%s", d->end_time, d->bucket, d->key, d->sha256,
		 d->prev_signature ? d->prev_signature : "null");
}

/* Hex to bytes; -1 unless s is an even number of hex digits. */
static long unhex(const char *s, unsigned char **out)
{
	size_t n = strlen(s);

	if (n % 2 || strspn(s, "0123456789abcdefABCDEF") != n)
		return -1;
	*out = xmalloc(n / 2 + 1);
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;

		sscanf(s + 2 * i, "%2x", &v);
		(*out)[i] = (unsigned char)v;
	}
	return (long)(n / 2);
}

enum digest_sig digest_check_signature(const struct digest *d, const unsigned char *der,
				       size_t derlen)
{
	const unsigned char *p = der;
	EVP_PKEY *key = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)derlen);
	EVP_MD_CTX *md;
	unsigned char *sig = NULL;
	long siglen;
	struct buf text;
	int ok = 0;

	if (!key || p != der + derlen) {
		EVP_PKEY_free(key);
		return DIGEST_SIG_BAD_KEY;
	}
	siglen = d->signature ? unhex(d->signature, &sig) : -1;
	buf_init(&text, 1u << 20);
	digest_signing_string(d, &text);
	md = EVP_MD_CTX_new();
	if (siglen > 0 && md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1)
		ok = EVP_DigestVerify(md, sig, (size_t)siglen, (const unsigned char *)text.data,
				      text.len) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	buf_release(&text);
	free(sig);
	return ok ? DIGEST_SIG_VALID : DIGEST_SIG_INVALID;
}
