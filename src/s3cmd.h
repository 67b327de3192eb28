/*
 * s3cmd.h - the command-line options of an s3:// source, shared by
 * `ingest` and `audit` (defined in cmd_ingest.c).
 */
#ifndef TRAILSIFT_S3CMD_H
#define TRAILSIFT_S3CMD_H

#include "ingest.h"

enum {
	OPT_S3_ACCOUNT = 400, OPT_S3_REGION, OPT_S3_SINCE, OPT_S3_UNTIL, OPT_S3_LATE,
	OPT_S3_ENDPOINT, OPT_S3_PROFILE, OPT_S3_CA_BUNDLE, OPT_S3_PAGE_SIZE,
};

/* Their struct option entries, for a command's getopt_long() table. */
#define INGEST_S3_OPTIONS \
	{ "account", required_argument, NULL, OPT_S3_ACCOUNT }, \
	{ "region", required_argument, NULL, OPT_S3_REGION }, \
	{ "since", required_argument, NULL, OPT_S3_SINCE }, \
	{ "until", required_argument, NULL, OPT_S3_UNTIL }, \
	{ "late", required_argument, NULL, OPT_S3_LATE }, \
	{ "endpoint-url", required_argument, NULL, OPT_S3_ENDPOINT }, \
	{ "profile", required_argument, NULL, OPT_S3_PROFILE }, \
	{ "ca-bundle", required_argument, NULL, OPT_S3_CA_BUNDLE }, \
	{ "page-size", required_argument, NULL, OPT_S3_PAGE_SIZE }

/* Their --help lines. */
#define INGEST_S3_HELP \
	"  --account ID         only this account's logs (of an organization trail)\n" \
	"  --region R           only the logs of region R (where the events happened)\n" \
	"  --since T            from time T (2026-11-03, 2026-11-03T06:00:00Z, or 3d back)\n" \
	"  --until T            up to time T; only the day prefixes in between are listed\n" \
	"  --late SPAN          without --since, list again from SPAN before the newest\n" \
	"                       object already stored (default 1h): late deliveries\n" \
	"  --endpoint-url URL   S3 endpoint (default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL,\n" \
	"                       else AWS); path-style addressing there\n" \
	"  --profile P          credentials and region of profile P\n" \
	"  --ca-bundle FILE     CA certificates to verify the endpoint with ($AWS_CA_BUNDLE)\n" \
	"  --page-size N        keys per listing page, 1 to 1000 (default 1000)\n"

/* Sets the defaults (--late 1h). */
void ingest_s3_defaults(struct ingest_s3 *s);

/*
 * Takes getopt's option c with argument arg when it is an S3 option.
 * Returns 0 when taken, 1 when c is not an S3 option, or EXIT_USAGE
 * (printed, naming cmd) when arg is wrong.
 */
int ingest_s3_option(const char *cmd, int c, const char *arg, struct ingest_s3 *s);

/*
 * Checks the operands: one s3:// URL (then s->url is set), or paths only
 * with no S3 option. Returns 0, or EXIT_USAGE (printed).
 */
int ingest_s3_check(const char *cmd, char *const *paths, int n, struct ingest_s3 *s);

/* Prints the closing line of an S3 run on stderr. */
void ingest_s3_summary(const char *cmd, const struct ingest_s3 *s, const struct ingest_totals *t,
		       double seconds);

#endif
