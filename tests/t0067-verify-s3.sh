# verify s3://BUCKET: the digest objects of the fake's S3 (every request
# SigV4-checked there) with their x-amz-meta-signature, signed by the openssl
# command line; the keys from the fake CloudTrail's ListPublicKeys. Every
# signature is checked, the newest digest's too; a swapped or missing
# signature fails the run.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/lib-pull.sh"
. "$ROOT/tests/lib-verify.sh"

BUCKET=trailsift-sample-cloudtrail
B="$T/s3/$BUCKET"
openssl genrsa -out "$T/key.pem" 2048 2> /dev/null
sample_with_chain "$B" "$T/key.pem" --keys-out "$T/keys.json" --signatures-out "$T/sigs.json"
env_keys
fake_start s3 --s3-root "$T/s3" --cred "$AK:$SK" --rate 0 --public-keys "$T/keys.json" \
	--s3-signatures "$T/sigs.json"
export AWS_ENDPOINT_URL_S3="$EP"

ts ingest -q --endpoint-url "$EP" s3://$BUCKET
same "the bucket's 19 log files are stored" \
	"$(sql "SELECT count(*) FROM sources WHERE path LIKE 's3://$BUCKET/%' AND status = 'ok'")" "19"
run_ts 0 verify --endpoint-url "$EP" s3://$BUCKET
same "every trail: all 61 signatures valid, the newest's (from its metadata) too" \
	"$(grep -c '^  signatures  *61 valid, 0 invalid, 0 not checkable$' "$T/out")" "4"
contains "the log files verified" "$T/out" "^  log files +8 verified, 0 missing, 0 altered, 0 unlisted"
same "the s3:// sources are recorded as verified" \
	"$(sql "SELECT count(*) FROM sources WHERE path LIKE 's3://%' AND verified_at IS NOT NULL")" "19"
run_ts 0 verify --since 2026-11-05T12:00:00Z --endpoint-url "$EP" s3://$BUCKET
contains "--since: only the digests after it are read" "$T/out" "^  digests +8 verified, 0 failed$"

# ---- a swapped signature and a missing one
python3 - "$T/sigs.json" "$T/sigs2.json" <<'PY'
import json, sys
sigs = json.load(open(sys.argv[1]))
a = [k for k in sigs if k.startswith("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/")]
b = [k for k in sigs if k.startswith("AWSLogs/444455556666/CloudTrail-Digest/eu-west-1/")]
newest_a, newest_b = max(a), max(b)
sigs[newest_a] = sigs[min(a)]
del sigs[newest_b]
json.dump(sigs, open(sys.argv[2], "w"))
PY
fake_start s3b --s3-root "$T/s3" --cred "$AK:$SK" --rate 0 --public-keys "$T/keys.json" \
	--s3-signatures "$T/sigs2.json"
export AWS_ENDPOINT_URL_S3="$EP"
run_ts 1 verify --endpoint-url "$EP" s3://$BUCKET
contains "a swapped signature is invalid" "$T/out" \
	"^  invalid_signature 2026-11-05T19:22:41Z +AWSLogs/111122223333/.*20261105T192241Z.json.gz: the signature does not match"
contains "a digest object without a signature is invalid" "$T/out" \
	"^  invalid_signature 2026-11-05T19:22:41Z +AWSLogs/444455556666/.*20261105T192241Z.json.gz: the digest object has no x-amz-meta-signature$"
same "the other digests stay valid" "$(grep -c '^  signatures  *60 valid, 1 invalid, 0 not checkable$' "$T/out")" "2"
