/*
 * fuzz_out.c - the row writers (out.c): table, CSV and JSON Lines.
 *
 * Input: one byte for the format and column count, then cells, each a type
 * byte and a text ended by a 0xff byte (0xff never occurs in UTF-8). The
 * rows are written to a memory file and checked:
 *   JSON  every line parses (yajl, UTF-8 checked) and is an object;
 *   CSV   read back the way Python's csv module reads it, every row has its
 *         cells, equal to what went in (a defused cell with its apostrophe);
 *   table no character a terminal acts on: decoded as UTF-8, no C0 (but the
 *         line ends), DEL, C1, U+2028..U+202E or U+2066..U+2069.
 * A NUL byte in a text is out of bounds: the store's text is SQLite TEXT
 * read as a C string by the callers, so the harness cuts texts at a NUL.
 */
#include <string.h>

#include "fuzz.h"
#include "out.h"

#define MAX_COLS 4
#define MAX_CELLS 64

static const char *const columns[MAX_COLS] = { "event_id", "error code", "n", "=x" };

/* The text of cell c as the CSV form must give it back. */
/*
 * What a CSV reader must get back for text t: a formula defused with a
 * leading quote (a spreadsheet runs = + - @ TAB CR, also after spaces), a NUL
 * shown as \x00 (it would hide the rest of the value).
 */
static char *csv_expected_text(const char *t, size_t len)
{
	char *s = malloc(4 * len + 2), *o = s;
	size_t i = 0;

	if (!s)
		abort();
	while (i < len && t[i] == ' ')
		i++;
	if (i < len && t[i] && strchr("=+-@\t\r", t[i]))
		*o++ = '\'';
	for (i = 0; i < len; i++) {
		if (t[i]) {
			*o++ = t[i];
		} else {
			memcpy(o, "\\x00", 4);
			o += 4;
		}
	}
	*o = '\0';
	return s;
}

/* What a CSV reader must get back for cell c. */
static char *csv_expected(const struct out_cell *c)
{
	char num[64];

	switch (c->type) {
	case OUT_INT: snprintf(num, sizeof(num), "%lld", c->i); return fuzz_strndup(num, strlen(num));
	case OUT_TEXT: return csv_expected_text(c->text, c->len);
	default: return fuzz_strndup("", 0);
	}
}

/*
 * Reads one CSV field at *p as Python's csv reader (excel dialect) does,
 * into out; sets *end to the character that ended it (',', '\n' or '\0').
 */
static size_t csv_field(const char **p, char *out, int *end)
{
	const char *s = *p;
	size_t n = 0;

	if (*s == '"') {
		for (s++;;) {
			FUZZ_CHECK(*s, "an unterminated quoted CSV field");
			if (*s == '"' && s[1] == '"') {
				out[n++] = '"';
				s += 2;
			} else if (*s == '"') {
				s++;
				break;
			} else {
				out[n++] = *s++;
			}
		}
		FUZZ_CHECK(*s == ',' || *s == '\n' || (*s == '\r' && s[1] == '\n'),
			   "text after a closing quote: '%.20s'", s);
	} else {
		while (*s && *s != ',' && *s != '\n' && *s != '\r')
			out[n++] = *s++;
		FUZZ_CHECK(*s != '\r' || s[1] == '\n', "a bare CR in an unquoted CSV field");
	}
	if (*s == '\r')
		s++;
	*end = *s;
	*p = *s ? s + 1 : s;
	out[n] = '\0';
	return n;
}

static void check_csv(const char *text, int ncol, const struct out_cell *cells, int nrows)
{
	const char *p = text;
	char *field = malloc(strlen(text) + 1);

	if (!field)
		abort();
	for (int r = -1; r < nrows; r++) {
		int end = 0, got = 0;

		FUZZ_CHECK(*p, "CSV row %d missing", r);
		if (*p == '\n') { /* Python reads an empty line as a row of no fields */
			FUZZ_CHECK(0, "CSV row %d is an empty line: [] for Python, not %d cells", r, ncol);
		}
		do {
			char *want;

			csv_field(&p, field, &end);
			FUZZ_CHECK(got < ncol, "CSV row %d has more than %d cells", r, ncol);
			want = r < 0 ? csv_expected_text(columns[got], strlen(columns[got]))
				     : csv_expected(&cells[r * ncol + got]);
			FUZZ_CHECK(!strcmp(field, want), "CSV row %d cell %d: '%s', not '%s'", r, got, field,
				   want);
			free(want);
			got++;
		} while (end == ',');
		FUZZ_CHECK(end == '\n', "CSV row %d does not end with a newline", r);
		FUZZ_CHECK(got == ncol, "CSV row %d has %d cells, not %d", r, got, ncol);
	}
	FUZZ_CHECK(*p == '\0', "text after the last CSV row");
	free(field);
}

static void check_json(const char *text)
{
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');

		FUZZ_CHECK(nl, "a JSON line without its newline");
		FUZZ_CHECK(*line == '{', "a JSON line that is no object");
		fuzz_check_json("JSON line", line, (size_t)(nl - line));
		line = nl + 1;
	}
}

static void check_table(const char *text, size_t len)
{
	long at = fuzz_find_control(text, len, "\n");

	FUZZ_CHECK(at < 0, "a control character in the table at byte %ld", at);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	unsigned shape = fuzz_byte(&in);
	enum out_format fmt = (enum out_format)(shape % 3);
	int ncol = (int)(shape / 3 % MAX_COLS) + 1, ncells = 0;
	struct out_cell cells[MAX_CELLS];
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	struct out *o;

	while (in.n && ncells < MAX_CELLS) {
		struct out_cell *c = &cells[ncells++];
		unsigned long long u = 0;
		unsigned type = fuzz_byte(&in) % 4;
		size_t n;
		const char *s = fuzz_field(&in, 0xff, &n);

		memset(c, 0, sizeof(*c));
		c->type = type == 0 ? OUT_NULL : type == 1 ? OUT_INT : OUT_TEXT;
		c->text = s;
		c->len = memchr(s, '\0', n) ? (size_t)((const char *)memchr(s, '\0', n) - s) : n;
		for (size_t i = 0; i < n && i < 8; i++)
			u = u << 8 | (unsigned char)s[i];
		c->i = (long long)u;
		c->d = (double)c->i / 7.0;
	}
	ncells -= ncells % ncol;
	f = open_memstream(&text, &len);
	if (!f)
		abort();
	o = out_begin(f, fmt, columns, ncol);
	for (int r = 0; r < ncells; r += ncol)
		out_row(o, &cells[r]);
	out_end(o);
	fclose(f);
	if (fmt == OUT_JSON)
		check_json(text);
	else if (fmt == OUT_CSV)
		check_csv(text, ncol, cells, ncells / ncol);
	else
		check_table(text, len);
	free(text);
	return 0;
}
