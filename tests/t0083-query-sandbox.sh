# query's sandbox: only known functions, read-only pragmas (table_info and
# friends included), and every query bounded in time, memory and value size.
. "$(dirname "$0")/lib.sh"

ts ingest "$FIX/sample" 2>/dev/null

# functions off the list are refused by name, before anything runs
run_ts 1 query "SELECT hex(fts3_tokenizer('simple')) AS p"
contains "fts3_tokenizer cannot read a library pointer" "$T/err" "function fts3_tokenizer\(\) is not allowed"
same "... and nothing was printed" "$(cat "$T/out")" ""
run_ts 1 query "SELECT fts3_tokenizer('x', x'4141414141414141')"
contains "fts3_tokenizer cannot register a pointer" "$T/err" "function fts3_tokenizer\(\) is not allowed"
run_ts 1 query "SELECT load_extension('$T/x.so')"
contains "load_extension is refused" "$T/err" "function load_extension\(\) is not allowed"
run_ts 1 query "SELECT sqlite_compileoption_get(0)"
contains "a function not on the list is refused" "$T/err" "function sqlite_compileoption_get\(\) is not allowed"

# the listed ones work: core, aggregate, date, JSON, window, table-valued
run_ts 0 query --format csv "SELECT abs(-2) AS a, upper('x') AS u, json_extract('{\"k\":3}', '\$.k') AS j,
	'{\"k\":4}' ->> '\$.k' AS arrow, strftime('%Y', '2026-11-03') AS y,
	(SELECT group_concat(value) FROM json_each('[1,2]')) AS each,
	(SELECT count(*) FROM (SELECT row_number() OVER (ORDER BY seq) FROM events)) = (SELECT count(*) FROM events) AS win"
same "core, JSON, date, window and json_each all work" "$(tail -1 "$T/out")" "2,X,3,4,2026,\"1,2\",1"

# the read-only pragmas users need to see the columns
run_ts 0 query --format csv "PRAGMA table_info(events)"
contains "PRAGMA table_info(events) lists the columns" "$T/out" "^[0-9]+,event_id,"
for p in "table_xinfo(event_fields)" "index_list(event_fields)" "index_info(events_time)" \
	 "foreign_key_list(event_fields)" "user_version"; do
	run_ts 0 query "PRAGMA $p"
done
run_ts 0 query --format csv "SELECT count(*) > 10 FROM pragma_table_info('events')"
same "pragma_table_info() works too" "$(tail -1 "$T/out")" 1
before=$(sha256sum "$DB")
for p in "journal_mode = WAL" "writable_schema = 1" "user_version = 7" "journal_mode" "temp_store_directory"; do
	run_ts 1 query "PRAGMA $p"
	contains "PRAGMA $p is refused by name" "$T/err" "PRAGMA ${p%% *}( with a value)? is not allowed"
done
same "the store is unchanged" "$(sha256sum "$DB")" "$before"

# bounds: time, memory, value size
run_ts 1 query --timeout 1 "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
contains "a query that never ends is stopped by --timeout" "$T/err" "query: stopped after 1 s \(--timeout"
run_ts 1 query "SELECT length(randomblob(1e9))"
contains "randomblob(1e9) is refused, not allocated" "$T/err" "a value would be larger than 128 MiB"
run_ts 1 query --max-memory 16 --timeout 0 "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 100000)
	SELECT length(group_concat(hex(randomblob(1000)))) FROM c"
contains "a query past --max-memory fails with a message" "$T/err" "out of memory: the query needs more than --max-memory 16 MiB"
run_ts 0 query --timeout 0 --max-memory 0 --format csv "SELECT count(*) > 0 FROM events"
same "0 means no bound" "$(tail -1 "$T/out")" 1
run_ts 2 query --timeout soon "SELECT 1"
contains "--timeout wants seconds" "$T/err" "--timeout wants whole seconds, got 'soon'"
run_ts 2 query --max-memory -5 "SELECT 1"
contains "--max-memory wants MiB" "$T/err" "--max-memory wants MiB, got '-5'"
run_ts 0 query --help
contains "--help names the bounds" "$T/out" "--timeout S .*default 300"
contains "--help names the pragmas" "$T/out" "table_info"
