/*
 * checkpoint.h - a pull stream's position, kept in the pull_checkpoints
 * table (schema/003-pull.sql), and the pull's row in ingest_runs.
 *
 * A stream is (account, region, attribute). pull.c loads each stream's row
 * before it starts, keeps the struct up to date page by page, and hands a
 * copy with every page to the writer, whose hook checkpoint_save() writes it
 * in the page's transaction.
 *
 * Ownership: a struct checkpoint owns its strings; checkpoint_release()
 * frees them. None of them is a secret.
 */
#ifndef TRAILSIFT_CHECKPOINT_H
#define TRAILSIFT_CHECKPOINT_H

#include <sqlite3.h>

struct checkpoint {
	char *account;              /* 12 digits */
	char *region;               /* e.g. us-east-1 */
	char *attribute;            /* "EventSource=ec2.amazonaws.com"; "" for all events */
	long long newest_ms;        /* newest EventTime stored (epoch ms), -1 none */
	long long done_end_ms;      /* EndTime of the last window finished, -1 none */
	long long win_start_ms;     /* the window in progress: StartTime, -1 when none */
	long long win_end_ms;       /* its EndTime */
	long long win_oldest_ms;    /* oldest EventTime stored from it, -1 none */
	char *next_token;           /* its next page's NextToken; NULL: the first page */
	long long pages;            /* pages stored from the stream, all runs */
	long long events;           /* events received from it, all runs */
};

/*
 * Makes sure the store has the pull_checkpoints table (schema/003-pull.sql),
 * even a store whose schema version was set by a build that numbered its
 * files differently. 0 or -1 (printed).
 */
int checkpoint_ensure_table(sqlite3 *db);

/*
 * Loads the row of (account, region, attribute) into cp, or sets cp up
 * empty (every time -1) when there is none. Returns 0, or -1 (printed).
 */
int checkpoint_load(sqlite3 *db, const char *account, const char *region, const char *attribute,
		    struct checkpoint *cp);

/* Writes cp's row (insert or replace). 0, or -1 (printed). */
int checkpoint_save(sqlite3 *db, const struct checkpoint *cp);

/* A deep copy of cp, malloc'd; free it with checkpoint_free(). */
struct checkpoint *checkpoint_dup(const struct checkpoint *cp);

/* Replaces cp->next_token with a copy of token (NULL allowed). */
void checkpoint_set_token(struct checkpoint *cp, const char *token);

void checkpoint_release(struct checkpoint *cp);

/* checkpoint_release() and free(), for the writer's free_arg (void *). */
void checkpoint_free(void *cp);

/* The writer hook: checkpoint_save(db, arg). */
int checkpoint_hook(sqlite3 *db, void *arg);

#endif
