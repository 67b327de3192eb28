# audit --pull: the cron path without files, against the fake CloudTrail
# endpoint: pulls, scans, reports the new findings and exits 3; a second
# audit pulls incrementally and stays quiet.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/lib-pull.sh"

make_events
env_keys
fake_start ct --events "$EVENTS" --cred "$AK:$SK"
run_ts 3 audit --pull --region us-east-1 --endpoint-url "$EP" --account "$ACCOUNT"
contains "audit --pull finds the denials of the pulled events" "$T/out" "ec2:CreateSnapshot denied"
contains "its summary counts the scanned events" "$T/err" "audit: .* events scanned"
same "every us-east-1 management event was pulled" \
	"$(sql "SELECT count(*) FROM events WHERE aws_region = 'us-east-1'")" "$(expected_ids us-east-1 | wc -l)"
run_ts 0 audit --pull --region us-east-1 --endpoint-url "$EP" --account "$ACCOUNT"
same "a second audit prints nothing new" "$(cat "$T/out")" ""
run_ts 2 audit "$FIX/sample" --pull --region us-east-1
contains "PATHs and --pull together are refused" "$T/err" "give PATHs or --pull, not both"
