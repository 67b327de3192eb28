/*
 * idset.h - the set of eventIDs a bulk load has stored.
 *
 * A bulk load into an empty store inserts without the unique eventID index
 * (built once at the end, which is much faster than keeping it up to date);
 * this set stands in for it during the load, so an event that comes twice is
 * still stored once and counted once, and readers never see a duplicate.
 * IDs are kept compactly: a canonical UUID as its 16 bytes, anything else as
 * its text. Lookups compare whole IDs, never just hashes.
 */
#ifndef TRAILSIFT_IDSET_H
#define TRAILSIFT_IDSET_H

#include <stddef.h>
#include <stdint.h>

struct idset {
	uint64_t *slots;   /* 0 empty, else (hash high 32 bits << 32) | (arena offset + 1) */
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

#endif
