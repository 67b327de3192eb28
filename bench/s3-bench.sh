#!/bin/sh
# S3 benchmark: `trailsift ingest s3://...` of a generated export served by
# the project's fake S3 (tests/fake_aws.py --s3-root, every request's SigV4
# checked), beside `aws s3 sync` of the same bucket followed by `ingest` of
# the copy, in one run; then an incremental re-run (nothing new).
#
#   TRAILSIFT=path/to/trailsift sh bench/s3-bench.sh     (build it with `make`)
#
# Env:
#   TRAILSIFT        the binary (default: ./trailsift in the repository)
#   BENCH_S3_EVENTS  events in the export (default 100000)
#   BENCH_S3_SEED    bench/gen.py seed (default 5)
#   BENCH_S3_DATA    the export (default BENCH_DIR/s3-N-sSEED; generated when missing)
#   BENCH_DIR        work directory (default bench/work)
#
# The fake is Python and serves one request at a time per connection, so
# wall times are bounded by it; trailsift's own cost is its CPU seconds,
# reported beside the server's and the AWS CLI's. Prints a markdown table.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
N=${BENCH_S3_EVENTS:-100000}
SEED=${BENCH_S3_SEED:-5}
DIR=${BENCH_DIR:-$HERE/work}
TS=${TRAILSIFT:-$ROOT/trailsift}
case $N in (''|*[!0-9]*|0) echo "s3-bench: BENCH_S3_EVENTS must be a positive integer" >&2; exit 2;; esac
if [ ! -x "$TS" ]; then
	echo "s3-bench: '$TS' is not an executable (build it with make, or set TRAILSIFT)" >&2
	exit 2
fi
command -v aws > /dev/null || { echo "s3-bench: the AWS CLI (aws) is needed" >&2; exit 2; }
TS=$(cd "$(dirname "$TS")" && pwd)/$(basename "$TS")
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
DATA=${BENCH_S3_DATA:-$DIR/s3-$N-s$SEED}
say() { printf 's3-bench: %s\n' "$*" >&2; }

if [ ! -s "$DATA.marker" ]; then
	say "generating $N events into $DATA"
	rm -rf "$DATA"
	python3 "$HERE/gen.py" --events "$N" --seed "$SEED" --out "$DATA" --marker "$DATA.marker" >&2
fi
W=$(mktemp -d "$DIR/s3-run.XXXXXX")
FAKE=""
trap '[ -n "$FAKE" ] && kill "$FAKE" 2>/dev/null; rm -rf "$W"' EXIT
mkdir -p "$W/root"
ln -s "$DATA" "$W/root/bench-bucket"

AK=AKIDS3BENCH
SK=s3BenchSecret0123456789abcdefghijklmnopqr
python3 "$ROOT/tests/fake_aws.py" --s3-root "$W/root" --cred "$AK:$SK" --max-seconds 0 \
	--log "$W/fake.log" > "$W/port" 2> "$W/fake.err" &
FAKE=$!
i=0
while [ $i -lt 100 ] && ! grep -q '^PORT ' "$W/port"; do sleep 0.1; i=$((i + 1)); done
EP="http://127.0.0.1:$(sed -n 's/^PORT //p' "$W/port")"
export AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_DEFAULT_REGION=us-east-1 \
	AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_REGION AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 2>/dev/null || true

# the fake's CPU seconds so far (utime + stime of its process)
fake_cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$FAKE/stat"
}

# timed NAME CMD...: runs CMD; appends "NAME wall cpu fake_cpu" to $W/rows
timed() {
	name=$1
	shift
	f0=$(fake_cpu)
	/usr/bin/time -f '%e %U %S' -o "$W/time" "$@" > "$W/$name.out" 2> "$W/$name.err" || {
		say "$name failed:"; tail -5 "$W/$name.err" >&2; exit 1; }
	f1=$(fake_cpu)
	read -r wall user sys < "$W/time"
	echo "$name $wall $(echo "$user + $sys" | bc) $(echo "$f1 - $f0" | bc)" >> "$W/rows"
}

say "ingest s3://bench-bucket ($(find "$DATA" -name '*.json.gz' | wc -l) objects)"
timed s3 "$TS" --db "$W/s3.db" ingest --endpoint-url "$EP" s3://bench-bucket
say "aws s3 sync, then ingest of the copy"
timed sync aws --endpoint-url "$EP" s3 sync --quiet s3://bench-bucket "$W/copy"
timed copy "$TS" --db "$W/copy.db" ingest "$W/copy"
say "incremental re-run"
: > "$W/fake.log"
timed again "$TS" --db "$W/s3.db" ingest --endpoint-url "$EP" s3://bench-bucket
lists=$(grep -c '"target":"ListObjectsV2"' "$W/fake.log" || true)
gets=$(grep -c '"target":"GetObject"' "$W/fake.log" || true)

same=$(python3 - "$W/s3.db" "$W/copy.db" <<'PY'
import sqlite3, sys
a, b = (sqlite3.connect(p).execute("SELECT count(*), count(DISTINCT event_id) FROM events").fetchone() for p in sys.argv[1:])
print("yes" if a == b else "NO (%s vs %s)" % (a, b))
PY
)
awk -v n="$N" -v same="$same" -v lists="$lists" -v gets="$gets" '
	{ wall[$1] = $2; cpu[$1] = $3; fake[$1] = $4 }
	END {
		printf "\n### S3 ingest, %d events (%s)\n\n", n, "fake S3: tests/fake_aws.py"
		print "| run | wall s | trailsift CPU s | other CPU s (server, aws) |"
		print "|---|---:|---:|---:|"
		printf "| ingest s3:// (8 objects in flight) | %.2f | %.2f | %.2f server |\n", wall["s3"], cpu["s3"], fake["s3"]
		printf "| aws s3 sync | %.2f | - | %.2f server + %.2f aws |\n", wall["sync"], fake["sync"], cpu["sync"]
		printf "| ingest of the copy | %.2f | %.2f | - |\n", wall["copy"], cpu["copy"]
		printf "| sync + ingest | %.2f | %.2f | |\n", wall["sync"] + wall["copy"], cpu["copy"]
		printf "| ingest s3:// again (nothing new: %d LISTs, %d GETs) | %.2f | %.2f | %.2f server |\n", lists, gets, wall["again"], cpu["again"], fake["again"]
		printf "\nSame events in both stores: %s\n", same
	}' "$W/rows"
