/*
 * rowset.c - batches of parsed events; see rowset.h.
 */
#include "rowset.h"

#include <stdlib.h>
#include <string.h>

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

/* Copies len bytes and a NUL to the arena's end (room reserved); returns the offset. */
static uint32_t put_text(struct rowset *rs, const char *s, size_t len)
{
	uint32_t off = (uint32_t)rs->arena.len;

	memcpy(rs->arena.data + off, s, len);
	rs->arena.data[off + len] = '\0';
	rs->arena.len += len + 1;
	return off;
}

int rowset_add(struct rowset *rs, const char *raw, size_t raw_len, const struct record *rec)
{
	size_t need = raw_len + 1;
	struct row *r;

	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 256;
		rs->rows = xrealloc(rs->rows, rs->cap * sizeof(*rs->rows));
	}
	for (int f = 0; f < RF_COUNT; f++)
		if (rec->len[f] >= 0)
			need += (size_t)rec->len[f] + 1;
	if (buf_grow(&rs->arena, need)) /* one check and one growth for the whole row */
		return -1;
	r = &rs->rows[rs->n];
	r->raw_off = put_text(rs, raw, raw_len);
	r->raw_len = (uint32_t)raw_len;
	for (int f = 0; f < RF_COUNT; f++) {
		r->len[f] = (int32_t)rec->len[f];
		if (rec->len[f] >= 0)
			r->off[f] = put_text(rs, rec->values.data + rec->off[f], (size_t)rec->len[f]);
	}
	r->time_ms = rec->event_time_ms;
	rs->n++;
	return 0;
}
