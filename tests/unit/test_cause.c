/*
 * test_cause.c - cause_find() on a real store: records written as
 * CloudTrail writes them (IAM's requestParameters, KMS's keyId as ARN,
 * alias or id, organizations' targetId), ingested, then searched for the
 * change behind a failure. Each kind of change is found, and each trap is
 * not: a change after the first failure, to another role, key or account,
 * one 31 days before, a failed one, a policy not attached to the role.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cause.h"
#include "ingest.h"
#include "jsonw.h"
#include "msg.h"
#include "rules.h"
#include "store.h"
#include "timeparse.h"
#include "unit.h"

#define A "111122223333"      /* the failing account */
#define B "444455556666"      /* another account */
#define M "999988887777"      /* the organization's management account */
#define K1 "1234abcd-12ab-34cd-56ef-1234567890ab"
#define K2 "0987dcba-09fe-87dc-65ba-ab0987654321"
#define K3 "11112222-3333-4444-5555-666677778888"
#define K4 "99998888-7777-6666-5555-444433332222"
#define KARN(acct, id) "arn:aws:kms:us-east-1:" acct ":key/" id
#define ROLE(name) "arn:aws:iam::" A ":role/service-role/" name
#define POLICY(name) "arn:aws:iam::" A ":policy/" name
#define MGN_POLICY "arn:aws:iam::aws:policy/AWSApplicationMigrationReplicationServerPolicy"

/* Who makes the changes. */
#define SSO_JOSE "{\"type\":\"AssumedRole\",\"principalId\":\"AROAEXAMPLE:jose@example.com\"," \
	"\"arn\":\"arn:aws:sts::" A ":assumed-role/AWSReservedSSO_Admin_0123/jose@example.com\"," \
	"\"accountId\":\"" A "\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\"," \
	"\"arn\":\"arn:aws:iam::" A ":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123\"," \
	"\"userName\":\"AWSReservedSSO_Admin_0123\"}}}"
#define USER(acct, name) "{\"type\":\"IAMUser\",\"principalId\":\"AIDAEXAMPLE\"," \
	"\"arn\":\"arn:aws:iam::" acct ":user/" name "\",\"accountId\":\"" acct "\",\"userName\":\"" name "\"}"

static FILE *out;
static const char *rec_region = "us-east-1";

static void fail(const char *what)
{
	fprintf(stderr, "test_cause: %s\n", what);
	exit(1);
}
static int nrec;

/* One record: eventSource, eventName, eventTime, who, requestParameters, errorCode (or NULL). */
static void rec(const char *acct, const char *source, const char *name, const char *t, const char *who,
		const char *params, const char *error)
{
	fprintf(out, "%s{\"eventVersion\":\"1.09\",\"userIdentity\":%s,\"eventTime\":\"%s\","
		"\"eventSource\":\"%s\",\"eventName\":\"%s\",\"awsRegion\":\"%s\","
		"\"sourceIPAddress\":\"198.51.100.7\",\"userAgent\":\"aws-cli/2.15.0\","
		"\"requestParameters\":%s,\"responseElements\":null,%s%s%s"
		"\"requestID\":\"req-%d\",\"eventID\":\"ev-%03d\",\"readOnly\":false,"
		"\"eventType\":\"AwsApiCall\",\"managementEvent\":true,\"recipientAccountId\":\"%s\"}",
		nrec ? "," : "", who, t, source, name, rec_region, params, error ? "\"errorCode\":\"" : "",
		error ? error : "", error ? "\",\"errorMessage\":\"denied\"," : "", nrec, nrec, acct);
	nrec++;
}

static void iam(const char *name, const char *t, const char *params)
{
	rec(A, "iam.amazonaws.com", name, t, SSO_JOSE, params, NULL);
}

/* A KMS alias call as CloudTrail writes it (region: where the alias is). */
static void kms_alias(const char *name, const char *alias, const char *key, const char *region, const char *t)
{
	char params[256];

	if (key)
		snprintf(params, sizeof(params), "{\"aliasName\":\"%s\",\"targetKeyId\":\"%s\"}", alias, key);
	else
		snprintf(params, sizeof(params), "{\"aliasName\":\"%s\"}", alias);
	rec_region = region;
	rec(A, "kms.amazonaws.com", name, t, SSO_JOSE, params, NULL);
	rec_region = "us-east-1";
}

static void write_records(const char *path)
{
	out = fopen(path, "w");
	if (!out)
		fail(path);
	fputs("{\"Records\":[", out);
	/* R1: the detach is the cause; the traps around it are not */
	iam("DetachRolePolicy", "2026-11-03T09:00:00Z",
	    "{\"roleName\":\"R1\",\"policyArn\":\"" MGN_POLICY "\"}");
	iam("DetachRolePolicy", "2026-11-03T09:05:00Z",
	    "{\"roleName\":\"Other\",\"policyArn\":\"" MGN_POLICY "\"}");
	rec(A, "iam.amazonaws.com", "DeleteRolePolicy", "2026-11-03T09:08:00Z", SSO_JOSE,
	    "{\"roleName\":\"R1\",\"policyName\":\"inline\"}", "AccessDenied");
	rec(B, "iam.amazonaws.com", "DeleteRolePolicy", "2026-11-03T09:09:00Z", USER(B, "bob"),
	    "{\"roleName\":\"R1\",\"policyName\":\"inline\"}", NULL);
	iam("PutRolePolicy", "2026-11-03T09:20:00Z",
	    "{\"roleName\":\"R1\",\"policyName\":\"deny-ec2\",\"policyDocument\":\"{}\"}");
	/* R2: the latest of two */
	iam("PutRolePolicy", "2026-11-03T08:00:00Z",
	    "{\"roleName\":\"R2\",\"policyName\":\"deny-ec2\",\"policyDocument\":\"{}\"}");
	iam("DeleteRolePolicy", "2026-11-03T08:30:00Z", "{\"roleName\":\"R2\",\"policyName\":\"allow-ec2\"}");
	/* R3: 31 days before */
	iam("DetachRolePolicy", "2026-10-03T09:00:00Z",
	    "{\"roleName\":\"R3\",\"policyArn\":\"" MGN_POLICY "\"}");
	/* the other role changes */
	iam("PutRolePermissionsBoundary", "2026-11-03T09:00:00Z",
	    "{\"roleName\":\"R5a\",\"permissionsBoundary\":\"" POLICY("boundary") "\"}");
	iam("DeleteRolePermissionsBoundary", "2026-11-03T09:00:00Z", "{\"roleName\":\"R5b\"}");
	iam("UpdateAssumeRolePolicy", "2026-11-03T09:00:00Z",
	    "{\"roleName\":\"R5c\",\"policyDocument\":\"{}\"}");
	/* R6: a new default version of a policy attached to it, not a version left aside */
	iam("AttachRolePolicy", "2026-11-03T01:00:00Z",
	    "{\"roleName\":\"R6\",\"policyArn\":\"" POLICY("mgn-extra") "\"}");
	iam("CreatePolicyVersion", "2026-11-03T09:00:00Z",
	    "{\"policyArn\":\"" POLICY("mgn-extra") "\",\"policyDocument\":\"{}\",\"setAsDefault\":true}");
	iam("CreatePolicyVersion", "2026-11-03T09:05:00Z",
	    "{\"policyArn\":\"" POLICY("mgn-extra") "\",\"policyDocument\":\"{}\",\"setAsDefault\":false}");
	iam("SetDefaultPolicyVersion", "2026-11-03T09:06:00Z",
	    "{\"policyArn\":\"" POLICY("unattached") "\",\"versionId\":\"v2\"}");
	/* R7: the policy was detached before it changed; R8: still attached */
	iam("AttachRolePolicy", "2026-11-04T01:00:00Z", "{\"roleName\":\"R7\",\"policyArn\":\"" POLICY("p2") "\"}");
	iam("AttachRolePolicy", "2026-11-04T01:00:00Z", "{\"roleName\":\"R8\",\"policyArn\":\"" POLICY("p2") "\"}");
	iam("DetachRolePolicy", "2026-11-04T02:00:00Z", "{\"roleName\":\"R7\",\"policyArn\":\"" POLICY("p2") "\"}");
	iam("SetDefaultPolicyVersion", "2026-11-04T09:00:00Z",
	    "{\"policyArn\":\"" POLICY("p2") "\",\"versionId\":\"v3\"}");
	/* SCPs, in the management account's trail */
	rec(M, "organizations.amazonaws.com", "DetachPolicy", "2026-11-05T09:00:00Z", USER(M, "admin"),
	    "{\"policyId\":\"p-FullAWSAccess\",\"targetId\":\"" A "\"}", NULL);
	rec(M, "organizations.amazonaws.com", "AttachPolicy", "2026-11-05T09:05:00Z", USER(M, "admin"),
	    "{\"policyId\":\"p-deny\",\"targetId\":\"" B "\"}", NULL);
	rec(M, "organizations.amazonaws.com", "UpdatePolicy", "2026-11-05T09:30:00Z", USER(M, "admin"),
	    "{\"policyId\":\"p-deny\",\"content\":\"{}\"}", NULL);
	rec(M, "organizations.amazonaws.com", "AttachPolicy", "2026-11-05T07:00:00Z", USER(M, "admin"),
	    "{\"policyId\":\"p-deny\",\"targetId\":\"ou-ab12-cdef3456\"}", NULL);
	rec(M, "organizations.amazonaws.com", "DetachPolicy", "2026-11-05T06:00:00Z", USER(M, "admin"),
	    "{\"policyId\":\"p-FullAWSAccess\",\"targetId\":\"r-ab12\"}", NULL);
	/* KMS keys */
	rec(A, "kms.amazonaws.com", "DisableKey", "2026-11-06T09:00:00Z", SSO_JOSE,
	    "{\"keyId\":\"" KARN(A, K1) "\"}", NULL);
	rec(A, "kms.amazonaws.com", "PutKeyPolicy", "2026-11-06T09:05:00Z", SSO_JOSE,
	    "{\"keyId\":\"" K2 "\",\"policyName\":\"default\",\"policy\":\"{}\"}", NULL);
	rec(A, "kms.amazonaws.com", "ScheduleKeyDeletion", "2026-11-06T09:30:00Z", SSO_JOSE,
	    "{\"keyId\":\"" K1 "\",\"pendingWindowInDays\":7}", NULL);
	rec(A, "kms.amazonaws.com", "RevokeGrant", "2026-11-06T09:00:00Z", SSO_JOSE,
	    "{\"keyId\":\"" KARN(A, K3) "\",\"grantId\":\"g-0123\"}", NULL);
	rec(A, "kms.amazonaws.com", "RetireGrant", "2026-11-06T09:05:00Z", SSO_JOSE,
	    "{\"grantToken\":\"AQpAM2RhZTk1MGMyNTk2ZmZmMzEyYWVhOWViN2I1MWM4Mzc0MWFiYjc0ZDE1ODkyNGFl\"}", NULL);
	rec(A, "kms.amazonaws.com", "RetireGrant", "2026-11-06T09:05:00Z", SSO_JOSE,
	    "{\"keyId\":\"" K4 "\",\"grantId\":\"g-4444\"}", NULL);
	/* aliases: what each named at the failure */
	kms_alias("CreateAlias", "alias/a", KARN(A, K1), "us-east-1", "2026-11-06T08:00:00Z");
	kms_alias("CreateAlias", "alias/b", K1, "us-east-1", "2026-11-06T08:00:00Z");
	kms_alias("UpdateAlias", "alias/b", K2, "us-east-1", "2026-11-06T09:07:00Z");
	kms_alias("CreateAlias", "alias/c", K1, "eu-west-1", "2026-11-06T08:00:00Z");
	kms_alias("CreateAlias", "alias/d", K1, "us-east-1", "2026-11-06T08:00:00Z");
	kms_alias("DeleteAlias", "alias/d", NULL, "us-east-1", "2026-11-06T08:30:00Z");
	fputs("]}", out);
	if (fclose(out))
		fail(path);
}

static long long at(const char *iso)
{
	long long ms = 0;

	if (time_parse_iso(iso, strlen(iso), 0, &ms))
		fail(iso);
	return ms;
}

static sqlite3 *db;

/* cause_find() for one query; *c filled when 1. */
static int find(const char *role, const char *key, int scp, const char *first_fail, struct cause *c)
{
	struct cause_query q = { A, role, key, scp, at(first_fail) };

	memset(c, 0, sizeof(*c));
	return cause_find(db, &q, c);
}

static void roles(void)
{
	struct cause c;

	UNIT_OK(find(ROLE("R1"), NULL, 0, "2026-11-03T09:10:00Z", &c) == 1, "detach of the role found");
	ASSERT_STR_EQ(c.event_id, "ev-000", "the detach, not a later, failed, other role's or account's change");
	ASSERT_STR_EQ(c.event_source, "iam.amazonaws.com", "its source");
	ASSERT_STR_EQ(c.event_name, "DetachRolePolicy", "its name");
	ASSERT_STR_EQ(c.time, "2026-11-03T09:00:00Z", "its time as written");
	ASSERT_STR_EQ(c.who, "jose@example.com", "who: the SSO session name");
	ASSERT_STR_EQ(c.what, "detached AWSApplicationMigrationReplicationServerPolicy from R1", "what");
	UNIT_OK(find(ROLE("R1"), NULL, 0, "2026-11-03T08:59:00Z", &c) == 0, "no cause before the change");
	UNIT_OK(find(ROLE("R1"), NULL, 0, "2026-11-03T09:00:00Z", &c) == 1, "a change at the failure's time counts");
	UNIT_OK(find(ROLE("R1"), NULL, 0, "2026-11-03T09:30:00Z", &c) == 1 && !strcmp(c.event_name, "PutRolePolicy"),
		"a later failure: the later inline policy");
	ASSERT_STR_EQ(c.what, "put inline policy deny-ec2 on R1", "what of PutRolePolicy");
	UNIT_OK(find(ROLE("R2"), NULL, 0, "2026-11-03T09:10:00Z", &c) == 1, "R2 found");
	ASSERT_STR_EQ(c.what, "deleted inline policy allow-ec2 from R2", "the latest of two wins");
	UNIT_OK(find(ROLE("R3"), NULL, 0, "2026-11-03T09:10:00Z", &c) == 0, "31 days before: no cause");
	UNIT_OK(find(ROLE("R3"), NULL, 0, "2026-11-02T09:00:00Z", &c) == 1, "30 days before: the cause");
	UNIT_OK(find(ROLE("R4"), NULL, 0, "2026-11-03T09:10:00Z", &c) == 0, "no candidate: none");
	UNIT_OK(find(NULL, NULL, 0, "2026-11-03T09:10:00Z", &c) == 0, "nothing asked: none");
	UNIT_OK(find("arn:aws:iam::" A ":user/R1", NULL, 0, "2026-11-03T09:10:00Z", &c) == 0,
		"a user named like the role: none");
	find(ROLE("R5a"), NULL, 0, "2026-11-03T09:10:00Z", &c);
	ASSERT_STR_EQ(c.what, "set permissions boundary boundary on R5a", "PutRolePermissionsBoundary");
	find(ROLE("R5b"), NULL, 0, "2026-11-03T09:10:00Z", &c);
	ASSERT_STR_EQ(c.what, "removed the permissions boundary of R5b", "DeleteRolePermissionsBoundary");
	find(ROLE("R5c"), NULL, 0, "2026-11-03T09:10:00Z", &c);
	ASSERT_STR_EQ(c.what, "changed the trust policy of R5c", "UpdateAssumeRolePolicy");
}

static void policies(void)
{
	struct cause c;

	UNIT_OK(find(ROLE("R6"), NULL, 0, "2026-11-03T09:10:00Z", &c) == 1, "a new default version found");
	ASSERT_STR_EQ(c.what, "made a new default version of policy mgn-extra, attached to R6",
		      "the default one, not the version left aside or another policy's");
	UNIT_OK(find(ROLE("R1"), NULL, 0, "2026-11-03T09:07:00Z", &c) == 1 && !strcmp(c.event_id, "ev-000"),
		"a policy not attached to the role is not its cause");
	UNIT_OK(find(ROLE("R7"), NULL, 0, "2026-11-04T09:10:00Z", &c) == 1, "R7 found");
	ASSERT_STR_EQ(c.event_name, "DetachRolePolicy", "a policy detached before it changed: the detach, not the change");
	UNIT_OK(find(ROLE("R8"), NULL, 0, "2026-11-04T09:10:00Z", &c) == 1, "a policy still attached: found");
	ASSERT_STR_EQ(c.what, "set version v3 of policy p2, attached to R8, as default", "SetDefaultPolicyVersion");
	UNIT_OK(find(ROLE("R8"), NULL, 0, "2026-11-04T00:30:00Z", &c) == 0, "before the attachment: none");
}

static void scps(void)
{
	struct cause c;

	UNIT_OK(find(NULL, NULL, 1, "2026-11-05T09:10:00Z", &c) == 1, "SCP detach found");
	ASSERT_STR_EQ(c.what, "detached SCP p-FullAWSAccess from " A, "not the attach to another account");
	ASSERT_STR_EQ(c.who, "arn:aws:iam::" M ":user/admin", "who: a user's ARN");
	UNIT_OK(find(NULL, NULL, 1, "2026-11-05T10:00:00Z", &c) == 1, "SCP update found");
	ASSERT_STR_EQ(c.what, "updated SCP p-deny", "UpdatePolicy");
	UNIT_OK(find(NULL, NULL, 1, "2026-11-05T08:00:00Z", &c) == 1, "SCP on an OU found");
	ASSERT_STR_EQ(c.what, "attached SCP p-deny to ou-ab12-cdef3456", "AttachPolicy to an OU");
	UNIT_OK(find(NULL, NULL, 1, "2026-11-05T06:30:00Z", &c) == 1, "SCP on the root found");
	ASSERT_STR_EQ(c.what, "detached SCP p-FullAWSAccess from r-ab12", "DetachPolicy from the root");
	UNIT_OK(find(NULL, NULL, 0, "2026-11-05T09:10:00Z", &c) == 0, "an SCP change without an SCP denial: none");
}

static void keys(void)
{
	struct cause c;

	UNIT_OK(find(NULL, K1, 0, "2026-11-06T09:10:00Z", &c) == 1, "key by id: its disable (by ARN) found");
	ASSERT_STR_EQ(c.what, "disabled KMS key " K1, "DisableKey, not another key's policy");
	UNIT_OK(find(NULL, KARN(A, K1), 0, "2026-11-06T09:10:00Z", &c) == 1 && !strcmp(c.event_name, "DisableKey"),
		"key by ARN: found");
	UNIT_OK(find(NULL, K1, 0, "2026-11-06T10:00:00Z", &c) == 1, "later: the deletion");
	ASSERT_STR_EQ(c.what, "scheduled the deletion of KMS key " K1, "ScheduleKeyDeletion");
	UNIT_OK(find(NULL, K2, 0, "2026-11-06T09:10:00Z", &c) == 1, "key policy found");
	ASSERT_STR_EQ(c.what, "replaced the key policy of KMS key " K2, "PutKeyPolicy");
	UNIT_OK(find(NULL, "alias/mgn-key", 0, "2026-11-06T09:10:00Z", &c) == 0, "an alias never named: none");
	UNIT_OK(find(NULL, "alias/a", 0, "2026-11-06T09:10:00Z", &c) == 1 && !strcmp(c.event_name, "DisableKey"),
		"an alias: the change of the key it names");
	UNIT_OK(find(NULL, "arn:aws:kms:us-east-1:" A ":alias/a", 0, "2026-11-06T09:10:00Z", &c) == 1 &&
		!strcmp(c.event_name, "DisableKey"), "an alias ARN: the same");
	UNIT_OK(find(NULL, "alias/b", 0, "2026-11-06T09:10:00Z", &c) == 1, "an alias moved to another key: found");
	ASSERT_STR_EQ(c.what, "replaced the key policy of KMS key " K2, "the change of the key it named at the failure");
	UNIT_OK(find(NULL, "arn:aws:kms:us-east-1:" A ":alias/c", 0, "2026-11-06T09:10:00Z", &c) == 0,
		"an alias of another region: none");
	UNIT_OK(find(NULL, "alias/d", 0, "2026-11-06T09:10:00Z", &c) == 0, "an alias deleted before the failure: none");
	UNIT_OK(find(NULL, K3, 0, "2026-11-06T09:10:00Z", &c) == 1, "grant revoked found");
	ASSERT_STR_EQ(c.what, "revoked grant g-0123 of KMS key " K3, "RevokeGrant; a grant token names no key");
	UNIT_OK(find(NULL, K4, 0, "2026-11-06T09:10:00Z", &c) == 1, "grant retired found");
	ASSERT_STR_EQ(c.what, "retired grant g-4444 of KMS key " K4, "RetireGrant");
	UNIT_OK(find(NULL, KARN(B, K1), 0, "2026-11-06T09:10:00Z", &c) == 0,
		"the same id in another account's ARN: none (its changes are in that account)");
}

static void texts(void)
{
	struct cause c;
	struct buf b;
	struct jsonw w;

	find(ROLE("R1"), NULL, 0, "2026-11-03T09:10:00Z", &c);
	buf_init(&b, 1 << 16);
	cause_lead(&b, &c);
	ASSERT_STR_EQ(b.data, "since 2026-11-03 09:10Z, after jose@example.com detached"
		      " AWSApplicationMigrationReplicationServerPolicy from R1 at 09:00Z: ", "the lead");
	buf_reset(&b);
	find(ROLE("R3"), NULL, 0, "2026-11-02T09:00:00Z", &c);
	cause_phrase(&b, &c);
	ASSERT_STR_EQ(b.data, "after jose@example.com detached AWSApplicationMigrationReplicationServerPolicy"
		      " from R3 at 2026-10-03 09:00Z", "a change on another day is dated");
	buf_reset(&b);
	jsonw_init(&w, &b);
	cause_json(&w, NULL);
	ASSERT_STR_EQ(b.data, "null", "no cause: null");
	buf_release(&b);
}

static void changes(void)
{
	struct event ev;
	const char *acct;
	long long from, to;

	memset(&ev, 0, sizeof(ev));
	ev.event_source = "iam.amazonaws.com";
	ev.event_name = "DetachRolePolicy";
	ev.account = A;
	ev.time_ms = 1000;
	UNIT_OK(cause_is_change(&ev), "DetachRolePolicy is a change");
	UNIT_OK(cause_span(&ev, &acct, &from, &to) && !strcmp(acct, A) && from == 1000 && to == LLONG_MAX,
		"a detach ends an attachment: every later failure");
	ev.event_name = "PutRolePolicy";
	UNIT_OK(cause_span(&ev, &acct, &from, &to) && to == 1000 + CAUSE_WINDOW_MS, "a change: its window");
	ev.error_code = "AccessDenied";
	UNIT_OK(!cause_is_change(&ev) && !cause_span(&ev, &acct, &from, &to), "a failed change is none");
	ev.error_code = NULL;
	ev.event_name = "AttachRolePolicy";
	UNIT_OK(!cause_is_change(&ev) && cause_span(&ev, &acct, &from, &to), "an attachment is no cause but counts");
	ev.event_source = "kms.amazonaws.com";
	ev.event_name = "UpdateAlias";
	UNIT_OK(!cause_is_change(&ev) && cause_span(&ev, &acct, &from, &to) && to == LLONG_MAX,
		"an alias is no cause but counts for every later failure");
	ev.event_source = "organizations.amazonaws.com";
	ev.event_name = "DetachPolicy";
	UNIT_OK(cause_span(&ev, &acct, &from, &to) && !acct, "an SCP change: every account");
	ev.event_source = "ec2.amazonaws.com";
	ev.event_name = "CreateSnapshot";
	UNIT_OK(!cause_is_change(&ev) && !cause_span(&ev, &acct, &from, &to), "an EC2 call is none");
}

int main(void)
{
	char dir[] = "/tmp/test_cause.XXXXXX", path[64], store[64];
	char *paths[1] = { path };
	struct ingest_opts o = { 0, "test_cause", 1 };
	struct ingest_totals t;

	if (!mkdtemp(dir))
		fail("mkdtemp");
	snprintf(path, sizeof(path), "%s/trail.json", dir);
	snprintf(store, sizeof(store), "%s/store.db", dir);
	write_records(path);
	memset(&t, 0, sizeof(t));
	if (store_open(store, STORE_READ_WRITE, &db) || ingest_paths(db, paths, 1, &o, &t))
		fail("cannot ingest");
	UNIT_OK(t.inserted == nrec, "all %d records stored", nrec);
	roles();
	policies();
	scps();
	keys();
	texts();
	changes();
	store_close(db);
	unlink(path);
	unlink(store);
	rmdir(dir);
	return unit_exit();
}
