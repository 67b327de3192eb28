# Nothing the tests or the build's checks run writes into the source tree:
# the stray files "--help" (tests/mkevents.py run with --help, taken for its
# output file) and "a--.d" (make check-headers compiling stdin with -MMD) were
# committed once.
. "${TEST_ROOT:?}/tests/lib.sh"

mkdir "$T/cwd"
(cd "$T/cwd" && python3 "$ROOT/tests/mkevents.py" --help) > "$T/out" 2> "$T/err"
same "mkevents.py --help is a usage error" "$?" 2
contains "mkevents.py --help prints the usage" "$T/err" "^usage: mkevents.py OUT.json SPEC"
same "mkevents.py --help writes no file" "$(ls -A "$T/cwd")" ""

# check-headers in a copy of the tree, so that a failure cannot dirty the real one
mkdir "$T/tree"
cp -R "$ROOT/Makefile" "$ROOT/src" "$ROOT/schema" "$T/tree/"
(cd "$T/tree" && find . | sort) > "$T/before"
check "make check-headers: every header compiles alone" make -s -C "$T/tree" check-headers
(cd "$T/tree" && find . | sort) > "$T/after"
same "make check-headers writes no file" "$(diff "$T/before" "$T/after" | sed -n 's/^> //p')" ""
