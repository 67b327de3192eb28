/*
 * cmd_pull.c - `trailsift pull`: the CloudTrail LookupEvents API into the store.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lookup.h"
#include "msg.h"
#include "pull.h"
#include "timeparse.h"

static const char help[] =
	"usage: trailsift [--db PATH] pull [--region R]... [--since T] [--until T]\n"
	"                 [--attribute KEY=VALUE]... [--focus mgn] [--profile P]\n"
	"                 [--endpoint-url URL] [--max-events N] [OPTIONS]\n"
	"\n"
	"Reads CloudTrail's event history (the LookupEvents API: management events of\n"
	"the last 90 days) into the store: one row per eventID, the same columns as\n"
	"file ingest, so API and S3 files mix without duplicates. Rows name their\n"
	"origin api:cloudtrail:REGION:ACCOUNT[:KEY=VALUE].\n"
	"\n"
	"Incremental: without --since, each account, region and attribute continues\n"
	"from the newest event already pulled, less --overlap (CloudTrail can show an\n"
	"event minutes late); the first time, from 90 days back. A pull stopped at any\n"
	"point (Ctrl-C, kill, network loss, --max-events) resumes on the next run from\n"
	"its checkpoint in the store: nothing lost, nothing stored twice.\n"
	"\n"
	"Options:\n"
	"  --region R           pull region R (repeatable; regions are pulled at the\n"
	"                       same time, each within its own rate). Default:\n"
	"                       $AWS_REGION, $AWS_DEFAULT_REGION, the profile's region,\n"
	"                       or (credentials from instance metadata) the instance's\n"
	"  --since T            from T: 2026-11-01, 2026-11-01T06:00:00Z, or a span back\n"
	"                       from now: 90d, 12h, 30m (default: incremental)\n"
	"  --until T            up to T (default: now)\n"
	"  --attribute KEY=VALUE  one pass per attribute (the API takes one per call),\n"
	"                       events found by several passes stored once. KEY: EventId,\n"
	"                       EventName, ReadOnly, Username, ResourceType, ResourceName,\n"
	"                       EventSource, AccessKeyId\n"
	"  --focus mgn          only the passes that matter for MGN/DRS replication:\n"
	"                       EventSource ec2, mgn, drs, iam (role and policy changes)\n"
	"                       and kms (EBS encryption keys) .amazonaws.com\n"
	"  --profile P          credentials and region of profile P (~/.aws/credentials,\n"
	"                       ~/.aws/config); the environment's keys are then ignored\n"
	"  --account ID         the 12-digit account the credentials belong to (default:\n"
	"                       asked from STS GetCallerIdentity, which needs no permission)\n"
	"  --endpoint-url URL   send LookupEvents to URL (default: $AWS_ENDPOINT_URL_CLOUDTRAIL,\n"
	"                       $AWS_ENDPOINT_URL, or https://cloudtrail.REGION.amazonaws.com)\n"
	"  --ca-bundle FILE     verify TLS with the CAs in FILE (default: $AWS_CA_BUNDLE, or\n"
	"                       the system's); verification cannot be turned off\n"
	"  --max-events N       stop after N events (the next run goes on from there)\n"
	"  --overlap SPAN       how far back before the newest event an incremental pull\n"
	"                       starts (default 15m)\n"
	"  --rate R             requests per second per region (default 2, the API's\n"
	"                       limit; 0: no limit, for test endpoints)\n"
	"  --max-attempts N     tries per request on throttling, server errors and lost\n"
	"                       connections, with exponential backoff (default 6)\n"
	"  --timeout SECONDS    for one request (default 30)\n"
	"  -q, --quiet          no progress line and no summary\n"
	"  -h, --help           this help\n";

static const char help_tail[] =
	"\n"
	"Credentials, as the AWS CLI looks for them: AWS_ACCESS_KEY_ID and\n"
	"AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), unless --profile is given; the\n"
	"profile (--profile, $AWS_PROFILE, or default) in $AWS_SHARED_CREDENTIALS_FILE\n"
	"(~/.aws/credentials) and $AWS_CONFIG_FILE (~/.aws/config), including role_arn\n"
	"with source_profile or credential_source (STS AssumeRole, renewed before it\n"
	"expires; STS at $AWS_ENDPOINT_URL_STS if set); container credentials\n"
	"($AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI, with\n"
	"$AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]); EC2 instance metadata (IMDSv2;\n"
	"$AWS_EC2_METADATA_SERVICE_ENDPOINT, $AWS_EC2_METADATA_DISABLED). Proxies from\n"
	"HTTPS_PROXY/https_proxy and NO_PROXY. No secret is printed, logged or stored.\n"
	"\n"
	"A TTY shows progress; otherwise one summary line goes to stderr.\n"
	"\n"
	"Exit status: 0 done (or --max-events reached); 1 a region failed, an event\n"
	"could not be stored, the pull was interrupted or the store failed (what was\n"
	"pulled is kept); 2 usage error.\n";

enum {
	OPT_REGION = 256, OPT_SINCE, OPT_UNTIL, OPT_ATTRIBUTE, OPT_FOCUS, OPT_PROFILE, OPT_ACCOUNT,
	OPT_ENDPOINT, OPT_CA_BUNDLE, OPT_MAX_EVENTS, OPT_OVERLAP, OPT_RATE, OPT_MAX_ATTEMPTS,
	OPT_TIMEOUT,
};

int cmd_pull(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		{ "region", required_argument, NULL, OPT_REGION },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "attribute", required_argument, NULL, OPT_ATTRIBUTE },
		{ "focus", required_argument, NULL, OPT_FOCUS },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "account", required_argument, NULL, OPT_ACCOUNT },
		{ "endpoint-url", required_argument, NULL, OPT_ENDPOINT },
		{ "ca-bundle", required_argument, NULL, OPT_CA_BUNDLE },
		{ "max-events", required_argument, NULL, OPT_MAX_EVENTS },
		{ "overlap", required_argument, NULL, OPT_OVERLAP },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "max-attempts", required_argument, NULL, OPT_MAX_ATTEMPTS },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct pull_opts o;
	struct pull *p;
	long long now = time_now_ms(), v;
	sqlite3 *db;
	char *end;
	int c, status;

	memset(&o, 0, sizeof(o));
	o.since_ms = o.until_ms = -1;
	o.overlap_ms = 15 * 60 * 1000LL;
	o.rate = 2;
	o.max_attempts = 6;
	o.timeout_ms = 30000;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_REGION:
			if (o.n_regions == PULL_MAX_REGIONS)
				return usage_error("pull", "more than %d --region", PULL_MAX_REGIONS);
			o.regions[o.n_regions++] = optarg;
			break;
		case OPT_SINCE:
		case OPT_UNTIL:
			if (time_parse_arg(optarg, now, c == OPT_SINCE ? &o.since_ms : &o.until_ms))
				return usage_error("pull", "--%s '%s': want 2026-11-01, an ISO time or a"
						   " span such as 90d, 12h, 30m",
						   c == OPT_SINCE ? "since" : "until", optarg);
			break;
		case OPT_ATTRIBUTE: {
			const char *eq = strchr(optarg, '=');

			if (!eq || eq == optarg || !eq[1] ||
			    !lookup_attribute_key(optarg, (size_t)(eq - optarg)))
				return usage_error("pull", "--attribute '%s': want KEY=VALUE with KEY one"
						   " of %s", optarg, lookup_attribute_keys);
			if (o.n_attributes == PULL_MAX_PASSES)
				return usage_error("pull", "more than %d --attribute", PULL_MAX_PASSES);
			o.attributes[o.n_attributes++] = optarg;
			break;
		}
		case OPT_FOCUS:
			if (strcmp(optarg, "mgn"))
				return usage_error("pull", "--focus '%s': the only focus is mgn", optarg);
			o.focus_mgn = 1;
			break;
		case OPT_PROFILE: o.profile = optarg; break;
		case OPT_ACCOUNT: o.account = optarg; break;
		case OPT_ENDPOINT: o.endpoint_url = optarg; break;
		case OPT_CA_BUNDLE: o.ca_bundle = optarg; break;
		case OPT_MAX_EVENTS:
			o.max_events = cmd_whole_number(optarg, 1, 1LL << 40);
			if (o.max_events < 0)
				return usage_error("pull", "--max-events '%s': want a positive number", optarg);
			break;
		case OPT_OVERLAP: {
			size_t n = strlen(optarg);

			if (!n || !strchr("wdhms", optarg[n - 1]) || time_parse_arg(optarg, now, &v))
				return usage_error("pull", "--overlap '%s': want a span such as 15m", optarg);
			o.overlap_ms = now - v;
			break;
		}
		case OPT_RATE:
			errno = 0;
			o.rate = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o.rate >= 0) || o.rate > 1000)
				return usage_error("pull", "--rate '%s': want requests per second (0: no limit)",
						   optarg);
			break;
		case OPT_MAX_ATTEMPTS:
			v = cmd_whole_number(optarg, 1, 100);
			if (v < 0)
				return usage_error("pull", "--max-attempts '%s': want 1 to 100", optarg);
			o.max_attempts = (int)v;
			break;
		case OPT_TIMEOUT:
			v = cmd_whole_number(optarg, 1, 3600);
			if (v < 0)
				return usage_error("pull", "--timeout '%s': want 1 to 3600 seconds", optarg);
			o.timeout_ms = (long)v * 1000;
			break;
		case 'q': ctx->quiet = 1; break;
		case 'h':
			fputs(help, stdout);
			return print_help(help_tail);
		default: return usage_error("pull", "unknown option");
		}
	}
	if (optind < argc)
		return usage_error("pull", "unexpected argument '%s'", argv[optind]);
	if (o.since_ms >= 0 && o.until_ms >= 0 && o.since_ms > o.until_ms)
		return usage_error("pull", "--since is after --until");
	o.progress = ctx->stderr_tty && !ctx->quiet;
	o.quiet = ctx->quiet;
	o.command = ctx->command_line;

	p = pull_prepare(&o, &status);
	if (!p)
		return status == 2 ? EXIT_USAGE : EXIT_FAILED;
	db = cmd_open_store(ctx, STORE_READ_WRITE);
	if (!db) {
		pull_free(p);
		return EXIT_FAILED;
	}
	status = pull_run(p, db);
	store_close(db);
	pull_free(p);
	return status ? EXIT_FAILED : EXIT_OK;
}
