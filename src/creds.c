/*
 * creds.c - the credential chain and its refresh; see creds.h.
 *
 * creds_new() turns the environment and the shared files into a small tree
 * of sources: fixed keys, a container or instance metadata endpoint, or a
 * role to assume with the credentials of another source (which may itself
 * be a role: role chaining). creds_get() walks it under one lock, fetching
 * what is missing or about to expire.
 */
#include "creds.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <yajl/yajl_tree.h>

#include "awsconfig.h"
#include "buf.h"
#include "http.h"
#include "msg.h"
#include "pace.h"
#include "sts.h"
#include "timeparse.h"

#define MAX_MARGIN_MS (5 * 60 * 1000LL)
#define MAX_ROLE_CHAIN 8
#define META_ATTEMPTS 2
#define IMDS_DEFAULT "http://169.254.169.254"
#define IMDS_DEFAULT_V6 "http://[fd00:ec2::254]"
#define CONTAINER_HOST "http://169.254.170.2"
#define IMDS_TOKEN_TTL "21600"

enum src_kind { SRC_STATIC, SRC_ROLE, SRC_CONTAINER, SRC_IMDS };

struct src {
	enum src_kind kind;
	char *what;                 /* where from, for messages */
	struct aws_creds cur;       /* the current credentials (SRC_STATIC: always) */
	int have;                   /* cur is set */
	struct src *from;           /* SRC_ROLE: whose credentials assume the role; owned */
	char *role_arn;             /* SRC_ROLE */
	char *session_name;         /* SRC_ROLE: RoleSessionName */
	char *external_id;          /* SRC_ROLE: ExternalId or NULL */
	long duration_s;            /* SRC_ROLE: DurationSeconds or 0 */
	char *url;                  /* SRC_CONTAINER: the full URL; SRC_IMDS: the base URL */
	char *auth;                 /* SRC_CONTAINER: the Authorization value, or NULL; secret */
	char *auth_file;            /* SRC_CONTAINER: the file holding it, or NULL */
};

struct creds {
	pthread_mutex_t lock;
	struct src *root;
	char *profile_region;       /* "region" of the profile, or NULL */
	int imds_fallback;          /* the root is IMDS because nothing else was configured */
	char *profile_name;         /* for messages */
	int connected;              /* creds_connect() done */
	int sts_ready;              /* creds_sts_region() done */
	struct http meta;           /* container and IMDS: no proxy, short timeouts */
	struct http net;            /* STS: proxies honoured */
	struct sts_client sts;
};

static void wipe_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

static void src_free(struct src *s)
{
	if (!s)
		return;
	src_free(s->from);
	free(s->what);
	aws_creds_release(&s->cur);
	free(s->role_arn);
	free(s->session_name);
	free(s->external_id);
	free(s->url);
	wipe_free(s->auth);
	free(s->auth_file);
	free(s);
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *fmt(const char *f, ...)
{
	struct buf b;
	va_list ap;
	char tmp[2048];

	va_start(ap, f);
	vsnprintf(tmp, sizeof(tmp), f, ap);
	va_end(ap);
	buf_init(&b, sizeof(tmp));
	buf_addstr(&b, tmp);
	return buf_detach(&b, NULL);
}

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static struct src *new_src(enum src_kind kind, char *what)
{
	struct src *s = xcalloc(1, sizeof(*s));

	s->kind = kind;
	s->what = what;
	return s;
}

static struct src *static_src(char *what, const char *ak, const char *secret, const char *token)
{
	struct src *s = new_src(SRC_STATIC, what);

	s->cur.access_key_id = xstrdup(ak);
	s->cur.secret_access_key = xstrdup(secret);
	s->cur.session_token = token && *token ? xstrdup(token) : NULL;
	s->have = 1;
	return s;
}

/* The environment's keys; NULL when none; -1 in *bad when only half is set. */
static struct src *env_src(char *err, size_t errlen, int *bad)
{
	const char *ak = env("AWS_ACCESS_KEY_ID"), *sk = env("AWS_SECRET_ACCESS_KEY");

	*bad = 0;
	if (!ak && !sk)
		return NULL;
	if (!ak || !sk) {
		snprintf(err, errlen, "%s is set but %s is not", ak ? "AWS_ACCESS_KEY_ID" :
			 "AWS_SECRET_ACCESS_KEY", ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		*bad = 1;
		return NULL;
	}
	return static_src(xstrdup("environment"), ak, sk,
			  env("AWS_SESSION_TOKEN") ? env("AWS_SESSION_TOKEN") : env("AWS_SECURITY_TOKEN"));
}

/* Whether an http:// container URL may carry the token: the agent or loopback. */
static int container_host_ok(const char *url)
{
	static const char *const agents[] = {
		"http://169.254.170.2/", "http://169.254.170.2:", "http://169.254.170.23/",
		"http://169.254.170.23:", "http://[fd00:ec2::23]/", "http://[fd00:ec2::23]:",
	};

	if (!strncasecmp(url, "https://", 8))
		return 1;
	if (strncasecmp(url, "http://", 7))
		return 0;
	for (size_t i = 0; i < sizeof(agents) / sizeof(agents[0]); i++)
		if (!strncasecmp(url, agents[i], strlen(agents[i])))
			return 1;
	return http_url_is_loopback(url);
}

/* Container credentials from the environment; NULL when not configured. */
static struct src *container_src(char *err, size_t errlen, int *bad)
{
	const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	struct src *s;

	*bad = 0;
	if (!rel && !full)
		return NULL;
	s = new_src(SRC_CONTAINER, xstrdup("the container credentials endpoint"));
	if (rel) {
		s->url = fmt("%s%s%s", CONTAINER_HOST, rel[0] == '/' ? "" : "/", rel);
	} else {
		if (!container_host_ok(full)) {
			snprintf(err, errlen, "AWS_CONTAINER_CREDENTIALS_FULL_URI '%s' must be https, or"
				 " http to a loopback address or the container agent (169.254.170.2,"
				 " 169.254.170.23)", full);
			src_free(s);
			*bad = 1;
			return NULL;
		}
		s->url = xstrdup(full);
	}
	if (env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"))
		s->auth_file = xstrdup(env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"));
	else if (env("AWS_CONTAINER_AUTHORIZATION_TOKEN"))
		s->auth = xstrdup(env("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
	return s;
}

static struct src *imds_src(void)
{
	const char *ep = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *mode = env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	struct src *s = new_src(SRC_IMDS, NULL);
	size_t n;

	if (!ep)
		ep = mode && !strcasecmp(mode, "IPv6") ? IMDS_DEFAULT_V6 : IMDS_DEFAULT;
	s->url = xstrdup(ep);
	n = strlen(s->url);
	while (n > 1 && s->url[n - 1] == '/')
		s->url[--n] = '\0';
	s->what = fmt("instance metadata at %s", s->url);
	return s;
}

static int imds_disabled(void)
{
	const char *v = env("AWS_EC2_METADATA_DISABLED");

	return v && !strcasecmp(v, "true");
}

/*
 * The credentials profile name configures, or NULL with *err empty when it
 * configures none, or NULL with err set when it is wrong. chain holds the
 * profiles already on the way here (role chaining), depth of them.
 */
static struct src *profile_src(const struct awsconfig *cfg, const char *name,
			       const char **chain, int depth, char *err, size_t errlen)
{
	const char *role = awsconfig_get(cfg, name, "role_arn");
	const char *ak = awsconfig_get(cfg, name, "aws_access_key_id");
	const char *sk = awsconfig_get(cfg, name, "aws_secret_access_key");
	const char *tok = awsconfig_get(cfg, name, "aws_session_token");
	struct src *s, *from = NULL;

	err[0] = '\0';
	if (!tok)
		tok = awsconfig_get(cfg, name, "aws_security_token");
	if (role) {
		const char *sp = awsconfig_get(cfg, name, "source_profile");
		const char *cs = awsconfig_get(cfg, name, "credential_source");
		const char *dur = awsconfig_get(cfg, name, "duration_seconds");
		const char *sess = awsconfig_get(cfg, name, "role_session_name");
		int bad = 0;

		if (awsconfig_get(cfg, name, "mfa_serial")) {
			snprintf(err, errlen, "profile '%s' needs an MFA code (mfa_serial), which trailsift"
				 " cannot ask for: put credentials from 'aws sts assume-role' in the"
				 " environment instead", name);
			return NULL;
		}
		if (depth >= MAX_ROLE_CHAIN) {
			snprintf(err, errlen, "profile '%s': role chain longer than %d", name, MAX_ROLE_CHAIN);
			return NULL;
		}
		if (sp && cs) {
			snprintf(err, errlen, "profile '%s' has both source_profile and credential_source",
				 name);
			return NULL;
		}
		if (sp && !strcmp(sp, name) && ak && sk) {
			/* botocore: a profile may name itself as source for its own keys */
			from = static_src(fmt("profile '%s'", name), ak, sk, tok);
		} else if (sp) {
			for (int i = 0; i < depth; i++) {
				if (!strcmp(chain[i], sp)) {
					snprintf(err, errlen, "profile '%s': source_profile '%s' loops back",
						 name, sp);
					return NULL;
				}
			}
			if (!awsconfig_has_profile(cfg, sp)) {
				snprintf(err, errlen, "profile '%s': source_profile '%s' not found", name, sp);
				return NULL;
			}
			chain[depth] = name;
			from = profile_src(cfg, sp, chain, depth + 1, err, errlen);
			if (!from && !err[0])
				snprintf(err, errlen, "profile '%s': source_profile '%s' has no credentials",
					 name, sp);
			if (!from)
				return NULL;
		} else if (cs && !strcmp(cs, "Environment")) {
			from = env_src(err, errlen, &bad);
			if (!from && !bad)
				snprintf(err, errlen, "profile '%s': credential_source Environment, but"
					 " AWS_ACCESS_KEY_ID is not set", name);
			if (!from)
				return NULL;
		} else if (cs && !strcmp(cs, "EcsContainer")) {
			from = container_src(err, errlen, &bad);
			if (!from && !bad)
				snprintf(err, errlen, "profile '%s': credential_source EcsContainer, but"
					 " no AWS_CONTAINER_CREDENTIALS_* variable is set", name);
			if (!from)
				return NULL;
		} else if (cs && !strcmp(cs, "Ec2InstanceMetadata")) {
			from = imds_src();
		} else if (cs) {
			snprintf(err, errlen, "profile '%s': credential_source '%s' is not one of"
				 " Environment, Ec2InstanceMetadata, EcsContainer", name, cs);
			return NULL;
		} else {
			snprintf(err, errlen, "profile '%s' has role_arn but neither source_profile nor"
				 " credential_source%s", name,
				 awsconfig_get(cfg, name, "web_identity_token_file") ?
				 " (web_identity_token_file is not supported)" : "");
			return NULL;
		}
		s = new_src(SRC_ROLE, fmt("role %s (profile '%s')", role, name));
		s->from = from;
		s->role_arn = xstrdup(role);
		s->external_id = awsconfig_get(cfg, name, "external_id") ?
				 xstrdup(awsconfig_get(cfg, name, "external_id")) : NULL;
		s->session_name = sess ? xstrdup(sess) : fmt("trailsift-%lld", time_now_ms() / 1000);
		if (dur) {
			char *end;

			errno = 0;
			s->duration_s = strtol(dur, &end, 10);
			if (errno || *end || s->duration_s < 900 || s->duration_s > 43200) {
				snprintf(err, errlen, "profile '%s': duration_seconds '%s' is not 900 to 43200",
					 name, dur);
				src_free(s);
				return NULL;
			}
		}
		return s;
	}
	if (ak || sk) {
		if (!ak || !sk) {
			snprintf(err, errlen, "profile '%s' has %s but not %s", name,
				 ak ? "aws_access_key_id" : "aws_secret_access_key",
				 ak ? "aws_secret_access_key" : "aws_access_key_id");
			return NULL;
		}
		return static_src(fmt("profile '%s'", name), ak, sk, tok);
	}
	if (awsconfig_get(cfg, name, "credential_process")) {
		snprintf(err, errlen, "profile '%s' uses credential_process, which trailsift does not"
			 " run: export the credentials to the environment (aws configure"
			 " export-credentials --profile %s --format env)", name, name);
		return NULL;
	}
	if (awsconfig_get(cfg, name, "sso_start_url") || awsconfig_get(cfg, name, "sso_session")) {
		snprintf(err, errlen, "profile '%s' uses IAM Identity Center (SSO), which trailsift"
			 " does not support: export the credentials to the environment (aws"
			 " configure export-credentials --profile %s --format env)", name, name);
		return NULL;
	}
	if (awsconfig_get(cfg, name, "web_identity_token_file")) {
		snprintf(err, errlen, "profile '%s' uses web_identity_token_file, which trailsift"
			 " does not support", name);
		return NULL;
	}
	return NULL;
}

struct creds *creds_new(const char *profile, char *err, size_t errlen)
{
	struct awsconfig cfg;
	struct creds *c;
	const char *name = profile;
	const char *chain[MAX_ROLE_CHAIN];
	struct src *root = NULL;
	int bad = 0;

	err[0] = '\0';
	awsconfig_init(&cfg);
	if (awsconfig_load(&cfg, err, errlen))
		return NULL;
	if (!name)
		name = env("AWS_PROFILE") ? env("AWS_PROFILE") : env("AWS_DEFAULT_PROFILE");
	if (name && strcmp(name, "default") && !awsconfig_has_profile(&cfg, name)) {
		snprintf(err, errlen, "profile '%s' not found in %s or %s", name,
			 cfg.path[AWSCONFIG_CREDENTIALS] ? cfg.path[AWSCONFIG_CREDENTIALS] :
			 "~/.aws/credentials (absent)",
			 cfg.path[AWSCONFIG_CONFIG] ? cfg.path[AWSCONFIG_CONFIG] : "~/.aws/config (absent)");
		awsconfig_release(&cfg);
		return NULL;
	}
	if (!name)
		name = "default";
	c = xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->profile_name = xstrdup(name);
	if (awsconfig_get(&cfg, name, "region"))
		c->profile_region = xstrdup(awsconfig_get(&cfg, name, "region"));
	if (!profile)
		root = env_src(err, errlen, &bad);
	if (!root && !bad)
		root = profile_src(&cfg, name, chain, 0, err, errlen);
	if (!root && !err[0] && env("AWS_WEB_IDENTITY_TOKEN_FILE") && env("AWS_ROLE_ARN")) {
		snprintf(err, errlen, "AWS_WEB_IDENTITY_TOKEN_FILE is set: web identity credentials"
			 " are not supported; export credentials to AWS_ACCESS_KEY_ID and"
			 " AWS_SECRET_ACCESS_KEY instead");
	}
	if (!root && !err[0])
		root = container_src(err, errlen, &bad);
	if (!root && !err[0]) {
		if (imds_disabled()) {
			snprintf(err, errlen, "no AWS credentials: none in the environment"
				 " (AWS_ACCESS_KEY_ID), none in profile '%s' (~/.aws/credentials,"
				 " ~/.aws/config), no container endpoint, and instance metadata is"
				 " disabled (AWS_EC2_METADATA_DISABLED)", name);
		} else {
			root = imds_src();
			c->imds_fallback = 1;
		}
	}
	awsconfig_release(&cfg);
	if (!root) {
		creds_free(c);
		return NULL;
	}
	c->root = root;
	return c;
}

const char *creds_source(const struct creds *c)
{
	return c->root->what;
}

const char *creds_profile_region(const struct creds *c)
{
	return c->profile_region;
}

int creds_from_imds(const struct creds *c)
{
	return c->root->kind == SRC_IMDS;
}

int creds_refreshable(const struct creds *c)
{
	return c->root->kind != SRC_STATIC;
}

int creds_connect(struct creds *c, const struct http_opts *o, char *err, size_t errlen)
{
	struct http_opts m = *o, n = *o;

	m.no_proxy = 1; /* link-local endpoints whose answers are credentials */
	m.connect_timeout_ms = 1000;
	m.timeout_ms = 5000;
	n.no_proxy = 0;
	if (http_init(&c->meta, &m) || http_init(&c->net, &n)) {
		snprintf(err, errlen, "%s", c->meta.error[0] ? c->meta.error : c->net.error);
		http_release(&c->meta);
		http_release(&c->net);
		return -1;
	}
	c->connected = 1;
	return 0;
}

int creds_sts_region(struct creds *c, const char *region, char *err, size_t errlen)
{
	if (sts_init(&c->sts, &c->net, region, err, errlen))
		return -1;
	c->sts_ready = 1;
	return 0;
}

void creds_free(struct creds *c)
{
	if (!c)
		return;
	src_free(c->root);
	free(c->profile_region);
	free(c->profile_name);
	if (c->connected) {
		http_release(&c->meta);
		http_release(&c->net);
	}
	if (c->sts_ready)
		sts_release(&c->sts);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

long long creds_refresh_margin_ms(const struct aws_creds *cr)
{
	long long life;

	if (!cr->expires_ms)
		return 0;
	life = cr->expires_ms - cr->obtained_ms;
	if (life <= 0)
		return 0;
	return life / 2 < MAX_MARGIN_MS ? life / 2 : MAX_MARGIN_MS;
}

static void wipe_tree(yajl_val v)
{
	if (!v)
		return;
	if (YAJL_IS_STRING(v) && v->u.string) {
		OPENSSL_cleanse(v->u.string, strlen(v->u.string));
	} else if (YAJL_IS_OBJECT(v)) {
		for (size_t i = 0; i < v->u.object.len; i++)
			wipe_tree(v->u.object.values[i]);
	} else if (YAJL_IS_ARRAY(v)) {
		for (size_t i = 0; i < v->u.array.len; i++)
			wipe_tree(v->u.array.values[i]);
	}
}

static const char *tree_string(yajl_val root, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_string);

	return v ? YAJL_GET_STRING(v) : NULL;
}

int creds_parse_json(const char *text, size_t len, struct aws_creds *out, char *err,
		     size_t errlen)
{
	char ebuf[128], shown[64];
	yajl_val root;
	const char *code, *ak, *sk, *tok, *exp;
	char *copy;
	long long ms = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	copy = xstrndup(text, len); /* yajl_tree wants a NUL-terminated text */
	root = yajl_tree_parse(copy, ebuf, sizeof(ebuf));
	OPENSSL_cleanse(copy, strlen(copy));
	free(copy);
	if (!root || !YAJL_IS_OBJECT(root)) {
		snprintf(err, errlen, "the answer is not a JSON object");
		goto out;
	}
	code = tree_string(root, "Code");
	ak = tree_string(root, "AccessKeyId");
	sk = tree_string(root, "SecretAccessKey");
	tok = tree_string(root, "Token");
	exp = tree_string(root, "Expiration");
	if (code && strcmp(code, "Success")) {
		aws_clean_message(code, NULL, shown, 61); /* the answer's text, for a terminal */
		snprintf(err, errlen, "the answer's Code is '%s', not Success", shown);
		goto out;
	}
	if (!ak || !*ak || !sk || !*sk) {
		snprintf(err, errlen, "the answer lacks AccessKeyId or SecretAccessKey");
		goto out;
	}
	if (exp && time_parse_iso(exp, strlen(exp), 0, &ms)) {
		aws_clean_message(exp, NULL, shown, 41);
		snprintf(err, errlen, "the answer's Expiration '%s' is not a time", shown);
		goto out;
	}
	out->access_key_id = xstrdup(ak);
	out->secret_access_key = xstrdup(sk);
	out->session_token = tok && *tok ? xstrdup(tok) : NULL;
	out->expires_ms = ms;
	out->obtained_ms = time_now_ms();
	rc = 0;
out:
	wipe_tree(root);
	yajl_tree_free(root);
	return rc;
}

static void sleep_ms(long long ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

/*
 * One request to a metadata endpoint, retried once on a lost connection.
 * Returns 0 with the answer in c->meta (status and body), or -1 with err.
 */
static int meta_request(struct creds *c, const char *method, const char *url,
			const struct http_header *h, size_t n, char *err, size_t errlen)
{
	int rc = HTTP_FATAL;

	for (int attempt = 1; attempt <= META_ATTEMPTS; attempt++) {
		if (attempt > 1)
			sleep_ms(pace_backoff_ms(1, 100, 500, pace_random()));
		rc = http_request(&c->meta, method, url, h, n, NULL, 0);
		if (rc == HTTP_ANSWERED && c->meta.status < 500)
			return 0;
		if (rc != HTTP_ANSWERED && rc != HTTP_RETRYABLE)
			break;
	}
	if (rc == HTTP_ANSWERED)
		snprintf(err, errlen, "%s %s: HTTP %ld", method, url, c->meta.status);
	else
		snprintf(err, errlen, "%s %s: %s", method, url, c->meta.error);
	return -1;
}

static int fetch_container(struct creds *c, struct src *s, struct aws_creds *out, char *err,
			   size_t errlen)
{
	struct http_header h[1];
	char *token = NULL;
	size_t n = 0;
	int rc;

	if (s->auth_file) {
		FILE *f = fopen(s->auth_file, "r");
		char line[8192];

		if (!f || !fgets(line, sizeof(line), f)) {
			snprintf(err, errlen, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE '%s': %s",
				 s->auth_file, f ? "empty" : strerror(errno));
			if (f)
				fclose(f);
			return -1;
		}
		fclose(f);
		line[strcspn(line, "\r\n")] = '\0';
		token = xstrdup(line);
		OPENSSL_cleanse(line, sizeof(line));
	} else if (s->auth) {
		token = xstrdup(s->auth);
	}
	if (token && strpbrk(token, "\r\n")) {
		snprintf(err, errlen, "the container authorization token holds a line break");
		wipe_free(token);
		return -1;
	}
	if (token)
		h[n++] = (struct http_header){ "Authorization", token };
	rc = meta_request(c, "GET", s->url, h, n, err, errlen);
	wipe_free(token);
	if (rc)
		return -1;
	if (c->meta.status != 200) {
		snprintf(err, errlen, "GET %s: HTTP %ld%s", s->url, c->meta.status,
			 c->meta.status == 401 || c->meta.status == 403 ?
			 " (check AWS_CONTAINER_AUTHORIZATION_TOKEN)" : "");
		http_wipe_body(&c->meta);
		return -1;
	}
	rc = creds_parse_json(c->meta.body.data, c->meta.body.len, out, err, errlen);
	http_wipe_body(&c->meta);
	return rc;
}

/*
 * The IMDSv2 session token into *token (malloc'd), or NULL when the service
 * refuses tokens (403, 404, 405: IMDSv1 then). 0 or -1 with err set.
 */
static int imds_token(struct creds *c, const struct src *s, char **token, char *err,
		      size_t errlen)
{
	struct http_header h[] = { { "X-aws-ec2-metadata-token-ttl-seconds", IMDS_TOKEN_TTL } };
	char url[1200];

	*token = NULL;
	snprintf(url, sizeof(url), "%s/latest/api/token", s->url);
	if (meta_request(c, "PUT", url, h, 1, err, errlen))
		return -1;
	if (c->meta.status == 200 && c->meta.body.len) {
		size_t n = strcspn(c->meta.body.data, "\r\n");

		*token = xstrndup(c->meta.body.data, n);
		http_wipe_body(&c->meta);
		return 0;
	}
	http_wipe_body(&c->meta);
	if (c->meta.status == 403 || c->meta.status == 404 || c->meta.status == 405)
		return 0;
	snprintf(err, errlen, "PUT %s: HTTP %ld", url, c->meta.status);
	return -1;
}

/* GET path from IMDS; on success the body is in c->meta.body. */
static int imds_get(struct creds *c, const struct src *s, const char *token, const char *path,
		    char *err, size_t errlen)
{
	struct http_header h[] = { { "X-aws-ec2-metadata-token", token } };
	char url[1200];

	snprintf(url, sizeof(url), "%s%s", s->url, path);
	if (meta_request(c, "GET", url, h, token ? 1 : 0, err, errlen))
		return -1;
	if (c->meta.status != 200) {
		snprintf(err, errlen, "GET %s: HTTP %ld%s", url, c->meta.status,
			 c->meta.status == 404 ? " (no instance role attached?)" : "");
		http_wipe_body(&c->meta);
		return -1;
	}
	return 0;
}

static int fetch_imds(struct creds *c, struct src *s, struct aws_creds *out, char *err,
		      size_t errlen)
{
	static const char base[] = "/latest/meta-data/iam/security-credentials/";
	char *token = NULL, *role = NULL, path[400];
	int rc = -1;

	if (imds_token(c, s, &token, err, errlen))
		return -1;
	if (imds_get(c, s, token, base, err, errlen))
		goto out;
	role = xstrndup(c->meta.body.data, strcspn(c->meta.body.data, "\r\n"));
	if (!*role || strchr(role, '/') || strlen(role) > 128) {
		snprintf(err, errlen, "instance metadata names no usable role (no instance profile?)");
		goto out;
	}
	snprintf(path, sizeof(path), "%s%s", base, role);
	if (imds_get(c, s, token, path, err, errlen))
		goto out;
	rc = creds_parse_json(c->meta.body.data, c->meta.body.len, out, err, errlen);
	http_wipe_body(&c->meta);
out:
	free(role);
	wipe_free(token);
	return rc;
}

/* Whether s's current credentials are fit for use now. */
static int fresh(const struct src *s)
{
	if (!s->have)
		return 0;
	if (!s->cur.expires_ms)
		return 1;
	return time_now_ms() < s->cur.expires_ms - creds_refresh_margin_ms(&s->cur);
}

/* Brings s (and what it depends on) up to date; force renews even fresh ones. */
static int refresh(struct creds *c, struct src *s, int force, char *err, size_t errlen)
{
	struct aws_creds got, from;
	char why[600];
	int rc;

	if (s->kind == SRC_STATIC || (!force && fresh(s)))
		return 0;
	memset(&got, 0, sizeof(got));
	why[0] = '\0';
	switch (s->kind) {
	case SRC_ROLE: {
		struct sts_role r = { s->role_arn, s->session_name, s->external_id, s->duration_s };

		rc = refresh(c, s->from, 0, why, sizeof(why));
		if (rc) {
			snprintf(err, errlen, "%s", why);
			return -1;
		}
		aws_creds_copy(&from, &s->from->cur);
		rc = sts_assume_role(&c->sts, &from, &r, &got, why, sizeof(why));
		aws_creds_release(&from);
		break;
	}
	case SRC_CONTAINER:
		rc = fetch_container(c, s, &got, why, sizeof(why));
		break;
	case SRC_IMDS:
		rc = fetch_imds(c, s, &got, why, sizeof(why));
		break;
	case SRC_STATIC:
	default:
		return 0;
	}
	if (rc) {
		if (s->have && time_now_ms() < s->cur.expires_ms - 10000 && !force) {
			warning("cannot renew the credentials from %s: %s; using the current ones until"
				" they expire", s->what, why);
			return 0;
		}
		if (s == c->root && c->imds_fallback)
			snprintf(err, errlen, "no AWS credentials: none in the environment"
				 " (AWS_ACCESS_KEY_ID), none in profile '%s' (~/.aws/credentials,"
				 " ~/.aws/config), no container endpoint (AWS_CONTAINER_CREDENTIALS_*),"
				 " and %s gave none: %s", c->profile_name, s->what, why);
		else
			snprintf(err, errlen, "cannot get credentials from %s: %s", s->what, why);
		return -1;
	}
	aws_creds_release(&s->cur);
	s->cur = got;
	s->have = 1;
	return 0;
}

int creds_get(struct creds *c, const char *failed_key, struct aws_creds *out, char *err,
	      size_t errlen)
{
	int force, rc;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&c->lock);
	force = failed_key && c->root->have && c->root->cur.access_key_id &&
		!strcmp(failed_key, c->root->cur.access_key_id) && c->root->kind != SRC_STATIC;
	rc = refresh(c, c->root, force, err, errlen);
	if (!rc)
		aws_creds_copy(out, &c->root->cur);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int creds_account(struct creds *c, char account[13], char *err, size_t errlen)
{
	struct aws_creds cr;
	int rc;

	if (creds_get(c, NULL, &cr, err, errlen))
		return -1;
	pthread_mutex_lock(&c->lock);
	rc = sts_get_caller_identity(&c->sts, &cr, account, err, errlen);
	pthread_mutex_unlock(&c->lock);
	aws_creds_release(&cr);
	return rc;
}

int creds_imds_region(struct creds *c, char *region, size_t n, char *err, size_t errlen)
{
	struct src *s = c->root;
	char *token = NULL;
	size_t len;
	int rc = -1;

	if (s->kind != SRC_IMDS) {
		snprintf(err, errlen, "the credentials do not come from instance metadata");
		return -1;
	}
	pthread_mutex_lock(&c->lock);
	if (imds_token(c, s, &token, err, errlen))
		goto out;
	if (imds_get(c, s, token, "/latest/meta-data/placement/region", err, errlen))
		goto out;
	len = strcspn(c->meta.body.data, "\r\n");
	if (!len || len >= n) {
		snprintf(err, errlen, "instance metadata gave no region");
		goto out;
	}
	memcpy(region, c->meta.body.data, len);
	region[len] = '\0';
	rc = 0;
out:
	pthread_mutex_unlock(&c->lock);
	wipe_free(token);
	return rc;
}
