# Faults on the way: HTTP 500 and 503, dropped connections, slow answers,
# answers slower than --timeout and throttling are retried, with every
# event stored exactly once and the rate kept; a region whose requests keep
# failing stops after --max-attempts with one line naming it and the last
# error, keeps what it pulled, and the next run continues from there.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/lib-pull.sh"

make_events
env_keys
expected_ids us-east-1 > "$T/want.use1"
expected_ids eu-west-1 > "$T/want.euw1"
cat "$T/want.use1" "$T/want.euw1" | sort > "$T/want.both"

# ---- 500, 503, drops and slow answers on about one request in four ----
fake_start faults --events "$EVENTS" --cred "$AK:$SK" --page-size-cap 25 \
	--fail-5xx '4:500,9:503,15:503,21:500,30:503' --drop '6,12,13,25' --slow '10:1.2,18:1.2,28:1.2'
run_ts 0 pull --region us-east-1 --region eu-west-1 --endpoint-url "$EP" --account "$ACCOUNT" \
	--timeout 10 --max-attempts 8
fake_stop "$FAKE_PID"
same "every event once, across faults" "$(store_ids)" "$(cat "$T/want.both")"
same "no duplicate eventIDs" "$(sql 'SELECT count(*) - count(DISTINCT event_id) FROM events')" 0
faults=$(log_check "$T/faults.log" faults)
echo "# faults injected: $faults"
for f in drop "5xx:500" "5xx:503" slow; do
	case ",$faults" in
	*",$f "*) ok "the fake injected $f" ;;
	*) fail "the fake injected $f (test setup: $faults)" ;;
	esac
done
echo "# most requests in one second: $(log_check "$T/faults.log" rate)"
excess=$(log_check "$T/faults.log" rate_excess)
if [ "$excess" -le 1 ]; then ok "the faults did not push the rate over 2 per second (any 1..10 s window: $excess over 2/s)"
else fail "the faults did not push the rate over 2 per second (any 1..10 s window: $excess over 2/s; 1 is the burst or a delayed arrival)"; fi
same "no page was stored from two answers" "$(log_check "$T/faults.log" repeats)" 0
same "retries are quiet: only the summary on stderr" "$(wc -l < "$T/err")" 1

# ---- an answer slower than --timeout is given up on and asked again ----
DB="$T/slow.db"
fake_start slow --events "$EVENTS" --cred "$AK:$SK" --slow '1:4,3:4'
run_ts 0 pull --region eu-west-1 --endpoint-url "$EP" --account "$ACCOUNT" --timeout 2
fake_stop "$FAKE_PID"
same "after timeouts, every event once" "$(store_ids)" "$(cat "$T/want.euw1")"
python3 - "$T/slow.log" > "$T/slow.cmp" <<'PY'
import json
log = sorted((json.loads(l) for l in open(__import__("sys").argv[1])), key=lambda e: e["n"])
# request 1 was slow; the client gave up and sent the same request again
print(log[0]["fault"], log[1]["body"] == log[0]["body"])
PY
same "the timed-out request was sent again" "$(cat "$T/slow.cmp")" "slow:4 True"

# ---- throttling: asking faster than the endpoint allows is throttled and retried ----
DB="$T/throttle.db"
fake_start throttle --events "$EVENTS" --cred "$AK:$SK"
run_ts 0 pull --region eu-west-1 --endpoint-url "$EP" --account "$ACCOUNT" --rate 6
fake_stop "$FAKE_PID"
errors=$(log_check "$T/throttle.log" errors)
case "$errors" in
ThrottlingException*) ok "asking 6 per second was throttled ($errors)" ;;
*) fail "asking 6 per second was throttled (test setup: '$errors')" ;;
esac
same "after throttling, every event once" "$(store_ids)" "$(cat "$T/want.euw1")"

# ---- a region that keeps failing: bounded attempts, one clear line, progress kept ----
DB="$T/fail.db"
fake_start broken --events "$EVENTS" --cred "$AK:$SK" --page-size-cap 20 --seed 3 --fail-5xx '3-100000:503'
run_ts 1 pull --region us-east-1 --endpoint-url "$EP" --account "$ACCOUNT" --max-attempts 3
fake_stop "$FAKE_PID"
same "exactly one error line" "$(one_error "$T/err")" 1
contains "it names the region, the attempts and the last error" "$T/err" \
	"^trailsift: error: region 'us-east-1': LookupEvents failed 3 times, the last: HTTP 503 ServiceUnavailable; what was pulled is kept"
same "3 attempts at the failing page, then stop" "$(log_check "$T/broken.log" requests)" 5
same "the two pages before the failure are kept" "$(sql 'SELECT count(*) FROM events')" 40
same "the checkpoint points at the failed page" \
	"$(sql "SELECT pages, next_token IS NOT NULL FROM pull_checkpoints")" "2|1"
# the same fake (same seed: same NextTokens), healthy again, with full pages
fake_start healed --events "$EVENTS" --cred "$AK:$SK" --seed 3
run_ts 0 pull --region us-east-1 --endpoint-url "$EP" --account "$ACCOUNT"
fake_stop "$FAKE_PID"
same "the next run starts at the failed page" "$(log_check "$T/healed.log" first_token)" yes
same "and then holds every event once" "$(store_ids)" "$(cat "$T/want.use1")"
same "no page was fetched twice" "$(log_check "$T/healed.log" repeats)" 0

# ---- nothing listening: connection errors are retried, then reported ----
DB="$T/refused.db"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run_ts 1 pull --region eu-west-1 --endpoint-url "http://127.0.0.1:$port" --account "$ACCOUNT" --max-attempts 2
contains "a refused connection: named, after the attempts" "$T/err" \
	"^trailsift: error: region 'eu-west-1': LookupEvents failed 2 times, the last: no answer: .*(refused|connect)"
same "one error line" "$(one_error "$T/err")" 1
