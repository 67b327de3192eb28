/*
 * pull.h - pulling CloudTrail's LookupEvents API into the store.
 *
 * One thread per region pulls its passes (one per lookup attribute, or one
 * for all events) one after the other, each a window of time read newest
 * event first, page by page. Every page's CloudTrailEvent records go
 * through record_parse_text() into a row set, exactly like a file's, and
 * the page goes to the one writer thread (writer_put_page()) together with
 * the stream's checkpoint, in one transaction. So API and file rows share
 * one table without duplicates (unique eventID), and a pull stopped at any
 * moment resumes where the store says it stopped.
 *
 * Requests keep to the API's rate (a token bucket per account and region,
 * pace.h) and are retried on throttling, server errors and lost
 * connections, with capped exponential backoff and full jitter; errors a
 * retry cannot fix stop the region at once with one line naming the likely
 * cause.
 */
#ifndef TRAILSIFT_PULL_H
#define TRAILSIFT_PULL_H

#include <sqlite3.h>

#define PULL_MAX_REGIONS 64
#define PULL_MAX_PASSES 64

/* What `trailsift pull` was asked for. Strings are borrowed. */
struct pull_opts {
	const char *regions[PULL_MAX_REGIONS]; /* --region, in order given */
	int n_regions;
	const char *attributes[PULL_MAX_PASSES]; /* --attribute KEY=VALUE, as given */
	int n_attributes;
	int focus_mgn;              /* --focus mgn */
	long long since_ms;         /* --since, epoch ms, or -1: incremental */
	long long until_ms;         /* --until, or -1: now */
	long long overlap_ms;       /* incremental pulls start this much before the newest event */
	const char *profile;        /* --profile, or NULL */
	const char *account;        /* --account, or NULL: asked from STS */
	const char *endpoint_url;   /* --endpoint-url, or NULL */
	const char *ca_bundle;      /* --ca-bundle, or NULL (then AWS_CA_BUNDLE) */
	long long max_events;       /* --max-events, 0: no limit */
	double rate;                /* requests per second per region; 0: no limit */
	int max_attempts;           /* tries per request */
	long timeout_ms;            /* per request */
	int progress;               /* show a progress line on stderr (a TTY) */
	int quiet;                  /* no summary line */
	const char *command;        /* the command line, for ingest_runs */
};

/* The pass names of --focus mgn, NULL-terminated, for --help and the tests. */
extern const char *const pull_focus_mgn[];

struct pull;

/*
 * Checks the options and works out credentials, regions and account
 * (which may take network calls: instance metadata, STS). Returns the
 * prepared pull, or NULL with *status set to 2 (a usage error) or 1 (a
 * failure), the reason printed.
 */
struct pull *pull_prepare(const struct pull_opts *o, int *status);

/*
 * Pulls into db (an open read-write store). Returns 0 when every region got
 * through (or --max-events was reached), 1 when anything failed or the
 * pull was interrupted: what was pulled is kept and the next run goes on
 * from there. Prints one summary line unless quiet.
 */
int pull_run(struct pull *p, sqlite3 *db);

void pull_free(struct pull *p);

#endif
