# The reading side of issue 12 ("Who broke it"): a finding's details.cause
# (src/cause.h) shown as a cause line in the report's text, HTML and JSON,
# the changes that caused findings marked in the source server's timeline,
# and the report's sections for replication-kms and staging-interference.
#
# The rules that write causes and the two new rules are built on other
# branches, so this test writes what they will write: real records are
# ingested and scanned into a real store, then a finding's details get a
# cause object (json_set) naming a real ingested DetachRolePolicy, and
# findings of the new rules are inserted the same way. The lead adds an
# end-to-end check (records in, causes out through `scan`) after the merge.
. "$(dirname "$0")/lib.sh"

mk() { python3 "$ROOT/tests/mkevents.py" "$@"; }
# write SQL: runs SQL on the store through Python's sqlite3 (another writer than trailsift)
write() {
	python3 - "$DB" "$1" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute(sys.argv[2])
con.commit()
PY
}
tag() { echo "{\"tagSpecificationSet\": {\"items\": [{\"resourceType\": \"$1\", \"tags\": [{\"key\": \"AWSApplicationMigrationServiceManaged\", \"value\": \"mgn.amazonaws.com\"}, {\"key\": \"AWSApplicationMigrationServiceSourceServerID\", \"value\": \"$2\"}]}]}}"; }
UO='"errorCode": "Client.UnauthorizedOperation", "errorMessage": "You are not authorized to perform this operation."'
IAM='"eventSource": "iam.amazonaws.com", "awsRegion": "us-east-1"'
ROLE=AWSApplicationMigrationReplicationServerRole
POLICY=arn:aws:iam::aws:policy/service-role/AWSApplicationMigrationReplicationServerPolicy
mk "$T/r.json" \
	"{\"id\": \"iam-detach-1\", \"who\": \"role:AWSReservedSSO_Admin\", $IAM, \"eventName\": \"DetachRolePolicy\", \"t\": \"2026-11-03T09:00:00Z\", \"params\": {\"roleName\": \"$ROLE\", \"policyArn\": \"$POLICY\"}}" \
	"{\"id\": \"iam-other-1\", \"who\": \"user:bob\", $IAM, \"eventName\": \"DetachRolePolicy\", \"t\": \"2026-11-03T09:05:00Z\", \"params\": {\"roleName\": \"SomeOtherRole\", \"policyArn\": \"$POLICY\"}}" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"CreateVolume\", \"t\": \"2026-11-03T08:00:00Z\", \"params\": $(tag volume s-aaa)}" \
	"{\"who\": \"mgn-repl\", \"eventName\": \"CreateSnapshot\", $UO, \"t\": \"2026-11-03T09:10:00Z\", \"params\": $(tag snapshot s-aaa)}" \
	"{\"who\": \"mgn-repl\", \"eventName\": \"CreateSnapshot\", $UO, \"t\": \"2026-11-03T09:12:00Z\", \"params\": $(tag snapshot s-aaa)}" \
	"{\"who\": \"mgn-repl\", \"eventName\": \"DeleteSnapshot\", $UO, \"t\": \"2026-11-03T09:20:00Z\", \"params\": {\"snapshotId\": \"snap-0a\"}}"
ts -q ingest "$T/r.json"
ts -q scan

SNAP=$(sql "SELECT finding_id FROM findings WHERE rule = 'ec2-access-denied' AND details LIKE '%CreateSnapshot%'")
OTHER=$(sql "SELECT finding_id FROM findings WHERE rule = 'ec2-access-denied' AND details LIKE '%DeleteSnapshot%'")
same "the store has the two denial findings to give causes" "$( [ -n "$SNAP" ] && [ -n "$OTHER" ] && echo yes)" "yes"
# end to end, before the test sets causes of its own: the scan found the
# detach of the denied role as the denials' cause, not the other role's
same "scan: the denial's cause is the detach from its role, by the SSO session" \
	"$(sql "SELECT json_extract(details, '\$.cause.event_id') || ' ' || json_extract(details, '\$.cause.event_name') FROM findings WHERE finding_id = $SNAP")" \
	"iam-detach-1 DetachRolePolicy"

# who and what as an attacker could shape them (a role session name and a
# policy name are the caller's to choose): ANSI and OSC 52, C1 CSI, bidi
# override, markup
WHO='jose\u001b[31m\u001b]52;c;cHduZWQ=\u0007\u009b1m\u202e<script>alert(1)</script>'
WHAT='detached AWSApplicationMigrationReplicationServerPolicy from AWSApplicationMigrationReplicationServerRole <b>&'
write "UPDATE findings SET details = json_set(details, '\$.cause', json('{\"event_id\": \"iam-detach-1\",
	\"event_source\": \"iam.amazonaws.com\", \"event_name\": \"DetachRolePolicy\", \"time\": \"2026-11-03T09:00:00Z\",
	\"who\": \"$WHO\", \"what\": \"$WHAT\"}')) WHERE finding_id = $SNAP"
# a finding whose cause the store could not find says null: no line
write "UPDATE findings SET details = json_set(details, '\$.cause', json('null')) WHERE finding_id = $OTHER"

# findings of the two new rules, as they will be written: copies of a real
# finding under the new rule ids (one KMS failure with a cause too)
newrule() { # RULE KEY SEVERITY SEVERITY_RANK SUMMARY
	write "INSERT INTO findings (rule, key, group_key, severity, severity_rank, event_id, event_ids, event_count,
		first_time, last_time, first_time_ms, last_time_ms, account, region, principal, event_source, event_name,
		error_code, related, summary, details, created_scan, updated_scan)
		SELECT '$1', '$2', '$2', '$3', $4, event_id, event_ids, event_count, first_time, last_time, first_time_ms,
		last_time_ms, account, region, principal, event_source, event_name, error_code, related, '$5', details,
		created_scan, updated_scan FROM findings WHERE finding_id = $SNAP"
}
newrule replication-kms k1 critical 4 'kms:CreateGrant denied to the replication role'
newrule staging-interference i1 high 3 'janitor-lambda terminated replication server i-0rs'
KMS=$(sql "SELECT finding_id FROM findings WHERE rule = 'replication-kms'")
write "UPDATE findings SET details = json_remove(details, '\$.cause') WHERE rule = 'staging-interference'"
write "INSERT INTO finding_events (finding_id, seq) SELECT $KMS, seq FROM finding_events WHERE finding_id = $SNAP"

# the report: text
run_ts 0 report
cp "$T/out" "$T/text"
ID_RE='\(event iam-detach-1, DetachRolePolicy\)$'
contains "text: the finding's cause line: who, what, when, which event" "$T/text" \
	"^       cause: jose\\\\x1b\[31m\\\\x1b\]52;c;cHduZWQ=\\\\x07\\\\u009b1m\\\\u202e<script>alert\(1\)</script> detached AWSApplicationMigrationReplicationServerPolicy from AWSApplicationMigrationReplicationServerRole <b>& at 2026-11-03T09:00:00Z $ID_RE"
same "text: a cause line under each finding that has a cause (the denial and the KMS failure), none for null" \
	"$(grep -c '^       cause: ' "$T/text")" "2"
same "text: the cause line follows its finding" \
	"$(grep -B1 '^       cause: ' "$T/text" | grep -Ec '^     - CRITICAL (since .*: )?(ec2:CreateSnapshot|kms:CreateGrant) denied')" "2"
safe_term() {
	if python3 "$ROOT/tests/safebytes.py" "$1" "$3" > "$T/why"; then ok "$2"; else fail "$2"; sed 's/^/#   /' "$T/why"; fi
}
safe_term term "text: nothing in the cause line a terminal acts on" "$T/text"
same "text: the sections in the order of the checks (KMS after permissions, interference after the network)" \
	"$(grep -E '^  [0-9]+\. ' "$T/text" | sed 's/ \[.*//')" \
	"  1. Missing EC2 permissions
  2. KMS keys on the replication path
  7. Someone else removing the staging area's resources"
contains "text: the KMS section lists its finding" "$T/text" "^KMS keys on the replication path \[CRITICAL\]"
contains "text: the KMS section's next step" "$T/text" "Next step: Check the key.s state and policy \\(aws kms describe-key"
contains "text: the interference section lists its finding" "$T/text" \
	"^Someone else removing the staging area's resources \[HIGH\]"
contains "text: the interference section's next step" "$T/text" "Next step: Find the cleanup script, Lambda or person named in .who."
contains "text: the verdict names the new sections" "$T/text" \
	"The evidence points to: Missing EC2 permissions, KMS keys on the replication path, .*Someone else removing"

# the report: JSON carries the cause object as the finding has it
run_ts 0 report --format json
cp "$T/out" "$T/json"
safe_term jsondoc "json: no raw control or bidi character" "$T/json"
python3 - "$T/json" "$SNAP" > "$T/check" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cs = {c["id"]: c for c in d["causes"]}
print([c["id"] for c in d["causes"]])
c = [f for f in cs["permissions"]["worst_findings"] if "CreateSnapshot" in f["summary"]][0]["details"]["cause"]
print(c["who"] == "jose\x1b[31m\x1b]52;c;cHduZWQ=\x07\x9b1m\u202e<script>alert(1)</script>", c["event_id"], c["event_name"],
      c["time"], sorted(c))
print([f["summary"] for f in cs["kms"]["worst_findings"]], cs["kms"]["evident"], cs["kms"]["rule"],
      [f["summary"] for f in cs["interference"]["worst_findings"]], cs["interference"]["rule"])
print([f["details"].get("cause", "absent") for f in cs["permissions"]["worst_findings"] if "DeleteSnapshot" in f["summary"]])
area = d["areas"][0]["causes"]
print([x["id"] for x in area if x["evident"]])
PY
same "json: the sections, the cause object as is, the new rules in theirs" "$(cat "$T/check")" \
	"['permissions', 'kms', 'quotas', 'throttling', 'settings', 'network', 'interference', 'backlog']
True iam-detach-1 DetachRolePolicy 2026-11-03T09:00:00Z ['event_id', 'event_name', 'event_source', 'time', 'what', 'who']
['kms:CreateGrant denied to the replication role'] True replication-kms ['janitor-lambda terminated replication server i-0rs'] staging-interference
[None]
['permissions', 'kms', 'interference']"

# the report: HTML
run_ts 0 report --format html
cp "$T/out" "$T/html"
contains "html: the cause line, escaped" "$T/html" \
	'<br><span class="cause">cause: jose\\x1b\[31m\\x1b\]52;c;cHduZWQ=\\x07\\u009b1m\\u202e&lt;script&gt;alert\(1\)&lt;/script&gt; detached AWSApplicationMigrationReplicationServerPolicy from AWSApplicationMigrationReplicationServerRole &lt;b&gt;&amp; at 2026-11-03T09:00:00Z \(event <code>iam-detach-1</code>, DetachRolePolicy\)</span>'
if grep -q '<script>\|<b>&' "$T/html"; then fail "html: no raw markup from who or what"; else ok "html: no raw markup from who or what"; fi
safe_term term "html: bidi and controls shown, not obeyed" "$T/html"
contains "html: the KMS section" "$T/html" "<h3>KMS keys on the replication path <span class=\"sev critical\">"
contains "html: the interference section" "$T/html" "<h3>Someone else removing the staging area&#39;s resources <span class=\"sev high\">"
contains "html: the server's table marks the cause" "$T/html" \
	"<td>iam:DetachRolePolicy</td>.*<span class=\"cause\">cause of findings $SNAP, $KMS</span>"

# the timeline: the change that caused findings on s-aaa's events, at its time
run_ts 0 timeline --source-server s-aaa
cp "$T/out" "$T/tl"
same "timeline text: the cause among the server's events, in time order" \
	"$(grep -E '^  2026' "$T/tl" | awk '{print $1 " " $2}')" \
	"2026-11-03T08:00:00Z ec2:CreateVolume
2026-11-03T09:00:00Z iam:DetachRolePolicy
2026-11-03T09:10:00Z ec2:CreateSnapshot
2026-11-03T09:12:00Z ec2:CreateSnapshot"
same "timeline text: a marker under the change names the findings it caused" \
	"$(grep -A1 'iam:DetachRolePolicy' "$T/tl" | tail -1)" "      * cause of findings $SNAP, $KMS"
contains "timeline text: the counts are the server's own events" "$T/tl" "^Source server s-aaa: 3 events, "
if grep -q 'SomeOtherRole\|09:05:00Z' "$T/tl"; then fail "timeline: a change no finding names is not listed"
else ok "timeline: a change no finding names is not listed"; fi
run_ts 0 timeline --source-server s-aaa --format json
safe_term jsondoc "timeline json: no raw control or bidi character" "$T/out"
python3 - "$T/out" "$SNAP" "$KMS" > "$T/check" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["events"]
cause = [e for e in ev if "cause_of" in e]
print(d["event_count"], len(ev), [e["event_id"] for e in cause], cause[0]["cause_of"] == [int(sys.argv[2]), int(sys.argv[3])],
      cause[0]["findings"], cause[0]["who"], [e["time"] for e in ev] == sorted(e["time"] for e in ev))
PY
same "timeline json: the cause event with cause_of, outside the counts" "$(cat "$T/check")" \
	"3 4 ['iam-detach-1'] True [] AWSReservedSSO_Admin True"
run_ts 0 timeline --source-server s-aaa --since 2026-11-03T09:05:00Z
contains "timeline --since: a cause before since still explains the findings after it" "$T/out" \
	"^  2026-11-03T09:00:00Z  iam:DetachRolePolicy"
run_ts 0 report --format json
same "report json: the server's timeline carries the cause too" \
	"$(python3 -c 'import json,sys; print([e["event_id"] for s in json.load(open(sys.argv[1]))["source_servers"] for e in s["events"] if "cause_of" in e])' "$T/out")" \
	"['iam-detach-1']"

# a cause naming an event the store does not hold lists nothing (and breaks nothing)
write "UPDATE findings SET details = json_set(details, '\$.cause.event_id', 'no-such-event') WHERE finding_id = $KMS"
run_ts 0 timeline --source-server s-aaa
same "timeline: a cause the store does not hold is not listed; the other still is" \
	"$(grep -A1 'iam:DetachRolePolicy' "$T/out" | tail -1)" "      * cause of finding $SNAP"
