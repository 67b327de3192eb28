/*
 * input.h - reading one input file (or stdin) as plain bytes.
 *
 * Gzip is recognised by its magic bytes whatever the name, and a file of
 * several gzip members (what `cat a.gz b.gz` makes) reads as one stream.
 * While reading, the SHA-256 of the bytes as stored is computed for the
 * sources table's chain of custody, and that of the content (inflated), which
 * is what CloudTrail's digest files name.
 */
#ifndef TRAILSIFT_INPUT_H
#define TRAILSIFT_INPUT_H

#include <stddef.h>
#include <sys/types.h>

struct input;

/*
 * Opens path ("-" is stdin). Returns NULL after printing nothing; *err (size
 * errlen) says why ("cannot open: Permission denied").
 */
struct input *input_open(const char *path, char *err, size_t errlen);

/*
 * A reader of bytes the caller pushes as they arrive (an S3 object): no
 * file, no copy on disk. Give each piece with input_push(), at most
 * INPUT_PUSH_MAX bytes, then call input_read() until it returns INPUT_AGAIN
 * before pushing the next; input_push_end() says no more will come. The
 * same gzip recognition, inflating and SHA-256 as for a file apply.
 */
#define INPUT_PUSH_MAX (64u << 10)
#define INPUT_AGAIN (-2)

struct input *input_open_pushed(void);
void input_push(struct input *in, const void *data, size_t len);
void input_push_end(struct input *in);

/*
 * Reads up to cap inflated bytes into out. Returns the count, 0 at the end
 * of the input, INPUT_AGAIN when a pushed input needs its next piece, or -1
 * with the reason in err (a corrupt or truncated gzip stream, a read
 * error), naming the byte offset in the stored file.
 */
ssize_t input_read(struct input *in, void *out, size_t cap, char *err, size_t errlen);

/* Whether the input turned out to be gzip (known after the first read). */
int input_is_gzip(const struct input *in);

/* Bytes read from the file as stored (compressed size for gzip). */
unsigned long long input_stored_bytes(const struct input *in);

/* Writes the hex SHA-256 of the stored bytes read so far into out[65]. */
void input_sha256(struct input *in, char out[65]);

/* Writes the hex SHA-256 of the content read so far (inflated) into out[65]. */
void input_content_sha256(struct input *in, char out[65]);

/* Closes the file and frees the reader. */
void input_close(struct input *in);

#endif
