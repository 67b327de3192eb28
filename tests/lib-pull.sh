# tests/lib-pull.sh - sourced by the `pull` tests (t003x) after lib.sh.
#
# A clean AWS environment (no caller settings, keys, proxies or instance
# metadata leak in), the fake AWS endpoints of tests/fake_aws.py on
# 127.0.0.1 (started here, killed at exit), events whose times are near
# now (the sample export shifted, so the tests keep working as the
# calendar moves on), and checks on the fake's request log.

AK=AKIDPULLTEST01
SK='pullTest/Secret+Key0123456789abcdefghijKL'
ACCOUNT=111122223333
FAKE_PIDS=""
EVENTS="$T/events.jsonl"

fake_stop_all() {
	for p in $FAKE_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $FAKE_PIDS; do
		wait "$p" 2>/dev/null
	done
	FAKE_PIDS=""
}
trap 'fake_stop_all; rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM

ts() { timeout 120 "$TS" --db "$DB" "$@"; }

# aws_clean_env: forgets the caller's AWS settings and proxies.
aws_clean_env() {
	for v in $(env | sed -n 's/^\(AWS_[A-Za-z0-9_]*\)=.*/\1/p'); do
		unset "$v"
	done
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy NO_PROXY no_proxy
	HOME="$T/home"
	mkdir -p "$HOME"
	AWS_SHARED_CREDENTIALS_FILE="$HOME/credentials"
	AWS_CONFIG_FILE="$HOME/config"
	AWS_EC2_METADATA_DISABLED=true
	export HOME AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE AWS_EC2_METADATA_DISABLED
}
aws_clean_env

# env_keys: the test's long-term keys in the environment.
env_keys() {
	export AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK"
}

# make_events: the sample export's CloudTrail records as JSON Lines in
# $EVENTS, eventTime shifted so that the newest is two hours ago.
make_events() {
	python3 - "$FIX/sample/AWSLogs" "$EVENTS" <<'PY'
import glob, gzip, json, os, sys, time, datetime as dt
src, out = sys.argv[1], sys.argv[2]
recs = []
for p in sorted(glob.glob(os.path.join(src, "*", "CloudTrail", "**", "*.json.gz"), recursive=True)):
    recs.extend(json.loads(gzip.open(p).read().decode("utf-8"))["Records"])
parse = lambda s: dt.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.timezone.utc).timestamp()
newest = max(parse(r["eventTime"]) for r in recs)
shift = int(time.time() - 7200 - newest)
with open(out, "w", encoding="utf-8") as f:
    for r in recs:
        t = parse(r["eventTime"]) + shift
        r["eventTime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
        f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
PY
}

# fake_start NAME ARGS...: starts tests/fake_aws.py with ARGS, logging to
# $T/NAME.log; sets FAKE_PID, FAKE_PORT and EP (its URL).
fake_start() {
	name=$1
	shift
	python3 "$ROOT/tests/fake_aws.py" --log "$T/$name.log" --max-seconds 300 "$@" \
		> "$T/$name.port" 2> "$T/$name.stderr" &
	FAKE_PID=$!
	FAKE_PIDS="$FAKE_PIDS $FAKE_PID"
	FAKE_PORT=""
	i=0
	while [ $i -lt 100 ] && [ -z "$FAKE_PORT" ]; do
		FAKE_PORT=$(sed -n 's/^PORT //p' "$T/$name.port")
		[ -n "$FAKE_PORT" ] || sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$FAKE_PORT" ]; then
		fail "the fake AWS endpoint '$name' started (test setup)"
		sed 's/^/#   /' "$T/$name.stderr" | head -5
		exit 1
	fi
	EP="http://127.0.0.1:$FAKE_PORT"
}

# fake_stop PID: stops one fake (its log is complete afterwards).
fake_stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# expected_ids REGION [KEY VALUE]: the eventIDs the fake serves for REGION
# (and the lookup attribute), sorted, one per line.
expected_ids() {
	python3 - "$ROOT/tests" "$EVENTS" "$@" <<'PY'
import sys, time
sys.path.insert(0, sys.argv[1])
import fake_aws as F
region = sys.argv[3]
attr = sys.argv[4:6]
now = time.time()
ids = [e.id for e in F.load_events([sys.argv[2]])
       if e.region == region and e.category == "Management" and now - F.RETENTION <= e.t <= now
       and (not attr or attr[1] in e.attrs[attr[0]])]
for i in sorted(ids):
    print(i)
PY
}

# store_ids [WHERE]: the store's eventIDs, sorted.
store_ids() {
	sql "SELECT event_id FROM events ${1:-} ORDER BY event_id"
}

# log_check LOG WHAT...: facts from a fake's request log, one per line:
#   rate            the most LookupEvents requests of one region in any 1 s
#   rate_excess     the most requests of one region in any window of W seconds
#                   (W = 1..10) less 2*W: what the 2-per-second limit allows, the
#                   fake sees at most 1 more (the bucket's burst; a busy machine
#                   may also delay one arrival into the next second)
#   ports           the most client ports one region's requests came from
#   requests        LookupEvents requests
#   ok              of which answered 200
#   errors          error types answered, sorted, with counts ("Throttling 3,...")
#   faults          fault kinds injected, with counts
#   repeats         pages fetched twice (same window, attribute and NextToken, both 200)
#   first_token     whether the first request carried a NextToken (yes/no)
log_check() {
	python3 - "$@" <<'PY'
import collections, json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
ct = [e for e in log if e["service"] == "cloudtrail"]
ct.sort(key=lambda e: e["n"])

def most_in_window(ts, w):
    """The most of the sorted times ts that fall in any w seconds."""
    worst = j = 0
    for i in range(len(ts)):
        while ts[i] - ts[j] >= w:
            j += 1
        worst = max(worst, i - j + 1)
    return worst

for what in sys.argv[2:]:
    if what in ("rate", "rate_excess"):
        by = collections.defaultdict(list)
        for e in ct:
            by[e["region"]].append(e["mono"])
        # rate: the most in any 1 s; rate_excess: the most in any w s less 2*w, w = 1..10
        windows = [1] if what == "rate" else range(1, 11)
        allowed = 0 if what == "rate" else 2
        print(max([most_in_window(sorted(ts), w) - allowed * w for ts in by.values() for w in windows],
                  default=0))
    elif what == "ports":
        by = collections.defaultdict(set)
        for e in ct:
            if e["fault"] is None:
                by[e["region"]].add(e["client_port"])
        print(max((len(v) for v in by.values()), default=0))
    elif what == "requests":
        print(len(ct))
    elif what == "ok":
        print(sum(1 for e in ct if e["status"] == 200))
    elif what == "errors":
        c = collections.Counter(e["error"] for e in ct if e["error"])
        print(",".join("%s %d" % kv for kv in sorted(c.items())))
    elif what == "faults":
        c = collections.Counter(f.split(":")[0] + (":" + f.split(":")[1] if f.startswith("5xx") else "")
                                for e in ct if e["fault"] for f in e["fault"].split(","))
        print(",".join("%s %d" % kv for kv in sorted(c.items())))
    elif what == "repeats":
        seen = collections.Counter()
        for e in ct:
            if e["status"] == 200 and isinstance(e["body"], dict):
                b = e["body"]
                seen[(e["region"], b.get("StartTime"), b.get("EndTime"),
                      json.dumps(b.get("LookupAttributes")), b.get("NextToken"))] += 1
        print(sum(n - 1 for n in seen.values() if n > 1))
    elif what == "first_token":
        print("yes" if ct and isinstance(ct[0]["body"], dict) and ct[0]["body"].get("NextToken") else "no")
PY
}

# no_secret WHAT SECRET FILE...: passes when no FILE holds SECRET.
no_secret() {
	what=$1
	secret=$2
	shift 2
	found=""
	for f in "$@"; do
		[ -e "$f" ] || continue
		if grep -aqF -- "$secret" "$f"; then
			found="$found $(basename "$f")"
		fi
	done
	same "$what" "$found" ""
}

# one_error FILE: the number of "error:" lines in FILE.
one_error() {
	grep -c '^trailsift: error: ' "$1"
}
