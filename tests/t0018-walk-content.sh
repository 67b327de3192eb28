# A directory walk decides by content which files are logs: an extensionless
# gzip log and an upper-case .JSON.GZ are read, a README is skipped and
# counted, digests stay skipped by their folder. A file a walk skipped and
# that is then named on the command line is read, not taken as "unchanged".
. "$(dirname "$0")/lib.sh"

# a hang (a FIFO nobody opens) fails the test instead of CI
ts() { timeout 120 "$TS" --db "$DB" "$@"; }

# The export: one day of one region, files of sample records whose eventIDs
# are t18-<tag>-<n>, so each file's records are found by prefix.
D="$T/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/03"
mkdir -p "$D" "$T/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/03" \
	"$T/AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2026/11/03" "$T/named"
python3 - "$FIX" "$T" <<'PY'
import glob, gzip, json, os, sys

fix, top = sys.argv[1:3]
tmpl = []
for p in sorted(glob.glob(os.path.join(fix, "sample/AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz"))):
    with gzip.open(p, "rb") as f:
        tmpl.extend(json.loads(f.read().decode("utf-8"))["Records"])

def recs(tag, n):
    rs = []
    for i in range(n):
        r = dict(tmpl[i % len(tmpl)])
        r["eventID"] = "t18-%s-%05d" % (tag, i)
        rs.append(r)
    return rs

def doc(tag, n):
    return json.dumps({"Records": recs(tag, n)}).encode("utf-8")

def gz(data):
    return gzip.compress(data, mtime=0)

def put(rel, data):
    with open(os.path.join(top, rel), "wb") as f:
        f.write(data)

d = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/03/"
put(d + "111122223333_CloudTrail_us-east-1_20261103T0000Z_a.json.gz", gz(doc("named", 10)))
put(d + "111122223333_CloudTrail_us-east-1_20261103T0005Z_b", gz(doc("noext", 20)))
put(d + "111122223333_CloudTrail_us-east-1_20261103T0010Z_C.JSON.GZ", gz(doc("upper", 30)))
put(d + "plain-text-log", b"\n  \t" + doc("plain", 4))
put(d + "bom-array-log", b"\xef\xbb\xbf[" + ",".join(json.dumps(r) for r in recs("bom", 3)).encode() + b"]")
put(d + "README.txt", b"These are the logs of the migration account.\n")
put(d + "notes", b"   \n")
put(d + "empty", b"")
put(d + ".hidden.json.gz", gz(doc("hidden", 6)))
put("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/03/"
    "111122223333_CloudTrail-Digest_us-east-1_x_20261103T0100Z", gz(b'{"digestStartTime":"x"}'))
put("AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2026/11/03/"
    "111122223333_CloudTrail-Insight_us-east-1_20261103T0100Z_x", gz(doc("insight", 2)))
put("named/fifo-content.json", doc("fifo", 7))
put("named/fifo-content2.json", doc("fifo2", 5))
PY
mkfifo "$D/pipe.json"
# the FIFO keeps one mtime, so only its kind can tell that its content changed
touch -d '2026-11-03 00:00:00' "$D/pipe.json"

run_ts 0 ingest "$T/AWSLogs"
contains "the walk reads the 5 logs and skips 7 other files" "$T/err" \
	"^trailsift: ingest: 5 files read \(67 records, 67 new\), 0 unchanged, 7 skipped, 0 failed"
for tag_n in named:10 noext:20 upper:30 plain:4 bom:3; do
	tag=${tag_n%:*}
	same "$tag: all its records are stored" \
		"$(sql "SELECT count(*) FROM events WHERE event_id LIKE 't18-$tag-%'")" "${tag_n#*:}"
done
same "the skipped files' sources rows say why" \
	"$(sql "SELECT replace(path, '$(cd "$T" && pwd -P)/AWSLogs/111122223333/', '') || ': ' || error
		FROM sources WHERE status = 'skipped' ORDER BY path")" \
	"CloudTrail-Digest/us-east-1/2026/11/03/111122223333_CloudTrail-Digest_us-east-1_x_20261103T0100Z: CloudTrail digest file
CloudTrail-Insight/us-east-1/2026/11/03/111122223333_CloudTrail-Insight_us-east-1_20261103T0100Z_x: CloudTrail Insights file
CloudTrail/us-east-1/2026/11/03/.hidden.json.gz: hidden file
CloudTrail/us-east-1/2026/11/03/README.txt: not a log file (neither gzip nor JSON)
CloudTrail/us-east-1/2026/11/03/empty: not a log file (neither gzip nor JSON)
CloudTrail/us-east-1/2026/11/03/notes: not a log file (neither gzip nor JSON)
CloudTrail/us-east-1/2026/11/03/pipe.json: not a regular file"
same "nothing of the digest, insight or hidden files is stored" \
	"$(sql "SELECT count(*) FROM events WHERE event_id LIKE 't18-insight-%' OR event_id LIKE 't18-hidden-%'")" 0

run_ts 0 ingest "$T/AWSLogs"
contains "a second walk: the logs unchanged, the others skipped again" "$T/err" \
	"^trailsift: ingest: 0 files read \(0 records, 0 new\), 5 unchanged, 7 skipped, 0 failed"

# ---- a file the walk skipped, named: it is read ----
run_ts 0 ingest "$D/.hidden.json.gz"
contains "the hidden file the walk skipped is read when named" "$T/err" \
	"^trailsift: ingest: 1 files read \(6 records, 6 new\), 0 unchanged, 0 skipped, 0 failed"
same "its records are stored" "$(sql "SELECT count(*) FROM events WHERE event_id LIKE 't18-hidden-%'")" 6
same "its sources row is ok now" \
	"$(sql "SELECT status FROM sources WHERE path LIKE '%/.hidden.json.gz'")" ok
run_ts 0 ingest "$D/.hidden.json.gz"
contains "named again, unchanged, it is not read again" "$T/err" \
	"^trailsift: ingest: 0 files read \(0 records, 0 new\), 1 unchanged"

# the FIFO the walk skipped (not a regular file), named with a writer on it
feed_fifo() { timeout 60 sh -c 'cat "$1" > "$2"' sh "$1" "$D/pipe.json" & }
feed_fifo "$T/named/fifo-content.json"
touch -d '2026-11-03 00:00:00' "$D/pipe.json"
run_ts 0 ingest "$D/pipe.json"
wait
contains "the FIFO the walk skipped is read when named" "$T/err" \
	"^trailsift: ingest: 1 files read \(7 records, 7 new\)"
same "the FIFO's records are stored" "$(sql "SELECT count(*) FROM events WHERE event_id LIKE 't18-fifo-%'")" 7
# a pipe has no size and mtime that say its content is the same: read it again
feed_fifo "$T/named/fifo-content2.json"
touch -d '2026-11-03 00:00:00' "$D/pipe.json"
run_ts 0 ingest "$D/pipe.json"
wait
contains "the FIFO named a second time is read again" "$T/err" \
	"^trailsift: ingest: 1 files read \(5 records, 5 new\)"
same "the FIFO's second content is stored" \
	"$(sql "SELECT count(*) FROM events WHERE event_id LIKE 't18-fifo2-%'")" 5
same "integrity_check" "$(sql "PRAGMA integrity_check")" ok
