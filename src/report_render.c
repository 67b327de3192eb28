/*
 * report_render.c - text and HTML layouts of the report; see report_render.h.
 */
#include "report_render.h"

#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "timeline.h"

static yajl_val get(yajl_val v, const char *key, yajl_type t)
{
	const char *path[] = { key, NULL };

	return v ? yajl_tree_get(v, path, t) : NULL;
}

static const char *str(yajl_val v, const char *key)
{
	yajl_val s = get(v, key, yajl_t_string);

	return s ? YAJL_GET_STRING(s) : NULL;
}

static long long num(yajl_val v, const char *key)
{
	yajl_val n = get(v, key, yajl_t_number);

	return n && YAJL_IS_INTEGER(n) ? YAJL_GET_INTEGER(n) : 0;
}

static int truth(yajl_val v, const char *key)
{
	return get(v, key, yajl_t_true) != NULL;
}

static size_t count(yajl_val arr)
{
	return arr && YAJL_IS_ARRAY(arr) ? arr->u.array.len : 0;
}

static yajl_val item(yajl_val arr, size_t i)
{
	return arr->u.array.values[i];
}

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

/* Text with terminal control characters replaced; NULL prints as "-". */
static void tx(FILE *f, const char *s)
{
	if (!s)
		s = "-";
	out_safe_text(f, s, strlen(s));
}

static void upper(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc(*s >= 'a' && *s <= 'z' ? *s - 32 : *s, f);
}

/* The checks by hand, with the area's region filled in. */
static void text_check(FILE *f, const char *check, const char *region)
{
	const char *p = check;

	for (const char *q; (q = strstr(p, "REGION")); p = q + 6) {
		out_safe_text(f, p, (size_t)(q - p));
		tx(f, region ? region : "REGION");
	}
	tx(f, p);
}

static void text_cause(FILE *f, yajl_val c, int n)
{
	yajl_val fs = get(c, "findings", yajl_t_array);

	fprintf(f, "  %d. ", n);
	tx(f, str(c, "title"));
	if (!truth(c, "evident") && !count(fs)) {
		fprintf(f, ": no evidence in CloudTrail\n");
		return;
	}
	fprintf(f, " [");
	upper(f, str(c, "severity"));
	fprintf(f, "] ");
	tx(f, str(c, "first_seen"));
	fprintf(f, " .. ");
	tx(f, str(c, "last_seen"));
	fprintf(f, ", %lld events\n", num(c, "events"));
	for (size_t i = 0; i < count(fs); i++) {
		fprintf(f, "     - ");
		upper(f, str(item(fs, i), "severity"));
		fprintf(f, " ");
		tx(f, str(item(fs, i), "summary"));
		fprintf(f, " (");
		tx(f, str(item(fs, i), "first_time"));
		fprintf(f, " .. ");
		tx(f, str(item(fs, i), "last_time"));
		fprintf(f, ")\n");
	}
	for (size_t i = 0; i < count(get(c, "policies", yajl_t_array)); i++) {
		yajl_val p = item(get(c, "policies", yajl_t_array), i);

		fprintf(f, "     Policy to add to ");
		tx(f, str(p, "principal"));
		fprintf(f, ":\n       ");
		print_json(get(p, "policy", yajl_t_object), f);
		fprintf(f, "\n");
	}
	if (truth(c, "evident")) {
		fprintf(f, "     Next step: ");
		tx(f, str(c, "next_step"));
		fprintf(f, "\n");
	}
}

void report_render_text(yajl_val doc, FILE *f)
{
	yajl_val areas = get(doc, "areas", yajl_t_array);
	yajl_val servers = get(doc, "source_servers", yajl_t_array);
	yajl_val nv = get(doc, "not_visible", yajl_t_array);

	fprintf(f, "trailsift diagnosis report: why is MGN/DRS replication stuck?\n");
	fprintf(f, "Store ");
	tx(f, str(doc, "store"));
	fprintf(f, ": %lld events, ", num(doc, "events"));
	tx(f, str(doc, "first_event"));
	fprintf(f, " .. ");
	tx(f, str(doc, "last_event"));
	fprintf(f, "; last scan ");
	tx(f, str(doc, "last_scan"));
	fprintf(f, "; generated ");
	tx(f, str(doc, "generated_at"));
	fprintf(f, "\n");
	if (!count(areas))
		fprintf(f, "\nNo findings and no MGN/DRS activity in the store (run `trailsift scan`).\n");
	for (size_t i = 0; i < count(areas); i++) {
		yajl_val a = item(areas, i), cs = get(a, "causes", yajl_t_array);
		yajl_val ch = get(a, "settings_changes", yajl_t_array);

		fprintf(f, "\nAccount ");
		tx(f, str(a, "account"));
		fprintf(f, ", region ");
		tx(f, str(a, "region"));
		fprintf(f, "\n  The evidence points to: ");
		tx(f, str(a, "verdict"));
		fprintf(f, "\n\n");
		for (size_t j = 0; j < count(cs); j++)
			text_cause(f, item(cs, j), (int)j + 1);
		if (count(ch)) {
			fprintf(f, "\n  Replication-settings changes (who changed what)\n");
			for (size_t j = 0; j < count(ch); j++) {
				yajl_val c = item(ch, j);

				fprintf(f, "     ");
				tx(f, str(c, "time"));
				fprintf(f, "  ");
				tx(f, str(c, "who"));
				fprintf(f, "  ");
				tx(f, str(c, "api"));
				if (str(c, "source_server_id")) {
					fprintf(f, " ");
					tx(f, str(c, "source_server_id"));
				}
				if (str(c, "error_code")) {
					fprintf(f, "  failed: ");
					tx(f, str(c, "error_code"));
				}
				if (str(c, "finding")) {
					fprintf(f, "\n       [");
					upper(f, str(c, "finding_severity"));
					fprintf(f, "] ");
					tx(f, str(c, "finding"));
				}
				fprintf(f, "\n");
			}
		}
	}
	if (count(servers)) {
		fprintf(f, "\nSource servers (events with findings; all events: trailsift timeline"
			" --source-server ID)\n");
		for (size_t i = 0; i < count(servers); i++) {
			fprintf(f, "\n");
			timeline_render_text(item(servers, i), f, 1);
		}
	}
	fprintf(f, "\nNot visible in CloudTrail: check by hand\n");
	for (size_t i = 0; i < count(nv); i++) {
		yajl_val a0 = count(areas) ? item(areas, 0) : NULL;

		fprintf(f, "  - ");
		tx(f, str(item(nv, i), "what"));
		fprintf(f, "\n      ");
		text_check(f, str(item(nv, i), "check"), a0 ? str(a0, "region") : NULL);
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
	size_t n = count(tl), bars = 0, i = 0;
	long long top = 1;
	const int bar_w = 26, h = 160, left = 40;

	if (!n) {
		fprintf(f, "<p>No findings to chart.</p>\n");
		return;
	}
	/* the tallest hour sets the scale */
	for (size_t j = 0; j < n; bars++) {
		const char *hour = str(item(tl, j), "hour");
		long long sum = 0;

		for (; j < n && !strcmp(str(item(tl, j), "hour"), hour); j++)
			sum += num(item(tl, j), "events");
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
		const char *hour = str(item(tl, i), "hour");
		double y = h + 10;
		int x = left + (int)b * bar_w;

		for (; i < n && !strcmp(str(item(tl, i), "hour"), hour); i++) {
			long long v = num(item(tl, i), "events");
			double bh = (double)v * h / (double)top;

			y -= bh;
			fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"><title>",
				x, y, bar_w - 4, bh, color_of(str(item(tl, i), "rule")));
			hx(f, hour);
			fprintf(f, " ");
			hx(f, str(item(tl, i), "rule"));
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
	yajl_val fs = get(c, "findings", yajl_t_array), ps = get(c, "policies", yajl_t_array);

	fprintf(f, "<h3>");
	hx(f, str(c, "title"));
	if (!truth(c, "evident") && !count(fs)) {
		fprintf(f, ": <span class=\"none\">no evidence in CloudTrail</span></h3>\n");
		return;
	}
	fprintf(f, " <span class=\"sev %s\">", sev_class(str(c, "severity")));
	hx(f, str(c, "severity"));
	fprintf(f, "</span></h3>\n<p>");
	hx(f, str(c, "first_seen"));
	fprintf(f, " .. ");
	hx(f, str(c, "last_seen"));
	fprintf(f, ", %lld events</p>\n<ul>\n", num(c, "events"));
	for (size_t i = 0; i < count(fs); i++) {
		yajl_val x = item(fs, i);

		fprintf(f, "<li><span class=\"sev %s\">", sev_class(str(x, "severity")));
		hx(f, str(x, "severity"));
		fprintf(f, "</span> ");
		hx(f, str(x, "summary"));
		fprintf(f, " <small>(");
		hx(f, str(x, "first_time"));
		fprintf(f, " .. ");
		hx(f, str(x, "last_time"));
		fprintf(f, ", first event <code>");
		hx(f, str(x, "event_id"));
		fprintf(f, "</code>)</small></li>\n");
	}
	fprintf(f, "</ul>\n");
	for (size_t i = 0; i < count(ps); i++) {
		fprintf(f, "<p>Policy to add to <code>");
		hx(f, str(item(ps, i), "principal"));
		fprintf(f, "</code>:</p>\n<pre>");
		{
			/* print_json writes JSON; escape it for HTML through a memory stream */
			char *text = NULL;
			size_t len = 0;
			FILE *m = open_memstream(&text, &len);

			if (m) {
				print_json(get(item(ps, i), "policy", yajl_t_object), m);
				fclose(m);
				hx(f, text);
				free(text);
			}
		}
		fprintf(f, "</pre>\n");
	}
	if (truth(c, "evident")) {
		fprintf(f, "<p><b>Next step:</b> ");
		hx(f, str(c, "next_step"));
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
	if (!count(servers))
		return;
	fprintf(f, "<h2>Source servers</h2>\n<ul>\n");
	for (size_t i = 0; i < count(servers); i++) {
		yajl_val s = item(servers, i);

		fprintf(f, "<li><a href=\"#");
		anchor(f, str(s, "source_server_id"));
		fprintf(f, "\">");
		hx(f, str(s, "source_server_id"));
		fprintf(f, "</a>: %lld events, %lld findings", num(s, "event_count"), num(s, "findings"));
		if (str(s, "worst_severity")) {
			fprintf(f, " <span class=\"sev %s\">", sev_class(str(s, "worst_severity")));
			hx(f, str(s, "worst_severity"));
			fprintf(f, "</span>");
		}
		fprintf(f, "</li>\n");
	}
	fprintf(f, "</ul>\n");
	for (size_t i = 0; i < count(servers); i++) {
		yajl_val s = item(servers, i), evs = get(s, "events", yajl_t_array);

		fprintf(f, "<h3 id=\"");
		anchor(f, str(s, "source_server_id"));
		fprintf(f, "\">Timeline of ");
		hx(f, str(s, "source_server_id"));
		fprintf(f, "</h3>\n<table><tr><th>time</th><th>call</th><th>who</th><th>result</th>"
			"<th>findings</th></tr>\n");
		for (size_t j = 0; j < count(evs); j++) {
			yajl_val e = item(evs, j), fs = get(e, "findings", yajl_t_array);

			fprintf(f, "<tr><td>");
			hx(f, str(e, "time"));
			fprintf(f, "</td><td>");
			hx(f, str(e, "api"));
			fprintf(f, "</td><td>");
			hx(f, str(e, "who"));
			fprintf(f, "</td><td>");
			hx(f, str(e, "error_code") ? str(e, "error_code") : "ok");
			fprintf(f, "</td><td>");
			for (size_t k = 0; k < count(fs); k++) {
				yajl_val x = item(fs, k);

				fprintf(f, "%s<span class=\"sev %s\">", k ? "<br>" : "", sev_class(str(x, "severity")));
				hx(f, str(x, "severity"));
				fprintf(f, "</span> ");
				hx(f, str(x, "rule"));
				fprintf(f, ": ");
				hx(f, str(x, "summary"));
			}
			fprintf(f, "</td></tr>\n");
		}
		fprintf(f, "</table>\n");
	}
}

void report_render_html(yajl_val doc, FILE *f)
{
	yajl_val areas = get(doc, "areas", yajl_t_array);
	yajl_val nv = get(doc, "not_visible", yajl_t_array);

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>trailsift report</title>\n<style>%s</style></head><body>\n", css);
	fprintf(f, "<h1>Why is MGN/DRS replication stuck? trailsift diagnosis</h1>\n<p>Store <code>");
	hx(f, str(doc, "store"));
	fprintf(f, "</code>: %lld events, ", num(doc, "events"));
	hx(f, str(doc, "first_event"));
	fprintf(f, " .. ");
	hx(f, str(doc, "last_event"));
	fprintf(f, "; generated ");
	hx(f, str(doc, "generated_at"));
	fprintf(f, ".</p>\n<h2>Timeline: finding events per hour, by rule</h2>\n");
	html_chart(get(doc, "timeline", yajl_t_array), f);
	for (size_t i = 0; i < count(areas); i++) {
		yajl_val a = item(areas, i), cs = get(a, "causes", yajl_t_array);
		yajl_val ch = get(a, "settings_changes", yajl_t_array);

		fprintf(f, "<h2>Account ");
		hx(f, str(a, "account"));
		fprintf(f, ", region ");
		hx(f, str(a, "region"));
		fprintf(f, "</h2>\n<p class=\"verdict\"><b>The evidence points to:</b> ");
		hx(f, str(a, "verdict"));
		fprintf(f, "</p>\n");
		for (size_t j = 0; j < count(cs); j++)
			html_cause(f, item(cs, j));
		if (count(ch)) {
			fprintf(f, "<h3>Replication-settings changes</h3>\n<table><tr><th>time</th><th>who</th>"
				"<th>call</th><th>source server</th><th>result</th></tr>\n");
			for (size_t j = 0; j < count(ch); j++) {
				yajl_val c = item(ch, j);

				fprintf(f, "<tr><td>");
				hx(f, str(c, "time"));
				fprintf(f, "</td><td>");
				hx(f, str(c, "who"));
				fprintf(f, "</td><td>");
				hx(f, str(c, "api"));
				fprintf(f, "</td><td>");
				hx(f, str(c, "source_server_id"));
				fprintf(f, "</td><td>");
				hx(f, str(c, "error_code") ? str(c, "error_code") : "ok");
				if (str(c, "finding")) {
					fprintf(f, "<br><span class=\"sev %s\">", sev_class(str(c, "finding_severity")));
					hx(f, str(c, "finding_severity"));
					fprintf(f, "</span> ");
					hx(f, str(c, "finding"));
				}
				fprintf(f, "</td></tr>\n");
			}
			fprintf(f, "</table>\n");
		}
	}
	html_servers(get(doc, "source_servers", yajl_t_array), f);
	fprintf(f, "<h2>Not visible in CloudTrail: check by hand</h2>\n<ul>\n");
	for (size_t i = 0; i < count(nv); i++) {
		fprintf(f, "<li>");
		hx(f, str(item(nv, i), "what"));
		fprintf(f, "<br><code>");
		hx(f, str(item(nv, i), "check"));
		fprintf(f, "</code></li>\n");
	}
	fprintf(f, "</ul>\n</body></html>\n");
}
