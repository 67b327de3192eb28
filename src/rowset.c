/*
 * rowset.c - batches of parsed events; see rowset.h.
 */
#include "rowset.h"

#include <stdlib.h>

#include "msg.h"

struct rowset *rowset_new(void)
{
	struct rowset *rs = xcalloc(1, sizeof(*rs));

	buf_init(&rs->arena, 1u << 30);
	return rs;
}

void rowset_free(struct rowset *rs)
{
	if (!rs)
		return;
	buf_release(&rs->arena);
	free(rs->rows);
	free(rs);
}

void rowset_reset(struct rowset *rs)
{
	buf_reset(&rs->arena);
	rs->n = 0;
}

int rowset_full(const struct rowset *rs)
{
	return rs->arena.len >= ROWSET_TARGET_BYTES;
}

static int add_text(struct rowset *rs, const char *s, size_t len, uint32_t *off)
{
	*off = (uint32_t)rs->arena.len;
	if (buf_add(&rs->arena, s, len) || buf_addch(&rs->arena, '\0'))
		return -1;
	return 0;
}

int rowset_add(struct rowset *rs, const char *raw, size_t raw_len, const struct record *rec)
{
	struct row *r;

	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 256;
		rs->rows = xrealloc(rs->rows, rs->cap * sizeof(*rs->rows));
	}
	r = &rs->rows[rs->n];
	if (add_text(rs, raw, raw_len, &r->raw_off))
		return -1;
	r->raw_len = (uint32_t)raw_len;
	for (int f = 0; f < RF_COUNT; f++) {
		r->len[f] = (int32_t)rec->len[f];
		if (rec->len[f] >= 0 &&
		    add_text(rs, rec->values.data + rec->off[f], (size_t)rec->len[f], &r->off[f]))
			return -1;
	}
	r->time_ms = rec->event_time_ms;
	rs->n++;
	return 0;
}
