#!/bin/sh
# Scan benchmark, in one run: the ingest of the 1M-event export (bench/gen.py,
# seed 1) into a fresh store, `scan --all` of it, and an incremental `scan`
# after 10,000 new events (seed 9999); then the same store grown to 2M events
# (a second 1M export, seed 2, ingested and scanned) and again 10,000 new
# events and a `scan`. An incremental scan must cost about the same on 1M and
# 2M events: its cost follows the new events and the groups they touch. The
# scans table says how many events each scan read.
#
#   TRAILSIFT=path/to/trailsift sh bench/scan-bench.sh
# Env: BENCH_EVENTS (1000000), BENCH_SEED (1), BENCH_SEED2 (2), BENCH_DIR (bench/work).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
N=${BENCH_EVENTS:-1000000}
SEED=${BENCH_SEED:-1}
SEED2=${BENCH_SEED2:-2}
DIR=${BENCH_DIR:-$HERE/work}
TS=${TRAILSIFT:?set TRAILSIFT to the binary}
EXP=$DIR/export-$N-s$SEED
EXP2=$DIR/export-$N-s$SEED2
NEW=$DIR/export-10000-s9999
DB=$DIR/scan-bench.db
DB2=$DIR/scan-bench-2x.db
mkdir -p "$DIR"
for e in "$EXP:$N:$SEED" "$EXP2:$N:$SEED2" "$NEW:10000:9999"; do
	d=${e%%:*}; rest=${e#*:}
	[ -e "$d.marker" ] || python3 "$HERE/gen.py" --events "${rest%%:*}" --out "$d" --seed "${rest#*:}" --marker "$d.marker" >&2
done
rm -f "$DB" "$DB"-journal "$DB2" "$DB2"-journal

# wall seconds, then CPU seconds (user + system): the machine is shared, CPU time is steadier.
# Each timed step starts after a sync, so that it does not wait for the last step's writeback.
secs() { sync; python3 -c 'import os,sys,time,subprocess; t=time.time(); p=subprocess.Popen(sys.argv[1:]); _,st,r=os.wait4(p.pid,0); os.waitstatus_to_exitcode(st) and sys.exit("failed: %s" % " ".join(sys.argv[1:])); print("%.2f %.2f" % (time.time()-t, r.ru_utime+r.ru_stime))' "$@"; }
wall() { echo "${1% *}"; }
cpu() { echo "${1#* }"; }
last_scan() { python3 -c 'import sqlite3,sys; r = sqlite3.connect(sys.argv[1]).execute("SELECT events_read, findings_new + findings_changed FROM scans ORDER BY scan_id DESC LIMIT 1").fetchone(); print("%d, %d" % r)' "$1"; }
events() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM event_fields").fetchone()[0])' "$1"; }
ratio() { python3 -c 'import sys; print("%.1f%%" % (100 * float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }
row() { # WHAT READ TIMES BASE-INGEST BASE-FULL: seconds wall (CPU), and wall ratios to the ingest and the full scan
	printf '| %s | %s | %s (%s) | %s | %s |\n' "$1" "$2" "$(wall "$3")" "$(cpu "$3")" \
		"$([ -n "$4" ] && ratio "$(wall "$3")" "$(wall "$4")" || echo -)" \
		"$([ -n "$5" ] && ratio "$(wall "$3")" "$(wall "$5")" || echo -)"
}

ingest=$(secs "$TS" --db "$DB" --quiet ingest "$EXP")
full=$(secs "$TS" --db "$DB" --quiet scan --all)
full_read=$(last_scan "$DB")
cp "$DB" "$DB2"
"$TS" --db "$DB" --quiet ingest "$NEW"
inc=$(secs "$TS" --db "$DB" --quiet scan)
inc_read=$(last_scan "$DB")
"$TS" --db "$DB2" --quiet ingest "$EXP2"
"$TS" --db "$DB2" --quiet scan
n2=$(events "$DB2")
"$TS" --db "$DB2" --quiet ingest "$NEW"
inc2=$(secs "$TS" --db "$DB2" --quiet scan)
inc2_read=$(last_scan "$DB2")
echo "| step | events read, findings written | seconds wall (CPU) | vs ingest | vs full scan |"
echo "|---|---:|---:|---:|---:|"
row "ingest of $N events (fresh store)" "-" "$ingest" "$ingest" ""
row "full (\`scan --all\`) of $N events" "$full_read" "$full" "$ingest" "$full"
row "incremental, 10,000 new events on $N" "$inc_read" "$inc" "$ingest" "$full"
row "incremental, 10,000 new events on $n2" "$inc2_read" "$inc2" "" "$full"
rm -f "$DB" "$DB"-journal "$DB2" "$DB2"-journal
