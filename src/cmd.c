/*
 * cmd.c - what every subcommand shares: help, usage errors, the store.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "msg.h"

int print_help(const char *text)
{
	fputs(text, stdout);
	return EXIT_OK;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cmd)
		error("%s: %s (see 'trailsift %s --help')", cmd, msg, cmd);
	else
		error("%s (see 'trailsift --help')", msg);
	return EXIT_USAGE;
}

sqlite3 *cmd_open_store(struct ctx *ctx, enum store_mode mode)
{
	sqlite3 *db = NULL;

	if (store_open(ctx->db_path, mode, &db))
		return NULL;
	return db;
}

long long cmd_whole_number(const char *s, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	return v;
}
