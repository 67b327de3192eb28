/*
 * report_render.c - text and HTML layouts of the report; see report_render.h.
 */
#include "report_render.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "out.h"
#include "safetext.h"
#include "timeline.h"
#include "ytree.h"

/* Writes v as compact JSON (the policy statements). */
static void print_json(yajl_val v, FILE *f)
{
	const char *s = YAJL_GET_STRING(v);

	if (s) {
		out_json_string(f, s, strlen(s));
	} else if (YAJL_IS_OBJECT(v)) {
		fputc('{', f);
		for (size_t i = 0; i < v->u.object.len; i++) {
			if (i)
				fputc(',', f);
			out_json_string(f, v->u.object.keys[i], strlen(v->u.object.keys[i]));
			fputc(':', f);
			print_json(v->u.object.values[i], f);
		}
		fputc('}', f);
	} else if (YAJL_IS_ARRAY(v)) {
		fputc('[', f);
		for (size_t i = 0; i < v->u.array.len; i++) {
			if (i)
				fputc(',', f);
			print_json(v->u.array.values[i], f);
		}
		fputc(']', f);
	} else if (YAJL_IS_NUMBER(v)) {
		fputs(YAJL_GET_NUMBER(v), f);
	} else {
		fputs(YAJL_IS_TRUE(v) ? "true" : YAJL_IS_FALSE(v) ? "false" : "null", f);
	}
}

/* The checks by hand, with the area's region filled in. */
static void text_check(FILE *f, const char *check, const char *region)
{
	const char *p = check;

	for (const char *q; (q = strstr(p, "REGION")); p = q + 6) {
		out_safe_text(f, p, (size_t)(q - p));
		out_text(f, region ? region : "REGION");
	}
	out_text(f, p);
}

/* "N more: COMMAND" when a list shows fewer than its total. */
static void text_more(FILE *f, const char *indent, long long total, size_t shown, const char *what,
		      const char *command)
{
	if (total <= (long long)shown)
		return;
	fprintf(f, "%s%lld more%s%s: ", indent, total - (long long)shown, what ? " " : "", what ? what : "");
	out_text(f, command);
	fprintf(f, "\n");
}

/* The events a digest vouches for, of the store's, as a share; "" when the store cannot say. */
static int verified_share(yajl_val doc, char *out, size_t n)
{
	long long all = ytree_num(doc, "events"), v = ytree_num(doc, "verified_events");

	if (!ytree_get(doc, "verified_events", yajl_t_number) || !all)
		return 0;
	snprintf(out, n, "%lld of %lld events (%.1f%%)", v, all, 100.0 * (double)v / (double)all);
	return 1;
}

static void text_verified(yajl_val doc, FILE *f)
{
	char share[100];

	if (!verified_share(doc, share, sizeof(share)))
		return;
	fprintf(f, "Verified against the trail's digest files: %s", share);
	if (ytree_str(doc, "verified_first")) {
		fprintf(f, ", ");
		out_text(f, ytree_str(doc, "verified_first"));
		fprintf(f, " .. ");
		out_text(f, ytree_str(doc, "verified_last"));
	} else {
		fprintf(f, " (run trailsift verify)");
	}
	fprintf(f, "\n");
}

static void text_head(yajl_val doc, FILE *f)
{
	fprintf(f, "trailsift diagnosis report: why is MGN/DRS replication stuck?\n");
	fprintf(f, "Store ");
	out_text(f, ytree_str(doc, "store"));
	fprintf(f, ": %lld events, ", ytree_num(doc, "events"));
	out_text(f, ytree_str(doc, "first_event"));
	fprintf(f, " .. ");
	out_text(f, ytree_str(doc, "last_event"));
	fprintf(f, "; last scan ");
	out_text(f, ytree_str(doc, "last_scan"));
	fprintf(f, "; generated ");
	out_text(f, ytree_str(doc, "generated_at"));
	fprintf(f, "\n");
	text_verified(doc, f);
	if (ytree_true(doc, "empty"))
		fprintf(f, "\nNo findings and no MGN/DRS activity in the store (run `trailsift scan`).\n");
}

/* "N events, N findings", each in the singular when one. */
static void counts(FILE *f, long long events, long long findings)
{
	fprintf(f, "%lld event%s, %lld finding%s", events, events == 1 ? "" : "s", findings,
		findings == 1 ? "" : "s");
}


/* A cause's totals on one line: "[HIGH] first .. last, N events, M findings". */
static void text_totals(FILE *f, yajl_val c)
{
	fprintf(f, " [");
	out_upper(f, ytree_str(c, "severity"));
	fprintf(f, "] ");
	out_text(f, ytree_str(c, "first_seen"));
	fprintf(f, " .. ");
	out_text(f, ytree_str(c, "last_seen"));
	fprintf(f, ", ");
	counts(f, ytree_num(c, "events"), ytree_num(c, "finding_count"));
}

/* One account and region: the verdict, then a line per cause with findings. */
static void text_area(yajl_val a, FILE *f)
{
	yajl_val cs = ytree_get(a, "causes", yajl_t_array);
	int none = 0;

	fprintf(f, "\nAccount ");
	out_text(f, ytree_str(a, "account"));
	fprintf(f, ", region ");
	out_text(f, ytree_str(a, "region"));
	fprintf(f, "\n  The evidence points to: ");
	out_text(f, ytree_str(a, "verdict"));
	fprintf(f, "\n");
	for (size_t j = 0; j < ytree_len(cs); j++) {
		yajl_val c = ytree_item(cs, j);

		if (!ytree_num(c, "finding_count"))
			continue;
		fprintf(f, "  %zu. ", j + 1);
		out_text(f, ytree_str(c, "title"));
		text_totals(f, c);
		fprintf(f, "\n");
	}
	for (size_t j = 0; j < ytree_len(cs); j++) {
		yajl_val c = ytree_item(cs, j);

		if (ytree_num(c, "finding_count"))
			continue;
		fprintf(f, none++ ? "; " : "  No evidence in CloudTrail: ");
		out_text(f, ytree_str(c, "title"));
	}
	if (none)
		fprintf(f, "\n");
}

/*
 * The change that made a finding's calls fail (details.cause, cause.h), if
 * the finding names one: "cause: WHO WHAT at TIME (event ID, NAME)".
 */
static void text_cause_line(FILE *f, const char *indent, yajl_val finding)
{
	yajl_val c = ytree_get(ytree_get(finding, "details", yajl_t_object), "cause", yajl_t_object);

	if (!c)
		return;
	fprintf(f, "%scause: ", indent);
	out_text(f, ytree_str(c, "who"));
	fprintf(f, " ");
	out_text(f, ytree_str(c, "what"));
	fprintf(f, " at ");
	out_text(f, ytree_str(c, "time"));
	fprintf(f, " (event ");
	out_text(f, ytree_str(c, "event_id"));
	fprintf(f, ", ");
	out_text(f, ytree_str(c, "event_name"));
	fprintf(f, ")\n");
}

/* One cause over all areas: its worst findings, the policy statements, the next step. */
static void text_cause(yajl_val c, FILE *f)
{
	yajl_val fs = ytree_get(c, "worst_findings", yajl_t_array), ps = ytree_get(c, "policies", yajl_t_array);

	if (!ytree_num(c, "finding_count"))
		return;
	fprintf(f, "\n");
	out_text(f, ytree_str(c, "title"));
	text_totals(f, c);
	fprintf(f, " in %lld account%s and region%s; the worst:\n", ytree_num(c, "areas"),
		ytree_num(c, "areas") == 1 ? "" : "s", ytree_num(c, "areas") == 1 ? "" : "s");
	for (size_t i = 0; i < ytree_len(fs); i++) {
		yajl_val x = ytree_item(fs, i);

		fprintf(f, "     - ");
		out_upper(f, ytree_str(x, "severity"));
		fprintf(f, " ");
		out_text(f, ytree_str(x, "summary"));
		fprintf(f, " (");
		out_text(f, ytree_str(x, "account"));
		fprintf(f, " ");
		out_text(f, ytree_str(x, "region"));
		fprintf(f, ", ");
		out_text(f, ytree_str(x, "first_time"));
		fprintf(f, " .. ");
		out_text(f, ytree_str(x, "last_time"));
		fprintf(f, ")\n");
		text_cause_line(f, "       ", x);
	}
	text_more(f, "     ", ytree_num(c, "finding_count"), ytree_len(fs), NULL, ytree_str(c, "more_command"));
	for (size_t i = 0; i < ytree_len(ps); i++) {
		yajl_val p = ytree_item(ps, i);

		fprintf(f, "     Policy to add to ");
		out_text(f, ytree_str(p, "principal"));
		fprintf(f, ":\n       ");
		print_json(ytree_get(p, "policy", yajl_t_object), f);
		fprintf(f, "\n");
	}
	text_more(f, "     ", ytree_num(c, "policy_count"), ytree_len(ps), "principals",
		  "trailsift report --format json (causes[].policies)");
	if (ytree_true(c, "evident")) {
		fprintf(f, "     Next step: ");
		out_text(f, ytree_str(c, "next_step"));
		fprintf(f, "\n");
	}
}

static void text_changes(yajl_val doc, FILE *f)
{
	yajl_val ch = ytree_get(doc, "settings_changes", yajl_t_array);

	if (!ytree_len(ch))
		return;
	fprintf(f, "\nReplication-settings changes (who changed what; those with findings first, then the newest)\n");
	for (size_t j = 0; j < ytree_len(ch); j++) {
		yajl_val c = ytree_item(ch, j);

		fprintf(f, "     ");
		out_text(f, ytree_str(c, "time"));
		fprintf(f, "  ");
		out_text(f, ytree_str(c, "who"));
		fprintf(f, "  ");
		out_text(f, ytree_str(c, "api"));
		if (ytree_str(c, "source_server_id")) {
			fprintf(f, " ");
			out_text(f, ytree_str(c, "source_server_id"));
		}
		if (ytree_str(c, "error_code")) {
			fprintf(f, "  failed: ");
			out_text(f, ytree_str(c, "error_code"));
		}
		if (ytree_str(c, "finding")) {
			fprintf(f, "\n       [");
			out_upper(f, ytree_str(c, "finding_severity"));
			fprintf(f, "] ");
			out_text(f, ytree_str(c, "finding"));
		}
		fprintf(f, "\n");
	}
	text_more(f, "     ", ytree_num(doc, "settings_change_count"), ytree_len(ch), NULL,
		  "trailsift report --format json (settings_changes)");
}

static void text_servers(yajl_val doc, FILE *f)
{
	yajl_val servers = ytree_get(doc, "source_servers", yajl_t_array);

	if (!ytree_len(servers))
		return;
	fprintf(f, "\nSource servers, the worst first (events and findings: trailsift timeline"
		" --source-server ID)\n");
	for (size_t i = 0; i < ytree_len(servers); i++)
		timeline_render_text(ytree_item(servers, i), f);
	text_more(f, "", ytree_num(doc, "source_server_count"), ytree_len(servers), NULL,
		  "trailsift timeline --source-server ID (their ids: trailsift report --format json)");
}

static void text_tail(yajl_val doc, FILE *f)
{
	yajl_val nv = ytree_get(doc, "not_visible", yajl_t_array);

	fprintf(f, "\nNot visible in CloudTrail: check by hand\n");
	for (size_t i = 0; i < ytree_len(nv); i++) {
		fprintf(f, "  - ");
		out_text(f, ytree_str(ytree_item(nv, i), "what"));
		fprintf(f, "\n      ");
		text_check(f, ytree_str(ytree_item(nv, i), "check"), ytree_str(doc, "region"));
		fprintf(f, "\n");
	}
}

void report_render_text(enum report_part part, yajl_val v, FILE *f)
{
	switch (part) {
	case REPORT_PART_HEAD: text_head(v, f); break;
	case REPORT_PART_AREA: text_area(v, f); break;
	case REPORT_PART_CAUSE: text_cause(v, f); break;
	case REPORT_PART_CHANGES: text_changes(v, f); break;
	case REPORT_PART_SERVERS: text_servers(v, f); break;
	case REPORT_PART_TAIL: text_tail(v, f); break;
	}
}

/*
 * HTML-escaped text. Controls and bidi overrides are shown as visible
 * escapes (safe_char(): "\u202e"), so that a value cannot reorder the text
 * around it; tab and line breaks are kept.
 */
static void hx(FILE *f, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	char out[SAFE_CHAR_MAX];
	size_t outlen;

	for (size_t i = 0; i < n;) {
		switch (s[i]) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		case '\n': case '\t': fputc(s[i], f); break;
		default:
			i += safe_char(s + i, n - i, 0, out, &outlen);
			fwrite(out, 1, outlen, f);
			continue;
		}
		i++;
	}
}

static const char *const rule_colors[][2] = {
	{ "ec2-access-denied", "#c0392b" }, { "replication-kms", "#784212" },
	{ "service-quota", "#8e44ad" }, { "api-throttling", "#d68910" },
	{ "replication-invalid-tags", "#2471a3" }, { "staging-network-change", "#117a65" },
	{ "staging-interference", "#b03a86" }, { "replication-settings-risk", "#5d6d7e" },
};

#define NCOLORS (sizeof(rule_colors) / sizeof(rule_colors[0]))

/* Past a week of hours with finding events, the chart has a bar a day: the file stays small. */
#define CHART_MAX_HOURS 168

/* Which rule_colors[] row a rule has; NCOLORS for any other. */
static size_t rule_slot(const char *rule)
{
	size_t k = 0;

	while (k < NCOLORS && !(rule && !strcmp(rule, rule_colors[k][0])))
		k++;
	return k;
}

/* The chart's rows from i on that fall in the bucket of row i (its first key_len characters). */
static size_t bucket_end(yajl_val tl, size_t i, size_t key_len)
{
	const char *key = ytree_str(ytree_item(tl, i), "hour");
	size_t j = i;

	while (j < ytree_len(tl) && !strncmp(ytree_str(ytree_item(tl, j), "hour"), key, key_len))
		j++;
	return j;
}

/*
 * The timeline: one stacked bar per hour that has finding events (per day
 * past CHART_MAX_HOURS of them), coloured by rule. Hours without events are
 * left out (the label under each bar says which it is), so a sparse week
 * stays readable.
 */
static void html_chart(yajl_val tl, FILE *f)
{
	size_t n = ytree_len(tl), bars = 0, key_len = 13; /* "2026-11-04T12" */
	long long top = 1;
	const int bar_w = 26, h = 160, left = 40;

	if (!n) {
		fprintf(f, "<p>No findings to chart.</p>\n");
		return;
	}
	for (size_t i = 0; i < n; i = bucket_end(tl, i, key_len))
		bars++;
	if (bars > CHART_MAX_HOURS) {
		key_len = 10; /* "2026-11-04" */
		bars = 0;
		for (size_t i = 0; i < n; i = bucket_end(tl, i, key_len))
			bars++;
	}
	/* the tallest bar sets the scale */
	for (size_t i = 0, end; i < n; i = end) {
		long long sum = 0;

		for (end = bucket_end(tl, i, key_len); i < end; i++)
			sum += ytree_num(ytree_item(tl, i), "events");
		if (sum > top)
			top = sum;
	}
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"finding events per %s by rule\""
		" width=\"%zu\" height=\"%d\" viewBox=\"0 0 %zu %d\">\n", key_len == 10 ? "day" : "hour",
		left + bars * (size_t)bar_w + 10, h + 90, left + bars * (size_t)bar_w + 10, h + 90);
	fprintf(f, "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>\n", left - 2, left - 2, h + 10);
	fprintf(f, "<text x=\"2\" y=\"18\" font-size=\"11\">%lld</text><text x=\"2\" y=\"%d\" font-size=\"11\">0</text>\n",
		top, h + 10);
	for (size_t b = 0, i = 0, end; i < n; b++, i = end) {
		const char *hour = ytree_str(ytree_item(tl, i), "hour");
		long long sums[NCOLORS + 1] = { 0 };
		double y = h + 10;
		int x = left + (int)b * bar_w;
		char label[32]; /* the hour as written, or its day */

		snprintf(label, sizeof(label), "%.*s", key_len == 10 ? 10 : 31, hour ? hour : "");

		for (end = bucket_end(tl, i, key_len); i < end; i++)
			sums[rule_slot(ytree_str(ytree_item(tl, i), "rule"))] += ytree_num(ytree_item(tl, i), "events");
		for (size_t k = 0; k <= NCOLORS; k++) {
			double bh = (double)sums[k] * h / (double)top;

			if (!sums[k])
				continue;
			y -= bh;
			fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"><title>",
				x, y, bar_w - 4, bh, k < NCOLORS ? rule_colors[k][1] : "#7f8c8d");
			hx(f, label);
			fprintf(f, " %s: %lld</title></rect>\n", k < NCOLORS ? rule_colors[k][0] : "other rules", sums[k]);
		}
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" transform=\"rotate(60 %d %d)\">", x + 4,
			h + 16, x + 4, h + 16);
		hx(f, strlen(label) >= 10 ? label + 5 : label); /* "11-04T12:00Z" or "11-04" */
		fprintf(f, "</text>\n");
	}
	fprintf(f, "</svg>\n<p class=\"legend\">");
	for (size_t k = 0; k < NCOLORS; k++)
		fprintf(f, "<span style=\"background:%s\"></span>%s ", rule_colors[k][1], rule_colors[k][0]);
	fprintf(f, "</p>\n");
}

/* The CSS class of a severity (a fixed word, never data). */
static const char *sev_class(const char *s)
{
	static const char *const known[] = { "info", "low", "medium", "high", "critical", NULL };

	for (int i = 0; s && known[i]; i++)
		if (!strcmp(s, known[i]))
			return known[i];
	return "info";
}

/* "<p>N more: <code>COMMAND</code></p>" when a list shows fewer than its total. */
static void html_more(FILE *f, long long total, size_t shown, const char *what, const char *command)
{
	if (total <= (long long)shown)
		return;
	fprintf(f, "<p class=\"more\">%lld more%s", total - (long long)shown, what ? " " : "");
	hx(f, what);
	fprintf(f, ": <code>");
	hx(f, command);
	fprintf(f, "</code></p>\n");
}

static void html_sev(FILE *f, const char *severity)
{
	fprintf(f, "<span class=\"sev %s\">", sev_class(severity));
	hx(f, severity);
	fprintf(f, "</span>");
}

/* A cause's totals: "first .. last, N events, M findings". */
static void html_totals(FILE *f, yajl_val c)
{
	hx(f, ytree_str(c, "first_seen"));
	fprintf(f, " .. ");
	hx(f, ytree_str(c, "last_seen"));
	fprintf(f, ", ");
	counts(f, ytree_num(c, "events"), ytree_num(c, "finding_count"));
}

static void html_area(yajl_val a, FILE *f)
{
	yajl_val cs = ytree_get(a, "causes", yajl_t_array);

	fprintf(f, "<h2>Account ");
	hx(f, ytree_str(a, "account"));
	fprintf(f, ", region ");
	hx(f, ytree_str(a, "region"));
	fprintf(f, "</h2>\n<p class=\"verdict\"><b>The evidence points to:</b> ");
	hx(f, ytree_str(a, "verdict"));
	fprintf(f, "</p>\n<ul>\n");
	for (size_t j = 0; j < ytree_len(cs); j++) {
		yajl_val c = ytree_item(cs, j);

		fprintf(f, "<li>");
		hx(f, ytree_str(c, "title"));
		if (!ytree_num(c, "finding_count")) {
			fprintf(f, ": <span class=\"none\">no evidence in CloudTrail</span></li>\n");
			continue;
		}
		fprintf(f, " ");
		html_sev(f, ytree_str(c, "severity"));
		fprintf(f, " ");
		html_totals(f, c);
		fprintf(f, "</li>\n");
	}
	fprintf(f, "</ul>\n");
}

/* The HTML form of text_cause_line(): a line under the finding. */
static void html_cause_line(FILE *f, yajl_val finding)
{
	yajl_val c = ytree_get(ytree_get(finding, "details", yajl_t_object), "cause", yajl_t_object);

	if (!c)
		return;
	fprintf(f, "<br><span class=\"cause\">cause: ");
	hx(f, ytree_str(c, "who"));
	fprintf(f, " ");
	hx(f, ytree_str(c, "what"));
	fprintf(f, " at ");
	hx(f, ytree_str(c, "time"));
	fprintf(f, " (event <code>");
	hx(f, ytree_str(c, "event_id"));
	fprintf(f, "</code>, ");
	hx(f, ytree_str(c, "event_name"));
	fprintf(f, ")</span>");
}

static void html_cause(yajl_val c, FILE *f)
{
	yajl_val fs = ytree_get(c, "worst_findings", yajl_t_array), ps = ytree_get(c, "policies", yajl_t_array);

	if (!ytree_num(c, "finding_count"))
		return;
	fprintf(f, "<h3>");
	hx(f, ytree_str(c, "title"));
	fprintf(f, " ");
	html_sev(f, ytree_str(c, "severity"));
	fprintf(f, "</h3>\n<p>");
	html_totals(f, c);
	fprintf(f, " in %lld accounts and regions; the worst:</p>\n<ul>\n", ytree_num(c, "areas"));
	for (size_t i = 0; i < ytree_len(fs); i++) {
		yajl_val x = ytree_item(fs, i);

		fprintf(f, "<li>");
		html_sev(f, ytree_str(x, "severity"));
		fprintf(f, " ");
		hx(f, ytree_str(x, "summary"));
		fprintf(f, " <small>(");
		hx(f, ytree_str(x, "account"));
		fprintf(f, " ");
		hx(f, ytree_str(x, "region"));
		fprintf(f, ", ");
		hx(f, ytree_str(x, "first_time"));
		fprintf(f, " .. ");
		hx(f, ytree_str(x, "last_time"));
		fprintf(f, ", first event <code>");
		hx(f, ytree_str(x, "event_id"));
		fprintf(f, "</code>)</small>");
		html_cause_line(f, x);
		fprintf(f, "</li>\n");
	}
	fprintf(f, "</ul>\n");
	html_more(f, ytree_num(c, "finding_count"), ytree_len(fs), NULL, ytree_str(c, "more_command"));
	for (size_t i = 0; i < ytree_len(ps); i++) {
		fprintf(f, "<p>Policy to add to <code>");
		hx(f, ytree_str(ytree_item(ps, i), "principal"));
		fprintf(f, "</code>:</p>\n<pre>");
		{
			/* print_json writes JSON; escape it for HTML through a memory stream */
			char *text = NULL;
			size_t len = 0;
			FILE *m = open_memstream(&text, &len);

			if (m) {
				print_json(ytree_get(ytree_item(ps, i), "policy", yajl_t_object), m);
				fclose(m);
				hx(f, text);
				free(text);
			}
		}
		fprintf(f, "</pre>\n");
	}
	html_more(f, ytree_num(c, "policy_count"), ytree_len(ps), "principals",
		  "trailsift report --format json (causes[].policies)");
	if (ytree_true(c, "evident")) {
		fprintf(f, "<p><b>Next step:</b> ");
		hx(f, ytree_str(c, "next_step"));
		fprintf(f, "</p>\n");
	}
}

static const char css[] =
	"body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#222}"
	"h1{font-size:1.5em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em}h3{font-size:1.05em}"
	"code,pre{background:#f4f4f4;padding:.1em .3em}pre{padding:.6em;overflow-x:auto}"
	".sev{display:inline-block;padding:0 .4em;border-radius:3px;color:#fff;font-size:.8em;"
	"text-transform:uppercase}.critical{background:#922}.high{background:#c0392b}"
	".medium{background:#d68910}.low{background:#2e86c1}.info{background:#7f8c8d}"
	".none{color:#666;font-weight:normal}.verdict{font-size:1.1em}"
	".legend span{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 1em}"
	"table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.2em .5em;"
	"text-align:left;vertical-align:top;overflow-wrap:anywhere}.more{color:#555}"
	".cause{color:#922}";

/* An HTML id for a source server: its id with anything but [A-Za-z0-9_-] replaced. */
static void anchor(FILE *f, const char *id)
{
	fputs("server-", f);
	for (; id && *id; id++)
		fputc((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z') || (*id >= '0' && *id <= '9') ||
		      *id == '-' || *id == '_' ? *id : '_', f);
}

/* "cause of finding N, M" in a timeline row, after the row's own findings (after: how many). */
static void html_cause_of(FILE *f, yajl_val ids, size_t after)
{
	size_t n = ytree_len(ids);

	if (!n)
		return;
	fprintf(f, "%s<span class=\"cause\">cause of finding%s", after ? "<br>" : "", n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		yajl_val id = ytree_item(ids, i);

		fprintf(f, "%s%lld", i ? ", " : " ", YAJL_IS_INTEGER(id) ? YAJL_GET_INTEGER(id) : 0);
	}
	fprintf(f, "</span>");
}

/* Rows of a server's timeline table at most (its events with findings). */
#define HTML_SERVER_ROWS 20

/* The source servers: links to one anchored timeline each (its events with findings). */
static void html_servers(yajl_val doc, FILE *f)
{
	yajl_val servers = ytree_get(doc, "source_servers", yajl_t_array);

	if (!ytree_len(servers))
		return;
	fprintf(f, "<h2>Source servers, the worst first</h2>\n<ul>\n");
	for (size_t i = 0; i < ytree_len(servers); i++) {
		yajl_val s = ytree_item(servers, i);

		fprintf(f, "<li><a href=\"#");
		anchor(f, ytree_str(s, "source_server_id"));
		fprintf(f, "\">");
		hx(f, ytree_str(s, "source_server_id"));
		fprintf(f, "</a>: ");
		counts(f, ytree_num(s, "event_count"), ytree_num(s, "findings"));
		if (ytree_str(s, "worst_severity")) {
			fprintf(f, " ");
			html_sev(f, ytree_str(s, "worst_severity"));
		}
		fprintf(f, "</li>\n");
	}
	fprintf(f, "</ul>\n");
	html_more(f, ytree_num(doc, "source_server_count"), ytree_len(servers), "source servers",
		  "trailsift timeline --source-server ID (their ids: trailsift report --format json)");
	for (size_t i = 0; i < ytree_len(servers); i++) {
		yajl_val s = ytree_item(servers, i), evs = ytree_get(s, "events", yajl_t_array);
		size_t rows = ytree_len(evs) < HTML_SERVER_ROWS ? ytree_len(evs) : HTML_SERVER_ROWS;
		struct buf cmd;

		fprintf(f, "<h3 id=\"");
		anchor(f, ytree_str(s, "source_server_id"));
		fprintf(f, "\">Timeline of ");
		hx(f, ytree_str(s, "source_server_id"));
		fprintf(f, "</h3>\n<p>Its events with findings:</p>\n<table><tr><th>time</th><th>call</th>"
			"<th>who</th><th>result</th><th>findings</th></tr>\n");
		for (size_t j = 0; j < rows; j++) {
			yajl_val e = ytree_item(evs, j), fs = ytree_get(e, "findings", yajl_t_array);

			fprintf(f, "<tr><td>");
			hx(f, ytree_str(e, "time"));
			fprintf(f, "</td><td>");
			hx(f, ytree_str(e, "api"));
			fprintf(f, "</td><td>");
			hx(f, ytree_str(e, "who"));
			fprintf(f, "</td><td>");
			hx(f, ytree_str(e, "error_code") ? ytree_str(e, "error_code") : "ok");
			fprintf(f, "</td><td>");
			for (size_t k = 0; k < ytree_len(fs); k++) {
				yajl_val x = ytree_item(fs, k);

				fprintf(f, "%s", k ? "<br>" : "");
				html_sev(f, ytree_str(x, "severity"));
				fprintf(f, " ");
				hx(f, ytree_str(x, "rule"));
				fprintf(f, ": ");
				hx(f, ytree_str(x, "summary"));
			}
			html_cause_of(f, ytree_get(e, "cause_of", yajl_t_array), ytree_len(fs));
			fprintf(f, "</td></tr>\n");
		}
		fprintf(f, "</table>\n");
		buf_init(&cmd, 1u << 12);
		buf_addstr(&cmd, "trailsift timeline --source-server ");
		buf_addstr(&cmd, ytree_str(s, "source_server_id"));
		html_more(f, ytree_num(s, "event_count"), rows, "events", cmd.data);
		buf_release(&cmd);
	}
}

static void html_head(yajl_val doc, FILE *f)
{
	char share[100];

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>trailsift report</title>\n<style>%s</style></head><body>\n", css);
	fprintf(f, "<h1>Why is MGN/DRS replication stuck? trailsift diagnosis</h1>\n<p>Store <code>");
	hx(f, ytree_str(doc, "store"));
	fprintf(f, "</code>: %lld events, ", ytree_num(doc, "events"));
	hx(f, ytree_str(doc, "first_event"));
	fprintf(f, " .. ");
	hx(f, ytree_str(doc, "last_event"));
	fprintf(f, "; generated ");
	hx(f, ytree_str(doc, "generated_at"));
	fprintf(f, ".</p>\n");
	if (verified_share(doc, share, sizeof(share))) {
		fprintf(f, "<p>Verified against the trail's digest files: %s", share);
		if (ytree_str(doc, "verified_first")) {
			fprintf(f, ", ");
			hx(f, ytree_str(doc, "verified_first"));
			fprintf(f, " .. ");
			hx(f, ytree_str(doc, "verified_last"));
		}
		fprintf(f, ".</p>\n");
	}
	fprintf(f, "<h2>Timeline: finding events per hour, by rule</h2>\n");
	html_chart(ytree_get(doc, "timeline", yajl_t_array), f);
	if (ytree_true(doc, "empty"))
		fprintf(f, "<p>No findings and no MGN/DRS activity in the store (run <code>trailsift scan</code>).</p>\n");
}

static void html_changes(yajl_val doc, FILE *f)
{
	yajl_val ch = ytree_get(doc, "settings_changes", yajl_t_array);

	if (!ytree_len(ch))
		return;
	fprintf(f, "<h2>Replication-settings changes</h2>\n<p>Those with findings first, then the newest.</p>\n"
		"<table><tr><th>time</th><th>account, region</th><th>who</th><th>call</th><th>source server</th>"
		"<th>result</th></tr>\n");
	for (size_t j = 0; j < ytree_len(ch); j++) {
		yajl_val c = ytree_item(ch, j);

		fprintf(f, "<tr><td>");
		hx(f, ytree_str(c, "time"));
		fprintf(f, "</td><td>");
		hx(f, ytree_str(c, "account"));
		fprintf(f, " ");
		hx(f, ytree_str(c, "region"));
		fprintf(f, "</td><td>");
		hx(f, ytree_str(c, "who"));
		fprintf(f, "</td><td>");
		hx(f, ytree_str(c, "api"));
		fprintf(f, "</td><td>");
		hx(f, ytree_str(c, "source_server_id"));
		fprintf(f, "</td><td>");
		hx(f, ytree_str(c, "error_code") ? ytree_str(c, "error_code") : "ok");
		if (ytree_str(c, "finding")) {
			fprintf(f, "<br>");
			html_sev(f, ytree_str(c, "finding_severity"));
			fprintf(f, " ");
			hx(f, ytree_str(c, "finding"));
		}
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</table>\n");
	html_more(f, ytree_num(doc, "settings_change_count"), ytree_len(ch), NULL,
		  "trailsift report --format json (settings_changes)");
}

static void html_tail(yajl_val doc, FILE *f)
{
	yajl_val nv = ytree_get(doc, "not_visible", yajl_t_array);

	fprintf(f, "<h2>Not visible in CloudTrail: check by hand</h2>\n<ul>\n");
	for (size_t i = 0; i < ytree_len(nv); i++) {
		fprintf(f, "<li>");
		hx(f, ytree_str(ytree_item(nv, i), "what"));
		fprintf(f, "<br><code>");
		hx(f, ytree_str(ytree_item(nv, i), "check"));
		fprintf(f, "</code></li>\n");
	}
	fprintf(f, "</ul>\n</body></html>\n");
}

void report_render_html(enum report_part part, yajl_val v, FILE *f)
{
	switch (part) {
	case REPORT_PART_HEAD: html_head(v, f); break;
	case REPORT_PART_AREA: html_area(v, f); break;
	case REPORT_PART_CAUSE: html_cause(v, f); break;
	case REPORT_PART_CHANGES: html_changes(v, f); break;
	case REPORT_PART_SERVERS: html_servers(v, f); break;
	case REPORT_PART_TAIL: html_tail(v, f); break;
	}
}
