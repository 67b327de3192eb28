/*
 * namedq.h - the named queries in queries/NAME.sql.
 *
 * Each file starts with a comment block: the first lines describe the
 * query; each line "-- :NAME[=DEFAULT] [(time)] help" declares a parameter
 * the query binds as :NAME. A parameter marked (time) takes an ISO-8601
 * time or a span back from now ("7d") and is bound as epoch milliseconds.
 * A parameter without a default must be given with --param NAME=VALUE.
 *
 * The directory is found, first match wins: $TRAILSIFT_QUERIES; queries/
 * beside the executable; ../share/trailsift/queries from the executable; the
 * install location; and ../../queries from the executable (a build tree).
 */
#ifndef TRAILSIFT_NAMEDQ_H
#define TRAILSIFT_NAMEDQ_H

struct namedq_param {
	char *name;     /* without the colon */
	char *dflt;     /* default value, or NULL when required */
	int is_time;    /* bind as epoch ms parsed from a time */
	char *help;     /* what it means */
};

struct namedq {
	char *name;         /* the file name without .sql */
	char *path;         /* where it was read from */
	char *description;  /* the first comment lines, joined */
	char *sql;          /* the whole file */
	struct namedq_param *params;
	int nparams;
};

/*
 * Loads query `name`. Returns 0; 1 when there is no such query (nothing is
 * printed); -1 on a read error (printed).
 */
int namedq_load(const char *name, struct namedq *q);

/* Loads every query, sorted by name, into *list (count in *n). 0 or -1. */
int namedq_load_all(struct namedq **list, int *n);

/* The directory the queries are read from, or NULL if none was found. */
const char *namedq_dir(void);

void namedq_release(struct namedq *q);

#endif
