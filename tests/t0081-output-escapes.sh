# output safety: attacker-shaped values (terminal escapes, C1 controls, bidi
# overrides, NUL, spreadsheet formulas) come out of every format visible and
# harmless, on stdout and on stderr.
. "$(dirname "$0")/lib.sh"

# safe KIND WHAT FILE...: passes when safebytes.py finds nothing wrong
safe() {
	kind=$1 what=$2
	shift 2
	if python3 "$ROOT/tests/safebytes.py" "$kind" "$@" > "$T/why"; then
		ok "$what"
	else
		fail "$what"
		sed 's/^/#   /' "$T/why"
	fi
}

# C1 (U+009B is CSI), bidi overrides and isolates, marks, the Arabic letter
# mark, and an OSC 52 clipboard write
EVIL='a\u009b31mb\u202ec\u2066d\u2069\u200ee\u200f\u061cf\u202a\u202b\u202c\u202d\u2067\u2068\u0085\u001b]52;c;cHduZWQ=\u0007g'
python3 "$ROOT/tests/mkevents.py" "$T/evil.json" \
	'{"id":"nul-1","userAgent":"aws-cli/2\u0000<script>alert(1)</script>","errorCode":"x;=cmd|'"'"' /C calc'"'"'!A0","eventName":"x\t=1+1","errorMessage":"  =1+1"}' \
	'{"id":"evil-1","who":"mgn-repl","errorCode":"Client.UnauthorizedOperation","errorMessage":"'"$EVIL"'","eventName":"CreateSnapshot\u202e","params":{"sourceServerID":"s-1234567890abcdef0"}}' \
	'{"id":"evil-2","who":"mgn-repl","t":"2026-11-03T10:05:00Z","errorCode":"Client.UnauthorizedOperation","errorMessage":"'"$EVIL"'","eventName":"CreateSnapshot\u202e","params":{"sourceServerID":"s-1234567890abcdef0"}}'
ts ingest "$T/evil.json" 2>/dev/null
ts scan > /dev/null 2>&1

# defect 9: a NUL hides nothing
run_ts 0 query "SELECT user_agent FROM events WHERE event_id = 'nul-1'"
contains "table: the whole value after a NUL, the NUL visible" "$T/out" 'aws-cli/2\\x00<script>alert\(1\)</script>'
run_ts 0 query --format csv "SELECT user_agent FROM events WHERE event_id = 'nul-1'"
contains "csv: the whole value after a NUL, the NUL visible" "$T/out" '^aws-cli/2\\x00<script>alert\(1\)</script>$'
run_ts 0 query --format json "SELECT user_agent FROM events WHERE event_id = 'nul-1'"
same "json: a NUL is \\u0000 and the rest follows" \
	"$(python3 -c 'import json,sys; print(repr(json.loads(open(sys.argv[1]).read())["user_agent"]))' "$T/out")" \
	"'aws-cli/2\\x00<script>alert(1)</script>'"

# defect 10: CSV separators other than the comma are quoted, formulas defused
run_ts 0 query --format csv "SELECT error_code, event_name, error_message, 'ok' AS plain FROM events WHERE event_id = 'nul-1'"
same "csv: ; and tab cells quoted, leading-space formula defused" "$(tail -1 "$T/out")" \
	"$(printf '"x;=cmd|'"'"' /C calc'"'"'!A0","x\t=1+1","'"'"'  =1+1",ok')"
python3 - "$T/out" > "$T/cells" <<'PY'
import csv, sys
print(list(csv.reader(open(sys.argv[1])))[1] == ["x;=cmd|' /C calc'!A0", "x\t=1+1", "'  =1+1", "ok"])
PY
same "csv: the cells read back whole with the csv module" "$(cat "$T/cells")" "True"
# a spreadsheet in a ';' locale, and one that splits on tabs: no cell starts a formula
for col in error_code event_name error_message; do
	ts query --format csv "SELECT $col FROM events WHERE event_id = 'nul-1'" > "$T/col"
	python3 - "$T/col" > "$T/semi" <<'PY'
import csv, sys
for delim in ";\t":
    for row in list(csv.reader(open(sys.argv[1]), delimiter=delim))[1:]:
        for cell in row:
            if cell.lstrip(" ").startswith(("=", "+", "-", "@")):
                print("formula cell %r with delimiter %r" % (cell, delim))
PY
	same "csv: no formula cell in $col when split on ; or tab" "$(cat "$T/semi")" ""
done

# defect 7: JSON escapes C1 and bidi controls and is always UTF-8
run_ts 0 query --format json "SELECT error_message, event_name FROM events WHERE event_id = 'evil-1'"
safe json "query json: no raw C1, bidi or ESC" "$T/out"
same "query json: the value round-trips" \
	"$(python3 -c 'import json,sys; print(ascii(json.loads(open(sys.argv[1]).read())["error_message"]))' "$T/out")" \
	"'a\\x9b31mb\\u202ec\\u2066d\\u2069\\u200ee\\u200f\\u061cf\\u202a\\u202b\\u202c\\u202d\\u2067\\u2068\\x85\\x1b]52;c;cHduZWQ=\\x07g'"
run_ts 0 query --format json "SELECT CAST(x'41ff9bc3' AS TEXT) AS t"
safe json "query json: text that is not UTF-8 comes out as UTF-8" "$T/out"
same "query json: each bad byte is U+FFFD" \
	"$(python3 -c 'import json,sys; print(ascii(json.loads(open(sys.argv[1]).read())["t"]))' "$T/out")" \
	"'A\\ufffd\\ufffd\\ufffd'"
run_ts 0 findings --format json
safe json "findings json: no raw C1, bidi or ESC" "$T/out"
contains "findings json: the evidence is there, escaped" "$T/out" 'CreateSnapshot\\u202e'
run_ts 0 timeline --source-server s-1234567890abcdef0 --format json
safe jsondoc "timeline json: no raw C1, bidi or ESC" "$T/out"
run_ts 0 report --format json
safe jsondoc "report json: no raw C1, bidi or ESC" "$T/out"
run_ts 0 report --format html
safe term "report html: bidi controls shown, not obeyed" "$T/out"

# the terminal forms
run_ts 0 query "SELECT error_message, event_name, user_agent FROM events"
safe term "query table: nothing a terminal acts on" "$T/out"
contains "query table: the escapes are visible" "$T/out" 'a\\u009b31mb\\u202ec'
run_ts 0 findings
safe term "findings text: nothing a terminal acts on" "$T/out"
run_ts 0 timeline --source-server s-1234567890abcdef0
safe term "timeline text: nothing a terminal acts on" "$T/out"
run_ts 0 report
safe term "report text: nothing a terminal acts on" "$T/out"
run_ts 0 stats
safe term "stats: nothing a terminal acts on" "$T/out"

# defect 6: stderr lines show escapes too
bad="$T/x$(printf '\033]52;c;cHduZWQ=\007\302\233')y.json"
printf '{"Records":[' > "$bad"
ts ingest "$bad" > "$T/out" 2> "$T/err"
safe term "stderr: a file name's escapes are shown, not obeyed" "$T/err"
contains "stderr: the file is still named" "$T/err" 'x\\x1b]52;c;cHduZWQ=\\x07\\u009by\.json'
python3 "$ROOT/tests/mkevents.py" "$T/badtime.json" '{"t":"\u001b[31m\u009b\u202e"}'
ts ingest "$T/badtime.json" > "$T/out" 2> "$T/err"
contains "stderr: a value quoted in an error is named" "$T/err" "badtime\.json"
safe term "stderr: a value quoted in an error is shown, not obeyed" "$T/err"
run_ts 1 query "SELECT json_extract(raw, char(27) || ']0;x' || char(7)) FROM events"
safe term "stderr: SQLite's message quoting a JSON path is shown, not obeyed" "$T/err"
run_ts 2 query --param "$(printf 'x\033[2J')"
safe term "stderr: a usage error quoting an argument is shown, not obeyed" "$T/err"

# query --list: a query file's description and parameters are shown safely
mkdir "$T/queries"
printf -- '-- Looks fine\033]52;c;cHduZWQ=\007 \302\233 \342\200\256evil\n-- :p=1 help\033[2J\nSELECT :p;\n' > "$T/queries/q.sql"
TRAILSIFT_QUERIES="$T/queries" ts query --list > "$T/out" 2> "$T/err"
safe term "query --list: a description's escapes are shown, not obeyed" "$T/out"
contains "query --list: the description is still there" "$T/out" 'Looks fine\\x1b]52'
