/*
 * test_awsconfig.c - parsing ~/.aws/credentials and ~/.aws/config as
 * botocore does (configparser rules, profile sections, precedence).
 */
#include <string.h>

#include "awsconfig.h"
#include "unit.h"

static const char credentials[] =
	"# a comment\n"
	"; another\n"
	"[default]\n"
	"aws_access_key_id = AKIDDEFAULT\n"
	"aws_secret_access_key=secret/default+key\n"
	"\n"
	"[audit]\r\n"
	"AWS_ACCESS_KEY_ID : AKIDAUDIT\r\n"
	"aws_secret_access_key = with spaces inside  \r\n"
	"aws_session_token = tok==\r\n"
	"region = eu-west-1 # not a comment\r\n"
	"[profile literal]\n"
	"aws_access_key_id = AKIDLITERAL\n"
	"[empty]\n"
	"[dup]\n"
	"region = first\n"
	"region = second\n";

static const char config[] =
	"[default]\n"
	"region = us-east-1\n"
	"output = json\n"
	"[profile audit]\n"
	"region = ap-south-1\n"
	"role_arn = arn:aws:iam::111122223333:role/x\n"
	"s3 =\n"
	"  max_concurrent_requests = 20\n"
	"  region = nested-not-a-setting\n"
	"[profile   spaced  ]\n"
	"region = sa-east-1\n"
	"[profile \"quoted name\"]\n"
	"region = ca-central-1\n"
	"[notaprofile]\n"
	"region = nowhere\n"
	"[sso-session corp]\n"
	"sso_region = us-east-1\n"
	"[profile default]\n"
	"cli_pager =\n"
	"no_separator_line\n"
	"[broken\n"
	"region = after-broken\n";

int main(void)
{
	struct awsconfig c;

	awsconfig_init(&c);
	awsconfig_parse(&c, AWSCONFIG_CREDENTIALS, credentials, strlen(credentials));
	awsconfig_parse(&c, AWSCONFIG_CONFIG, config, strlen(config));

	ASSERT_STR_EQ(awsconfig_get(&c, "default", "aws_access_key_id"), "AKIDDEFAULT", "key = value");
	ASSERT_STR_EQ(awsconfig_get(&c, "default", "aws_secret_access_key"), "secret/default+key",
		      "key=value without spaces; '/' and '+' kept");
	ASSERT_STR_EQ(awsconfig_get(&c, "audit", "aws_access_key_id"), "AKIDAUDIT",
		      "key: value, key name folded to lower case, CRLF lines");
	ASSERT_STR_EQ(awsconfig_get(&c, "audit", "aws_secret_access_key"), "with spaces inside",
		      "value trimmed, inner spaces kept");
	ASSERT_STR_EQ(awsconfig_get(&c, "audit", "aws_session_token"), "tok==", "'=' inside a value");
	ASSERT_STR_EQ(awsconfig_get(&c, "audit", "region"), "eu-west-1 # not a comment",
		      "the credentials file wins over the config file; no inline comments");
	ASSERT_STR_EQ(awsconfig_get(&c, "audit", "role_arn"), "arn:aws:iam::111122223333:role/x",
		      "[profile audit] in config is profile audit; ':' after '=' stays in the value");
	ASSERT_STR_EQ(awsconfig_get(&c, "audit", "s3"), "", "a nested section's key has an empty value");
	ASSERT_STR_EQ(awsconfig_get(&c, "audit", "max_concurrent_requests"), NULL,
		      "nested settings are not profile settings");
	ASSERT_STR_EQ(awsconfig_get(&c, "default", "region"), "us-east-1", "[default] in config");
	ASSERT_STR_EQ(awsconfig_get(&c, "default", "cli_pager"), "",
		      "[profile default] in config is default too; empty value");
	ASSERT_STR_EQ(awsconfig_get(&c, "spaced", "region"), "sa-east-1", "[profile   spaced  ]");
	ASSERT_STR_EQ(awsconfig_get(&c, "quoted name", "region"), "ca-central-1", "a quoted profile name");
	ASSERT_STR_EQ(awsconfig_get(&c, "profile literal", "aws_access_key_id"), "AKIDLITERAL",
		      "in the credentials file, [profile x] is a profile named 'profile x'");
	UNIT_OK(!awsconfig_has_profile(&c, "literal"), "... and not profile 'literal'");
	UNIT_OK(!awsconfig_has_profile(&c, "notaprofile"), "config [notaprofile] is no profile");
	UNIT_OK(!awsconfig_has_profile(&c, "corp") && !awsconfig_has_profile(&c, "sso-session corp"),
		"config [sso-session corp] is no profile");
	UNIT_OK(awsconfig_has_profile(&c, "empty"), "an empty section is a profile");
	ASSERT_STR_EQ(awsconfig_get(&c, "empty", "region"), NULL, "an empty profile has no settings");
	ASSERT_STR_EQ(awsconfig_get(&c, "dup", "region"), "second", "the last setting in a file wins");
	ASSERT_STR_EQ(awsconfig_get(&c, "nobody", "region"), NULL, "an unknown profile has no settings");
	ASSERT_STR_EQ(awsconfig_get(&c, "default", "no_separator_line"), NULL,
		      "a line without = or : is ignored");
	UNIT_OK(!awsconfig_has_profile(&c, "broken"), "an unclosed section header is no profile");
	ASSERT_STR_EQ(awsconfig_get(&c, "default", "region"), "us-east-1",
		      "settings after a broken header do not leak into the previous profile");
	awsconfig_release(&c);
	UNIT_OK(c.n == 0 && !c.e, "release empties the config");

	awsconfig_parse(&c, AWSCONFIG_CONFIG, "region = x\n[profile a]\nregion = y", 33);
	ASSERT_STR_EQ(awsconfig_get(&c, "a", "region"), "y", "last line without a newline");
	UNIT_OK(c.n == 2, "settings before the first section are ignored (%zu entries)", c.n);
	awsconfig_release(&c);
	return unit_exit();
}
