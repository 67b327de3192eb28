/*
 * report_render.h - laying out the report's parts as text or HTML.
 *
 * The report (report.c) is built part by part as JSON; each part is parsed
 * with yajl_tree and handed here as soon as it is built, so text, HTML and
 * JSON always agree and output starts before the whole report is known.
 * The parts come in this order: the head, the areas (one per account and
 * region), the causes (one each, over all areas), the settings changes,
 * the source servers, the tail (which ends the HTML document).
 */
#ifndef TRAILSIFT_REPORT_RENDER_H
#define TRAILSIFT_REPORT_RENDER_H

#include <stdio.h>

#include <yajl/yajl_tree.h>

enum report_part {
	REPORT_PART_HEAD,     /* store, span, generated_at, empty, timeline (the chart) */
	REPORT_PART_AREA,     /* one account and region: verdict, causes with their totals */
	REPORT_PART_CAUSE,    /* one cause over all areas: totals, worst_findings, policies */
	REPORT_PART_CHANGES,  /* settings_changes (the first few), settings_change_count */
	REPORT_PART_SERVERS,  /* source_servers (the first few), source_server_count */
	REPORT_PART_TAIL,     /* not_visible, region (to fill into its commands) */
};

/* Plain text for a terminal or a ticket; control characters are replaced. */
void report_render_text(enum report_part part, yajl_val v, FILE *f);

/* One self-contained HTML file: inline CSS and an inline SVG timeline, no script, no network. */
void report_render_html(enum report_part part, yajl_val v, FILE *f);

#endif
