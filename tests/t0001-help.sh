# Every command answers --help, and the global options behave (git's t0012-help).
. "$(dirname "$0")/lib.sh"

run_ts 0 --help
contains "--help lists the commands" "$T/out" "^  ingest "
run_ts 0 --version
contains "--version names the program" "$T/out" "^trailsift [0-9]+\.[0-9]+"
for cmd in $(ts --help | awk '/^Commands:/ {on=1; next} on && /^  [a-z]/ {print $1}'); do
	run_ts 0 "$cmd" --help
	contains "$cmd --help shows its usage" "$T/out" "^usage: trailsift .*$cmd"
	run_ts 0 help "$cmd"
	run_ts 2 "$cmd" --no-such-option
done
run_ts 2 no-such-command
contains "an unknown command is named" "$T/err" "'no-such-command' is not a trailsift command"
run_ts 2
run_ts 2 ingest
contains "ingest without PATH says so" "$T/err" "no PATH given"
