/*
 * cmd_query.c - `trailsift query SQL|NAME [--param name=value]...`
 *
 * The store is opened read-only with an authorizer (store.c), so no query,
 * however written, can change it. Parameters are always bound, never
 * pasted into the SQL text.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "msg.h"
#include "namedq.h"
#include "out.h"
#include "sandbox.h"
#include "timeparse.h"

#define DEFAULT_TIMEOUT_S 300
#define DEFAULT_MAX_MEMORY_MIB 1024

static const char help[] =
	"usage: trailsift [--db PATH] query [--format table|csv|json] [--param NAME=VALUE]...\n"
	"                                   [--timeout SECONDS] [--max-memory MIB] SQL|QUERY-NAME\n"
	"       trailsift query --list\n"
	"\n"
	"Runs one read-only SQL statement, or the named query QUERY-NAME from the\n"
	"queries directory, and prints its rows. :NAME parameters in the SQL are bound\n"
	"from --param NAME=VALUE (a named query may give defaults; parameters it marks\n"
	"(time) take 2026-11-01, 2026-11-01T06:00:00Z or a span back from now such as 7d).\n"
	"\n"
	"Tables: events (one row per CloudTrail event, with `raw` the whole record as\n"
	"JSON: use json_extract(raw, '$.requestParameters.x')), sources (files read),\n"
	"ingest_runs. See README.md for every column; PRAGMA table_info(events) lists them.\n"
	"\n"
	"The SQL may only read: SELECT (WITH, recursive too), SQLite's core, aggregate,\n"
	"date, JSON, math and window functions, and the pragmas table_info, table_xinfo,\n"
	"index_list, index_info and foreign_key_list. Every query is bounded in time and\n"
	"memory, and no value may pass 128 MiB.\n"
	"\n"
	"Options:\n"
	"  -f, --format F      table (default), csv (spreadsheet-safe) or json (JSON Lines)\n"
	"  -p, --param N=V     bind :N to V (integers are bound as integers)\n"
	"  -t, --timeout S     stop the query after S seconds (default 300; 0: no limit)\n"
	"  -m, --max-memory M  let SQLite use at most M MiB (default 1024; 0: no limit)\n"
	"  -l, --list          list the named queries and their parameters\n"
	"  -h, --help          this help\n";

struct param {
	char *name;
	const char *value;
	int used;
};

static int list_queries(void)
{
	struct namedq *qs;
	int n;

	if (namedq_load_all(&qs, &n))
		return EXIT_FAILED;
	/* a query file may come from anywhere ($TRAILSIFT_QUERIES): its text is shown safely */
	for (int i = 0; i < n; i++) {
		printf("%s\n    ", qs[i].name);
		out_text(stdout, qs[i].description);
		putchar('\n');
		for (int j = 0; j < qs[i].nparams; j++) {
			const struct namedq_param *p = &qs[i].params[j];

			fputs("    --param ", stdout);
			out_text(stdout, p->name);
			printf("=%s%s  ", p->is_time ? "TIME" : "VALUE", p->dflt ? " (optional)" : "");
			out_text(stdout, p->help);
			putchar('\n');
		}
		namedq_release(&qs[i]);
	}
	free(qs);
	return EXIT_OK;
}

/* Is s an integer in canonical form (so binding it as one loses nothing)? */
static int canonical_integer(const char *s)
{
	const char *p = s + (*s == '-');

	if (!*p || strlen(p) > 18)
		return 0;
	if (p[0] == '0' && p[1])
		return 0; /* "012345678901" is an account id, not a number */
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return strcmp(s, "-0") != 0;
}

static const struct namedq_param *declared(const struct namedq *q, const char *name)
{
	for (int i = 0; q && i < q->nparams; i++)
		if (!strcmp(q->params[i].name, name))
			return &q->params[i];
	return NULL;
}

static int bind_value(sqlite3_stmt *st, int i, const char *name, const char *v, int is_time)
{
	long long ms;

	if (is_time && !canonical_integer(v)) {
		if (time_parse_arg(v, time_now_ms(), &ms))
			return usage_error("query", "--param %s: '%s' is not a time (2026-11-01, "
					   "2026-11-01T06:00:00Z or 7d)", name, v);
		sqlite3_bind_int64(st, i, ms);
	} else if (canonical_integer(v)) {
		sqlite3_bind_int64(st, i, strtoll(v, NULL, 10));
	} else {
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	}
	return 0;
}

static int bind_params(sqlite3_stmt *st, const struct namedq *q, struct param *ps, int np)
{
	for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
		const char *full = sqlite3_bind_parameter_name(st, i);
		const struct namedq_param *decl;
		const char *v = NULL;

		if (!full || full[0] != ':')
			return usage_error("query", "use :name parameters, not ? or $");
		for (int j = 0; j < np; j++)
			if (!strcmp(ps[j].name, full + 1)) {
				v = ps[j].value;
				ps[j].used = 1;
			}
		decl = declared(q, full + 1);
		if (!v && decl)
			v = decl->dflt;
		if (!v)
			return usage_error("query", "missing --param %s=VALUE%s%s", full + 1,
					   decl ? ": " : "", decl ? decl->help : "");
		if (bind_value(st, i, full + 1, v, decl && decl->is_time))
			return EXIT_USAGE;
	}
	for (int j = 0; j < np; j++)
		if (!ps[j].used)
			return usage_error("query", "the query has no parameter :%s", ps[j].name);
	return 0;
}

/* Prints why the statement on db failed (rc), naming the bound or refusal that stopped it. */
static int query_failed(sqlite3 *db, int rc, const struct sandbox_limits *lim)
{
	if (rc == SQLITE_INTERRUPT && lim->timed_out)
		error("query: stopped after %lld s (--timeout SECONDS; 0 for no limit)", lim->timeout_s);
	else if (rc == SQLITE_NOMEM && lim->max_memory_mib > 0)
		error("query: out of memory: the query needs more than --max-memory %lld MiB",
		      lim->max_memory_mib);
	else if (rc == SQLITE_TOOBIG)
		error("query: a value would be larger than %d MiB", SANDBOX_MAX_VALUE >> 20);
	else if (sandbox_refused())
		error("query: %s is not allowed here (see 'trailsift query --help')", sandbox_refused());
	else if (rc == SQLITE_AUTH)
		error("query: the store is read-only here: only SELECT statements may run");
	else
		error("query: %s", sqlite3_errmsg(db));
	return EXIT_FAILED;
}

static int print_rows(sqlite3_stmt *st, enum out_format fmt, const struct sandbox_limits *lim)
{
	int ncol = sqlite3_column_count(st), rc;
	const char **names = xcalloc((size_t)ncol, sizeof(*names));
	struct out_cell *cells = xcalloc((size_t)ncol, sizeof(*cells));
	struct out *o;

	for (int i = 0; i < ncol; i++)
		names[i] = sqlite3_column_name(st, i);
	o = out_begin(stdout, fmt, names, ncol);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < ncol; i++) {
			struct out_cell *c = &cells[i];

			switch (sqlite3_column_type(st, i)) {
			case SQLITE_NULL: c->type = OUT_NULL; break;
			case SQLITE_INTEGER: c->type = OUT_INT; c->i = sqlite3_column_int64(st, i); break;
			case SQLITE_FLOAT: c->type = OUT_REAL; c->d = sqlite3_column_double(st, i); break;
			default:
				c->type = OUT_TEXT;
				c->text = (const char *)sqlite3_column_text(st, i);
				c->len = (size_t)sqlite3_column_bytes(st, i);
			}
		}
		out_row(o, cells);
	}
	out_end(o);
	free(names);
	free(cells);
	if (rc != SQLITE_DONE)
		return query_failed(sqlite3_db_handle(st), rc, lim);
	return EXIT_OK;
}

static int only_space(const char *s)
{
	for (;;) {
		s += strspn(s, " \t\r\n;");
		if (!strncmp(s, "--", 2))
			s += strcspn(s, "\n");
		else
			return *s == '\0';
	}
}

static int run(struct ctx *ctx, const char *sql, const struct namedq *q, struct param *ps, int np,
	       enum out_format fmt, struct sandbox_limits *lim)
{
	sqlite3 *db = cmd_open_store(ctx, STORE_READ_ONLY);
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	int rc;

	if (!db)
		return EXIT_FAILED;
	sandbox_limit(db, lim);
	rc = sqlite3_prepare_v2(db, sql, -1, &st, &tail);
	if (rc != SQLITE_OK) {
		query_failed(db, rc, lim);
		store_close(db);
		return EXIT_FAILED;
	}
	if (!st) {
		store_close(db);
		return usage_error("query", "no SQL statement given");
	}
	if (tail && !only_space(tail))
		rc = usage_error("query", "give one statement at a time");
	else
		rc = bind_params(st, q, ps, np);
	if (!rc)
		rc = print_rows(st, fmt, lim);
	sqlite3_finalize(st);
	store_close(db);
	return rc;
}

int cmd_query(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "param", required_argument, NULL, 'p' },
		{ "list", no_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 't' },
		{ "max-memory", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum out_format fmt = OUT_TABLE;
	struct sandbox_limits lim = { .timeout_s = DEFAULT_TIMEOUT_S,
				      .max_memory_mib = DEFAULT_MAX_MEMORY_MIB };
	struct param *ps = xcalloc((size_t)argc + 1, sizeof(*ps));
	struct namedq q;
	int np = 0, c, rc, found;

	while ((c = getopt_long(argc, argv, "f:p:t:m:lh", opts, NULL)) != -1) {
		char *eq;

		switch (c) {
		case 'f':
			if (out_parse_format(optarg, &fmt))
				rc = usage_error("query", "--format must be table, csv or json");
			else
				continue;
			goto done;
		case 'p':
			eq = strchr(optarg, '=');
			if (!eq || eq == optarg) {
				rc = usage_error("query", "--param wants NAME=VALUE, got '%s'", optarg);
				goto done;
			}
			ps[np].name = xstrndup(optarg, (size_t)(eq - optarg));
			ps[np].value = eq + 1;
			np++;
			break;
		case 't':
			lim.timeout_s = cmd_whole_number(optarg, 0, 1000000000);
			if (lim.timeout_s < 0) {
				rc = usage_error("query", "--timeout wants whole seconds, got '%s'", optarg);
				goto done;
			}
			break;
		case 'm':
			lim.max_memory_mib = cmd_whole_number(optarg, 0, 1 << 30);
			if (lim.max_memory_mib < 0) {
				rc = usage_error("query", "--max-memory wants MiB, got '%s'", optarg);
				goto done;
			}
			break;
		case 'l': rc = list_queries(); goto done;
		case 'h': rc = print_help(help); goto done;
		default: rc = usage_error("query", "unknown option"); goto done;
		}
	}
	if (optind != argc - 1) {
		rc = usage_error("query", optind >= argc ? "no SQL or query name given"
							  : "give the SQL as one argument (quote it)");
		goto done;
	}
	found = namedq_load(argv[optind], &q);
	if (found < 0) {
		rc = EXIT_FAILED;
	} else if (found == 0) {
		rc = run(ctx, q.sql, &q, ps, np, fmt, &lim);
		namedq_release(&q);
	} else if (!strpbrk(argv[optind], " \t\n(*;")) {
		rc = usage_error("query", "no named query '%s' (see 'trailsift query --list')",
				 argv[optind]);
	} else {
		rc = run(ctx, argv[optind], NULL, ps, np, fmt, &lim);
	}
done:
	for (int i = 0; i < np; i++)
		free(ps[i].name);
	free(ps);
	return rc;
}
