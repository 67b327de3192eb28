/*
 * replay.c - runs a fuzz harness on saved inputs, without libFuzzer.
 *
 * Usage: fuzz_<name> DIR...   (the replay build; make unit-bins builds it)
 *
 * Linked with one harness instead of libFuzzer's main, so that `make test`
 * replays the seed and regression corpora with the gcc ASan+UBSan build,
 * clang or not. Each DIR's files are run in sorted order; a harness that
 * crashes or breaks an invariant aborts the program (the file it was on is
 * named on stderr first), otherwise it prints one TAP line per DIR.
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* Reads path whole into a malloc'd buffer; NULL on error (errno set). */
static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			uint8_t *more = realloc(data, cap = cap ? 2 * cap : 4096);

			if (!more) {
				free(data);
				fclose(f);
				return NULL;
			}
			data = more;
		}
		got = fread(data + n, 1, cap - n, f);
		n += got;
	} while (got);
	if (ferror(f)) {
		free(data);
		data = NULL;
	}
	fclose(f);
	*len = n;
	return data;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Replays every regular file in dir; returns how many, or -1. */
static int replay_dir(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, by_name), done = 0;

	if (n < 0) {
		fprintf(stderr, "replay: cannot read '%s': %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		uint8_t *data;
		size_t len = 0;

		if (names[i]->d_name[0] != '.' &&
		    snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) < (int)sizeof(path)) {
			fprintf(stderr, "# replaying %s\n", path);
			if (!(data = read_file(path, &len))) {
				fprintf(stderr, "replay: cannot read '%s': %s\n", path, strerror(errno));
				done = -1;
			} else {
				LLVMFuzzerTestOneInput(data, len);
				free(data);
				if (done >= 0)
					done++;
			}
		}
		free(names[i]);
	}
	free(names);
	return done;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int failed = 0;

	for (int i = 1; i < argc; i++) {
		int n = replay_dir(argv[i]);

		if (n < 0)
			failed = 1;
		printf("%s - %s replays %s (%d inputs)\n", n < 0 ? "not ok" : "ok", name, argv[i],
		       n < 0 ? 0 : n);
	}
	return failed;
}
