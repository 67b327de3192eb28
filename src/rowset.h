/*
 * rowset.h - a batch of parsed events on their way to the store.
 *
 * The parser packs each record's raw text and column values into one arena
 * so that a batch is two allocations however many rows it holds, and the
 * writer binds the values straight from it (SQLITE_STATIC) without copying.
 */
#ifndef TRAILSIFT_ROWSET_H
#define TRAILSIFT_ROWSET_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "record.h"

/* Past this many arena bytes a producer hands the set on (rowset_full). */
#define ROWSET_TARGET_BYTES (4u << 20)

struct row {
	uint32_t raw_off, raw_len;   /* the record's JSON text in the arena */
	uint32_t off[RF_COUNT];      /* each column value in the arena */
	int32_t len[RF_COUNT];       /* its length, -1 when absent */
	long long time_ms;           /* eventTime as epoch ms */
};

struct rowset {
	struct buf arena;    /* raw texts and values, each NUL-terminated */
	struct row *rows;    /* n used of cap */
	size_t n, cap;
};

struct rowset *rowset_new(void);
void rowset_free(struct rowset *rs);

/* Empties the set, keeping its memory. */
void rowset_reset(struct rowset *rs);

/* Appends one record. Returns 0, or -1 if the arena would pass 1 GiB. */
int rowset_add(struct rowset *rs, const char *raw, size_t raw_len, const struct record *rec);

/* Whether the set has reached its target size. */
int rowset_full(const struct rowset *rs);

/* Row i's value of field f (NUL-terminated), or NULL when absent. */
static inline const char *rowset_value(const struct rowset *rs, size_t i, int f)
{
	const struct row *r = &rs->rows[i];

	return r->len[f] < 0 ? NULL : rs->arena.data + r->off[f];
}

#endif
