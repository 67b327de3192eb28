# Causes (src/cause.h) end to end: ec2-access-denied findings carry the
# change that made the calls fail as details.cause and lead their text with
# it; the traps give none; a cause and its failures read in different scans,
# in either order, give what `scan --all` gives; on the real fixtures the
# Stratus role changes are the cause of no unrelated denial.
. "$(dirname "$0")/lib.sh"

mk() { python3 "$ROOT/tests/mkevents.py" "$@"; }
causes() { # one line per ec2-access-denied finding: principal name|event name|cause who|cause what (- for null)
	ts findings --rule ec2-access-denied --format json | python3 -c '
import json, sys
for line in sys.stdin:
    f = json.loads(line)
    d = json.loads(f["details"]) if isinstance(f["details"], str) else f["details"]
    c = d["cause"]
    print("|".join([d["principal_name"], f["event_name"], c["who"] if c else "-", c["what"] if c else "-"]))' | sort
}
snapshot() { # the findings as `scan --all` would compare them: no ids, no scan numbers
	sql "SELECT rule, key, severity, event_count, first_time, last_time, summary, details FROM findings ORDER BY rule, key"
}

ROLE=AWSApplicationMigrationReplicationServerRole
MGNPOL=arn:aws:iam::aws:policy/AWSApplicationMigrationReplicationServerPolicy
JOSE='"userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:jose@example.com", "arn": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0a1b/jose@example.com", "accountId": "111122223333", "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0a1b", "userName": "AWSReservedSSO_AdministratorAccess_0a1b"}}}'
UO='"errorCode": "Client.UnauthorizedOperation", "errorMessage": "You are not authorized to perform this operation. User: X is not authorized to perform: ec2:CreateSnapshot because no identity-based policy allows the ec2:CreateSnapshot action"'
SCP='"errorCode": "Client.UnauthorizedOperation", "errorMessage": "You are not authorized to perform this operation. User: X is not authorized to perform: ec2:CreateVolume with an explicit deny in a service control policy"'

mk "$T/failures.json" \
	"{\"who\": \"mgn-repl\", $UO, \"t\": \"2026-11-03T09:10:00Z\"}" \
	"{\"who\": \"mgn-repl\", $UO, \"t\": \"2026-11-03T09:20:00Z\"}" \
	"{\"who\": \"role:Builder\", \"eventName\": \"CreateVolume\", $SCP, \"t\": \"2026-11-03T09:10:00Z\"}" \
	"{\"who\": \"role:Lonely\", \"eventName\": \"AttachVolume\", $UO, \"t\": \"2026-11-03T09:10:00Z\"}" \
	"{\"who\": \"user:bob\", \"eventName\": \"RunInstances\", $UO, \"t\": \"2026-11-03T09:10:00Z\"}"
mk "$T/changes.json" \
	"{$JOSE, \"eventSource\": \"iam.amazonaws.com\", \"eventName\": \"DetachRolePolicy\", \"t\": \"2026-11-03T09:00:00Z\", \"params\": {\"roleName\": \"$ROLE\", \"policyArn\": \"$MGNPOL\"}}" \
	"{$JOSE, \"eventSource\": \"iam.amazonaws.com\", \"eventName\": \"PutRolePolicy\", \"t\": \"2026-11-03T09:05:00Z\", \"params\": {\"roleName\": \"Lonelier\", \"policyName\": \"deny\", \"policyDocument\": \"{}\"}}" \
	"{$JOSE, \"eventSource\": \"iam.amazonaws.com\", \"eventName\": \"PutRolePolicy\", \"t\": \"2026-11-03T09:15:00Z\", \"params\": {\"roleName\": \"Lonely\", \"policyName\": \"deny\", \"policyDocument\": \"{}\"}}" \
	"{$JOSE, \"eventSource\": \"iam.amazonaws.com\", \"eventName\": \"DeleteRolePolicy\", \"t\": \"2026-11-03T09:06:00Z\", \"params\": {\"roleName\": \"Lonely\", \"policyName\": \"allow\"}, \"errorCode\": \"AccessDenied\", \"errorMessage\": \"no\"}" \
	"{\"who\": \"user:admin\", \"eventSource\": \"organizations.amazonaws.com\", \"eventName\": \"DetachPolicy\", \"t\": \"2026-11-03T08:00:00Z\", \"params\": {\"policyId\": \"p-FullAWSAccess\", \"targetId\": \"111122223333\"}}"

ts -q ingest "$T/failures.json" "$T/changes.json"
run_ts 0 scan
same "each denial's cause: the detach, the SCP change; none for a later, failed or other role's change, or a user" \
	"$(causes)" \
	"AWSApplicationMigrationReplicationServerRole|CreateSnapshot|jose@example.com|detached AWSApplicationMigrationReplicationServerPolicy from AWSApplicationMigrationReplicationServerRole
Builder|CreateVolume|arn:aws:iam::111122223333:user/admin|detached SCP p-FullAWSAccess from 111122223333
Lonely|AttachVolume|-|-
bob|RunInstances|-|-"
ts findings --rule ec2-access-denied > "$T/text"
contains "the finding's text leads with the cause" "$T/text" \
	"since 2026-11-03 09:10Z, after jose@example.com detached AWSApplicationMigrationReplicationServerPolicy from AWSApplicationMigrationReplicationServerRole at 09:00Z: ec2:CreateSnapshot denied 2 times to AWSApplicationMigrationReplicationServerRole: no identity-based policy allows it"
contains "without a cause the text is what it was" "$T/text" "ec2:AttachVolume denied 1 time to Lonely: no identity-based policy allows it"
same "details.cause names the event" \
	"$(sql "SELECT json_extract(details, '$.cause.event_source'), json_extract(details, '$.cause.event_name'), json_extract(details, '$.cause.time') FROM findings WHERE event_name = 'CreateSnapshot'")" \
	"iam.amazonaws.com|DetachRolePolicy|2026-11-03T09:00:00Z"
same "details.cause is null, not absent, without a cause" \
	"$(sql "SELECT json_type(details, '$.cause') FROM findings WHERE event_name = 'RunInstances'")" "null"
snapshot > "$T/one-scan"

# the same records in two scans, in either order, and then scan --all
for order in "changes failures" "failures changes"; do
	rm -f "$DB"
	for f in $order; do
		ts -q ingest "$T/$f.json"
		ts -q scan
	done
	snapshot > "$T/incr"
	same "$order in two scans: the causes of one scan" "$(cat "$T/incr")" "$(cat "$T/one-scan")"
	ts -q scan --all
	same "$order in two scans: what scan --all gives" "$(snapshot)" "$(cat "$T/incr")"
done

# failures in two scans (the second adds to the finding), the cause in between
rm -f "$DB"
mk "$T/more.json" "{\"who\": \"mgn-repl\", $UO, \"t\": \"2026-11-03T09:30:00Z\"}"
ts -q ingest "$T/failures.json"; ts -q scan
ts -q ingest "$T/changes.json"; ts -q scan
ts -q ingest "$T/more.json"; ts -q scan
snapshot > "$T/incr"
contains "a finding extended keeps its cause" "$T/incr" "since 2026-11-03 09:10Z, after jose@example.com detached.*denied 3 times"
ts -q scan --all
same "a finding extended: what scan --all gives" "$(snapshot)" "$(cat "$T/incr")"

# a policy's new default version: a cause once the store shows it attached,
# even when the attachment is read last
rm -f "$DB"
POL=arn:aws:iam::111122223333:policy/mgn-extra
mk "$T/version.json" \
	"{\"who\": \"role:Helper\", \"eventName\": \"CreateVolume\", $UO, \"t\": \"2026-11-03T09:10:00Z\"}" \
	"{$JOSE, \"eventSource\": \"iam.amazonaws.com\", \"eventName\": \"CreatePolicyVersion\", \"t\": \"2026-11-03T09:00:00Z\", \"params\": {\"policyArn\": \"$POL\", \"policyDocument\": \"{}\", \"setAsDefault\": true}}"
mk "$T/attach.json" \
	"{$JOSE, \"eventSource\": \"iam.amazonaws.com\", \"eventName\": \"AttachRolePolicy\", \"t\": \"2026-10-01T09:00:00Z\", \"params\": {\"roleName\": \"Helper\", \"policyArn\": \"$POL\"}}"
ts -q ingest "$T/version.json"; ts -q scan
same "a policy version without an attachment in the store: no cause" "$(causes)" "Helper|CreateVolume|-|-"
ts -q ingest "$T/attach.json"; ts -q scan
same "the attachment read later makes it the cause" "$(causes)" \
	"Helper|CreateVolume|jose@example.com|made a new default version of policy mgn-extra, attached to Helper"
snapshot > "$T/incr"
ts -q scan --all
same "the attachment read later: what scan --all gives" "$(snapshot)" "$(cat "$T/incr")"

# real records: the Stratus detonations change roles of their own; no denial of another role takes them
rm -f "$DB"
ts -q ingest "$FIX/real" 2> /dev/null
ts -q scan
causes > "$T/real"
same "real fixtures: three Stratus denials, of roles the detonations did not change" "$(cut -d'|' -f1 "$T/real" | tr '\n' ' ')" \
	"stratus-red-team-ec2-get-password-data-role stratus-red-team-ec2lui-role-idtzskbvtd stratus-red-team-get-usr-data-role "
same "real fixtures: the Stratus role changes are none of their causes" "$(grep -v '|-|-$' "$T/real")" ""
# a denial of the role a real UpdateAssumeRolePolicy changed, an hour later: that record is its cause
cat > "$T/stratus-denial.json" <<'EOF'
{"Records": [{"eventVersion": "1.09", "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:s",
 "arn": "arn:aws:sts::751203476945:assumed-role/stratus-red-team-backdoor-r-role/s", "accountId": "751203476945",
 "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::751203476945:role/stratus-red-team-backdoor-r-role",
 "accountId": "751203476945", "userName": "stratus-red-team-backdoor-r-role"}}},
 "eventTime": "2024-08-01T14:30:00Z", "eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances",
 "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.15.0",
 "errorCode": "Client.UnauthorizedOperation", "errorMessage": "You are not authorized to perform this operation.",
 "requestParameters": null, "responseElements": null, "requestID": "r-1", "eventID": "6b1f3e4e-0d4c-4c55-9d0e-stratus-denial",
 "readOnly": true, "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "751203476945"}]}
EOF
ts -q ingest "$T/stratus-denial.json"
ts -q scan
same "a denial of the role a real record changed: that change is its cause" "$(causes | grep backdoor)" \
	"stratus-red-team-backdoor-r-role|DescribeInstances|arn:aws:iam::751203476945:user/christophe|changed the trust policy of stratus-red-team-backdoor-r-role"
same "and still none for the others" "$(causes | grep -v backdoor | grep -v '|-|-$')" ""
