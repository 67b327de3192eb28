/*
 * cmd_ingest.c - `trailsift ingest PATH...`
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "ingest.h"
#include "msg.h"
#include "s3cmd.h"
#include "timeparse.h"

static const char help[] =
	"usage: trailsift [--db PATH] ingest [--quiet] [--jobs N] PATH...\n"
	"       trailsift [--db PATH] ingest [--quiet] [--jobs N] [S3 OPTIONS] s3://BUCKET[/PREFIX]\n"
	"\n"
	"Loads CloudTrail records into the store. PATH is a file, a directory (walked\n"
	"recursively, e.g. an S3 export's AWSLogs/ folder) or - for stdin.\n"
	"\n"
	"Accepted content, recognised by structure whatever the file name, gzipped or\n"
	"not (several gzip members in one file read as one stream):\n"
	"  {\"Records\":[...]}          CloudTrail log files as delivered to S3\n"
	"  {\"Events\":[...]}           a LookupEvents response (aws cloudtrail lookup-events)\n"
	"  [{...},...]                a bare JSON array of records\n"
	"  {...}\\n{...}               JSON Lines of records (CloudTrail Lake, SIEM exports)\n"
	"\n"
	"In a directory, files under CloudTrail-Digest/ and CloudTrail-Insight/ and files\n"
	"not named *.json, *.json.gz, *.jsonl, *.ndjson or *.gz are skipped and counted.\n"
	"A file read before with the same path, size and mtime is not read again. An\n"
	"event already stored (same eventID) is not stored twice. A bad file is reported\n"
	"on one line and none of its records are kept; the other files go on.\n"
	"\n"
	"s3://BUCKET[/PREFIX] reads a trail's bucket directly: PREFIX is the trail's S3\n"
	"key prefix (AWSLogs/ is found under it) or a path inside AWSLogs/. Objects are\n"
	"streamed into the parser (nothing is written to disk), --jobs of them at a\n"
	"time (default 8), and stored in key order. An object already stored with the\n"
	"same ETag is not fetched again; one with a new ETag is. Without --since, each\n"
	"account and region is listed from --late before its newest stored object, so\n"
	"a cron run lists only what is new, and late deliveries are still found.\n"
	"\n"
	"Options:\n"
	"  -j, --jobs N  parse N files at a time (default: one per core, at most 4;\n"
	"                for S3, N objects in flight, default 8); the store gets the\n"
	"                same rows in the same order whatever N\n"
	"  -q, --quiet   no progress line and no summary\n"
	"  -h, --help    this help\n"
	"\n"
	"S3 options (with s3://; --account and --region are repeatable):\n"
	INGEST_S3_HELP
	"\n"
	"Exit status: 0 all files ok; 1 a file failed or the store failed; 2 usage.\n";

int ingest_s3_option(const char *cmd, int c, const char *arg, struct ingest_s3 *s)
{
	long long now = time_now_ms(), v;
	size_t n = strlen(arg);

	switch (c) {
	case OPT_S3_ACCOUNT:
		if (cmd_whole_number(arg, 0, 999999999999LL) < 0 || n != 12)
			return usage_error(cmd, "--account '%s': want a 12-digit account ID", arg);
		if (s->plan.n_accounts == INGEST_S3_MAX_NAMES)
			return usage_error(cmd, "more than %d --account", INGEST_S3_MAX_NAMES);
		s->accounts[s->plan.n_accounts++] = (char *)arg;
		return 0;
	case OPT_S3_REGION:
		if (!n || n > 40 || strspn(arg, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
			return usage_error(cmd, "--region '%s' is not a region name (like us-east-1)", arg);
		if (s->plan.n_regions == INGEST_S3_MAX_NAMES)
			return usage_error(cmd, "more than %d --region", INGEST_S3_MAX_NAMES);
		s->regions[s->plan.n_regions++] = (char *)arg;
		return 0;
	case OPT_S3_SINCE:
	case OPT_S3_UNTIL:
		if (time_parse_arg(arg, now, c == OPT_S3_SINCE ? &s->plan.since_ms : &s->plan.until_ms))
			return usage_error(cmd, "--%s '%s': want a time (2026-11-03, 2026-11-03T06:00:00Z)"
					   " or a span back from now (3d, 12h)",
					   c == OPT_S3_SINCE ? "since" : "until", arg);
		return 0;
	case OPT_S3_LATE:
		if (!n || !strchr("wdhms", arg[n - 1]) || time_parse_arg(arg, now, &v))
			return usage_error(cmd, "--late '%s': want a span such as 1h", arg);
		s->plan.late_ms = now - v;
		return 0;
	case OPT_S3_ENDPOINT: s->setup.endpoint_url = arg; return 0;
	case OPT_S3_PROFILE: s->setup.profile = arg; return 0;
	case OPT_S3_CA_BUNDLE: s->setup.ca_bundle = arg; return 0;
	case OPT_S3_PAGE_SIZE:
		s->plan.max_keys = (int)cmd_whole_number(arg, 1, 1000);
		if (s->plan.max_keys < 0)
			return usage_error(cmd, "--page-size '%s': want 1 to 1000", arg);
		return 0;
	default:
		return 1;
	}
}

void ingest_s3_defaults(struct ingest_s3 *s)
{
	memset(s, 0, sizeof(*s));
	s->plan.accounts = s->accounts;
	s->plan.regions = s->regions;
	s->plan.late_ms = 60 * 60 * 1000LL;
}

/* Whether the options given are S3 options while no s3:// URL is. */
static int s3_options_without_url(const struct ingest_s3 *s)
{
	return s->plan.n_accounts || s->plan.n_regions || s->plan.since_ms || s->plan.until_ms ||
	       s->setup.endpoint_url || s->setup.profile || s->setup.ca_bundle || s->plan.max_keys;
}

int ingest_s3_check(const char *cmd, char *const *paths, int n, struct ingest_s3 *s)
{
	int urls = 0;

	for (int i = 0; i < n; i++)
		urls += !strncmp(paths[i], "s3://", 5);
	if (urls && n > 1)
		return usage_error(cmd, "give one s3:// URL, or files and directories, not both");
	if (!urls && s3_options_without_url(s))
		return usage_error(cmd, "--account, --region, --since, --until, --endpoint-url,"
				   " --profile, --ca-bundle and --page-size are for an s3:// URL");
	s->url = urls ? paths[0] : NULL;
	return 0;
}

/* The closing line of an S3 run. */
void ingest_s3_summary(const char *cmd, const struct ingest_s3 *s, const struct ingest_totals *t,
		       double seconds)
{
	char shown[1100];

	s3_shown(s->url + 5, NULL, shown, sizeof(shown)); /* the URL as given, escaped */
	note("%s: %s: %ld prefixes listed, %ld objects read (%lld records, %lld new), %ld skipped"
	     " as known, %ld not logs, %ld failed, %.1f MB in %.1f s", cmd, shown, t->prefixes,
	     t->files_ok, t->records, t->inserted, t->files_unchanged, t->files_skipped,
	     t->files_failed, (double)t->bytes / 1e6, seconds);
}

int cmd_ingest(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		INGEST_S3_OPTIONS,
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ingest_opts o = { 0, NULL, 0 };
	struct ingest_s3 s3;
	struct ingest_totals t;
	sqlite3 *db;
	long long started = time_now_ms();
	int c, rc;

	ingest_s3_defaults(&s3);
	while ((c = getopt_long(argc, argv, "j:qh", opts, NULL)) != -1) {
		rc = ingest_s3_option("ingest", c, optarg ? optarg : "", &s3);
		if (rc != 1) {
			if (rc)
				return rc;
			continue;
		}
		switch (c) {
		case 'j':
			o.jobs = (int)cmd_whole_number(optarg, 1, INGEST_MAX_JOBS);
			if (o.jobs < 0)
				return usage_error("ingest", "--jobs wants a number from 1 to %d, got '%s'",
						   INGEST_MAX_JOBS, optarg);
			break;
		case 'q': ctx->quiet = 1; break;
		case 'h': return print_help(help);
		default: return usage_error("ingest", "unknown option");
		}
	}
	if (optind >= argc)
		return usage_error("ingest", "no PATH given");
	rc = ingest_s3_check("ingest", argv + optind, argc - optind, &s3);
	if (rc)
		return rc;
	db = cmd_open_store(ctx, STORE_READ_WRITE);
	if (!db)
		return EXIT_FAILED;
	o.progress = ctx->stderr_tty && !ctx->quiet;
	o.command = ctx->command_line;
	if (s3.url)
		rc = ingest_s3(db, &s3, &o, &t);
	else
		rc = ingest_paths(db, argv + optind, argc - optind, &o, &t);
	store_close(db);
	if (!ctx->quiet && s3.url)
		ingest_s3_summary("ingest", &s3, &t, (double)(time_now_ms() - started) / 1000.0);
	else if (!ctx->quiet)
		note("ingest: %ld files read (%lld records, %lld new), %ld unchanged, %ld skipped, "
		     "%ld failed in %.1f s", t.files_ok, t.records, t.inserted, t.files_unchanged,
		     t.files_skipped, t.files_failed, (double)(time_now_ms() - started) / 1000.0);
	return rc || t.files_failed ? EXIT_FAILED : EXIT_OK;
}
