/*
 * report.h - the diagnosis report: why is MGN/DRS replication stuck?
 *
 * The report is built once as a JSON document (the `json` format, a
 * contract for scripts) and the text and HTML forms are rendered from that
 * document, so the three never disagree.
 */
#ifndef TRAILSIFT_REPORT_H
#define TRAILSIFT_REPORT_H

#include <sqlite3.h>
#include <stdio.h>

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_HTML };

/*
 * Writes the report of the findings whose last event is at or after
 * since_ms (0: all) to f. Returns 0 or -1 (printed).
 */
int report_write(sqlite3 *db, const char *store_path, long long since_ms, enum report_format fmt,
		 FILE *f);

#endif
