# Passes: --focus mgn pulls only the event sources that matter for MGN/DRS
# (ec2, mgn, drs, iam, kms), one LookupAttributes pass each, each with its
# own checkpoint and origin; several --attribute are several passes, the
# same pass given twice is one, and an event found by two passes is stored
# once.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/lib-pull.sh"

make_events
env_keys
fake_start ct --events "$EVENTS" --cred "$AK:$SK" --rate 0
args="--region us-east-1 --endpoint-url $EP --account $ACCOUNT --rate 0"

run_ts 0 pull $args --focus mgn
for s in ec2 mgn drs iam kms; do
	expected_ids us-east-1 EventSource "$s.amazonaws.com"
done | sort > "$T/want.focus"
same "--focus mgn: exactly the events of ec2, mgn, drs, iam and kms" "$(store_ids)" "$(cat "$T/want.focus")"
same "--focus mgn: nothing from other sources (s3, sts, signin)" \
	"$(sql "SELECT count(*) FROM events WHERE event_source NOT IN ('ec2.amazonaws.com',
		'mgn.amazonaws.com', 'drs.amazonaws.com', 'iam.amazonaws.com', 'kms.amazonaws.com')")" 0
python3 - "$T/ct.log" > "$T/passes" <<'PY'
import json, sys
seen = []
for l in open(sys.argv[1]):
    a = json.loads(l)["body"].get("LookupAttributes")
    s = "%s=%s" % (a[0]["AttributeKey"], a[0]["AttributeValue"]) if a else "none"
    if s not in seen:
        seen.append(s)
print(" ".join(seen))
PY
same "--focus mgn: one pass per source, one attribute per request" "$(cat "$T/passes")" \
	"EventSource=ec2.amazonaws.com EventSource=mgn.amazonaws.com EventSource=drs.amazonaws.com EventSource=iam.amazonaws.com EventSource=kms.amazonaws.com"
same "--focus mgn: a checkpoint per pass" \
	"$(sql "SELECT attribute FROM pull_checkpoints ORDER BY attribute" | tr '\n' ' ')" \
	"EventSource=drs.amazonaws.com EventSource=ec2.amazonaws.com EventSource=iam.amazonaws.com EventSource=kms.amazonaws.com EventSource=mgn.amazonaws.com "
same "--focus mgn: the origin names the pass" \
	"$(sql "SELECT DISTINCT origin FROM events WHERE event_source = 'kms.amazonaws.com'")" \
	"api:cloudtrail:us-east-1:$ACCOUNT:EventSource=kms.amazonaws.com"
contains "--focus mgn: the summary counts the passes" "$T/err" "pull: 1 region x 5 passes:"

# overlapping passes: an event found twice is stored once
DB="$T/overlap.db"
run_ts 0 pull $args --attribute EventName=CreateSnapshot --attribute EventSource=ec2.amazonaws.com \
	--attribute eventsource=ec2.amazonaws.com
n_snap=$(expected_ids us-east-1 EventName CreateSnapshot | wc -l)
n_ec2=$(expected_ids us-east-1 EventSource ec2.amazonaws.com | wc -l)
same "the same pass given twice (any case) is pulled once" \
	"$(sql "SELECT count(*) FROM pull_checkpoints")" 2
same "overlapping passes: the union, once" "$(store_ids)" \
	"$(expected_ids us-east-1 EventSource ec2.amazonaws.com)"
same "the first pass stores its events, the second only those the first did not have" \
	"$(sql "SELECT path, records, inserted FROM sources ORDER BY source_id" | sed "s/.*$ACCOUNT://" | tr '\n' ' ')" \
	"EventName=CreateSnapshot|$n_snap|$n_snap EventSource=ec2.amazonaws.com|$n_ec2|$((n_ec2 - n_snap)) "
contains "the summary counts events received and new" "$T/err" \
	"$((n_snap + n_ec2)) events \($n_ec2 new\)"
