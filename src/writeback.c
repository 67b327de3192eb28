/*
 * writeback.c - starting the kernel's writeback of the store early; see
 * writeback.h.
 */
#include "writeback.h"

#include <fcntl.h>
#include <unistd.h>

/* How much to let accumulate between requests (measured: 2-8 MiB alike). */
#define WRITEBACK_EVERY (8u << 20)

void writeback_open(struct writeback *wb, const char *path)
{
	wb->pending = 0;
#ifdef SYNC_FILE_RANGE_WRITE
	wb->fd = path && *path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
#else
	(void)path;
	wb->fd = -1;
#endif
}

void writeback_note(struct writeback *wb, size_t n)
{
	if (wb->fd < 0)
		return;
	wb->pending += n;
	if (wb->pending < WRITEBACK_EVERY)
		return;
	wb->pending = 0;
#ifdef SYNC_FILE_RANGE_WRITE
	/* a failure only means the commit's own sync does all the work */
	(void)sync_file_range(wb->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
}

void writeback_close(struct writeback *wb)
{
	if (wb->fd >= 0)
		close(wb->fd);
	wb->fd = -1;
}
