/*
 * cmd_audit.c - `trailsift audit`: the one command for cron.
 *
 * Ingest (or pull), scan, and print what is new since the last audit; the
 * exit status says whether anything reached the threshold. A lock file
 * beside the store keeps two audits from overlapping.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "findings.h"
#include "ingest.h"
#include "msg.h"
#include "rules.h"
#include "s3cmd.h"
#include "timeparse.h"

#define LOCK_WAIT_MS 10000

static const char help[] =
	"usage: trailsift [--db PATH] audit [--fail-on SEVERITY] [--format text|json] [--quiet]\n"
	"                                   [PATH... | --pull [PULL OPTIONS]]\n"
	"       trailsift [--db PATH] audit [OPTIONS] [S3 OPTIONS] s3://BUCKET[/PREFIX]\n"
	"\n"
	"For cron: ingests PATH... (files, directories, - for stdin; unchanged files are\n"
	"not read again), or with --pull reads the LookupEvents API incrementally (every\n"
	"argument after --pull is a `trailsift pull` option, e.g. --pull --region us-east-1\n"
	"--focus mgn), runs the rules over what is new, and prints the findings that\n"
	"are new or changed since the last audit of this store. Quiet when nothing\n"
	"reaches the threshold: one summary line on stderr.\n"
	"\n"
	"Options:\n"
	"      --fail-on S    info, low, medium, high (default) or critical: the severity\n"
	"                     that makes the audit exit 3\n"
	"  -f, --format F     text (default) or json (JSON Lines, as `findings --format json`)\n"
	"  -q, --quiet        no summary line\n"
	"  -h, --help         this help\n"
	"\n"
	"With s3://BUCKET[/PREFIX], the trail's bucket is read as `trailsift ingest\n"
	"s3://...` reads it: only new objects (and, from the last --late, late ones).\n"
	"S3 options:\n"
	INGEST_S3_HELP
	"\n"
	"Exit status: 0 nothing new at or above the threshold; 3 something is; 1 an\n"
	"input or the store failed (findings are still printed); 2 usage error. A second\n"
	"audit of the same store waits up to 10 s for the first, then exits 1.\n";

/* Takes the store's audit lock (<store>.lock). Returns the fd, or -1 (printed). */
static int take_lock(const char *db_path)
{
	struct buf path;
	long long until = time_now_ms() + LOCK_WAIT_MS;
	int fd;

	buf_init(&path, 1u << 16);
	buf_addf(&path, "%s.lock", db_path);
	fd = open(path.data, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		error("cannot open lock file '%s': %s", path.data, strerror(errno));
		buf_release(&path);
		return -1;
	}
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK || time_now_ms() >= until) {
			error("another audit of '%s' is still running (lock '%s' held for %d s); "
			      "try again later", db_path, path.data, LOCK_WAIT_MS / 1000);
			close(fd);
			buf_release(&path);
			return -1;
		}
		usleep(100 * 1000);
	}
	buf_release(&path);
	return fd;
}

static long long last_audited_scan(sqlite3 *db)
{
	return store_int(db, "SELECT max(scan_id) FROM audits", 0);
}

static int record_audit(sqlite3 *db, long long scan_id, long reported, int status)
{
	sqlite3_stmt *st = store_prepare(db,
		"INSERT INTO audits (at, scan_id, reported, exit_status) VALUES (?1, ?2, ?3, ?4)");
	char now[32];
	int rc;

	if (!st)
		return -1;
	time_now_iso(now);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, scan_id);
	sqlite3_bind_int64(st, 3, reported);
	sqlite3_bind_int(st, 4, status);
	rc = store_step_done(st);
	sqlite3_finalize(st);
	return rc;
}

struct audit_opts {
	enum severity fail_on;
	enum out_format fmt;
	struct ingest_s3 s3;        /* s3.url: read this bucket */
};

/* Pulls with the options after --pull; returns 0 or -1 (the pull printed why). */
static int pull(struct ctx *ctx, int argc, char **argv)
{
	int quiet = ctx->quiet, rc;

	ctx->quiet = 1; /* the audit's own summary line is enough */
	optind = 0;
	rc = cmd_pull(argc, argv, ctx);
	ctx->quiet = quiet;
	return rc == EXIT_OK ? 0 : -1;
}

static int run(struct ctx *ctx, char *const *paths, int npaths, const struct audit_opts *ao)
{
	struct findings_filter flt = { NULL, 0, SEV_INFO, 0, 0 };
	struct ingest_opts io = { 0, ctx->command_line, 0 };
	struct ingest_totals it;
	struct scan_totals st;
	sqlite3 *db = cmd_open_store(ctx, STORE_READ_WRITE);
	long count = 0;
	int worst = -1, status = EXIT_OK;

	if (!db)
		return EXIT_FAILED;
	memset(&it, 0, sizeof(it));
	if (ao->s3.url && ingest_s3(db, &ao->s3, &io, &it))
		status = EXIT_FAILED;
	else if (!ao->s3.url && npaths && ingest_paths(db, paths, npaths, &io, &it))
		status = EXIT_FAILED;
	if (it.files_failed)
		status = EXIT_FAILED;
	flt.after_scan = last_audited_scan(db);
	if (rules_scan(db, 0, &st)) {
		store_close(db);
		return EXIT_FAILED;
	}
	if (findings_print(db, &flt, ao->fmt, &count, &worst))
		status = EXIT_FAILED;
	if (status == EXIT_OK && worst >= (int)ao->fail_on)
		status = EXIT_FINDINGS;
	if (record_audit(db, st.scan_id, count, status))
		status = EXIT_FAILED;
	store_close(db);
	if (!ctx->quiet)
		note("audit: %ld files read (%lld new events), %ld failed; %lld events scanned; "
		     "%ld new or changed findings, %s at or above %s", it.files_ok, it.inserted,
		     it.files_failed, st.events_read, count,
		     worst >= (int)ao->fail_on ? "some" : "none", severity_name(ao->fail_on));
	return status;
}

int cmd_audit(int argc, char **argv, struct ctx *ctx)
{
	int ac_total = argc;
	enum { OPT_FAIL_ON = 256 };
	static const struct option opts[] = {
		INGEST_S3_OPTIONS,
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct audit_opts ao;
	int c, lock, status, pull_at = 0, rc;

	ao.fail_on = SEV_HIGH;
	ao.fmt = OUT_TABLE;
	ingest_s3_defaults(&ao.s3);
	/* everything after --pull belongs to `pull`: cut it off before parsing */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--pull")) {
			pull_at = i;
			break;
		}
	if (pull_at)
		argc = pull_at;
	while ((c = getopt_long(argc, argv, "f:qh", opts, NULL)) != -1) {
		rc = ingest_s3_option("audit", c, optarg ? optarg : "", &ao.s3);
		if (rc != 1) {
			if (rc)
				return rc;
			continue;
		}
		switch (c) {
		case OPT_FAIL_ON:
			if (severity_parse(optarg, &ao.fail_on))
				return usage_error("audit", "--fail-on must be info, low, medium, high or critical");
			break;
		case 'f':
			if (out_parse_format(optarg, &ao.fmt) || ao.fmt == OUT_CSV)
				return usage_error("audit", "--format must be text or json");
			break;
		case 'q': ctx->quiet = 1; break;
		case 'h': return print_help(help);
		default: return usage_error("audit", "unknown option");
		}
	}
	if (pull_at && optind < argc)
		return usage_error("audit", "give PATHs or --pull, not both");
	rc = ingest_s3_check("audit", argv + optind, argc - optind, &ao.s3);
	if (rc)
		return rc;
	lock = take_lock(ctx->db_path);
	if (lock < 0)
		return EXIT_FAILED;
	if (pull_at) {
		/* argv[pull_at] ("--pull") stands in for pull's argv[0] */
		int pulled = pull(ctx, ac_total - pull_at, argv + pull_at);

		status = run(ctx, NULL, 0, &ao);
		if (pulled && status != EXIT_FAILED)
			status = EXIT_FAILED;
	} else {
		status = run(ctx, argv + optind, argc - optind, &ao);
	}
	close(lock);
	return status;
}
