# `trailsift ingest s3://...` against a real S3 implementation written by
# others: s3rver (npm, installed into tests/node_modules by .ci/deps.sh),
# filled by the AWS CLI (`aws s3 cp`), so the objects, ETags and listing
# pages are what independent software made of them.
#
# s3rver's quirks: 3.7.1 on Node 20 pages listings only with
# NODE_OPTIONS=--openssl-legacy-provider; its filesystem store drops the
# common prefixes of nested keys from delimiter listings, so here the URL
# names the account and --region names the regions (no discovery
# listing); discovery is tested against tests/fake_aws.py (t0060). It
# checks the access key but not SigV4 signatures: fake_aws.py does that.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/lib-pull.sh"
. "$ROOT/tests/lib-s3.sh"

S3RVER="$ROOT/tests/node_modules/s3rver/bin/s3rver.js"
if ! [ -f "$S3RVER" ] || ! command -v node > /dev/null || ! command -v aws > /dev/null; then
	fail "s3rver, node and aws are installed (run: sh .ci/deps.sh test)"
	exit 1
fi
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1

mkdir -p "$T/s3rver"
NODE_OPTIONS=--openssl-legacy-provider node "$S3RVER" -d "$T/s3rver" -a 127.0.0.1 -p 0 \
	> "$T/s3rver.out" 2>&1 &
FAKE_PIDS="$FAKE_PIDS $!"
PORT=""
i=0
while [ $i -lt 100 ] && [ -z "$PORT" ]; do
	PORT=$(sed -n 's/^S3rver listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/s3rver.out")
	[ -n "$PORT" ] || sleep 0.1
	i=$((i + 1))
done
[ -n "$PORT" ] || { fail "s3rver started"; sed 's/^/#   /' "$T/s3rver.out" | head -5; exit 1; }
EP="http://127.0.0.1:$PORT"
awscli() { aws --endpoint-url "$EP" "$@" > "$T/aws.out" 2>&1 || sed 's/^/#   aws: /' "$T/aws.out"; }

mkdir -p "$T/s3/$BUCKET"
mktrail --accounts "$A1,$A2" --regions eu-west-1,us-east-1 --days 2026-11-01:3
awscli s3 mb s3://$BUCKET
awscli s3 cp --recursive --quiet "$T/s3/$BUCKET" s3://$BUCKET/
URL=s3://$BUCKET/AWSLogs/$ORG/$A1/

run_ts 0 ingest --endpoint-url "$EP" --page-size 2 --region eu-west-1 --region us-east-1 "$URL"
same "every record of the account stored" "$(store_ids)" "$(trail_ids "$T/s3/$BUCKET/AWSLogs/$ORG/$A1")"
contains "closing line" "$T/err" "2 prefixes listed, 12 objects read \(36 records, 36 new\)"
same "the ETags recorded are s3rver's (the MD5 of what aws s3 cp sent)" \
	"$(sql "SELECT etag FROM sources WHERE path LIKE '%eu-west-1/2026/11/02/%T0610Z%'")" \
	"$(md5sum "$T/s3/$BUCKET"/AWSLogs/$ORG/$A1/CloudTrail/eu-west-1/2026/11/02/*T0610Z* | cut -d' ' -f1)"
same "the other account is not read" "$(sql "SELECT count(*) FROM sources WHERE path LIKE '%/$A2/%'")" "0"

run_ts 0 ingest --endpoint-url "$EP" --page-size 2 --region eu-west-1 --region us-east-1 "$URL"
contains "a second run reads nothing, lists from the late window" "$T/err" \
	"2 prefixes listed, 0 objects read \(0 records, 0 new\), [1-9] skipped as known"

# a late file (in the window) and a rewritten one, copied in by the AWS CLI
mktrail --one "$A1" us-east-1 20261103T1750Z
f=AWSLogs/$ORG/$A1/CloudTrail/us-east-1/2026/11/03/$(cd "$T/s3/$BUCKET/AWSLogs/$ORG/$A1/CloudTrail/us-east-1/2026/11/03" && ls | grep T1810Z)
mktrail --one "$A1" us-east-1 20261103T1810Z --tag rewritten
mv "$T/s3/$BUCKET/AWSLogs/$ORG/$A1/CloudTrail/us-east-1/2026/11/03/"*T1810Z*"$(python3 -c "
import uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, '$A1/us-east-1/20261103T1810Z/rewritten').hex[:16])")"* "$T/s3/$BUCKET/$f.new"
awscli s3 cp --quiet "$T/s3/$BUCKET/$f.new" "s3://$BUCKET/$f"
awscli s3 cp --quiet "$T/s3/$BUCKET/AWSLogs/$ORG/$A1/CloudTrail/us-east-1/2026/11/03/" \
	"s3://$BUCKET/AWSLogs/$ORG/$A1/CloudTrail/us-east-1/2026/11/03/" --recursive --exclude "*" --include "*T1750Z*"
run_ts 0 ingest --endpoint-url "$EP" --region eu-west-1 --region us-east-1 "$URL"
contains "the late file and the changed one are read, nothing else" "$T/err" "2 objects read \(6 records, 6 new\)"
same "the changed object's sources row has its new ETag" \
	"$(sql "SELECT etag FROM sources WHERE path = 's3://$BUCKET/$f'")" "$(md5sum "$T/s3/$BUCKET/$f.new" | cut -d' ' -f1)"
