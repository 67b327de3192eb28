/*
 * pull.c - the LookupEvents pull: regions, passes, windows, pages; see pull.h.
 *
 * Windows. A pass reads one window [StartTime, EndTime] (whole seconds,
 * both inclusive) from its newest event down, NextToken by NextToken. The
 * checkpoint row keeps the window in progress and the NextToken of its next
 * page, so an interrupted window is finished first on the next run, from
 * that page. Then the run's own window: from --since, or else from the
 * newest event already stored less the overlap (CloudTrail may show an
 * event minutes after it happened), or else 90 days back; to --until or
 * now. Should a stored NextToken be refused (tokens may not live forever),
 * the window goes on from its oldest stored event instead, which repeats a
 * second's worth of events that the store then ignores.
 */
#include "pull.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "awsreq.h"
#include "buf.h"
#include "checkpoint.h"
#include "creds.h"
#include "http.h"
#include "lookup.h"
#include "msg.h"
#include "pace.h"
#include "record.h"
#include "rowset.h"
#include "sigv4.h"
#include "store.h"
#include "timeparse.h"
#include "writer.h"

#define DAY_MS 86400000LL
#define RETENTION_MS (90 * DAY_MS)
#define BACKOFF_BASE_MS 500
#define BACKOFF_CAP_MS 20000

const char *const pull_focus_mgn[] = {
	"EventSource=ec2.amazonaws.com",
	"EventSource=mgn.amazonaws.com",
	"EventSource=drs.amazonaws.com",
	"EventSource=iam.amazonaws.com",
	"EventSource=kms.amazonaws.com",
	NULL
};

struct pass {
	const char *key;            /* AttributeKey, or NULL for all events */
	char *value;                /* AttributeValue; owned */
	char *name;                 /* "KEY=VALUE", or "" for all events; owned */
};

struct pull {
	struct pull_opts o;         /* a copy (strings borrowed from the command line) */
	struct creds *creds;
	char *regions[PULL_MAX_REGIONS];
	int n_regions;
	struct pass passes[PULL_MAX_PASSES];
	int n_passes;
	char account[13];
	const char *ca_bundle;      /* --ca-bundle or AWS_CA_BUNDLE, or NULL */
	int curl_ready;             /* http_global_init() done */
	long long now_ms;           /* when the run started: "now" for every window */

	/* shared by the threads while running */
	struct writer *w;
	struct checkpoint *cps;     /* n_regions * n_passes, loaded before the threads */
	atomic_int stop;            /* interrupted, or the store failed: stop everything */
	atomic_llong budget;        /* events --max-events still allows; -1: no limit */
	atomic_int limited;         /* --max-events was reached */
	atomic_llong pages, events, bad;
	atomic_llong covered_lo, covered_hi; /* the span of time pulled (epoch ms) */
	atomic_int passes_done;
	atomic_int failed_regions;
	atomic_int creds_failed;    /* the credentials were refused or not to be had: reported once */
};

/* One region's thread. */
struct job {
	struct pull *p;
	int index;                  /* into p->regions */
	const char *region;
	pthread_t thread;
	struct http http;
	struct sigv4_key_cache kc;
	struct aws_endpoint ep;
	struct pace pace;
	struct lookup_page page;
	struct buf body;            /* the request */
	struct record rec;
	atomic_int finished;
	int failed;
	char *failed_key;           /* access key refused as expired, for a renewal */
};

/*
 * Set by SIGINT and SIGTERM: a graceful stop (a second signal kills). The
 * main thread passes it on to the region threads as pull.stop.
 */
static atomic_int interrupted;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&interrupted, 1);
}

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Sleeps ns, in slices, returning early (-1) when the pull is stopped. */
static int nap(struct pull *p, long long ns)
{
	while (ns > 0) {
		long long slice = ns < 100000000LL ? ns : 100000000LL;
		struct timespec ts = { (time_t)(slice / 1000000000LL), (long)(slice % 1000000000LL) };

		if (atomic_load(&p->stop))
			return -1;
		nanosleep(&ts, NULL);
		ns -= slice;
	}
	return atomic_load(&p->stop) ? -1 : 0;
}

static void atomic_min(atomic_llong *a, long long v)
{
	long long cur = atomic_load(a);

	while ((cur < 0 || v < cur) && !atomic_compare_exchange_weak(a, &cur, v))
		;
}

static void atomic_max(atomic_llong *a, long long v)
{
	long long cur = atomic_load(a);

	while (v > cur && !atomic_compare_exchange_weak(a, &cur, v))
		;
}

/* Takes up to want events from the --max-events budget (all of it without one). */
static int reserve(struct pull *p, int want)
{
	long long cur = atomic_load(&p->budget);

	for (;;) {
		long long take;

		if (cur < 0)
			return want;
		take = cur < want ? cur : want;
		if (atomic_compare_exchange_weak(&p->budget, &cur, cur - take))
			return (int)take;
	}
}

static void give_back(struct pull *p, int n)
{
	if (n > 0 && atomic_load(&p->budget) >= 0)
		atomic_fetch_add(&p->budget, n);
}

/* ---------------------------------------------------------------- preparing */

static void free_passes(struct pull *p)
{
	for (int i = 0; i < p->n_passes; i++) {
		free(p->passes[i].value);
		free(p->passes[i].name);
	}
	p->n_passes = 0;
}

/* Adds the pass "KEY=VALUE" unless it is there already. 0, or -1 (printed). */
static int add_pass(struct pull *p, const char *spec)
{
	const char *eq = strchr(spec, '=');
	const char *key;
	struct buf name;

	if (!eq || eq == spec || !eq[1]) {
		error("pull: --attribute '%s': want KEY=VALUE, KEY one of %s", spec, lookup_attribute_keys);
		return -1;
	}
	key = lookup_attribute_key(spec, (size_t)(eq - spec));
	if (!key) {
		error("pull: --attribute '%s': '%.*s' is not one of %s", spec, (int)(eq - spec), spec,
		      lookup_attribute_keys);
		return -1;
	}
	buf_init(&name, 1u << 16);
	buf_addf(&name, "%s=%s", key, eq + 1);
	for (int i = 0; i < p->n_passes; i++) {
		if (!strcmp(p->passes[i].name, name.data)) {
			buf_release(&name);
			return 0;
		}
	}
	if (p->n_passes == PULL_MAX_PASSES) {
		buf_release(&name);
		error("pull: more than %d passes", PULL_MAX_PASSES);
		return -1;
	}
	p->passes[p->n_passes].key = key;
	p->passes[p->n_passes].value = xstrdup(eq + 1);
	p->passes[p->n_passes].name = buf_detach(&name, NULL);
	p->n_passes++;
	return 0;
}

static int add_region(struct pull *p, const char *r)
{
	for (int i = 0; i < p->n_regions; i++)
		if (!strcmp(p->regions[i], r))
			return 0;
	if (p->n_regions == PULL_MAX_REGIONS)
		return error("pull: more than %d regions", PULL_MAX_REGIONS);
	p->regions[p->n_regions++] = xstrdup(r);
	return 0;
}

static const char *getenv_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

struct pull *pull_prepare(const struct pull_opts *o, int *status)
{
	struct pull *p = xcalloc(1, sizeof(*p));
	struct http_opts ho;
	char err[1200];
	const char *r;

	p->o = *o;
	*status = 2;
	for (int i = 0; i < o->n_attributes; i++)
		if (add_pass(p, o->attributes[i]))
			goto fail;
	for (int i = 0; o->focus_mgn && pull_focus_mgn[i]; i++)
		if (add_pass(p, pull_focus_mgn[i]))
			goto fail;
	if (!p->n_passes) {
		p->passes[0].key = NULL;
		p->passes[0].value = xstrdup("");
		p->passes[0].name = xstrdup("");
		p->n_passes = 1;
	}
	if (o->since_ms >= 0 && o->until_ms >= 0 && o->since_ms > o->until_ms) {
		error("pull: --since is after --until");
		goto fail;
	}
	if (o->endpoint_url) {
		struct aws_endpoint ep;

		if (aws_endpoint_init(&ep, "cloudtrail", "us-east-1", o->endpoint_url, err, sizeof(err))) {
			error("pull: --endpoint-url: %s", err);
			goto fail;
		}
	}
	p->ca_bundle = o->ca_bundle ? o->ca_bundle : getenv_set("AWS_CA_BUNDLE");
	if (p->ca_bundle && access(p->ca_bundle, R_OK)) {
		error("pull: cannot read the CA bundle '%s'", p->ca_bundle);
		goto fail;
	}

	*status = 1;
	p->creds = creds_new(o->profile, err, sizeof(err));
	if (!p->creds) {
		error("pull: %s", err);
		goto fail;
	}
	if (http_global_init()) {
		error("pull: cannot initialise libcurl");
		goto fail;
	}
	p->curl_ready = 1;
	memset(&ho, 0, sizeof(ho));
	ho.ca_bundle = p->ca_bundle;
	ho.stop = &p->stop;
	ho.timeout_ms = o->timeout_ms;
	if (creds_connect(p->creds, &ho, err, sizeof(err))) {
		error("pull: %s", err);
		goto fail;
	}

	/* the region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile, the instance */
	for (int i = 0; i < o->n_regions; i++)
		if (add_region(p, o->regions[i]))
			goto fail;
	if (!p->n_regions) {
		r = getenv_set("AWS_REGION");
		if (!r)
			r = getenv_set("AWS_DEFAULT_REGION");
		if (!r)
			r = creds_profile_region(p->creds);
		if (r) {
			add_region(p, r);
		} else if (creds_from_imds(p->creds)) {
			char region[64];

			if (creds_imds_region(p->creds, region, sizeof(region), err, sizeof(err))) {
				error("pull: no region given, and instance metadata gave none: %s", err);
				goto fail;
			}
			add_region(p, region);
		} else {
			*status = 2;
			error("pull: no region: give --region (or set AWS_REGION, or region in the profile)");
			goto fail;
		}
	}
	for (int i = 0; i < p->n_regions; i++) {
		struct aws_endpoint ep;

		if (aws_endpoint_init(&ep, "cloudtrail", p->regions[i], o->endpoint_url, err,
				      sizeof(err))) {
			*status = 2;
			error("pull: --region: %s", err);
			goto fail;
		}
	}
	if (creds_sts_region(p->creds, p->regions[0], err, sizeof(err))) {
		error("pull: %s", err);
		goto fail;
	}

	/* whose events: the checkpoints are kept per account */
	if (o->account) {
		if (strlen(o->account) != 12 || strspn(o->account, "0123456789") != 12) {
			*status = 2;
			error("pull: --account '%s' is not a 12-digit account id", o->account);
			goto fail;
		}
		memcpy(p->account, o->account, 13);
	} else if (creds_account(p->creds, p->account, err, sizeof(err))) {
		error("pull: cannot tell whose account the credentials from %s are: %s",
		      creds_source(p->creds), err);
		goto fail;
	}
	*status = 0;
	return p;
fail:
	pull_free(p);
	return NULL;
}

void pull_free(struct pull *p)
{
	if (!p)
		return;
	creds_free(p->creds);
	if (p->curl_ready)
		http_global_cleanup();
	for (int i = 0; i < p->n_regions; i++)
		free(p->regions[i]);
	free_passes(p);
	free(p);
}

/* ---------------------------------------------------------------- one page */

enum fetch { FETCH_OK, FETCH_FAILED, FETCH_STOPPED, FETCH_TOKEN_REFUSED };

/* "region 'us-east-1'" or "region 'us-east-1' (EventSource=...)", for messages. */
static void where(const struct job *j, const struct pass *ps, char *out, size_t n)
{
	if (ps->key && strlen(ps->name) > 80)
		snprintf(out, n, "region '%s' (%.77s...)", j->region, ps->name);
	else if (ps->key)
		snprintf(out, n, "region '%s' (%s)", j->region, ps->name);
	else
		snprintf(out, n, "region '%s'", j->region);
}

/*
 * Whether an error says the credentials themselves are refused, which is
 * the same in every region (unlike AccessDenied, which an SCP may limit to
 * some regions, or UnrecognizedClient, which a region not enabled gives).
 */
static int credentials_refused(const char *code)
{
	static const char *const codes[] = {
		"InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignatureException",
		"MissingAuthenticationTokenException", "ExpiredTokenException", "ExpiredToken", NULL
	};

	for (int i = 0; codes[i]; i++)
		if (!strcmp(code, codes[i]))
			return 1;
	return 0;
}

/*
 * Gets one page for q into j->page: pacing, credentials, signing, retries.
 * Prints the error when it fails.
 */
static enum fetch fetch_page(struct job *j, const struct pass *ps, const struct lookup_query *q,
			     int token_resumed)
{
	struct pull *p = j->p;
	struct http *h = &j->http;
	char last[800] = "", at[300], err[1200];
	int renewed = 0;

	where(j, ps, at, sizeof(at));
	if (lookup_request_body(&j->body, q)) {
		error("%s: the request is too large", at);
		return FETCH_FAILED;
	}
	for (int attempt = 1; attempt <= p->o.max_attempts; attempt++) {
		struct aws_creds cr;
		char code[128], clean[600];
		const char *hint;
		enum aws_error_kind kind;
		int rc;

		if (attempt > 1 && nap(p, pace_backoff_ms(attempt - 1, BACKOFF_BASE_MS, BACKOFF_CAP_MS,
							   pace_random()) * 1000000LL))
			return FETCH_STOPPED;
		if (nap(p, pace_take(&j->pace, mono_ns())))
			return FETCH_STOPPED;
		if (creds_get(p->creds, j->failed_key, &cr, err, sizeof(err))) {
			/* the same for every region: one line is enough */
			if (!atomic_exchange(&p->creds_failed, 1))
				error("%s", err);
			atomic_store(&p->stop, 1);
			return FETCH_FAILED;
		}
		free(j->failed_key);
		j->failed_key = NULL;
		rc = aws_post(h, &j->kc, &j->ep, &cr, LOOKUP_CONTENT_TYPE, LOOKUP_TARGET, j->body.data,
			      j->body.len);
		if (rc == HTTP_ABORTED) {
			aws_creds_release(&cr);
			return FETCH_STOPPED;
		}
		if (rc == HTTP_FATAL) {
			aws_creds_release(&cr);
			error("%s: LookupEvents at %s failed: %s", at, j->ep.url, h->error);
			return FETCH_FAILED;
		}
		if (rc == HTTP_RETRYABLE) {
			aws_creds_release(&cr);
			snprintf(last, sizeof(last), "no answer: %s", h->error);
			continue;
		}
		if (lookup_parse(&j->page, h->body.data, h->body.len)) {
			aws_creds_release(&cr);
			if (h->status == 200 || h->status >= 500) {
				/* a cut or garbled answer: worth another try */
				snprintf(last, sizeof(last), "HTTP %ld: unreadable answer: %s", h->status,
					 j->page.err);
				continue;
			}
			aws_error_code(h->error_type, code, sizeof(code));
			if (aws_error_classify(code, h->status, NULL, &hint) == AWS_ERR_RETRY) {
				snprintf(last, sizeof(last), "HTTP %ld %s", h->status, code);
				continue;
			}
			error("%s: LookupEvents at %s failed: HTTP %ld%s%s%s%s%s", at, j->ep.url,
			      h->status, code[0] ? " " : "", code, *hint ? " (likely cause: " : "", hint,
			      *hint ? ")" : "");
			return FETCH_FAILED;
		}
		if (h->status == 200 && !j->page.error_type[0]) {
			aws_creds_release(&cr);
			return FETCH_OK;
		}
		aws_error_code(j->page.error_type[0] ? j->page.error_type : h->error_type, code,
			       sizeof(code));
		kind = aws_error_classify(code, h->status, j->page.error_message, &hint);
		aws_clean_message(j->page.error_message, &cr, clean, sizeof(clean));
		snprintf(last, sizeof(last), "HTTP %ld %s%s%s", h->status, code[0] ? code : "error",
			 clean[0] ? ": " : "", clean);
		if (kind == AWS_ERR_EXPIRED && creds_refreshable(p->creds) && !renewed) {
			renewed = 1;
			j->failed_key = xstrdup(cr.access_key_id);
			aws_creds_release(&cr);
			continue; /* the credentials are renewed on the next try */
		}
		aws_creds_release(&cr);
		if (kind == AWS_ERR_RETRY)
			continue;
		if (!strcmp(code, "InvalidNextTokenException") && token_resumed)
			return FETCH_TOKEN_REFUSED;
		if (credentials_refused(code)) {
			/* every region would say the same: stop them, report once */
			atomic_store(&p->stop, 1);
			if (atomic_exchange(&p->creds_failed, 1))
				return FETCH_FAILED;
		}
		error("%s: LookupEvents failed: %s%s%s%s", at, last, *hint ? " (likely cause: " : "",
		      hint, *hint ? ")" : "");
		return FETCH_FAILED;
	}
	error("%s: LookupEvents failed %d times, the last: %s; what was pulled is kept and the"
	      " next run continues from there", at, p->o.max_attempts, last);
	return FETCH_FAILED;
}

/* ---------------------------------------------------------------- windows */

static char *origin(const struct job *j, const struct pass *ps)
{
	struct buf b;

	buf_init(&b, 1u << 16);
	buf_addf(&b, "api:cloudtrail:%s:%s%s%s", j->region, j->p->account, ps->key ? ":" : "",
		 ps->name);
	return buf_detach(&b, NULL);
}

/*
 * Packs the page's records into a row set for the writer. Records that are
 * not CloudTrail records are reported and counted, not stored. Sets the
 * page's time span (-1 when it has no event).
 */
static struct rowset *pack_page(struct job *j, const struct pass *ps, long long *newest,
				long long *oldest)
{
	struct pull *p = j->p;
	struct rowset *rs = writer_get_rowset(p->w, 0);
	char why[300], at[300];

	*newest = *oldest = -1;
	for (size_t i = 0; i < j->page.n; i++) {
		const struct lookup_event *e = &j->page.ev[i];
		const char *text = lookup_event_text(&j->page, i);
		long long t = e->event_time >= 0 ? (long long)(e->event_time * 1000.0 + 0.5) : -1;

		if (!text) {
			snprintf(why, sizeof(why), "no CloudTrailEvent");
		} else if (record_parse_text(&j->rec, text, e->text_len, why, sizeof(why))) {
			/* why says it */
		} else if (rowset_add(rs, text, e->text_len, &j->rec)) {
			snprintf(why, sizeof(why), "the page is too large");
		} else {
			if (t < 0)
				t = j->rec.event_time_ms;
			if (t > *newest)
				*newest = t;
			if (*oldest < 0 || t < *oldest)
				*oldest = t;
			continue;
		}
		where(j, ps, at, sizeof(at));
		error("%s: event %s: %s; not stored", at, e->event_id[0] ? e->event_id : "(no EventId)",
		      why);
		atomic_fetch_add(&p->bad, 1);
		if (t >= 0 && (*oldest < 0 || t < *oldest))
			*oldest = t; /* the window did get this far */
	}
	return rs;
}

/*
 * Pulls the window cp describes (win_start_ms .. win_end_ms) from its
 * NextToken (NULL: the first page). 0 when the window is done, 1 when
 * stopped (interrupted, --max-events), -1 on failure (printed).
 */
static int run_window(struct job *j, const struct pass *ps, struct checkpoint *cp)
{
	struct pull *p = j->p;
	long long full_end = cp->win_end_ms;
	int token_resumed = cp->next_token != NULL;
	char at[300];

	where(j, ps, at, sizeof(at));
	atomic_max(&p->covered_hi, cp->win_end_ms);
	for (;;) {
		struct lookup_query q;
		struct writer_page *wp;
		long long newest, oldest;
		int want, got;
		enum fetch rc;

		if (atomic_load(&p->stop))
			return 1;
		want = reserve(p, LOOKUP_MAX_RESULTS);
		if (!want) {
			atomic_store(&p->limited, 1);
			return 1;
		}
		memset(&q, 0, sizeof(q));
		q.start_s = cp->win_start_ms / 1000;
		q.end_s = (cp->win_end_ms + 999) / 1000;
		q.attr_key = ps->key;
		q.attr_value = ps->value;
		q.next_token = cp->next_token;
		q.max_results = want;
		rc = fetch_page(j, ps, &q, token_resumed);
		if (rc == FETCH_TOKEN_REFUSED) {
			give_back(p, want);
			warning("%s: the stored NextToken was refused; going on from the oldest event"
				" stored from that window", at);
			if (cp->win_oldest_ms >= 0)
				cp->win_end_ms = cp->win_oldest_ms;
			checkpoint_set_token(cp, NULL);
			token_resumed = 0;
			continue;
		}
		if (rc != FETCH_OK) {
			give_back(p, want);
			return rc == FETCH_STOPPED ? 1 : -1;
		}
		token_resumed = 0;
		got = (int)j->page.n;
		give_back(p, want - got);
		if (j->page.next_token && cp->next_token && !strcmp(j->page.next_token, cp->next_token)) {
			error("%s: the endpoint sent the same NextToken twice", at);
			return -1;
		}

		wp = xcalloc(1, sizeof(*wp));
		wp->rows = pack_page(j, ps, &newest, &oldest);
		wp->path = origin(j, ps);
		wp->records = got;
		cp->pages++;
		cp->events += got;
		if (newest > cp->newest_ms)
			cp->newest_ms = newest;
		if (oldest >= 0 && (cp->win_oldest_ms < 0 || oldest < cp->win_oldest_ms))
			cp->win_oldest_ms = oldest;
		if (j->page.next_token) {
			checkpoint_set_token(cp, j->page.next_token);
		} else {
			/* the window is done */
			if (full_end > cp->done_end_ms)
				cp->done_end_ms = full_end;
			atomic_min(&p->covered_lo, cp->win_start_ms);
			cp->win_start_ms = cp->win_end_ms = cp->win_oldest_ms = -1;
			checkpoint_set_token(cp, NULL);
		}
		wp->hook = checkpoint_hook;
		wp->arg = checkpoint_dup(cp);
		wp->free_arg = checkpoint_free;
		writer_put_page(p->w, wp);

		atomic_fetch_add(&p->pages, 1);
		atomic_fetch_add(&p->events, got);
		if (oldest >= 0)
			atomic_min(&p->covered_lo, oldest);
		if (writer_failed(p->w)) {
			atomic_store(&p->stop, 1);
			return -1;
		}
		if (cp->win_start_ms < 0)
			return 0;
	}
}

/* One pass of one region: the unfinished window first, then this run's. */
static int run_pass(struct job *j, const struct pass *ps, struct checkpoint *cp)
{
	struct pull *p = j->p;
	long long now = p->now_ms, start, end;
	long long resumed_start = -1, resumed_end = -1;
	int rc;

	if (cp->win_start_ms >= 0) {
		resumed_start = cp->win_start_ms;
		resumed_end = cp->win_end_ms;
		rc = run_window(j, ps, cp);
		if (rc)
			return rc;
	}
	end = p->o.until_ms >= 0 ? p->o.until_ms : now;
	if (p->o.since_ms >= 0) {
		start = p->o.since_ms;
		/* what the finished window covered need not be read again */
		if (resumed_start >= 0 && resumed_start <= start) {
			if (end <= resumed_end)
				return 0;
			if (cp->newest_ms >= 0 && cp->newest_ms - p->o.overlap_ms > start)
				start = cp->newest_ms - p->o.overlap_ms;
		}
	} else {
		if (cp->newest_ms >= 0)
			start = cp->newest_ms - p->o.overlap_ms;
		else if (cp->done_end_ms >= 0)
			start = cp->done_end_ms - p->o.overlap_ms;
		else
			start = now - RETENTION_MS;
		if (start < now - RETENTION_MS)
			start = now - RETENTION_MS;
	}
	start = start / 1000 * 1000;
	end = (end + 999) / 1000 * 1000;
	if (start > end)
		return 0;
	cp->win_start_ms = start;
	cp->win_end_ms = end;
	cp->win_oldest_ms = -1;
	checkpoint_set_token(cp, NULL);
	return run_window(j, ps, cp);
}

static void *region_main(void *arg)
{
	struct job *j = arg;
	struct pull *p = j->p;

	for (int i = 0; i < p->n_passes && !atomic_load(&p->stop); i++) {
		int rc = run_pass(j, &p->passes[i], &p->cps[j->index * p->n_passes + i]);

		if (rc < 0) {
			j->failed = 1;
			atomic_fetch_add(&p->failed_regions, 1);
			break;
		}
		if (rc > 0)
			break;
		atomic_fetch_add(&p->passes_done, 1);
	}
	atomic_store(&j->finished, 1);
	return NULL;
}

/* ---------------------------------------------------------------- the run */

/* libcurl re-sends a request by itself (http.h on_resend): it takes a token too. */
static void on_resend(void *arg)
{
	struct job *j = arg;

	nap(j->p, pace_take(&j->pace, mono_ns()));
}

static int job_init(struct job *j, struct pull *p, int index)
{
	struct http_opts ho;
	char err[600];

	memset(j, 0, sizeof(*j));
	j->p = p;
	j->index = index;
	j->region = p->regions[index];
	pace_init(&j->pace, p->o.rate, 1, mono_ns());
	memset(&ho, 0, sizeof(ho));
	ho.ca_bundle = p->ca_bundle;
	ho.stop = &p->stop;
	ho.timeout_ms = p->o.timeout_ms;
	ho.on_resend = on_resend;
	ho.on_resend_arg = j;
	if (http_init(&j->http, &ho))
		return error("region '%s': %s", j->region, j->http.error);
	if (aws_endpoint_init(&j->ep, "cloudtrail", j->region, p->o.endpoint_url ?
			      p->o.endpoint_url : aws_endpoint_from_env("CLOUDTRAIL"), err, sizeof(err)))
		return error("region '%s': %s", j->region, err);
	sigv4_key_cache_init(&j->kc);
	lookup_page_init(&j->page);
	buf_init(&j->body, 1u << 20);
	record_init(&j->rec);
	return 0;
}

static void job_release(struct job *j)
{
	http_release(&j->http);
	sigv4_key_cache_release(&j->kc);
	lookup_page_release(&j->page);
	buf_release(&j->body);
	record_release(&j->rec);
	free(j->failed_key);
}

static void fmt_time(long long ms, char out[32])
{
	if (ms < 0)
		snprintf(out, 32, "-");
	else
		time_format_iso(ms / 1000 * 1000, out);
}

static void show_progress(struct pull *p, long long started_ms)
{
	long long secs10 = (time_now_ms() - started_ms) / 100;
	long long ev = atomic_load(&p->events);
	char lo[32], hi[32];

	fmt_time(atomic_load(&p->covered_lo), lo);
	fmt_time(atomic_load(&p->covered_hi), hi);
	fprintf(stderr, "\r\033[Kpull: %d/%d passes, %lld pages, %lld events (%lld new), %.0f events/s,"
		" %s .. %s", atomic_load(&p->passes_done), p->n_regions * p->n_passes,
		atomic_load(&p->pages), ev, writer_inserted(p->w),
		secs10 > 0 ? (double)ev * 10.0 / (double)secs10 : 0.0, lo, hi);
	fflush(stderr);
	msg_progress_shown = 1;
}

int pull_run(struct pull *p, sqlite3 *db)
{
	struct timespec tick = { 0, 83000000L }; /* progress and commits every 250 ms */
	unsigned ticks = 0;
	struct sigaction sa, old_int, old_term;
	struct job *jobs;
	long long run_id, inserted = 0, started = time_now_ms();
	struct run_counts counts = { 0, 0, 0, 0, 0, 0 };
	int n = p->n_regions, started_jobs = 0, rc = 0, bulk;
	char lo[32], hi[32];

	p->now_ms = started;
	atomic_store(&p->budget, p->o.max_events > 0 ? p->o.max_events : -1);
	atomic_store(&p->covered_lo, -1);
	atomic_store(&p->covered_hi, -1);
	if (checkpoint_ensure_table(db))
		return 1;
	run_id = store_run_start(db, p->o.command ? p->o.command : "pull");
	if (run_id < 0)
		return 1;
	p->cps = xcalloc((size_t)n * (size_t)p->n_passes, sizeof(*p->cps));
	for (int r = 0; r < n; r++)
		for (int i = 0; i < p->n_passes; i++)
			if (checkpoint_load(db, p->account, p->regions[r], p->passes[i].name,
					    &p->cps[r * p->n_passes + i]))
				rc = 1;
	jobs = xcalloc((size_t)n, sizeof(*jobs));
	/* into an empty store (a first pull of 90 days), indexes are built once at the end */
	bulk = !rc && store_int(db, "SELECT NOT EXISTS (SELECT 1 FROM event_fields)", 0) == 1;
	if (bulk && store_drop_indexes(db))
		rc = 1;
	if (!rc) {
		p->w = writer_start(db, run_id, 1, 2 * n + 2, bulk);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sa.sa_flags = SA_RESETHAND; /* a second Ctrl-C ends the process at once */
		sigemptyset(&sa.sa_mask);
		atomic_store(&interrupted, 0);
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
		for (int r = 0; r < n; r++) {
			if (job_init(&jobs[r], p, r) ||
			    pthread_create(&jobs[r].thread, NULL, region_main, &jobs[r])) {
				error("region '%s': cannot start its thread", p->regions[r]);
				job_release(&jobs[r]);
				atomic_store(&p->stop, 1);
				rc = 1;
				break;
			}
			started_jobs++;
		}
		for (;;) {
			int done = 0;

			for (int r = 0; r < started_jobs; r++)
				done += atomic_load(&jobs[r].finished);
			if (done == started_jobs)
				break;
			if (atomic_load(&interrupted))
				atomic_store(&p->stop, 1);
			if (++ticks % 3 == 0) {
				if (p->o.progress)
					show_progress(p, started);
				writer_flush(p->w);
			}
			nanosleep(&tick, NULL);
		}
		for (int r = 0; r < started_jobs; r++) {
			pthread_join(jobs[r].thread, NULL);
			job_release(&jobs[r]);
		}
		if (p->o.progress && msg_progress_shown) {
			fprintf(stderr, "\r\033[K");
			msg_progress_shown = 0;
		}
		if (writer_finish(p->w, &inserted))
			rc = 1;
		p->w = NULL;
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	if (bulk) {
		long long dups = store_ensure_indexes(db);

		if (dups < 0)
			rc = 1;
		else
			inserted -= dups;
	}
	counts.records = atomic_load(&p->events);
	counts.inserted = inserted;
	if (store_run_end(db, run_id, &counts))
		rc = 1;
	if (atomic_load(&p->failed_regions) || atomic_load(&p->bad))
		rc = 1;
	if (atomic_load(&interrupted)) {
		error("pull: interrupted; what was pulled is kept and the next run continues from there");
		rc = 1;
	}
	fmt_time(atomic_load(&p->covered_lo), lo);
	fmt_time(atomic_load(&p->covered_hi), hi);
	if (!p->o.quiet) {
		double secs = (double)(time_now_ms() - started) / 1000.0;

		note("pull: %d region%s x %d pass%s: %lld pages, %lld events (%lld new)%s in %.1f s"
		     " (%.0f events/s), %s .. %s%s%s", n, n == 1 ? "" : "s", p->n_passes,
		     p->n_passes == 1 ? "" : "es", atomic_load(&p->pages), atomic_load(&p->events),
		     inserted, atomic_load(&p->bad) ? ", some not stored" : "", secs,
		     secs > 0 ? (double)atomic_load(&p->events) / secs : 0.0, lo, hi,
		     atomic_load(&p->limited) ? "; stopped at --max-events" : "",
		     atomic_load(&p->failed_regions) ? "; a region failed" : "");
	}
	for (int r = 0; r < n; r++)
		for (int i = 0; i < p->n_passes; i++)
			checkpoint_release(&p->cps[r * p->n_passes + i]);
	free(p->cps);
	p->cps = NULL;
	free(jobs);
	return rc;
}
