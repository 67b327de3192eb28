# Rule replication-kms: the KMS key the replication path encrypts with,
# failing for MGN/DRS principals (also when EBS calls KMS on their behalf)
# or broken by a change. Traps: another application's denial, a change to
# another key, MGN/DRS's own successful calls, a failed change, a grant the
# store does not show was MGN/DRS's, EBS retiring its own grant. The key is
# named as ARN, alias or id in different events. Records in KMS's
# CloudTrail shape: requestParameters.keyId as given, the key's ARN in
# resources[] (fixtures/real/...log-examples.json; older records give it no
# type) and, since December 2022, in CreateGrant's responseElements.keyId
# (AWS KMS Developer Guide, CloudTrail examples "CreateGrant" and "Amazon EC2
# example two").
. "$(dirname "$0")/lib.sh"

mk() { python3 "$ROOT/tests/mkevents.py" "$@"; }
finding() { rule_findings replication-kms "$@"; } # FIELD...: one line per finding, oldest first
at() { grep "^$1|" "$T/f" | cut -d'|' -f2-; }

A=111122223333
K1=1234abcd-12ab-34cd-56ef-1234567890ab     # named by the replication template
K2=0987dcba-09fe-87dc-65ba-ab0987654321     # another application's key
K3=mrk-3333aaaa3333aaaa3333aaaa3333aaaa     # the account's EBS default key
ARN1="arn:aws:kms:us-east-1:$A:key/$K1"
ARN2="arn:aws:kms:us-east-1:$A:key/$K2"
ARN3="arn:aws:kms:us-east-1:$A:key/$K3"
REPL="arn:aws:iam::$A:role/service-role/AWSApplicationMigrationReplicationServerRole"
res() { echo "\"resources\": [{\"accountId\": \"$A\", \"type\": \"AWS::KMS::Key\", \"ARN\": \"$1\"}]"; }
kms() { # WHO TIME NAME KEYID RESOURCE-ARN [MORE]: a KMS record
	echo "{\"who\": \"$1\", \"t\": \"$2\", \"eventSource\": \"kms.amazonaws.com\", \"eventName\": \"$3\", \"params\": {\"keyId\": \"$4\"}, $(res "$5")${6:+, $6}}"
}
GDK=GenerateDataKeyWithoutPlaintext

mk "$T/kms.json" \
	"{\"who\": \"user:admin\", \"t\": \"2026-11-03T08:00:00Z\", \"eventSource\": \"mgn.amazonaws.com\", \"eventName\": \"UpdateReplicationConfigurationTemplate\", \"params\": {\"replicationConfigurationTemplateID\": \"rct-1\", \"ebsEncryption\": \"CUSTOM\", \"ebsEncryptionKeyArn\": \"$ARN1\"}}" \
	"$(kms ebs:mgn-repl 2026-11-03T08:30:00Z $GDK "$ARN1" "$ARN1")" \
	"$(kms ebs:mgn-slr 2026-11-03T08:31:00Z CreateGrant "$ARN1" "$ARN1" "\"responseElements\": {\"grantId\": \"g-ebs\"}")" \
	"$(kms user:jose 2026-11-03T09:00:00Z DisableKey "$K1" "$ARN1")" \
	"$(kms ebs:mgn-repl 2026-11-03T09:10:00Z $GDK alias/repl-key "$ARN1" '"errorCode": "DisabledException", "errorMessage": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab is disabled."')" \
	"$(kms ebs:mgn-repl 2026-11-03T09:11:00Z $GDK alias/repl-key "$ARN1" '"errorCode": "DisabledException", "resources": [{"ARN": "'"$ARN1"'", "accountId": "'"$A"'"}]')" \
	"$(kms role:AppRole 2026-11-03T09:12:00Z Decrypt "$K1" "$ARN1" '"errorCode": "AccessDeniedException"')" \
	"$(kms role:AppRole 2026-11-03T09:13:00Z Decrypt "$K2" "$ARN2")" \
	"$(kms user:jose 2026-11-03T09:14:00Z DisableKey "$K2" "$ARN2")" \
	"$(kms user:jose 2026-11-03T09:15:00Z ScheduleKeyDeletion "$ARN2" "$ARN2")" \
	"$(kms user:jose 2026-11-03T09:16:00Z PutKeyPolicy "$ARN1" "$ARN1")" \
	"$(kms user:jose 2026-11-03T09:17:00Z DisableKey "$K1" "$ARN1" '"errorCode": "AccessDeniedException"')" \
	"$(kms mgn-repl 2026-11-03T09:18:00Z Decrypt "$K1" "$ARN1" '"errorCode": "ThrottlingException"')" \
	"{\"who\": \"user:sec\", \"t\": \"2026-11-03T09:20:00Z\", \"eventSource\": \"kms.amazonaws.com\", \"eventName\": \"CreateGrant\", \"params\": {\"keyId\": \"$K1\", \"granteePrincipal\": \"$REPL\", \"operations\": [\"Decrypt\"]}, \"responseElements\": {\"grantId\": \"g-repl\", \"keyId\": \"$ARN1\"}, $(res "$ARN1")}" \
	"{\"who\": \"user:sec\", \"t\": \"2026-11-03T09:21:00Z\", \"eventSource\": \"kms.amazonaws.com\", \"eventName\": \"CreateGrant\", \"params\": {\"keyId\": \"$K1\", \"granteePrincipal\": \"arn:aws:iam::$A:role/AppRole\", \"operations\": [\"Decrypt\"]}, \"responseElements\": {\"grantId\": \"g-app\"}, $(res "$ARN1")}" \
	"{\"who\": \"user:jose\", \"t\": \"2026-11-03T09:22:00Z\", \"eventSource\": \"kms.amazonaws.com\", \"eventName\": \"RevokeGrant\", \"params\": {\"keyId\": \"$ARN1\", \"grantId\": \"g-repl\"}, $(res "$ARN1")}" \
	"{\"who\": \"user:jose\", \"t\": \"2026-11-03T09:23:00Z\", \"eventSource\": \"kms.amazonaws.com\", \"eventName\": \"RevokeGrant\", \"params\": {\"keyId\": \"$ARN1\", \"grantId\": \"g-app\"}, $(res "$ARN1")}" \
	"{\"who\": \"user:jose\", \"t\": \"2026-11-03T09:24:00Z\", \"eventSource\": \"kms.amazonaws.com\", \"eventName\": \"RevokeGrant\", \"params\": {\"keyId\": \"$ARN1\", \"grantId\": \"g-unknown\"}, $(res "$ARN1")}" \
	"{\"who\": \"ebs:mgn-slr\", \"t\": \"2026-11-03T09:25:00Z\", \"eventSource\": \"kms.amazonaws.com\", \"eventName\": \"RetireGrant\", \"params\": {\"keyId\": \"$ARN1\", \"grantId\": \"g-ebs\"}, $(res "$ARN1")}" \
	"{\"who\": \"mgn-slr\", \"t\": \"2026-11-03T09:30:00Z\", \"eventName\": \"CreateVolume\", \"params\": {\"size\": 8, \"zone\": \"us-east-1a\", \"encrypted\": true, \"kmsKeyId\": \"$ARN1\"}, \"errorCode\": \"Client.InvalidKMSKey.InvalidState\", \"errorMessage\": \"The KMS key provided is in an incorrect state\"}" \
	"{\"who\": \"mgn-slr\", \"t\": \"2026-11-03T09:31:00Z\", \"eventName\": \"CreateSnapshot\", \"params\": {\"volumeId\": \"vol-1\"}, \"errorCode\": \"Client.InvalidKMSKey.InvalidState\", \"errorMessage\": \"The KMS key provided is in an incorrect state\"}" \
	"{\"who\": \"user:carol\", \"t\": \"2026-11-03T09:32:00Z\", \"eventName\": \"CreateVolume\", \"params\": {\"kmsKeyId\": \"$ARN1\"}, \"errorCode\": \"Client.InvalidKMSKey.InvalidState\", \"errorMessage\": \"The KMS key provided is in an incorrect state\"}" \
	"{\"who\": \"user:admin\", \"t\": \"2026-11-03T10:00:00Z\", \"eventName\": \"ModifyEbsDefaultKmsKeyId\", \"params\": {\"kmsKeyId\": \"$K3\"}, \"responseElements\": {\"kmsKeyId\": \"$ARN3\"}}" \
	"$(kms user:jose 2026-11-03T10:05:00Z ScheduleKeyDeletion "$ARN3" "$ARN3" '"responseElements": {"keyId": "'"$ARN3"'", "deletionDate": "Dec 3, 2026, 12:00:00 AM"}')"
ts -q ingest "$T/kms.json"
run_ts 0 scan
finding first_time severity related event_count summary > "$T/f"

contains "DisableKey of the key the template names: high, says who and why it matters" "$T/f" \
	"^2026-11-03T09:00:00Z\|high\|True\|1\|kms:DisableKey: KMS key $K1 disabled by jose; the replication path uses it: named by mgn:UpdateReplicationConfigurationTemplate at 2026-11-03T08:00:00Z$"
contains "EBS's failures for the replication role, keyed by alias: one critical finding on the key" "$T/f" \
	"^2026-11-03T09:10:00Z\|critical\|True\|2\|since 2026-11-03 09:10Z, after arn:aws:iam::[0-9]*:user/jose disabled KMS key $K1 at 09:00Z: kms:$GDK failed 2 times for AWSApplicationMigrationReplicationServerRole on KMS key alias/repl-key: DisabledException \(2\); 2 through EBS on its behalf$"
same "another application's denial on the same key is not flagged" "$(at 2026-11-03T09:12:00Z)" ""
same "a change to another key is not flagged (DisableKey)" "$(at 2026-11-03T09:14:00Z)" ""
same "a change to another key is not flagged (ScheduleKeyDeletion)" "$(at 2026-11-03T09:15:00Z)" ""
contains "PutKeyPolicy on the key in use: medium" "$T/f" \
	"^2026-11-03T09:16:00Z\|medium\|True\|1\|kms:PutKeyPolicy: KMS key $ARN1 given a new key policy"
same "a failed DisableKey changed nothing" "$(at 2026-11-03T09:17:00Z)" ""
same "MGN's throttled call is no key failure" "$(at 2026-11-03T09:18:00Z)" ""
same "MGN/DRS's own successful calls are not flagged" "$(at 2026-11-03T08:30:00Z)$(at 2026-11-03T08:31:00Z)" ""
contains "revoking the grant made to the replication role: medium, names the grant" "$T/f" \
	"^2026-11-03T09:22:00Z\|medium\|True\|1\|kms:RevokeGrant: KMS key $ARN1 stripped of a grant to MGN/DRS \(revoked\) by jose \(grant g-repl\)"
same "revoking another application's grant is not flagged" "$(at 2026-11-03T09:23:00Z)" ""
same "revoking a grant the store has no CreateGrant for is not flagged" "$(at 2026-11-03T09:24:00Z)" ""
same "EBS retiring the grant it made for MGN is not flagged" "$(at 2026-11-03T09:25:00Z)" ""
contains "MGN's CreateVolume failing on the key's state: critical, on the key it named" "$T/f" \
	"^2026-11-03T09:30:00Z\|critical\|True\|1\|since 2026-11-03 09:30Z, after arn:aws:iam::[0-9]*:user/jose revoked grant g-unknown of KMS key $K1 at 09:24Z: ec2:CreateVolume failed 1 time for AWSServiceRoleForApplicationMigrationService on KMS key $ARN1: Client.InvalidKMSKey.InvalidState \(1\)$"
contains "an EC2 KMS failure that names no key: flagged all the same" "$T/f" \
	"^2026-11-03T09:31:00Z\|critical\|True\|1\|ec2:CreateSnapshot failed 1 time for AWSServiceRoleForApplicationMigrationService on a KMS key the records do not name"
same "another principal's EC2 KMS failure is not flagged" "$(at 2026-11-03T09:32:00Z)" ""
contains "deletion of the EBS default key (set by id, deleted by ARN): high, with its date" "$T/f" \
	"^2026-11-03T10:05:00Z\|high\|True\|1\|kms:ScheduleKeyDeletion: KMS key $ARN3 scheduled for deletion by jose, deletion on Dec 3, 2026, 12:00:00 AM; the replication path uses it: named by ec2:ModifyEbsDefaultKmsKeyId at 2026-11-03T10:00:00Z$"
same "nothing else is flagged" "$(wc -l < "$T/f" | tr -d ' ')" 7

same "a failure's details: key as given, normalised id, codes, EBS, evidence, cause (the DisableKey before it)" \
	"$(finding first_time details | grep '^2026-11-03T09:10:00Z' | cut -d'|' -f2- | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["key"], d["key_id"], d["action"], d["error_codes"], d["through_ebs"], d["key_in_use_by"]["settings_count"], "cause" in d, d["cause"] and d["cause"]["event_name"])')" \
	"alias/repl-key $K1 kms:$GDK {'DisabledException': 2} 2 1 True DisableKey"
same "a change's details: what showed the key in use" \
	"$(finding first_time details | grep '^2026-11-03T09:00:00Z' | cut -d'|' -f2- | python3 -c '
import json, sys
d = json.load(sys.stdin)
u = d["key_in_use_by"]
print(d["key"], d["key_id"], d["change"], d["who"], len(u["settings_calls"]), u["kms_calls"], u["grants"])')" \
	"$K1 $K1 DisableKey jose 1 5 1"
same "the rule is listed right after ec2-access-denied" "$(ts rules | head -2 | cut -d' ' -f1 | tr '\n' ' ')" \
	"ec2-access-denied replication-kms "

# "in use" learned late: a DisableKey read in scan 1, the settings call naming its key in scan 2
K4=44444444-4444-4444-4444-444444444444
ARN4="arn:aws:kms:us-east-1:$A:key/$K4"
rm -f "$DB"
mk "$T/late1.json" "$(kms user:jose 2026-11-04T09:00:00Z DisableKey "$K4" "$ARN4")"
mk "$T/late2.json" \
	"{\"who\": \"user:admin\", \"t\": \"2026-11-04T10:00:00Z\", \"eventSource\": \"drs.amazonaws.com\", \"eventName\": \"UpdateReplicationConfiguration\", \"params\": {\"sourceServerID\": \"s-1\", \"ebsEncryption\": \"CUSTOM\", \"ebsEncryptionKeyArn\": \"$ARN4\"}}"
ts -q ingest "$T/late1.json"
run_ts 0 scan
same "a DisableKey of a key nothing shows in use: not flagged" "$(finding event_name | tr '\n' ' ')" ""
ts -q ingest "$T/late2.json"
run_ts 0 scan
finding first_time severity summary > "$T/inc"
run_ts 0 scan --all
finding first_time severity summary > "$T/all"
contains "the settings call read later flags the earlier DisableKey" "$T/inc" \
	"^2026-11-04T09:00:00Z\|high\|kms:DisableKey: KMS key $K4 disabled by jose; the replication path uses it: named by drs:UpdateReplicationConfiguration at 2026-11-04T10:00:00Z$"
check "incremental equals scan --all" cmp -s "$T/inc" "$T/all"

# the real fixtures (Stratus Red Team detonations: EBS snapshots shared, IAM
# changes; the CLI's lookup-events example): no MGN/DRS key, nothing to flag
rm -f "$DB"
run_ts 0 -q ingest "$FIX/real/DataDog_stratus-red-team__docs_detonation-logs" \
	"$FIX/real/aws_aws-cli__awscli_examples_cloudtrail_lookup-events.json"
run_ts 0 scan
same "the real fixtures give no replication-kms finding" "$(finding event_name | wc -l | tr -d ' ')" 0

# attacker-written key names: a '|' keeps its group apart, escapes and bidi
# controls come out of every output visible and harmless
EVIL='alias/a|b\u001b]52;c;cHduZWQ=\u0007\u202ex\u009b31m'
rm -f "$DB"
mk "$T/evil.json" \
	"$(kms ebs:mgn-repl 2026-11-05T09:00:00Z Decrypt "$EVIL" "" '"errorCode": "AccessDeniedException", "resources": []')" \
	"$(kms ebs:mgn-repl 2026-11-05T09:01:00Z Decrypt alias/a "" '"errorCode": "AccessDeniedException", "resources": []')"
ts -q ingest "$T/evil.json"
run_ts 0 scan
same "a '|' in an alias is no group separator: two keys, two findings" "$(finding event_name | wc -l | tr -d ' ')" 2
run_ts 0 findings --rule replication-kms
check "findings: no raw escape, C1 or bidi control" python3 "$ROOT/tests/safebytes.py" term "$T/out"
run_ts 0 findings --rule replication-kms --format json
check "findings json: none either" python3 "$ROOT/tests/safebytes.py" json "$T/out"
same "details.key round-trips the alias as given" \
	"$(python3 -c 'import json,sys; print(sorted(ascii(json.loads(l)["details"]["key"]) for l in open(sys.argv[1])))' "$T/out")" \
	"[\"'alias/a'\", \"'alias/a|b\\\\x1b]52;c;cHduZWQ=\\\\x07\\\\u202ex\\\\x9b31m'\"]"
