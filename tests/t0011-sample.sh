# The bundled S3-layout export: what is read, skipped, counted and kept;
# re-runs are idempotent and skip unchanged files without reading them.
. "$(dirname "$0")/lib.sh"

S="$FIX/sample"
cp -r "$S" "$T/export"
E="$T/export"

run_ts 0 ingest "$E"
same "events: 916 records, one eventID twice" "$(sql 'SELECT count(*) FROM events')" "915"
same "no duplicate eventIDs" "$(sql 'SELECT count(*) - count(DISTINCT event_id) FROM events')" "0"
same "19 log files ok" "$(sql "SELECT count(*) FROM sources WHERE status = 'ok'")" "19"
same "digests (244), insight, README.txt and README.md skipped" \
	"$(sql "SELECT error, count(*) FROM sources WHERE status = 'skipped' GROUP BY error ORDER BY error" | tr '\n' ',')" \
	"CloudTrail Insights file|1,CloudTrail digest file|244,not a log file (neither gzip nor JSON)|2,"
contains "summary: 19 read, 916 records, 915 new, 247 skipped" "$T/err" \
	"19 files read \(916 records, 915 new\), 0 unchanged, 247 skipped, 0 failed"
same "store file mode is 0600" "$(stat -c %a "$DB")" "600"
one=$(find "$E" -name '*20261103T1004Z*')
same "origin is the file's absolute path" \
	"$(sql "SELECT DISTINCT origin FROM events WHERE origin LIKE '%20261103T1004Z%'")" "$(realpath "$one")"
same "sources keeps the file's SHA-256" \
	"$(sql "SELECT sha256 FROM sources WHERE path LIKE '%20261103T1004Z%'")" "$(sha256sum "$one" | cut -d' ' -f1)"
same "sources keeps the record count" "$(sql "SELECT records FROM sources WHERE path LIKE '%20261103T1004Z%'")" "60"
python3 "$ROOT/tests/columns.py" "$DB" $(find "$E" -path '*/CloudTrail/*' -name '*.json.gz' | sort)

# a second run reads nothing
run_ts 0 ingest "$E"
contains "re-run: 0 files read, 19 unchanged" "$T/err" "0 files read \(0 records, 0 new\), 19 unchanged"
same "re-run adds nothing" "$(sql 'SELECT count(*) FROM events')" "915"

# a touched file is read again, a changed one too; nothing is stored twice
touch -d '2026-11-20 10:00' "$one"
run_ts 0 ingest "$E"
contains "a touched file is read again" "$T/err" "1 files read \(60 records, 0 new\), 18 unchanged"
python3 - "$one" <<'PY'
import gzip, json, sys
p = sys.argv[1]
doc = json.loads(gzip.open(p).read())
rec = dict(doc["Records"][0]); rec["eventID"] = "00000000-0000-4000-8000-000000000001"
doc["Records"].append(rec)
gzip.open(p, "wb").write(json.dumps(doc).encode())
PY
run_ts 0 ingest "$E"
contains "a changed file is read again" "$T/err" "1 files read \(61 records, 1 new\)"
same "its new event is stored" "$(sql "SELECT count(*) FROM events WHERE event_id = '00000000-0000-4000-8000-000000000001'")" "1"
same "runs are recorded" "$(sql 'SELECT count(*) FROM ingest_runs WHERE ended_at IS NOT NULL')" "4"

# stats reads the store
run_ts 0 stats
contains "stats: event count" "$T/out" "^events +916 "
contains "stats: files" "$T/out" "^files +19 ok, 247 skipped, 0 failed"
contains "stats: by source" "$T/out" "^ec2\.amazonaws\.com +[0-9]+"
contains "stats: by account" "$T/out" "^111122223333 +[0-9]+"
contains "stats: by day" "$T/out" "^2026-11-05 +[0-9]+ +[0-9]+"
contains "stats: time range" "$T/out" "^time range +2026-11-0[0-9]T"
run_ts 1 --db "$T/none.db" stats
contains "stats without a store says so" "$T/err" "no store at"
