/*
 * input.c - plain or gzip input with a running SHA-256; see input.h.
 */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "msg.h"

#define STORED_CHUNK (256u << 10)

struct input {
	int fd;                        /* the file, 0 for stdin, -1 for pushed bytes */
	int gzip;                      /* -1 unknown yet, 0 plain, 1 gzip */
	int eof;                       /* the stored file is exhausted */
	int member_done;               /* the last gzip member ended cleanly */
	z_stream z;
	unsigned char stored[STORED_CHUNK]; /* bytes as stored, before inflating */
	size_t stored_len;             /* of which unread */
	size_t stored_pos;
	unsigned long long stored_total; /* bytes read from the file */
	EVP_MD_CTX *sha;
	EVP_MD_CTX *content_sha;       /* of the inflated bytes: what a digest file names */
};

static struct input *new_input(int fd)
{
	struct input *in = xcalloc(1, sizeof(*in));

	in->fd = fd;
	in->gzip = -1;
	in->sha = EVP_MD_CTX_new();
	in->content_sha = EVP_MD_CTX_new();
	if (!in->sha || !EVP_DigestInit_ex(in->sha, EVP_sha256(), NULL) ||
	    !in->content_sha || !EVP_DigestInit_ex(in->content_sha, EVP_sha256(), NULL))
		xmalloc((size_t)-1);
	return in;
}

struct input *input_open(const char *path, char *err, size_t errlen)
{
	int fd = 0;

	if (strcmp(path, "-")) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			snprintf(err, errlen, "cannot open: %s", strerror(errno));
			return NULL;
		}
	}
	return new_input(fd);
}

struct input *input_open_pushed(void)
{
	return new_input(-1);
}

void input_push(struct input *in, const void *data, size_t len)
{
	size_t left = in->stored_len - in->stored_pos;

	/* what the reader left (at most the byte the gzip sniff waits past) moves to the front */
	if (left + len > sizeof(in->stored))
		xmalloc((size_t)-1); /* the caller broke the contract: push at most INPUT_PUSH_MAX */
	memmove(in->stored, in->stored + in->stored_pos, left);
	memcpy(in->stored + left, data, len);
	in->stored_pos = 0;
	in->stored_len = left + len;
	EVP_DigestUpdate(in->sha, data, len);
	in->stored_total += len;
}

void input_push_end(struct input *in)
{
	in->eof = 1;
}

/*
 * Refills the stored-bytes window. Returns bytes available, 0 at EOF, -1,
 * or INPUT_AGAIN when pushed bytes are awaited.
 */
static ssize_t fill(struct input *in, char *err, size_t errlen)
{
	ssize_t n;

	if (in->stored_pos < in->stored_len)
		return (ssize_t)(in->stored_len - in->stored_pos);
	if (in->eof)
		return 0;
	if (in->fd < 0)
		return INPUT_AGAIN;
	do
		n = read(in->fd, in->stored, sizeof(in->stored));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(err, errlen, "byte %llu: read error: %s", in->stored_total, strerror(errno));
		return -1;
	}
	if (n == 0) {
		in->eof = 1;
		return 0;
	}
	EVP_DigestUpdate(in->sha, in->stored, (size_t)n);
	in->stored_total += (unsigned long long)n;
	in->stored_pos = 0;
	in->stored_len = (size_t)n;
	return n;
}

static int start_gzip(struct input *in, char *err, size_t errlen)
{
	if (inflateInit2(&in->z, 16 + MAX_WBITS) != Z_OK) {
		snprintf(err, errlen, "cannot start gzip decoder");
		return -1;
	}
	in->gzip = 1;
	return 0;
}

/* Decides plain or gzip from the first two bytes. */
static int sniff(struct input *in, char *err, size_t errlen)
{
	ssize_t n = fill(in, err, errlen);

	if (n < 0)
		return (int)n;
	if (n < 2 && !in->eof && in->fd < 0)
		return INPUT_AGAIN; /* the second byte is still on its way */
	/* a one-byte file cannot be gzip; the JSON parser will judge it */
	if (n >= 2 && in->stored[0] == 0x1f && in->stored[1] == 0x8b)
		return start_gzip(in, err, errlen);
	in->gzip = 0;
	return 0;
}

static ssize_t read_plain(struct input *in, void *out, size_t cap, char *err, size_t errlen)
{
	ssize_t n = fill(in, err, errlen);

	if (n <= 0)
		return n;
	if ((size_t)n > cap)
		n = (ssize_t)cap;
	memcpy(out, in->stored + in->stored_pos, (size_t)n);
	in->stored_pos += (size_t)n;
	return n;
}

/* Offset in the stored file of the next unread stored byte. */
static unsigned long long stored_offset(const struct input *in)
{
	return in->stored_total - (in->stored_len - in->stored_pos);
}

static ssize_t read_gzip(struct input *in, void *out, size_t cap, char *err, size_t errlen)
{
	for (;;) {
		ssize_t avail = fill(in, err, errlen);
		int rc;

		if (avail < 0)
			return avail;
		if (avail == 0) {
			if (in->member_done)
				return 0;
			snprintf(err, errlen, "byte %llu: truncated gzip stream", in->stored_total);
			return -1;
		}
		if (in->member_done) {
			/* another member follows: `cat a.gz b.gz` is one stream */
			if (in->stored[in->stored_pos] != 0x1f) {
				snprintf(err, errlen, "byte %llu: data after the end of the gzip stream",
					 stored_offset(in));
				return -1;
			}
			inflateReset(&in->z);
			in->member_done = 0;
		}
		in->z.next_in = in->stored + in->stored_pos;
		in->z.avail_in = (uInt)avail;
		in->z.next_out = out;
		in->z.avail_out = (uInt)cap;
		rc = inflate(&in->z, Z_NO_FLUSH);
		in->stored_pos = in->stored_len - in->z.avail_in;
		if (rc == Z_STREAM_END) {
			in->member_done = 1;
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			snprintf(err, errlen, "byte %llu: corrupt gzip data: %s", stored_offset(in),
				 in->z.msg ? in->z.msg : "inflate failed");
			return -1;
		}
		if (cap - in->z.avail_out > 0)
			return (ssize_t)(cap - in->z.avail_out);
	}
}

ssize_t input_read(struct input *in, void *out, size_t cap, char *err, size_t errlen)
{
	ssize_t n;

	if (in->gzip < 0) {
		int rc = sniff(in, err, errlen);

		if (rc)
			return rc;
	}
	n = in->gzip ? read_gzip(in, out, cap, err, errlen) : read_plain(in, out, cap, err, errlen);
	if (n > 0)
		EVP_DigestUpdate(in->content_sha, out, (size_t)n);
	return n;
}

int input_is_gzip(const struct input *in)
{
	return in->gzip == 1;
}

unsigned long long input_stored_bytes(const struct input *in)
{
	return in->stored_total;
}

/* The hex digest of what sha has seen so far (sha goes on). */
static void hex_so_far(EVP_MD_CTX *sha, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD_CTX *copy = EVP_MD_CTX_new();

	out[0] = '\0';
	if (!copy || !EVP_MD_CTX_copy_ex(copy, sha) || !EVP_DigestFinal_ex(copy, md, &len)) {
		EVP_MD_CTX_free(copy);
		return;
	}
	EVP_MD_CTX_free(copy);
	for (unsigned i = 0; i < len && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void input_sha256(struct input *in, char out[65])
{
	hex_so_far(in->sha, out);
}

void input_content_sha256(struct input *in, char out[65])
{
	hex_so_far(in->content_sha, out);
}

void input_close(struct input *in)
{
	if (!in)
		return;
	if (in->gzip == 1)
		inflateEnd(&in->z);
	if (in->fd > 0)
		close(in->fd);
	EVP_MD_CTX_free(in->sha);
	EVP_MD_CTX_free(in->content_sha);
	free(in);
}
