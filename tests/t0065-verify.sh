# verify DIR: the store against a digest chain written over the sample export
# by fixtures/digest-gen.py (signed by the openssl command line): a whole
# chain verifies and is recorded; a removed, altered or unlisted log file, a
# removed or altered digest, a failed ingest each fail it; a new chain after
# logging stopped is reported but does not.
. "$(dirname "$0")/lib.sh"

. "$ROOT/tests/lib-verify.sh"

# export_with_chain NAME [digest-gen options]: the sample in $T/NAME with a fresh chain
export_with_chain() {
	name=$1
	shift
	sample_with_chain "$T/$name" "$T/key.pem" "$@"
}

# fresh: an empty store
fresh() { rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-journal"; }

# json_sum FIELD: the sum of FIELD over the trails of the JSON in $T/out
json_sum() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sum(t[sys.argv[2]] for t in d['trails']))" "$T/out" "$1"
}

openssl genrsa -out "$T/key.pem" 2048 2> /dev/null
export_with_chain x
ndigests=$(find "$T/x" -path '*/CloudTrail-Digest/*' -name '*.json.gz' | wc -l)
same "digest-gen wrote 4 chains of 61 digests" "$ndigests" "244"

# ---- a whole chain
fresh
ts ingest -q "$T/x"
one=$(find "$T/x" -name '*20261103T1004Z*')
same "sources keeps the SHA-256 of the uncompressed content" \
	"$(sql "SELECT content_sha256 FROM sources WHERE path LIKE '%20261103T1004Z%'")" \
	"$(zcat "$one" | sha256sum | cut -d' ' -f1)"
run_ts 0 stats
contains "stats before verify: none verified" "$T/out" \
	"^verified +0 of 915 events \(0.0%\): none checked against the trail's digest files"
run_ts 0 verify "$T/x"
contains "text: 61 digests verified per trail" "$T/out" "^  digests +61 verified, 0 failed"
contains "text: account A us-east-1 has its 8 log files verified" "$T/out" \
	"^  log files +8 verified, 0 missing, 0 altered, 0 unlisted, 0 in hours without a digest$"
contains "text: the trail is named" "$T/out" "^account 111122223333  region us-east-1  trail org-audit-trail$"
contains "text: signatures not checkable in a local copy, without failing" "$T/out" \
	"^  signatures +0 valid, 0 invalid, 61 not checkable"
contains "text: the result line" "$T/out" "^result: verified$"
same "every log file is recorded as verified" \
	"$(sql "SELECT count(*) FROM sources WHERE verified_at IS NOT NULL AND verified_by LIKE '%CloudTrail-Digest%'")" "19"
same "verified_by names the digest of the file's hour" \
	"$(sql "SELECT verified_by FROM sources WHERE path LIKE '%20261103T1004Z%'" | sed 's/.*_//')" \
	"20261103T102241Z.json.gz"
run_ts 0 stats
contains "stats: how many events the digests vouch for, and their span" "$T/out" \
	"^verified +915 of 915 events \(100.0%\), 2026-11-03T07:41:45Z .. 2026-11-05T18:24:54Z, by the trail's digest files$"
run_ts 0 report
contains "report header: the verified share of the store" "$T/out" \
	"^Verified against the trail's digest files: 915 of 915 events \(100.0%\), 2026-11-03T07:41:45Z .. 2026-11-05T18:24:54Z$"
run_ts 0 report --format json
same "report json: verified_events" \
	"$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['verified_events'])" "$T/out")" "915"
run_ts 0 verify --format json "$T/x"
same "json: verified" "$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['verified'])" "$T/out")" "True"
same "json: 19 log files verified" "$(json_sum log_files_verified)" "19"
same "json: 244 digests verified" "$(json_sum digests_verified)" "244"
same "json: first hour" "$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['trails'][0]['first_hour'])" "$T/out")" \
	"2026-11-03T06:22:41Z"
run_ts 0 verify --since 2026-11-05T00:00:00Z "$T/x"
contains "--since: only the digests ending after it" "$T/out" "^  digests +20 verified, 0 failed"
same "--since: the files of earlier hours keep their record" \
	"$(sql "SELECT count(*) FROM sources WHERE verified_at IS NOT NULL")" "19"

# a verified file that changes is no longer verified once read again
python3 - "$one" <<'PY'
import gzip, sys
p = sys.argv[1]
body = gzip.decompress(open(p, "rb").read()).replace(b'"eventVersion":"1.', b'"eventVersion":"2.', 1)
open(p, "wb").write(gzip.compress(body, mtime=0))
PY
ts ingest -q "$T/x"
same "a changed file loses its verified mark when ingested again" \
	"$(sql "SELECT coalesce(verified_at, 'none') FROM sources WHERE path LIKE '%20261103T1004Z%'")" "none"
same "the unchanged files keep theirs" "$(sql "SELECT count(*) FROM sources WHERE verified_at IS NOT NULL")" "18"

# ---- an altered byte
run_ts 1 verify "$T/x"
contains "an altered log file is reported with both hashes" "$T/out" \
	"^  altered .*20261103T1004Z.*: altered: its content has SHA-256 [0-9a-f]{64}, the digest lists [0-9a-f]{64}$"
contains "the result says it failed" "$T/out" "^result: FAILED: 1 problem$"

# ---- a removed log file
export_with_chain x
rm "$(find "$T/x" -name '*20261104T0901Z*')"
fresh
ts ingest -q "$T/x"
run_ts 1 verify --format json "$T/x"
same "json: one missing" "$(json_sum missing)" "1"
same "json: the missing file is named" \
	"$(python3 -c "import json,sys; print([p['object'] for t in json.load(open(sys.argv[1]))['trails'] for p in t['problems']])" "$T/out")" \
	"['AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/04/111122223333_CloudTrail_us-east-1_20261104T0901Z_3GDc7X2HgrtsUOSP.json.gz']"

# ---- a file whose ingest failed is not whole
export_with_chain x
f=$(find "$T/x" -name '*20261104T1230Z*')
head -c 300 "$f" > "$T/cut" && mv "$T/cut" "$f"
fresh
ts ingest -q "$T/x" 2> /dev/null
run_ts 1 verify "$T/x"
contains "a failed ingest: not stored whole" "$T/out" "20261104T1230Z.*not stored whole: the ingest failed \(byte"

# ---- a removed digest: a chain break with its time
export_with_chain x
rm "$(find "$T/x" -name '*CloudTrail-Digest_us-east-1_org-audit-trail_us-east-1_20261104T132241Z*' -path '*111122223333*')"
fresh
ts ingest -q "$T/x"
run_ts 1 verify "$T/x"
contains "a removed digest is a chain break with its hour" "$T/out" \
	"^  chain_break +2026-11-04T13:22:41Z .*20261104T132241Z.json.gz: chain break: the digest is missing \(no digest for 2026-11-04T12:22:41Z to 2026-11-04T13:22:41Z\)$"
contains "the file that digest listed is counted as in an hour without a digest" "$T/out" \
	"^  log files +7 verified, 0 missing, 0 altered, 0 unlisted, 1 in hours without a digest$"
same "and is not marked verified" \
	"$(sql "SELECT coalesce(verified_at, 'none') FROM sources WHERE path LIKE '%20261104T1230Z%'")" "none"
contains "the summary counts the break" "$T/out" "^  chain +1 breaks, 0 new chains"

# ---- an altered digest (a listed file dropped from it)
export_with_chain x
d=$(find "$T/x" -name '*CloudTrail-Digest_us-east-1_org-audit-trail_us-east-1_20261103T102241Z*' -path '*111122223333*')
python3 - "$d" <<'PY'
import gzip, json, sys
p = sys.argv[1]
doc = json.loads(gzip.decompress(open(p, "rb").read()))
doc["logFiles"] = []
open(p, "wb").write(gzip.compress(json.dumps(doc, separators=(",", ":")).encode(), mtime=0))
PY
fresh
ts ingest -q "$T/x"
run_ts 1 verify "$T/x"
contains "an altered digest breaks the chain" "$T/out" \
	"^  chain_break +2026-11-03T10:22:41Z .*20261103T102241Z.json.gz: chain break: the digest was altered"
contains "the file it no longer lists is unlisted" "$T/out" "^  unlisted .*20261103T1004Z"

# ---- a log file no digest lists
export_with_chain x
src=$(find "$T/x" -name '*20261103T1455Z*')
python3 - "$src" "$(dirname "$src")/111122223333_CloudTrail_us-east-1_20261103T1512Z_planted0000000000.json.gz" <<'PY'
import gzip, json, sys
doc = json.loads(gzip.decompress(open(sys.argv[1], "rb").read()))
for i, r in enumerate(doc["Records"]):
    r["eventID"] = "00000000-0000-4000-8000-%012d" % i
open(sys.argv[2], "wb").write(gzip.compress(json.dumps(doc).encode(), mtime=0))
PY
fresh
ts ingest -q "$T/x"
run_ts 1 verify --format json "$T/x"
same "json: one unlisted" "$(json_sum unlisted)" "1"
same "json: the planted file is the unlisted one" \
	"$(python3 -c "import json,sys; print([p['kind']+' '+p['object'].split('_')[-1] for t in json.load(open(sys.argv[1]))['trails'] for p in t['problems']])" "$T/out")" \
	"['unlisted planted0000000000.json.gz']"
same "json: the other files verified" "$(json_sum log_files_verified)" "19"

# ---- logging stopped and started: a new chain, said so, not a failure
export_with_chain x --stop 2026-11-04T14:00:00Z/2026-11-04T17:00:00Z
fresh
ts ingest -q "$T/x"
run_ts 0 verify "$T/x"
contains "a new chain is reported as logging stopped, not tampering" "$T/out" \
	"^  new_chain +2026-11-04T16:22:41Z .*20261104T172241Z.json.gz: a new chain starts: logging \(or log file validation\) stopped after 2026-11-04T13:22:41Z and started again by 2026-11-04T16:22:41Z; CloudTrail says so, this is not tampering"
contains "the summary counts it" "$T/out" "^  chain +0 breaks, 1 new chains"
contains "the file of the hours without digests is counted so" "$T/out" \
	"^  log files +2 verified, 0 missing, 0 altered, 0 unlisted, 1 in hours without a digest$"

# ---- bad input and usage
mkdir -p "$T/bad/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/04"
bad="$T/bad/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/04/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20261104T002241Z.json.gz"
printf '\037\213garbage' > "$bad"
run_ts 1 verify "$T/bad"
contains "an unreadable digest: one line naming the file and byte" "$T/err" \
	"^trailsift: error: verify: .*20261104T002241Z.json.gz: byte [0-9]+: corrupt or truncated gzip data$"
printf '{"awsAccountId":"111122223333"}' | gzip > "$bad"
run_ts 1 verify "$T/bad"
contains "a JSON file that is no digest is named" "$T/err" "20261104T002241Z.json.gz: no digestS3Bucket: not a CloudTrail digest file$"
run_ts 1 verify "$T/empty-dir-that-is-not-there"
run_ts 2 verify
run_ts 2 verify --format yaml "$T/x"
run_ts 2 verify --since 2026-11-05 --until 2026-11-04 "$T/x"
run_ts 0 verify --help
contains "--help names the exit statuses" "$T/out" "^Exit status: 0 everything checkable verified"

# ---- AWS's own digest examples (fixtures/real): parsed, their listed file missing here
python3 - "$FIX/real/awsdocs_aws-cloudtrail-user-guide__doc_source_digest-examples.json" "$T/docs" <<'PY'
import gzip, json, os, sys
for d in json.load(open(sys.argv[1])):
    p = os.path.join(sys.argv[2], d["digestS3Object"])
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "wb").write(gzip.compress(json.dumps(d).encode(), mtime=0))
PY
fresh
run_ts 1 verify --format json "$T/docs"
same "AWS's examples: two trails of account 111122223333 in us-east-2, one digest each" \
	"$(python3 -c "import json,sys; print([(t['account'], t['region'], t['trail'], t['digests_verified']) for t in json.load(open(sys.argv[1]))['trails']])" "$T/out")" \
	"[('111122223333', 'us-east-2', 'example-trail-name', 1), ('111122223333', 'us-east-2', 'your-trail-name', 1)]"
same "AWS's examples: the one listed log file is missing from an empty store" "$(json_sum missing)" "1"

# ---- a digest's text in an error message cannot drive the terminal
python3 - "$bad" <<'PY'
import gzip, json, sys
d = {"awsAccountId": "1\u001b]0;owned\u0007", "digestS3Bucket": "b", "digestS3Object": "x",
     "digestStartTime": "2026-11-03T23:22:41Z", "digestEndTime": "2026-11-04T00:22:41Z",
     "digestPublicKeyFingerprint": "f", "logFiles": []}
open(sys.argv[1], "wb").write(gzip.compress(json.dumps(d).encode()))
PY
run_ts 1 verify "$T/bad"
contains "the bad account is named, control characters replaced" "$T/err" \
	"not a CloudTrail-Digest key of account 1\?\]0;owned\?$"
same "no escape byte reaches stderr" "$(tr -d -c '\033\007' < "$T/err" | wc -c)" "0"
