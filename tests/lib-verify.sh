# tests/lib-verify.sh - sourced by the verify tests (t0065-t0067) after lib.sh.
#
# The sample export's log files with a fresh digest chain over them, written
# by fixtures/digest-gen.py and signed by the openssl command line.

START=2026-11-03T07:22:41Z
END=2026-11-05T19:22:41Z

# sample_with_chain DIR KEY [digest-gen options]: the sample's AWSLogs/ in DIR
# (its own digests left out) with the hourly chain ending $START..$END,
# signed with the private key in KEY.
sample_with_chain() {
	dir=$1
	key=$2
	shift 2
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r "$FIX/sample/AWSLogs" "$dir/"
	find "$dir" -path '*/CloudTrail-Digest/*' -type f -delete
	python3 "$FIX/digest-gen.py" "$dir" --bucket trailsift-sample-cloudtrail \
		--trail org-audit-trail --home-region us-east-1 --start $START --end $END \
		--key "$key" "$@" 2> /dev/null
}
