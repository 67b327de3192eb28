# details.cause of replication-kms failures (issue 12 §1 with §2): the
# change that most plausibly made MGN/DRS's KMS calls fail, the latest at or
# before the group's first failure within 30 days: the key's DisableKey,
# ScheduleKeyDeletion, PutKeyPolicy, RevokeGrant, RetireGrant, or an IAM
# change to the failing role. Traps: a change after the first failure, a
# change to another key or role, one older than 30 days, none in the store
# (cause null, no guess). A cause read in a later scan than its failures,
# or earlier, gives what `scan --all` gives.
. "$(dirname "$0")/lib.sh"

mk() { python3 "$ROOT/tests/mkevents.py" "$@"; }
finding() { rule_findings replication-kms "$@"; } # FIELD...: one line per finding, oldest first
cause_of() { # FIRST_TIME: the cause of the failure finding that starts then, "event_name event_id who"
	finding first_time details | grep "^$1|" | cut -d'|' -f2- | python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    if d.get("kind") == "failure":
        c = d["cause"]
        print("null" if c is None else " ".join((c["event_name"], c["event_id"], c["who"])))'
}
summary_at() { finding first_time summary | grep "^$1|" | cut -d'|' -f2-; }

A=111122223333
JOSE="arn:aws:iam::$A:user/jose"
REPL=AWSApplicationMigrationReplicationServerRole
res() { echo "\"resources\": [{\"accountId\": \"$A\", \"type\": \"AWS::KMS::Key\", \"ARN\": \"arn:aws:kms:us-east-1:$A:key/$1\"}]"; }
kms() { # WHO TIME NAME KEYID KEY [MORE]: a KMS record; KEY the id its ARN in resources[] names
	echo "{\"who\": \"$1\", \"t\": \"$2\", \"eventSource\": \"kms.amazonaws.com\", \"eventName\": \"$3\", \"params\": {\"keyId\": \"$4\"}, $(res "$5")${6:+, $6}}"
}
iam() { # WHO TIME NAME ROLE ID
	echo "{\"who\": \"$1\", \"t\": \"$2\", \"eventSource\": \"iam.amazonaws.com\", \"eventName\": \"$3\", \"params\": {\"roleName\": \"$4\", \"policyArn\": \"arn:aws:iam::aws:policy/service-role/AWSApplicationMigrationReplicationServerPolicy\"}, \"id\": \"$5\"}"
}
GDK=GenerateDataKeyWithoutPlaintext
DENIED='"errorCode": "AccessDeniedException", "errorMessage": "User: arn:aws:sts::111122223333:assumed-role/AWSApplicationMigrationReplicationServerRole/i-0abc is not authorized to perform: kms:GenerateDataKeyWithoutPlaintext"'

mk "$T/failures.json" \
	"$(kms ebs:mgn-repl 2026-11-03T09:10:00Z $GDK alias/repl k-1 '"errorCode": "DisabledException"')" \
	"$(kms ebs:mgn-repl 2026-11-03T09:40:00Z $GDK alias/repl k-1 '"errorCode": "DisabledException"')" \
	"$(kms ebs:mgn-repl 2026-11-03T10:10:00Z $GDK k-5 k-5 '"errorCode": "DisabledException"')" \
	"$(kms mgn-repl 2026-11-03T11:10:00Z $GDK k-6 k-6 "$DENIED")" \
	"$(kms mgn-slr 2026-11-03T12:10:00Z Decrypt k-7 k-7 '"errorCode": "KMSInvalidStateException"')" \
	"$(kms mgn-slr 2026-11-03T13:10:00Z CreateGrant k-8 k-8 '"errorCode": "AccessDeniedException", "errorMessage": "User: arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForApplicationMigrationService/5f1c is not authorized to perform: kms:CreateGrant with an explicit deny in a service control policy"')"
mk "$T/changes.json" \
	"$(kms user:jose 2026-11-03T09:00:00Z DisableKey k-1 k-1 '"id": "c-disable-k1"')" \
	"$(kms user:jose 2026-11-03T08:00:00Z PutKeyPolicy k-1 k-1 '"id": "c-older-policy-k1"')" \
	"$(kms user:jose 2026-11-03T09:05:00Z DisableKey k-2 k-2 '"id": "c-disable-k2"')" \
	"$(kms user:jose 2026-11-03T09:20:00Z PutKeyPolicy k-1 k-1 '"id": "c-after-k1"')" \
	"$(kms user:jose 2026-11-03T09:01:00Z DisableKey k-1 k-1 '"id": "c-failed-k1", "errorCode": "AccessDeniedException"')" \
	"$(iam user:jose 2026-11-03T11:00:00Z DetachRolePolicy $REPL c-detach-repl)" \
	"$(iam user:jose 2026-11-03T11:05:00Z DetachRolePolicy AppRole c-detach-app)" \
	"$(kms user:jose 2026-10-01T12:00:00Z ScheduleKeyDeletion k-7 k-7 '"id": "c-too-old-k7"')" \
	"{\"who\": \"user:jose\", \"t\": \"2026-11-03T13:00:00Z\", \"eventSource\": \"organizations.amazonaws.com\", \"eventName\": \"UpdatePolicy\", \"params\": {\"policyId\": \"p-deny\", \"content\": \"{\\\"Statement\\\": []}\"}, \"id\": \"c-scp\"}"

check_causes() { # WHEN
	same "$1: the key's DisableKey before the first failure is the cause (not a later change, not another key's)" \
		"$(cause_of 2026-11-03T09:10:00Z)" "DisableKey c-disable-k1 $JOSE"
	contains "$1: the summary leads with it" "$T/s" \
		"^2026-11-03T09:10:00Z\|since 2026-11-03 09:10Z, after $JOSE .* at [0-9T:-]*09:00(:00)?Z: kms:$GDK failed 2 times for $REPL"
	same "$1: no change in the store: cause null, no guess" "$(cause_of 2026-11-03T10:10:00Z)" "null"
	contains "$1: and the summary says none" "$T/s" "^2026-11-03T10:10:00Z\|kms:$GDK failed 1 time"
	same "$1: an IAM change to the failing role is a cause; another role's is not" \
		"$(cause_of 2026-11-03T11:10:00Z)" "DetachRolePolicy c-detach-repl $JOSE"
	same "$1: a change older than 30 days is not a cause" "$(cause_of 2026-11-03T12:10:00Z)" "null"
	same "$1: a denial by a service control policy: the SCP's change is the cause" \
		"$(cause_of 2026-11-03T13:10:00Z)" "UpdatePolicy c-scp $JOSE"
}

# the changes read in a later scan than the failures they explain
ts -q ingest "$T/failures.json"
run_ts 0 scan
same "before the changes are read: no cause" "$(cause_of 2026-11-03T09:10:00Z)" "null"
ts -q ingest "$T/changes.json"
run_ts 0 scan
finding first_time severity summary details > "$T/inc"
finding first_time summary > "$T/s"
check_causes "changes read later"
run_ts 0 scan --all
finding first_time severity summary details > "$T/all"
check "changes read later: incremental equals scan --all" cmp -s "$T/inc" "$T/all"

# the changes read first
rm -f "$DB"
ts -q ingest "$T/changes.json"
run_ts 0 scan
ts -q ingest "$T/failures.json"
run_ts 0 scan
finding first_time severity summary details > "$T/inc2"
finding first_time summary > "$T/s"
check_causes "changes read first"
check "changes read first: the same findings as read later" cmp -s "$T/inc2" "$T/all"
