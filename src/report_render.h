/*
 * report_render.h - laying out the report document as text or HTML.
 *
 * The document is the JSON report (report.c) parsed with yajl_tree; both
 * renderers read only that, so text, HTML and JSON always agree.
 */
#ifndef TRAILSIFT_REPORT_RENDER_H
#define TRAILSIFT_REPORT_RENDER_H

#include <stdio.h>

#include <yajl/yajl_tree.h>

/* Plain text for a terminal or a ticket; control characters are replaced. */
void report_render_text(yajl_val doc, FILE *f);

/* One self-contained HTML file: inline CSS and an inline SVG timeline, no script, no network. */
void report_render_html(yajl_val doc, FILE *f);

#endif
