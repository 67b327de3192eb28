# query: every named query on the sample export, parameters always bound,
# read-only, and each output format safe for where it goes.
. "$(dirname "$0")/lib.sh"

ts ingest "$FIX/sample" 2>/dev/null

# every named query in queries/ is listed and has a test below
listed=$(ts query --list | grep -E '^[a-z]' | sort | tr '\n' ' ')
files=$(cd "$ROOT/queries" && ls *.sql | sed 's/\.sql$//' | sort | tr '\n' ' ')
same "query --list lists every queries/*.sql" "$listed" "$files"
for q in $files; do
	grep -q "^# query: $q\$" "$0" && ok "named query $q has a test" || fail "named query $q has a test"
done

# query: errors-by-code
run_ts 0 query --format csv errors-by-code
contains "errors-by-code: the retry storm, 30 throttles" "$T/out" "^Client\.RequestLimitExceeded,throttled,.*,[0-9]+,"
same "errors-by-code: counts add up to every failed call" \
	"$(python3 -c 'import csv,sys; print(sum(int(r["events"]) for r in csv.DictReader(open(sys.argv[1]))))' "$T/out")" \
	"$(sql 'SELECT count(*) FROM events WHERE error_code IS NOT NULL')"

# query: principal-activity
run_ts 0 query --format json principal-activity --param principal=terraform-ci
same "principal-activity: every call by terraform-ci" "$(wc -l < "$T/out")" \
	"$(sql "SELECT count(*) FROM events WHERE user_name = 'terraform-ci'")"
contains "principal-activity: the policy detach is there" "$T/out" '"event_name":"DetachRolePolicy"'
run_ts 2 query principal-activity
contains "a missing parameter is named with its help" "$T/err" "missing --param principal=VALUE: an ARN"

# query: source-timeline
run_ts 0 query --format csv source-timeline -p source=mgn.amazonaws.com
same "source-timeline: every mgn call, in order" "$(tail -n +2 "$T/out" | cut -d, -f1 | tr '\n' ' ')" \
	"$(sql "SELECT event_time FROM events WHERE event_source = 'mgn.amazonaws.com' ORDER BY event_time_ms, event_id" | tr '\n' ' ')"
run_ts 0 query --format csv source-timeline -p source=mgn.amazonaws.com -p since=2026-11-05
same "a (time) parameter takes an ISO date" "$(tail -n +2 "$T/out" | wc -l)" \
	"$(sql "SELECT count(*) FROM events WHERE event_source = 'mgn.amazonaws.com' AND event_time >= '2026-11-05'")"
run_ts 0 query --format csv source-timeline -p source=mgn.amazonaws.com -p since=9999d
same "a (time) parameter takes a span back from now" "$(tail -n +2 "$T/out" | wc -l)" \
	"$(sql "SELECT count(*) FROM events WHERE event_source = 'mgn.amazonaws.com'")"
run_ts 2 query source-timeline -p source=x -p since=yesterday
contains "a bad time is refused" "$T/err" "'yesterday' is not a time"

# query: events-by-ip
run_ts 0 query --format csv events-by-ip
same "events-by-ip: the busiest address first" "$(sed -n 2p "$T/out" | cut -d, -f1,2)" \
	"$(sql "SELECT source_ip || ',' || count(*) FROM events GROUP BY source_ip ORDER BY count(*) DESC, source_ip LIMIT 1")"

# query: mgn-drs-activity
run_ts 0 query --format json mgn-drs-activity --param limit=100000
contains "mgn-drs-activity: the MGN service-linked role's EC2 calls" "$T/out" '"actor":"AWSServiceRoleForApplicationMigrationService"'
contains "mgn-drs-activity: the DRS replication server role" "$T/out" '"actor":"AWSElasticDisasterRecoveryReplicationServerRole"'
contains "mgn-drs-activity: the mgn API itself" "$T/out" '"event_source":"mgn.amazonaws.com"'
if grep -q '"event_name":"GetBucketPolicy"' "$T/out"; then fail "mgn-drs-activity leaves AWS Config's S3 sweeps out"; else ok "mgn-drs-activity leaves AWS Config's S3 sweeps out"; fi

# query: top-error-messages
run_ts 0 query --format csv top-error-messages
contains "top-error-messages: the throttle message first" "$T/out" "^30,Client\.RequestLimitExceeded,Request limit exceeded\."

# query: ec2-denied-actions
run_ts 0 query --format csv ec2-denied-actions
contains "ec2-denied-actions: CreateSnapshot for the replication server role" "$T/out" "^ec2:CreateSnapshot,.*AWSApplicationMigrationReplicationServerRole,15,"
contains "ec2-denied-actions: CreateTags too" "$T/out" "^ec2:CreateTags,.*AWSApplicationMigrationReplicationServerRole,5,"
if grep -q "RunInstances" "$T/out"; then fail "ec2-denied-actions: a dry run is no denial"; else ok "ec2-denied-actions: a dry run is no denial"; fi

# query: finding-causes
# (after a scan: the sample's denials follow terraform-ci's inline policy)
ts -q scan
run_ts 0 query --format csv finding-causes
contains "finding-causes: the CreateSnapshot denials since the PutRolePolicy on the replication role" "$T/out" \
	"^ec2-access-denied,critical,[^,]*,15,[^,]*AWSApplicationMigrationReplicationServerRole,[^,]*terraform-ci,put inline policy ReplicationServerBaseline on AWSApplicationMigrationReplicationServerRole,[^,]*,PutRolePolicy,"
same "finding-causes: only findings with a cause" "$(($(wc -l < "$T/out") - 1))" \
	"$(sql "SELECT count(*) FROM findings WHERE json_type(details, '\$.cause') = 'object'")"
run_ts 0 query --format csv finding-causes -p since=2030-01-01
same "finding-causes: --since leaves out older findings" "$(wc -l < "$T/out" | tr -d ' ')" "1"

# query: errors-per-hour
run_ts 0 query --format csv errors-per-hour
same "errors-per-hour: every failed call but the dry runs" \
	"$(python3 -c 'import csv,sys; print(sum(int(r["events"]) for r in csv.DictReader(open(sys.argv[1]))))' "$T/out")" \
	"$(sql "SELECT count(*) FROM events WHERE error_code IS NOT NULL AND error_code NOT LIKE '%DryRunOperation'")"

# ad-hoc SQL, with bound parameters (never pasted into the SQL)
run_ts 0 query --format csv "SELECT count(*) AS n FROM events WHERE event_name = :name" -p "name=x' OR '1'='1"
same "a parameter is bound, not pasted: an injection finds nothing" "$(tail -1 "$T/out")" "0"
run_ts 0 query --format csv "SELECT :a AS a, typeof(:a) AS t, :b AS b, typeof(:b) AS tb" -p a=012345678901 -p b=42
same "an account id with a leading zero stays text; 42 is an integer" "$(tail -1 "$T/out")" "012345678901,text,42,integer"
run_ts 2 query "SELECT 1" -p nope=1
contains "an unknown parameter is refused" "$T/err" "no parameter :nope"
run_ts 2 query "SELECT 1; SELECT 2"
contains "one statement at a time" "$T/err" "one statement at a time"
run_ts 1 query "SELECT * FROM no_such_table"
contains "an SQL error is reported" "$T/err" "no such table"
run_ts 2 query no-such-query
contains "an unknown named query is named" "$T/err" "no named query 'no-such-query'"
run_ts 0 query --format csv "SELECT count(*) FROM events WHERE json_extract(raw, '\$.requestParameters.stagingAreaTags.Owner') = 'José'"
same "json_extract into raw finds the two visible tag maps" "$(tail -1 "$T/out")" "2"

# read-only: the store does not change whatever the SQL
before=$(sha256sum "$DB")
for s in "DELETE FROM events" "UPDATE events SET raw = 'x'" "DROP TABLE events" \
	 "INSERT INTO sources (path, status, seen_at) VALUES ('x', 'ok', 'x')" \
	 "ATTACH DATABASE '$T/other.db' AS other" "PRAGMA user_version = 99" "VACUUM INTO '$T/other.db'"; do
	run_ts 1 query "$s"
done
same "the store is unchanged after write attempts" "$(sha256sum "$DB")" "$before"
if [ -e "$T/other.db" ]; then fail "ATTACH and VACUUM INTO created no file"; else ok "ATTACH and VACUUM INTO created no file"; fi

# output formats are safe for their reader
python3 - "$T/evil.json" <<'PY'
import json, sys
rec = {"eventVersion": "1.08", "eventID": "evil-1", "eventTime": "2026-11-03T00:00:00Z",
       "eventSource": "ec2.amazonaws.com", "eventName": "=HYPERLINK(\"http://x\")",
       "userAgent": "\u001b]0;pwned\u0007\u001b[31mred", "errorCode": "+cmd|' /C calc'!A0",
       "errorMessage": "-2+3", "sourceIPAddress": "@SUM(1)"}
json.dump({"Records": [rec]}, open(sys.argv[1], "w"))
PY
ts ingest "$T/evil.json" 2>/dev/null
run_ts 0 query --format csv "SELECT event_name, error_code, error_message, source_ip, 5 AS n, -3 AS m FROM events WHERE event_id = 'evil-1'"
same "csv: formula cells are defused, numbers are not" "$(tail -1 "$T/out")" \
	"\"'=HYPERLINK(\"\"http://x\"\")\",\"'+cmd|' /C calc'!A0\",\"'-2+3\",\"'@SUM(1)\",5,-3"
run_ts 0 query "SELECT user_agent FROM events WHERE event_id = 'evil-1'"
if grep -q "$(printf '\033')" "$T/out"; then fail "table output strips terminal escapes"; else ok "table output strips terminal escapes"; fi
run_ts 0 query --format json "SELECT user_agent, 1.5 AS r, NULL AS z FROM events WHERE event_id = 'evil-1'"
same "json output round-trips through a JSON parser" \
	"$(python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read()); print(repr(d))' "$T/out")" \
	"{'user_agent': '\\x1b]0;pwned\\x07\\x1b[31mred', 'r': 1.5, 'z': None}"
