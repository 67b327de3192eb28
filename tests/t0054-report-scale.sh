# The source-server index and the report at scale (issue 9): which events
# name a server (exact match, keys and escapes too), which servers the report
# shows (a failed call naming an unknown id makes none), the caps of the text
# and HTML report and of the audit's text (JSON carries everything), and the
# index filled for a store made before it. Records written by tests/mkevents.py.
. "$(dirname "$0")/lib.sh"

mk() { python3 "$ROOT/tests/mkevents.py" "$@"; }
START='"eventSource": "mgn.amazonaws.com", "eventName": "StartReplication"'
mk "$T/ids.json" \
	"{\"who\": \"user:admin\", $START, \"t\": \"2026-11-03T10:00:00Z\", \"params\": {\"sourceServerID\": \"s-1\"}}" \
	"{\"who\": \"user:admin\", $START, \"t\": \"2026-11-03T10:01:00Z\", \"params\": {\"sourceServerID\": \"s-10\"}}" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"CreateTags\", \"t\": \"2026-11-03T10:02:00Z\", \"params\": {\"tagSet\": {\"s-1\": \"key only\"}}}" \
	"{\"who\": \"user:ops\", \"eventName\": \"DescribeInstances\", \"t\": \"2026-11-03T10:03:00Z\", \"params\": {\"filter\": \"ESCAPED\"}}" \
	"{\"who\": \"user:ops\", \"eventName\": \"DescribeVolumes\", \"t\": \"2026-11-03T10:04:00Z\", \"params\": {\"a\": \"s-1 \", \"b\": \"xs-1\", \"c\": \"s-1/x\"}}" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"CreateTags\", \"t\": \"2026-11-03T10:04:30Z\", \"params\": {\"tagSet\": {\"AWSApplicationMigrationServiceReplicationServerFor\": \"s-1,s-10\"}}}" \
	"{\"who\": \"user:intruder\", $START, \"errorCode\": \"AccessDeniedException\", \"t\": \"2026-11-03T10:05:00Z\", \"params\": {\"sourceServerID\": \"s-bogus\"}}"
# the fourth record writes s-1 with JSON escapes, as some exporters do
sed -i 's/"ESCAPED"/"\\u0073\\u002d1"/' "$T/ids.json"
ts -q ingest "$T/ids.json"
ts -q scan
run_ts 0 timeline --source-server s-1 --format json
same "s-1: the events with a string or key equal to it, escaped or not; not s-10, 's-1 ', xs-1, s-1/x" \
	"$(python3 -c 'import json,sys; print([e["event_name"] for e in json.load(open(sys.argv[1]))["events"]])' "$T/out")" \
	"['StartReplication', 'CreateTags', 'DescribeInstances']"
run_ts 0 timeline --source-server s-10 --format json
same "s-10: only its own event" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["event_count"], d["events"][0]["time"])' "$T/out")" \
	"1 2026-11-03T10:01:00Z"
run_ts 0 report --format json
same "a failed call naming an unknown id makes no source server, nor MGN's list tag s-1,s-10" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([s["source_server_id"] for s in d["source_servers"]], d["source_server_count"])' "$T/out")" \
	"['s-1', 's-10'] 2"
run_ts 0 timeline --source-server s-bogus
contains "... though its timeline still shows the call" "$T/out" "^Source server s-bogus: 1 event, "
run_ts 2 timeline --source-server i-0abc
contains "timeline takes only ids of the form s-..." "$T/err" "s-\.\.\."

# a store made before the index (schema 4): opening it fills the index
sql "SELECT server_id, seq, acts, event_time_ms FROM source_server_events ORDER BY 1, 2" > "$T/index.before"
python3 - "$DB" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
# undo what the migrations after schema 4 made (005 and later), as far as they exist
for t in ("source_server_events", "rule_groups", "rule_members", "digest_public_keys"):
    con.execute("DROP TABLE IF EXISTS " + t)
cols = [r[1] for r in con.execute("PRAGMA table_info(sources)")]
for c in ("etag", "content_sha256", "verified_at", "verified_by"):
    if c in cols:
        con.execute("ALTER TABLE sources DROP COLUMN " + c)
con.execute("PRAGMA user_version = 4")
con.commit()
PY
run_ts 0 timeline --source-server s-1
contains "an older store: the first open fills the index" "$T/out" "^Source server s-1: 3 events, "
same "... with the rows ingest writes" "$(sql "SELECT server_id, seq, acts, event_time_ms FROM source_server_events ORDER BY 1, 2")" \
	"$(cat "$T/index.before")"
latest=$(ls "$ROOT"/schema/[0-9]*.sql | sed 's|.*/0*||; s|-.*||' | sort -n | tail -1)
same "... and the store is at the current schema version" "$(sql "PRAGMA user_version")" "$latest"

# Caps: 105 denied actions (105 findings of one rule), 55 source servers
python3 - "$T/specs" <<'PY'
import json, sys
specs = []
for i in range(105):
    specs.append({"who": "mgn-repl", "eventName": "Action%03d" % i, "errorCode": "Client.UnauthorizedOperation",
                  "errorMessage": "You are not authorized to perform this operation.", "t": "2026-11-04T10:%02d:00Z" % (i % 60),
                  "params": {"tagSpecificationSet": {"items": [{"tags": [{"key": "AWSApplicationMigrationServiceSourceServerID",
                                                                          "value": "s-srv54"}]}]}} if i == 0 else {}})
for i in range(55):
    specs.append({"who": "user:admin", "eventSource": "mgn.amazonaws.com", "eventName": "StartReplication",
                  "t": "2026-11-04T11:%02d:00Z" % i, "params": {"sourceServerID": "s-srv%02d" % i}})
with open(sys.argv[1], "w") as f:
    for s in specs:
        f.write(json.dumps(s) + "\n")
PY
tr '\n' '\0' < "$T/specs" | xargs -0 python3 "$ROOT/tests/mkevents.py" "$T/many.json"
DB="$T/many.db"
run_ts 3 audit "$T/many.json"
total=$(sql "SELECT count(*) FROM findings")
same "audit text: at most 100 findings (two lines each), then one line" "$(wc -l < "$T/out")" 201
contains "... the line says how many more and the query that lists them" "$T/out" \
	"^$((total - 100)) more new or changed findings: trailsift --db '$DB' query \"SELECT \* FROM findings WHERE updated_scan > 0 "
sh -c "$(tail -n 1 "$T/out" | sed "s|^.*: trailsift|'$TS'|") --format json" > "$T/rest" 2>&1
same "... and that command lists every one" "$(wc -l < "$T/rest")" "$total"
DB="$T/many-json.db"
run_ts 3 audit --format json "$T/many.json"
same "audit --format json: every new finding" "$(wc -l < "$T/out")" "$total"
run_ts 0 report
cp "$T/out" "$T/text"
same "report text: the 10 worst findings of the cause" \
	"$(sed -n '/^Missing EC2 permissions \[/,/^$/p' "$T/text" | grep -c '^     - ')" 10
contains "... then how many more and the command that lists them" "$T/text" \
	"^     $(($(sql "SELECT count(*) FROM findings WHERE rule = 'ec2-access-denied'") - 10)) more: trailsift findings --rule ec2-access-denied$"
same "report text: 50 source servers" "$(grep -c '^Source server s-srv' "$T/text")" 50
contains "... then how many more" "$T/text" "^5 more: trailsift timeline --source-server ID \(their ids: trailsift report --format json\)$"
same "... the worst first: the server with a finding" "$(grep -m1 '^Source server s-' "$T/text" | cut -d' ' -f3)" "s-srv54:"
check "report text: under 300 lines" test "$(wc -l < "$T/text")" -lt 300
run_ts 0 report --format json
same "report json: every finding and every server" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(len(c["findings"]) for a in d["areas"] for c in a["causes"]), len(d["source_servers"]), d["source_server_count"], len(d["causes"][0]["worst_findings"]), d["causes"][0]["finding_count"])' "$T/out")" \
	"$total 55 55 10 105"
run_ts 0 report --format html
same "report html: 50 servers linked, then how many more" \
	"$(grep -c '^<li><a href="#server-' "$T/out") $(grep -c '5 more source servers' "$T/out")" "50 1"

# the HTML chart: past a week of hours with finding events, a bar a day
python3 -c '
import json
for i in range(170):
    print(json.dumps({"who": "mgn-repl", "eventName": "CreateSnapshot", "errorCode": "Client.UnauthorizedOperation",
                      "t": "2026-11-%02dT%02d:00:00Z" % (1 + i // 24, i % 24)}))' | tr '\n' '\0' | xargs -0 python3 "$ROOT/tests/mkevents.py" "$T/week.json"
DB="$T/week.db"
ts -q ingest "$T/week.json"
ts -q scan
run_ts 0 report --format html
same "html chart over 170 hours: 8 bars, one a day" \
	"$(grep -c 'aria-label="finding events per day by rule"' "$T/out") $(grep -c '^<rect ' "$T/out")" "1 8"
