# Errors a retry cannot fix stop at once: exit 1, one line on stderr with
# the error and its likely cause, one request (no retries), and no secret
# in what is printed. A NextToken that the service no longer takes is
# worked around from the checkpoint.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/lib-pull.sh"

make_events
BAD_AK=AKIDDENIED0001
OLD_AK=AKIDEXPIRED001
fake_start ct --events "$EVENTS" --cred "$AK:$SK" --cred "$BAD_AK:$SK" --cred "$OLD_AK:$SK"\
	--deny-key "$BAD_AK" --expired-key "$OLD_AK"

# fatal NAME WANT-STDERR-PATTERN ARGS...: the pull fails at once as WANT says
fatal() {
	name=$1
	want=$2
	shift 2
	before=$(wc -l < "$T/ct.log")
	ts pull --region us-east-1 --endpoint-url "$EP" "$@" > "$T/out" 2> "$T/err"
	same "$name: exit status 1" "$?" 1
	contains "$name: reported with its likely cause" "$T/err" "$want"
	same "$name: one error line" "$(one_error "$T/err")" 1
	same "$name: no retry" "$(( $(wc -l < "$T/ct.log") - before ))" "${REQS:-1}"
	no_secret "$name: the secret key is not shown" "$SK" "$T/out" "$T/err"
}

export AWS_ACCESS_KEY_ID=AKIDUNKNOWN0001 AWS_SECRET_ACCESS_KEY="$SK"
fatal "unknown key" "^trailsift: error: region 'us-east-1': LookupEvents failed: HTTP 400 UnrecognizedClientException: The security token included in the request is invalid\. \(likely cause: AWS does not know the access key ID" \
	--account "$ACCOUNT"

export AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY='not/the+right/secret0000000000000000000'
fatal "wrong secret" "InvalidSignatureException: The request signature we calculated does not match the signature you provided\..*\(likely cause: the secret access key does not go with the access key ID" \
	--account "$ACCOUNT"
check "wrong secret: the server's canonical request is not echoed" test "$(wc -l < "$T/err")" -le 2
ts pull --region us-east-1 --region eu-west-1 --region eu-central-1 --endpoint-url "$EP" \
	--account "$ACCOUNT" > "$T/out" 2> "$T/err"
same "wrong secret, three regions: exit status 1" "$?" 1
same "wrong secret, three regions: one error line, not one per region" "$(one_error "$T/err")" 1

export AWS_ACCESS_KEY_ID="$OLD_AK" AWS_SECRET_ACCESS_KEY="$SK"
fatal "expired token" "ExpiredTokenException: .*\(likely cause: the session token has expired" --account "$ACCOUNT"

export AWS_ACCESS_KEY_ID="$BAD_AK"
fatal "no permission" "AccessDeniedException: User: .* is not authorized to perform: cloudtrail:LookupEvents.*\(likely cause: the credentials lack the cloudtrail:LookupEvents permission" \
	--account "$ACCOUNT"

export AWS_ACCESS_KEY_ID="$AK"
long=$(python3 -c 'print("x" * 2001)')
fatal "attribute too long" "^trailsift: error: region 'us-east-1' \(EventName=x+\.\.\.\): LookupEvents failed: HTTP 400 InvalidLookupAttributesException: .*\(likely cause: --attribute wants KEY=VALUE" \
	--account "$ACCOUNT" --attribute "EventName=$long"

# without --account, STS says whose the keys are, and reports bad keys first
export AWS_ENDPOINT_URL_STS="$EP" AWS_ACCESS_KEY_ID=AKIDUNKNOWN0001
DB="$T/sts.db"
fatal "unknown key, asked of STS" "^trailsift: error: pull: cannot tell whose account the credentials from environment are: STS GetCallerIdentity at http://127\.0\.0\.1:[0-9]+/? failed: InvalidClientTokenId: .*\(likely cause: AWS does not know the access key ID"
check "no store is made when the credentials fail" test ! -e "$DB"
unset AWS_ENDPOINT_URL_STS
export AWS_ACCESS_KEY_ID="$AK"
fake_stop "$FAKE_PID"

# the same with namespaced error types (com.amazonaws.cloudtrail.v20131101#...)
fake_start ns --events "$EVENTS" --cred "$BAD_AK:$SK" --deny-key "$BAD_AK" --namespaced-errors
export AWS_ACCESS_KEY_ID="$BAD_AK"
run_ts 1 pull --region us-east-1 --endpoint-url "$EP" --account "$ACCOUNT"
contains "a namespaced __type is read as its code" "$T/err" \
	"LookupEvents failed: HTTP 400 AccessDeniedException: .*cloudtrail:LookupEvents permission"
fake_stop "$FAKE_PID"
export AWS_ACCESS_KEY_ID="$AK"

# a stored NextToken the service refuses: the window goes on from its oldest stored event
expected_ids us-east-1 > "$T/want.use1"
fake_start tok1 --events "$EVENTS" --cred "$AK:$SK" --page-size-cap 30
run_ts 0 pull --region us-east-1 --endpoint-url "$EP" --account "$ACCOUNT" --max-events 90
fake_stop "$FAKE_PID"
same "the window is in progress (test setup)" "$(sql 'SELECT next_token IS NOT NULL FROM pull_checkpoints')" 1
# another seed: the fake's NextTokens are no longer valid
fake_start tok2 --events "$EVENTS" --cred "$AK:$SK" --page-size-cap 30 --seed 99
run_ts 0 pull --region us-east-1 --endpoint-url "$EP" --account "$ACCOUNT"
fake_stop "$FAKE_PID"
contains "a refused NextToken is a warning, not a failure" "$T/err" \
	"^trailsift: warning: region 'us-east-1': the stored NextToken was refused; going on from the oldest event stored"
same "the token was refused once" "$(log_check "$T/tok2.log" errors)" "InvalidNextTokenException 1"
same "every event once all the same" "$(store_ids)" "$(cat "$T/want.use1")"
