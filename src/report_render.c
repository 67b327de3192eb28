/*
 * report_render.c - text and HTML layouts of the report; see report_render.h.
 */
#include "report_render.h"

#include <stdlib.h>
#include <string.h>

#include "out.h"
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

static void text_cause(FILE *f, yajl_val c, int n)
{
	yajl_val fs = ytree_get(c, "findings", yajl_t_array);

	fprintf(f, "  %d. ", n);
	out_text(f, ytree_str(c, "title"));
	if (!ytree_true(c, "evident") && !ytree_len(fs)) {
		fprintf(f, ": no evidence in CloudTrail\n");
		return;
	}
	fprintf(f, " [");
	out_upper(f, ytree_str(c, "severity"));
	fprintf(f, "] ");
	out_text(f, ytree_str(c, "first_seen"));
	fprintf(f, " .. ");
	out_text(f, ytree_str(c, "last_seen"));
	fprintf(f, ", %lld events\n", ytree_num(c, "events"));
	for (size_t i = 0; i < ytree_len(fs); i++) {
		fprintf(f, "     - ");
		out_upper(f, ytree_str(ytree_item(fs, i), "severity"));
		fprintf(f, " ");
		out_text(f, ytree_str(ytree_item(fs, i), "summary"));
		fprintf(f, " (");
		out_text(f, ytree_str(ytree_item(fs, i), "first_time"));
		fprintf(f, " .. ");
		out_text(f, ytree_str(ytree_item(fs, i), "last_time"));
		fprintf(f, ")\n");
	}
	for (size_t i = 0; i < ytree_len(ytree_get(c, "policies", yajl_t_array)); i++) {
		yajl_val p = ytree_item(ytree_get(c, "policies", yajl_t_array), i);

		fprintf(f, "     Policy to add to ");
		out_text(f, ytree_str(p, "principal"));
		fprintf(f, ":\n       ");
		print_json(ytree_get(p, "policy", yajl_t_object), f);
		fprintf(f, "\n");
	}
	if (ytree_true(c, "evident")) {
		fprintf(f, "     Next step: ");
		out_text(f, ytree_str(c, "next_step"));
		fprintf(f, "\n");
	}
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

void report_render_text(yajl_val doc, FILE *f)
{
	yajl_val areas = ytree_get(doc, "areas", yajl_t_array);
	yajl_val servers = ytree_get(doc, "source_servers", yajl_t_array);
	yajl_val nv = ytree_get(doc, "not_visible", yajl_t_array);

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
	if (!ytree_len(areas))
		fprintf(f, "\nNo findings and no MGN/DRS activity in the store (run `trailsift scan`).\n");
	for (size_t i = 0; i < ytree_len(areas); i++) {
		yajl_val a = ytree_item(areas, i), cs = ytree_get(a, "causes", yajl_t_array);
		yajl_val ch = ytree_get(a, "settings_changes", yajl_t_array);

		fprintf(f, "\nAccount ");
		out_text(f, ytree_str(a, "account"));
		fprintf(f, ", region ");
		out_text(f, ytree_str(a, "region"));
		fprintf(f, "\n  The evidence points to: ");
		out_text(f, ytree_str(a, "verdict"));
		fprintf(f, "\n\n");
		for (size_t j = 0; j < ytree_len(cs); j++)
			text_cause(f, ytree_item(cs, j), (int)j + 1);
		if (ytree_len(ch)) {
			fprintf(f, "\n  Replication-settings changes (who changed what)\n");
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
		}
	}
	if (ytree_len(servers)) {
		fprintf(f, "\nSource servers (events with findings; all events: trailsift timeline"
			" --source-server ID)\n");
		for (size_t i = 0; i < ytree_len(servers); i++) {
			fprintf(f, "\n");
			timeline_render_text(ytree_item(servers, i), f, 1);
		}
	}
	fprintf(f, "\nNot visible in CloudTrail: check by hand\n");
	for (size_t i = 0; i < ytree_len(nv); i++) {
		yajl_val a0 = ytree_len(areas) ? ytree_item(areas, 0) : NULL;

		fprintf(f, "  - ");
		out_text(f, ytree_str(ytree_item(nv, i), "what"));
		fprintf(f, "\n      ");
		text_check(f, ytree_str(ytree_item(nv, i), "check"), a0 ? ytree_str(a0, "region") : NULL);
		fprintf(f, "\n");
	}
}

/* HTML-escaped text. */
static void hx(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				fputc('?', f);
			else
				fputc(*s, f);
		}
	}
}

static const char *const rule_colors[][2] = {
	{ "ec2-access-denied", "#c0392b" }, { "service-quota", "#8e44ad" },
	{ "api-throttling", "#d68910" }, { "replication-invalid-tags", "#2471a3" },
	{ "staging-network-change", "#117a65" }, { "replication-settings-risk", "#5d6d7e" },
};

static const char *color_of(const char *rule)
{
	for (size_t i = 0; i < sizeof(rule_colors) / sizeof(rule_colors[0]); i++)
		if (rule && !strcmp(rule, rule_colors[i][0]))
			return rule_colors[i][1];
	return "#7f8c8d";
}

/*
 * The timeline: one stacked bar per hour that has finding events, coloured
 * by rule. Hours without events are left out (the label under each bar says
 * which hour it is), so a sparse week stays readable.
 */
static void html_chart(yajl_val tl, FILE *f)
{
	size_t n = ytree_len(tl), bars = 0, i = 0;
	long long top = 1;
	const int bar_w = 26, h = 160, left = 40;

	if (!n) {
		fprintf(f, "<p>No findings to chart.</p>\n");
		return;
	}
	/* the tallest hour sets the scale */
	for (size_t j = 0; j < n; bars++) {
		const char *hour = ytree_str(ytree_item(tl, j), "hour");
		long long sum = 0;

		for (; j < n && !strcmp(ytree_str(ytree_item(tl, j), "hour"), hour); j++)
			sum += ytree_num(ytree_item(tl, j), "events");
		if (sum > top)
			top = sum;
	}
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"finding events per hour by rule\""
		" width=\"%zu\" height=\"%d\" viewBox=\"0 0 %zu %d\">\n",
		left + bars * (size_t)bar_w + 10, h + 90, left + bars * (size_t)bar_w + 10, h + 90);
	fprintf(f, "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>\n", left - 2, left - 2, h + 10);
	fprintf(f, "<text x=\"2\" y=\"18\" font-size=\"11\">%lld</text><text x=\"2\" y=\"%d\" font-size=\"11\">0</text>\n",
		top, h + 10);
	for (size_t b = 0; i < n; b++) {
		const char *hour = ytree_str(ytree_item(tl, i), "hour");
		double y = h + 10;
		int x = left + (int)b * bar_w;

		for (; i < n && !strcmp(ytree_str(ytree_item(tl, i), "hour"), hour); i++) {
			long long v = ytree_num(ytree_item(tl, i), "events");
			double bh = (double)v * h / (double)top;

			y -= bh;
			fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"><title>",
				x, y, bar_w - 4, bh, color_of(ytree_str(ytree_item(tl, i), "rule")));
			hx(f, hour);
			fprintf(f, " ");
			hx(f, ytree_str(ytree_item(tl, i), "rule"));
			fprintf(f, ": %lld</title></rect>\n", v);
		}
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" transform=\"rotate(60 %d %d)\">", x + 4,
			h + 16, x + 4, h + 16);
		hx(f, strlen(hour) > 16 ? hour + 5 : hour); /* "11-04T12:00" */
		fprintf(f, "</text>\n");
	}
	fprintf(f, "</svg>\n<p class=\"legend\">");
	for (size_t k = 0; k < sizeof(rule_colors) / sizeof(rule_colors[0]); k++)
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

static void html_cause(FILE *f, yajl_val c)
{
	yajl_val fs = ytree_get(c, "findings", yajl_t_array), ps = ytree_get(c, "policies", yajl_t_array);

	fprintf(f, "<h3>");
	hx(f, ytree_str(c, "title"));
	if (!ytree_true(c, "evident") && !ytree_len(fs)) {
		fprintf(f, ": <span class=\"none\">no evidence in CloudTrail</span></h3>\n");
		return;
	}
	fprintf(f, " <span class=\"sev %s\">", sev_class(ytree_str(c, "severity")));
	hx(f, ytree_str(c, "severity"));
	fprintf(f, "</span></h3>\n<p>");
	hx(f, ytree_str(c, "first_seen"));
	fprintf(f, " .. ");
	hx(f, ytree_str(c, "last_seen"));
	fprintf(f, ", %lld events</p>\n<ul>\n", ytree_num(c, "events"));
	for (size_t i = 0; i < ytree_len(fs); i++) {
		yajl_val x = ytree_item(fs, i);

		fprintf(f, "<li><span class=\"sev %s\">", sev_class(ytree_str(x, "severity")));
		hx(f, ytree_str(x, "severity"));
		fprintf(f, "</span> ");
		hx(f, ytree_str(x, "summary"));
		fprintf(f, " <small>(");
		hx(f, ytree_str(x, "first_time"));
		fprintf(f, " .. ");
		hx(f, ytree_str(x, "last_time"));
		fprintf(f, ", first event <code>");
		hx(f, ytree_str(x, "event_id"));
		fprintf(f, "</code>)</small></li>\n");
	}
	fprintf(f, "</ul>\n");
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
	"text-align:left;vertical-align:top;overflow-wrap:anywhere}";

/* An HTML id for a source server: its id with anything but [A-Za-z0-9_-] replaced. */
static void anchor(FILE *f, const char *id)
{
	fputs("server-", f);
	for (; id && *id; id++)
		fputc((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z') || (*id >= '0' && *id <= '9') ||
		      *id == '-' || *id == '_' ? *id : '_', f);
}

/* The source servers: links to one anchored timeline each. */
static void html_servers(yajl_val servers, FILE *f)
{
	if (!ytree_len(servers))
		return;
	fprintf(f, "<h2>Source servers</h2>\n<ul>\n");
	for (size_t i = 0; i < ytree_len(servers); i++) {
		yajl_val s = ytree_item(servers, i);

		fprintf(f, "<li><a href=\"#");
		anchor(f, ytree_str(s, "source_server_id"));
		fprintf(f, "\">");
		hx(f, ytree_str(s, "source_server_id"));
		fprintf(f, "</a>: %lld events, %lld findings", ytree_num(s, "event_count"), ytree_num(s, "findings"));
		if (ytree_str(s, "worst_severity")) {
			fprintf(f, " <span class=\"sev %s\">", sev_class(ytree_str(s, "worst_severity")));
			hx(f, ytree_str(s, "worst_severity"));
			fprintf(f, "</span>");
		}
		fprintf(f, "</li>\n");
	}
	fprintf(f, "</ul>\n");
	for (size_t i = 0; i < ytree_len(servers); i++) {
		yajl_val s = ytree_item(servers, i), evs = ytree_get(s, "events", yajl_t_array);

		fprintf(f, "<h3 id=\"");
		anchor(f, ytree_str(s, "source_server_id"));
		fprintf(f, "\">Timeline of ");
		hx(f, ytree_str(s, "source_server_id"));
		fprintf(f, "</h3>\n<table><tr><th>time</th><th>call</th><th>who</th><th>result</th>"
			"<th>findings</th></tr>\n");
		for (size_t j = 0; j < ytree_len(evs); j++) {
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

				fprintf(f, "%s<span class=\"sev %s\">", k ? "<br>" : "", sev_class(ytree_str(x, "severity")));
				hx(f, ytree_str(x, "severity"));
				fprintf(f, "</span> ");
				hx(f, ytree_str(x, "rule"));
				fprintf(f, ": ");
				hx(f, ytree_str(x, "summary"));
			}
			fprintf(f, "</td></tr>\n");
		}
		fprintf(f, "</table>\n");
	}
}

void report_render_html(yajl_val doc, FILE *f)
{
	yajl_val areas = ytree_get(doc, "areas", yajl_t_array);
	yajl_val nv = ytree_get(doc, "not_visible", yajl_t_array);
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
	for (size_t i = 0; i < ytree_len(areas); i++) {
		yajl_val a = ytree_item(areas, i), cs = ytree_get(a, "causes", yajl_t_array);
		yajl_val ch = ytree_get(a, "settings_changes", yajl_t_array);

		fprintf(f, "<h2>Account ");
		hx(f, ytree_str(a, "account"));
		fprintf(f, ", region ");
		hx(f, ytree_str(a, "region"));
		fprintf(f, "</h2>\n<p class=\"verdict\"><b>The evidence points to:</b> ");
		hx(f, ytree_str(a, "verdict"));
		fprintf(f, "</p>\n");
		for (size_t j = 0; j < ytree_len(cs); j++)
			html_cause(f, ytree_item(cs, j));
		if (ytree_len(ch)) {
			fprintf(f, "<h3>Replication-settings changes</h3>\n<table><tr><th>time</th><th>who</th>"
				"<th>call</th><th>source server</th><th>result</th></tr>\n");
			for (size_t j = 0; j < ytree_len(ch); j++) {
				yajl_val c = ytree_item(ch, j);

				fprintf(f, "<tr><td>");
				hx(f, ytree_str(c, "time"));
				fprintf(f, "</td><td>");
				hx(f, ytree_str(c, "who"));
				fprintf(f, "</td><td>");
				hx(f, ytree_str(c, "api"));
				fprintf(f, "</td><td>");
				hx(f, ytree_str(c, "source_server_id"));
				fprintf(f, "</td><td>");
				hx(f, ytree_str(c, "error_code") ? ytree_str(c, "error_code") : "ok");
				if (ytree_str(c, "finding")) {
					fprintf(f, "<br><span class=\"sev %s\">", sev_class(ytree_str(c, "finding_severity")));
					hx(f, ytree_str(c, "finding_severity"));
					fprintf(f, "</span> ");
					hx(f, ytree_str(c, "finding"));
				}
				fprintf(f, "</td></tr>\n");
			}
			fprintf(f, "</table>\n");
		}
	}
	html_servers(ytree_get(doc, "source_servers", yajl_t_array), f);
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
