/*
 * kmskey.c - naming a KMS key the same way whichever form a record gives;
 * see kmskey.h.
 */
#include "kmskey.h"

#include <stdio.h>
#include <string.h>

#include "staging.h"

/* Copies the n bytes at s into out (size size); -1 when they do not fit. */
static int copy(char *out, size_t size, const char *s, size_t n)
{
	if (n >= size)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* arn:PARTITION:kms:REGION:ACCOUNT:key/ID or ...:alias/NAME */
static int parse_arn(const char *ref, struct kms_key *out)
{
	const char *f[6];
	size_t len[5];
	const char *p = ref;

	for (int i = 0; i < 5; i++) {
		const char *colon = strchr(p, ':');

		if (!colon)
			return -1;
		f[i] = p;
		len[i] = (size_t)(colon - p);
		p = colon + 1;
	}
	f[5] = p;
	if (len[2] != 3 || strncmp(f[2], "kms", 3) || !len[3] || !len[4])
		return -1;
	if (copy(out->region, sizeof(out->region), f[3], len[3]) ||
	    copy(out->account, sizeof(out->account), f[4], len[4]))
		return -1;
	/* a key's id is never an alias: "key/alias/x" names nothing */
	if (!strncmp(f[5], "key/", 4) && f[5][4] && strncmp(f[5] + 4, "alias/", 6))
		return copy(out->id, sizeof(out->id), f[5] + 4, strlen(f[5] + 4));
	if (!strncmp(f[5], "alias/", 6) && f[5][6])
		return copy(out->id, sizeof(out->id), f[5], strlen(f[5]));
	return -1;
}

int kmskey_parse(const char *ref, const char *account, const char *region, struct kms_key *out)
{
	memset(out, 0, sizeof(*out));
	if (!ref || !ref[0])
		return -1;
	if (!strncmp(ref, "arn:", 4))
		return parse_arn(ref, out);
	if (!strcmp(ref, "alias/"))
		return -1; /* an alias without a name, as parse_arn() refuses it */
	if (copy(out->account, sizeof(out->account), account ? account : "", account ? strlen(account) : 0) ||
	    copy(out->region, sizeof(out->region), region ? region : "", region ? strlen(region) : 0))
		return -1;
	return copy(out->id, sizeof(out->id), ref, strlen(ref));
}

const char *kmskey_as_given(yajl_val doc)
{
	yajl_val p = ctj_params(doc);
	const char *k = ctj_str(ctj_get(p, "keyId"));

	/* ReEncrypt names two keys: the one it encrypts to is the one a copy needs */
	if (!k)
		k = ctj_str(ctj_get(p, "destinationKeyId"));
	return k ? k : ctj_str(ctj_get(p, "sourceKeyId"));
}

/* Whether s is a key's ARN (not an alias's): arn:PARTITION:kms:REGION:ACCOUNT:key/ID. */
static int key_arn(const char *s)
{
	struct kms_key k;

	return s && !strncmp(s, "arn:", 4) && !parse_arn(s, &k) && strncmp(k.id, "alias/", 6);
}

const char *kmskey_of_record(yajl_val doc)
{
	yajl_val res = ctj_get(doc, "resources");
	const char *k;

	/* older records give resources[] no type: the ARN's form says it is a key */
	for (size_t i = 0; res && YAJL_IS_ARRAY(res) && i < res->u.array.len; i++) {
		yajl_val r = res->u.array.values[i];
		const char *type = ctj_str(ctj_get(r, "type")), *arn = ctj_str(ctj_get(r, "ARN"));

		if ((!type || !strcmp(type, "AWS::KMS::Key")) && key_arn(arn))
			return arn;
	}
	/* since December 2022 CloudTrail adds the key's ARN to some responses */
	k = ctj_str(ctj_get(ctj_get(doc, "responseElements"), "keyId"));
	return key_arn(k) ? k : kmskey_as_given(doc);
}

int kmskey_in_text(const char *text, char *out, size_t n)
{
	const char *p = text;

	while (p && (p = strstr(p, "arn:"))) {
		const char *colon = strchr(p + 4, ':');
		size_t len = strcspn(p, " \t\r\n\"',;()");

		/* the partition (aws, aws-cn, aws-us-gov) comes before the service */
		if (colon && !strncmp(colon + 1, "kms:", 4) && (size_t)(colon - p) < len && len < n) {
			memcpy(out, p, len);
			out[len] = '\0';
			/* a sentence's full stop is not part of the ARN */
			while (len && out[len - 1] == '.')
				out[--len] = '\0';
			return 0;
		}
		p += 4;
	}
	return -1;
}
