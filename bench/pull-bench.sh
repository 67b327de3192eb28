#!/bin/sh
# Pull benchmark: `trailsift pull` of N events from the fake CloudTrail
# endpoint (tests/fake_aws.py, rate limit off, `pull --rate 0`), beside file
# ingest of the very same events, so that the API path's own cost per page
# (HTTP, the JSON page around each record, signing, checkpoints) is visible.
#
#   TRAILSIFT=path/to/trailsift sh bench/pull-bench.sh     (build it with `make`)
#
# Env:
#   TRAILSIFT          the binary (default: ./trailsift in the repository)
#   BENCH_PULL_EVENTS  events to pull (default 100000)
#   BENCH_DIR          work directory (default bench/work)
#   BENCH_SEED         bench/gen.py seed (default 1)
#
# The events: bench/gen.py makes an S3 export; its first N management events
# (LookupEvents serves no data events) become one JSON Lines file, which the
# fake serves and `ingest` reads. Generated once per (N, seed) and reused.
# Runs (each into a fresh store unless said):
#   pull            the API into an empty store (indexes built at the end)
#   ingest          the JSON Lines file into an empty store
#   pull (dups)     the API into the store `ingest` made: every event is
#                   already there, the indexes are kept up to date
# Wall time of a pull is bounded by the fake (Python, which scans all its
# events for every page); trailsift's own cost is its CPU seconds, reported
# per 1000 events, with the fake's CPU beside it. Prints a markdown table.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
N=${BENCH_PULL_EVENTS:-100000}
SEED=${BENCH_SEED:-1}
DIR=${BENCH_DIR:-$HERE/work}
TS=${TRAILSIFT:-$ROOT/trailsift}
case $N in (''|*[!0-9]*|0) echo "pull-bench: BENCH_PULL_EVENTS must be a positive integer" >&2; exit 2;; esac
if [ ! -x "$TS" ]; then
	echo "pull-bench: '$TS' is not an executable (build it with make, or set TRAILSIFT)" >&2
	exit 2
fi
TS=$(cd "$(dirname "$TS")" && pwd)/$(basename "$TS")
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
W=$DIR/pull-$N-s$SEED
EVENTS=$W/events.jsonl
mkdir -p "$W"
say() { printf 'pull-bench: %s\n' "$*" >&2; }

# ---- the events ----
stamp="$N $SEED $(sha256sum "$HERE/gen.py" | cut -d' ' -f1)"
if [ -s "$EVENTS" ] && [ "$(cat "$W/marker" 2>/dev/null)" = "$stamp" ]; then
	say "reusing $EVENTS"
else
	say "generating $N management events into $EVENTS"
	rm -rf "$W/export" "$EVENTS" "$W/marker"
	python3 "$HERE/gen.py" --events $((N * 5 / 4 + 1000)) --seed "$SEED" --out "$W/export" >/dev/null
	python3 - "$W/export" "$EVENTS" "$N" <<'PY'
import glob, gzip, json, os, sys
src, out, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
n = 0
with open(out + ".tmp", "w", encoding="utf-8") as f:
    for p in sorted(glob.glob(os.path.join(src, "**", "*.json.gz"), recursive=True)):
        for r in json.loads(gzip.open(p).read().decode("utf-8"))["Records"]:
            if r.get("managementEvent") is False or r.get("eventCategory", "Management") != "Management":
                continue
            if n < want:
                f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
                n += 1
if n < want:
    sys.exit("pull-bench: only %d management events generated" % n)
os.rename(out + ".tmp", out)
PY
	rm -rf "$W/export"
	echo "$stamp" > "$W/marker"
fi
read -r REGIONS NOW SINCE <<EOF
$(python3 - "$EVENTS" <<'PY'
import json, sys, time, calendar
regions, lo, hi = set(), None, None
for l in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(l)
    regions.add(r["awsRegion"])
    t = r["eventTime"]
    lo = t if lo is None or t < lo else lo
    hi = t if hi is None or t > hi else hi
t = calendar.timegm(time.strptime(hi[:19], "%Y-%m-%dT%H:%M:%S")) + 60
print(",".join(sorted(regions)), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)), lo[:10])
PY
)
EOF
say "regions $REGIONS, events from $SINCE to $NOW"

# ---- the fake endpoint ----
AK=AKIDBENCHPULL001
SK=benchPullSecretKey0000000000000000000000
say "starting the fake endpoint (loading $N events)"
python3 "$ROOT/tests/fake_aws.py" --events "$EVENTS" --cred "$AK:$SK" --rate 0 --now "$NOW" \
	--max-seconds 3600 > "$W/fake.port" 2> "$W/fake.err" &
FAKE=$!
trap 'kill $FAKE 2>/dev/null; wait $FAKE 2>/dev/null' EXIT INT TERM
i=0
while ! grep -q '^PORT ' "$W/fake.port" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 1200 ] || ! kill -0 $FAKE 2>/dev/null; then
		say "the fake endpoint did not start:"
		cat "$W/fake.err" >&2
		exit 1
	fi
	sleep 0.25
done
EP="http://127.0.0.1:$(sed -n 's/^PORT //p' "$W/fake.port")"

fake_cpu() { # the fake's CPU seconds so far
	python3 -c 'import os, sys
f = open("/proc/%s/stat" % sys.argv[1]).read().rsplit(")", 1)[1].split()
print((int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK"))' "$FAKE"
}

# run NAME STORE CMD...: measures CMD (wall, CPU, peak RSS), the fake's CPU meanwhile
run() {
	name=$1
	store=$2
	shift 2
	f0=$(fake_cpu)
	python3 "$HERE/measure.py" -o "$W/$name.json" -- "$@" > "$W/$name.log" 2>&1 || true
	f1=$(fake_cpu)
	python3 - "$W/$name.json" "$store" "$f0" "$f1" "$W/$name.log" <<'PY' > "$W/$name.row"
import json, sqlite3, sys
m = json.load(open(sys.argv[1]))
n = sqlite3.connect(sys.argv[2]).execute("SELECT count(*) FROM events").fetchone()[0]
m["events_stored"] = n
m["fake_cpu_s"] = round(float(sys.argv[4]) - float(sys.argv[3]), 2)
m["summary"] = open(sys.argv[5]).read().strip().splitlines()[-1:]
print(json.dumps(m))
PY
	if [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rc"])' "$W/$name.json")" != 0 ]; then
		say "$name failed:"
		tail -5 "$W/$name.log" >&2
		exit 1
	fi
}

pull_args="--account 111122223333 --endpoint-url $EP --rate 0 --since $SINCE --until $NOW"
for r in $(echo "$REGIONS" | tr ',' ' '); do
	pull_args="$pull_args --region $r"
done
export AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN http_proxy https_proxy HTTPS_PROXY ALL_PROXY all_proxy 2>/dev/null || true

rm -f "$W/pull.db" "$W/pull.db-journal" "$W/ingest.db" "$W/ingest.db-journal"
say "pull into an empty store"
run pull "$W/pull.db" "$TS" --db "$W/pull.db" pull $pull_args
say "ingest of the same events"
run ingest "$W/ingest.db" "$TS" --db "$W/ingest.db" ingest "$EVENTS"
say "pull into the store ingest made (every event a duplicate)"
run dups "$W/ingest.db" "$TS" --db "$W/ingest.db" pull $pull_args

python3 - "$N" "$W/pull.row" "$W/ingest.row" "$W/dups.row" <<'PY'
import json, sys
n = int(sys.argv[1])
labels = ["pull, empty store (fake endpoint, --rate 0)", "ingest of the same events (JSON Lines)",
          "pull, every event already stored"]
print("| run | events stored | wall s | events/s | CPU s | CPU s per 1000 events | peak RSS MB | fake endpoint CPU s |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for label, p in zip(labels, sys.argv[2:]):
    m = json.loads(open(p).read())
    fake = "%.1f" % m["fake_cpu_s"] if label.startswith("pull") else "-"
    print("| %s | %d | %.1f | %.0f | %.2f | %.4f | %.0f | %s |" % (
        label, m["events_stored"], m["wall_s"], n / m["wall_s"], m["cpu_s"], m["cpu_s"] / n * 1000,
        (m["maxrss_kb"] or 0) / 1024, fake))
print()
for p in sys.argv[2:]:
    print("    " + " ".join(json.loads(open(p).read())["summary"]))
PY
