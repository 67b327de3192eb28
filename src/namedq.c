/*
 * namedq.c - finding and reading named queries; see namedq.h.
 */
#include "namedq.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "msg.h"

static int is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* Sets out to the directory the executable is in; "" if unknown. */
static void exe_dir(char *out, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", out, size - 1);
	char *slash;

	out[n > 0 ? n : 0] = '\0';
	slash = strrchr(out, '/');
	if (slash)
		*slash = '\0';
}

const char *namedq_dir(void)
{
	static char found[PATH_MAX];
	static int looked;
	char exe[PATH_MAX], cand[PATH_MAX + 64];
	const char *env = getenv("TRAILSIFT_QUERIES");
	const char *const places[] = {
		"%s/queries", "%s/../share/trailsift/queries", "=" TRAILSIFT_DATADIR "/queries",
		"%s/../../queries", NULL
	};

	if (looked)
		return found[0] ? found : NULL;
	looked = 1;
	if (env && *env && is_dir(env)) {
		snprintf(found, sizeof(found), "%s", env);
		return found;
	}
	exe_dir(exe, sizeof(exe));
	for (int i = 0; places[i]; i++) {
		if (places[i][0] == '=')
			snprintf(cand, sizeof(cand), "%s", places[i] + 1);
		else if (exe[0])
			snprintf(cand, sizeof(cand), "%s%s", exe, places[i] + 2);
		else
			continue;
		if (is_dir(cand) && realpath(cand, found))
			return found;
	}
	found[0] = '\0';
	return NULL;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	buf_init(&b, 1u << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&b, chunk, n)) {
			fclose(f);
			buf_release(&b);
			errno = EFBIG;
			return NULL;
		}
	fclose(f);
	return buf_detach(&b, NULL);
}

/* Parses "-- :name[=default] [(time)] help". */
static void parse_param(struct namedq *q, const char *line)
{
	struct namedq_param *p;
	const char *s = line, *end;

	end = s + strcspn(s, " \t=");
	q->params = xrealloc(q->params, (size_t)(q->nparams + 1) * sizeof(*q->params));
	p = &q->params[q->nparams++];
	memset(p, 0, sizeof(*p));
	p->name = xstrndup(s, (size_t)(end - s));
	s = end;
	if (*s == '=') {
		end = s + 1 + strcspn(s + 1, " \t");
		p->dflt = xstrndup(s + 1, (size_t)(end - s - 1));
		s = end;
	}
	s += strspn(s, " \t");
	if (!strncmp(s, "(time)", 6)) {
		p->is_time = 1;
		s += 6;
		s += strspn(s, " \t");
	}
	p->help = xstrdup(s);
}

/* Reads the leading comment block: description lines, then parameters. */
static void parse_header(struct namedq *q)
{
	struct buf desc;
	const char *line = q->sql;
	int in_desc = 1;

	buf_init(&desc, 1u << 16);
	while (!strncmp(line, "--", 2)) {
		size_t len = strcspn(line, "\n");
		char *text = xstrndup(line + 2, len - 2);
		char *t = text + strspn(text, " \t");

		if (*t == ':') {
			parse_param(q, t + 1);
			in_desc = 0;
		} else if (!*t) {
			in_desc = 0;
		} else if (in_desc) {
			if (desc.len)
				buf_addch(&desc, ' ');
			buf_addstr(&desc, t);
		}
		free(text);
		line += len;
		if (*line == '\n')
			line++;
	}
	q->description = buf_detach(&desc, NULL);
}

static int valid_name(const char *name)
{
	if (!*name)
		return 0;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return 0;
	return 1;
}

int namedq_load(const char *name, struct namedq *q)
{
	const char *dir = namedq_dir();
	char path[PATH_MAX];

	memset(q, 0, sizeof(*q));
	if (!dir || !valid_name(name))
		return 1;
	snprintf(path, sizeof(path), "%s/%s.sql", dir, name);
	q->sql = read_file(path);
	if (!q->sql) {
		if (errno == ENOENT)
			return 1;
		return error("cannot read query '%s': %s", path, strerror(errno));
	}
	q->name = xstrdup(name);
	q->path = xstrdup(path);
	parse_header(q);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(((const struct namedq *)a)->name, ((const struct namedq *)b)->name);
}

int namedq_load_all(struct namedq **list, int *n)
{
	const char *dir = namedq_dir();
	DIR *d;
	struct dirent *e;

	*list = NULL;
	*n = 0;
	if (!dir)
		return error("no queries directory found (set TRAILSIFT_QUERIES)");
	d = opendir(dir);
	if (!d)
		return error("cannot read '%s': %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char name[256];

		if (len < 5 || len >= sizeof(name) || strcmp(e->d_name + len - 4, ".sql"))
			continue;
		memcpy(name, e->d_name, len - 4);
		name[len - 4] = '\0';
		*list = xrealloc(*list, (size_t)(*n + 1) * sizeof(**list));
		if (namedq_load(name, &(*list)[*n]) == 0)
			(*n)++;
	}
	closedir(d);
	qsort(*list, (size_t)*n, sizeof(**list), cmp_names);
	return 0;
}

void namedq_release(struct namedq *q)
{
	for (int i = 0; i < q->nparams; i++) {
		free(q->params[i].name);
		free(q->params[i].dflt);
		free(q->params[i].help);
	}
	free(q->params);
	free(q->name);
	free(q->path);
	free(q->description);
	free(q->sql);
	memset(q, 0, sizeof(*q));
}
