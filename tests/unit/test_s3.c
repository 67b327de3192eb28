/*
 * test_s3.c - the S3 client against the fake S3 of tests/fake_aws.py (which
 * recomputes every signature the way S3 does: the path encoded once, the
 * payload hash from x-amz-content-sha256), and its pure helpers.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "s3.h"
#include "s3plan.h"
#include "unit.h"

#define AK "AKIDS3UNIT"
#define SK "s3UnitSecret/0123456789+abcdefghijklmnop"

/* An odd key: spaces, '+', '=', '~', '%', UTF-8 and a doubled slash, all signed once. */
static const char odd_key[] = "AWSLogs/odd dir/a+b=c~d%e \xc3\xa9//f.json";
static const char body[] = "{\"Records\":[]}\n";

static void pure_helpers(void)
{
	char bucket[64], shown[200];
	const char *prefix;

	UNIT_OK(!s3_parse_url("s3://trail.bucket/AWSLogs/x", bucket, &prefix) &&
		!strcmp(bucket, "trail.bucket") && !strcmp(prefix, "AWSLogs/x"),
		"s3_parse_url splits bucket and prefix");
	UNIT_OK(!s3_parse_url("s3://b12", bucket, &prefix) && !strcmp(prefix, ""),
		"s3_parse_url: no prefix");
	UNIT_OK(s3_parse_url("s3://ab/x", bucket, &prefix) && s3_parse_url("http://b/x", bucket, &prefix) &&
		s3_parse_url("s3://bad/bucket\\x", bucket, &prefix) == 0,
		"s3_parse_url refuses short buckets and other schemes");
	UNIT_OK(s3_parse_url("s3://sp ace/x", bucket, &prefix), "s3_parse_url refuses a bucket with a space");
	s3_shown("b", "k\x1b[2J\\\n", shown, sizeof(shown));
	ASSERT_STR_EQ(shown, "s3://b/k\\x1b[2J\\x5c\\x0a", "s3_shown escapes control bytes and backslashes");
	s3_shown("b", NULL, shown, sizeof(shown));
	ASSERT_STR_EQ(shown, "s3://b", "s3_shown of a bucket");
	ASSERT_INT_EQ(s3plan_key_time("AWSLogs/1/CloudTrail/us-east-1/2026/11/03/"
				      "111122223333_CloudTrail_us-east-1_20261103T1004Z_abc.json.gz"),
		      1793700240000LL, "s3plan_key_time reads the file name's time");
	ASSERT_INT_EQ(s3plan_key_time("AWSLogs/README.txt"), -1, "s3plan_key_time: not a log name");
}

/* Starts the fake on root; returns its pid and sets endpoint, or -1. */
static pid_t start_fake(const char *root, char *endpoint, size_t n)
{
	const char *top = getenv("TEST_ROOT");
	char script[4096], line[128];
	int fd[2];
	pid_t pid;
	FILE *f;

	snprintf(script, sizeof(script), "%s/tests/fake_aws.py", top ? top : ".");
	if (pipe(fd))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		execlp("python3", "python3", script, "--s3-root", root, "--cred", AK ":" SK,
		       "--max-seconds", "60", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	f = fdopen(fd[0], "r");
	if (!f || !fgets(line, sizeof(line), f) || strncmp(line, "PORT ", 5)) {
		if (f)
			fclose(f);
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return -1;
	}
	fclose(f);
	snprintf(endpoint, n, "http://127.0.0.1:%d", atoi(line + 5));
	return pid;
}

static int collect(void *arg, const void *data, size_t len)
{
	struct buf *b = arg;

	return buf_add(b, data, len);
}

static void against_fake(void)
{
	char root[] = "/tmp/trailsift-test-s3.XXXXXX", path[600], endpoint[64], err[600], etag[80];
	struct s3_setup setup;
	struct s3_bucket b;
	struct s3_head h;
	struct s3_page pg;
	struct s3_list_req rq = { "AWSLogs/", "/", NULL, NULL, 0 };
	struct s3 s;
	struct buf got;
	FILE *f;
	pid_t pid;
	int rc;

	if (!mkdtemp(root)) {
		UNIT_OK(0, "a scratch directory");
		return;
	}
	snprintf(path, sizeof(path), "%s/unit-bucket/AWSLogs/odd dir/a+b=c~d%%e \xc3\xa9", root);
	{
		char cmd[800];

		snprintf(cmd, sizeof(cmd), "mkdir -p '%s/'", path);
		if (system(cmd))
			return;
	}
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/f.json");
	/* the doubled slash of the key is one directory separator on disk: the fake
	   joins the key as given, and the OS folds "//" */
	f = fopen(path, "w");
	if (!f)
		return;
	fputs(body, f);
	fclose(f);
	pid = start_fake(root, endpoint, sizeof(endpoint));
	UNIT_OK(pid > 0, "the fake S3 started");
	if (pid <= 0)
		return;
	setenv("AWS_ACCESS_KEY_ID", AK, 1);
	setenv("AWS_SECRET_ACCESS_KEY", SK, 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
	setenv("AWS_CONFIG_FILE", "/dev/null", 1);
	unsetenv("AWS_PROFILE");
	memset(&setup, 0, sizeof(setup));
	setup.endpoint_url = endpoint;
	rc = s3_bucket_open(&b, "unit-bucket", &setup, err, sizeof(err));
	UNIT_OK(rc == 0, "s3_bucket_open (%s)", rc ? err : "ok");
	if (rc)
		goto out;
	s3_init(&s, &b, err, sizeof(err));
	UNIT_OK(!s3_bucket_locate(&s, err, sizeof(err)), "HeadBucket answers");

	rc = s3_list(&s, &rq, &pg, err, sizeof(err));
	UNIT_OK(!rc && pg.n_prefixes == 1 && !strcmp(pg.prefixes[0], "AWSLogs/odd dir/"),
		"a delimiter listing gives the next level as a common prefix");
	s3_page_release(&pg);

	rc = s3_head(&s, odd_key, &h, err, sizeof(err));
	UNIT_OK(rc == 0, "HeadObject of a key with characters S3 encodes once (%s)", rc ? err : "ok");
	ASSERT_INT_EQ(h.size, (long long)strlen(body), "  its size");
	UNIT_OK(strlen(h.etag) == 32 && h.etag[0] != '"', "  its ETag, unquoted");
	UNIT_OK(h.n_meta == 1 && !strcmp(h.meta[0].name, "source") && !strcmp(h.meta[0].value, "fake_aws"),
		"  its x-amz-meta-* metadata");
	snprintf(etag, sizeof(etag), "%s", h.etag);
	s3_head_release(&h);
	buf_init(&got, 1u << 20);
	{
		char head_etag[80];

		snprintf(head_etag, sizeof(head_etag), "%s", etag);
		rc = s3_get(&s, odd_key, head_etag, collect, &got, etag, err, sizeof(err));
		UNIT_OK(rc == S3_GET_OK && !strcmp(got.data, body), "GetObject streams the bytes (%s)",
			rc ? err : "ok");
		ASSERT_STR_EQ(etag, head_etag, "  with the ETag HeadObject gave");
	}
	buf_release(&got);
	buf_init(&got, 1u << 20);
	rc = s3_get(&s, odd_key, "0123456789abcdef0123456789abcdef", collect, &got, NULL, err,
		    sizeof(err));
	UNIT_OK(rc == S3_GET_FAILED && strstr(err, "HTTP 412") && strstr(err, "changed"),
		"GetObject of a changed object (If-Match) fails: %s", err);
	buf_release(&got);
	rc = s3_head(&s, "AWSLogs/none", &h, err, sizeof(err));
	UNIT_OK(rc == -1 && strstr(err, "HTTP 404"), "HeadObject of a missing key: %s", err);
	s3_head_release(&h);
	s3_release(&s);
	s3_bucket_close(&b);
out:
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	{
		char cmd[200];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd)) {
			/* left behind in /tmp */
		}
	}
}

int main(void)
{
	pure_helpers();
	against_fake();
	return unit_exit();
}
