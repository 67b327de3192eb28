/*
 * msg.h - diagnostics on stderr and the allocation wrappers.
 *
 * error() and warning() print one line, "trailsift: error: ..." and return -1
 * so that library code can say `return error("cannot open '%s'", path);`
 * (git's usage.c). Lines are written with a single write so that the two
 * ingest threads never interleave half-lines. Only the cmd layer exits.
 */
#ifndef TRAILSIFT_MSG_H
#define TRAILSIFT_MSG_H

#include <stddef.h>

/* Prints "trailsift: error: <message>" and returns -1. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "trailsift: warning: <message>". */
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "trailsift: <message>" (a note, not a failure). */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * With TRAILSIFT_TRACE set in the environment, prints how long the phase
 * `what` took since the previous call ("trailsift: trace: indexes: 2.104 s");
 * trace_phase(NULL) only starts the clock. For finding where time goes.
 */
void trace_phase(const char *what);

/*
 * Clears a progress line that may be standing on a TTY stderr, so that the
 * next diagnostic starts at column 0. Set by the progress reporter.
 */
extern int msg_progress_shown;

/* Allocation that cannot fail: prints "out of memory" and exits 1. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
