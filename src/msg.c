/*
 * msg.c - diagnostics and allocation wrappers; see msg.h.
 */
#include "msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "safetext.h"

int msg_progress_shown;

/*
 * Formats one diagnostic line and writes it with a single write(). The
 * message quotes file names, values and SQLite's messages, all of which an
 * attacker can write, so it goes out through safe_char(): no ESC, C1 or bidi
 * control, and no line break that could forge a line of its own.
 */
/* (the attribute lets clang's -Wformat-nonliteral see fmt is checked at the callers) */
static void vreport(const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	char msg[4096], line[4096 + 64], out[SAFE_CHAR_MAX];
	size_t off = 0, room = sizeof(line) - 5, outlen, len;
	int n;

	if (msg_progress_shown) {
		/* wipe the progress line that stands on the terminal */
		off = (size_t)snprintf(line, sizeof(line), "\r\033[K");
		msg_progress_shown = 0;
	}
	off += (size_t)snprintf(line + off, sizeof(line) - off, "trailsift: %s", prefix);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	len = n < 0 ? 0 : (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1;
	for (size_t i = 0; i < len;) {
		i += safe_char(msg + i, len - i, 0, out, &outlen);
		if (off + outlen > room || (i == len && (size_t)n >= sizeof(msg))) {
			memcpy(line + off, "...", 3); /* truncated: mark it */
			off += 3;
			break;
		}
		memcpy(line + off, out, outlen);
		off += outlen;
	}
	line[off++] = '\n';
	fflush(stdout);
	if (write(STDERR_FILENO, line, off) < 0) {
		/* nowhere left to report it */
	}
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("error: ", fmt, ap);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
}

void trace_phase(const char *what)
{
	static int enabled = -1;
	static struct timespec last;
	struct timespec now;

	if (enabled < 0) {
		const char *v = getenv("TRAILSIFT_TRACE");

		enabled = v && *v && strcmp(v, "0");
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (enabled && what)
		note("trace: %s: %.3f s", what,
		     (double)(now.tv_sec - last.tv_sec) + (double)(now.tv_nsec - last.tv_nsec) / 1e9);
	last = now;
}

static void *oom(void)
{
	static const char msg[] = "trailsift: error: out of memory\n";

	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing to do */
	}
	exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	return p ? p : oom();
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	return p ? p : oom();
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	return q ? q : oom();
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	return p ? p : oom();
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	return p ? p : oom();
}
