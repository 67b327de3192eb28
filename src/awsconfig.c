/*
 * awsconfig.c - reading ~/.aws/credentials and ~/.aws/config; see awsconfig.h.
 */
#include "awsconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "msg.h"

#define AWSCONFIG_MAX_FILE (16u << 20)

void awsconfig_init(struct awsconfig *c)
{
	memset(c, 0, sizeof(*c));
}

static void wipe_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void awsconfig_release(struct awsconfig *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].profile);
		free(c->e[i].key);
		wipe_free(c->e[i].value);
	}
	free(c->e);
	free(c->path[0]);
	free(c->path[1]);
	awsconfig_init(c);
}

static int is_blank(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* Trims s[0..*len) in place: returns the new start, updates *len. */
static const char *trim(const char *s, size_t *len)
{
	size_t n = *len;

	while (n && is_blank((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && is_blank((unsigned char)s[n - 1]))
		n--;
	*len = n;
	return s;
}

static void add(struct awsconfig *c, const char *profile, const char *key, size_t klen,
		const char *value, size_t vlen, enum awsconfig_file file)
{
	struct awsconfig_entry *e;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->e = xrealloc(c->e, c->cap * sizeof(*c->e));
	}
	e = &c->e[c->n++];
	e->profile = xstrdup(profile);
	e->key = xstrndup(key, klen);
	for (char *p = e->key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	e->value = xstrndup(value, vlen);
	e->file = file;
}

/*
 * The profile a section header names, or NULL when the section is no
 * profile (config file sections other than "default" and "profile X").
 */
static char *section_profile(const char *s, size_t n, enum awsconfig_file file)
{
	s = trim(s, &n);
	if (file == AWSCONFIG_CREDENTIALS)
		return n ? xstrndup(s, n) : NULL;
	if (n == 7 && !memcmp(s, "default", 7))
		return xstrdup("default");
	if (n > 8 && !memcmp(s, "profile", 7) && is_blank((unsigned char)s[7])) {
		size_t m = n - 7;
		const char *p = trim(s + 7, &m);

		/* botocore splits with shlex: a quoted name loses its quotes */
		if (m >= 2 && (p[0] == '"' || p[0] == '\'') && p[m - 1] == p[0]) {
			p++;
			m -= 2;
		}
		return m ? xstrndup(p, m) : NULL;
	}
	return NULL;
}

void awsconfig_parse(struct awsconfig *c, enum awsconfig_file file, const char *text, size_t len)
{
	const char *end = text + len;
	char *profile = NULL;
	int in_section = 0;

	while (text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		size_t n = nl ? (size_t)(nl - text) : (size_t)(end - text);
		const char *line = text;
		const char *s, *sep;
		size_t m = n;

		text = nl ? nl + 1 : end;
		s = trim(line, &m);
		if (!m || *s == '#' || *s == ';')
			continue;
		if (is_blank((unsigned char)line[0]))
			continue; /* a continuation or nested setting */
		if (*s == '[') {
			const char *close = memchr(s, ']', m);

			free(profile);
			profile = close ? section_profile(s + 1, (size_t)(close - s - 1), file) : NULL;
			in_section = 1;
			if (profile)
				add(c, profile, "", 0, "", 0, file); /* the section exists, even empty */
			continue;
		}
		if (!in_section || !profile)
			continue;
		sep = NULL;
		for (size_t i = 0; i < m; i++) {
			if (s[i] == '=' || s[i] == ':') {
				sep = s + i;
				break;
			}
		}
		if (!sep) {
			continue;
		} else {
			size_t kl = (size_t)(sep - s), vl = m - kl - 1;
			const char *k = trim(s, &kl), *v = trim(sep + 1, &vl);

			if (kl)
				add(c, profile, k, kl, v, vl, file);
		}
	}
	free(profile);
}

/* $name, or HOME-relative dflt; NULL when neither can be had. */
static char *file_path(const char *env, const char *dflt)
{
	const char *v = getenv(env);
	const char *home = getenv("HOME");
	struct buf b;

	if (v && *v) {
		if (v[0] == '~' && (v[1] == '/' || !v[1]) && home) {
			buf_init(&b, 1u << 16);
			buf_addstr(&b, home);
			buf_addstr(&b, v + 1);
			return buf_detach(&b, NULL);
		}
		return xstrdup(v);
	}
	if (!home || !*home)
		return NULL;
	buf_init(&b, 1u << 16);
	buf_addf(&b, "%s/%s", home, dflt);
	return buf_detach(&b, NULL);
}

static int load_file(struct awsconfig *c, enum awsconfig_file file, const char *path, char *err,
		     size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;
	int rc = 0;

	if (!f) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	buf_init(&b, AWSCONFIG_MAX_FILE);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_add(&b, chunk, n)) {
			snprintf(err, errlen, "'%s' is larger than %u bytes", path, AWSCONFIG_MAX_FILE);
			rc = -1;
			break;
		}
	}
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		rc = -1;
	}
	fclose(f);
	OPENSSL_cleanse(chunk, sizeof(chunk));
	if (!rc) {
		awsconfig_parse(c, file, b.data, b.len);
		c->path[file] = xstrdup(path);
	}
	if (b.cap)
		OPENSSL_cleanse(b.data, b.cap);
	buf_release(&b);
	return rc;
}

int awsconfig_load(struct awsconfig *c, char *err, size_t errlen)
{
	char *cred = file_path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
	char *conf = file_path("AWS_CONFIG_FILE", ".aws/config");
	int rc = 0;

	if (cred && load_file(c, AWSCONFIG_CREDENTIALS, cred, err, errlen))
		rc = -1;
	if (!rc && conf && load_file(c, AWSCONFIG_CONFIG, conf, err, errlen))
		rc = -1;
	free(cred);
	free(conf);
	return rc;
}

const char *awsconfig_get(const struct awsconfig *c, const char *profile, const char *key)
{
	/* the last setting in a file wins, and the credentials file over the config */
	for (int file = AWSCONFIG_CREDENTIALS; file <= AWSCONFIG_CONFIG; file++) {
		const char *v = NULL;

		for (size_t i = 0; i < c->n; i++)
			if ((int)c->e[i].file == file && c->e[i].key[0] &&
			    !strcmp(c->e[i].profile, profile) && !strcmp(c->e[i].key, key))
				v = c->e[i].value;
		if (v)
			return v;
	}
	return NULL;
}

int awsconfig_has_profile(const struct awsconfig *c, const char *profile)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].profile, profile))
			return 1;
	return 0;
}
