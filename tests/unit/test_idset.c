/*
 * test_idset.c - the bulk load's eventID set: every ID once, whatever its form.
 */
#include <stdio.h>
#include <string.h>

#include "idset.h"
#include "unit.h"

static int add(struct idset *s, const char *id)
{
	return idset_add(s, id, strlen(id));
}

int main(void)
{
	struct idset s;
	char id[64], big[300];
	int fresh = 0, again = 0;

	idset_init(&s);
	for (int i = 0; i < 200000; i++) {
		snprintf(id, sizeof(id), "%08x-%04x-4%03x-8%03x-%012x", i * 2654435761u, i & 0xffff,
			 i & 0xfff, (i >> 12) & 0xfff, i);
		fresh += add(&s, id) == 1;
	}
	ASSERT_INT_EQ(fresh, 200000, "200k distinct UUIDs are all new");
	for (int i = 0; i < 200000; i += 7) {
		snprintf(id, sizeof(id), "%08x-%04x-4%03x-8%03x-%012x", i * 2654435761u, i & 0xffff,
			 i & 0xfff, (i >> 12) & 0xfff, i);
		again += add(&s, id) == 0;
	}
	ASSERT_INT_EQ(again, 28572, "each of them is found again");
	ASSERT_INT_EQ(s.count, 200000, "the set holds 200k IDs");
	ASSERT_INT_EQ(add(&s, "id-1"), 1, "a text ID is new");
	ASSERT_INT_EQ(add(&s, "id-1"), 0, "a text ID is found again");
	ASSERT_INT_EQ(add(&s, "id-10"), 1, "a longer text ID with the same start is new");
	ASSERT_INT_EQ(add(&s, "6a920fc4-e988-4dc2-9773-aa7610f9ab64"), 1, "a UUID is new");
	ASSERT_INT_EQ(add(&s, "6A920FC4-E988-4DC2-9773-AA7610F9AB64"), 1,
		      "its upper-case spelling is another ID, as in the store");
	ASSERT_INT_EQ(add(&s, "6a920fc4-e988-4dc2-9773-aa7610f9ab6g"), 1, "a near-UUID is text");
	ASSERT_INT_EQ(add(&s, "6a920fc4-e988-4dc2-9773-aa7610f9ab64"), 0, "the UUID is found again");
	ASSERT_INT_EQ(idset_add(&s, "a\0b", 3), 1, "an ID with a NUL byte");
	ASSERT_INT_EQ(idset_add(&s, "a\0c", 3), 1, "differs from another after the NUL");
	ASSERT_INT_EQ(add(&s, ""), 1, "the empty ID");
	{
		/* a rolled-back file's IDs are forgotten, the earlier ones kept */
		size_t mark = idset_mark(&s), before = s.count;

		for (int i = 0; i < 5000; i++) {
			snprintf(id, sizeof(id), "rolled-back-%d", i);
			add(&s, id);
		}
		ASSERT_INT_EQ(add(&s, "rolled-back-4999"), 0, "an ID of the file is there before the rollback");
		idset_rollback(&s, mark);
		ASSERT_INT_EQ(s.count, before, "the rollback leaves the count as at the mark");
		ASSERT_INT_EQ(add(&s, "rolled-back-0"), 1, "an ID of the rolled-back file is new again");
		ASSERT_INT_EQ(add(&s, "rolled-back-4999"), 1, "so is its last one");
		ASSERT_INT_EQ(add(&s, "id-10"), 0, "an ID from before the mark is still there");
		ASSERT_INT_EQ(add(&s, "6a920fc4-e988-4dc2-9773-aa7610f9ab64"), 0,
			      "and so is an earlier UUID");
	}
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ASSERT_INT_EQ(add(&s, big), -1, "an ID over 254 bytes is left to the store");
	idset_release(&s);
	return unit_exit();
}
