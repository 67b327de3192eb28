/*
 * writeback.h - starting the kernel's writeback of the store early.
 *
 * Each commit of a bulk load ends with an fdatasync() that waits until the
 * transaction's pages are on disk; done in one go that is ~35 ms per 48 MiB
 * (1.4 s of a 1M-event load) during which the writer thread, the narrow part
 * of the pipeline, stands still. A bulk load therefore runs SQLite with a
 * small page cache, so that its pages reach the file as they are made, and
 * asks the kernel every few MiB to start writing them out
 * (sync_file_range(SYNC_FILE_RANGE_WRITE), which does not wait). The commit
 * then finds most of the data on disk already. Durability is unchanged:
 * the commit still syncs. Where sync_file_range() does not exist, this
 * does nothing.
 */
#ifndef TRAILSIFT_WRITEBACK_H
#define TRAILSIFT_WRITEBACK_H

#include <stddef.h>

struct writeback {
	int fd;          /* the store file, read-only; -1 when off */
	size_t pending;  /* bytes written since the last request */
};

/* Starts watching the file at path (an error only turns this off). */
void writeback_open(struct writeback *wb, const char *path);

/* Counts n more bytes written; past a few MiB, asks for their writeback. */
void writeback_note(struct writeback *wb, size_t n);

void writeback_close(struct writeback *wb);

#endif
