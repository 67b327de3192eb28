/*
 * walk.c - recursive, sorted, loop-safe directory walk; see walk.h.
 */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "msg.h"

#define MAX_WALK_DEPTH 64

/* The directories on the current path, for loop detection. */
struct ancestors {
	dev_t dev[MAX_WALK_DEPTH];
	ino_t ino[MAX_WALK_DEPTH];
	int n;
};

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Case-insensitive: exports copied through Windows tools come out as .JSON.GZ. */
static int has_log_suffix(const char *base)
{
	static const char *const log_suffixes[] = {
		".json.gz", ".json", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".gz", NULL
	};
	size_t n = strlen(base);

	for (int i = 0; log_suffixes[i]; i++) {
		size_t m = strlen(log_suffixes[i]);

		if (n >= m && !strcasecmp(base + n - m, log_suffixes[i]))
			return 1;
	}
	return 0;
}

static int is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Whether a file's first bytes are those of a log: the gzip magic, or JSON
 * text (a first non-blank byte '{' or '[', after an optional byte-order
 * mark). Returns 1 yes, 0 no, -1 when the content cannot tell (an empty or
 * blank file), -2 when the file cannot be read.
 */
static int content_is_log(const char *path)
{
	unsigned char b[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC), verdict = -1;
	ssize_t n;

	if (fd < 0)
		return -2;
	for (int first = 1; verdict < 0; first = 0) {
		ssize_t i = 0;

		do
			n = read(fd, b, sizeof(b));
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			break;
		if (first && n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
			verdict = 1;
		if (first && n >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
			i = 3;
		while (verdict < 0 && i < n && is_blank(b[i]))
			i++;
		if (verdict < 0 && i < n)
			verdict = b[i] == '{' || b[i] == '[';
	}
	close(fd);
	return verdict;
}

const char *walk_skip_reason(const char *path, int named)
{
	const char *base = strrchr(path, '/');
	int verdict;

	base = base ? base + 1 : path;
	if (strstr(path, "/CloudTrail-Digest/") || strstr(base, "_CloudTrail-Digest_"))
		return "CloudTrail digest file";
	if (strstr(path, "/CloudTrail-Insight/") || strstr(base, "_CloudTrail-Insight_"))
		return "CloudTrail Insights file";
	if (named)
		return NULL;
	if (base[0] == '.')
		return "hidden file";
	/* a log file's name is enough (the parser reports what is wrong inside
	   it); any other file is judged by its first bytes, and one that cannot
	   be read goes to the reader, which says why */
	if (has_log_suffix(base))
		return NULL;
	verdict = content_is_log(path);
	if (verdict == 1 || verdict == -2)
		return NULL;
	return "not a log file (neither gzip nor JSON)";
}

static int walk_dir(const char *path, const struct stat *st, struct ancestors *up,
		    walk_fn fn, void *ctx);

static int walk_entry(const char *path, int named, struct ancestors *up, walk_fn fn, void *ctx)
{
	struct stat st;
	const char *why;

	if (stat(path, &st)) {
		char msg[200];

		snprintf(msg, sizeof(msg), "%s", errno == ELOOP ? "symlink loop" : strerror(errno));
		return fn(ctx, path, NULL, WALK_ERROR, msg);
	}
	if (S_ISDIR(st.st_mode))
		return walk_dir(path, &st, up, fn, ctx);
	if (!S_ISREG(st.st_mode))
		return named ? fn(ctx, path, &st, WALK_LOG, NULL) /* a pipe the user named */
			     : fn(ctx, path, &st, WALK_SKIP, "not a regular file");
	why = walk_skip_reason(path, named);
	return fn(ctx, path, &st, why ? WALK_SKIP : WALK_LOG, why);
}

static int walk_dir(const char *path, const struct stat *st, struct ancestors *up,
		    walk_fn fn, void *ctx)
{
	struct dirent **names = NULL;
	struct buf child;
	int n, rc = 0;

	for (int i = 0; i < up->n; i++)
		if (up->dev[i] == st->st_dev && up->ino[i] == st->st_ino)
			return fn(ctx, path, NULL, WALK_ERROR, "symlink loop: directory already on this path");
	if (up->n == MAX_WALK_DEPTH)
		return fn(ctx, path, NULL, WALK_ERROR, "directories nested too deep");
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		char msg[200];

		snprintf(msg, sizeof(msg), "cannot read directory: %s", strerror(errno));
		return fn(ctx, path, NULL, WALK_ERROR, msg);
	}
	up->dev[up->n] = st->st_dev;
	up->ino[up->n] = st->st_ino;
	up->n++;
	buf_init(&child, 1u << 16);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		if (!rc && strcmp(name, ".") && strcmp(name, "..")) {
			buf_reset(&child);
			if (buf_addstr(&child, path) ||
			    (!has_suffix(path, "/") && buf_addch(&child, '/')) ||
			    buf_addstr(&child, name))
				rc = fn(ctx, path, NULL, WALK_ERROR, "path too long");
			else
				rc = walk_entry(child.data, 0, up, fn, ctx);
		}
		free(names[i]);
	}
	free(names);
	buf_release(&child);
	up->n--;
	return rc;
}

int walk_path(const char *path, walk_fn fn, void *ctx)
{
	struct ancestors up;

	up.n = 0;
	return walk_entry(path, 1, &up, fn, ctx);
}
