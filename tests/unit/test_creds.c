/*
 * test_creds.c - where credentials come from (the AWS CLI's order, worked
 * out without any network call), the answers of STS, container and
 * instance metadata endpoints, and when temporary credentials are renewed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "awsreq.h"
#include "buf.h"
#include "creds.h"
#include "sts.h"
#include "unit.h"

static char dir[] = "/tmp/test_creds.XXXXXX";
static char cred_path[300], conf_path[300];

static const char *const vars[] = {
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_DISABLED",
	"AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", NULL
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static void clean_env(void)
{
	for (int i = 0; vars[i]; i++)
		unsetenv(vars[i]);
	setenv("AWS_SHARED_CREDENTIALS_FILE", cred_path, 1);
	setenv("AWS_CONFIG_FILE", conf_path, 1);
}

/* The source creds_new() picks, or "error: ..." */
static const char *source(const char *profile)
{
	static char out[1200];
	char err[1000];
	struct creds *c = creds_new(profile, err, sizeof(err));

	if (!c) {
		snprintf(out, sizeof(out), "error: %s", err);
		return out;
	}
	snprintf(out, sizeof(out), "%s", creds_source(c));
	creds_free(c);
	return out;
}

static void chain(void)
{
	write_file(cred_path,
		   "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n"
		   "[static]\naws_access_key_id = AKIDSTATIC\naws_secret_access_key = s2\n"
		   "aws_session_token = t2\n"
		   "[half]\naws_access_key_id = AKIDHALF\n"
		   "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s3\n");
	write_file(conf_path,
		   "[profile role]\nrole_arn = arn:aws:iam::444455556666:role/audit\nsource_profile = base\n"
		   "region = eu-central-1\n"
		   "[profile chained]\nrole_arn = arn:aws:iam::777788889999:role/second\n"
		   "source_profile = role\n"
		   "[profile loop1]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = loop2\n"
		   "[profile loop2]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = loop1\n"
		   "[profile self]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = self\n"
		   "aws_access_key_id = AKIDSELF\naws_secret_access_key = s4\n"
		   "[profile envsrc]\nrole_arn = arn:aws:iam::1:role/d\ncredential_source = Environment\n"
		   "[profile imdssrc]\nrole_arn = arn:aws:iam::1:role/e\ncredential_source = Ec2InstanceMetadata\n"
		   "[profile mfa]\nrole_arn = arn:aws:iam::1:role/f\nsource_profile = base\nmfa_serial = x\n"
		   "[profile process]\ncredential_process = /bin/true\n"
		   "[profile sso]\nsso_session = corp\n"
		   "[profile nocreds]\nregion = us-west-2\n"
		   "[profile baddur]\nrole_arn = arn:aws:iam::1:role/g\nsource_profile = base\n"
		   "duration_seconds = 60\n");

	clean_env();
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	ASSERT_STR_EQ(source(NULL), "environment", "1. the environment's keys come first");
	setenv("AWS_PROFILE", "static", 1);
	ASSERT_STR_EQ(source(NULL), "environment", "... even with AWS_PROFILE set (as the AWS CLI)");
	ASSERT_STR_EQ(source("static"), "profile 'static'", "--profile skips the environment's keys");
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	UNIT_OK(strstr(source(NULL), "AWS_SECRET_ACCESS_KEY is not"), "half a key pair in the environment is an error");

	clean_env();
	ASSERT_STR_EQ(source(NULL), "profile 'default'", "2. no environment: the default profile");
	setenv("AWS_PROFILE", "static", 1);
	ASSERT_STR_EQ(source(NULL), "profile 'static'", "AWS_PROFILE picks the profile");
	ASSERT_STR_EQ(source("role"), "role arn:aws:iam::444455556666:role/audit (profile 'role')",
		      "role_arn + source_profile: assume the role");
	ASSERT_STR_EQ(source("chained"), "role arn:aws:iam::777788889999:role/second (profile 'chained')",
		      "a role whose source is a role (role chaining)");
	UNIT_OK(strstr(source("loop1"), "loops back"), "a source_profile loop is an error");
	ASSERT_STR_EQ(source("self"), "role arn:aws:iam::1:role/c (profile 'self')",
		      "a profile may be its own source_profile for its keys");
	UNIT_OK(strstr(source("envsrc"), "AWS_ACCESS_KEY_ID is not set"),
		"credential_source Environment without keys is an error");
	ASSERT_STR_EQ(source("imdssrc"), "role arn:aws:iam::1:role/e (profile 'imdssrc')",
		      "credential_source Ec2InstanceMetadata");
	UNIT_OK(strstr(source("mfa"), "MFA"), "mfa_serial is refused with a way out");
	UNIT_OK(strstr(source("process"), "credential_process"), "credential_process is refused, not skipped");
	UNIT_OK(strstr(source("sso"), "SSO"), "SSO profiles are refused, not skipped");
	UNIT_OK(strstr(source("half"), "aws_secret_access_key"), "half a key pair in a profile is an error");
	UNIT_OK(strstr(source("baddur"), "duration_seconds"), "duration_seconds is checked");
	UNIT_OK(strstr(source("nosuch"), "profile 'nosuch' not found"), "a named profile must exist");
	setenv("AWS_PROFILE", "nosuch", 1);
	UNIT_OK(strstr(source(NULL), "profile 'nosuch' not found"), "... also when named by AWS_PROFILE");
	unsetenv("AWS_PROFILE");

	/* 3. container, 4. instance metadata */
	write_file(cred_path, "");
	write_file(conf_path, "[profile nocreds]\nregion = us-west-2\n");
	clean_env();
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds", 1);
	ASSERT_STR_EQ(source(NULL), "the container credentials endpoint", "3. container credentials");
	ASSERT_STR_EQ(source("nocreds"), "the container credentials endpoint",
		      "a profile without credentials falls through to the container");
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials", 1);
	ASSERT_STR_EQ(source(NULL), "the container credentials endpoint", "the EKS agent address is allowed");
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds", 1);
	UNIT_OK(strstr(source(NULL), "must be https"), "FULL_URI over http to another host is refused");
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.evil.example/creds", 1);
	UNIT_OK(strstr(source(NULL), "must be https"), "a host name that starts with 127. is no loopback");
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://example.com/creds", 1);
	ASSERT_STR_EQ(source(NULL), "the container credentials endpoint", "FULL_URI over https is allowed");
	clean_env();
	ASSERT_STR_EQ(source(NULL), "instance metadata at http://169.254.169.254",
		      "4. instance metadata last, at its usual address");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1234/", 1);
	ASSERT_STR_EQ(source(NULL), "instance metadata at http://127.0.0.1:1234",
		      "AWS_EC2_METADATA_SERVICE_ENDPOINT moves it");
	unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6", 1);
	ASSERT_STR_EQ(source(NULL), "instance metadata at http://[fd00:ec2::254]", "IPv6 endpoint mode");
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	UNIT_OK(strstr(source(NULL), "no AWS credentials"), "AWS_EC2_METADATA_DISABLED: nothing left");
	clean_env();
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/x", 1);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::1:role/w", 1);
	UNIT_OK(strstr(source(NULL), "web identity"), "web identity in the environment is refused, not skipped");
	clean_env();
}

static char *xml(const char *s, const char *tag)
{
	return sts_xml_value(s, strlen(s), tag);
}

static int cj(const char *s, struct aws_creds *cr, char *err, size_t errlen)
{
	return creds_parse_json(s, strlen(s), cr, err, errlen);
}

static void answers(void)
{
	struct aws_creds cr;
	struct buf b;
	char err[300];
	char *v;
	static const char sts_ok[] =
		"<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
		"  <AssumeRoleResult>\n    <AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/a/s</Arn>"
		"</AssumedRoleUser><Credentials><AccessKeyId>ASIAXYZ</AccessKeyId>"
		"<SecretAccessKey>se&amp;cr&lt;et&#47;k&#x2B;</SecretAccessKey>"
		"<SessionToken>IQoJ&quot;tok&apos;</SessionToken>"
		"<Expiration>2026-11-25T14:00:00Z</Expiration></Credentials>\n"
		"  </AssumeRoleResult>\n</AssumeRoleResponse>\n";

	UNIT_OK(!sts_parse_credentials(sts_ok, strlen(sts_ok), &cr, err, sizeof(err)), "AssumeRole answer parses");
	ASSERT_STR_EQ(cr.access_key_id, "ASIAXYZ", "AccessKeyId");
	ASSERT_STR_EQ(cr.secret_access_key, "se&cr<et/k+", "SecretAccessKey, entities decoded");
	ASSERT_STR_EQ(cr.session_token, "IQoJ\"tok'", "SessionToken, entities decoded");
	ASSERT_INT_EQ(cr.expires_ms, 1795615200000LL, "Expiration as epoch ms");
	aws_creds_release(&cr);
	UNIT_OK(cr.secret_access_key == NULL, "release empties the credentials");
	UNIT_OK(sts_parse_credentials("<x/>", 4, &cr, err, sizeof(err)) && strstr(err, "Credentials"),
		"an answer without Credentials is refused");
	v = xml("<A><Account>111122223333</Account><AccountX>9</AccountX></A>", "Account");
	ASSERT_STR_EQ(v, "111122223333", "GetCallerIdentity's Account");
	free(v);
	v = xml("<AccountX>9</AccountX><Account attr=\"1\">42</Account>", "Account");
	ASSERT_STR_EQ(v, "42", "a longer tag name is not the tag; attributes are skipped");
	free(v);
	v = xml("<Code>x", "Code");
	UNIT_OK(v == NULL, "an unclosed element has no value");

	buf_init(&b, 4096);
	sts_form_add(&b, "Action", "AssumeRole");
	sts_form_add(&b, "RoleArn", "arn:aws:iam::1:role/a b+c/é");
	ASSERT_STR_EQ(b.data, "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b%2Bc%2F%C3%A9",
		      "form encoding: everything but unreserved characters");
	buf_release(&b);

	UNIT_OK(!cj("{\"Code\":\"Success\",\"LastUpdated\":\"x\",\"Type\":\"AWS-HMAC\","
				  "\"AccessKeyId\":\"ASIAIMDS\",\"SecretAccessKey\":\"sk\",\"Token\":\"tk\","
				  "\"Expiration\":\"2026-11-25T20:00:00Z\"}", &cr, err, sizeof(err)),
		"instance metadata credentials parse");
	ASSERT_STR_EQ(cr.session_token, "tk", "Token is the session token");
	ASSERT_INT_EQ(cr.expires_ms, 1795636800000LL, "Expiration");
	aws_creds_release(&cr);
	UNIT_OK(!cj("{\"RoleArn\":\"arn\",\"AccessKeyId\":\"ASIAC\",\"SecretAccessKey\":\"s\","
				  "\"Token\":\"t\",\"Expiration\":\"2026-11-25T20:00:00Z\"}", &cr, err,
				  sizeof(err)) && !strcmp(cr.access_key_id, "ASIAC"),
		"container credentials parse (no Code)");
	aws_creds_release(&cr);
	UNIT_OK(cj("{\"Code\":\"Failure\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}",
				 &cr, err, sizeof(err)) && strstr(err, "Failure"), "Code other than Success is refused");
	UNIT_OK(cj("{\"AccessKeyId\":\"A\"}", &cr, err, sizeof(err)),
		"no SecretAccessKey is refused");
	UNIT_OK(cj("not json", &cr, err, sizeof(err)), "not JSON is refused");

	cr.expires_ms = 0;
	ASSERT_INT_EQ(creds_refresh_margin_ms(&cr), 0, "fixed keys are never renewed");
	cr.obtained_ms = 0;
	cr.expires_ms = 3600 * 1000LL;
	ASSERT_INT_EQ(creds_refresh_margin_ms(&cr), 300000, "1-hour credentials: renewed 5 minutes before");
	cr.expires_ms = 8000;
	ASSERT_INT_EQ(creds_refresh_margin_ms(&cr), 4000, "8-second credentials: renewed at half-life");
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snprintf(cred_path, sizeof(cred_path), "%s/credentials", dir);
	snprintf(conf_path, sizeof(conf_path), "%s/config", dir);
	chain();
	answers();
	unlink(cred_path);
	unlink(conf_path);
	rmdir(dir);
	return unit_exit();
}
