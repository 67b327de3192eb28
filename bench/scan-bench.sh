#!/bin/sh
# Scan benchmark: `trailsift scan --all` over the ingest benchmark's export
# (1M events by default), then an incremental scan after 10,000 new events,
# which must read only those (the scans table says how many it read).
#
#   TRAILSIFT=path/to/trailsift sh bench/scan-bench.sh
# Env: BENCH_EVENTS (1000000), BENCH_SEED (1), BENCH_DIR (bench/work).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
N=${BENCH_EVENTS:-1000000}
SEED=${BENCH_SEED:-1}
DIR=${BENCH_DIR:-$HERE/work}
TS=${TRAILSIFT:?set TRAILSIFT to the binary}
EXP=$DIR/export-$N-s$SEED
NEW=$DIR/export-10000-s9999
DB=$DIR/scan-bench.db
mkdir -p "$DIR"
[ -e "$EXP.marker" ] || python3 "$HERE/gen.py" --events "$N" --out "$EXP" --seed "$SEED" --marker "$EXP.marker" >&2
[ -e "$NEW.marker" ] || python3 "$HERE/gen.py" --events 10000 --out "$NEW" --seed 9999 --marker "$NEW.marker" >&2
rm -f "$DB" "$DB"-journal
"$TS" --db "$DB" --quiet ingest "$EXP"

secs() { python3 -c 'import sys,time; t=time.time(); import subprocess; subprocess.run(sys.argv[1:], check=True); print("%.2f" % (time.time()-t))' "$@"; }
read_by_last_scan() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT events_read, findings_new + findings_changed FROM scans ORDER BY scan_id DESC LIMIT 1").fetchone())' "$DB"; }

full=$(secs "$TS" --db "$DB" --quiet scan --all)
full_read=$(read_by_last_scan)
"$TS" --db "$DB" --quiet ingest "$NEW"
inc=$(secs "$TS" --db "$DB" --quiet scan)
inc_read=$(read_by_last_scan)
echo "| scan | events read, findings written | seconds | events/s |"
echo "|---|---|---:|---:|"
echo "| full (\`scan --all\`, $N events) | $full_read | $full | $(python3 -c "print(round($N / $full))") |"
echo "| incremental (10,000 new events) | $inc_read | $inc | $(python3 -c "print(round(10000 / $inc))") |"
rm -f "$DB" "$DB"-journal
