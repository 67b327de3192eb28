# The report's sections for the two rules of issue 5, its per-source-server
# timelines (the HTML links each to its anchor), and the shorter list of what
# CloudTrail cannot show. Records written by tests/mkevents.py.
. "$(dirname "$0")/lib.sh"

mk() { python3 "$ROOT/tests/mkevents.py" "$@"; }
URC='"eventSource": "mgn.amazonaws.com", "eventName": "UpdateReplicationConfiguration"'
mk "$T/r.json" \
	"{\"who\": \"user:admin\", $URC, \"t\": \"2026-11-01T08:00:00Z\", \"params\": {\"sourceServerID\": \"s-0one\", \"stagingAreaSubnetId\": \"subnet-stg\", \"replicationServersSecurityGroupsIDs\": [\"sg-stg\"], \"bandwidthThrottling\": 8}}" \
	"{\"who\": \"user:admin\", \"eventSource\": \"mgn.amazonaws.com\", \"eventName\": \"StartReplication\", \"t\": \"2026-11-01T09:00:00Z\", \"params\": {\"sourceServerID\": \"s-0two<b>\"}}" \
	"{\"who\": \"user:net\", \"eventName\": \"RevokeSecurityGroupEgress\", \"t\": \"2026-11-02T10:00:00Z\", \"params\": {\"groupId\": \"sg-stg\", \"ipPermissions\": {\"items\": [{\"ipProtocol\": \"-1\", \"ipRanges\": {\"items\": [{\"cidrIp\": \"0.0.0.0/0\"}]}}]}}}"
ts -q ingest "$T/r.json"
ts -q scan
run_ts 0 report
cp "$T/out" "$T/text"
contains "text: the network cause with its finding" "$T/text" "^  [0-9]\. Network changes on the staging area's path \[CRITICAL\]"
contains "text: the backlog-settings cause with its finding" "$T/text" "^  [0-9]\. Replication settings that slow the backlog \[HIGH\]"
contains "text: the verdict names both" "$T/text" "The evidence points to: .*Network changes on the staging area's path.*Replication settings that slow the backlog"
contains "text: a section per source server" "$T/text" "^Source server s-0one: 1 event, .*1 finding marked \(worst HIGH\)$"
if grep -q "Network path from the replication servers" "$T/text"; then
	fail "the not-visible list no longer claims network changes are invisible"
else
	ok "the not-visible list no longer claims network changes are invisible"
fi
run_ts 0 report --format json
same "json: causes, servers and the not-visible list" \
	"$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
a = d["areas"][0]
print([c["id"] for c in a["causes"] if c["evident"]], [s["source_server_id"] for s in d["source_servers"]],
      [s["event_count"] for s in d["source_servers"]], [n["what"].split()[0] for n in d["not_visible"]])' "$T/out")" \
	"['network', 'backlog'] ['s-0one'] [1] ['DNS', 'Proxies', 'Bandwidth', 'The']"
run_ts 0 report --format html
contains "html: each source server links to its anchor" "$T/out" '<a href="#server-s-0one">s-0one</a>'
contains "html: the anchor holds its timeline" "$T/out" '<h3 id="server-s-0one">Timeline of s-0one</h3>'
if grep -q 'server-s-0two' "$T/out"; then fail "html: s-0two<b> is no source server id (s- and letters or digits)"
else ok "html: s-0two<b> is no source server id (s- and letters or digits)"; fi
if grep -q '<b>"' "$T/out" || grep -q 's-0two<b>' "$T/out"; then fail "html: no raw markup from the data"; else ok "html: no raw markup from the data"; fi
