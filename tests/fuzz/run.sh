#!/bin/sh
# Runs every libFuzzer harness in DIR (a FUZZ=1 build: make fuzz) for
# $FUZZ_SECONDS each, one after the other, starting from its seed corpus
# (tests/fuzz/corpus/<name>/) and its regression inputs
# (tests/fuzz/regress/<name>/). New inputs go to build/fuzz/corpus/<name>/,
# a crash to build/fuzz/crashes/<name>-crash-*: copy it into
# tests/fuzz/regress/<name>/ with the fix, so that `make test` replays it.
#
# Usage: FUZZ_SECONDS=60 [FUZZ_ONLY="fuzz_out"] sh tests/fuzz/run.sh DIR
# Prints one TAP line per harness, "ok - fuzz_x: N runs in S s, no crash".
set -u
dir=${1:?usage: run.sh DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${FUZZ_SECONDS:-60}
work="$root/build/fuzz"
failed=0
mkdir -p "$work/crashes"
for bin in "$dir"/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	case " ${FUZZ_ONLY:-$name} " in *" $name "*) ;; *) continue ;; esac
	mkdir -p "$work/corpus/$name"
	set -- "$work/corpus/$name"
	for d in "$root/tests/fuzz/corpus/$name" "$root/tests/fuzz/regress/$name"; do
		[ -d "$d" ] && set -- "$@" "$d"
	done
	log="$work/$name.log"
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$work/crashes/$name-" "$@" > "$log" 2>&1
	status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$status" -eq 0 ] && [ -n "$runs" ]; then
		echo "ok - $name: $runs runs in ${secs} s, no crash"
	else
		failed=1
		echo "not ok - $name: exit status $status after ${runs:-?} runs (log: $log)"
		grep -aE '^(fuzz: |==[0-9]+==ERROR|SUMMARY|artifact_prefix|.*Test unit written)' "$log" |
			head -8 | sed 's/^/#   /'
	fi
done
exit $failed
