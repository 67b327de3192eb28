/*
 * cmd_timeline.c - `trailsift timeline`: one source server's events and findings.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "jsonw.h"
#include "msg.h"
#include "srvindex.h"
#include "timeline.h"
#include "timeparse.h"

static const char help[] =
	"usage: trailsift [--db PATH] timeline --source-server s-... [--since T]\n"
	"                                      [--format text|json]\n"
	"\n"
	"Prints every stored event that names one MGN/DRS source server, oldest first:\n"
	"MGN/DRS calls with its sourceServerID, and EC2 calls whose parameters, tags or\n"
	"resources carry its id (replication servers, staging volumes, snapshots): an\n"
	"event names it when a string in its record equals the id exactly (s-1 never\n"
	"matches s-10). The findings that cover an event are marked under it. Run\n"
	"`trailsift scan` first.\n"
	"\n"
	"Options:\n"
	"  -s, --source-server ID   the source server, e.g. s-1234567890abcdef0 (required)\n"
	"      --since T            events at or after T (2026-11-01, 7d, 12h, ...)\n"
	"  -f, --format F           text (default) or json (one object; fields in README)\n"
	"  -h, --help               this help\n";

int cmd_timeline(int argc, char **argv, struct ctx *ctx)
{
	enum { OPT_SINCE = 256 };
	static const struct option opts[] = {
		{ "source-server", required_argument, NULL, 's' },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *server = NULL;
	long long since = 0;
	int c, json = 0, rc;
	struct buf b;
	struct jsonw w;
	sqlite3 *db;

	while ((c = getopt_long(argc, argv, "s:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': server = optarg; break;
		case OPT_SINCE:
			if (time_parse_arg(optarg, time_now_ms(), &since))
				return usage_error("timeline", "--since: '%s' is not a time", optarg);
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				return usage_error("timeline", "--format must be text or json");
			json = !strcmp(optarg, "json");
			break;
		case 'h': return print_help(help);
		default: return usage_error("timeline", "unknown option");
		}
	}
	if (optind != argc)
		return usage_error("timeline", "unexpected argument '%s'", argv[optind]);
	if (!server || !*server)
		return usage_error("timeline", "no --source-server given");
	if (!srvindex_is_id(server, strlen(server)))
		return usage_error("timeline", "--source-server takes an id of the form s-... (at most %d bytes)",
				   SRVINDEX_MAX_ID);
	db = cmd_open_store(ctx, STORE_READ_ONLY);
	if (!db)
		return EXIT_FAILED;
	buf_init(&b, (size_t)1 << 30);
	jsonw_init(&w, &b);
	rc = timeline_build(db, server, since, TIMELINE_ALL, &w);
	store_close(db);
	if (!rc && json) {
		fputs(b.data, stdout);
		fputc('\n', stdout);
	} else if (!rc) {
		char err[128];
		yajl_val doc = yajl_tree_parse(b.data, err, sizeof(err));

		if (doc)
			timeline_render_text(doc, stdout);
		else
			rc = error("timeline: internal JSON error: %s", err);
		yajl_tree_free(doc);
	}
	buf_release(&b);
	return rc ? EXIT_FAILED : EXIT_OK;
}
