# Pull and file ingest of the same events share one table: whichever comes
# first stores an event, the other adds nothing, and both make exactly the
# same columns and raw text (one code path: record_parse_text()).
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/lib-pull.sh"

make_events
env_keys
fake_start ct --events "$EVENTS" --cred "$AK:$SK"
expected_ids us-east-1 > "$T/want.use1"
expected_ids eu-west-1 > "$T/want.euw1"
napi=$(cat "$T/want.use1" "$T/want.euw1" | wc -l)
nrec=$(wc -l < "$EVENTS")
nfile=$(python3 -c 'import json, sys; print(len({json.loads(l)["eventID"] for l in open(sys.argv[1])}))' "$EVENTS")

# files first, then the API
FILES_FIRST="$T/files-first.db"
DB=$FILES_FIRST
run_ts 0 ingest "$EVENTS"
same "file ingest stores every event ($nrec records, one eventID twice)" "$(sql 'SELECT count(*) FROM events')" "$nfile"
run_ts 0 pull --region us-east-1 --region eu-west-1 --endpoint-url "$EP" --account "$ACCOUNT"
contains "then pull: every event was already there" "$T/err" " $napi events \(0 new\)"
same "no event stored twice" "$(sql 'SELECT count(*) - count(DISTINCT event_id) FROM events')" 0
same "the events keep their file origin" \
	"$(sql "SELECT count(*) FROM events WHERE origin LIKE 'api:%'")" 0
same "the API sources rows count what came, and that none was new" \
	"$(sql "SELECT sum(records), sum(inserted) FROM sources WHERE path LIKE 'api:%'")" "$napi|0"

run_ts 0 stats
contains "stats counts the one file as a file" "$T/out" "^files +1 ok, 0 skipped, 0 failed"
contains "and the pull's region streams apart" "$T/out" "^api pulls +2 streams, $napi events read, 0 new"

# the API first, then files
API_FIRST="$T/api-first.db"
DB=$API_FIRST
run_ts 0 pull --region us-east-1 --region eu-west-1 --endpoint-url "$EP" --account "$ACCOUNT"
run_ts 0 ingest "$EVENTS"
contains "then ingest: only the events the API does not serve are new" "$T/err" \
	"1 files read \($nrec records, $((nfile - napi)) new\)"
same "no event stored twice" "$(sql 'SELECT count(*) - count(DISTINCT event_id) FROM events')" 0
same "the API's events keep the API origin" \
	"$(sql "SELECT count(*) FROM events WHERE origin LIKE 'api:cloudtrail:%'")" "$napi"
fake_stop "$FAKE_PID"

# the two stores hold the same rows, column for column
python3 - "$FILES_FIRST" "$API_FIRST" > "$T/cmp" <<'PY'
import sqlite3, sys
def rows(p):
    con = sqlite3.connect("file:%s?mode=ro" % p, uri=True)
    cols = [r[1] for r in con.execute("PRAGMA table_info(events)")
            if r[1] not in ("seq", "source_id", "origin")]
    q = "SELECT %s FROM events ORDER BY event_id" % ", ".join(cols)
    return cols, list(con.execute(q))
ca, a = rows(sys.argv[1])
cb, b = rows(sys.argv[2])
diff = [(x[0], c) for x, y in zip(a, b) for c, u, v in zip(ca, x, y) if u != v]
print("%d columns, %d rows, %s" % (len(ca), len(a), "same" if a == b and ca == cb else
      "differ: %r" % diff[:3]))
PY
contains "file and API rows are identical in every column and the raw text" "$T/cmp" \
	"^3[0-9] columns, $nfile rows, same$"
