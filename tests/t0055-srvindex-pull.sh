# API pulls fill the source-server index as file ingest does: the sample's
# events pulled from the fake LookupEvents endpoint, and the same records
# ingested as a file, index the same (server, event) pairs, and timelines
# from a pulled store are lookups like any other.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/lib-pull.sh"

make_events
env_keys
fake_start ct --events "$EVENTS" --cred "$AK:$SK" --rate 0
run_ts 0 pull --region us-east-1 --region eu-west-1 --endpoint-url "$EP" --account "$ACCOUNT" --rate 0
pairs() { sql "SELECT x.server_id, e.event_id FROM source_server_events AS x JOIN events AS e ON e.seq = x.seq
	WHERE e.aws_region IN ('us-east-1', 'eu-west-1') ORDER BY 1, 2"; }
pairs > "$T/pulled"
check "pulled events name source servers in the index" test -s "$T/pulled"
DB="$T/file.db"
ts -q ingest "$EVENTS"
pairs > "$T/ingested"
same "the pulled store indexes the same (server, event) pairs as file ingest" \
	"$(cat "$T/pulled")" "$(cat "$T/ingested")"
DB="$T/store.db"
server=$(head -n 1 "$T/pulled" | cut -d'|' -f1)
run_ts 0 timeline --source-server "$server" --format json
same "a timeline from the pulled store lists the server's events" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["event_count"])' "$T/out")" \
	"$(grep -c "^$server|" "$T/pulled")"
