/*
 * test_lookup.c - LookupEvents bodies and answers, and AWS error codes:
 * exponent EventTime, namespaced __type, HTTP 200 error envelopes, what is
 * retried, and that error text shown to users never carries a secret.
 */
#include <math.h>
#include <string.h>

#include "awsreq.h"
#include "buf.h"
#include "lookup.h"
#include "unit.h"

static int parse(struct lookup_page *pg, const char *s)
{
	return lookup_parse(pg, s, strlen(s));
}

int main(void)
{
	struct lookup_page pg;
	struct lookup_query q;
	struct buf b;
	const char *hint;
	char code[128], out[200];

	/* the request */
	buf_init(&b, 1u << 20);
	memset(&q, 0, sizeof(q));
	q.start_s = 1793600000;
	q.end_s = 1793700000;
	q.max_results = 50;
	lookup_request_body(&b, &q);
	ASSERT_STR_EQ(b.data, "{\"StartTime\":1793600000,\"EndTime\":1793700000,\"MaxResults\":50}",
		      "body: window and page size, epoch seconds");
	q.attr_key = "EventSource";
	q.attr_value = "ec2.amazonaws.com";
	q.next_token = "abc/\"def\"\\\n";
	q.max_results = 7;
	lookup_request_body(&b, &q);
	ASSERT_STR_EQ(b.data, "{\"StartTime\":1793600000,\"EndTime\":1793700000,\"MaxResults\":7,"
		      "\"LookupAttributes\":[{\"AttributeKey\":\"EventSource\",\"AttributeValue\":"
		      "\"ec2.amazonaws.com\"}],\"NextToken\":\"abc/\\\"def\\\"\\\\\\u000a\"}",
		      "body: one attribute, NextToken escaped as JSON");
	buf_release(&b);
	ASSERT_STR_EQ(lookup_attribute_key("eventsource", 11), "EventSource", "attribute keys: any case");
	ASSERT_STR_EQ(lookup_attribute_key("AccessKeyId", 11), "AccessKeyId", "attribute keys: AccessKeyId");
	ASSERT_STR_EQ(lookup_attribute_key("EventCategory", 13), NULL, "attribute keys: not EventCategory");

	/* a page */
	lookup_page_init(&pg);
	UNIT_OK(!parse(&pg,
		"{\"Events\":[{\"EventId\":\"e1\",\"EventName\":\"RunInstances\",\"ReadOnly\":\"false\","
		"\"EventTime\":1.705316744E9,\"Resources\":[{\"ResourceType\":\"x\",\"ResourceName\":\"y\"}],"
		"\"CloudTrailEvent\":\"{\\\"eventID\\\":\\\"e1\\\",\\\"note\\\":\\\"a\\\\\\\"b \\\\u00e9\\\"}\"},"
		"{\"CloudTrailEvent\":\"{}\",\"EventTime\":1705316700.5,\"EventId\":\"e2\"},"
		"{\"EventTime\":\"1.7053167E9\",\"EventId\":\"e3\",\"CloudTrailEvent\":null},"
		"{\"EventId\":\"e4\",\"EventTime\":17053e5,\"CloudTrailEvent\":\"{}\"}],"
		"\"NextToken\":\"tok-1\"}"), "a page parses");
	ASSERT_INT_EQ(pg.n, 4, "four events");
	ASSERT_STR_EQ(lookup_event_text(&pg, 0), "{\"eventID\":\"e1\",\"note\":\"a\\\"b \\u00e9\"}",
		      "CloudTrailEvent is the record text, unescaped once (its own escapes kept)");
	UNIT_OK(fabs(pg.ev[0].event_time - 1705316744.0) < 1e-6, "EventTime 1.705316744E9 (exponent form)");
	UNIT_OK(fabs(pg.ev[1].event_time - 1705316700.5) < 1e-6, "EventTime with a fraction");
	UNIT_OK(fabs(pg.ev[2].event_time - 1705316700.0) < 1e-6, "EventTime as a quoted number");
	UNIT_OK(fabs(pg.ev[3].event_time - 1705300000.0) < 1e-6, "EventTime 17053e5");
	ASSERT_STR_EQ(pg.ev[1].event_id, "e2", "EventId after CloudTrailEvent");
	UNIT_OK(!pg.ev[2].has_text && lookup_event_text(&pg, 2) == NULL, "a null CloudTrailEvent is no text");
	ASSERT_STR_EQ(pg.next_token, "tok-1", "NextToken");
	ASSERT_STR_EQ(pg.error_type, "", "no error");

	UNIT_OK(!parse(&pg, "{\"Events\":[]}") && pg.n == 0 && !pg.next_token, "an empty last page");
	UNIT_OK(!parse(&pg, "{\"Events\":[],\"NextToken\":null}") && !pg.next_token, "NextToken null is the end");
	UNIT_OK(!parse(&pg, " {\"NextToken\":\"t\",\"Events\":[{\"CloudTrailEvent\":\"{}\"}]} ") &&
		pg.n == 1 && pg.ev[0].event_time < 0 && !strcmp(pg.next_token, "t"),
		"NextToken before Events; no EventTime is -1");
	UNIT_OK(!parse(&pg, "{\"Other\":{\"Events\":[1]},\"Events\":[{\"x\":{\"CloudTrailEvent\":\"no\"}}]}")
		&& pg.n == 1 && !pg.ev[0].has_text, "keys elsewhere are ignored");

	/* errors */
	UNIT_OK(!parse(&pg, "{\"__type\":\"com.amazonaws.cloudtrail.v20131101#InvalidNextTokenException\","
		       "\"message\":\"Invalid NextToken.\"}"), "an error body parses");
	aws_error_code(pg.error_type, code, sizeof(code));
	ASSERT_STR_EQ(code, "InvalidNextTokenException", "__type loses its namespace");
	ASSERT_STR_EQ(pg.error_message, "Invalid NextToken.", "message");
	UNIT_OK(!parse(&pg, "{\"Output\":{\"__type\":\"com.amazon.coral.service#UnknownOperationException\"},"
		       "\"Version\":\"1.0\"}"), "an HTTP 200 error envelope parses");
	aws_error_code(pg.error_type, code, sizeof(code));
	ASSERT_STR_EQ(code, "UnknownOperationException", "the envelope's __type is the error");
	UNIT_OK(!parse(&pg, "{\"__type\":\"ThrottlingException\",\"Message\":\"Rate exceeded\"}") &&
		!strcmp(pg.error_message, "Rate exceeded"), "Message with a capital M");
	aws_error_code("ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.service/",
		       code, sizeof(code));
	ASSERT_STR_EQ(code, "ThrottlingException", "x-amzn-ErrorType loses its URL");

	UNIT_OK(parse(&pg, "") < 0, "an empty body is refused");
	UNIT_OK(parse(&pg, "[]") < 0, "an array is refused");
	UNIT_OK(parse(&pg, "\"x\"") < 0, "a string is refused");
	UNIT_OK(parse(&pg, "{\"Events\":[{}") < 0, "a cut answer is refused");
	UNIT_OK(parse(&pg, "{\"Events\":{}}") < 0, "Events as an object is refused");
	UNIT_OK(parse(&pg, "{\"Events\":[1]}") < 0, "an event that is no object is refused");
	UNIT_OK(parse(&pg, "{} {}") < 0, "two documents are refused");
	UNIT_OK(parse(&pg, "<html>503</html>") < 0, "HTML is refused");
	/* the strict UTF-8 of files: yajl's own check lets these through */
	UNIT_OK(parse(&pg, "{\"Events\":[],\"x\":\"\xc0\x9b\"}") < 0 &&
		strstr(pg.err, "UTF-8") && strstr(pg.err, "byte 18"), "an overlong form is refused, at its byte");
	UNIT_OK(parse(&pg, "{\"Events\":[],\"x\":\"\xed\xa0\x80\"}") < 0, "an encoded surrogate is refused");
	UNIT_OK(parse(&pg, "{\"Events\":[],\"x\":\"\xf5\x80\x80\x80\"}") < 0, "bytes above U+10FFFF are refused");
	/* a lone surrogate escaped in the page itself (not inside the record's
	   own text) is no character: the record text gets U+FFFD */
	UNIT_OK(!parse(&pg, "{\"Events\":[{\"EventId\":\"e1\",\"EventTime\":1,"
		"\"CloudTrailEvent\":\"{\\\"a\\\":\\\"x\\ud800y\\udc00z\\\"}\"}]}"), "a lone surrogate escape parses");
	ASSERT_STR_EQ(lookup_event_text(&pg, 0), "{\"a\":\"x\xef\xbf\xbdy\xef\xbf\xbdz\"}",
		      "lone surrogates in the page become U+FFFD in the record text");
	lookup_page_release(&pg);

	/* what is retried */
	UNIT_OK(aws_error_classify("ThrottlingException", 400, NULL, &hint) == AWS_ERR_RETRY,
		"ThrottlingException (HTTP 400) is retried");
	UNIT_OK(aws_error_classify("com.amazonaws.cloudtrail.v20131101#ThrottlingException", 400, NULL,
				   &hint) == AWS_ERR_RETRY, "... with a namespace too");
	UNIT_OK(aws_error_classify("InternalFailure", 500, NULL, &hint) == AWS_ERR_RETRY, "500 InternalFailure");
	UNIT_OK(aws_error_classify("ServiceUnavailable", 503, NULL, &hint) == AWS_ERR_RETRY, "503 ServiceUnavailable");
	UNIT_OK(aws_error_classify("", 502, NULL, &hint) == AWS_ERR_RETRY, "a bare 502");
	UNIT_OK(aws_error_classify("", 429, NULL, &hint) == AWS_ERR_RETRY, "a bare 429");
	UNIT_OK(aws_error_classify("ExpiredTokenException", 400, NULL, &hint) == AWS_ERR_EXPIRED,
		"ExpiredTokenException calls for new credentials");
	UNIT_OK(aws_error_classify("AccessDeniedException", 400, NULL, &hint) == AWS_ERR_FATAL &&
		strstr(hint, "cloudtrail:LookupEvents"), "AccessDeniedException: fatal, names the permission");
	UNIT_OK(aws_error_classify("InvalidSignatureException", 400,
				   "Signature expired: 20261125T100000Z is now earlier than ...", &hint) ==
		AWS_ERR_FATAL && strstr(hint, "clock"), "an expired signature: fatal, blames the clock");
	UNIT_OK(aws_error_classify("InvalidSignatureException", 400, "Signature not yet current: ...", &hint)
		== AWS_ERR_FATAL && strstr(hint, "clock"), "a future signature: blames the clock");
	UNIT_OK(aws_error_classify("InvalidSignatureException", 400, "The request signature we calculated"
				   " does not match", &hint) == AWS_ERR_FATAL && strstr(hint, "secret access key"),
		"a wrong signature: blames the secret key");
	UNIT_OK(aws_error_classify("UnrecognizedClientException", 400, NULL, &hint) == AWS_ERR_FATAL &&
		strstr(hint, "access key ID"), "UnrecognizedClientException: fatal, names the key");
	UNIT_OK(aws_error_classify("InvalidLookupAttributesException", 400, NULL, &hint) == AWS_ERR_FATAL &&
		strstr(hint, "--attribute"), "InvalidLookupAttributesException: names --attribute");
	UNIT_OK(aws_error_classify("InvalidTimeRangeException", 400, NULL, &hint) == AWS_ERR_FATAL &&
		strstr(hint, "--since"), "InvalidTimeRangeException: names --since");
	UNIT_OK(aws_error_classify("InvalidNextTokenException", 400, NULL, &hint) == AWS_ERR_FATAL,
		"InvalidNextTokenException: fatal");
	UNIT_OK(aws_error_classify("UnknownOperationException", 200, NULL, &hint) == AWS_ERR_FATAL &&
		strstr(hint, "Content-Type"), "UnknownOperationException: names the content type");
	UNIT_OK(aws_error_classify("SomethingNew", 400, NULL, &hint) == AWS_ERR_FATAL && !*hint,
		"an unknown 4xx error: fatal, no guess");
	UNIT_OK(aws_error_classify("", 404, NULL, &hint) == AWS_ERR_FATAL && strstr(hint, "endpoint"),
		"a bare 404: not an AWS endpoint");

	/* no secret in what is shown */
	{
		struct aws_creds cr = { (char *)"AKIDEXAMPLE", (char *)"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
					(char *)"IQoJb3JpZ2luSESSIONTOKEN==", 0, 0 };

		aws_clean_message("The request signature we calculated does not match.\n\nThe Canonical "
				  "String ... x-amz-security-token:IQoJb3JpZ2luSESSIONTOKEN==", &cr, out,
				  sizeof(out));
		ASSERT_STR_EQ(out, "The request signature we calculated does not match.",
			      "an error message is cut at its first line");
		aws_clean_message("key wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY token IQoJb3JpZ2luSESSIONTOKEN== end",
				  &cr, out, sizeof(out));
		ASSERT_STR_EQ(out, "key [secret] token [secret] end", "secrets in a message are masked");
		aws_clean_message("tab\there\x1b[31m", NULL, out, sizeof(out));
		ASSERT_STR_EQ(out, "tab here [31m", "control characters are replaced");
		aws_clean_message("csi\xc2\x9b" "31m bidi\xe2\x80\xae" "x bad\xe2\x1b[2J", NULL, out, sizeof(out));
		ASSERT_STR_EQ(out, "csi 31m bidi x bad? [2J",
			      "C1 controls, bidi overrides and bytes that are not UTF-8 are replaced");
		aws_clean_message("0123456\xc3\xa9", NULL, out, 9);
		ASSERT_STR_EQ(out, "0123456", "a message is cut at a character");
		aws_clean_message("0123456789abcdef", &cr, out, 8);
		ASSERT_STR_EQ(out, "0123456", "long messages are cut to fit");
	}
	return unit_exit();
}
