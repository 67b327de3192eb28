#!/bin/sh
# Runs every test: the unit programs in $UNIT_DIR, the fake AWS endpoints'
# self-test (tests/test_fake_aws.py) and the scripts tests/t*.sh. Each
# prints TAP-style "ok - ..." / "not ok - ..." lines; this counts them,
# repeats the failures at the end, and prints the summary line
# "N passed, N failed". Exit status 1 when anything failed.
#
# Environment: TRAILSIFT_BIN (the binary under test), UNIT_DIR, and
# optionally TESTS="t0010 t0020" to run only some scripts, and TSAN_BIN, a
# ThreadSanitizer build that the threaded tests run once more with.
# The fuzz harnesses' replay builds in UNIT_DIR (fuzz_*) replay their seed
# and regression inputs (tests/fuzz/); FUZZ_BIN_DIR, a libFuzzer build
# (make fuzz-bins FUZZ=1), runs each harness FUZZ_SECONDS too (test "fuzz").
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export TRAILSIFT_BIN TRAILSIFT_QUERIES="$root/queries" TEST_ROOT="$root"
# ASan: fail on leaks too; UBSan: stop at the first report
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# AWS's SigV4 test suite, vendored (tests/vectors/README.md)
export SIGV4_VECTORS="${SIGV4_VECTORS:-$root/tests/vectors/sigv4}"

run_one() { # name command...
	name=$1
	shift
	out=$("$@" 2>&1)
	status=$?
	printf '%s\n' "$out" | sed "s/^/[$name] /" >> "$log"
	printf '%s\n' "$out" | grep -E '^(ok|not ok) ' | sed "s/^/[$name] /"
	if [ $status -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok '; then
		echo "[$name] not ok - $name exited with status $status"
		echo "[$name] not ok - $name exited with status $status" >> "$log"
	fi
}

run_scripts() { # PREFIX SCRIPT...: the scripts TESTS selects, named PREFIX<name>
	prefix=$1
	shift
	for t in "$@"; do
		n=$(basename "$t" .sh)
		case " ${TESTS:-${n%%-*}} " in *" ${n%%-*} "*) ;; *) continue ;; esac
		run_one "$prefix$n" sh "$t"
	done
}

results=$(
	for t in "$UNIT_DIR"/test_*; do
		[ -x "$t" ] || continue
		n=$(basename "$t")
		case " ${TESTS:-$n} " in *" $n "*) ;; *) continue ;; esac
		run_one "$n" "$t" "$SIGV4_VECTORS"
	done
	# every fuzz input kept (seeds, and each input that once crashed) replays clean
	for t in "$UNIT_DIR"/fuzz_*; do
		[ -x "$t" ] || continue
		n=$(basename "$t")
		case " ${TESTS:-$n} " in *" $n "*) ;; *) continue ;; esac
		set -- "$root/tests/fuzz/corpus/$n"
		[ -d "$root/tests/fuzz/regress/$n" ] && set -- "$@" "$root/tests/fuzz/regress/$n"
		run_one "$n" "$t" "$@"
	done
	if [ -n "${FUZZ_BIN_DIR:-}" ]; then
		case " ${TESTS:-fuzz} " in
		*" fuzz "*) run_one fuzz sh "$root/tests/fuzz/run.sh" "$FUZZ_BIN_DIR" ;;
		esac
	fi
	# the fake AWS endpoints the pull tests use check themselves
	case " ${TESTS:-test_fake_aws} " in
	*" test_fake_aws "*) run_one test_fake_aws python3 "$root/tests/test_fake_aws.py" ;;
	esac
	run_scripts "" "$root"/tests/t[0-9]*.sh
	# the threaded paths (parsers, writer, pull regions) once more under
	# ThreadSanitizer, when a TSan build is given: a data race fails the run
	if [ -n "${TSAN_BIN:-}" ]; then
		(
			export TRAILSIFT_BIN="$TSAN_BIN" TSAN_OPTIONS="halt_on_error=1:exitcode=66"
			run_scripts tsan- "$root"/tests/t0014-*.sh "$root"/tests/t0015-*.sh \
				"$root"/tests/t0031-*.sh "$root"/tests/t0033-*.sh \
				"$root"/tests/t0061-*.sh
		)
	fi
)
printf '%s\n' "$results"
passed=$(printf '%s\n' "$results" | grep -c '\] ok ')
failed=$(printf '%s\n' "$results" | grep -c '\] not ok ')
if [ "$failed" -gt 0 ]; then
	echo
	echo "Failures (with the output around them):"
	grep -B3 -A6 '\] not ok ' "$log" | head -200
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
