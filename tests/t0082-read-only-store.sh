# the store is opened only when it is one: a read command never changes or
# creates a file, and no command turns another program's SQLite file (or a
# store of a newer trailsift) into something else.
. "$(dirname "$0")/lib.sh"

READERS='query SELECT_1|stats|findings|report|timeline --source-server s-1234567890abcdef0'

# each_reader WANT_STATUS PATTERN WHAT: runs every read command on --db $DB
each_reader() {
	echo "$READERS" | tr '|' '\n' | while read -r cmd args; do
		if [ "$args" = SELECT_1 ]; then
			ts "$cmd" "SELECT 1" > "$T/out" 2> "$T/err"
		else
			# shellcheck disable=SC2086
			ts "$cmd" $args > "$T/out" 2> "$T/err"
		fi
		got=$?
		same "$cmd on $3 exits $1" "$got" "$1"
		contains "$cmd on $3: $2" "$T/err" "$2"
	done
}

# another program's database: user_version 0, its own tables
python3 - "$DB" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("CREATE TABLE contacts (name TEXT)")
con.execute("INSERT INTO contacts VALUES ('ann')")
con.commit()
PY
before=$(sha256sum "$DB")
each_reader 1 "'$DB' is not a trailsift store" "another program's database"
for w in "ingest $FIX/sample" "scan"; do
	# shellcheck disable=SC2086
	ts $w > "$T/out" 2> "$T/err"
	same "${w%% *} on another program's database exits 1" "$?" 1
	contains "${w%% *} on another program's database says so" "$T/err" "is not a trailsift store"
done
same "another program's database is unchanged" "$(sha256sum "$DB")" "$before"
same "no trailsift table was created in it" "$(sql "SELECT group_concat(name) FROM sqlite_schema")" "contacts"

# the same with a user_version that an older trailsift store would have
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA user_version = 2"); c.commit()' "$DB"
before=$(sha256sum "$DB")
ts query "SELECT 1" > "$T/out" 2> "$T/err"
contains "a foreign database with user_version 2 is refused" "$T/err" "is not a trailsift store"
same "... and left unchanged" "$(sha256sum "$DB")" "$before"

# an empty file stays an empty file
rm -f "$DB"
: > "$DB"
each_reader 1 "is not a trailsift store: it is empty" "an empty file"
same "the empty file stays empty" "$(wc -c < "$DB")" 0

# a file that is no database at all, for readers and writers
printf 'not a database, but a long enough line of plain text to look at\n' > "$DB"
before=$(sha256sum "$DB")
each_reader 1 "is not a trailsift store: file is not a database" "a text file"
ts ingest "$FIX/sample" > "$T/out" 2> "$T/err"
contains "ingest into a text file is refused" "$T/err" "is not a trailsift store: file is not a database"
same "the text file is unchanged" "$(sha256sum "$DB")" "$before"

# no file: a reader creates none
rm -f "$DB"
each_reader 1 "no store at '$DB'" "a missing file"
if [ -e "$DB" ]; then fail "no read command created the store"; else ok "no read command created the store"; fi

# a directory is named as one
DB="$T/dir"
mkdir "$DB"
each_reader 1 "'$DB' is a directory, not a store" "a directory"
ts ingest "$FIX/sample" > "$T/out" 2> "$T/err"
contains "ingest into a directory says so" "$T/err" "is a directory, not a store"
if grep -q "disk I/O" "$T/err"; then fail "no 'disk I/O error' for a directory"; else ok "no 'disk I/O error' for a directory"; fi

# a store of a newer schema is refused by readers too, and left alone
DB="$T/newer.db"
ts ingest "$FIX/sample" 2>/dev/null
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA user_version = 99"); c.commit()' "$DB"
before=$(sha256sum "$DB")
each_reader 1 "has schema version 99; this trailsift knows up to [0-9]+ \(upgrade trailsift\)" "a newer store"
ts scan > "$T/out" 2> "$T/err"
contains "scan refuses a newer store" "$T/err" "has schema version 99"
same "the newer store is unchanged" "$(sha256sum "$DB")" "$before"

# and a real store still reads
latest=$(ls "$ROOT"/schema/[0-9]*.sql | sed 's|.*/0*||; s|-.*||' | sort -n | tail -1)
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA user_version = %d" % int(sys.argv[2])); c.commit()' "$DB" "$latest"
run_ts 0 query --format csv "SELECT count(*) > 0 FROM events"
same "a store of this version reads" "$(tail -1 "$T/out")" 1
