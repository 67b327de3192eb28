/*
 * cmd_ingest.c - `trailsift ingest PATH...`
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "ingest.h"
#include "msg.h"
#include "timeparse.h"

static const char help[] =
	"usage: trailsift [--db PATH] ingest [--quiet] [--jobs N] PATH...\n"
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
	"In a directory, a file is read when it starts as a log does (gzip, or JSON text\n"
	"opening with { or [) or is named *.json, *.json.gz, *.jsonl, *.ndjson or *.gz in\n"
	"any case; other files, hidden files, non-regular files and the files under\n"
	"CloudTrail-Digest/ and CloudTrail-Insight/ are skipped and counted. A file named\n"
	"on the command line is always read.\n"
	"A file read before with the same path, size and mtime is not read again. An\n"
	"event already stored (same eventID) is not stored twice. A bad file is reported\n"
	"on one line and none of its records are kept; the other files go on. UTF-8 is\n"
	"checked strictly (RFC 3629); a string, number or record over 32 MiB fails the\n"
	"file.\n"
	"\n"
	"Options:\n"
	"  -j, --jobs N  parse N files at a time (default: one per core, at most 4);\n"
	"                the store gets the same rows in the same order whatever N\n"
	"  -q, --quiet   no progress line and no summary\n"
	"  -h, --help    this help\n"
	"\n"
	"Exit status: 0 all files ok; 1 a file failed or the store failed; 2 usage.\n";

int cmd_ingest(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ingest_opts o = { 0, NULL, 0 };
	struct ingest_totals t;
	sqlite3 *db;
	long long started = time_now_ms();
	int c, rc;

	while ((c = getopt_long(argc, argv, "j:qh", opts, NULL)) != -1) {
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
	db = cmd_open_store(ctx, STORE_READ_WRITE);
	if (!db)
		return EXIT_FAILED;
	o.progress = ctx->stderr_tty && !ctx->quiet;
	o.command = ctx->command_line;
	rc = ingest_paths(db, argv + optind, argc - optind, &o, &t);
	store_close(db);
	if (!ctx->quiet)
		note("ingest: %ld files read (%lld records, %lld new), %ld unchanged, %ld skipped, "
		     "%ld failed in %.1f s", t.files_ok, t.records, t.inserted, t.files_unchanged,
		     t.files_skipped, t.files_failed, (double)(time_now_ms() - started) / 1000.0);
	return rc || t.files_failed ? EXIT_FAILED : EXIT_OK;
}
