/*
 * fuzz_sts.c - the STS answer parsers (sts.c) and the cleaning of a
 * server's error message for display (aws_clean_message()).
 *
 * Input: a tag name, a NUL byte, an XML answer. sts_xml_value() must return
 * a string no longer than the answer; sts_parse_credentials() must fill all
 * three strings or none; the cleaned message must be one line without
 * control characters and must not show the secret key or the token.
 */
#include <string.h>

#include "awsreq.h"
#include "fuzz.h"
#include "sts.h"

static void check_message(const char *xml, size_t len, const struct aws_creds *cr)
{
	char *msg = sts_xml_value(xml, len, "Message");
	char out[300];

	aws_clean_message(msg, cr, out, sizeof(out));
	FUZZ_CHECK(fuzz_find_control(out, strlen(out), "") < 0, "a control character in the cleaned message '%s'", out);
	if (cr->secret_access_key && strlen(cr->secret_access_key) > 3)
		FUZZ_CHECK(!strstr(out, cr->secret_access_key), "the secret key shown");
	if (cr->session_token && strlen(cr->session_token) > 3)
		FUZZ_CHECK(!strstr(out, cr->session_token), "the session token shown");
	free(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct aws_creds cr;
	char err[200] = "";
	size_t tag_len;
	const char *tag_text = fuzz_field(&in, '\0', &tag_len);
	char *tag = fuzz_strndup(tag_text, tag_len);
	char *v = sts_xml_value((const char *)in.p, in.n, tag);
	int rc;

	FUZZ_CHECK(!v || strlen(v) <= in.n, "a value longer than the answer");
	free(v);
	free(tag);
	rc = sts_parse_credentials((const char *)in.p, in.n, &cr, err, sizeof(err));
	if (rc) {
		FUZZ_CHECK(!cr.access_key_id && !cr.secret_access_key && !cr.session_token,
			   "a failed parse left credentials");
		FUZZ_CHECK(err[0] != '\0', "a failure without a reason");
	} else {
		FUZZ_CHECK(cr.access_key_id && *cr.access_key_id && cr.secret_access_key &&
				   *cr.secret_access_key && cr.session_token && *cr.session_token,
			   "parsed credentials with a part missing");
	}
	check_message((const char *)in.p, in.n, &cr);
	aws_creds_release(&cr);
	return 0;
}
