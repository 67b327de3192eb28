# tests/lib.sh - sourced by tests/tNNNN-*.sh.
#
# Each check prints "ok - what" or "not ok - what"; tests/run.sh counts them.
# Every script gets a fresh scratch directory $T (removed at exit) and a store
# path $DB inside it; `ts` runs the binary under test.
set -u
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DB="$T/store.db"
ROOT="${TEST_ROOT:?run through tests/run.sh}"
FIX="$ROOT/fixtures"
TS="${TRAILSIFT_BIN:?}"

ts() { "$TS" --db "$DB" "$@"; }

ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else fail "$desc"; fi
}

# run_ts WANT_STATUS ARGS...: runs ts, keeping stdout in $T/out and stderr
# in $T/err; passes when the exit status is WANT_STATUS.
run_ts() {
	want=$1
	shift
	ts "$@" > "$T/out" 2> "$T/err"
	got=$?
	if [ "$got" -eq "$want" ]; then
		ok "trailsift $* exits $want"
	else
		fail "trailsift $* exits $want (got $got)"
		sed 's/^/#   stderr: /' "$T/err" | head -5
	fi
}

# sql QUERY: prints the result of a query on $DB through Python's sqlite3,
# one row per line, columns separated by |, so that tests check the store
# with a reader other than trailsift.
sql() {
	python3 - "$DB" "$1" <<'PY'
import sqlite3, sys
con = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for row in con.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
PY
}

# same WHAT GOT WANT: passes when the two strings are equal.
same() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1"
		echo "#   got:  $2" | head -5
		echo "#   want: $3" | head -5
	fi
}

# contains WHAT FILE PATTERN: passes when FILE has a line matching PATTERN (grep -E).
contains() {
	if grep -Eq -- "$3" "$2"; then
		ok "$1"
	else
		fail "$1"
		echo "#   no line matches: $3"
		sed 's/^/#   | /' "$2" | head -5
	fi
}

# RULE FIELD...: one line per finding of RULE, by first time then summary, its
# FIELDs joined by '|' (objects and lists as sorted JSON)
rule_findings() {
	_rule=$1
	shift
	ts findings --rule "$_rule" --format json | python3 -c '
import json, sys
rows = sorted((json.loads(l) for l in sys.stdin), key=lambda f: (f["first_time"], f["summary"]))
for f in rows:
    print("|".join(str(f[k]) if not isinstance(f[k], (dict, list)) else json.dumps(f[k], sort_keys=True) for k in sys.argv[1:]))' "$@"
}
