/*
 * findings.c - printing findings; see findings.h.
 */
#include "findings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "msg.h"
#include "store.h"

/* The JSON Lines fields, in order; also the CSV and table columns. */
static const char *const json_fields[] = {
	"rule", "severity", "event_id", "event_ids", "first_time", "last_time", "account", "region",
	"principal", "event_source", "event_name", "error_code", "related", "summary", "details",
	"event_count", "finding_id",
};
#define NFIELDS ((int)(sizeof(json_fields) / sizeof(json_fields[0])))


static const char select_sql[] =
	"SELECT rule, severity, event_id, event_ids, first_time, last_time, account, region,"
	" principal, event_source, event_name, error_code, related, summary, details, event_count,"
	" finding_id, severity_rank FROM findings"
	" WHERE severity_rank >= ?1 AND last_time_ms >= ?2 AND updated_scan > ?3"
	" ORDER BY severity_rank DESC, last_time_ms DESC, finding_id";

static int wanted(const struct findings_filter *flt, const char *rule)
{
	if (!flt->rules || !flt->nrules)
		return 1;
	for (int i = 0; i < flt->nrules; i++)
		if (!strcmp(flt->rules[i], rule))
			return 1;
	return 0;
}

static void text_cell(struct out_cell *c, sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL) {
		c->type = OUT_NULL;
	} else if (sqlite3_column_type(st, i) == SQLITE_INTEGER) {
		c->type = OUT_INT;
		c->i = sqlite3_column_int64(st, i);
	} else {
		c->type = OUT_TEXT;
		c->text = (const char *)sqlite3_column_text(st, i);
		c->len = (size_t)sqlite3_column_bytes(st, i);
	}
}

static void row_full(struct out *o, sqlite3_stmt *st, enum out_format fmt)
{
	struct out_cell cells[NFIELDS];

	for (int i = 0; i < NFIELDS; i++)
		text_cell(&cells[i], st, i);
	if (fmt == OUT_JSON) {
		/* event_ids and details are JSON already; related is a boolean */
		cells[3].type = OUT_RAW_JSON;
		cells[14].type = OUT_RAW_JSON;
		cells[12].type = OUT_RAW_JSON;
		cells[12].text = sqlite3_column_int(st, 12) ? "true" : "false";
		cells[12].len = strlen(cells[12].text);
	}
	out_row(o, cells);
}

static void safe(const char *s)
{
	if (s)
		out_safe_text(stdout, s, strlen(s));
}

/*
 * The text form, two lines a finding:
 *   HIGH      ec2-access-denied  111122223333 us-east-1  2026-11-03T23:52:10Z .. ...  16 events  MGN/DRS
 *             ec2:CreateSnapshot denied 16 times to ...: no identity-based policy allows it
 */
static void row_text(sqlite3_stmt *st)
{
	char sev[16];
	size_t i;
	const char *s = (const char *)sqlite3_column_text(st, 1);

	for (i = 0; s && s[i] && i < sizeof(sev) - 1; i++)
		sev[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	sev[i] = '\0';
	printf("%-9s ", sev);
	safe((const char *)sqlite3_column_text(st, 0));
	printf("  ");
	safe((const char *)sqlite3_column_text(st, 6));
	printf(" ");
	safe((const char *)sqlite3_column_text(st, 7));
	printf("  %s .. %s  %lld event%s%s\n          ", sqlite3_column_text(st, 4),
	       sqlite3_column_text(st, 5), sqlite3_column_int64(st, 15),
	       sqlite3_column_int64(st, 15) == 1 ? "" : "s",
	       sqlite3_column_int(st, 12) ? "  MGN/DRS" : "");
	safe((const char *)sqlite3_column_text(st, 13));
	printf("\n");
}

int findings_print(sqlite3 *db, const struct findings_filter *flt, enum out_format fmt,
		   long *count, int *worst)
{
	sqlite3_stmt *st = store_prepare(db, select_sql);
	struct out *o;
	long n = 0;
	int rc, top = -1;

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, (int)flt->min_severity);
	sqlite3_bind_int64(st, 2, flt->since_ms);
	sqlite3_bind_int64(st, 3, flt->after_scan);
	o = fmt == OUT_TABLE ? NULL : out_begin(stdout, fmt, json_fields, NFIELDS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!wanted(flt, (const char *)sqlite3_column_text(st, 0)))
			continue;
		if (flt->max_printed && n >= flt->max_printed)
			; /* counted, not printed */
		else if (fmt == OUT_TABLE)
			row_text(st);
		else
			row_full(o, st, fmt);
		if (sqlite3_column_int(st, 17) > top)
			top = sqlite3_column_int(st, 17);
		n++;
	}
	if (o)
		out_end(o);
	sqlite3_finalize(st);
	if (count)
		*count = n;
	if (worst)
		*worst = top;
	if (rc != SQLITE_DONE)
		return error("findings: %s", sqlite3_errmsg(db));
	return 0;
}
