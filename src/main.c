/*
 * main.c - global options, the command table and the exit status.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "msg.h"

enum cmd_flags { CMD_STORE_RO = 1 << 0, CMD_STORE_RW = 1 << 1 };

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv, struct ctx *ctx);
	unsigned flags;       /* enum cmd_flags: which store access it needs (documentation) */
	const char *summary;  /* one line for `trailsift --help` */
};

static const struct cmd commands[] = {
	{ "ingest", cmd_ingest, CMD_STORE_RW, "load CloudTrail files (S3 export, .json.gz, JSON Lines, stdin)" },
	{ "pull", cmd_pull, CMD_STORE_RW, "read the CloudTrail LookupEvents API (90 days) into the store" },
	{ "query", cmd_query, CMD_STORE_RO, "run read-only SQL or a named query against the store" },
	{ "stats", cmd_stats, CMD_STORE_RO, "counts by source, region, account and day; files; runs" },
	{ "scan", cmd_scan, CMD_STORE_RW, "run the rules over new events and record findings" },
	{ "findings", cmd_findings, CMD_STORE_RO, "print the findings (text, JSON Lines, CSV)" },
	{ "rules", cmd_rules, 0, "list the rules with ids, severities and descriptions" },
	{ "report", cmd_report, CMD_STORE_RO, "the diagnosis: why is replication stuck (text, json, html)" },
	{ "timeline", cmd_timeline, CMD_STORE_RO, "one source server's events in time order, findings marked" },
	{ "audit", cmd_audit, CMD_STORE_RW, "for cron: ingest, scan, print what is new; exit 3 on findings" },
	{ "verify", cmd_verify, CMD_STORE_RW, "check the store against the trail's digest files (hashes, chain, signatures)" },
};

static const char usage[] =
	"usage: trailsift [--db PATH] [--quiet] COMMAND [ARGS...]\n"
	"       trailsift COMMAND --help\n"
	"\n"
	"Loads AWS CloudTrail event history into one SQLite file and finds why AWS\n"
	"Application Migration Service (MGN) or Elastic Disaster Recovery (DRS)\n"
	"replication is stuck.\n"
	"\n"
	"Global options:\n"
	"  --db PATH     the store (default: $TRAILSIFT_DB, else ./trailsift.db)\n"
	"  -q, --quiet   no progress line and no summary on stderr\n"
	"  -h, --help    this help\n"
	"  -V, --version the version\n"
	"\n"
	"Commands:\n";

static const char usage_tail[] =
	"\n"
	"Exit status: 0 ok; 1 some input or the store failed; 2 usage error;\n"
	"3 (audit) findings at or above the threshold.\n";

static void print_usage(void)
{
	fputs(usage, stdout);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-9s %s\n", commands[i].name, commands[i].summary);
	fputs(usage_tail, stdout);
}

static const struct cmd *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* The command line as one string, for the ingest_runs table. */
static char *join_args(int argc, char **argv)
{
	struct buf b;

	buf_init(&b, 1u << 16);
	for (int i = 0; i < argc; i++) {
		if (i)
			buf_addch(&b, ' ');
		buf_addstr(&b, argv[i]);
	}
	return buf_detach(&b, NULL);
}

/* Checks that stdout got everything: a full disk is an error, not exit 0. */
static int finish_stdout(int status)
{
	if (fflush(stdout) || ferror(stdout)) {
		error("writing output failed");
		return status ? status : EXIT_FAILED;
	}
	return status;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctx ctx;
	const struct cmd *cmd;
	char *line;
	int c, status;

	memset(&ctx, 0, sizeof(ctx));
	ctx.db_path = getenv("TRAILSIFT_DB");
	if (!ctx.db_path || !*ctx.db_path)
		ctx.db_path = "trailsift.db";
	ctx.stderr_tty = isatty(STDERR_FILENO);
	ctx.argv0 = argv[0];
	/* "+": stop at the command name; its options are its own */
	while ((c = getopt_long(argc, argv, "+qhV", opts, NULL)) != -1) {
		switch (c) {
		case 'd': ctx.db_path = optarg; break;
		case 'q': ctx.quiet = 1; break;
		case 'h': print_usage(); return finish_stdout(EXIT_OK);
		case 'V': printf("trailsift %s\n", TRAILSIFT_VERSION); return finish_stdout(EXIT_OK);
		default: return usage_error(NULL, "unknown option");
		}
	}
	if (optind >= argc) {
		print_usage();
		return EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help")) {
		if (optind + 1 < argc && (cmd = find_command(argv[optind + 1]))) {
			char *help_argv[] = { (char *)cmd->name, (char *)"--help", NULL };

			optind = 0;
			return finish_stdout(cmd->fn(2, help_argv, &ctx));
		}
		print_usage();
		return finish_stdout(EXIT_OK);
	}
	cmd = find_command(argv[optind]);
	if (!cmd)
		return usage_error(NULL, "'%s' is not a trailsift command", argv[optind]);
	line = join_args(argc, argv);
	ctx.command_line = line;
	argc -= optind;
	argv += optind;
	optind = 0; /* getopt_long restarts for the command's own options */
	status = cmd->fn(argc, argv, &ctx);
	free(line);
	return finish_stdout(status);
}
