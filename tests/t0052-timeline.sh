# trailsift timeline --source-server: every event naming one source server,
# in time order, with the findings on each marked; text and JSON; usage.
# The multi-server records are written here at run time by tests/mkevents.py
# (synthetic: three source servers, one id a prefix of another).
. "$(dirname "$0")/lib.sh"

mk() { python3 "$ROOT/tests/mkevents.py" "$@"; }
tag() { echo "{\"tagSpecificationSet\": {\"items\": [{\"resourceType\": \"$1\", \"tags\": [{\"key\": \"AWSApplicationMigrationServiceManaged\", \"value\": \"mgn.amazonaws.com\"}, {\"key\": \"AWSApplicationMigrationServiceSourceServerID\", \"value\": \"$2\"}]}]}}"; }
URC='"eventSource": "mgn.amazonaws.com", "eventName": "UpdateReplicationConfiguration"'
UO='"errorCode": "Client.UnauthorizedOperation", "errorMessage": "You are not authorized to perform this operation."'
mk "$T/multi.json" \
	"{\"who\": \"user:admin\", \"eventSource\": \"mgn.amazonaws.com\", \"eventName\": \"StartReplication\", \"t\": \"2026-11-03T10:00:00Z\", \"params\": {\"sourceServerID\": \"s-aaa\"}}" \
	"{\"who\": \"user:admin\", \"eventSource\": \"mgn.amazonaws.com\", \"eventName\": \"StartReplication\", \"t\": \"2026-11-03T10:00:30Z\", \"params\": {\"sourceServerID\": \"s-aaab\"}}" \
	"{\"who\": \"user:admin\", \"eventSource\": \"mgn.amazonaws.com\", \"eventName\": \"MarkAsArchived\", \"t\": \"2026-11-03T09:00:00Z\", \"params\": {}, \"responseElements\": {\"sourceServerID\": \"s-aaa\"}}" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"CreateVolume\", \"t\": \"2026-11-03T10:05:00Z\", \"params\": $(tag volume s-aaa)}" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"CreateVolume\", \"t\": \"2026-11-03T10:05:01Z\", \"params\": $(tag volume s-bbb)}" \
	"{\"who\": \"mgn-repl\", \"eventName\": \"CreateSnapshot\", $UO, \"t\": \"2026-11-03T11:00:00Z\", \"params\": $(tag snapshot s-aaa)}" \
	"{\"who\": \"mgn-repl\", \"eventName\": \"CreateSnapshot\", $UO, \"t\": \"2026-11-03T11:00:05Z\", \"params\": $(tag snapshot s-aaab)}" \
	"{\"who\": \"user:admin\", $URC, \"t\": \"2026-11-03T12:00:00Z\", \"params\": {\"sourceServerID\": \"s-aaa\", \"bandwidthThrottling\": 5}}" \
	"{\"who\": \"user:admin\", \"eventName\": \"DescribeInstances\", \"t\": \"2026-11-03T12:30:00Z\", \"params\": {\"filterSet\": {\"items\": [{\"name\": \"tag:Note\", \"valueSet\": {\"items\": [{\"value\": \"see s-aaa-old\"}]}}]}}}"
ts -q ingest "$T/multi.json"
ts -q scan

run_ts 0 timeline --source-server s-aaa
cp "$T/out" "$T/text"
contains "the text names the server, its span and findings" "$T/text" \
	"^Source server s-aaa: 5 events, 2026-11-03T09:00:00Z \.\. 2026-11-03T12:00:00Z; 2 findings marked \(worst (HIGH|CRITICAL)\)$"
same "events in time order, only those naming s-aaa (not s-aaab, s-bbb or s-aaa-old)" \
	"$(grep -E '^  2026' "$T/text" | awk '{print $1 " " $2}')" \
	"2026-11-03T09:00:00Z mgn:MarkAsArchived
2026-11-03T10:00:00Z mgn:StartReplication
2026-11-03T10:05:00Z ec2:CreateVolume
2026-11-03T11:00:00Z ec2:CreateSnapshot
2026-11-03T12:00:00Z mgn:UpdateReplicationConfiguration"
contains "the denied snapshot is marked with its finding" "$T/text" "^      ! CRITICAL ec2-access-denied: ec2:CreateSnapshot denied 2 times"
contains "the settings change is marked with its finding" "$T/text" "^      ! HIGH replication-settings-risk: .*bandwidth throttled to 5 Mbps"
run_ts 0 timeline --source-server s-aaa --format json
python3 - "$T/out" > "$T/check" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["events"]
print(d["source_server_id"], d["event_count"], len(ev), d["findings"],
      [e["time"] for e in ev] == sorted(e["time"] for e in ev),
      all(k in e for e in ev for k in ("time", "event_id", "api", "event_source", "event_name", "account",
                                        "region", "principal", "who", "error_code", "related", "findings")),
      sorted({f["rule"] for e in ev for f in e["findings"]}),
      [e["event_name"] for e in ev if e["related"]] == [e["event_name"] for e in ev])
PY
same "timeline --format json: one object, every field, time order, rules marked" "$(cat "$T/check")" \
	"s-aaa 5 5 2 True True ['ec2-access-denied', 'replication-settings-risk'] True"
same "the marks come from finding_events" \
	"$(python3 -c 'import json,sys; print(sorted(f["finding_id"] for e in json.load(open(sys.argv[1]))["events"] for f in e["findings"]))' "$T/out" | tr -d ' ')" \
	"[$(sql "SELECT group_concat(finding_id) FROM (SELECT fe.finding_id FROM finding_events fe JOIN events e ON e.seq = fe.seq WHERE e.event_time IN ('2026-11-03T11:00:00Z', '2026-11-03T12:00:00Z') ORDER BY 1)")]"
run_ts 0 timeline --source-server s-aaab
contains "the other server has its own timeline" "$T/out" "^Source server s-aaab: 2 events"
run_ts 0 timeline --source-server s-nope
contains "an unknown server: no events, exit 0" "$T/out" "^Source server s-nope: 0 events; 0 findings marked$"
run_ts 2 timeline
contains "timeline without --source-server says so" "$T/err" "no --source-server given"
run_ts 2 timeline --source-server s-aaa --format csv
run_ts 0 timeline --help
contains "timeline --help documents the option" "$T/out" "--source-server"
