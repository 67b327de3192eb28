# Bad input: every bad file is reported on one stderr line (file, where, what),
# leaves none of its records and a 'failed' sources row; the run goes on with
# the other files and exits 1; failed files are read again on the next run,
# unchanged good ones are not.
. "$(dirname "$0")/lib.sh"

# a hang (a symlink loop followed forever) fails the test instead of CI
ts() { timeout 120 "$TS" --db "$DB" "$@"; }

# no_crash WHAT: the last run neither died of a sanitizer report nor hung
no_crash() {
	if grep -Eq 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' "$T/err"; then
		fail "$1: no sanitizer report"
		grep -E -A3 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' "$T/err" |
			sed 's/^/#   /' | head -8
	else
		ok "$1: no sanitizer report"
	fi
}

# The tree: two good files (first and last in walk order) around the bad ones.
# Records are real records of the sample export with their eventID replaced
# by t12-<case>-<n>, so each case's records are found by prefix. expect.txt
# gets one line per bad entry: name~ERE the message must match~lowest and
# highest acceptable byte offset (empty: none expected)~eventID tag.
mkdir "$T/tree"
python3 - "$FIX" "$T/tree" "$T/expect.txt" <<'PY'
import glob, gzip, json, os, sys

fix, out, expect_path = sys.argv[1:4]
tmpl = []
for p in sorted(glob.glob(os.path.join(fix, "sample/AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz"))):
    with gzip.open(p, "rb") as f:
        tmpl.extend(json.loads(f.read().decode("utf-8"))["Records"])
assert len(tmpl) == 916, len(tmpl)

def recs(tag, n):
    rs = []
    for i in range(n):
        r = dict(tmpl[i % len(tmpl)])
        r["eventID"] = "t12-%s-%05d" % (tag, i)
        rs.append(r)
    return rs

def enc(r):
    return json.dumps(r, ensure_ascii=False, separators=(",", ":"))

def doc(rs):
    return ('{"Records":[' + ",".join(enc(r) for r in rs) + "]}").encode("utf-8")

def gz(data):
    return gzip.compress(data, compresslevel=6, mtime=0)

def put(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)

def record_start(data, k):
    """Offset of the k-th (1-based) record's '{' in a doc() text."""
    at = len(b'{"Records":[')
    for _ in range(k - 1):
        at = data.index(b',{"eventVersion"', at + 1) + 1
    assert data[at:at + 15] == b'{"eventVersion"'
    return at

expect = []

def exp(name, pattern, lo="", hi="", tag=""):
    expect.append("%s~%s~%s~%s~%s" % (name, pattern, lo, hi, tag))

# 8000 records (~13 MB of JSON): more than one 4 MiB row batch reaches the
# writer before the error, so the rollback of rows already inserted is tested
BIG = 8000

put("00-good.json.gz", gz(doc(recs("good0", 50))))
put("zz-good.json", doc(recs("good1", 30)))

g = gz(doc(recs("trunc", BIG)))
put("trunc.json.gz", g[:len(g) // 2])
exp("trunc.json.gz", r"byte [0-9]+: .*truncated", 1, len(g) // 2, "trunc")

g = bytearray(gz(doc(recs("crc", BIG))))
g[-8] ^= 0x01  # the trailer is CRC32 (4 bytes) then ISIZE (4 bytes)
put("crc.json.gz", bytes(g))
exp("crc.json.gz", r"byte [0-9]+: corrupt gzip data.*(check|CRC|crc)", len(g) - 8, len(g), "crc")

g = bytearray(gz(doc(recs("deflate", BIG))))
mid = len(g) // 2
g[mid:mid + 16] = b"\xff" * 16
put("deflate.json.gz", bytes(g))
exp("deflate.json.gz", r"byte [0-9]+: corrupt gzip data", mid, len(g), "deflate")

put("empty.json.gz", b"")
exp("empty.json.gz", r"empty")
put("emptygz.json.gz", gz(b""))
exp("emptygz.json.gz", r"empty")

# a JSON syntax error after 8000 good records: none of them may stay
text = ('{"Records":[' + ",".join(enc(r) for r in recs("syntax", BIG)) +
        ',{"eventID":"t12-syntax-x" "eventTime":"2026-11-03T10:00:00Z"}]}').encode("utf-8")
bad = text.index(b'"t12-syntax-x" ') + len(b'"t12-syntax-x" ')
put("syntax.json.gz", gz(text))
exp("syntax.json.gz", r"byte [0-9]+: invalid JSON", bad, bad + 16, "syntax")

put("notct-foo.json", b'{"foo":1}')
exp("notct-foo.json", r"byte [0-9]+: not a CloudTrail log", 0, 9)
digest = {"awsAccountId": "111122223333", "digestStartTime": "2026-11-03T23:22:41Z",
          "digestEndTime": "2026-11-04T00:22:41Z", "digestS3Bucket": "trail-bucket",
          "digestS3Object": "AWSLogs/111122223333/CloudTrail-Digest/x.json.gz",
          "digestPublicKeyFingerprint": "0123456789abcdef", "digestSignatureAlgorithm":
          "SHA256withRSA", "newestEventTime": "2026-11-04T00:12:00Z",
          "oldestEventTime": "2026-11-03T23:40:00Z", "previousDigestS3Bucket": None,
          "logFiles": [{"s3Bucket": "trail-bucket", "s3Object": "AWSLogs/x.json.gz",
                        "hashValue": "00" * 32, "hashAlgorithm": "SHA-256",
                        "newestEventTime": "2026-11-04T00:12:00Z",
                        "oldestEventTime": "2026-11-03T23:40:00Z"}]}
d = json.dumps(digest).encode()
put("notct-digest.json.gz", gz(d))
exp("notct-digest.json.gz", r"byte [0-9]+: not a CloudTrail log", 0, len(d))
put("notct-string.json", b'"hello"')
exp("notct-string.json", r"byte [0-9]+: not a CloudTrail log.*string", 0, 7)

for name, tag, k, change, pattern in [
    ("noid.json.gz", "noid", 4, lambda r: r.pop("eventID"), r"record 4 \(byte [0-9]+\): no eventID"),
    ("notime.json.gz", "notime", 3, lambda r: r.pop("eventTime"), r"record 3 \(byte [0-9]+\): no eventTime"),
    ("idnum.json.gz", "idnum", 5, lambda r: r.__setitem__("eventID", 12345),
     r"record 5 \(byte [0-9]+\): 'eventID' is a number"),
    ("namemap.json.gz", "namemap", 2, lambda r: r.__setitem__("eventName", {"x": 1}),
     r"record 2 \(byte [0-9]+\): 'eventName' is an object"),
]:
    rs = recs(tag, 6)
    change(rs[k - 1])
    d = doc(rs)
    at = record_start(d, k)
    put(name, gz(d))
    exp(name, pattern, at, at, tag)

# a LookupEvents page whose CloudTrailEvent is an object, not the record's JSON text
lk = {"Events": [{"EventId": "t12-lkobj-00000", "EventName": "CreateSnapshot",
                  "CloudTrailEvent": recs("lkobj", 1)[0]}]}
put("lkobj.json", json.dumps(lk).encode())
exp("lkobj.json", r"(event|record) 1.*CloudTrailEvent.*(not a string|is an object)", tag="lkobj")

put("recobj.json.gz", gz(('{"Records":' + enc(recs("recobj", 1)[0]) + "}").encode()))
exp("recobj.json.gz", r"byte [0-9]+: 'Records' is not an array", 11, 12, "recobj")

rs = recs("utf8", 5)
rs[2]["eventName"] = "@@BADUTF8@@"
d = doc(rs).replace(b"@@BADUTF8@@", b"Get\xc3\x28Thing")  # \xc3 must be followed by 10xxxxxx
bad = d.index(b"\xc3\x28")
put("utf8.json.gz", gz(d))
exp("utf8.json.gz", r"byte [0-9]+: invalid UTF-8: character cut short$", bad, bad, "utf8")

# what yajl's own check let through: overlong forms, encoded surrogates,
# code points above U+10FFFF; each is named with the byte it starts at
for tag, bytes_, why in [("overlong", b"\xc0\x9b", "overlong form"),
                         ("overlong3", b"\xe0\x80\x9b", "overlong form"),
                         ("surrogate", b"\xed\xa0\x80", "encoded UTF-16 surrogate"),
                         ("above", b"\xf4\x90\x80\x80", "code point above U\\+10FFFF"),
                         ("f5", b"\xf5\x80\x80\x80", "code point above U\\+10FFFF")]:
    rs = recs(tag, 5)
    rs[3]["errorMessage"] = "@@BAD@@"
    d = doc(rs).replace(b"@@BAD@@", b"User x" + bytes_ + b"y")
    bad = d.index(bytes_)
    put(tag + ".json.gz", gz(d))
    exp(tag + ".json.gz", r"byte [0-9]+: invalid UTF-8: " + why + "$", bad, bad, tag)

rs = recs("deep", 5)
rs[2]["requestParameters"] = "@@DEEP@@"
d = doc(rs).replace(b'"@@DEEP@@"', b"[" * 5000 + b"]" * 5000)
first = d.index(b"[[[[")
put("deep.json.gz", gz(d))
exp("deep.json.gz", r"byte [0-9]+: nesting deeper than [0-9]+", first, first + 5000, "deep")

g = gz(doc(recs("trailing", 5)))
put("trailing.json.gz", g + b"GARBAGE\n")
exp("trailing.json.gz", r"byte [0-9]+: data after the end of the gzip stream", len(g), len(g), "trailing")

os.symlink("no-such-target.json.gz", os.path.join(out, "dangling.json.gz"))
exp("dangling.json.gz", r"(No such file|cannot open)")
os.symlink("selfloop.json.gz", os.path.join(out, "selfloop.json.gz"))
exp("selfloop.json.gz", r"(symlink loop|[Tt]oo many levels of symbolic links)")
os.mkdir(os.path.join(out, "loopdir"))
os.symlink("..", os.path.join(out, "loopdir", "loop"))
exp("loopdir/loop", r"symlink loop")

with open(expect_path, "w") as f:
    f.write("\n".join(expect) + "\n")
PY
check "the bad-input tree was generated" test -s "$T/expect.txt"
nbad=$(wc -l < "$T/expect.txt")
TREE=$(cd "$T/tree" && pwd -P)

# check_bad_files STDERR: the per-file checks on the stderr of one run
check_bad_files() {
	while IFS='~' read -r name pattern lo hi tag; do
		n=$(grep -cF "'tree/$name'" "$1")
		same "$name: named on exactly one stderr line" "$n" 1
		line=$(grep -F "'tree/$name'" "$1" | head -1)
		printf '%s\n' "$line" > "$T/line"
		contains "$name: the line is an error saying what is wrong" "$T/line" \
			"^trailsift: error: 'tree/$name': $pattern"
		if [ -n "$lo" ]; then
			at=$(sed -n 's/.*byte \([0-9][0-9]*\).*/\1/p' "$T/line")
			if [ -n "$at" ] && [ "$at" -ge "$lo" ] && [ "$at" -le "$hi" ]; then
				ok "$name: the byte offset is where the damage is"
			else
				fail "$name: the byte offset is where the damage is"
				echo "#   got: '$at', want $lo..$hi: $line"
			fi
		fi
	done < "$T/expect.txt"
}

# ---- first run: relative path, as a user types it ----
(cd "$T" && timeout 120 "$TS" --db "$DB" ingest tree > "$T/out" 2> "$T/err")
status=$?
same "first run exits 1 (some files failed)" "$status" 1
no_crash "first run"
check_bad_files "$T/err"
n=$(grep -c . "$T/err")
same "stderr has one line per bad file plus the summary" "$n" "$((nbad + 1))"
contains "the summary counts 2 files read and every bad one failed" "$T/err" \
	"^trailsift: ingest: 2 files read \(80 records, 80 new\), 0 unchanged, 0 skipped, $nbad failed"

same "the good file before the bad ones is stored" \
	"$(sql "SELECT count(*) FROM events WHERE event_id LIKE 't12-good0-%'")" 50
same "the good file after the bad ones is stored" \
	"$(sql "SELECT count(*) FROM events WHERE event_id LIKE 't12-good1-%'")" 30
same "the store holds the good files' records and nothing else" \
	"$(sql "SELECT count(*) FROM events")" 80
while IFS='~' read -r name pattern lo hi tag; do
	[ -n "$tag" ] || continue
	same "$name: none of its records are stored" \
		"$(sql "SELECT count(*) FROM events WHERE event_id LIKE 't12-$tag-%'")" 0
done < "$T/expect.txt"

# the sources row of each bad file: failed, with the reason the user saw
while IFS='~' read -r name pattern lo hi tag; do
	want=$(grep -F "'tree/$name'" "$T/err" | head -1 | sed "s|^trailsift: error: 'tree/$name': ||")
	got=$(sql "SELECT status || '|' || coalesce(error, '') FROM sources
		WHERE path = '$TREE/$name' OR path LIKE '%/tree/$name' OR path = 'tree/$name'")
	same "$name: sources row is 'failed' with the error text" "$got" "failed|$want"
done < "$T/expect.txt"
same "good files have 'ok' sources rows" \
	"$(sql "SELECT group_concat(status) FROM sources WHERE path IN ('$TREE/00-good.json.gz', '$TREE/zz-good.json')")" \
	"ok,ok"
# schema/001-events.sql: sources.path is the absolute path (or <stdin>)
same "every sources path is absolute" \
	"$(sql "SELECT group_concat(path, ' ') FROM sources WHERE path NOT LIKE '/%'")" ""
same "the run is recorded with its failures" \
	"$(sql "SELECT files_ok || ' ' || files_failed || ' ' || inserted FROM ingest_runs ORDER BY run_id DESC LIMIT 1")" \
	"2 $nbad 80"

# ---- second run, nothing changed: only the failed files are read again ----
run_ts 1 ingest "$TREE"
no_crash "unchanged re-run"
contains "unchanged re-run reads no good file again" "$T/err" \
	"^trailsift: ingest: 0 files read \(0 records, 0 new\), 2 unchanged, 0 skipped, $nbad failed"
n=$(grep -c "^trailsift: error: " "$T/err")
same "unchanged re-run reports every bad file again" "$n" "$nbad"
run2=$(sql "SELECT max(run_id) FROM ingest_runs")
same "unchanged re-run touched exactly the failed sources rows" \
	"$(sql "SELECT count(*) || ' ' || sum(status = 'failed') FROM sources WHERE run_id = $run2")" \
	"$nbad $nbad"
same "unchanged re-run left the good files' rows alone" \
	"$(sql "SELECT count(*) FROM sources WHERE status = 'ok' AND run_id < $run2")" 2
same "unchanged re-run stores nothing new" "$(sql "SELECT count(*) FROM events")" 80
# the first run named the tree by a relative path, this one by an absolute one
same "one sources row per file, whatever path the runs were given" \
	"$(sql "SELECT count(*) FROM sources")" "$((nbad + 2))"

# ---- fix the CRC file, keeping its size and mtime: a failed file is never
# "unchanged", so it must be read again ----
python3 - "$T/tree/crc.json.gz" <<'PY'
import os, sys
p = sys.argv[1]
st = os.stat(p)
with open(p, "r+b") as f:
    f.seek(st.st_size - 8)
    b = f.read(1)
    f.seek(st.st_size - 8)
    f.write(bytes([b[0] ^ 0x01]))
os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
st2 = os.stat(p)
assert (st2.st_size, st2.st_mtime_ns) == (st.st_size, st.st_mtime_ns)
PY
check "the fixed CRC file is a valid gzip now" gzip -t "$T/tree/crc.json.gz"
run_ts 1 ingest "$TREE"
no_crash "re-run after the fix"
contains "the fixed file is read, the good ones are not" "$T/err" \
	"^trailsift: ingest: 1 files read \(8000 records, 8000 new\), 2 unchanged, 0 skipped, $((nbad - 1)) failed"
if grep -qF "crc.json.gz" "$T/err"; then
	fail "the fixed file is no longer reported"
else
	ok "the fixed file is no longer reported"
fi
same "the fixed file's records are stored" \
	"$(sql "SELECT count(*) FROM events WHERE event_id LIKE 't12-crc-%'")" 8000
same "the fixed file's sources row is ok, without error" \
	"$(sql "SELECT status || '|' || coalesce(error, '-') FROM sources WHERE path = '$TREE/crc.json.gz'")" "ok|-"
same "the fixed file's sources row has its SHA-256" \
	"$(sql "SELECT sha256 FROM sources WHERE path = '$TREE/crc.json.gz'")" \
	"$(sha256sum < "$T/tree/crc.json.gz" | cut -d' ' -f1)"
same "the store holds exactly the good and the fixed records" "$(sql "SELECT count(*) FROM events")" 8080

run_ts 1 ingest "$TREE"
no_crash "re-run after the fix, unchanged"
contains "once stored, the fixed file counts as unchanged" "$T/err" \
	"^trailsift: ingest: 0 files read \(0 records, 0 new\), 3 unchanged, 0 skipped, $((nbad - 1)) failed"

# ---- a good file named alone still works and exits 0 ----
run_ts 0 ingest "$FIX/formats/records.json"
no_crash "good file alone"
same "integrity_check after all runs" "$(sql "PRAGMA integrity_check")" ok

# ---- lone surrogate escapes: valid JSON text, kept as written in raw; a
# decoded column gets U+FFFD for each, never bytes that are no UTF-8 ----
python3 - "$T/lone.json" <<'PY'
import sys
rec = ('{"eventVersion":"1.08","eventID":"t12-lone-1","eventTime":"2026-11-03T06:20:00Z",'
       '"eventSource":"ec2.amazonaws.com","eventName":"Create\\udc00Snapshot",'
       '"errorCode":"Client.UnauthorizedOperation","errorMessage":"a\\ud800b \\ud83d\\ude00 \\ud800\\u0041"}')
open(sys.argv[1], "w").write('{"Records":[' + rec + ']}')
open(sys.argv[1] + ".raw", "w").write(rec)
PY
run_ts 0 ingest "$T/lone.json"
no_crash "lone surrogates"
same "raw keeps the escapes byte for byte" \
	"$(sql "SELECT raw FROM events WHERE event_id = 't12-lone-1'")" "$(cat "$T/lone.json.raw")"
same "a lone low surrogate decodes to U+FFFD" \
	"$(sql "SELECT event_name = 'Create' || char(65533) || 'Snapshot' FROM events WHERE event_id = 't12-lone-1'")" 1
same "a lone high surrogate decodes to U+FFFD, a pair to its character" \
	"$(sql "SELECT error_message = 'a' || char(65533) || 'b ' || char(128512) || ' ' || char(65533) || 'A'
		FROM events WHERE event_id = 't12-lone-1'")" 1
run_ts 0 query --format csv "SELECT event_name, error_message FROM events WHERE event_id = 't12-lone-1'"
check "what query prints is valid UTF-8" python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$T/out"
