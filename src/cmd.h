/*
 * cmd.h - the subcommands and what main() hands them.
 *
 * Adding a command: write cmd_foo() in src/cmd_foo.c, declare it here, add
 * a row to commands[] in main.c, document it in README.md and docs/trailsift.1,
 * and add tests/tNNNN-foo.sh. The return value of cmd_foo() is the exit status.
 */
#ifndef TRAILSIFT_CMD_H
#define TRAILSIFT_CMD_H

#include <sqlite3.h>

#include "store.h"

/* Exit statuses, documented in --help and the README. */
enum exit_status {
	EXIT_OK = 0,         /* done; nothing failed */
	EXIT_FAILED = 1,     /* some input or the store failed */
	EXIT_USAGE = 2,      /* the command line was wrong */
	EXIT_FINDINGS = 3,   /* audit: findings at or above --fail-on */
};

struct ctx {
	const char *db_path;  /* --db, $TRAILSIFT_DB, or ./trailsift.db */
	int quiet;            /* --quiet: no progress, no summary */
	int stderr_tty;       /* stderr is a terminal */
	const char *argv0;    /* the program as invoked, for finding queries/ */
	const char *command_line; /* the whole command line, for ingest_runs */
};

int cmd_ingest(int argc, char **argv, struct ctx *ctx);
int cmd_pull(int argc, char **argv, struct ctx *ctx);
int cmd_query(int argc, char **argv, struct ctx *ctx);
int cmd_stats(int argc, char **argv, struct ctx *ctx);
int cmd_scan(int argc, char **argv, struct ctx *ctx);
int cmd_findings(int argc, char **argv, struct ctx *ctx);
int cmd_rules(int argc, char **argv, struct ctx *ctx);
int cmd_audit(int argc, char **argv, struct ctx *ctx);
int cmd_report(int argc, char **argv, struct ctx *ctx);
int cmd_timeline(int argc, char **argv, struct ctx *ctx);
int cmd_verify(int argc, char **argv, struct ctx *ctx);

/* Opens ctx's store; prints the error and returns NULL on failure. */
sqlite3 *cmd_open_store(struct ctx *ctx, enum store_mode mode);

/*
 * Prints "trailsift: <cmd>: <message>" and a pointer to --help; returns
 * EXIT_USAGE, so that `return usage_error(...)` ends a command.
 */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* s as a whole number in [min, max], or -1 when it is not one. */
long long cmd_whole_number(const char *s, long long min, long long max);

/* Prints a command's help text to stdout and returns EXIT_OK. */
int print_help(const char *text);

#endif
