# `trailsift pull` against the fake CloudTrail endpoint: every event of two
# regions pulled concurrently, exactly once, byte for byte; origins,
# sources and checkpoints; the rate limit and connection reuse from the
# fake's log; incremental re-runs; --max-events; --since/--until; usage.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/lib-pull.sh"

make_events
env_keys

# ---- usage ----
run_ts 0 pull --help
contains "help: the synopsis" "$T/out" "^usage: trailsift .*pull \[--region R\]"
contains "help: --focus mgn and its passes" "$T/out" "EventSource ec2, mgn, drs, iam"
contains "help: the credential order" "$T/out" "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
contains "help: exit statuses" "$T/out" "^Exit status: 0 done"
run_ts 2 pull --region us-east-1 --attribute Color=red
contains "an unknown attribute key is a usage error" "$T/err" "'Color=red': want KEY=VALUE with KEY one of EventId"
run_ts 2 pull --region us-east-1 --attribute EventName
contains "an attribute without a value is a usage error" "$T/err" "want KEY=VALUE"
run_ts 2 pull --region us-east-1 --since yesterday
contains "a bad --since is a usage error" "$T/err" "--since 'yesterday'"
run_ts 2 pull --region us-east-1 --since 2d --until 3d
contains "--since after --until is a usage error" "$T/err" "--since is after --until"
run_ts 2 pull --region us-east-1 --focus s3
run_ts 2 pull --region us-east-1 --max-events 0
run_ts 2 pull --region us-east-1 --account 12345
contains "a bad --account is refused" "$T/err" "not a 12-digit account"
run_ts 2 pull --account "$ACCOUNT"
contains "no region anywhere is a usage error" "$T/err" "no region: give --region"
run_ts 2 pull --region 'us east' --account "$ACCOUNT"
contains "a bad region name is refused" "$T/err" "is not a region name"
check "no store is created by a usage error" test ! -e "$DB"

# ---- two regions at once, pages of 20 ----
fake_start ct --events "$EVENTS" --cred "$AK:$SK" --page-size-cap 20
expected_ids us-east-1 > "$T/want.use1"
expected_ids eu-west-1 > "$T/want.euw1"
n_use1=$(wc -l < "$T/want.use1")
n_euw1=$(wc -l < "$T/want.euw1")
check "the fixture has events in both regions ($n_use1, $n_euw1)" test "$n_use1" -gt 100 -a "$n_euw1" -gt 100
t0=$(date +%s)
run_ts 0 pull --region us-east-1 --region eu-west-1 --endpoint-url "$EP" --account "$ACCOUNT"
cp "$T/err" "$T/first.err"
fake_stop "$FAKE_PID"
same "us-east-1: every event once" "$(store_ids "WHERE aws_region = 'us-east-1'")" "$(cat "$T/want.use1")"
same "eu-west-1: every event once" "$(store_ids "WHERE aws_region = 'eu-west-1'")" "$(cat "$T/want.euw1")"
same "no duplicate eventIDs" "$(sql 'SELECT count(*) - count(DISTINCT event_id) FROM events')" 0
python3 - "$DB" "$EVENTS" > "$T/raw.cmp" <<'PY'
import json, sqlite3, sys
want = {}
for line in open(sys.argv[2], encoding="utf-8"):
    want[json.loads(line)["eventID"]] = line.rstrip("\n")
con = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
bad = [e for e, raw in con.execute("SELECT event_id, raw FROM events") if want.get(e) != raw]
print("same" if not bad else "differ: %d, e.g. %s" % (len(bad), bad[0]))
PY
same "raw is the record as the API sent it, byte for byte" "$(cat "$T/raw.cmp")" same
same "origin names the API, region and account" \
	"$(sql "SELECT DISTINCT origin FROM events ORDER BY 1" | tr '\n' ' ')" \
	"api:cloudtrail:eu-west-1:$ACCOUNT api:cloudtrail:us-east-1:$ACCOUNT "
same "one sources row per stream, with its totals" \
	"$(sql "SELECT path, records, inserted, status, size IS NULL FROM sources ORDER BY path" | tr '\n' ' ')" \
	"api:cloudtrail:eu-west-1:$ACCOUNT|$n_euw1|$n_euw1|ok|1 api:cloudtrail:us-east-1:$ACCOUNT|$n_use1|$n_use1|ok|1 "
pages_use1=$(( (n_use1 + 19) / 20 ))
same "us-east-1 checkpoint: window done, newest event kept, pages counted" \
	"$(sql "SELECT win_start_ms IS NULL, next_token IS NULL, newest_ms = (SELECT max(event_time_ms)
		FROM events WHERE aws_region = 'us-east-1'), pages, events FROM pull_checkpoints
		WHERE region = 'us-east-1' AND attribute = '' AND account_id = '$ACCOUNT'")" \
	"1|1|1|$pages_use1|$n_use1"
contains "the summary line" "$T/first.err" \
	"^trailsift: pull: 2 regions x 1 pass: [0-9]+ pages, $((n_use1 + n_euw1)) events \($((n_use1 + n_euw1)) new\) in"
same "the summary is the only line on stderr (not a TTY)" "$(wc -l < "$T/first.err")" 1
echo "# most requests in one second: $(log_check "$T/ct.log" rate)"
excess=$(log_check "$T/ct.log" rate_excess)
if [ "$excess" -le 1 ]; then ok "never over 2 requests a second per region (any 1..10 s window: $excess over 2/s)"
else fail "never over 2 requests a second per region (any 1..10 s window: $excess over 2/s; 1 is the burst or a delayed arrival)"; fi
same "one connection per region, kept alive" "$(log_check "$T/ct.log" ports)" 1
same "no request failed" "$(log_check "$T/ct.log" errors)" ""
python3 - "$T/ct.log" "$t0" > "$T/body" <<'PY'
import json, sys
e = json.loads(open(sys.argv[1]).readline())["body"]
t0 = int(sys.argv[2])
print("%s %s %s" % (abs(e["StartTime"] - (t0 - 90 * 86400)) <= 5, abs(e["EndTime"] - t0) <= 5,
                    e["MaxResults"]))
PY
same "the first request asks for the last 90 days, 50 at a time" "$(cat "$T/body")" "True True 50"
python3 - "$ROOT/tests" <<'PY' > "$T/exp"
import sys, time
sys.path.insert(0, sys.argv[1])
import fake_aws as F
print("E" in F.java_double(int(time.time())))
PY
same "the fake writes EventTime in exponent form (1.7956E9), which was read" "$(cat "$T/exp")" True
sql "SELECT run_id, ended_at IS NOT NULL, records, inserted, command LIKE '%pull%' FROM ingest_runs" > "$T/runs"
same "the run is recorded" "$(cat "$T/runs")" "1|1|$((n_use1 + n_euw1))|$((n_use1 + n_euw1))|1"

# ---- incremental: a second run reads from the newest event less 15 minutes ----
fake_start ct2 --events "$EVENTS" --cred "$AK:$SK" --page-size-cap 20
run_ts 0 pull --region us-east-1 --region eu-west-1 --endpoint-url "$EP" --account "$ACCOUNT"
fake_stop "$FAKE_PID"
contains "the re-run stores nothing new" "$T/err" "events \(0 new\)"
same "the store is unchanged" "$(sql 'SELECT count(*) FROM events')" "$((n_use1 + n_euw1))"
python3 - "$T/ct2.log" "$DB" > "$T/incr" <<'PY'
import json, sqlite3, sys
con = sqlite3.connect("file:%s?mode=ro" % sys.argv[2], uri=True)
newest = dict(con.execute("SELECT region, newest_ms FROM pull_checkpoints"))
out = []
for line in open(sys.argv[1]):
    e = json.loads(line)
    out.append("%s:%s" % (e["region"], e["body"]["StartTime"] == newest[e["region"]] // 1000 - 900))
print(" ".join(sorted(set(out))))
PY
same "the re-run reads from the newest event less the 15-minute overlap" "$(cat "$T/incr")" \
	"eu-west-1:True us-east-1:True"
check "... which takes a few requests, not a full pull ($(log_check "$T/ct2.log" requests))" \
	test "$(log_check "$T/ct2.log" requests)" -le 4

# ---- --max-events stops exactly there; the next run goes on from the checkpoint ----
DB="$T/max.db"
fake_start ct3 --events "$EVENTS" --cred "$AK:$SK" --page-size-cap 20
run_ts 0 pull --region us-east-1 --endpoint-url "$EP" --account "$ACCOUNT" --max-events 45
contains "--max-events: the summary says so" "$T/err" "45 events \(45 new\).*stopped at --max-events"
same "--max-events 45: exactly 45 events stored" "$(sql 'SELECT count(*) FROM events')" 45
same "the last request asked for the 5 left" \
	"$(tail -n 1 "$T/ct3.log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["body"]["MaxResults"])')" 5
same "the checkpoint keeps the window and its NextToken" \
	"$(sql "SELECT win_start_ms IS NOT NULL, next_token IS NOT NULL, pages FROM pull_checkpoints")" "1|1|3"
fake_stop "$FAKE_PID"
fake_start ct4 --events "$EVENTS" --cred "$AK:$SK" --page-size-cap 20
run_ts 0 pull --region us-east-1 --endpoint-url "$EP" --account "$ACCOUNT"
fake_stop "$FAKE_PID"
same "the next run resumes with the stored NextToken" "$(log_check "$T/ct4.log" first_token)" yes
same "after it, every event once" "$(store_ids)" "$(cat "$T/want.use1")"
same "no page was fetched twice" "$(log_check "$T/ct4.log" repeats)" 0

# ---- --since/--until: only that window ----
DB="$T/window.db"
read -r since until <<EOF
$(python3 - "$EVENTS" <<'PY'
import json, sys, time
ts = sorted(json.loads(l)["eventTime"] for l in open(sys.argv[1]))
print(ts[len(ts) // 3], ts[2 * len(ts) // 3])
PY
)
EOF
fake_start ct5 --events "$EVENTS" --cred "$AK:$SK"
run_ts 0 pull --region us-east-1 --endpoint-url "$EP" --account "$ACCOUNT" --since "$since" --until "$until"
fake_stop "$FAKE_PID"
python3 - "$ROOT/tests" "$EVENTS" "$since" "$until" > "$T/want.window" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import fake_aws as F
lo, hi = F.parse_iso(sys.argv[3]), F.parse_iso(sys.argv[4])
for e in F.load_events([sys.argv[2]]):
    if e.region == "us-east-1" and e.category == "Management" and lo <= e.t <= hi:
        print(e.id)
PY
same "--since/--until: exactly the events of the window" "$(store_ids)" "$(sort "$T/want.window")"
contains "--since/--until: the summary shows the window" "$T/err" "$since \.\. $until"

# ---- a terminal shows progress; the closing summary stays ----
DB="$T/tty.db"
fake_start tty --events "$EVENTS" --cred "$AK:$SK" --page-size-cap 20
script -qec "$TS --db $DB pull --region us-east-1 --endpoint-url $EP --account $ACCOUNT --max-events 100" \
	/dev/null > "$T/tty.out" 2>&1
same "on a terminal: exit 0" "$?" 0
fake_stop "$FAKE_PID"
contains "on a terminal: a progress line (passes, pages, events, new, rate, time covered)" "$T/tty.out" \
	"pull: 0/1 passes, [0-9]+ pages, [0-9]+ events \([0-9]+ new\), [0-9]+ events/s, .* \.\. 20[0-9-]+T"
contains "on a terminal: the summary at the end" "$T/tty.out" "trailsift: pull: 1 region x 1 pass: 5 pages, 100 events"
