# Every JSON string and number is capped at 32 MiB wherever it is (in a
# record, after "Records", in a LookupEvents page), so a gzip bomb of one
# huge token fails fast with the file and the token's byte named, and the
# memory it takes stays bounded; the other files of the run are stored.
. "$(dirname "$0")/lib.sh"

# Each bomb is a file of gzip members (read as one stream): the JSON text up
# to the token, then 8 MiB members of one byte repeated, then the end. The
# expected byte is the token's first byte in the inflated text.
python3 - "$T" <<'PY'
import gzip, json, os, sys

top = sys.argv[1]
rec = {"eventVersion": "1.08", "eventID": "t19-good-1", "eventTime": "2026-11-03T06:20:00Z",
       "eventSource": "ec2.amazonaws.com", "eventName": "CreateSnapshot"}
piece = {c: gzip.compress(c * (8 << 20), mtime=0) for c in (b"a", b"7", b" ")}

def bomb(name, head, fill, mib, tail):
    with open(os.path.join(top, name), "wb") as f:
        f.write(gzip.compress(head, mtime=0))
        for _ in range(mib // 8):
            f.write(piece[fill])
        f.write(gzip.compress(tail, mtime=0))
    return len(head) - 1  # the quote, or the first digit

good = json.dumps({"Records": [rec]}).encode()
with open(os.path.join(top, "expect"), "w") as e:
    # a 1 GiB string after the Records array, from a 1 MB file
    e.write("string.json.gz %d\n" % bomb("string.json.gz", good[:-1] + b', "x": "', b"a", 1024, b'"}'))
    e.write("number.json.gz %d\n" % bomb("number.json.gz", b'{"Records": [], "n": 1', b"7", 64, b"}"))
    e.write("event.json.gz %d\n" % bomb("event.json.gz", b'{"Events": [{"CloudTrailEvent": "', b" ", 64, b'"}]}'))
    r2 = dict(rec, eventID="t19-inrecord-1")
    e.write("inrecord.json.gz %d\n" % bomb("inrecord.json.gz",
            b'{"Records": [' + json.dumps(r2).encode()[:-1] + b', "requestParameters": "', b"a", 64, b'"}]}'))
with open(os.path.join(top, "good.json"), "w") as f:
    f.write(json.dumps({"Records": [dict(rec, eventID="t19-good-2")]}))
PY
mkdir "$T/in"
mv "$T"/*.json.gz "$T/good.json" "$T/in/"
check "the 1 GiB bomb is a small file" test "$(stat -c %s "$T/in/string.json.gz")" -lt 2000000

# peak RSS of the run, from the kernel's accounting of the child
python3 - "$T" "$TS" "$DB" <<'PY' > "$T/rss"
import resource, subprocess, sys
t, ts, db = sys.argv[1:4]
with open(t + "/out", "wb") as out, open(t + "/err", "wb") as err:
    try:
        rc = subprocess.run([ts, "--db", db, "ingest", t + "/in"], stdout=out, stderr=err,
                            timeout=300).returncode
    except subprocess.TimeoutExpired:
        rc = "timeout"
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
PY
read -r rc rss < "$T/rss"
same "the run exits 1 (bad files), in time" "$rc" 1
if [ "$rss" -lt 400 ]; then
	ok "peak RSS stays bounded: $rss MB for tokens of up to 1 GiB"
else
	fail "peak RSS stays bounded: $rss MB for tokens of up to 1 GiB"
fi
while read -r name at; do
	kind=string
	[ "$name" = number.json.gz ] && kind=number
	contains "$name: one line names the file and the token's byte" "$T/err" \
		"^trailsift: error: '.*/in/$name': byte $at: a JSON $kind longer than 32 MiB\$"
done < "$T/expect"
contains "the summary counts the good file read and the bombs failed" "$T/err" \
	"^trailsift: ingest: 1 files read \(1 records, 1 new\), 0 unchanged, 0 skipped, 4 failed"
same "only the good file's record is stored" "$(sql "SELECT group_concat(event_id) FROM events")" t19-good-2
same "the bombs' sources rows are failed with the reason" \
	"$(sql "SELECT count(*) FROM sources WHERE status = 'failed' AND error LIKE 'byte %: a JSON % longer than 32 MiB'")" 4
