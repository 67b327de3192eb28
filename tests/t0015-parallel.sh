# Parallel parsing: whatever the number of parser threads (ingest --jobs),
# the store gets the same rows in the same order (the order files are
# walked), the first copy of a repeated eventID stays, failures are reported
# in walk order, and a failed file's records, rolled back, do not hide the
# same events in a later good file (bulk and incremental loads alike).
. "$(dirname "$0")/lib.sh"

python3 - "$FIX" "$T/tree" <<'PY'
import glob, gzip, json, os, sys

fix, out = sys.argv[1:3]
tmpl = []
for p in sorted(glob.glob(os.path.join(fix, "sample/AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz"))):
    with gzip.open(p, "rb") as f:
        tmpl.extend(json.loads(f.read().decode("utf-8"))["Records"])

def recs(tag, n, agent=None):
    rs = []
    for i in range(n):
        r = dict(tmpl[i % len(tmpl)])
        r["eventID"] = "t15-%s-%05d" % (tag, i)
        if agent:
            r["userAgent"] = agent
        rs.append(r)
    return rs

def doc(rs):
    return ('{"Records":[' + ",".join(json.dumps(r, separators=(",", ":")) for r in rs) + "]}").encode()

d = os.path.join(out, "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/03")
os.makedirs(d)
# sizes vary so that parsers finish out of turn
sizes = [1500, 3, 700, 1, 40, 1200, 9, 300, 2, 900, 5, 60, 1100, 7, 250, 4, 800, 30, 2, 600,
         1300, 11, 90, 3, 500, 1, 1000, 20, 6, 400]
good = 0
for i, n in enumerate(sizes):
    rs = recs("f%02d" % i, n)
    if i == 5:
        rs += recs("dup", 100, "first copy")
    if i == 20:
        rs += recs("dup", 100, "second copy")
    if i == 25:
        rs += recs("rb", 50, "good copy")
    name = os.path.join(d, "111122223333_CloudTrail_us-east-1_20261103T%04dZ_x.json.gz" % (i * 5))
    data = gzip.compress(doc(rs))
    if i not in (8, 12, 15):
        good += len(rs)
    if i == 8:
        # truncated: the records at its start are parsed before the error
        # (past the 4 MiB a parser hands on at once, so they reach the writer)
        data = gzip.compress(doc(recs("rb", 50, "rolled back") + recs("pad", 8000)))
        data = data[: len(data) * 2 // 3]
    if i == 12:
        data = gzip.compress(b'{"Records":[{"eventID":"x",}]}')
    if i == 15:
        data = b""
    with open(name, "wb") as f:
        f.write(data)
with open(os.path.join(out, "..", "good-records"), "w") as f:
    print(good - 100, file=f)  # the second copies of the repeated IDs are not stored
PY

dump() { # DB: every stored row in seq order, with its file
	DB=$1 sql "SELECT event_id, user_agent, substr(origin, length(origin) - 26) FROM events ORDER BY seq"
}

for j in 1 2 3; do
	DB="$T/j$j.db" ts ingest --quiet --jobs $j "$T/tree" > /dev/null 2> "$T/err.$j"
	echo $? > "$T/rc.$j"
	dump "$T/j$j.db" > "$T/dump.$j"
done
same "--jobs 1 exits 1 (bad files)" "$(cat "$T/rc.1")" 1
same "--jobs 3 exits 1 (bad files)" "$(cat "$T/rc.3")" 1
check "--jobs 2 stores the same rows in the same order as --jobs 1" cmp -s "$T/dump.1" "$T/dump.2"
check "--jobs 3 stores the same rows in the same order as --jobs 1" cmp -s "$T/dump.1" "$T/dump.3"
check "--jobs 3 reports the same failures, in the same order" cmp -s "$T/err.1" "$T/err.3"
same "three failures, in walk order" \
	"$(sed -n 's/.*_20261103T\([0-9]*\)Z.*/\1/p' "$T/err.3" | tr '\n' ' ')" "0040 0060 0075 "
same "rows follow the walk order of their files" \
	"$(cut -d'|' -f3 "$T/dump.3" | uniq | sort -c 2>&1 && echo sorted)" "sorted"
same "every good record stored once" "$(wc -l < "$T/dump.3" | tr -d ' ')" "$(cat "$T/good-records")"
DB="$T/j3.db"
same "a repeated eventID keeps its first copy" \
	"$(sql "SELECT DISTINCT user_agent FROM events WHERE event_id LIKE 't15-dup-%'")" "first copy"
same "records of a failed file do not hide the same events later (bulk)" \
	"$(sql "SELECT count(*), min(user_agent), max(user_agent) FROM events WHERE event_id LIKE 't15-rb-%'")" \
	"50|good copy|good copy"
same "the key was built without removing anything" \
	"$(sql "SELECT count(*) = count(DISTINCT event_id) FROM events")" "1"

# incremental: the store already holds events, so the unique key is in place
DB="$T/inc.db"
ts ingest --quiet "$FIX/sample" > /dev/null 2>&1
ts ingest --quiet --jobs 2 "$T/tree" > /dev/null 2> "$T/err.inc"
same "records of a failed file do not hide the same events later (incremental)" \
	"$(sql "SELECT count(*), min(user_agent), max(user_agent) FROM events WHERE event_id LIKE 't15-rb-%'")" \
	"50|good copy|good copy"
same "incremental: a repeated eventID keeps its first copy" \
	"$(sql "SELECT DISTINCT user_agent FROM events WHERE event_id LIKE 't15-dup-%'")" "first copy"
same "incremental: the same rows in the same order as the bulk load" \
	"$(dump "$T/inc.db" | grep '^t15-' | md5sum)" "$(md5sum < "$T/dump.1")"
