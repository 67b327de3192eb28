/*
 * cmd_stats.c - `trailsift stats`: what the store holds and how it got there.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cmd.h"
#include "msg.h"
#include "out.h"
#include "verify.h"

static const char help[] =
	"usage: trailsift [--db PATH] stats [--top N]\n"
	"\n"
	"Prints the number of events and their time range; the files read (ok, skipped,\n"
	"failed) and the API pulls' region streams; events by source, region, account\n"
	"and day; and the last ingest runs.\n"
	"\n"
	"Options:\n"
	"  -n, --top N   rows per group (default 15; 0 for all)\n"
	"  -h, --help    this help\n";

/* Prints the rows of sql (which has a :top parameter) as a table. */
static void table(sqlite3 *db, const char *title, const char *sql, int top)
{
	sqlite3_stmt *st = store_prepare(db, sql);
	int ncol;
	const char **names;
	struct out_cell *cells;
	struct out *o;

	if (!st)
		return;
	store_bind_int64(st, ":top", top ? top : -1);
	ncol = sqlite3_column_count(st);
	names = xcalloc((size_t)ncol, sizeof(*names));
	cells = xcalloc((size_t)ncol, sizeof(*cells));
	for (int i = 0; i < ncol; i++)
		names[i] = sqlite3_column_name(st, i);
	printf("\n%s\n", title);
	o = out_begin(stdout, OUT_TABLE, names, ncol);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < ncol; i++) {
			if (sqlite3_column_type(st, i) == SQLITE_INTEGER) {
				cells[i].type = OUT_INT;
				cells[i].i = sqlite3_column_int64(st, i);
			} else if (sqlite3_column_type(st, i) == SQLITE_NULL) {
				cells[i].type = OUT_TEXT;
				cells[i].text = "(none)";
				cells[i].len = 6;
			} else {
				cells[i].type = OUT_TEXT;
				cells[i].text = (const char *)sqlite3_column_text(st, i);
				cells[i].len = (size_t)sqlite3_column_bytes(st, i);
			}
		}
		out_row(o, cells);
	}
	out_end(o);
	free(names);
	free(cells);
	sqlite3_finalize(st);
}

/* A sources row that is a file (or stdin), not a pull's region stream (api:...). */
#define NOT_API "path NOT GLOB 'api:*'"

/* How many events files a digest vouches for brought (trailsift verify). */
static void print_verified(sqlite3 *db)
{
	struct verify_summary v;

	if (verify_summary(db, &v) || !v.events)
		return;
	printf("verified    %lld of %lld events (%.1f%%)", v.verified, v.events,
	       100.0 * (double)v.verified / (double)v.events);
	if (v.verified)
		printf(", %s .. %s, by the trail's digest files\n", v.first, v.last);
	else
		printf(": none checked against the trail's digest files (trailsift verify)\n");
}

static void summary(sqlite3 *db, const char *path)
{
	sqlite3_stmt *st = store_prepare(db,
		"SELECT count(*), min(event_time), max(event_time), count(error_code),"
		" (SELECT count(*) FROM sources WHERE status = 'ok' AND " NOT_API "),"
		" (SELECT count(*) FROM sources WHERE status = 'skipped' AND " NOT_API "),"
		" (SELECT count(*) FROM sources WHERE status = 'failed' AND " NOT_API "),"
		" (SELECT count(*) FROM sources WHERE NOT " NOT_API "),"
		" (SELECT coalesce(sum(records), 0) FROM sources WHERE NOT " NOT_API "),"
		" (SELECT coalesce(sum(inserted), 0) FROM sources WHERE NOT " NOT_API ")"
		" FROM events");
	struct stat sb;

	if (!st)
		return;
	if (sqlite3_step(st) == SQLITE_ROW) {
		fputs("store       ", stdout);
		out_text(stdout, path);
		printf(" (%.1f MB)\n", stat(path, &sb) ? 0.0 : (double)sb.st_size / 1e6);
		printf("events      %lld (%lld with an error)\n", sqlite3_column_int64(st, 0),
		       sqlite3_column_int64(st, 3));
		if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
			fputs("time range  ", stdout);
			out_text(stdout, (const char *)sqlite3_column_text(st, 1));
			fputs(" .. ", stdout);
			out_text(stdout, (const char *)sqlite3_column_text(st, 2));
			putchar('\n');
		}
		printf("files       %lld ok, %lld skipped, %lld failed\n",
		       sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5),
		       sqlite3_column_int64(st, 6));
		print_verified(db);
		if (sqlite3_column_int64(st, 7))
			printf("api pulls   %lld streams, %lld events read, %lld new\n",
			       sqlite3_column_int64(st, 7), sqlite3_column_int64(st, 8),
			       sqlite3_column_int64(st, 9));
	}
	sqlite3_finalize(st);
}

int cmd_stats(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		{ "top", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	sqlite3 *db;
	int c, top = 15;

	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			top = (int)cmd_whole_number(optarg, 0, 1000000);
			if (top < 0)
				return usage_error("stats", "--top wants a number, got '%s'", optarg);
			break;
		case 'h': return print_help(help);
		default: return usage_error("stats", "unknown option");
		}
	}
	if (optind != argc)
		return usage_error("stats", "unexpected argument '%s'", argv[optind]);
	db = cmd_open_store(ctx, STORE_READ_ONLY);
	if (!db)
		return EXIT_FAILED;
	summary(db, ctx->db_path);
	table(db, "Events by source", "SELECT event_source AS source, count(*) AS events"
	      " FROM events GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT :top", top);
	table(db, "Events by region", "SELECT aws_region AS region, count(*) AS events"
	      " FROM events GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT :top", top);
	table(db, "Events by account", "SELECT recipient_account_id AS account, count(*) AS events"
	      " FROM events GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT :top", top);
	table(db, "Events by day", "SELECT substr(event_time, 1, 10) AS day, count(*) AS events,"
	      " count(error_code) AS errors FROM events GROUP BY 1 ORDER BY 1 DESC LIMIT :top", top);
	table(db, "Last ingest runs", "SELECT run_id AS run, started_at AS started,"
	      " coalesce(ended_at, 'did not finish') AS ended, files_ok AS ok,"
	      " files_unchanged AS unchanged, files_skipped AS skipped, files_failed AS failed,"
	      " records, inserted AS new FROM ingest_runs ORDER BY run_id DESC LIMIT min(:top, 5)",
	      top ? top : 1000000);
	store_close(db);
	return EXIT_OK;
}
