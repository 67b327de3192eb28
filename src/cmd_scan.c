/*
 * cmd_scan.c - `trailsift scan [--all]`: run the rules over new events.
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "msg.h"
#include "rules.h"
#include "timeparse.h"

static const char help[] =
	"usage: trailsift [--db PATH] scan [--all] [--quiet]\n"
	"\n"
	"Runs every rule (see `trailsift rules`) over the events it has not seen yet and\n"
	"records what it finds; `trailsift findings` and `trailsift report` show them.\n"
	"A finding that new events extend is updated, never duplicated.\n"
	"Each rule reads again only what the new events can change (README: what scan\n"
	"keeps); the findings are the same as those of --all, whatever order events\n"
	"arrived in.\n"
	"\n"
	"Options:\n"
	"  -a, --all     read every event again and rebuild every group from nothing\n"
	"                (after an upgrade of the rules)\n"
	"  -q, --quiet   no summary line\n"
	"  -h, --help    this help\n";

int cmd_scan(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct scan_totals t;
	sqlite3 *db;
	long long started = time_now_ms();
	int c, full = 0, rc;

	while ((c = getopt_long(argc, argv, "aqh", opts, NULL)) != -1) {
		switch (c) {
		case 'a': full = 1; break;
		case 'q': ctx->quiet = 1; break;
		case 'h': return print_help(help);
		default: return usage_error("scan", "unknown option");
		}
	}
	if (optind != argc)
		return usage_error("scan", "unexpected argument '%s'", argv[optind]);
	db = cmd_open_store(ctx, STORE_READ_WRITE);
	if (!db)
		return EXIT_FAILED;
	rc = rules_scan(db, full, &t);
	store_close(db);
	if (rc)
		return EXIT_FAILED;
	if (!ctx->quiet)
		note("scan: %lld events read, %ld new findings, %ld changed in %.1f s", t.events_read,
		     t.findings_new, t.findings_changed, (double)(time_now_ms() - started) / 1000.0);
	return EXIT_OK;
}
