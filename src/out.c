/*
 * out.c - table, CSV and JSON Lines output; see out.h.
 *
 * A table needs column widths before its first line; they are taken from
 * the first TABLE_SAMPLE rows, and later rows are cut to fit, so a query
 * of a million rows prints in constant memory.
 */
#include "out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonw.h"
#include "msg.h"

#define TABLE_SAMPLE 1000
#define TABLE_MAX_WIDTH 60

struct out {
	FILE *f;
	enum out_format fmt;
	int ncol;
	char **columns;
	/* table only */
	char ***held;       /* rendered cells of the sampled rows */
	size_t nheld;
	size_t *width;      /* display width of each column */
	int header_done;
};

int out_parse_format(const char *s, enum out_format *f)
{
	if (!strcmp(s, "table") || !strcmp(s, "text"))
		*f = OUT_TABLE;
	else if (!strcmp(s, "csv"))
		*f = OUT_CSV;
	else if (!strcmp(s, "json"))
		*f = OUT_JSON;
	else
		return -1;
	return 0;
}

/* Length of the UTF-8 sequence that starts with byte c (1 for junk). */
static size_t utf8_len(unsigned char c)
{
	return c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf8 ? 4 : 1;
}

int out_is_control(const unsigned char *s, size_t n)
{
	if (s[0] < 0x20 || s[0] == 0x7f)
		return 1;
	if (n >= 2 && s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
		return 1;
	/* U+2028/2029 and the bidi overrides U+202A..U+202E, U+2066..U+2069 */
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 && s[2] >= 0xa8 && s[2] <= 0xae)
		return 1;
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9)
		return 1;
	return 0;
}

void out_safe_text(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		size_t n = utf8_valid(p, (size_t)(end - p));

		if (!n) { /* a byte that is not UTF-8 could hide a control from out_is_control() */
			fputc('?', f);
			p++;
			continue;
		}
		if (out_is_control(p, n))
			fputc(*p == '\n' || *p == '\t' || *p == '\r' ? ' ' : '?', f);
		else
			fwrite(p, 1, n, f);
		p += n;
	}
}

void out_text(FILE *f, const char *s)
{
	if (!s)
		s = "-";
	out_safe_text(f, s, strlen(s));
}

void out_upper(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc(*s >= 'a' && *s <= 'z' ? *s - 32 : *s, f);
}

void out_json_string(FILE *f, const char *s, size_t len)
{
	struct buf b;

	/* jsonw.c's quoting: one escaper for JSON, which also mends bad UTF-8 */
	buf_init(&b, 6 * len + 3);
	json_quote(&b, s, len);
	fwrite(b.data, 1, b.len, f);
	buf_release(&b);
}

void out_csv_field(FILE *f, const char *s, size_t len)
{
	int defuse = len && strchr("=+-@\t\r", s[0]);
	int quote = defuse || memchr(s, ',', len) || memchr(s, '"', len) ||
		    memchr(s, '\n', len) || memchr(s, '\r', len) ||
		    (len && (s[0] == ' ' || s[len - 1] == ' '));

	if (!quote) {
		fwrite(s, 1, len, f);
		return;
	}
	fputc('"', f);
	if (defuse)
		fputc('\'', f);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
	}
	fputc('"', f);
}

/* Renders a cell as text for the table and CSV forms. */
static char *cell_text(const struct out_cell *c)
{
	struct buf b;

	buf_init(&b, (size_t)1 << 31);
	switch (c->type) {
	case OUT_NULL:
		break;
	case OUT_INT:
		buf_addf(&b, "%lld", c->i);
		break;
	case OUT_REAL:
		buf_addf(&b, "%.15g", c->d);
		break;
	case OUT_TEXT:
	case OUT_RAW_JSON:
		buf_add(&b, c->text, c->len);
		break;
	}
	return buf_detach(&b, NULL);
}

struct out *out_begin(FILE *f, enum out_format fmt, const char *const *columns, int ncol)
{
	struct out *o = xcalloc(1, sizeof(*o));

	o->f = f;
	o->fmt = fmt;
	o->ncol = ncol;
	o->columns = xcalloc((size_t)ncol, sizeof(*o->columns));
	for (int i = 0; i < ncol; i++)
		o->columns[i] = xstrdup(columns[i]);
	if (fmt == OUT_CSV) {
		for (int i = 0; i < ncol; i++) {
			if (i)
				fputc(',', f);
			if (ncol == 1 && !columns[i][0])
				fputs("\"\"", f); /* see out_row() */
			else
				out_csv_field(f, columns[i], strlen(columns[i]));
		}
		fputc('\n', f);
	} else if (fmt == OUT_TABLE) {
		o->held = xcalloc(TABLE_SAMPLE, sizeof(*o->held));
		o->width = xcalloc((size_t)ncol, sizeof(*o->width));
	}
	return o;
}

/* Display width: code points, which is close enough for aligned columns. */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* Prints s padded or cut to width w. */
static void table_cell(FILE *f, const char *s, size_t w, int last)
{
	size_t len = strlen(s), used = 0, i = 0;

	while (i < len) {
		size_t n = utf8_len((unsigned char)s[i]);

		if (used + 1 == w && text_width(s + i) > 1) {
			fputs("\xe2\x80\xa6", f); /* an ellipsis marks the cut */
			used++;
			break;
		}
		if (used == w)
			break;
		if (n > len - i)
			n = len - i;
		out_safe_text(f, s + i, n);
		used++;
		i += n;
	}
	if (!last)
		for (; used < w + 2; used++)
			fputc(' ', f);
}

static void table_line(struct out *o, char *const *cells)
{
	for (int i = 0; i < o->ncol; i++)
		table_cell(o->f, cells[i], o->width[i], i == o->ncol - 1);
	fputc('\n', o->f);
}

static void table_flush_header(struct out *o)
{
	if (o->header_done)
		return;
	o->header_done = 1;
	for (int i = 0; i < o->ncol; i++) {
		size_t w = text_width(o->columns[i]);

		if (w > o->width[i])
			o->width[i] = w;
		if (o->width[i] > TABLE_MAX_WIDTH)
			o->width[i] = TABLE_MAX_WIDTH;
	}
	table_line(o, o->columns);
	for (int i = 0; i < o->ncol; i++) {
		for (size_t j = 0; j < o->width[i]; j++)
			fputc('-', o->f);
		if (i < o->ncol - 1)
			fputs("  ", o->f);
	}
	fputc('\n', o->f);
	for (size_t r = 0; r < o->nheld; r++) {
		table_line(o, o->held[r]);
		for (int i = 0; i < o->ncol; i++)
			free(o->held[r][i]);
		free(o->held[r]);
	}
	o->nheld = 0;
}

static void json_row(struct out *o, const struct out_cell *cells)
{
	FILE *f = o->f;

	fputc('{', f);
	for (int i = 0; i < o->ncol; i++) {
		const struct out_cell *c = &cells[i];

		if (i)
			fputc(',', f);
		out_json_string(f, o->columns[i], strlen(o->columns[i]));
		fputc(':', f);
		switch (c->type) {
		case OUT_NULL: fputs("null", f); break;
		case OUT_INT: fprintf(f, "%lld", c->i); break;
		case OUT_REAL:
			if (isfinite(c->d))
				fprintf(f, "%.17g", c->d);
			else
				fputs("null", f);
			break;
		case OUT_TEXT: out_json_string(f, c->text, c->len); break;
		case OUT_RAW_JSON: fwrite(c->text, 1, c->len, f); break;
		}
	}
	fputs("}\n", f);
}

void out_row(struct out *o, const struct out_cell *cells)
{
	if (o->fmt == OUT_JSON) {
		json_row(o, cells);
	} else if (o->fmt == OUT_CSV) {
		for (int i = 0; i < o->ncol; i++) {
			char *t = cell_text(&cells[i]);

			if (i)
				fputc(',', o->f);
			/* a lone empty field is quoted: CSV readers take an empty line for no field */
			if (o->ncol == 1 && !t[0])
				fputs("\"\"", o->f);
			else if (cells[i].type == OUT_TEXT || cells[i].type == OUT_RAW_JSON)
				out_csv_field(o->f, t, strlen(t));
			else
				fputs(t, o->f);
			free(t);
		}
		fputc('\n', o->f);
	} else {
		char **row = xcalloc((size_t)o->ncol, sizeof(*row));

		for (int i = 0; i < o->ncol; i++)
			row[i] = cell_text(&cells[i]);
		if (!o->header_done) {
			for (int i = 0; i < o->ncol; i++) {
				size_t w = text_width(row[i]);

				if (w > o->width[i])
					o->width[i] = w;
			}
			o->held[o->nheld++] = row;
			if (o->nheld == TABLE_SAMPLE)
				table_flush_header(o);
			return;
		}
		table_line(o, row);
		for (int i = 0; i < o->ncol; i++)
			free(row[i]);
		free(row);
	}
}

void out_end(struct out *o)
{
	if (o->fmt == OUT_TABLE) {
		table_flush_header(o);
		free(o->held);
		free(o->width);
	}
	for (int i = 0; i < o->ncol; i++)
		free(o->columns[i]);
	free(o->columns);
	free(o);
}
