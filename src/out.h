/*
 * out.h - printing rows as an aligned table, CSV or JSON Lines.
 *
 * Every command that prints rows (query, findings, ...) goes through this,
 * so the safety rules hold everywhere: CloudTrail fields are attacker
 * controlled (a failed call can plant any string in errorMessage or
 * userAgent), so the table form shows terminal and bidi control characters
 * as visible escapes (safetext.h; a NUL as \x00, with the rest of the value
 * after it), the JSON form escapes them as \uHHHH and is always valid UTF-8,
 * and the CSV form quotes every cell holding a separator (, ; tab CR LF) and
 * defuses cells a spreadsheet would run as a formula (a leading = + - @, tab
 * or CR, also after spaces, gets a leading apostrophe).
 */
#ifndef TRAILSIFT_OUT_H
#define TRAILSIFT_OUT_H

#include <stdio.h>

enum out_format { OUT_TABLE, OUT_CSV, OUT_JSON };

/* Parses "table", "csv", "json" (and "text" as table). Returns 0 or -1. */
int out_parse_format(const char *s, enum out_format *f);

enum out_type { OUT_NULL, OUT_INT, OUT_REAL, OUT_TEXT, OUT_RAW_JSON };

/* One value. text is not NUL-terminated necessarily; len is its length. */
struct out_cell {
	enum out_type type;
	const char *text;   /* OUT_TEXT, OUT_RAW_JSON (a JSON value emitted as is) */
	size_t len;
	long long i;        /* OUT_INT */
	double d;           /* OUT_REAL */
};

struct out;

/* Starts output of rows with these column names to f. Never NULL. */
struct out *out_begin(FILE *f, enum out_format fmt, const char *const *columns, int ncol);

/* Prints (or, for a table, collects) one row of ncol cells. */
void out_row(struct out *o, const struct out_cell *cells);

/* Flushes a table and frees the writer. */
void out_end(struct out *o);

/* Writes s as a JSON string literal (quotes included; see json_quote()). */
void out_json_string(FILE *f, const char *s, size_t len);

/* Writes s safely for a terminal: safe_char() with tab, CR, LF as spaces. */
void out_safe_text(FILE *f, const char *s, size_t len);

/* out_safe_text() of a C string; NULL prints as "-". */
void out_text(FILE *f, const char *s);

/* Writes s in upper case (ASCII letters), e.g. a severity; NULL prints nothing. */
void out_upper(FILE *f, const char *s);

/* Writes s as one CSV field, quoted as needed and defused; a NUL as \x00. */
void out_csv_field(FILE *f, const char *s, size_t len);

#endif
