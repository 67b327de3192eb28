/*
 * fuzz_kmskey.c - naming KMS keys (kmskey.c) from attacker-written text.
 *
 * Input: the text. A key that parses must parse back to the same key from
 * the ARN its parts make (one name per key, whatever form it came in); the
 * key ARN found in a text must be a piece of it that names kms.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "kmskey.h"

/* The ARN of k: arn:aws:kms:REGION:ACCOUNT:key/ID, or ...:alias/NAME. */
static void arn_of(const struct kms_key *k, char *out, size_t n)
{
	snprintf(out, n, "arn:aws:kms:%s:%s:%s%s", k->region, k->account, strncmp(k->id, "alias/", 6) ? "key/" : "",
		 k->id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup((const char *)data, size);
	struct kms_key k, again;
	char arn[700], found[512];

	if (!kmskey_parse(s, "111122223333", "us-east-1", &k) && k.account[0] && k.region[0]) {
		arn_of(&k, arn, sizeof(arn));
		FUZZ_CHECK(!kmskey_parse(arn, NULL, NULL, &again), "'%s' does not parse back", arn);
		FUZZ_CHECK(!strcmp(k.account, again.account) && !strcmp(k.region, again.region) &&
			   !strcmp(k.id, again.id), "'%s' names another key than '%s'", arn, s);
	}
	if (!kmskey_in_text(s, found, sizeof(found))) {
		FUZZ_CHECK(strstr(s, found) != NULL, "'%s' is not in the text", found);
		FUZZ_CHECK(!strncmp(found, "arn:", 4) && strstr(found, ":kms:"), "'%s' names no kms ARN", found);
	}
	free(s);
	return 0;
}
