/*
 * sandbox.c - the read-only authorizer and the query bounds; see sandbox.h.
 */
#include "sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The functions a read-only statement may call: SQLite's core scalar,
 * aggregate, date, JSON, math and window functions. Left out on purpose:
 * fts3_tokenizer, load_extension, sqlite_log, the fts/rtree helpers and
 * anything an extension or a later SQLite adds until someone looks at it.
 * Sorted, for bsearch().
 */
static const char *const functions[] = {
	"->", "->>", "abs", "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "avg",
	"ceil", "ceiling", "changes", "char", "coalesce", "concat", "concat_ws", "cos", "cosh",
	"count", "cume_dist", "current_date", "current_time", "current_timestamp", "date",
	"datetime", "degrees", "dense_rank", "exp", "first_value", "floor", "format", "glob",
	"group_concat", "hex", "ifnull", "iif", "instr", "json", "json_array", "json_array_length",
	"json_error_position", "json_extract", "json_group_array", "json_group_object",
	"json_insert", "json_object", "json_patch", "json_pretty", "json_quote", "json_remove",
	"json_replace", "json_set", "json_type", "json_valid", "jsonb", "jsonb_array",
	"jsonb_extract", "jsonb_group_array", "jsonb_group_object", "jsonb_insert", "jsonb_object",
	"jsonb_patch", "jsonb_remove", "jsonb_replace", "jsonb_set", "julianday", "lag",
	"last_insert_rowid", "last_value", "lead", "length", "like", "likelihood", "likely", "ln",
	"log", "log10", "log2", "lower", "ltrim", "max", "min", "mod", "nth_value", "ntile",
	"nullif", "octet_length", "percent_rank", "pi", "pow", "power", "printf", "quote",
	"radians", "random", "randomblob", "rank", "replace", "round", "row_number", "rtrim",
	"sign", "sin", "sinh", "soundex", "sqlite_source_id", "sqlite_version", "sqrt", "strftime",
	"string_agg", "substr", "substring", "sum", "tan", "tanh", "time", "timediff", "total",
	"total_changes", "trim", "trunc", "typeof", "unhex", "unicode", "unistr", "unixepoch",
	"unlikely", "upper", "zeroblob",
};

/* Pragmas that only report; those marked take an argument (a table or index name). */
static const struct {
	const char *name;
	int takes_argument;
} pragmas[] = {
	{ "table_info", 1 }, { "table_xinfo", 1 }, { "index_list", 1 }, { "index_info", 1 },
	{ "index_xinfo", 1 }, { "foreign_key_list", 1 }, { "user_version", 0 }, { "page_size", 0 },
	{ "page_count", 0 }, { "freelist_count", 0 }, { "database_list", 0 },
	{ "compile_options", 0 }, { "function_list", 0 }, { "table_list", 0 }, { "encoding", 0 },
};

static char refused[128];

const char *sandbox_refused(void)
{
	return refused[0] ? refused : NULL;
}

static int cmp_name(const void *key, const void *elem)
{
	return sqlite3_stricmp(key, *(const char *const *)elem);
}

static int allowed_function(const char *name)
{
	return name && bsearch(name, functions, sizeof(functions) / sizeof(functions[0]),
			       sizeof(functions[0]), cmp_name);
}

/* A pragma with an argument sets something, unless it is a table_info-like report. */
static int allowed_pragma(const char *name, const char *arg)
{
	for (size_t i = 0; i < sizeof(pragmas) / sizeof(pragmas[0]); i++)
		if (!sqlite3_stricmp(name, pragmas[i].name))
			return !arg || pragmas[i].takes_argument;
	return 0;
}

static int authorize(void *unused, int action, const char *a, const char *b, const char *c,
		     const char *d)
{
	(void)unused; (void)c; (void)d;
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_UPDATE:
		/*
		 * Asked for each column of sqlite_master when a table-valued function
		 * (json_each, pragma_table_info) is instantiated; a real UPDATE of
		 * sqlite_master is refused before the authorizer is asked (and the
		 * connection is read-only anyway).
		 */
		return a && !strcmp(a, "sqlite_master") ? SQLITE_OK : SQLITE_DENY;
	case SQLITE_FUNCTION: /* a is NULL, b the function's name */
		if (allowed_function(b))
			return SQLITE_OK;
		snprintf(refused, sizeof(refused), "function %s()", b ? b : "?");
		return SQLITE_DENY;
	case SQLITE_PRAGMA:
		if (a && allowed_pragma(a, b))
			return SQLITE_OK;
		snprintf(refused, sizeof(refused), "PRAGMA %s%s", a ? a : "?", b ? " with a value" : "");
		return SQLITE_DENY;
	default:
		return SQLITE_DENY;
	}
}

void sandbox_install(sqlite3 *db)
{
	refused[0] = '\0';
	sqlite3_set_authorizer(db, authorize, NULL);
}

/* Called every few thousand VM steps: non-zero stops the statement. */
static int past_deadline(void *arg)
{
	struct sandbox_limits *lim = arg;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > lim->deadline.tv_sec ||
	    (now.tv_sec == lim->deadline.tv_sec && now.tv_nsec >= lim->deadline.tv_nsec))
		lim->timed_out = 1;
	return lim->timed_out;
}

void sandbox_limit(sqlite3 *db, struct sandbox_limits *lim)
{
	lim->timed_out = 0;
	if (lim->timeout_s > 0) {
		clock_gettime(CLOCK_MONOTONIC, &lim->deadline);
		lim->deadline.tv_sec += (time_t)lim->timeout_s;
		sqlite3_progress_handler(db, 10000, past_deadline, lim);
	}
	if (lim->max_memory_mib > 0)
		sqlite3_hard_heap_limit64(lim->max_memory_mib * 1024 * 1024);
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, SANDBOX_MAX_VALUE);
}
