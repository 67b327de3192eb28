# The rules: each one's true positives and the false-positive traps named in
# the issue, on records written for the case and on real public records.
. "$(dirname "$0")/lib.sh"

mk() { python3 "$ROOT/tests/mkevents.py" "$@"; }
finding() { # RULE FIELD...: one line per finding of RULE, the fields joined by |
	r=$1; shift
	ts findings --rule "$r" --format json | python3 -c '
import json, sys
for line in sys.stdin:
    f = json.loads(line)
    print("|".join(str(f[k]) if not isinstance(f[k], (dict, list)) else json.dumps(f[k], ensure_ascii=False) for k in sys.argv[1:]))' "$@"
}

# ec2-access-denied
UO='"errorCode": "Client.UnauthorizedOperation"'
MSG='You are not authorized to perform this operation. User: X is not authorized to perform: ec2:CreateSnapshot on resource: arn:aws:ec2:us-east-1::snapshot/* because no identity-based policy allows the ec2:CreateSnapshot action. Encoded authorization failure message: abc'
mk "$T/denied.json" \
	"{\"who\": \"mgn-repl\", $UO, \"errorMessage\": \"$MSG\", \"t\": \"2026-11-03T10:00:00Z\"}" \
	"{\"who\": \"mgn-repl\", $UO, \"errorMessage\": \"$MSG\", \"t\": \"2026-11-03T11:00:00Z\"}" \
	"{\"who\": \"mgn-repl\", \"errorCode\": \"UnauthorizedOperation\", \"errorMessage\": \"... with an explicit deny in a service control policy\", \"t\": \"2026-11-03T12:00:00Z\"}" \
	"{\"who\": \"user:bob\", \"eventName\": \"RunInstances\", \"errorCode\": \"Client.UnauthorizedOperation\", \"errorMessage\": \"You are not authorized to perform this operation. Encoded authorization failure message: xyz\"}" \
	"{\"who\": \"user:bob\", \"eventName\": \"DescribeVolumes\", \"errorCode\": \"Client.AuthFailure\"}" \
	"{\"who\": \"user:carol\", \"eventName\": \"RunInstances\", \"errorCode\": \"Client.DryRunOperation\", \"errorMessage\": \"Request would have succeeded, but DryRun flag is set.\"}" \
	"{\"who\": \"user:carol\", \"eventSource\": \"s3.amazonaws.com\", \"eventName\": \"GetObject\", \"errorCode\": \"AccessDenied\"}" \
	"{\"who\": \"user:carol\", \"eventSource\": \"iam.amazonaws.com\", \"eventName\": \"GetRole\", \"errorCode\": \"AccessDenied\"}"
ts -q ingest "$T/denied.json"
run_ts 0 scan
same "ec2-access-denied: a finding per principal and action, MGN ones critical" \
	"$(finding ec2-access-denied severity event_name event_count related | sort)" \
	"critical|CreateSnapshot|3|True
high|DescribeVolumes|1|False
high|RunInstances|1|False"
same "ec2-access-denied: reasons read from the message" \
	"$(finding ec2-access-denied details | python3 -c 'import json,sys; print(sorted(json.dumps(json.loads(l)["reasons"], sort_keys=True) for l in sys.stdin))')" \
	"['{\"auth_failure\": 1}', '{\"encoded_only\": 1}', '{\"identity_no_allow\": 2, \"scp_explicit_deny\": 1}']"
ts findings --rule ec2-access-denied > "$T/out"
contains "ec2-access-denied: the summary names action, role and reasons" "$T/out" \
	"ec2:CreateSnapshot denied 3 times to AWSApplicationMigrationReplicationServerRole: no identity-based policy allows it \(2\), explicit deny in a service control policy \(1\)"
if grep -q "DryRun\|GetObject\|GetRole" "$T/out"; then fail "a dry run and other services' denials are not EC2 denials"; else ok "a dry run and other services' denials are not EC2 denials"; fi

# real records: Stratus Red Team's EC2 denials (not MGN related)
rm -f "$DB"
ts -q ingest "$FIX/real/DataDog_stratus-red-team__docs_detonation-logs/aws.credential-access.ec2-get-password-data.json"
ts -q scan
same "real Stratus denials: ec2:GetPasswordData, 30 times, high, not MGN" \
	"$(finding ec2-access-denied event_name event_count severity related)" "GetPasswordData|30|high|False"

# api-throttling: bursts split at a 5-minute gap; a throttle is no quota error
rm -f "$DB"
mk "$T/thr.json" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"DescribeSnapshots\", \"errorCode\": \"Client.RequestLimitExceeded\", \"t\": \"2026-11-04T12:00:00Z\"}" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"DescribeSnapshots\", \"errorCode\": \"Client.RequestLimitExceeded\", \"t\": \"2026-11-04T12:00:10Z\"}" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"DescribeSnapshots\", \"errorCode\": \"Client.RequestLimitExceeded\", \"t\": \"2026-11-04T12:00:20Z\"}" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"DescribeSnapshots\", \"errorCode\": \"Client.RequestLimitExceeded\", \"t\": \"2026-11-04T12:03:00Z\"}" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"DescribeSnapshots\", \"errorCode\": \"Client.RequestLimitExceeded\", \"t\": \"2026-11-04T12:20:00Z\"}" \
	"{\"who\": \"user:dave\", \"eventSource\": \"lambda.amazonaws.com\", \"eventName\": \"ListFunctions\", \"errorCode\": \"ThrottlingException\", \"t\": \"2026-11-04T12:00:00Z\"}" \
	"{\"who\": \"user:dave\", \"eventSource\": \"kms.amazonaws.com\", \"eventName\": \"Decrypt\", \"errorCode\": \"ThrottlingException\", \"t\": \"2026-11-04T12:00:00Z\"}"
ts -q ingest "$T/thr.json"
ts -q scan
same "api-throttling: two bursts for MGN, one each elsewhere, rated by path" \
	"$(finding api-throttling severity event_name event_count | sort)" \
	"high|DescribeSnapshots|1
high|DescribeSnapshots|4
low|ListFunctions|1
medium|Decrypt|1"
same "api-throttling: the burst's span and peak rate" \
	"$(finding api-throttling details | python3 -c 'import json,sys; print([(d["span_seconds"], d["peak_per_minute"]) for d in map(json.loads, sys.stdin) if d["count"] == 4])')" \
	"[(180, 3)]"
same "service-quota: a throttle is not a quota error" "$(finding service-quota rule | wc -l)" "0"

# the burst goes on in a later file: the same finding grows, nothing is duplicated
id_before=$(finding api-throttling finding_id event_count | grep '|4$' | cut -d'|' -f1)
mk "$T/thr2.json" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"DescribeSnapshots\", \"errorCode\": \"Client.RequestLimitExceeded\", \"t\": \"2026-11-04T12:05:00Z\"}" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"DescribeSnapshots\", \"errorCode\": \"Client.RequestLimitExceeded\", \"t\": \"2026-11-04T12:09:00Z\"}"
ts -q ingest "$T/thr2.json"
run_ts 0 scan
contains "an incremental scan reads only the 2 new events" "$T/err" "scan: 2 events read"
same "a continued burst stays one finding, now of 6 events" \
	"$(finding api-throttling finding_id event_count | grep "^$id_before|")" "$id_before|6"
same "no finding is duplicated" "$(sql 'SELECT count(*) - count(DISTINCT rule || key) FROM findings')" "0"
# 12:09 bridges to 12:20? no: 11 minutes apart, still two bursts
same "bursts stay split across the 5-minute gap" "$(finding api-throttling event_count | sort -n | tr '\n' ' ')" "1 1 1 6 "
before=$(sql "SELECT group_concat(finding_id || ':' || event_count) FROM (SELECT * FROM findings ORDER BY finding_id)")
run_ts 0 scan --all
same "scan --all recomputes the same findings with the same ids" \
	"$(sql "SELECT group_concat(finding_id || ':' || event_count) FROM (SELECT * FROM findings ORDER BY finding_id)")" "$before"

# service-quota: quota and capacity, each once per group
rm -f "$DB"
mk "$T/quota.json" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"RunInstances\", \"errorCode\": \"Client.VcpuLimitExceeded\"}" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"RunInstances\", \"errorCode\": \"Client.VcpuLimitExceeded\", \"t\": \"2026-11-03T10:05:00Z\"}" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"CreateSnapshot\", \"errorCode\": \"Client.SnapshotLimitExceeded\"}" \
	"{\"who\": \"user:erin\", \"eventName\": \"RunInstances\", \"errorCode\": \"Server.InsufficientInstanceCapacity\"}" \
	"{\"who\": \"user:erin\", \"eventSource\": \"kms.amazonaws.com\", \"eventName\": \"CreateKey\", \"errorCode\": \"LimitExceededException\"}" \
	"{\"who\": \"user:erin\", \"eventSource\": \"servicequotas.amazonaws.com\", \"eventName\": \"X\", \"errorCode\": \"ServiceQuotaExceededException\"}"
ts -q ingest "$T/quota.json"
ts -q scan
same "service-quota: quota errors high (critical for MGN), capacity medium" \
	"$(finding service-quota severity error_code event_count | sort)" \
	"critical|Client.SnapshotLimitExceeded|1
critical|Client.VcpuLimitExceeded|2
high|LimitExceededException|1
high|ServiceQuotaExceededException|1
medium|Server.InsufficientInstanceCapacity|1"
same "api-throttling: a quota error is not a throttle" "$(finding api-throttling rule | wc -l)" "0"

# replication-invalid-tags
rm -f "$DB"
K128=$(python3 -c 'print("가" * 128)')
K129=$(python3 -c 'print("a" * 129)')
V257=$(python3 -c 'print("v" * 257)')
URC='"eventSource": "mgn.amazonaws.com", "eventName": "UpdateReplicationConfiguration"'
mk "$T/tags.json" \
	"{\"who\": \"user:admin\", $URC, \"t\": \"2026-11-04T08:00:00Z\", \"params\": {\"sourceServerID\": \"s-1\", \"stagingAreaTags\": {\"Cost#Center\": \"a\", \"ok\": \"x😀\"}}}" \
	"{\"who\": \"user:admin\", $URC, \"t\": \"2026-11-04T08:01:00Z\", \"params\": {\"sourceServerID\": \"s-2\", \"stagingAreaTags\": {\"Owner\": \"José\", \"팀\": \"마이그레이션\", \"n\": \"٣३\", \"$K128\": \"ok\", \"a b_c.d:e/f=g+h-i@j\": \"v\"}}}" \
	"{\"who\": \"user:admin\", $URC, \"t\": \"2026-11-04T08:02:00Z\", \"params\": {\"sourceServerID\": \"s-3\", \"stagingAreaTags\": {\"aws:team\": \"x\", \"$K129\": \"y\", \"k\": \"$V257\", \"\": \"e\"}}}" \
	"{\"who\": \"user:admin\", \"eventSource\": \"drs.amazonaws.com\", \"eventName\": \"CreateReplicationConfigurationTemplate\", \"t\": \"2026-11-04T08:03:00Z\", \"params\": {\"stagingAreaTags\": {\"a!\": \"b\"}, \"tags\": {\"t*\": \"c\"}}}" \
	"{\"who\": \"user:admin\", $URC, \"t\": \"2026-11-04T08:04:00Z\", \"errorCode\": \"ValidationException\", \"errorMessage\": \"Invalid tag key: contains invalid characters\", \"params\": {\"sourceServerID\": \"s-4\", \"stagingAreaTags\": \"HIDDEN_DUE_TO_SECURITY_REASONS\"}}" \
	"{\"who\": \"user:admin\", $URC, \"t\": \"2026-11-04T09:00:00Z\", \"params\": {\"sourceServerID\": \"s-5\", \"stagingAreaTags\": \"HIDDEN_DUE_TO_SECURITY_REASONS\"}}" \
	"{\"who\": \"user:admin\", \"eventSource\": \"drs.amazonaws.com\", \"eventName\": \"UpdateReplicationConfigurationTemplate\", \"awsRegion\": \"eu-west-1\", \"t\": \"2026-11-04T09:00:00Z\", \"params\": {\"stagingAreaTags\": \"HIDDEN_DUE_TO_SECURITY_REASONS\"}}" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"CreateVolume\", \"errorCode\": \"Client.InvalidParameterValue\", \"errorMessage\": \"Tag value contains invalid characters\", \"t\": \"2026-11-04T09:10:00Z\"}" \
	"{\"who\": \"user:zed\", \"eventName\": \"CreateVolume\", \"errorCode\": \"Client.InvalidParameterValue\", \"t\": \"2026-11-04T09:11:00Z\"}"
ts -q ingest "$T/tags.json"
ts -q scan
finding replication-invalid-tags severity event_name event_count summary > "$T/tags.out"
contains "invalid '#' named with its code point" "$T/tags.out" "^high\|UpdateReplicationConfiguration\|1\|.*for s-1 .*key 'Cost#Center': character '#' \(U\+0023\)"
python3 - "$DB" > "$T/issues" <<'PY'
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for (d,) in con.execute("SELECT details FROM findings WHERE rule = 'replication-invalid-tags'"):
    d = json.loads(d)
    for i in d["issues"]:
        print(d.get("source_server_id"), i["problem"], i.get("codepoint", "-"), i["key"][:12])
PY
contains "an emoji in a value is flagged" "$T/issues" "^s-1 bad_char U\+1F600 ok$"
if grep -q "^s-2 " "$T/issues"; then fail "valid Unicode tags (Korean, accents, other digits, 128 characters) pass"; else ok "valid Unicode tags (Korean, accents, other digits, 128 characters) pass"; fi
contains "a key starting with aws: is flagged" "$T/issues" "^s-3 reserved_prefix - aws:team$"
contains "a 129-character key is flagged" "$T/issues" "^s-3 key_too_long - aaaaaaaaaaaa$"
contains "a 257-character value is flagged" "$T/issues" "^s-3 value_too_long - k$"
contains "an empty key is flagged" "$T/issues" "^s-3 empty_key - $"
contains "every tag map is checked, not only stagingAreaTags" "$T/issues" "^None bad_char U\+002A t\*$"
contains "a call that failed for its tags is flagged" "$T/tags.out" "^medium\|UpdateReplicationConfiguration\|1\|.*for s-4 failed because of its tags: ValidationException"
contains "hidden tags, then EC2 tag errors by MGN within 24 h: raised, events linked" "$T/tags.out" \
	"^medium\|UpdateReplicationConfiguration\|2\|.*for s-5 changed replication settings with tags CloudTrail hides; then 1 EC2 call"
contains "hidden tags with no EC2 failure after: info" "$T/tags.out" "^info\|UpdateReplicationConfigurationTemplate\|1\|.*CloudTrail hides the tags"
same "hidden-tag change linked to the MGN failure, not to the user's" \
	"$(sql "SELECT count(*) FROM finding_events fe JOIN events e ON e.seq = fe.seq WHERE e.user_name = 'zed'")" "0"

# a later EC2 failure re-rates an earlier hidden change (group recomputed)
mk "$T/tags2.json" \
	"{\"who\": \"drs-slr\", \"awsRegion\": \"eu-west-1\", \"eventName\": \"CreateSnapshot\", \"errorCode\": \"Client.InvalidParameterValue\", \"t\": \"2026-11-04T10:00:00Z\"}"
ts -q ingest "$T/tags2.json"
ts -q scan
contains "a later EC2 tag failure raises the earlier hidden change" /dev/stdin "^medium\|UpdateReplicationConfigurationTemplate\|2\|" <<EOF2
$(finding replication-invalid-tags severity event_name event_count summary)
EOF2

# rules lists every rule
run_ts 0 rules
for r in ec2-access-denied api-throttling service-quota replication-invalid-tags; do
	contains "rules lists $r" "$T/out" "^$r "
done
run_ts 0 rules --verbose
contains "rules --verbose says what to do" "$T/out" "What to do:"
