/*
 * schema.h - the store's DDL, compiled in from schema/NNN-*.sql.
 *
 * schema_files[] lists the files in order, ending with { NULL, NULL }. File
 * number k (1-based) brings the store to PRAGMA user_version k.
 */
#ifndef TRAILSIFT_SCHEMA_H
#define TRAILSIFT_SCHEMA_H

struct schema_file {
	const char *name; /* file name, e.g. 001-events.sql */
	const char *sql;  /* its text */
};

extern const struct schema_file schema_files[];

#endif
