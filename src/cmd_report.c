/*
 * cmd_report.c - `trailsift report`: the diagnosis for a person.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "msg.h"
#include "report.h"
#include "timeparse.h"

static const char help[] =
	"usage: trailsift [--db PATH] report [--since T] [--format text|json|html]\n"
	"\n"
	"Writes a diagnosis per account and region: which causes of \"Finalizing Initial\n"
	"Sync\" the findings point to (missing EC2 permissions with a policy statement to\n"
	"add, quotas and capacity, throttling, replication-settings changes and their\n"
	"tags), with first and last seen, counts and the next step; the source servers,\n"
	"the worst first; then what CloudTrail cannot show and how to check it by hand.\n"
	"Run `trailsift scan` first.\n"
	"\n"
	"Text and HTML stay short at any size: per cause the 10 worst findings, at most\n"
	"50 source servers, 10 settings changes and 3 policy statements, each list\n"
	"followed by how many more and the command that shows them. JSON carries\n"
	"every finding, change and server (with its whole timeline).\n"
	"\n"
	"Options:\n"
	"      --since T     findings whose last event is at or after T (2026-11-01, 7d, ...)\n"
	"  -f, --format F    text (default), json, or html (one self-contained file with a\n"
	"                    timeline chart; no script, nothing fetched when viewed)\n"
	"  -h, --help        this help\n";

int cmd_report(int argc, char **argv, struct ctx *ctx)
{
	enum { OPT_SINCE = 256 };
	static const struct option opts[] = {
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum report_format fmt = REPORT_TEXT;
	long long since = 0;
	sqlite3 *db;
	int c, rc;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_SINCE:
			if (time_parse_arg(optarg, time_now_ms(), &since))
				return usage_error("report", "--since: '%s' is not a time", optarg);
			break;
		case 'f':
			if (!strcmp(optarg, "text"))
				fmt = REPORT_TEXT;
			else if (!strcmp(optarg, "json"))
				fmt = REPORT_JSON;
			else if (!strcmp(optarg, "html"))
				fmt = REPORT_HTML;
			else
				return usage_error("report", "--format must be text, json or html");
			break;
		case 'h': return print_help(help);
		default: return usage_error("report", "unknown option");
		}
	}
	if (optind != argc)
		return usage_error("report", "unexpected argument '%s'", argv[optind]);
	db = cmd_open_store(ctx, STORE_READ_ONLY);
	if (!db)
		return EXIT_FAILED;
	rc = report_write(db, ctx->db_path, since, fmt, stdout);
	store_close(db);
	return rc ? EXIT_FAILED : EXIT_OK;
}
