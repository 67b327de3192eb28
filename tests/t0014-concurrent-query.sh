# Queries while an ingest runs wait for it instead of failing and never see
# the store go backwards; the store is private (0600) and `query` cannot
# change it, whatever SQL it is given.
. "$(dirname "$0")/lib.sh"

EVENTS=50000
SEED=14
bg=""
cleanup() {
	for p in $bg; do
		kill -9 "$p" 2>/dev/null
	done
	for p in $bg; do
		wait "$p" 2>/dev/null
	done
	bg=""
}
trap 'cleanup; rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM

ts() { timeout 120 "$TS" --db "$DB" "$@"; }

python3 "$ROOT/bench/gen.py" --events "$EVENTS" --out "$T/export" --seed "$SEED" \
	> "$T/gen.out" 2>&1
check "bench/gen.py made the export" test -d "$T/export/AWSLogs"

# the store exists (schema, no events) before the big ingest starts, which
# is then a bulk load into an empty store
mkdir "$T/empty"
run_ts 0 ingest "$T/empty"
same "the store file is mode 0600" "$(stat -c %a "$DB")" 600

# ---- queries during the ingest ----
"$TS" --db "$DB" ingest --quiet "$T/export" > "$T/ingest.out" 2> "$T/ingest.err" &
ipid=$!
bg=$ipid
: > "$T/counts"
: > "$T/qerr"
n=0
while :; do
	ts query --format csv "SELECT count(*) AS n FROM events" > "$T/q.out" 2>> "$T/qerr"
	echo "$? $(tail -n 1 "$T/q.out")" >> "$T/counts"
	ts query --format csv errors-by-code > /dev/null 2>> "$T/qerr"
	echo "named $?" >> "$T/counts"
	n=$((n + 1))
	kill -0 "$ipid" 2>/dev/null || break
	[ $n -lt 1500 ] || break
done
wait "$ipid"
ist=$?
bg=""
echo "# $n rounds of queries ran during the ingest"
same "the ingest run alongside the queries exits 0" "$ist" 0
[ "$ist" -eq 0 ] || sed 's/^/#   ingest: /' "$T/ingest.err" | head -5
final=$(sql "SELECT count(*) FROM events")
same "the ingest stored every event" "$final" "$EVENTS"

bad=$(grep -v '^named ' "$T/counts" | grep -cv '^0 ')
same "every count query during the ingest exited 0" "$bad" 0
bad=$(grep -c '^named [^0]' "$T/counts")
same "every errors-by-code query during the ingest exited 0" "$bad" 0
if [ -s "$T/qerr" ]; then
	fail "the queries printed no error"
	sed 's/^/#   /' "$T/qerr" | sort | uniq -c | head -5
else
	ok "the queries printed no error"
fi
grep -v '^named ' "$T/counts" | grep '^0 ' | cut -d' ' -f2 > "$T/seen"
same "every count query printed a number" "$(grep -cv '^[0-9][0-9]*$' "$T/seen")" 0
echo "# counts seen: $(uniq "$T/seen" | tr '\n' ' ')"
same "the counts never decrease" \
	"$(awk 'NR > 1 && $1 < prev { bad++ } { prev = $1 } END { print bad + 0 }' "$T/seen")" 0
same "the counts never exceed the final count" \
	"$(awk -v f="$final" '$1 > f { bad++ } END { print bad + 0 }' "$T/seen")" 0
same "the store passes integrity_check" "$(sql "PRAGMA integrity_check")" ok
same "the store file is still mode 0600" "$(stat -c %a "$DB")" 600

# ---- query cannot modify the store ----
# tries STATEMENT: query must refuse it; the store's bytes and events stay
count0=$(sql "SELECT count(*) FROM events")
hash0=$(sha256sum < "$DB")
tries() {
	ts query "$1" > "$T/out" 2> "$T/err"
	st=$?
	if [ "$st" -ne 0 ]; then
		ok "query refuses: $1 (exit $st)"
	else
		fail "query refuses: $1"
		sed 's/^/#   stdout: /' "$T/out" | head -3
	fi
	same "the store's bytes are unchanged after: $1" "$(sha256sum < "$DB")" "$hash0"
	same "the event count is unchanged after: $1" "$(sql "SELECT count(*) FROM events")" "$count0"
}
tries "DELETE FROM events"
tries "INSERT INTO sources (path, size, status, seen_at) VALUES ('/x.json.gz', 1, 'ok', '2026-01-01T00:00:00Z')"
tries "DROP TABLE events"
tries "DROP VIEW events"
tries "ATTACH DATABASE '$T/x.db' AS x"
check "ATTACH created no file" test ! -e "$T/x.db"
tries "PRAGMA journal_mode=WAL"
check "no WAL file appeared" test ! -e "$DB-wal"
same "the journal mode is still delete" "$(sql "PRAGMA journal_mode")" delete
tries "UPDATE events SET raw='x'"
tries "WITH x AS (SELECT 1) DELETE FROM events"
tries "PRAGMA user_version = 99"
tries "PRAGMA writable_schema = ON"
tries "CREATE TABLE t (x)"
tries "SELECT 1; DELETE FROM events"
tries "VACUUM INTO '$T/copy.db'"
check "VACUUM INTO created no file" test ! -e "$T/copy.db"
# whatever the tables under the view are called, none can be emptied
for t in $(sql "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"); do
	tries "DELETE FROM $t"
done
run_ts 0 query --format csv "SELECT count(*) AS n FROM events"
same "a SELECT still works and sees every event" "$(tail -n 1 "$T/out")" "$count0"
same "the store file is still mode 0600 at the end" "$(stat -c %a "$DB")" 600

# ---- a scan started while an ingest creates the store ----
# Both find a new, empty store and set up its schema (a query would not:
# a read command leaves an empty file alone, see t0082). To make the
# interleaving deterministic, another connection holds the write lock of
# the empty store file (as the ingest that created it would, a moment
# later) until both processes wait for it in SQLite's busy handler (their
# main thread sleeps in nanosleep); then it lets go. Each must then see the
# schema the other one made, not apply it a second time.
DB="$T/race.db"
(umask 077 && : > "$DB")
python3 -c '
import os, sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
open(sys.argv[2] + ".locked", "w").close()
deadline = time.time() + 100
while not os.path.exists(sys.argv[2]) and time.time() < deadline:
    time.sleep(0.05)
con.execute("ROLLBACK")
con.close()' "$DB" "$T/race.release" &
lpid=$!
bg=$lpid
i=0
while [ ! -e "$T/race.release.locked" ] && [ $i -lt 400 ]; do
	sleep 0.05
	i=$((i + 1))
done
"$TS" --db "$DB" ingest --quiet "$FIX/formats/records.json" > /dev/null 2> "$T/race.ingest.err" &
ipid=$!
"$TS" --db "$DB" scan > "$T/race.out" 2> "$T/race.query.err" &
qpid=$!
bg="$lpid $ipid $qpid"
i=0
while [ $i -lt 400 ]; do
	case "$(cat "/proc/$ipid/wchan" 2>/dev/null) $(cat "/proc/$qpid/wchan" 2>/dev/null)" in
	*nanosleep*" "*nanosleep*) break ;;
	esac
	sleep 0.05
	i=$((i + 1))
done
touch "$T/race.release"
wait "$ipid"
ist=$?
wait "$qpid"
qst=$?
wait "$lpid"
bg=""
same "an ingest creating the store and a scan started with it both exit 0" \
	"ingest $ist, scan $qst" "ingest 0, scan 0"
[ "$ist" -eq 0 ] || sed 's/^/#   ingest: /' "$T/race.ingest.err" | head -3
[ "$qst" -eq 0 ] || sed 's/^/#   scan: /' "$T/race.query.err" | head -3
same "the store they made passes integrity_check" "$(sql "PRAGMA integrity_check")" ok
run_ts 0 ingest "$FIX/formats/records.json"
same "the store they made takes the events" "$(sql "SELECT count(*) FROM events")" 5
