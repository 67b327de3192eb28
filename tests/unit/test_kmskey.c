/*
 * test_kmskey.c - one name per KMS key whichever form a record gives it in.
 */
#include <string.h>

#include <yajl/yajl_tree.h>

#include "kmskey.h"
#include "unit.h"

/* "ACCOUNT REGION ID" of ref parsed in account 111 and region r-1, or "-1". */
static const char *parsed(const char *ref)
{
	static char out[400];
	struct kms_key k;

	if (kmskey_parse(ref, "111", "r-1", &k))
		return "-1";
	snprintf(out, sizeof(out), "%s %s %s", k.account, k.region, k.id);
	return out;
}

static void test_parse(void)
{
	ASSERT_STR_EQ(parsed("arn:aws:kms:us-east-1:222:key/1234abcd-12ab"), "222 us-east-1 1234abcd-12ab",
		      "a key ARN gives the id, with the ARN's account and region");
	ASSERT_STR_EQ(parsed("arn:aws-us-gov:kms:us-gov-west-1:222:key/mrk-1"), "222 us-gov-west-1 mrk-1",
		      "another partition, a multi-region key");
	ASSERT_STR_EQ(parsed("arn:aws:kms:eu-west-1:222:alias/repl"), "222 eu-west-1 alias/repl",
		      "an alias ARN stays an alias, in its account and region");
	ASSERT_STR_EQ(parsed("1234abcd-12ab"), "111 r-1 1234abcd-12ab", "a bare id is in the caller's account and region");
	ASSERT_STR_EQ(parsed("alias/aws/ebs"), "111 r-1 alias/aws/ebs", "an alias name likewise");
	ASSERT_STR_EQ(parsed(""), "-1", "an empty key is refused");
	ASSERT_STR_EQ(parsed("alias/"), "-1", "an alias without a name is refused");
	ASSERT_STR_EQ(parsed(NULL), "-1", "no key is refused");
	ASSERT_STR_EQ(parsed("arn:aws:s3:::bucket/key/x"), "-1", "another service's ARN is refused");
	ASSERT_STR_EQ(parsed("arn:aws:kms:us-east-1:222:key/"), "-1", "an ARN without an id is refused");
	ASSERT_STR_EQ(parsed("arn:aws:kms:us-east-1:222"), "-1", "a cut ARN is refused");
	ASSERT_STR_EQ(parsed("arn:aws:kms:us-east-1:222:key/alias/x"), "-1", "a key ARN whose id is an alias is refused");
	ASSERT_STR_EQ(parsed("arn:aws:kms:us-east-1:222:grant/x"), "-1", "an ARN of neither key nor alias is refused");
}

static const char *from_record(const char *json, int as_given)
{
	static char out[400];
	char err[64];
	yajl_val doc = yajl_tree_parse(json, err, sizeof(err));
	const char *k = as_given ? kmskey_as_given(doc) : kmskey_of_record(doc);

	snprintf(out, sizeof(out), "%s", k ? k : "(none)");
	yajl_tree_free(doc);
	return out;
}

static void test_record(void)
{
	static const char rec[] = "{\"requestParameters\": {\"keyId\": \"alias/repl\"}, \"resources\": ["
		"{\"type\": \"AWS::IAM::Role\", \"ARN\": \"arn:aws:iam::1:role/x\"},"
		"{\"type\": \"AWS::KMS::Key\", \"ARN\": \"arn:aws:kms:us-east-1:1:key/k-1\"}]}";

	ASSERT_STR_EQ(from_record(rec, 0), "arn:aws:kms:us-east-1:1:key/k-1", "resources[] names the key behind an alias");
	ASSERT_STR_EQ(from_record(rec, 1), "alias/repl", "the key as the caller gave it");
	ASSERT_STR_EQ(from_record("{\"requestParameters\": {\"keyId\": \"alias/r\"}, \"resources\": [{\"ARN\":"
				  " \"arn:aws:kms:us-east-1:1:alias/r\"}, {\"ARN\": \"arn:aws:kms:us-east-1:1:key/k-4\"}]}", 0),
		      "arn:aws:kms:us-east-1:1:key/k-4", "resources[] without a type (older records): the key ARN, not the alias's");
	ASSERT_STR_EQ(from_record("{\"requestParameters\": {\"keyId\": \"k-5\"}, \"responseElements\": {\"grantId\":"
				  " \"g\", \"keyId\": \"arn:aws:kms:us-east-1:1:key/k-5\"}}", 0),
		      "arn:aws:kms:us-east-1:1:key/k-5", "without resources[], the key ARN CloudTrail adds to the response");
	ASSERT_STR_EQ(from_record("{\"requestParameters\": {\"keyId\": \"k-2\"}}", 0), "k-2",
		      "without resources[], the keyId given");
	ASSERT_STR_EQ(from_record("{\"requestParameters\": {\"sourceKeyId\": \"k-s\", \"destinationKeyId\": \"k-d\"}}", 1),
		      "k-d", "ReEncrypt: the key it encrypts to");
	ASSERT_STR_EQ(from_record("{\"requestParameters\": {\"sourceKeyId\": \"k-s\"}}", 1), "k-s",
		      "ReEncrypt without a destination: the source key");
	ASSERT_STR_EQ(from_record("{\"requestParameters\": null, \"resources\": 5}", 0), "(none)",
		      "no key, and a resources[] of the wrong type, give none");
}

static const char *in_text(const char *text)
{
	static char out[128];

	return kmskey_in_text(text, out, sizeof(out)) ? "(none)" : out;
}

static void test_text(void)
{
	ASSERT_STR_EQ(in_text("arn:aws:kms:us-east-1:1:key/k-1 is disabled."), "arn:aws:kms:us-east-1:1:key/k-1",
		      "the key ARN an error message names");
	ASSERT_STR_EQ(in_text("on resource: arn:aws:ec2:us-east-1:1:volume/v and 'arn:aws:kms:us-east-1:1:key/k-2'."),
		      "arn:aws:kms:us-east-1:1:key/k-2", "past another service's ARN, without the quotes");
	ASSERT_STR_EQ(in_text("The KMS key ends arn:aws:kms:us-east-1:1:key/k-3."), "arn:aws:kms:us-east-1:1:key/k-3",
		      "without a sentence's full stop");
	ASSERT_STR_EQ(in_text("The KMS key provided is in an incorrect state"), "(none)", "no ARN, no key");
	ASSERT_STR_EQ(in_text(NULL), "(none)", "no message");
}

int main(void)
{
	test_parse();
	test_record();
	test_text();
	return unit_exit();
}
