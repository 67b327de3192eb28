/*
 * cause.c - the change that most plausibly made a call fail; see cause.h.
 */
#include "cause.h"

#include "rules.h"

int cause_find(sqlite3 *db, const struct cause_query *q, struct cause *out)
{
	(void)db;
	(void)q;
	(void)out;
	return 0; /* TODO(cause): search the store */
}

int cause_is_change(const struct event *ev)
{
	(void)ev;
	return 0;
}

void cause_json(struct jsonw *w, const struct cause *c)
{
	if (!c) {
		jsonw_null(w);
		return;
	}
	jsonw_object(w);
	jsonw_kv_string(w, "event_id", c->event_id);
	jsonw_kv_string(w, "event_source", c->event_source);
	jsonw_kv_string(w, "event_name", c->event_name);
	jsonw_kv_string(w, "time", c->time);
	jsonw_kv_string(w, "who", c->who);
	jsonw_kv_string(w, "what", c->what);
	jsonw_end_object(w);
}

void cause_phrase(struct buf *b, const struct cause *c)
{
	buf_addf(b, "after %s %s at %s", c->who, c->what, c->time);
}
