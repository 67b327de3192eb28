/*
 * ctstream.h - a streaming parser for CloudTrail log text.
 *
 * Feed it the (already inflated) bytes of one input in chunks of any size;
 * it calls back once per CloudTrail record with the record's raw JSON text
 * and its extracted columns. It accepts, and tells apart by structure, not
 * by file name:
 *   {"Records":[{...},...]}              a CloudTrail log file (S3 export)
 *   {"Events":[{"CloudTrailEvent":"..."}],"NextToken":...}   a LookupEvents page
 *   [{...},{...}]                        a bare array of records
 *   {...}\n{...}\n                       JSON Lines (or one record)
 * The raw text of a record is the input's own bytes, from its '{' to its '}'
 * (for a LookupEvents page, the CloudTrailEvent string), so every escape,
 * number and key order is kept exactly. Every byte is checked to be UTF-8
 * (strictly, utf8.h); a lone surrogate escape decodes to U+FFFD in the
 * columns (jsonesc.h). Memory stays bounded by the largest record and the
 * largest string or number (each capped at 32 MiB), never the size of the
 * input, and time grows linearly with it. Nesting is limited to
 * CTSTREAM_MAX_DEPTH; yajl's parser is iterative, so no input can overflow
 * the C stack.
 */
#ifndef TRAILSIFT_CTSTREAM_H
#define TRAILSIFT_CTSTREAM_H

#include <stddef.h>

#include "buf.h"
#include "record.h"

#define CTSTREAM_MAX_DEPTH 100
#define CTSTREAM_MAX_RECORD (32u << 20)
#define CTSTREAM_MAX_TOKEN (32u << 20)   /* any one string or number, anywhere */

/*
 * Called for each record, in input order: raw/raw_len is the record's JSON
 * text (valid only during the call), rec its columns. Returns 0 to go on, or
 * -1 to stop the parse (the stream then fails with "stopped").
 */
typedef int (*ctstream_emit_fn)(void *ctx, const char *raw, size_t raw_len,
				const struct record *rec);

struct ctstream;

/* Makes a parser that reports records to emit(ctx, ...). Never NULL. */
struct ctstream *ctstream_new(ctstream_emit_fn emit, void *ctx);

/*
 * Parses the next n bytes. Returns 0, or -1 when the input is bad; then
 * ctstream_error() says why and where ("record 12 (byte 3456): no eventID"),
 * and the parser must only be freed.
 */
int ctstream_feed(struct ctstream *cs, const void *p, size_t n);

/* Ends the input: fails on a truncated document or an empty input. */
int ctstream_finish(struct ctstream *cs);

/* Why the last call failed. */
const char *ctstream_error(const struct ctstream *cs);

/* Records reported so far. */
long ctstream_records(const struct ctstream *cs);

void ctstream_free(struct ctstream *cs);

#endif
