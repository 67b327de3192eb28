# `trailsift ingest s3://...` when S3 misbehaves (tests/fake_aws.py): 503
# SlowDown and 500 retried with backoff, connections cut mid-object resumed
# where they stopped (Range + If-Match), a 403 key named with its likely
# cause while the others are stored, a corrupt object leaving none of its
# records; and `audit s3://...` for cron.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/lib-pull.sh"
. "$ROOT/tests/lib-s3.sh"

env_keys
# big enough objects that a cut leaves bytes on both sides of it
mktrail --accounts "$A1,$A2" --regions us-east-1 --days 2026-11-01:3 --records 400
ALL_IDS=$(trail_ids "$T/s3/$BUCKET")

# ---- 503 SlowDown, 500 and cut connections: everything arrives once ----
fake_start faults --s3-root "$T/s3" --cred "$AK:$SK" --fault-scope s3 \
	--fail-5xx 2:503,3:503,6:500,9:503 --cut 8,12,13
run_ts 0 ingest --endpoint-url "$EP" s3://$BUCKET
same "through 503s, 500s and cuts, every record is stored" "$(store_ids)" "$ALL_IDS"
same "  each once (no duplicates counted as new)" "$(sql "SELECT sum(inserted) FROM sources")" "4800"
# requests 2 and 3 are the first listing and its retry; the others hit whatever came
check "503s came (SlowDown), to a listing twice in a row" \
	[ "$(s3_count "$T/faults.log" ListObjectsV2 error=SlowDown)" -ge 2 ]
check "connections were cut mid-object" [ "$(s3_count "$T/faults.log" GetObject fault=cut)" -ge 2 ]
check "a cut object went on from where it stopped (206 answers)" \
	[ "$(s3_count "$T/faults.log" GetObject status=206)" -ge 1 ]
same "the sources rows hold the SHA-256 of the whole objects" \
	"$(sql "SELECT sha256 FROM sources WHERE path LIKE '%T1810Z%' ORDER BY path LIMIT 1")" \
	"$(sha256sum "$T/s3/$BUCKET"/AWSLogs/$ORG/$A1/CloudTrail/us-east-1/2026/11/01/*T1810Z* | cut -d' ' -f1)"
fake_stop "$FAKE_PID"

# ---- a server that keeps failing: the object fails, the run goes on ----
DB="$T/down.db"
# requests 1-3: HeadBucket, AWSLogs/, the region; then one object, always 503
fake_start down --s3-root "$T/s3" --cred "$AK:$SK" --fault-scope s3 --fail-5xx 4-100:503
run_ts 1 ingest --endpoint-url "$EP" --account "$A1" --region us-east-1 \
	--since 2026-11-01T18:00:00Z --until 2026-11-01T19:00:00Z s3://$BUCKET
contains "retries end: the object is named, with the attempts" "$T/err" \
	"error: 's3://$BUCKET/AWSLogs/.*/2026/11/01/.*T1810Z.*\.json\.gz': GetObject refused after 6 attempts: HTTP 503 SlowDown"
same "  6 attempts" "$(s3_count "$T/down.log" GetObject)" "6"
same "a failed object leaves no events" "$(sql "SELECT count(*) FROM events")" "0"
fake_stop "$FAKE_PID"

# ---- a key the credentials may not read ----
DB="$T/deny.db"
deny=$(cd "$T/s3/$BUCKET" && ls AWSLogs/$ORG/$A2/CloudTrail/us-east-1/2026/11/02/*T0610Z*)
fake_start deny --s3-root "$T/s3" --cred "$AK:$SK" --s3-deny "$deny"
run_ts 1 ingest --endpoint-url "$EP" s3://$BUCKET
contains "a 403 names the bucket and key and the likely causes" "$T/err" \
	"^trailsift: error: 's3://$BUCKET/$deny': GetObject refused: HTTP 403 AccessDenied: Access Denied \(the credentials need s3:GetObject on the key; for an SSE-KMS trail also kms:Decrypt"
same "  on one line" "$(one_error "$T/err")" "1"
same "the other objects are stored" "$(sql "SELECT count(*) FROM events")" "4400"
same "  and the denied one is a failed sources row" \
	"$(sql "SELECT status FROM sources WHERE path = 's3://$BUCKET/$deny'")" "failed"
fake_stop "$FAKE_PID"

# ---- a corrupt object ----
DB="$T/bad.db"
bad=$(cd "$T/s3/$BUCKET" && ls AWSLogs/$ORG/$A1/CloudTrail/us-east-1/2026/11/03/*T1810Z*)
head -c 3000 "$T/s3/$BUCKET/$bad" > "$T/cut.gz" && mv "$T/cut.gz" "$T/s3/$BUCKET/$bad"
fake_start bad --s3-root "$T/s3" --cred "$AK:$SK"
run_ts 1 ingest --endpoint-url "$EP" s3://$BUCKET
contains "a truncated object is named with the byte" "$T/err" \
	"^trailsift: error: 's3://$BUCKET/$bad': byte 3000: truncated gzip stream"
same "  none of its records are stored" \
	"$(sql "SELECT count(*) FROM events WHERE origin = 's3://$BUCKET/$bad'")" "0"
same "  the others are" "$(sql "SELECT count(*) FROM events")" "4400"

# ---- audit s3:// for cron ----
DB="$T/audit.db"
ts audit --endpoint-url "$EP" --account "$A1" s3://$BUCKET > "$T/out" 2> "$T/err"
st=$?
check "audit s3:// reads the bucket (exit $st)" [ "$st" -eq 1 ] # the truncated object fails
same "  and stores what it read" "$(sql "SELECT count(*) FROM events")" "2000"
contains "  its summary counts the files read" "$T/err" "audit: 5 files read \(2000 new events\), 1 failed"
: > "$T/bad.log"
ts audit --endpoint-url "$EP" --account "$A1" s3://$BUCKET > "$T/out" 2> "$T/err"
same "a second audit fetches only the failed object again" "$(s3_keys "$T/bad.log")" "$bad"
run_ts 2 audit --region us-east-1 "$T/s3"
contains "audit: S3 options need an s3:// URL" "$T/err" "are for an s3:// URL"

no_secret "the secret key is in no output or store" "$SK" "$T/out" "$T/err" "$T"/*.db
