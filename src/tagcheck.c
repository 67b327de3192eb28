/*
 * tagcheck.c - tag keys and values that AWS will refuse.
 *
 * Characters are classified by utf8proc_category() alone, so that the
 * answer follows the Unicode tables and not a list we would have to keep;
 * only the eight ASCII punctuation characters AWS adds by name are spelled
 * out. Strings are walked twice: once to count characters (so that a length
 * problem is reported before the character problems it would otherwise be
 * crowded out by), once to find bad characters.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <utf8proc.h>

#include "tagcheck.h"

/* The regex's \p{L}, \p{Z} and \p{N}; every other category is refused. */
static const unsigned char allowed_category[] = {
	[UTF8PROC_CATEGORY_LU] = 1,
	[UTF8PROC_CATEGORY_LL] = 1,
	[UTF8PROC_CATEGORY_LT] = 1,
	[UTF8PROC_CATEGORY_LM] = 1,
	[UTF8PROC_CATEGORY_LO] = 1,
	[UTF8PROC_CATEGORY_ND] = 1,
	[UTF8PROC_CATEGORY_NL] = 1,
	[UTF8PROC_CATEGORY_NO] = 1,
	[UTF8PROC_CATEGORY_ZS] = 1,
	[UTF8PROC_CATEGORY_ZL] = 1,
	[UTF8PROC_CATEGORY_ZP] = 1,
};

/*
 * How tagcheck_describe() shows characters of some categories: marks are
 * named, not shown, because they would combine with the quote around them;
 * the rest are also escaped inside the quoted key, being invisible or
 * line-breaking. Categories absent here are shown as themselves.
 */
static const struct shown_as {
	const char *kind;     /* what to call the character in a message */
	unsigned char escape; /* write it as \uXXXX inside the quoted key */
} shown_as[] = {
	[UTF8PROC_CATEGORY_MN] = { "combining mark", 0 },
	[UTF8PROC_CATEGORY_MC] = { "combining mark", 0 },
	[UTF8PROC_CATEGORY_ME] = { "combining mark", 0 },
	[UTF8PROC_CATEGORY_ZL] = { "line separator", 1 },
	[UTF8PROC_CATEGORY_ZP] = { "paragraph separator", 1 },
	[UTF8PROC_CATEGORY_CC] = { "control character", 1 },
	[UTF8PROC_CATEGORY_CF] = { "format character", 1 },
	[UTF8PROC_CATEGORY_CS] = { "surrogate", 1 },
	[UTF8PROC_CATEGORY_CO] = { "private-use character", 1 },
	[UTF8PROC_CATEGORY_CN] = { "unassigned character", 1 },
};

static const char *const problem_names[] = {
	[TAG_OK] = "ok",
	[TAG_BAD_CHAR] = "bad_char",
	[TAG_KEY_TOO_LONG] = "key_too_long",
	[TAG_VALUE_TOO_LONG] = "value_too_long",
	[TAG_EMPTY_KEY] = "empty_key",
	[TAG_RESERVED_PREFIX] = "reserved_prefix",
	[TAG_BAD_UTF8] = "bad_utf8",
};

/* Characters of a key shown by tagcheck_describe() before "...". */
#define SHOW_KEY_CHARS 64

/*
 * Decodes the character at s[0..len), len > 0. Returns its length in bytes
 * and sets *cp, or returns 0 for bytes that are not UTF-8 (utf8proc refuses
 * overlong forms, surrogates and values past U+10FFFF).
 */
static size_t decode(const char *s, size_t len, long *cp)
{
	utf8proc_int32_t c;
	utf8proc_ssize_t k;

	/* utf8proc never reads more than 4 bytes; this also keeps len in range */
	k = utf8proc_iterate((const utf8proc_uint8_t *)s, len < 4 ? (utf8proc_ssize_t)len : 4, &c);
	if (k <= 0)
		return 0;
	*cp = c;
	return (size_t)k;
}

static utf8proc_category_t category(long cp)
{
	return utf8proc_category((utf8proc_int32_t)cp);
}

/* The display entry of cp's category; kind is NULL for ordinary characters. */
static const struct shown_as *display_of(long cp)
{
	static const struct shown_as plain = { NULL, 0 };
	size_t cat = (size_t)category(cp);

	return cat < sizeof(shown_as) / sizeof(shown_as[0]) ? &shown_as[cat] : &plain;
}

static int char_allowed(long cp)
{
	utf8proc_category_t cat;

	if (cp > 0 && cp < 0x80 && strchr("_.:/=+-@", (int)cp))
		return 1;
	cat = category(cp);
	return (size_t)cat < sizeof(allowed_category) && allowed_category[cat];
}

/* Where tagcheck_pair() gathers issues; full once max are stored. */
struct collect {
	struct tag_issue *v; /* caller's array */
	int n;               /* stored so far */
	int max;             /* capacity of v */
};

/* Stores one issue. Returns nonzero when no more fit. */
static int add(struct collect *c, enum tag_problem p, int in_key, long cp, size_t ci, size_t bo,
	       size_t length)
{
	struct tag_issue *t;

	if (c->n >= c->max)
		return 1;
	t = &c->v[c->n++];
	t->problem = p;
	t->in_key = in_key;
	t->codepoint = cp;
	t->char_index = ci;
	t->byte_offset = bo;
	t->length = length;
	return c->n >= c->max;
}

/* Characters in s[0..len); each byte that is not UTF-8 counts as one. */
static size_t count_chars(const char *s, size_t len)
{
	size_t i = 0, count = 0;
	long cp;

	while (i < len) {
		size_t k = decode(s + i, len - i, &cp);

		i += k ? k : 1;
		count++;
	}
	return count;
}

/* Adds the length and character issues of one string. Returns nonzero when full. */
static int check_string(struct collect *c, const char *s, size_t len, int in_key)
{
	size_t limit = in_key ? TAGCHECK_KEY_MAX : TAGCHECK_VALUE_MAX;
	size_t count = count_chars(s, len), i = 0, ci = 0;
	int utf8_reported = 0;

	if (count > limit &&
	    add(c, in_key ? TAG_KEY_TOO_LONG : TAG_VALUE_TOO_LONG, in_key, -1, 0, 0, count))
		return 1;
	for (; i < len; ci++) {
		long cp;
		size_t k = decode(s + i, len - i, &cp);

		if (!k) {
			/* one report per string: later bytes of a broken sequence say nothing new */
			if (!utf8_reported && add(c, TAG_BAD_UTF8, in_key, -1, ci, i, 0))
				return 1;
			utf8_reported = 1;
			i++;
			continue;
		}
		if (!char_allowed(cp) && add(c, TAG_BAD_CHAR, in_key, cp, ci, i, 0))
			return 1;
		i += k;
	}
	return 0;
}

static int has_reserved_prefix(const char *key, size_t len)
{
	static const char prefix[] = "aws:";
	size_t i;

	if (len < sizeof(prefix) - 1)
		return 0;
	for (i = 0; i < sizeof(prefix) - 1; i++) {
		unsigned char ch = (unsigned char)key[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (unsigned char)(ch - 'A' + 'a');
		if (ch != (unsigned char)prefix[i])
			return 0;
	}
	return 1;
}

int tagcheck_pair(const char *key, size_t key_len, const char *value, size_t value_len,
		  struct tag_issue *issues, int max)
{
	struct collect c = { issues, 0, max };

	if (!issues || max < 1 || (!key && key_len) || (!value && value_len))
		return -1;
	if (!key_len) {
		if (add(&c, TAG_EMPTY_KEY, 1, -1, 0, 0, 0))
			return c.n;
	} else {
		if (has_reserved_prefix(key, key_len) && add(&c, TAG_RESERVED_PREFIX, 1, -1, 0, 0, 0))
			return c.n;
		if (check_string(&c, key, key_len, 1))
			return c.n;
	}
	check_string(&c, value, value_len, 0);
	return c.n;
}

const char *tagcheck_problem_name(enum tag_problem p)
{
	if ((unsigned)p >= sizeof(problem_names) / sizeof(problem_names[0]))
		return "unknown";
	return problem_names[p];
}

/*
 * A bounded writer for tagcheck_describe(): each piece goes in whole or not
 * at all, and nothing after a piece that did not fit, so the text is never
 * cut inside a character or an escape.
 */
struct out {
	char *p;    /* caller's buffer */
	size_t n;   /* its size, > 0 */
	size_t len; /* bytes written, not counting the NUL */
	int full;   /* a piece did not fit */
};

static void out_add(struct out *o, const char *s, size_t k)
{
	if (o->full || k >= o->n - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, s, k);
	o->len += k;
	o->p[o->len] = '\0';
}

static void out_adds(struct out *o, const char *s)
{
	out_add(o, s, strlen(s));
}

static void out_addf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_addf(struct out *o, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= sizeof(tmp)) {
		o->full = 1;
		return;
	}
	out_add(o, tmp, (size_t)k);
}

/* Writes one character (k bytes at s) for display inside single quotes. */
static void out_char(struct out *o, const char *s, size_t k, long cp)
{
	if (cp == '\\' || cp == '\'')
		out_addf(o, "\\%c", (int)cp);
	else if (display_of(cp)->escape)
		out_addf(o, cp > 0xffff ? "\\U%08lX" : "\\u%04lX", (unsigned long)cp);
	else
		out_add(o, s, k);
}

static void out_key(struct out *o, const char *key, size_t len)
{
	size_t i = 0, shown = 0;

	out_adds(o, "'");
	while (i < len) {
		long cp;
		size_t k;

		if (shown == SHOW_KEY_CHARS) {
			out_adds(o, "...");
			break;
		}
		k = decode(key + i, len - i, &cp);
		if (k) {
			out_char(o, key + i, k, cp);
			i += k;
		} else {
			out_addf(o, "\\x%02X", (unsigned)(unsigned char)key[i]);
			i++;
		}
		shown++;
	}
	out_adds(o, "'");
}

static void out_bad_char(struct out *o, long cp)
{
	const char *kind;
	char enc[4];
	utf8proc_ssize_t k;

	if (cp < 0 || cp > 0x10ffff) {
		out_adds(o, "a character that is not allowed");
		return;
	}
	kind = display_of(cp)->kind;
	if (kind) {
		out_addf(o, "%s U+%04lX is not allowed", kind, (unsigned long)cp);
		return;
	}
	k = utf8proc_encode_char((utf8proc_int32_t)cp, (utf8proc_uint8_t *)enc);
	out_adds(o, "character '");
	out_char(o, enc, (size_t)k, cp);
	out_addf(o, "' (U+%04lX) is not allowed", (unsigned long)cp);
}

void tagcheck_describe(const struct tag_issue *issue, const char *key, size_t key_len,
		       char *out, size_t n)
{
	struct out o = { out, n, 0, 0 };

	if (!n)
		return;
	out[0] = '\0';
	if (!key)
		key_len = 0;
	out_adds(&o, issue->in_key ? "key " : "value of ");
	out_key(&o, key, key_len);
	out_adds(&o, ": ");
	switch (issue->problem) {
	case TAG_OK:
		out_adds(&o, "no problem");
		break;
	case TAG_BAD_CHAR:
		out_bad_char(&o, issue->codepoint);
		break;
	case TAG_KEY_TOO_LONG:
	case TAG_VALUE_TOO_LONG:
		out_addf(&o, "%zu characters, more than %d", issue->length,
			 issue->problem == TAG_KEY_TOO_LONG ? TAGCHECK_KEY_MAX : TAGCHECK_VALUE_MAX);
		break;
	case TAG_EMPTY_KEY:
		out_adds(&o, "empty keys are not allowed");
		break;
	case TAG_RESERVED_PREFIX:
		/* the prefix as the key spells it, "AWS:" or "aws:" */
		if (has_reserved_prefix(key, key_len))
			out_addf(&o, "prefix '%.4s' is reserved for AWS", key);
		else
			out_adds(&o, "prefix 'aws:' is reserved for AWS");
		break;
	case TAG_BAD_UTF8:
		out_addf(&o, "not valid UTF-8 at byte %zu", issue->byte_offset);
		break;
	default:
		out_addf(&o, "unknown problem %d", (int)issue->problem);
		break;
	}
}
