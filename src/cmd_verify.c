/*
 * cmd_verify.c - `trailsift verify`: the store against the trail's digest files.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "timeparse.h"
#include "verify.h"

static const char help[] =
	"usage: trailsift [--db PATH] verify [--since T] [--until T] [--format text|json]\n"
	"                 [--check-signatures] [--profile P] [--endpoint-url URL]\n"
	"                 s3://BUCKET[/PREFIX] | DIR\n"
	"\n"
	"Checks what the store holds against the trail's digest files (CloudTrail-Digest/\n"
	"in the trail's bucket, PREFIX the trail's S3 prefix, or under DIR, a copy of it),\n"
	"per account, region and trail:\n"
	"  log files    every file a digest lists must be in the store, read whole, with\n"
	"               the SHA-256 of its uncompressed content that the digest names;\n"
	"               missing, altered and unlisted files (in the store, in the digests'\n"
	"               hours, but listed by none) are reported\n"
	"  chain        each digest names the previous one's S3 object and SHA-256: a\n"
	"               digest missing or altered is a chain break, reported with its time;\n"
	"               a digest that starts a new chain (logging stopped and started\n"
	"               again) is reported as such, not as tampering\n"
	"  signatures   SHA256withRSA over AWS's data-signing string, with the public key\n"
	"               the digest names (CloudTrail ListPublicKeys, kept in the store)\n"
	"Files a digest vouches for are marked in the store (sources.verified_at and\n"
	"verified_by), so that stats and report can say which events are proven.\n"
	"\n"
	"From s3:// every signature is checked: each digest object's x-amz-meta-signature.\n"
	"A local copy has no S3 metadata, so the newest digest's signature (in its\n"
	"x-amz-meta-signature) is not checkable; every older digest's signature is in\n"
	"the next digest's previousDigestSignature (AWS's offline validation), checked\n"
	"with --check-signatures. Without it signatures are reported \"not checkable\",\n"
	"which does not fail the run.\n"
	"\n"
	"Options:\n"
	"  --since T            only digests ending at or after T (2026-11-01, an ISO time,\n"
	"                       or a span back from now: 90d, 12h)\n"
	"  --until T            only digests ending at or before T\n"
	"  --format F           text (default) or json\n"
	"  --check-signatures   DIR: fetch CloudTrail's public keys for the digests' regions\n"
	"                       and time range (ListPublicKeys; credentials as for pull) and\n"
	"                       check every signature known (always so with s3://)\n"
	"  --profile P          credentials of profile P (S3 and ListPublicKeys)\n"
	"  --endpoint-url URL   send ListPublicKeys to URL (default: $AWS_ENDPOINT_URL_CLOUDTRAIL,\n"
	"                       $AWS_ENDPOINT_URL, or https://cloudtrail.REGION.amazonaws.com);\n"
	"                       S3 requests go to $AWS_ENDPOINT_URL_S3 or $AWS_ENDPOINT_URL if set\n"
	"  --ca-bundle FILE     verify TLS with the CAs in FILE (default: $AWS_CA_BUNDLE)\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0 everything checkable verified; 1 something failed verification\n"
	"(a missing, altered or unlisted file, a chain break, an invalid signature, an\n"
	"unreadable digest) or the store failed; 2 usage error.\n";

enum { OPT_SINCE = 256, OPT_UNTIL, OPT_FORMAT, OPT_CHECK_SIGS, OPT_PROFILE, OPT_ENDPOINT,
       OPT_CA_BUNDLE };

int cmd_verify(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "check-signatures", no_argument, NULL, OPT_CHECK_SIGS },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "endpoint-url", required_argument, NULL, OPT_ENDPOINT },
		{ "ca-bundle", required_argument, NULL, OPT_CA_BUNDLE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct verify_opts o;
	long long now = time_now_ms();
	sqlite3 *db;
	int c, status;

	memset(&o, 0, sizeof(o));
	o.since_ms = o.until_ms = -1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_SINCE:
		case OPT_UNTIL:
			if (time_parse_arg(optarg, now, c == OPT_SINCE ? &o.since_ms : &o.until_ms))
				return usage_error("verify", "--%s '%s': want 2026-11-01, an ISO time or a"
						   " span such as 90d, 12h", c == OPT_SINCE ? "since" :
						   "until", optarg);
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				return usage_error("verify", "--format '%s': want text or json", optarg);
			o.json = !strcmp(optarg, "json");
			break;
		case OPT_CHECK_SIGS: o.check_signatures = 1; break;
		case OPT_PROFILE: o.profile = optarg; break;
		case OPT_ENDPOINT: o.endpoint_url = optarg; break;
		case OPT_CA_BUNDLE: o.ca_bundle = optarg; break;
		case 'h': return print_help(help);
		default: return usage_error("verify", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return usage_error("verify", optind == argc ? "want s3://BUCKET[/PREFIX] or a directory" :
				   "want one s3:// URL or directory, got '%s' too", argv[argc - 1]);
	if (o.since_ms >= 0 && o.until_ms >= 0 && o.since_ms > o.until_ms)
		return usage_error("verify", "--since is after --until");
	o.source = argv[optind];
	db = cmd_open_store(ctx, STORE_READ_WRITE);
	if (!db)
		return EXIT_FAILED;
	status = verify_run(db, &o);
	store_close(db);
	return status;
}
