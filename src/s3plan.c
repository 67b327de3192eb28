/*
 * s3plan.c - the CloudTrail layout walk over S3 listings; see s3plan.h.
 */
#include "s3plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "msg.h"
#include "walk.h"

#define DAY_MS 86400000LL

/* What a prefix of the layout is: what its children are. */
enum level {
	L_AWSLOGS,      /* .../AWSLogs/: organizations or accounts */
	L_ORG,          /* .../AWSLogs/o-ORGID/: accounts */
	L_ACCOUNT,      /* .../ACCOUNT/: CloudTrail/ (and the digest and insight folders) */
	L_CLOUDTRAIL,   /* .../ACCOUNT/CloudTrail/: regions */
	L_REGION,       /* .../CloudTrail/REGION/: days of log files */
	L_ANY,          /* anything else: listed whole */
};

struct plan {
	struct s3 *s;
	const struct s3plan_opts *o;
	s3plan_fn fn;
	void *ctx;
	struct s3plan_stats *st;
	char **accounts, **regions; /* sorted copies */
	char *err;
	size_t errlen;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **sorted_copy(char *const *v, int n)
{
	char **c = xcalloc((size_t)n + 1, sizeof(*c));

	for (int i = 0; i < n; i++)
		c[i] = v[i];
	qsort(c, (size_t)n, sizeof(*c), cmp_str);
	return c;
}

static int wanted(char *const *sorted, int n, const char *name)
{
	return !n || bsearch(&name, sorted, (size_t)n, sizeof(char *), cmp_str) != NULL;
}

static int is_account(const char *s, size_t n)
{
	if (n != 12)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/*
 * Lists prefix, with delimiter "/" when kids is not NULL (the common
 * prefixes are appended to kids), else whole: every object from
 * start_after on, up to stop_at (excluded), goes to the callback.
 */
static int list(struct plan *p, const char *prefix, struct buf *kids, const char *start_after,
		const char *stop_at)
{
	struct s3_list_req rq = { prefix, kids ? "/" : NULL, start_after, NULL, p->o->max_keys };
	char *token = NULL;
	int rc = 0;

	p->st->prefixes++;
	do {
		struct s3_page pg;

		if (s3_list(p->s, &rq, &pg, p->err, p->errlen)) {
			free(token);
			return -1;
		}
		for (size_t i = 0; i < pg.n_prefixes && kids; i++)
			buf_add(kids, pg.prefixes[i], strlen(pg.prefixes[i]) + 1);
		for (size_t i = 0; i < pg.n_objects && !kids && !rc; i++) {
			const struct s3_object *ob = &pg.objects[i];

			if (stop_at && strcmp(ob->key, stop_at) >= 0) {
				free(pg.next_token);
				pg.next_token = NULL; /* past the last day asked for */
				break;
			}
			if (p->fn(p->ctx, ob, walk_skip_reason(ob->key, 0))) {
				p->err[0] = '\0';
				rc = -1;
			}
		}
		free(token);
		token = pg.next_token;
		pg.next_token = NULL;
		rq.continuation = token;
		s3_page_release(&pg);
	} while (token && !rc);
	free(token);
	return rc;
}

long long s3plan_key_time(const char *key)
{
	const char *name = strrchr(key, '/'), *ct;
	struct tm tm;
	int y, mo, d, h, mi;
	char z;

	name = name ? name + 1 : key;
	ct = strstr(name, "_CloudTrail_");
	if (!ct || !(ct = strchr(ct + 12, '_')))
		return -1;
	if (sscanf(ct + 1, "%4d%2d%2dT%2d%2d%c", &y, &mo, &d, &h, &mi, &z) != 6 || z != 'Z')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (long long)timegm(&tm) * 1000;
}

/* The newest stored key under prefix, or NULL. */
static const char *newest_known(const struct plan *p, const char *prefix)
{
	size_t lo = 0, hi = p->o->n_known, n = strlen(prefix);

	/* the first key past every key that starts with prefix ('/' + 1 is '0') */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(p->o->known[mid], prefix, n);

		if (c <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || strncmp(p->o->known[lo - 1], prefix, n))
		return NULL;
	return p->o->known[lo - 1];
}

/* prefix + "YYYY/MM/DD/" of ms, then `tail` (may be ""). */
static void day_key(const char *prefix, long long ms, const char *tail, struct buf *out)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	buf_reset(out);
	buf_addf(out, "%s%04d/%02d/%02d/%s", prefix, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tail);
}

/* Where the last segment of [node, end) begins. */
static const char *segment_start(const char *node, const char *end)
{
	while (end > node && end[-1] != '/')
		end--;
	return end;
}

/* The file names under .../ACCOUNT/CloudTrail/REGION/ start "ACCOUNT_CloudTrail_REGION_". */
static void log_name_head(const char *node, char *out, size_t outlen)
{
	const char *end = node + strlen(node) - 1;           /* the '/' after REGION */
	const char *region = segment_start(node, end);
	const char *ct = region > node ? segment_start(node, region - 1) : node;
	const char *account = ct > node ? segment_start(node, ct - 1) : node;

	if (account == ct)
		out[0] = '\0';
	else
		snprintf(out, outlen, "%.*s_CloudTrail_%.*s_", (int)(ct - 1 - account), account,
			 (int)(end - region), region);
}

/*
 * A region's logs: one listing from the key of the start time (--since, or
 * the late window before the newest stored log) to the day after --until.
 */
static int visit_region(struct plan *p, const char *node)
{
	const struct s3plan_opts *o = p->o;
	long long start = o->since_ms;
	struct buf after, stop;
	int rc;

	buf_init(&after, 4096);
	buf_init(&stop, 4096);
	if (!start) {
		const char *newest = newest_known(p, node);
		long long t = newest ? s3plan_key_time(newest) : -1;

		if (t > 0)
			start = t - o->late_ms;
	}
	if (start > 0) {
		time_t t = (time_t)(start / 1000);
		struct tm tm;
		char head[256], tail[300];

		gmtime_r(&t, &tm);
		log_name_head(node, head, sizeof(head));
		snprintf(tail, sizeof(tail), "%s%04d%02d%02dT%02d%02dZ", head, tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
		day_key(node, start, tail, &after);
	}
	if (o->until_ms)
		day_key(node, o->until_ms + o->late_ms + DAY_MS, "", &stop);
	rc = list(p, node, NULL, after.len ? after.data : NULL, stop.len ? stop.data : NULL);
	buf_release(&after);
	buf_release(&stop);
	return rc;
}

static int visit(struct plan *p, const char *node, enum level lv);

/* Visits node + name + "/" for each name. */
static int visit_names(struct plan *p, const char *node, char *const *names, int n, enum level lv)
{
	struct buf child;
	int rc = 0;

	buf_init(&child, 8192);
	for (int i = 0; i < n && !rc; i++) {
		buf_reset(&child);
		buf_addf(&child, "%s%s/", node, names[i]);
		rc = visit(p, child.data, lv);
	}
	buf_release(&child);
	return rc;
}

/* Discovers node's children and visits those the options want. */
static int visit_children(struct plan *p, const char *node, enum level lv)
{
	struct buf kids;
	size_t nl = strlen(node);
	int rc;

	buf_init(&kids, 64u << 20);
	rc = list(p, node, &kids, NULL, NULL);
	for (const char *k = kids.data; !rc && k < kids.data + kids.len; k += strlen(k) + 1) {
		const char *name = k + nl;
		size_t n = strlen(name);
		char one[256];

		if (strncmp(k, node, nl) || n < 2 || n > sizeof(one))
			continue;
		snprintf(one, sizeof(one), "%.*s", (int)(n - 1), name);
		switch (lv) {
		case L_AWSLOGS: /* an organization trail's folder, or an account */
			if (!strncmp(one, "o-", 2))
				rc = visit(p, k, L_ORG);
			else if (is_account(one, n - 1) && wanted(p->accounts, p->o->n_accounts, one))
				rc = visit(p, k, L_ACCOUNT);
			break;
		case L_ORG:
			if (is_account(one, n - 1) && wanted(p->accounts, p->o->n_accounts, one))
				rc = visit(p, k, L_ACCOUNT);
			break;
		case L_CLOUDTRAIL:
			rc = visit(p, k, L_REGION);
			break;
		default:
			break;
		}
	}
	buf_release(&kids);
	return rc;
}

static int visit(struct plan *p, const char *node, enum level lv)
{
	struct buf child;
	int rc;

	switch (lv) {
	case L_AWSLOGS:
		return visit_children(p, node, lv);
	case L_ORG:
		if (p->o->n_accounts)
			return visit_names(p, node, p->accounts, p->o->n_accounts, L_ACCOUNT);
		return visit_children(p, node, lv);
	case L_ACCOUNT:
		buf_init(&child, 8192);
		buf_addf(&child, "%sCloudTrail/", node);
		rc = visit(p, child.data, L_CLOUDTRAIL);
		buf_release(&child);
		return rc;
	case L_CLOUDTRAIL:
		if (p->o->n_regions)
			return visit_names(p, node, p->regions, p->o->n_regions, L_REGION);
		return visit_children(p, node, lv);
	case L_REGION:
		return visit_region(p, node);
	case L_ANY:
		return list(p, node, NULL, NULL, NULL);
	}
	return 0;
}

/* Where the user's prefix stands in the layout. */
static enum level start_level(const char *prefix, struct buf *node)
{
	const char *a = strstr(prefix, "AWSLogs/");
	enum level lv = L_AWSLOGS;

	buf_reset(node);
	while (a && a != prefix && a[-1] != '/')
		a = strstr(a + 1, "AWSLogs/");
	if (!a) {
		/* the trail's own key prefix (or none): its logs are under AWSLogs/ */
		buf_addf(node, "%s%sAWSLogs/", prefix,
			 *prefix && prefix[strlen(prefix) - 1] != '/' ? "/" : "");
		return L_AWSLOGS;
	}
	buf_addstr(node, prefix);
	for (const char *seg = a + 8, *end; *seg; seg = end + 1) {
		end = strchr(seg, '/');
		if (!end)
			return L_ANY; /* ends inside a name: list what starts so */
		switch (lv) {
		case L_AWSLOGS: lv = !strncmp(seg, "o-", 2) ? L_ORG : L_ACCOUNT; break;
		case L_ORG: lv = L_ACCOUNT; break;
		case L_ACCOUNT:
			lv = end - seg == 10 && !strncmp(seg, "CloudTrail", 10) ? L_CLOUDTRAIL : L_ANY;
			break;
		case L_CLOUDTRAIL: lv = L_REGION; break;
		default: lv = L_ANY; break;
		}
	}
	return lv;
}

int s3plan_run(struct s3 *s, const struct s3plan_opts *o, s3plan_fn fn, void *ctx,
	       struct s3plan_stats *st, char *err, size_t errlen)
{
	struct plan p = { s, o, fn, ctx, st, NULL, NULL, err, errlen };
	struct buf node;
	enum level lv;
	int rc;

	memset(st, 0, sizeof(*st));
	p.accounts = sorted_copy(o->accounts, o->n_accounts);
	p.regions = sorted_copy(o->regions, o->n_regions);
	buf_init(&node, 8192);
	lv = start_level(o->prefix, &node);
	rc = visit(&p, node.data, lv);
	buf_release(&node);
	free(p.accounts);
	free(p.regions);
	return rc;
}
