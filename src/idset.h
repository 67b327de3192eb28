/*
 * idset.h - the set of eventIDs one ingest or pull has stored.
 *
 * A bulk load into an empty store inserts without the unique eventID index
 * (built once at the end, which is much faster than keeping it up to date);
 * this set stands in for it during the load, so an event that comes twice is
 * still stored once and counted once, and readers never see a duplicate. An
 * incremental load uses it for the events of the run itself, which may still
 * wait in the writer's batch. IDs are kept compactly: a canonical UUID as its
 * 16 bytes, anything else as its text. Lookups compare whole IDs, never just
 * hashes.
 */
#ifndef TRAILSIFT_IDSET_H
#define TRAILSIFT_IDSET_H

#include <stddef.h>
#include <stdint.h>

struct idset {
	uint64_t *slots;   /* 0 empty, else (32-bit hash << 32) | (arena offset + 1); the
			      slot index comes from the same hash, so growing never
			      reads the arena */
	size_t nslots;     /* a power of two */
	size_t count;
	unsigned char *arena; /* the IDs, each a length byte and its bytes */
	size_t arena_len, arena_cap;
};

void idset_init(struct idset *s);
void idset_release(struct idset *s);

/*
 * Adds id (len bytes). Returns 1 if it was new, 0 if it was there already,
 * -1 if it cannot be kept (longer than 255 bytes, or the set passed 4 GiB):
 * the caller then relies on the store's own check.
 */
int idset_add(struct idset *s, const char *id, size_t len);

/* A point to return to: the IDs added so far. */
size_t idset_mark(const struct idset *s);

/*
 * Forgets the IDs added since mark (a file whose records were rolled back
 * must not hide the same events in a later file).
 */
void idset_rollback(struct idset *s, size_t mark);

#endif
