# kill -9 at any moment, then resume: the store ends up exactly as one clean
# ingest makes it (same events, same raw text, no duplicates, every index,
# every file 'ok'), and a store left by a killed ingest stays readable.
. "$(dirname "$0")/lib.sh"

EVENTS=50000
SEED=20261103
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

# sanitizer reports of background runs (their stderr is kept in $T/bg.err)
: > "$T/bg.err"

python3 "$ROOT/bench/gen.py" --events "$EVENTS" --out "$T/export" --seed "$SEED" \
	> "$T/gen.out" 2>&1
check "bench/gen.py made the export" test -d "$T/export/AWSLogs"
nfiles=$(find "$T/export" -name '*.json.gz' | wc -l)
check "the export has several files ($nfiles)" test "$nfiles" -gt 10
# the same file delivered twice more (overlapping exports): once right after
# itself, inside the first transaction of a bulk load (which has no unique
# key yet), and once at the very end of the walk. The first copy in walk
# order keeps the event (origin), the others insert nothing.
first=$(find "$T/export" -name '*.json.gz' | LC_ALL=C sort | head -1)
cp -p "$first" "${first%.json.gz}x.json.gz"
last=$(dirname "$(find "$T/export" -name '*.json.gz' | LC_ALL=C sort | tail -1)")
cp -p "$first" "$last/zzzz-redelivered.json.gz"
nfiles=$((nfiles + 2))

# the reference: one clean run into its own store
STORE=$DB
DB="$T/ref.db"
t0=$(date +%s%N)
run_ts 0 ingest --quiet "$T/export"
ref_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
REF=$DB
DB=$STORE
same "the reference store holds every event once" \
	"$(python3 -c 'import sqlite3,sys; print(sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True).execute("SELECT count(*) FROM events").fetchone()[0])' "$REF")" \
	"$EVENTS"
same "in the reference, the two redelivered copies insert no event" \
	"$(python3 -c 'import sqlite3,sys; print(sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True).execute("SELECT count(*), sum(inserted) FROM sources WHERE path IN (?, ?)", sys.argv[2:]).fetchone())' \
		"$REF" "$(realpath "${first%.json.gz}x.json.gz")" "$(realpath "$last/zzzz-redelivered.json.gz")")" \
	"(2, 0)"

# ---- kill -9 rounds at random delays, some very early, then resume ----
# random delays spread over the length of a clean run (the reference took
# $ref_ms ms): the first very early (store creation, index drop), the later
# ones around the first commit and the index build at the end of a bulk load
delays=$(python3 -c '
import random, sys
r = random.SystemRandom()
t = int(sys.argv[1]) / 1000.0
print("%.3f %.3f %.3f %.3f %.3f" % (r.uniform(0.01, 0.06), r.uniform(0.15, 0.45) * t,
      r.uniform(0.5, 0.8) * t, r.uniform(0.8, 1.0) * t, r.uniform(0.9, 1.2) * t))' "$ref_ms")
echo "# a clean run took $ref_ms ms; kill delays (s): $delays"
killed=0
others=""
round=0
for d in $delays; do
	round=$((round + 1))
	"$TS" --db "$DB" ingest --quiet "$T/export" 2>> "$T/bg.err" &
	pid=$!
	bg="$bg $pid"
	sleep "$d"
	kill -9 "$pid" 2>/dev/null
	wait "$pid"
	st=$?
	bg=""
	echo "# round $round: kill after $d s, exit status $st"
	case $st in
	137) killed=$((killed + 1)) ;;
	0) ;;
	*) others="$others round$round:$st" ;;
	esac
done
check "at least one ingest was killed while running ($killed of 5)" test "$killed" -ge 1
same "every interrupted run either finished ok or died of the kill" "$others" ""

run_ts 0 ingest "$T/export"
cp "$T/err" "$T/final.err"
contains "the resumed run finishes" "$T/final.err" "^trailsift: ingest: .* 0 failed"

# ---- the final store against the reference ----
# compare_with_ref: writes "ids ...", "raw ..." and "sources ..." lines
# comparing $DB with the reference store into $T/cmp
compare_with_ref() {
	python3 - "$DB" "$REF" > "$T/cmp" <<'PY'
import hashlib, sqlite3, sys

def con(p):
    return sqlite3.connect("file:%s?mode=ro" % p, uri=True)

def ids(c):
    h = hashlib.sha256()
    n = 0
    for (e,) in c.execute("SELECT event_id FROM events ORDER BY event_id"):
        h.update(e.encode() + b"\n")
        n += 1
    return n, h.hexdigest()

def rows(c):
    h = hashlib.sha256()
    for e, origin, raw in c.execute("SELECT event_id, origin, raw FROM events ORDER BY event_id, seq"):
        h.update(("%s\t%s\t" % (e, origin)).encode() + hashlib.sha256(raw.encode()).digest())
    return h.hexdigest()

def sources(c):
    return sorted(c.execute("SELECT path, size, sha256, records, inserted, status FROM sources"))

got, ref = con(sys.argv[1]), con(sys.argv[2])
(gn, gh), (rn, rh) = ids(got), ids(ref)
print("ids %s" % ("same" if (gn, gh) == (rn, rh) else "differ: %d ids (want %d)" % (gn, rn)))
print("raw %s" % ("same" if rows(got) == rows(ref) else "differ"))
gs, rs = sources(got), sources(ref)
print("sources %s" % ("same" if gs == rs else "differ: %d rows (want %d), first difference %r" % (
    len(gs), len(rs), next(((a, b) for a, b in zip(gs, rs) if a != b), None))))
PY
}
compare_with_ref
same "the same set of eventIDs as the clean reference" "$(sed -n 's/^ids //p' "$T/cmp")" same
same "every event's origin and raw text equal the reference's" "$(sed -n 's/^raw //p' "$T/cmp")" same
same "the sources rows equal the reference's (path, size, sha256, records, inserted, status)" \
	"$(sed -n 's/^sources //p' "$T/cmp")" same
same "no duplicate eventIDs" \
	"$(sql "SELECT count(*) - count(DISTINCT event_id) FROM events")" 0
same "exactly the generated number of events" "$(sql "SELECT count(*) FROM events")" "$EVENTS"
same "PRAGMA integrity_check" "$(sql "PRAGMA integrity_check")" ok
same "every index exists after the killed bulk loads" \
	"$(sql "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema WHERE type = 'index'
		AND name IN ('events_event_id', 'events_time', 'events_source_name', 'events_error',
		'events_principal') ORDER BY name)")" \
	"events_error events_event_id events_principal events_source_name events_time"
same "every file has a sources row, all 'ok'" \
	"$(sql "SELECT count(*) || ' ' || sum(status = 'ok') FROM sources")" "$nfiles $nfiles"
same "the last run is recorded as ended" \
	"$(sql "SELECT ended_at IS NOT NULL FROM ingest_runs ORDER BY run_id DESC LIMIT 1")" 1

run_ts 0 ingest "$T/export"
contains "a re-run after completion reads no file" "$T/err" \
	"^trailsift: ingest: 0 files read \(0 records, 0 new\), $nfiles unchanged, 0 skipped, 0 failed"
same "the re-run changes no event" "$(sql "SELECT count(*) FROM events")" "$EVENTS"

if grep -Eq 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' "$T/bg.err"; then
	fail "no sanitizer report from the interrupted runs"
	grep -E -A3 'ERROR: AddressSanitizer|runtime error:' "$T/bg.err" | sed 's/^/#   /' | head -8
else
	ok "no sanitizer report from the interrupted runs"
fi

# ---- a bulk load killed right after a commit that holds a redelivered file ----
# The export is followed by a FIFO whose writer never writes: when the
# ingest opens it, every export file has ended, so the first transaction
# (the first file and its adjacent copy, and more, past 48 MiB) is committed
# and the rest is not. kill -9 there, deterministically. Readers must see
# the last commit as a store with unique eventIDs, and the resume must end
# exactly like the reference.
DB="$T/dup.db"
mkfifo "$T/fifo2"
"$TS" --db "$DB" ingest --quiet "$T/export" "$T/fifo2" 2>> "$T/bg.err" &
ipid=$!
python3 -c '
import sys, time
f = open(sys.argv[1], "w")      # returns when the ingest opens the FIFO
open(sys.argv[2], "w").close()
time.sleep(100)' "$T/fifo2" "$T/fifo2.opened" 2>/dev/null &
fpid=$!
bg="$ipid $fpid"
i=0
while [ ! -e "$T/fifo2.opened" ] && [ $i -lt 1200 ] && kill -0 "$ipid" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
kill -9 "$ipid" 2>/dev/null
cleanup
check "the ingest reached the FIFO after every export file (test setup)" test -e "$T/fifo2.opened"
copy="${first%.json.gz}x.json.gz"
ts query --format csv "SELECT count(*) - count(DISTINCT event_id) AS dups FROM events" \
	> "$T/out" 2> "$T/err"
same "after the kill, query reads the store (exit 0)" "$?" 0
same "after the kill, the store as readers see it has no duplicate eventIDs" "$(tail -n 1 "$T/out")" 0
ts query --format csv "SELECT inserted FROM sources WHERE path = '$(realpath "$copy")'" \
	> "$T/out" 2> "$T/err"
same "after the kill, the redelivered copy is not counted as inserting events" "$(tail -n 1 "$T/out")" 0
run_ts 0 ingest "$T/export"
compare_with_ref
same "resumed after the kill: the same eventIDs as the reference" "$(sed -n 's/^ids //p' "$T/cmp")" same
same "resumed after the kill: origin and raw equal the reference's" "$(sed -n 's/^raw //p' "$T/cmp")" same
same "resumed after the kill: sources rows equal the reference's" \
	"$(sed -n 's/^sources //p' "$T/cmp")" same
same "resumed after the kill: no duplicate eventIDs" \
	"$(sql "SELECT count(*) - count(DISTINCT event_id) FROM events")" 0
same "resumed after the kill: every index exists" \
	"$(sql "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN ('events_event_id',
		'events_time', 'events_source_name', 'events_error', 'events_principal')")" 5

# ---- a store left with a hot journal by a killed ingest ----
# One source that is fed through a FIFO and never ends keeps the write
# transaction open; past SQLite's page cache the journal is synced (its
# header then starts with the magic d9 d5 05 f9) and pages go to the store
# file. A kill -9 then leaves a hot journal: the store is, logically, still
# at its last commit, and `query` must read it (its busy and recovery
# handling, not a claim that it is "not a trailsift store").
DB="$T/hot.db"
run_ts 0 ingest "$FIX/formats/records.json"
mkfifo "$T/fifo"
"$TS" --db "$DB" ingest --quiet "$T/fifo" 2>> "$T/bg.err" &
ipid=$!
python3 - "$FIX" > "$T/fifo" 2>/dev/null <<'PY' &
import glob, gzip, json, os, sys, time
fix = sys.argv[1]
tmpl = []
for p in sorted(glob.glob(os.path.join(fix, "sample/AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz"))):
    with gzip.open(p, "rb") as f:
        tmpl.extend(json.loads(f.read().decode("utf-8"))["Records"])
out = sys.stdout
out.write('{"Records":[')
for i in range(80000):  # ~130 MB: well past the 64 MiB page cache
    r = dict(tmpl[i % len(tmpl)])
    r["eventID"] = "t13-hot-%06d" % i
    out.write(("," if i else "") + json.dumps(r, ensure_ascii=False, separators=(",", ":")))
out.flush()
time.sleep(100)  # keep the document open: the source never ends
PY
fpid=$!
bg="$ipid $fpid"
hot=no
i=0
while [ $i -lt 600 ]; do
	if [ "$(od -An -tx1 -N4 "$DB-journal" 2>/dev/null | tr -d ' \n')" = d9d505f9 ]; then
		hot=yes
		break
	fi
	kill -0 "$ipid" 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
kill -9 "$ipid" 2>/dev/null
cleanup
same "the killed ingest left a hot journal (test setup)" "$hot" yes
ts query --format csv "SELECT count(*) AS n FROM events" > "$T/out" 2> "$T/err"
st=$?
same "query reads a store a killed ingest left behind (exit 0)" "$st" 0
[ $st -eq 0 ] || sed 's/^/#   stderr: /' "$T/err" | head -3
same "query sees the store as of the last commit" "$(tail -n 1 "$T/out")" 5
run_ts 0 ingest "$FIX/formats/records.json"
same "the next ingest recovers the store: the last commit's 5 events" \
	"$(sql "SELECT count(*) FROM events")" 5
same "the recovered store passes integrity_check" "$(sql "PRAGMA integrity_check")" ok
check "no journal is left after the recovery" test ! -e "$DB-journal"
