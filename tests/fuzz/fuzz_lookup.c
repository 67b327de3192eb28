/*
 * fuzz_lookup.c - the LookupEvents answer parser (lookup.c).
 *
 * Input: an answer body. Every event the parser keeps must point inside the
 * page's texts, each text NUL-terminated where its length says; the error
 * fields must be NUL-terminated strings; parsing the same body twice into a
 * reused page gives the same page.
 */
#include <string.h>

#include "fuzz.h"
#include "lookup.h"

static void check_page(const struct lookup_page *pg)
{
	FUZZ_CHECK(pg->n <= pg->cap, "n %zu > cap %zu", pg->n, pg->cap);
	FUZZ_CHECK(memchr(pg->error_type, '\0', sizeof(pg->error_type)), "error_type unterminated");
	FUZZ_CHECK(memchr(pg->error_message, '\0', sizeof(pg->error_message)),
		   "error_message unterminated");
	for (size_t i = 0; i < pg->n; i++) {
		const struct lookup_event *ev = &pg->ev[i];
		const char *text = lookup_event_text(pg, i);

		FUZZ_CHECK(memchr(ev->event_id, '\0', sizeof(ev->event_id)), "event_id unterminated");
		if (!ev->has_text) {
			FUZZ_CHECK(text == NULL, "event %zu: a text without has_text", i);
			continue;
		}
		FUZZ_CHECK(text != NULL, "event %zu: has_text but no text", i);
		FUZZ_CHECK(ev->text_off + ev->text_len < pg->texts.len, "event %zu: text out of the page", i);
		FUZZ_CHECK(text[ev->text_len] == '\0', "event %zu: text not NUL-terminated", i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lookup_page pg;
	int rc, again;
	size_t n;

	lookup_page_init(&pg);
	rc = lookup_parse(&pg, (const char *)data, size);
	if (rc)
		FUZZ_CHECK(pg.err[0] && memchr(pg.err, '\0', sizeof(pg.err)), "a failure without a reason");
	else
		check_page(&pg);
	n = pg.n;
	again = lookup_parse(&pg, (const char *)data, size);
	FUZZ_CHECK(rc == again && (rc || n == pg.n), "a second parse of the same body differs");
	lookup_page_release(&pg);
	return 0;
}
