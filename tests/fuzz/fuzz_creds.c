/*
 * fuzz_creds.c - the container and instance-metadata credential answers
 * (creds_parse_json() in creds.c).
 *
 * Input: the JSON body. A parse fills the key pair or nothing; a failure
 * says why in one line without control characters (the line goes to a
 * terminal, and the answer's Code or Expiration can be quoted in it).
 */
#include <string.h>

#include "awsreq.h"
#include "creds.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aws_creds cr;
	char err[200] = "";
	int rc = creds_parse_json((const char *)data, size, &cr, err, sizeof(err));

	if (rc) {
		FUZZ_CHECK(!cr.access_key_id && !cr.secret_access_key && !cr.session_token,
			   "a failed parse left credentials");
		FUZZ_CHECK(err[0] != '\0', "a failure without a reason");
		FUZZ_CHECK(fuzz_find_control(err, strlen(err), "") < 0,
			   "a control character in the error '%s'", err);
	} else {
		FUZZ_CHECK(cr.access_key_id && *cr.access_key_id && cr.secret_access_key &&
				   *cr.secret_access_key, "parsed credentials with a part missing");
		FUZZ_CHECK(!cr.session_token || *cr.session_token, "an empty session token kept");
	}
	aws_creds_release(&cr);
	return 0;
}
