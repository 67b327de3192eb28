/*
 * fuzz_awsconfig.c - the ~/.aws/credentials and ~/.aws/config parser
 * (awsconfig.c).
 *
 * Input: the credentials file text, a NUL byte, the config file text (no
 * NUL: the same text as both). Every setting parsed must be found again by
 * awsconfig_get() (a file's last setting wins, the credentials file over the
 * config), with keys in lower case and values trimmed.
 */
#include <ctype.h>
#include <string.h>

#include "awsconfig.h"
#include "fuzz.h"

/* The value awsconfig_get() must give: the file's last setting, credentials first. */
static const char *expected(const struct awsconfig *c, const struct awsconfig_entry *e)
{
	for (int file = AWSCONFIG_CREDENTIALS; file <= AWSCONFIG_CONFIG; file++) {
		const char *v = NULL;

		for (size_t i = 0; i < c->n; i++)
			if ((int)c->e[i].file == file && !strcmp(c->e[i].profile, e->profile) &&
			    !strcmp(c->e[i].key, e->key))
				v = c->e[i].value;
		if (v)
			return v;
	}
	return NULL;
}

/*
 * trimmed_end: whether the value's end can be checked (a NUL byte in a value
 * cuts its C string short, and whatever precedes the NUL stays).
 */
static void check_entry(const struct awsconfig *c, const struct awsconfig_entry *e, int trimmed_end)
{
	size_t vlen = strlen(e->value);

	FUZZ_CHECK(awsconfig_has_profile(c, e->profile), "profile '%s' has an entry but is unknown",
		   e->profile);
	if (!e->key[0])
		return; /* a section alone */
	for (const char *k = e->key; *k; k++)
		FUZZ_CHECK(!isupper((unsigned char)*k), "key '%s' not in lower case", e->key);
	FUZZ_CHECK(!vlen || (!isspace((unsigned char)e->value[0]) &&
			     !(trimmed_end && isspace((unsigned char)e->value[vlen - 1]))),
		   "value '%s' not trimmed", e->value);
	FUZZ_CHECK(awsconfig_get(c, e->profile, e->key) == expected(c, e),
		   "[%s] %s: not the setting that wins", e->profile, e->key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct awsconfig c;
	const char *cred, *conf;
	size_t cred_len, conf_len;

	cred = fuzz_field(&in, '\0', &cred_len);
	conf = in.n ? (const char *)in.p : cred;
	conf_len = in.n ? in.n : cred_len;
	awsconfig_init(&c);
	awsconfig_parse(&c, AWSCONFIG_CREDENTIALS, cred, cred_len);
	awsconfig_parse(&c, AWSCONFIG_CONFIG, conf, conf_len);
	for (size_t i = 0; i < c.n; i++)
		check_entry(&c, &c.e[i], !memchr(conf, '\0', conf_len));
	(void)awsconfig_get(&c, "default", "region");
	awsconfig_release(&c);
	return 0;
}
