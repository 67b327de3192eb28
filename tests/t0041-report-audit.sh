# findings, report and audit end to end on the sample export: formats,
# filters, exit codes, the lock, and the HTML report in a real browser.
# (2026-11: 19 findings since the replication-settings-risk rule rates the sample's five settings changes;
# 23 since the sample's disabled KMS key gives 3 replication-kms findings and its janitor Lambda 1
# staging-interference finding)
. "$(dirname "$0")/lib.sh"

# audit: ingest + scan + what is new; exit 3 at the threshold, then 0
run_ts 3 audit "$FIX/sample"
contains "audit prints the new findings" "$T/out" "ec2:CreateSnapshot denied 15 times"
contains "audit's summary line" "$T/err" "audit: 19 files read \(915 new events\), 0 failed; 915 events scanned; 23 new or changed findings, some at or above high"
run_ts 0 audit "$FIX/sample"
same "a second audit prints nothing new" "$(cat "$T/out")" ""
contains "its summary says so" "$T/err" "0 new or changed findings, none at or above high"
python3 "$ROOT/tests/mkevents.py" "$T/more.json" \
	'{"who": "mgn-slr", "eventName": "DescribeSnapshots", "errorCode": "Client.RequestLimitExceeded", "t": "2026-11-06T00:00:00Z"}'
run_ts 0 audit --fail-on critical --format json "$T/more.json"
same "audit: only the new burst, as JSON Lines, below the critical threshold: exit 0" \
	"$(python3 -c 'import json,sys; print([(f["rule"], f["severity"]) for f in map(json.loads, open(sys.argv[1]))])' "$T/out")" \
	"[('api-throttling', 'high')]"
run_ts 2 audit --fail-on urgent
run_ts 1 audit "$T/no-such-file.json"
contains "an input that fails makes the audit exit 1" "$T/err" "no-such-file.json"

# the lock: a second audit waits, then gives up with a clear message
python3 -c '
import fcntl, sys, time
f = open(sys.argv[1], "a"); fcntl.flock(f, fcntl.LOCK_EX); open(sys.argv[2], "w").close(); time.sleep(15)' \
	"$DB.lock" "$T/locked" &
holder=$!
while [ ! -e "$T/locked" ]; do sleep 0.1; done
run_ts 1 audit
contains "a second audit names the lock" "$T/err" "another audit of '.*' is still running"
kill $holder 2>/dev/null; wait $holder 2>/dev/null

# findings: formats and filters
run_ts 0 findings --format json
python3 - "$T/out" <<'PY' > "$T/check"
import json, sys
need = ["rule", "severity", "event_id", "event_ids", "first_time", "last_time", "account", "region",
        "principal", "event_source", "event_name", "error_code", "related", "summary", "details"]
rows = [json.loads(l) for l in open(sys.argv[1])]
ok = rows and all(all(k in r for k in need) and isinstance(r["event_ids"], list)
                  and isinstance(r["details"], dict) and isinstance(r["related"], bool)
                  and r["event_id"] == r["event_ids"][0] for r in rows)
print("ok" if ok else "bad")
PY
same "findings --format json: every documented field, typed" "$(cat "$T/check")" "ok"
run_ts 0 findings --rule service-quota --format csv
same "findings --rule: only that rule (csv)" "$(tail -n +2 "$T/out" | cut -d, -f1 | sort -u)" "service-quota"
run_ts 0 findings --min-severity critical --format json
same "findings --min-severity critical" \
	"$(python3 -c 'import json,sys; print(sorted({json.loads(l)["severity"] for l in open(sys.argv[1])}))' "$T/out")" "['critical']"
run_ts 0 findings --since 2026-11-05T12:00:00Z --format json
same "findings --since keeps findings whose last event is after it" \
	"$(python3 -c 'import json,sys; print(all(json.loads(l)["last_time"] >= "2026-11-05T12:00:00Z" for l in open(sys.argv[1])))' "$T/out")" "True"

# who broke it, in the sample: the records say which events are the cause and the interference
# (read here from the export, not from trailsift), the findings must name them
python3 - "$FIX/sample" <<'PY' > "$T/truth"
import glob, gzip, json, os, sys
recs = {}
for p in glob.glob(os.path.join(sys.argv[1], "AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz")):
    for r in json.load(gzip.open(p))["Records"]:
        recs[r["eventID"]] = r
disable = [r for r in recs.values() if r["eventName"] == "DisableKey"]
launched = {i["instanceId"] for r in recs.values() if r["eventName"] == "RunInstances" and
            "mgn.amazonaws.com" == r["userIdentity"].get("invokedBy") and r.get("responseElements")
            for i in r["responseElements"]["instancesSet"]["items"]}
janitor = [r for r in recs.values() if r["eventName"] == "TerminateInstances" and
           "janitor-lambda-role" in r["userIdentity"]["arn"]]
killed = [i["instanceId"] for i in janitor[0]["requestParameters"]["instancesSet"]["items"]]
print(len(disable), disable[0]["eventID"], len(janitor), janitor[0]["eventID"],
      " ".join(i for i in killed if i in launched), len(killed))
PY
read -r ndisable disable_id njanitor janitor_id mgn_killed nkilled < "$T/truth"
same "the sample holds one DisableKey and one janitor termination of 2 instances, 1 of them MGN's" \
	"$ndisable $njanitor $nkilled $(echo $mgn_killed | wc -w)" "1 1 2 1"
run_ts 0 findings --rule replication-kms --format json
python3 - "$T/out" "$disable_id" <<'PY' > "$T/check"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
fails = sorted((r["details"]["action"], r["severity"], r["details"]["through_ebs"],
                (r["details"]["cause"] or {}).get("event_id") == sys.argv[2],
                (r["details"]["cause"] or {}).get("event_name"), (r["details"]["cause"] or {}).get("who"))
               for r in rows if r["details"]["kind"] == "failure")
changes = [(r["severity"], r["event_id"] == sys.argv[2], r["details"]["who"])
           for r in rows if r["details"]["kind"] == "change"]
print(fails, changes, all(r["summary"].startswith("since 2026-11-05 15:21Z, after dana.kim@example.com disabled KMS key")
                          for r in rows if r["details"]["kind"] == "failure"))
PY
same "replication-kms: EBS's failures for the replication role, caused by the DisableKey; the DisableKey itself; not the other app's denial" \
	"$(cat "$T/check")" \
	"[('kms:CreateGrant', 'critical', 2, True, 'DisableKey', 'dana.kim@example.com'), ('kms:GenerateDataKeyWithoutPlaintext', 'critical', 3, True, 'DisableKey', 'dana.kim@example.com')] [('high', True, 'dana.kim@example.com')] True"
run_ts 0 findings --rule staging-interference --format json
same "staging-interference: only the janitor's termination of MGN's server (not the untied instance, not MGN's own)" \
	"$(python3 -c 'import json,sys; print([(f["severity"], f["event_id"], f["details"]["resource_id"], f["details"]["who"], f["principal"].endswith("/janitor-lambda-role"), f["details"]["followed_by_errors"] > 0) for f in map(json.loads, open(sys.argv[1]))])' "$T/out")" \
	"[('critical', '$janitor_id', '$mgn_killed', 'ec2-janitor', True, True)]"
# the server's timeline shows the termination of its replication server (the call names only the
# instance; the finding names the server), marked with the finding
server=$(sql "SELECT json_extract(details, '\$.source_server') FROM findings WHERE rule = 'staging-interference'")
run_ts 0 timeline --source-server "$server" --format json
same "timeline: the janitor's termination is in the server's timeline, with its finding" \
	"$(python3 -c 'import json,sys; t = json.load(open(sys.argv[1])); print([(e["event_id"], [f["rule"] for f in e["findings"]]) for e in t["events"] if e["event_name"] == "TerminateInstances"])' "$T/out")" \
	"[('$janitor_id', ['staging-interference'])]"
run_ts 2 findings --rule no-such-rule
run_ts 2 findings --min-severity loud

# report: text names the causes and the fix; json parses; html renders
run_ts 0 report
contains "report: the verdict for the stuck account" "$T/out" "The evidence points to: Missing EC2 permissions, KMS keys on the replication path, Service quotas and capacity, EC2 API throttling, Replication settings and staging-area tags, Someone else removing the staging area's resources"
contains "report: the policy statement to add" "$T/out" '"Action":\["ec2:CreateSnapshot","ec2:CreateTags"\]'
contains "report: the healthy DRS account shows no cause" "$T/out" "none of the causes CloudTrail can show"
contains "report: who changed the settings" "$T/out" "maria.santos@example.com \(AWSReservedSSO_AdministratorAccess_"
contains "report: the KMS section leads with its cause" "$T/out" "^     - CRITICAL since 2026-11-05 15:21Z, after dana.kim@example.com disabled KMS key"
contains "report: the KMS finding's cause line" "$T/out" "^       cause: dana.kim@example.com disabled KMS key .* \(event $disable_id, DisableKey\)"
contains "report: the interference section" "$T/out" "^Someone else removing the staging area's resources \[CRITICAL\]"
contains "report: one event and one finding are said in the singular" "$T/out" \
	"^Someone else removing the staging area's resources \[CRITICAL\] .*, 1 event, 1 finding in 1 account and region"
contains "report: the interference names the janitor" "$T/out" "instance $mgn_killed terminated by ec2-janitor"
contains "report: what CloudTrail cannot show, with commands" "$T/out" "dig \+short ec2.us-east-1.amazonaws.com"
run_ts 0 report --format json
same "report --format json parses, two areas" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["areas"]), [c["id"] for c in d["areas"][0]["causes"] if c["evident"]])' "$T/out")" \
	"2 ['permissions', 'kms', 'quotas', 'throttling', 'settings', 'interference', 'backlog']"
run_ts 0 report --since 2026-11-05T12:00:00Z --format json
same "report --since leaves out older findings" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sorted({f["last_time"] >= "2026-11-05T12:00:00Z" for a in d["areas"] for c in a["causes"] for f in c["findings"]}))' "$T/out")" "[True]"
run_ts 0 report --format html
cp "$T/out" "$T/report.html"
contains "the HTML report has the KMS section with its cause" "$T/report.html" "dana.kim@example.com disabled KMS key"
contains "the HTML report has the interference section" "$T/report.html" "terminated by ec2-janitor"
if grep -Eq '<script|src="http|href="http|@import|url\(' "$T/report.html"; then
	fail "the HTML report loads nothing from the network and runs no script"
else
	ok "the HTML report loads nothing from the network and runs no script"
fi
if command -v chromium >/dev/null 2>&1; then
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$T/chromium" --enable-logging=stderr --v=0 \
		--dump-dom "file://$T/report.html" > "$T/dom" 2> "$T/chromium.log"
	contains "Chromium renders the report" "$T/dom" "The evidence points to:"
	contains "the timeline chart is in the page" "$T/dom" "<svg"
	if grep -q "CONSOLE" "$T/chromium.log"; then
		fail "no console messages in Chromium"; grep CONSOLE "$T/chromium.log" | head -3
	else
		ok "no console messages in Chromium"
	fi
else
	fail "Chromium is installed for the HTML test (make test installs it)"
fi
