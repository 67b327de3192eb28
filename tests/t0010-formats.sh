# Every input format is recognised by its structure, and each keeps the
# record's raw text exactly and extracts the same columns.
. "$(dirname "$0")/lib.sh"

F="$FIX/formats"
ids=$(python3 -c '
import json,sys
print(" ".join(sorted(json.loads(l)["eventID"] for l in open(sys.argv[1]))))' "$F/records.jsonl")

for f in records.json records.json.gz multi-member.json.gz array.json records.jsonl lookup-events.json; do
	rm -f "$DB"
	run_ts 0 ingest "$F/$f"
	got=$(sql "SELECT event_id FROM events ORDER BY event_id" | tr '\n' ' ' | sed 's/ $//')
	same "$f: the 5 eventIDs" "$got" "$ids"
	python3 "$ROOT/tests/columns.py" "$DB" "$F/$f" | sed "s/^\(n*o*t* *ok - \)/\1$f: /"
done

# raw is the record's bytes as they stand in the input, not a re-encoding
rm -f "$DB"
ts ingest "$F/records.jsonl" 2>/dev/null
python3 - "$DB" "$F/records.jsonl" <<'PY'
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
lines = open(sys.argv[2], encoding="utf-8").read().splitlines()
ok = all(con.execute("SELECT raw FROM events WHERE event_id=?", (json.loads(l)["eventID"],)).fetchone()[0] == l for l in lines)
print(("ok" if ok else "not ok") + " - raw equals the input bytes of each JSON Lines record")
PY
raw=$(sql "SELECT raw FROM events WHERE event_id = '388e628a-f873-44b4-8a4f-c82555018cd7'")
case "$raw" in *12345678901234567890123*1.073741824E11*|*1.073741824E11*12345678901234567890123*) ok "huge integer and exponent float kept as written" ;; *) fail "huge integer and exponent float kept as written" ;; esac
raw=$(sql "SELECT raw FROM events WHERE event_id = '3c0cc31c-dc2f-474a-8832-cf5992afe116'")
case "$raw" in *'\u00e9'*'\ud83d\ude00'*) ok "escapes kept as escapes" ;; *) fail "escapes kept as escapes" ;; esac
same "json_extract reads raw" "$(sql "SELECT json_extract(raw, '\$.eventName') FROM events WHERE event_id = '3c0cc31c-dc2f-474a-8832-cf5992afe116'")" "UpdateRole"

# stdin, and a gzip whose name says nothing
rm -f "$DB"
ts ingest - < "$F/records.json.gz" 2> "$T/err"
same "gzip on stdin: 5 events" "$(sql 'SELECT count(*) FROM events')" "5"
same "stdin's origin" "$(sql 'SELECT DISTINCT origin FROM events')" "<stdin>"
cp "$F/records.json.gz" "$T/no-name"
rm -f "$DB"
run_ts 0 ingest "$T/no-name"
same "gzip detected by magic bytes, not name" "$(sql 'SELECT count(*) FROM events')" "5"

# the same events in three formats are stored once
rm -f "$DB"
run_ts 0 ingest "$F/records.json" "$F/lookup-events.json" "$F/array.json"
same "the same events from three formats are stored once" "$(sql 'SELECT count(*) FROM events')" "5"
contains "the summary counts 15 records and 5 new" "$T/err" "3 files read \(15 records, 5 new\)"

# the error taxonomy strips EC2's Client./Server. prefixes
same "error_class of Client.UnauthorizedOperation" \
	"$(sql "SELECT error_base || ' ' || error_class FROM events WHERE error_code = 'Client.UnauthorizedOperation' LIMIT 1")" \
	"UnauthorizedOperation denied"
