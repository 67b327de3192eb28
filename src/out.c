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
#include "safetext.h"

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

void out_safe_text(FILE *f, const char *s, size_t len)
{
	safe_text_file(f, s, len, SAFE_SPACES);
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

/* The scratch buffer the JSON form escapes into: one for the program's life. */
static struct buf *json_scratch(void)
{
	static struct buf b;
	static int ready;

	if (!ready) {
		buf_init(&b, (size_t)1 << 31);
		ready = 1;
	}
	buf_reset(&b);
	return &b;
}

void out_json_string(FILE *f, const char *s, size_t len)
{
	struct buf *b = json_scratch();

	json_quote(b, s, len);
	fwrite(b->data, 1, b->len, f);
}

/* Writes stored JSON text (a finding's details) with json_safe_raw()'s guarantees. */
static void out_json_raw(FILE *f, const char *s, size_t len)
{
	struct buf *b = json_scratch();

	json_safe_raw(b, s, len);
	fwrite(b->data, 1, b->len, f);
}

/*
 * Would a spreadsheet run this cell as a formula? It does for a leading
 * = + - @ (tab and CR too, which some strip first), also after spaces.
 */
static int formula_like(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && s[i] == ' ')
		i++;
	return i < len && strchr("=+-@\t\r", s[i]) && s[i];
}

/*
 * Must this cell be quoted? Not only for a comma: a spreadsheet whose
 * locale separates with ';', or that splits pasted text on tabs, would
 * otherwise cut the cell there and read what follows as a new cell (which
 * may then be a formula).
 */
static int csv_needs_quotes(const char *s, size_t len)
{
	for (const char *sep = ",;\"\t\r\n"; *sep; sep++)
		if (memchr(s, *sep, len))
			return 1;
	return len && (s[0] == ' ' || s[len - 1] == ' ');
}

void out_csv_field(FILE *f, const char *s, size_t len)
{
	int defuse = formula_like(s, len);
	int quote = defuse || csv_needs_quotes(s, len);

	if (quote)
		fputc('"', f);
	if (defuse)
		fputc('\'', f);
	for (size_t i = 0, start = 0; i <= len; i++) {
		if (i < len && s[i] != '"' && s[i] != '\0')
			continue;
		fwrite(s + start, 1, i - start, f);
		start = i + 1;
		if (i < len && s[i] == '"')
			fputs("\"\"", f);
		else if (i < len)
			fputs("\\x00", f); /* visible: a NUL would hide the rest from most readers */
	}
	if (quote)
		fputc('"', f);
}

/*
 * Renders a cell as the table shows it: every character safe for a terminal
 * (safe_char()), so a NUL shows as \x00 with the rest of the value after it.
 */
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
		safe_text_buf(&b, c->text, c->len, SAFE_SPACES);
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
	for (int i = 0; i < ncol; i++) {
		struct out_cell name = { .type = OUT_TEXT, .text = columns[i], .len = strlen(columns[i]) };

		o->columns[i] = fmt == OUT_TABLE ? cell_text(&name) : xstrdup(columns[i]);
	}
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

/* Prints s (cell_text(): safe for a terminal) padded or cut to width w. */
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
		fwrite(s + i, 1, n, f);
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
		case OUT_RAW_JSON: out_json_raw(f, c->text, c->len); break;
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
			if (i)
				fputc(',', o->f);
			/* a lone empty field is quoted: CSV readers take an empty line for no field */
			if (o->ncol == 1 && (cells[i].type == OUT_NULL ||
					     ((cells[i].type == OUT_TEXT || cells[i].type == OUT_RAW_JSON) && !cells[i].len))) {
				fputs("\"\"", o->f);
			} else if (cells[i].type == OUT_TEXT || cells[i].type == OUT_RAW_JSON) {
				out_csv_field(o->f, cells[i].text, cells[i].len);
			} else {
				char *t = cell_text(&cells[i]);

				fputs(t, o->f);
				free(t);
			}
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
