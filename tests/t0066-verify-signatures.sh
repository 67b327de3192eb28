# verify --check-signatures: digests signed by the openssl command line with a
# generated RSA key, the public key served by the fake CloudTrail's
# ListPublicKeys (SigV4 checked there): a whole chain's signatures are valid
# (the newest one's lives in S3 metadata: not checkable in a local copy), the
# keys are fetched once and kept in the store; a swapped signature and a
# chain re-signed with another key are invalid; without credentials the
# signatures are not checkable and the run does not fail.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/lib-pull.sh"

. "$ROOT/tests/lib-verify.sh"

export_with_chain() { # NAME KEY [digest-gen options]
	name=$1
	shift
	sample_with_chain "$T/$name" "$@"
}

# key_requests: how many ListPublicKeys calls the fake has answered with 200
key_requests() {
	python3 - "$T/aws.log" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if (e.get("target") or "").endswith(".ListPublicKeys") and e["status"] == 200:
        n += 1
print(n)
PY
}

openssl genrsa -out "$T/key.pem" 2048 2> /dev/null
openssl genrsa -out "$T/other.pem" 2048 2> /dev/null
export_with_chain x "$T/key.pem" --keys-out "$T/keys.json"
fake_start aws --cred "$AK:$SK" --public-keys "$T/keys.json"
env_keys

ts ingest -q "$T/x"
run_ts 0 verify --check-signatures --endpoint-url "$EP" "$T/x"
contains "every signature but the newest's is valid" "$T/out" \
	"^  signatures +60 valid, 0 invalid, 1 not checkable \(the newest digest's signature is in its S3 metadata"
same "every trail so" "$(grep -c '^  signatures  *60 valid, 0 invalid, 1 not checkable' "$T/out")" "4"
contains "the result" "$T/out" "^result: verified$"
same "ListPublicKeys asked once per region (2), signed as the fake checks" "$(key_requests)" "2"
fp=$(openssl rsa -in "$T/key.pem" -RSAPublicKey_out -outform DER 2> /dev/null | md5sum | cut -d' ' -f1)
same "the key is kept in the store, by region and fingerprint" \
	"$(sql "SELECT region, fingerprint, length(der) > 200 FROM digest_public_keys ORDER BY region" | tr '\n' ' ')" \
	"eu-west-1|$fp|1 us-east-1|$fp|1 "
no_secret "no secret in the output or the store" "$SK" "$T/out" "$T/err" "$DB"
run_ts 0 verify --check-signatures --endpoint-url "$EP" "$T/x"
same "a second run finds the key in the store: no request" "$(key_requests)" "2"

# ---- a swapped signature: the newest digest names another digest's signature
newest=$(find "$T/x" -path '*111122223333/CloudTrail-Digest/us-east-1/*' -name '*20261105T192241Z*')
python3 - "$newest" "$(find "$T/x" -path '*111122223333/CloudTrail-Digest/us-east-1/*' -name '*20261104T102241Z*')" <<'PY'
import gzip, json, sys
load = lambda p: json.loads(gzip.decompress(open(p, "rb").read()))
doc, other = load(sys.argv[1]), load(sys.argv[2])
assert doc["previousDigestSignature"] != other["previousDigestSignature"]
doc["previousDigestSignature"] = other["previousDigestSignature"]
open(sys.argv[1], "wb").write(gzip.compress(json.dumps(doc, separators=(",", ":")).encode(), mtime=0))
PY
run_ts 1 verify --check-signatures --endpoint-url "$EP" "$T/x"
contains "the digest whose signature was swapped is invalid" "$T/out" \
	"^  invalid_signature 2026-11-05T18:22:41Z .*20261105T182241Z.json.gz: the signature does not match"
contains "no chain break for it" "$T/out" "^  chain +0 breaks"
contains "the trail counts one invalid signature" "$T/out" "^  signatures +59 valid, 1 invalid, 1 not checkable"

# ---- a chain re-signed with a key CloudTrail does not have
export_with_chain y "$T/other.pem"
rm -f "$DB"
ts ingest -q "$T/y"
run_ts 1 verify --check-signatures --endpoint-url "$EP" "$T/y"
contains "a key CloudTrail does not have: every signature invalid" "$T/out" \
	"^  signatures +0 valid, 60 invalid, 1 not checkable"
contains "and why" "$T/out" "CloudTrail has no public key with the fingerprint the digest names$"

# ---- no credentials: signatures not checkable, no failure
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
rm -f "$DB"
ts ingest -q "$T/x"
run_ts 0 verify --check-signatures --endpoint-url "$EP" "$T/x"
contains "without credentials: a warning per region" "$T/err" \
	"^trailsift: warning: verify: region us-east-1: cannot fetch CloudTrail's public keys: "
contains "the signatures are not checkable" "$T/out" \
	"^  signatures +0 valid, 0 invalid, 61 not checkable \(CloudTrail's public keys could not be fetched\)"
