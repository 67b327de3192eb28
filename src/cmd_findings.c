/*
 * cmd_findings.c - `trailsift findings`: what the rules found.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "findings.h"
#include "msg.h"
#include "timeparse.h"

static const char help[] =
	"usage: trailsift [--db PATH] findings [--rule ID]... [--min-severity S] [--since T]\n"
	"                                      [--format text|json|csv]\n"
	"\n"
	"Prints the findings of the last scans, most severe first. Run `trailsift scan`\n"
	"first (`trailsift audit` does both).\n"
	"\n"
	"Options:\n"
	"  -r, --rule ID          only this rule (repeatable; see `trailsift rules`)\n"
	"  -s, --min-severity S   info, low, medium, high or critical (default info)\n"
	"      --since T          findings whose last event is at or after T (2026-11-01,\n"
	"                         2026-11-01T06:00:00Z, or 7d, 12h, 30m back from now)\n"
	"  -f, --format F         text (default), json (JSON Lines; fields in README) or csv\n"
	"  -h, --help             this help\n";

int cmd_findings(int argc, char **argv, struct ctx *ctx)
{
	enum { OPT_SINCE = 256 };
	static const struct option opts[] = {
		{ "rule", required_argument, NULL, 'r' },
		{ "min-severity", required_argument, NULL, 's' },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct findings_filter flt = { NULL, 0, SEV_INFO, 0, -1, 0 };
	const char **ids = xcalloc((size_t)argc + 1, sizeof(*ids));
	enum out_format fmt = OUT_TABLE;
	sqlite3 *db;
	int c, rc = EXIT_OK;

	flt.rules = ids;
	while ((c = getopt_long(argc, argv, "r:s:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (!rule_find(optarg)) {
				rc = usage_error("findings", "no rule '%s' (see 'trailsift rules')", optarg);
				goto done;
			}
			ids[flt.nrules++] = optarg;
			break;
		case 's':
			if (severity_parse(optarg, &flt.min_severity)) {
				rc = usage_error("findings", "--min-severity must be info, low, medium, high or critical");
				goto done;
			}
			break;
		case OPT_SINCE:
			if (time_parse_arg(optarg, time_now_ms(), &flt.since_ms)) {
				rc = usage_error("findings", "--since: '%s' is not a time", optarg);
				goto done;
			}
			break;
		case 'f':
			if (out_parse_format(optarg, &fmt)) {
				rc = usage_error("findings", "--format must be text, json or csv");
				goto done;
			}
			break;
		case 'h': rc = print_help(help); goto done;
		default: rc = usage_error("findings", "unknown option"); goto done;
		}
	}
	if (optind != argc) {
		rc = usage_error("findings", "unexpected argument '%s'", argv[optind]);
		goto done;
	}
	db = cmd_open_store(ctx, STORE_READ_ONLY);
	if (!db) {
		rc = EXIT_FAILED;
		goto done;
	}
	if (findings_print(db, &flt, fmt, NULL, NULL))
		rc = EXIT_FAILED;
	store_close(db);
done:
	free(ids);
	return rc;
}
