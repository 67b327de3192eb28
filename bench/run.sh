#!/bin/sh
# Ingest benchmark: trailsift vs the inflate floor (zcat), a straightforward
# Python ingester and DuckDB, on a generated CloudTrail S3 export.
#
#   TRAILSIFT=path/to/trailsift sh bench/run.sh        (what `make bench` does)
#
# Env:
#   TRAILSIFT      the binary under test; if unset or not executable, its
#                  run is skipped with a message
#   BENCH_EVENTS   events in the export (default 1000000)
#   BENCH_DIR      work directory (default bench/work): exports, databases,
#                  logs, results
#   BENCH_SEED     generator seed (default 1)
#   BENCH_ONLY     run only these tools (comma or space separated, from
#                  zcat,trailsift,python,duckdb); e.g. BENCH_ONLY=trailsift.
#                  Tools not run show their last result at the same size,
#                  marked "cached", and the ratios use it.
#   BENCH_REPEAT   runs per tool (default 1); the report shows the median
#                  wall time with the range, and the largest peak RSS
#   BENCH_IDLE_WAIT  before each run, wait up to this many seconds for the
#                  machine to be idle (default 0: don't wait); runs disturbed
#                  by other work are flagged in the report either way
#   TRAILSIFT_COUNT_SQL  how to count trailsift's rows
#                  (default: SELECT count(*) FROM events)
#   DUCKDB_MODE    fast (default) | pk | distinct, see duckdb_ingest.mjs
#   DUCKDB_NODE_API_VERSION  npm version of @duckdb/node-api to install
#                  when bench/node_modules lacks it (default 1.5.6-r.1)
#
# The export is generated once per (events, seed, gen.py) and reused via
# its marker file. Prints a markdown report; exits non-zero if a tool that
# ran failed or loaded the wrong number of events.

if [ -z "${BASH_VERSION:-}" ]; then
    exec bash "$0" "$@"
fi
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
N=${BENCH_EVENTS:-1000000}
SEED=${BENCH_SEED:-1}
DIR=${BENCH_DIR:-$HERE/work}
ONLY=${BENCH_ONLY:-}
REPEAT=${BENCH_REPEAT:-1}
IDLE_WAIT=${BENCH_IDLE_WAIT:-0}
COUNT_SQL=${TRAILSIFT_COUNT_SQL:-SELECT count(*) FROM events}
DUCKDB_VER=${DUCKDB_NODE_API_VERSION:-1.5.6-r.1}
export DUCKDB_MODE=${DUCKDB_MODE:-fast}

case $N in (''|*[!0-9]*|0) echo "bench: BENCH_EVENTS must be a positive integer" >&2; exit 2;; esac
case $REPEAT in (''|*[!0-9]*|0) echo "bench: BENCH_REPEAT must be a positive integer" >&2; exit 2;; esac
case $IDLE_WAIT in (''|*[!0-9]*) echo "bench: BENCH_IDLE_WAIT must be a number of seconds" >&2; exit 2;; esac
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
EXP=$DIR/export-$N-s$SEED
MARKER=$EXP.marker
RES=$DIR/results/$N-s$SEED
LOGS=$DIR/logs
mkdir -p "$LOGS" "$RES"

if [ -n "${TRAILSIFT:-}" ] && [ -e "$TRAILSIFT" ]; then
    TRAILSIFT=$(cd "$(dirname "$TRAILSIFT")" && pwd)/$(basename "$TRAILSIFT")
fi

want() {  # want TOOL: is TOOL selected by BENCH_ONLY?
    [ -z "$ONLY" ] && return 0
    case ",$(echo "$ONLY" | tr ' ' ',')," in (*",$1,"*) return 0;; esac
    return 1
}
for t in $(echo "$ONLY" | tr ',' ' '); do
    case $t in (zcat|trailsift|python|duckdb) ;; (*) echo "bench: unknown tool in BENCH_ONLY: $t" >&2; exit 2;; esac
done

say() { printf '%s\n' "bench: $*" >&2; }

# ---- 1. the export ---------------------------------------------------------
if python3 "$HERE/report.py" check-marker "$MARKER" "$N" "$SEED" "$HERE/gen.py" && [ -d "$EXP/AWSLogs" ]; then
    say "reusing export $EXP"
else
    say "generating $N events into $EXP"
    rm -rf "$EXP" "$MARKER" "$RES"
    mkdir -p "$RES"
    python3 "$HERE/gen.py" --events "$N" --seed "$SEED" --out "$EXP" --marker "$MARKER" >/dev/null
fi

# Every tool starts from a warm page cache: the floor is inflate, not disk.
find "$EXP" -type f -name '*.json.gz' -exec cat {} + >/dev/null

# ---- 2. measurement --------------------------------------------------------
# measure1 NAME CMD... : run CMD once with output to $LOGS/NAME.log, timing
# and peak RSS to $LOGS/NAME.measure.json
measure1() {
    local name=$1; shift
    local log=$LOGS/$name.log out=$LOGS/$name.measure.json
    sync
    if [ "$IDLE_WAIT" != 0 ]; then
        python3 "$HERE/measure.py" --wait-idle "$IDLE_WAIT"
    fi
    if [ -x /usr/bin/time ]; then
        head -n1 /proc/stat >"$LOGS/$name.stat0"
        /usr/bin/time -v -o "$LOGS/$name.time" "$@" >"$log" 2>&1 || true
        head -n1 /proc/stat >"$LOGS/$name.stat1"
        python3 "$HERE/measure.py" -o "$out" --stat0 "$LOGS/$name.stat0" --stat1 "$LOGS/$name.stat1" \
            --parse-time "$LOGS/$name.time"
    else
        python3 "$HERE/measure.py" -o "$out" -- "$@" >"$log" 2>&1 || true
    fi
}
# run TOOL ROUND: one measured run of TOOL, unless an earlier round of it
# failed; adds the result file to $M_<tool>.
run() {
    local tool=$1 r=$2 res
    [ "$(eval echo "\${FAILED_$tool:-}")" = 1 ] && return 0
    case $tool in  # each run starts from no store
    zcat)
        measure1 "$tool.$r" sh -c 'exec zcat -r "$1" >/dev/null' zcat "$EXP" ;;
    trailsift)
        rm -f "$DIR/ts.db" "$DIR/ts.db-wal" "$DIR/ts.db-shm" "$DIR/ts.db-journal"
        measure1 "$tool.$r" "$TRAILSIFT" --db "$DIR/ts.db" --quiet ingest "$EXP" ;;
    python)
        rm -f "$DIR/py.db" "$DIR/py.db-journal" "$DIR/py.db-wal"
        measure1 "$tool.$r" python3 "$HERE/py_ingest.py" "$EXP" "$DIR/py.db" ;;
    duckdb)
        rm -f "$DIR/duck.db" "$DIR/duck.db.wal"
        measure1 "$tool.$r" node "$HERE/duckdb_ingest.mjs" "$EXP" "$DIR/duck.db" ;;
    esac
    res=$LOGS/$tool.$r.measure.json
    eval "M_$tool=\"\${M_$tool:-} $res\""
    ln -sf "$tool.$r.log" "$LOGS/$tool.log"
    if [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rc"])' "$res")" != 0 ]; then
        eval "FAILED_$tool=1"
    fi
}

FRESH=""
ran() { FRESH="$FRESH,$1"; }
ACTIVE=""   # the tools that run, in report order

# Which tools run (a tool that cannot gets a row saying why); their
# commands are in run().
DUCK_LABEL="DuckDB read_json ($DUCKDB_MODE, 2 threads)"

want zcat && ACTIVE="$ACTIVE zcat"
if want trailsift; then
    if [ -n "${TRAILSIFT:-}" ] && [ -x "$TRAILSIFT" ] && [ -f "$TRAILSIFT" ]; then
        ACTIVE="$ACTIVE trailsift"
    else
        say "trailsift: skipped (TRAILSIFT='${TRAILSIFT:-}' is not an executable; build it with make)"
        python3 "$HERE/report.py" skip --tool trailsift --label "trailsift ingest" --out "$RES/trailsift.json" \
            --note "not run: TRAILSIFT='${TRAILSIFT:-}' is not an executable file"
        ran trailsift
    fi
fi
want python && ACTIVE="$ACTIVE python"
if want duckdb; then
    if ! command -v node >/dev/null 2>&1; then
        say "duckdb: skipped (node not found)"
        python3 "$HERE/report.py" skip --tool duckdb --label "$DUCK_LABEL" --out "$RES/duckdb.json" --note "not run: node not found"
        ran duckdb
    else
        if [ ! -f "$HERE/node_modules/@duckdb/node-api/package.json" ]; then
            say "installing @duckdb/node-api@$DUCKDB_VER into bench/node_modules"
            npm install --no-save --no-audit --no-fund --prefix "$HERE" "@duckdb/node-api@$DUCKDB_VER" >"$LOGS/npm.log" 2>&1 || true
        fi
        if [ -f "$HERE/node_modules/@duckdb/node-api/package.json" ]; then
            ACTIVE="$ACTIVE duckdb"
        else
            say "duckdb: skipped (npm install of @duckdb/node-api failed, see $LOGS/npm.log)"
            python3 "$HERE/report.py" skip --tool duckdb --label "$DUCK_LABEL" --out "$RES/duckdb.json" \
                --note "not run: npm install @duckdb/node-api@$DUCKDB_VER failed (see $LOGS/npm.log)"
            ran duckdb
        fi
    fi
fi

# Round r runs every tool once: a slow spell of the machine (a 2-core VM
# varies by a quarter from one minute to the next) then hits all tools
# alike, and the ratios stay fair.
for r in $(seq 1 "$REPEAT"); do
    for t in $ACTIVE; do
        say "round $r/$REPEAT: $t"
        run "$t" "$r"
    done
done

for t in $ACTIVE; do
    # shellcheck disable=SC2086 # the list of result files
    set -- $(eval echo "\$M_$t")
    case $t in
    zcat)
        python3 "$HERE/report.py" record --tool zcat --label "zcat > /dev/null" \
            --measure "$@" --log "$LOGS/zcat.log" --out "$RES/zcat.json" ;;
    trailsift)
        python3 "$HERE/report.py" record --tool trailsift --label "trailsift ingest" \
            --measure "$@" --log "$LOGS/trailsift.log" \
            --sqlite-count "$DIR/ts.db" "$COUNT_SQL" \
            --store "$DIR/ts.db" "$DIR/ts.db-wal" --out "$RES/trailsift.json" ;;
    python)
        python3 "$HERE/report.py" record --tool python --label "Python stdlib (json+sqlite3)" \
            --measure "$@" --log "$LOGS/python.log" \
            --sqlite-count "$DIR/py.db" "SELECT count(*) FROM events" \
            --store "$DIR/py.db" --out "$RES/python.json" ;;
    duckdb)
        python3 "$HERE/report.py" record --tool duckdb --label "$DUCK_LABEL" \
            --measure "$@" --log "$LOGS/duckdb.log" \
            --log-count "$LOGS/duckdb.log" --store "$DIR/duck.db" "$DIR/duck.db.wal" \
            --out "$RES/duckdb.json" ;;
    esac
    ran "$t"
done

# ---- 3. report -------------------------------------------------------------
python3 "$HERE/report.py" table --results "$RES" --marker "$MARKER" --expected "$N" --fresh "${FRESH#,}"
