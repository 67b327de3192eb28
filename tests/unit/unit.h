/*
 * unit.h - the smallest test harness that prints what it checked.
 *
 * Each check prints a TAP-style line, "ok - <what>" or "not ok - <what>: <why>",
 * which tests/run.sh counts. main() returns unit_exit(): 0 when every check
 * passed, 1 otherwise. Values are printed on failure (libuv's test/task.h).
 */
#ifndef TRAILSIFT_UNIT_H
#define TRAILSIFT_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failures;

#define UNIT_OK(cond, ...)                                                \
	do {                                                              \
		if (cond) {                                               \
			printf("ok - ");                                  \
			printf(__VA_ARGS__);                              \
			printf("\n");                                     \
		} else {                                                  \
			unit_failures++;                                  \
			printf("not ok - ");                              \
			printf(__VA_ARGS__);                              \
			printf(": %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
		}                                                         \
	} while (0)

/* Compares two C strings (either may be NULL) and prints both on failure. */
#define ASSERT_STR_EQ(got, want, ...)                                     \
	do {                                                              \
		const char *g_ = (got), *w_ = (want);                     \
		int same_ = (g_ == NULL || w_ == NULL) ? g_ == w_ : strcmp(g_, w_) == 0; \
		if (same_) {                                              \
			printf("ok - ");                                  \
			printf(__VA_ARGS__);                              \
			printf("\n");                                     \
		} else {                                                  \
			unit_failures++;                                  \
			printf("not ok - ");                              \
			printf(__VA_ARGS__);                              \
			printf("\n#   got:  %s\n#   want: %s\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
		}                                                         \
	} while (0)

/* Compares two integers and prints both on failure. */
#define ASSERT_INT_EQ(got, want, ...)                                     \
	do {                                                              \
		long long g_ = (long long)(got), w_ = (long long)(want);  \
		if (g_ == w_) {                                           \
			printf("ok - ");                                  \
			printf(__VA_ARGS__);                              \
			printf("\n");                                     \
		} else {                                                  \
			unit_failures++;                                  \
			printf("not ok - ");                              \
			printf(__VA_ARGS__);                              \
			printf("\n#   got:  %lld\n#   want: %lld\n", g_, w_); \
		}                                                         \
	} while (0)

static inline int unit_exit(void)
{
	return unit_failures ? 1 : 0;
}

#endif
