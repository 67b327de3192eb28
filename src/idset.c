/*
 * idset.c - compact set of event IDs; see idset.h.
 *
 * Open addressing with linear probing; each slot packs 32 bits of the hash
 * with the entry's arena offset. The slot index is taken from those same 32
 * bits, so a lookup touches the arena only when the bits match (nearly
 * always a true duplicate) and growing rehashes from the slots alone. At 1M
 * events the set takes 16 MiB of slots and 17 MiB of arena.
 */
#include "idset.h"

#include <stdlib.h>
#include <string.h>

#include "msg.h"

void idset_init(struct idset *s)
{
	memset(s, 0, sizeof(*s));
}

void idset_release(struct idset *s)
{
	free(s->slots);
	free(s->arena);
	idset_init(s);
}

/* FNV-1a, then a final mix so that the low bits spread well. */
static uint64_t hash(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * Packs a lower-case canonical UUID (8-4-4-4-12 hex digits) into 16 bytes
 * plus a marker byte; anything else is kept as text. Upper-case UUIDs stay
 * text so that two spellings of one UUID remain two IDs, as in the store.
 */
static size_t encode(const char *id, size_t len, unsigned char *out)
{
	static const int dash[] = { 8, 13, 18, 23 };
	size_t k = 1;

	if (len == 36) {
		int ok = 1;

		for (int i = 0; i < 4; i++)
			ok &= id[dash[i]] == '-';
		for (size_t i = 0; ok && i < 36; i++) {
			if (i == 8 || i == 13 || i == 18 || i == 23)
				continue;
			ok = hexval(id[i]) >= 0 && !(id[i] >= 'A' && id[i] <= 'F');
		}
		if (ok) {
			out[0] = 0xff; /* no text ID has this length byte */
			for (size_t i = 0; i < 36; i += 2) {
				if (id[i] == '-')
					i++;
				out[k++] = (unsigned char)(hexval(id[i]) << 4 | hexval(id[i + 1]));
			}
			return k;
		}
	}
	out[0] = (unsigned char)len;
	memcpy(out + 1, id, len);
	return len + 1;
}

static size_t entry_len(const unsigned char *e)
{
	return e[0] == 0xff ? 17 : (size_t)e[0] + 1;
}

/* Where a slot holding hash bits `tag` starts probing in a table of n slots. */
static size_t home(uint64_t tag, size_t n)
{
	return (size_t)(tag >> 32) & (n - 1);
}

/* Rebuilds the table with n slots from the entries whose offset is below limit. */
static void rehash(struct idset *s, size_t n, size_t limit)
{
	uint64_t *slots = xcalloc(n, sizeof(*slots));

	s->count = 0;
	for (size_t i = 0; i < s->nslots; i++) {
		uint64_t v = s->slots[i];
		size_t j;

		if (!v || (uint32_t)v - 1 >= limit)
			continue;
		for (j = home(v, n); slots[j]; j = (j + 1) & (n - 1))
			;
		slots[j] = v;
		s->count++;
	}
	free(s->slots);
	s->slots = slots;
	s->nslots = n;
}

int idset_add(struct idset *s, const char *id, size_t len)
{
	unsigned char e[256 + 1];
	size_t elen, i;
	uint64_t tag;

	if (len > 254)
		return -1;
	elen = encode(id, len, e);
	tag = hash(e, elen) >> 32 << 32;
	if ((s->count + 1) * 2 > s->nslots)
		rehash(s, s->nslots ? s->nslots * 2 : 1024, SIZE_MAX);
	for (i = home(tag, s->nslots); s->slots[i]; i = (i + 1) & (s->nslots - 1)) {
		const unsigned char *have = s->arena + (uint32_t)s->slots[i] - 1;

		if ((s->slots[i] & ~0xffffffffULL) == tag && entry_len(have) == elen &&
		    !memcmp(have, e, elen))
			return 0;
	}
	if (s->arena_len + elen + 1 > 0xffffffffULL)
		return -1;
	if (s->arena_len + elen > s->arena_cap) {
		s->arena_cap = s->arena_cap ? s->arena_cap * 2 : 1u << 16;
		s->arena = xrealloc(s->arena, s->arena_cap);
	}
	memcpy(s->arena + s->arena_len, e, elen);
	s->slots[i] = tag | (s->arena_len + 1);
	s->arena_len += elen;
	s->count++;
	return 1;
}

size_t idset_mark(const struct idset *s)
{
	return s->arena_len;
}

void idset_rollback(struct idset *s, size_t mark)
{
	if (mark >= s->arena_len)
		return;
	rehash(s, s->nslots, mark);
	s->arena_len = mark;
}
