# `trailsift ingest s3://...` against the S3 of tests/fake_aws.py (which
# checks every S3 signature): an organization trail of 3 accounts x 2
# regions x 4 days read whole over paginated listings, the same events as
# from disk, in the same order whatever --jobs; discovery and the planner
# counted in LIST requests; incremental runs (known objects not fetched,
# late files into a past day found, a changed ETag fetched again).
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/lib-pull.sh"
. "$ROOT/tests/lib-s3.sh"

env_keys
mktrail --accounts "$A1,$A2,$A3" --regions eu-west-1,us-east-1 --days 2026-11-01:4
fake_start s3 --s3-root "$T/s3" --cred "$AK:$SK" --rate 0
LOG="$T/s3.log"
S3="--endpoint-url $EP"

# ---- usage ----
run_ts 0 ingest --help
contains "help: the s3:// synopsis" "$T/out" "ingest .*s3://BUCKET\[/PREFIX\]"
contains "help: --late" "$T/out" "^  --late SPAN"
run_ts 2 ingest --account 1234 s3://$BUCKET
contains "a bad --account is a usage error" "$T/err" "want a 12-digit account ID"
run_ts 2 ingest --region us-east-1 "$T"
contains "S3 options without an s3:// URL are a usage error" "$T/err" "are for an s3:// URL"
run_ts 2 ingest s3://$BUCKET "$T"
contains "an s3:// URL with paths is a usage error" "$T/err" "give one s3:// URL"
run_ts 2 ingest --late soon s3://$BUCKET
run_ts 1 ingest $S3 s3://no-such-bucket
contains "a missing bucket is named, with the cause" "$T/err" "s3://no-such-bucket: HeadBucket refused: HTTP 404 \(the bucket does not exist"

# ---- the whole trail, paginated ----
: > "$LOG"
run_ts 0 ingest $S3 --page-size 3 --jobs 8 s3://$BUCKET
same "every record of the trail stored" "$(store_ids)" "$(trail_ids "$T/s3/$BUCKET")"
same "one sources row per object, with its ETag" \
	"$(sql "SELECT count(*), count(etag) FROM sources WHERE path LIKE 's3://$BUCKET/%' AND status = 'ok'")" "48|48"
same "no digest file fetched" "$(s3_keys "$LOG" | grep -c Digest)" "0"
same "each object fetched once" "$(s3_count "$LOG" GetObject)" "48"
# AWSLogs/, the org's accounts, 3 accounts' regions, 6 regions
contains "closing line: prefixes, objects, bytes" "$T/err" \
	"ingest: s3://$BUCKET: 11 prefixes listed, 48 objects read \(144 records, 144 new\), 0 skipped as known, 0 not logs, 0 failed"
check "listings were paginated (page size 3)" [ "$(s3_count "$LOG" ListObjectsV2)" -gt 20 ]
same "the store's origins name s3://bucket/key" \
	"$(sql "SELECT count(*) FROM events WHERE origin LIKE 's3://$BUCKET/AWSLogs/$ORG/%'")" "144"

# the same rows in the same order as from disk, whatever --jobs
DB_S3=$DB
DB="$T/disk.db"
run_ts 0 ingest "$T/s3/$BUCKET"
disk_order=$(sql "SELECT event_id FROM events ORDER BY seq")
DB="$T/one.db"
run_ts 0 ingest $S3 --jobs 1 s3://$BUCKET
one_order=$(sql "SELECT event_id FROM events ORDER BY seq")
DB=$DB_S3
same "stored in the same order as the files from disk" "$(sql "SELECT event_id FROM events ORDER BY seq")" "$disk_order"
same "stored in the same order with --jobs 1 and 8" "$one_order" "$disk_order"

# ---- incremental ----
: > "$LOG"
run_ts 0 ingest $S3 s3://$BUCKET
same "a second run fetches nothing" "$(s3_count "$LOG" GetObject)" "0"
contains "a second run counts what it skipped as known" "$T/err" "11 prefixes listed, 0 objects read .*, [1-9][0-9]* skipped as known"
same "a second run lists each region from its late window (StartAfter)" \
	"$(python3 -c "
import json
print(sum(1 for l in open('$LOG') for e in [json.loads(l)]
          if e.get('target') == 'ListObjectsV2' and (e['body'] or {}).get('start-after')))")" "6"

# a new file, a late one (in the window), and one into a past day's prefix
mktrail --one "$A1" eu-west-1 20261105T0010Z
mktrail --one "$A2" us-east-1 20261104T1750Z
: > "$LOG"
run_ts 0 ingest $S3 s3://$BUCKET
same "new and late files are fetched, nothing else" "$(s3_count "$LOG" GetObject)" "2"
mktrail --one "$A1" eu-west-1 20261104T2340Z
: > "$LOG"
run_ts 0 ingest $S3 s3://$BUCKET
same "a late file into the past day's prefix is found" "$(s3_keys "$LOG")" \
	"AWSLogs/$ORG/$A1/CloudTrail/eu-west-1/2026/11/04/$(cd "$T/s3/$BUCKET/AWSLogs/$ORG/$A1/CloudTrail/eu-west-1/2026/11/04" && ls | grep T2340Z)"
same "and its records stored" "$(store_ids)" "$(trail_ids "$T/s3/$BUCKET")"

# a changed object (new content, new ETag) is fetched again
f=$(cd "$T/s3/$BUCKET" && ls AWSLogs/$ORG/$A3/CloudTrail/us-east-1/2026/11/04/*T1810Z*)
old_etag=$(sql "SELECT etag FROM sources WHERE path = 's3://$BUCKET/$f'")
python3 - "$T/s3/$BUCKET/$f" <<'PY'
import gzip, json, sys
d = json.loads(gzip.open(sys.argv[1]).read())
for i, r in enumerate(d["Records"]):
    r["eventID"] = "changed-%d" % i
with gzip.open(sys.argv[1], "wb") as f:
    f.write(json.dumps(d).encode())
PY
: > "$LOG"
run_ts 0 ingest $S3 s3://$BUCKET
same "a changed object is fetched again" "$(s3_keys "$LOG")" "$f"
check "its new ETag is recorded" [ "$(sql "SELECT etag FROM sources WHERE path = 's3://$BUCKET/$f'")" != "$old_etag" ]
same "its new records are stored" "$(sql "SELECT count(*) FROM events WHERE event_id LIKE 'changed-%'")" "3"

# ---- reading only what the question needs ----
DB="$T/scoped.db"
: > "$LOG"
run_ts 0 ingest $S3 --account "$A2" --region us-east-1 --since 2026-11-02 --until 2026-11-03T12:00:00Z s3://$BUCKET
same "one account, one region, two days: 2 LIST requests (AWSLogs/, the region)" \
	"$(s3_count "$LOG" ListObjectsV2)" "2"
same "and the 4 objects of those days only" "$(s3_keys "$LOG" | sed 's/.*_\(2026[0-9T]*Z\)_.*/\1/' | tr '\n' ' ')" \
	"20261102T0610Z 20261102T1810Z 20261103T0610Z 20261103T1810Z "
DB="$T/scoped2.db"
: > "$LOG"
run_ts 0 ingest $S3 --region eu-west-1 s3://$BUCKET/AWSLogs/$ORG/$A3/
same "a prefix naming the account and --region: one LIST" "$(s3_count "$LOG" ListObjectsV2)" "1"
same "  and that region's objects" "$(sql "SELECT count(*) FROM sources")" "8"

# ---- the bucket in another region than the first guess ----
fake_stop "$FAKE_PID"
fake_start s3b --s3-root "$T/s3" --cred "$AK:$SK" --rate 0 --s3-region eu-central-1
DB="$T/region.db"
AWS_REGION=us-east-1 ts ingest --endpoint-url "$EP" --region eu-west-1 --account "$A1" s3://$BUCKET \
	> "$T/out" 2> "$T/err"
same "the bucket's region is found from S3's answer" "$?" "0"
same "  (one HeadBucket refused for the wrong region, then every request signed right)" \
	"$(s3_count "$T/s3b.log" HeadBucket status=400) $(s3_count "$T/s3b.log" GetObject status=200)" "1 10"

no_secret "the secret key is in no output or store" "$SK" "$T/out" "$T/err" "$T"/*.db
