/*
 * walk.h - finding the log files under the paths a user names.
 *
 * A named file is read whatever its name (the parser judges its content);
 * a named directory is walked recursively in sorted order, following
 * symbolic links but never into a directory already on the current path (a
 * symlink loop is reported, not followed). In the S3 layout
 * AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/, files under
 * CloudTrail-Digest/ and CloudTrail-Insight/ and hidden files are reported
 * as skipped, and so are files that are not logs: a walked file is read when
 * its name is a log file's (*.json, *.json.gz, *.jsonl, *.ndjson, *.gz, in
 * any case) or when its content starts as a log's does (the gzip magic, or
 * JSON text starting with '{' or '['), whatever its name.
 */
#ifndef TRAILSIFT_WALK_H
#define TRAILSIFT_WALK_H

#include <sys/stat.h>

enum walk_kind {
	WALK_LOG,    /* a file to read */
	WALK_SKIP,   /* a file not to read; why says which kind */
	WALK_ERROR,  /* a path that cannot be walked or read; why says why */
};

/*
 * Called once per file found (st is NULL for WALK_ERROR). Returns 0 to go
 * on, -1 to stop the walk.
 */
typedef int (*walk_fn)(void *ctx, const char *path, const struct stat *st,
		       enum walk_kind kind, const char *why);

/* Walks path; returns 0, or -1 if fn stopped it. */
int walk_path(const char *path, walk_fn fn, void *ctx);

/*
 * Why a file is not a log file, or NULL when it is one (this may read the
 * file's first bytes). A file the user named (named != 0) is read whatever
 * its name and content, unless it is in the digest or insight folders.
 */
const char *walk_skip_reason(const char *path, int named);

#endif
