/*
 * awsconfig.h - the AWS CLI's shared files: ~/.aws/credentials and
 * ~/.aws/config.
 *
 * Both are INI files as Python's configparser reads them (botocore's
 * raw_config_parse): "[section]" headers, "key = value" or "key: value"
 * lines, key names folded to lower case, whole-line comments starting with
 * '#' or ';', no inline comments, and indented lines continuing the value
 * above (nested settings such as "s3 =\n  max_concurrent_requests = 20",
 * which trailsift ignores). In the credentials file every section is a
 * profile; in the config file a profile is "[profile NAME]" or "[default]"
 * and other sections ("[sso-session x]", "[services x]", "[foo]") are not
 * profiles. A setting in the credentials file wins over the same one in the
 * config file (botocore merges them that way).
 *
 * Ownership: struct awsconfig owns copies of everything it parsed. Values
 * may be secrets (aws_secret_access_key, aws_session_token):
 * awsconfig_release() wipes them, and so does the reader of the file text.
 */
#ifndef TRAILSIFT_AWSCONFIG_H
#define TRAILSIFT_AWSCONFIG_H

#include <stddef.h>

enum awsconfig_file { AWSCONFIG_CREDENTIALS = 0, AWSCONFIG_CONFIG = 1 };

struct awsconfig_entry {
	char *profile;              /* profile name, without "profile " */
	char *key;                  /* lower case */
	char *value;                /* trimmed; may be a secret */
	enum awsconfig_file file;   /* where it came from */
};

struct awsconfig {
	struct awsconfig_entry *e;  /* in file order, credentials file first */
	size_t n, cap;
	char *path[2];              /* the files read (for messages), or NULL */
};

void awsconfig_init(struct awsconfig *c);

/* Wipes and frees everything; the struct is empty and usable again. */
void awsconfig_release(struct awsconfig *c);

/*
 * Parses the text of one file (len bytes, need not be NUL-terminated) and
 * adds its settings. Lines that are neither sections, settings, comments
 * nor blank are ignored, as is anything before the first section. Never
 * fails (out of memory exits).
 */
void awsconfig_parse(struct awsconfig *c, enum awsconfig_file file, const char *text, size_t len);

/*
 * Reads the files the AWS CLI reads: $AWS_SHARED_CREDENTIALS_FILE (default
 * ~/.aws/credentials) and $AWS_CONFIG_FILE (default ~/.aws/config), "~"
 * being $HOME. A missing file is no error. Returns 0, or -1 with the reason
 * in err when a file exists but cannot be read.
 */
int awsconfig_load(struct awsconfig *c, char *err, size_t errlen);

/*
 * The value of key (lower case) in profile, the credentials file's first,
 * or NULL. The pointer stays valid until awsconfig_release().
 */
const char *awsconfig_get(const struct awsconfig *c, const char *profile, const char *key);

/* Whether either file has a section for profile. */
int awsconfig_has_profile(const struct awsconfig *c, const char *profile);

#endif
