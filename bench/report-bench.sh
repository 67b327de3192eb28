#!/bin/sh
# Output benchmark: report (text, json, html), timeline and audit on the
# ingest benchmark's 1M-event export (bench/gen.py: 200 source servers),
# each against the ingest time measured in the same run, since the machine
# is shared and its speed drifts (the ratios are what to compare).
#
#   TRAILSIFT=path/to/trailsift sh bench/report-bench.sh
# Env: BENCH_EVENTS (1000000), BENCH_SEED (1), BENCH_DIR (bench/work).
# The store is $BENCH_DIR/report-bench.db (removed at the end).
#
# Rows: ingest (a fresh store, the reference), scan --all (the other rules'
# work, for context), filling the source-server index of a store made before
# it (schema 4), report in each format (seconds, peak RSS, output size),
# timeline --source-server for the server whose event count is nearest 300,
# a bare query (what starting the program and opening the store cost), and
# audit: ingest 10,000 new events + scan + print.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
N=${BENCH_EVENTS:-1000000}
SEED=${BENCH_SEED:-1}
DIR=${BENCH_DIR:-$HERE/work}
TS=${TRAILSIFT:?set TRAILSIFT to the binary}
EXP=$DIR/export-$N-s$SEED
NEW=$DIR/export-10000-s9999
DB=$DIR/report-bench.db
OUT=$DIR/report-bench.out
mkdir -p "$DIR"
[ -e "$EXP.marker" ] || python3 "$HERE/gen.py" --events "$N" --out "$EXP" --seed "$SEED" --marker "$EXP.marker" >&2
[ -e "$NEW.marker" ] || python3 "$HERE/gen.py" --events 10000 --out "$NEW" --seed 9999 --marker "$NEW.marker" >&2
rm -f "$DB" "$DB"-journal "$DB".lock

# measure CMD...: runs CMD with stdout to $OUT; prints "seconds peak-RSS-MB output-bytes output-lines"
measure() {
	python3 - "$OUT" "$@" <<'PY'
import os, resource, subprocess, sys, time
out = sys.argv[1]
t = time.monotonic()
with open(out, "wb") as f:
    rc = subprocess.run(sys.argv[2:], stdout=f).returncode
secs = time.monotonic() - t
if rc not in (0, 3):
    sys.exit("bench: %s exited %d" % (" ".join(sys.argv[2:]), rc))
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
with open(out, "rb") as f:
    lines = sum(1 for _ in f)
print("%.3f %.0f %d %d" % (secs, rss, os.path.getsize(out), lines))
PY
}
sqlval() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$DB" "$1"; }
row() { # row WHAT MEASUREMENT REFERENCE-SECONDS
	set -- "$1" $2 "$3"
	printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$(python3 -c "print('%.2f' % ($2 / $6))")" "$3" \
		"$(python3 -c "print(round($4 / 1024))")" "$5"
}

ingest=$(measure "$TS" --db "$DB" --quiet ingest "$EXP")
ref=${ingest%% *}
scan=$(measure "$TS" --db "$DB" --quiet scan --all)
# a store made before the index, a copy: undo what the migrations after schema 4 made (as
# t0054 does; 006 empties the findings, which the report below reads from the store itself)
cp "$DB" "$DB.v4"
python3 - "$DB.v4" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for t in ("source_server_events", "rule_groups", "rule_members", "digest_public_keys"):
    con.execute("DROP TABLE IF EXISTS " + t)
cols = [r[1] for r in con.execute("PRAGMA table_info(sources)")]
for c in ("etag", "content_sha256", "verified_at", "verified_by"):
    if c in cols:
        con.execute("ALTER TABLE sources DROP COLUMN " + c)
con.execute("PRAGMA user_version = 4")
con.commit()
PY
backfill=$(measure "$TS" --db "$DB.v4" stats --top 1)
rm -f "$DB.v4" "$DB.v4"-journal
text=$(measure "$TS" --db "$DB" report)
json=$(measure "$TS" --db "$DB" report --format json)
html=$(measure "$TS" --db "$DB" report --format html)
server=$(sqlval "SELECT server_id FROM source_server_events GROUP BY server_id ORDER BY abs(count(*) - 300), server_id LIMIT 1")
server_events=$(sqlval "SELECT count(*) FROM source_server_events WHERE server_id = '$server'")
timeline=$(measure "$TS" --db "$DB" timeline --source-server "$server")
startup=$(measure "$TS" --db "$DB" query "SELECT 1")
audit=$(measure "$TS" --db "$DB" --quiet audit "$NEW")

echo "| $N events, $(sqlval "SELECT count(*) FROM findings") findings, $(sqlval "SELECT count(DISTINCT server_id) FROM source_server_events") source servers named | seconds | x ingest | peak RSS MB | output KB | output lines |"
echo "|---|---:|---:|---:|---:|---:|"
row "ingest (reference)" "$ingest" "$ref"
row "scan --all" "$scan" "$ref"
row "filling the index of a schema-4 store (+ stats)" "$backfill" "$ref"
row "report (text)" "$text" "$ref"
row "report --format json" "$json" "$ref"
row "report --format html" "$html" "$ref"
row "timeline --source-server ($server_events events)" "$timeline" "$ref"
row "query 'SELECT 1' (start-up and opening the store: part of every row)" "$startup" "$ref"
row "audit: ingest 10,000 new events + scan + print" "$audit" "$ref"
rm -f "$DB" "$DB"-journal "$DB".lock "$OUT"
