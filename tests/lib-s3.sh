# tests/lib-s3.sh - sourced by the S3 tests (t006x) after lib.sh and lib-pull.sh.
#
# An organization trail's layout written by tests/mktrail.py, and facts
# from the fake's request log about the S3 requests it answered.

ORG=o-a1b2c3d4e5
A1=111111111111
A2=222222222222
A3=333333333333
BUCKET=trail-bucket

# mktrail ARGS...: tests/mktrail.py into the fake's bucket directory.
mktrail() {
	python3 "$ROOT/tests/mktrail.py" "$T/s3/$BUCKET" --org "$ORG" "$@"
}

# s3_count LOG TARGET [FIELD=VALUE]: S3 requests of that kind in the log
# (ListObjectsV2, GetObject, HeadObject, HeadBucket); FIELD=VALUE also
# filters (status=206, fault=cut, error=SlowDown).
s3_count() {
	python3 - "$@" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["service"] != "s3" or e["target"] != sys.argv[2]:
        continue
    if len(sys.argv) > 3:
        k, v = sys.argv[3].split("=", 1)
        if str(e.get(k)) != v:
            continue
    n += 1
print(n)
PY
}

# s3_keys LOG: the keys GetObject was asked for, sorted and unique.
s3_keys() {
	python3 - "$1" <<'PY'
import json, sys
keys = set()
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["service"] == "s3" and e["target"] == "GetObject":
        keys.add(e["key"])
for k in sorted(keys):
    print(k)
PY
}

# trail_ids DIR: the eventIDs in the log files under DIR (not the digests), sorted.
trail_ids() {
	python3 - "$1" <<'PY'
import gzip, json, os, sys
ids = []
for d, _, files in os.walk(sys.argv[1]):
    if "CloudTrail-Digest" in d:
        continue
    for f in files:
        if f.endswith(".json.gz"):
            ids += [r["eventID"] for r in json.loads(gzip.open(os.path.join(d, f)).read())["Records"]]
for i in sorted(ids):
    print(i)
PY
}
