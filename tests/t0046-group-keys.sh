# Group keys are unambiguous for any bytes (issue 10, defect 1): a '|' in an
# IAM role path (IAM allows it) or a NUL byte in a role ARN must not lose the
# ec2-access-denied, service-quota and api-throttling findings, nor merge two
# roles that differ only after the NUL.
. "$(dirname "$0")/lib.sh"

mk() { python3 "$ROOT/tests/mkevents.py" "$@"; }

# A real AssumedRole identity whose role ARN is $1 (a JSON string literal).
who() {
	printf '"userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:i-0abc", "arn": "arn:aws:sts::111122223333:assumed-role/Recon/i-0abc", "accountId": "111122223333", "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE", "arn": %s, "accountId": "111122223333", "userName": "Recon"}}}' "$1"
}
PIPE=$(who '"arn:aws:iam::111122223333:role/a|b/Recon"')
NUL1=$(who '"arn:aws:iam::111122223333:role/x\u0000y/Recon"')
NUL2=$(who '"arn:aws:iam::111122223333:role/x\u0000z/Recon"')
PIPE2=$(who '"arn:aws:iam::111122223333:role/a/b|Recon"')
specs=""
for w in PIPE NUL1 NUL2 PIPE2; do
	eval "id=\$$w"
	mk "$T/$w.json" \
		"{$id, \"errorCode\": \"Client.UnauthorizedOperation\", \"errorMessage\": \"no identity-based policy allows the ec2:CreateSnapshot action\", \"t\": \"2026-11-03T10:00:00Z\"}" \
		"{$id, \"eventName\": \"RunInstances\", \"errorCode\": \"Client.VcpuLimitExceeded\", \"t\": \"2026-11-03T10:01:00Z\"}" \
		"{$id, \"eventName\": \"DescribeSnapshots\", \"errorCode\": \"Client.RequestLimitExceeded\", \"t\": \"2026-11-03T10:02:00Z\"}"
done
ts -q ingest "$T"/*.json
same "the role ARNs are stored whole, NUL byte included" \
	"$(sql "SELECT count(DISTINCT hex(session_issuer_arn)) FROM event_fields")" "4"
run_ts 0 scan
for r in ec2-access-denied service-quota api-throttling; do
	same "$r: one finding per role, '|' and NUL included" \
		"$(sql "SELECT count(*), sum(event_count) FROM findings WHERE rule = '$r'")" "4|4"
done
same "every event is in a finding" \
	"$(sql "SELECT count(DISTINCT seq) FROM finding_events")" "12"
same "a '|' in a field is escaped in the key" \
	"$(sql "SELECT key FROM findings WHERE rule = 'ec2-access-denied' AND key LIKE '%role/a\\|b/Recon%'")" \
	'111122223333|us-east-1|arn:aws:iam::111122223333:role/a\|b/Recon|CreateSnapshot'
same "a NUL byte in a field is escaped in the key" \
	"$(sql "SELECT key FROM findings WHERE rule = 'ec2-access-denied' AND key LIKE '%x\\0y%'")" \
	'111122223333|us-east-1|arn:aws:iam::111122223333:role/x\0y/Recon|CreateSnapshot'
same "the principal is shown up to the NUL byte" \
	"$(sql "SELECT DISTINCT principal FROM findings WHERE key LIKE '%x\\0%'")" \
	"arn:aws:iam::111122223333:role/x"
run_ts 0 scan --all
same "scan --all finds the same" \
	"$(sql "SELECT count(*), sum(event_count) FROM findings")" "12|12"
