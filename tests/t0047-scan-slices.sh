# The property of incremental scans: a corpus ingested in K slices, with a
# `scan` after each, gives after every scan the findings (and event lists)
# that `scan --all` gives on the same store, for every rule, whatever the
# slice order: in time order, reversed, or shuffled so that events arrive
# late, in the middle of bursts and before earlier settings.
# tests/scan_slices.py does the work; see it for the details.
. "$(dirname "$0")/lib.sh"

slices() { # NAME K ORDER CORPUS...
	python3 "$ROOT/tests/scan_slices.py" "$TS" "$T" "$@" | tee "$T/slices.out" | grep -E '^(ok|not ok|#   )'
}

slices sample 3 shuffle:1 "$FIX/sample"
slices sample 7 reverse "$FIX/sample"
slices real 4 shuffle:2 "$FIX/real"
slices synthetic 2 time synthetic:1
slices synthetic 6 shuffle:3 synthetic:1
slices synthetic 9 reverse synthetic:2
for r in ec2-access-denied replication-kms api-throttling service-quota replication-invalid-tags \
	replication-settings-risk staging-network-change staging-interference; do
	if grep -q "^# $r: [1-9]" "$T/slices.out"; then ok "the synthetic corpus has $r findings"
	else fail "the synthetic corpus has $r findings"; fi
done
if grep -q "^# ec2-access-denied causes: [1-9]" "$T/slices.out"; then ok "the synthetic corpus has denials with causes"
else fail "the synthetic corpus has denials with causes"; fi
python3 "$ROOT/bench/gen.py" --events 3000 --seed 5 --jobs 1 --out "$T/gen" > /dev/null
slices generated 5 shuffle:4 "$T/gen"
