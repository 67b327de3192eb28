# Rule staging-interference: MGN/DRS replication servers, staging volumes and
# snapshots destroyed by someone else. True positives for each action; traps:
# MGN/DRS terminating its own server, a resource not tied to MGN/DRS, a denied
# TerminateInstances, a caller that only writes mgn.amazonaws.com as its
# userAgent, errors outside the hour (high) and within it (critical), errors
# of others and dry runs; the creation arriving in a later scan than the
# termination, and errors after the finding (incremental = scan --all); the
# real fixtures (a StopInstances by a person: not MGN/DRS's, until the store
# shows MGN launching that instance). Records written by tests/mkevents.py in
# EC2's CloudTrail shapes (instancesSet.items[], tagSpecificationSet.items[].tags[]).
. "$(dirname "$0")/lib.sh"

mk() { python3 "$ROOT/tests/mkevents.py" "$@"; }
finding() { # FIELD...: one line per staging-interference finding, by resource then time
	ts findings --rule staging-interference --format json | python3 -c '
import json, sys
rows = sorted((json.loads(l) for l in sys.stdin), key=lambda f: (f["details"]["resource_id"], f["first_time"]))
for f in rows:
    d = f["details"]
    print("|".join(str(d.get(k[2:])) if k.startswith("d.") else str(f[k]) for k in sys.argv[1:]))' "$@"
}
at() { grep "^$1|" "$T/f" | cut -d'|' -f2-; }

SRV=s-0123456789abcdef0
MGNTAGS="\"tagSpecificationSet\": {\"items\": [{\"resourceType\": \"instance\", \"tags\": [{\"key\": \"AWSApplicationMigrationServiceManaged\", \"value\": \"mgn.amazonaws.com\"}, {\"key\": \"AWSApplicationMigrationServiceReplicationServerFor\", \"value\": \"$SRV\"}]}]}"
RUN='"instancesSet": {"items": [{"imageId": "ami-1", "minCount": 1, "maxCount": 1}]}, "subnetId": "subnet-stg"'
items() { # ID...: EC2's instancesSet of instance ids
	printf '{"items": ['
	sep=
	for i in "$@"; do printf '%s{"instanceId": "%s"}' "$sep" "$i"; sep=', '; done
	printf ']}'
}
ERR='"eventName": "CreateSnapshot", "errorCode": "Client.InvalidVolume.NotFound", "errorMessage": "gone"'
mk "$T/a.json" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"RunInstances\", \"t\": \"2026-11-03T09:00:00Z\", \"params\": {$RUN, $MGNTAGS}, \"responseElements\": {\"instancesSet\": $(items i-repl1 i-repl2 i-repl3)}}" \
	"{\"who\": \"user:dev\", \"eventName\": \"RunInstances\", \"t\": \"2026-11-03T09:01:00Z\", \"params\": {$RUN, $MGNTAGS}, \"responseElements\": {\"instancesSet\": $(items i-tagspec)}}" \
	"{\"who\": \"user:dev\", \"eventName\": \"RunInstances\", \"t\": \"2026-11-03T09:02:00Z\", \"params\": {$RUN}, \"responseElements\": {\"instancesSet\": $(items i-dev)}}" \
	"{\"who\": \"mgn-repl\", \"eventName\": \"CreateVolume\", \"t\": \"2026-11-03T09:10:00Z\", \"params\": {\"size\": 10, \"zone\": \"us-east-1a\", \"volumeType\": \"gp3\"}, \"responseElements\": {\"volumeId\": \"vol-stg1\", \"size\": \"10\", \"status\": \"creating\"}}" \
	"{\"who\": \"mgn-repl\", \"eventName\": \"CreateSnapshot\", \"t\": \"2026-11-03T09:20:00Z\", \"params\": {\"volumeId\": \"vol-stg1\"}, \"responseElements\": {\"snapshotId\": \"snap-1\", \"volumeId\": \"vol-stg1\", \"status\": \"pending\"}}" \
	"{\"who\": \"user:admin\", \"eventName\": \"CreateTags\", \"t\": \"2026-11-03T09:30:00Z\", \"params\": {\"resourcesSet\": {\"items\": [{\"resourceId\": \"snap-drs\"}]}, \"tagSet\": {\"items\": [{\"key\": \"AWSElasticDisasterRecoveryManaged\", \"value\": \"drs.amazonaws.com\"}]}}}" \
	"{\"who\": \"user:admin\", \"eventName\": \"CreateTags\", \"t\": \"2026-11-03T09:31:00Z\", \"params\": {\"resourcesSet\": {\"items\": [{\"resourceId\": \"snap-other\"}]}, \"tagSet\": {\"items\": [{\"key\": \"Name\", \"value\": \"AWSApplicationMigrationServiceManaged\"}]}}}" \
	"{\"who\": \"mgn-repl\", $ERR, \"t\": \"2026-11-03T09:59:00Z\"}" \
	"{\"who\": \"role:janitor\", \"eventName\": \"TerminateInstances\", \"t\": \"2026-11-03T10:00:00Z\", \"params\": {\"instancesSet\": $(items i-repl1 i-dev)}}" \
	"{\"who\": \"user:bob\", \"eventName\": \"TerminateInstances\", \"t\": \"2026-11-03T10:30:00Z\", \"errorCode\": \"Client.UnauthorizedOperation\", \"errorMessage\": \"denied\", \"params\": {\"instancesSet\": $(items i-repl2)}}" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"TerminateInstances\", \"t\": \"2026-11-03T11:00:00Z\", \"params\": {\"instancesSet\": $(items i-repl2)}}" \
	"{\"who\": \"user:sneaky\", \"eventName\": \"StopInstances\", \"t\": \"2026-11-03T11:10:00Z\", \"userAgent\": \"mgn.amazonaws.com\", \"params\": {\"instancesSet\": $(items i-repl3), \"force\": false}}" \
	"{\"who\": \"user:dev\", \"eventName\": \"StopInstances\", \"t\": \"2026-11-03T11:20:00Z\", \"params\": {\"instancesSet\": $(items i-tagspec), \"force\": false}}" \
	"{\"who\": \"mgn-repl\", $ERR, \"t\": \"2026-11-03T11:30:00Z\"}" \
	"{\"who\": \"mgn-repl\", $ERR, \"t\": \"2026-11-03T13:00:00Z\"}" \
	"{\"who\": \"user:bob\", \"eventName\": \"DetachVolume\", \"t\": \"2026-11-03T13:00:00Z\", \"params\": {\"volumeId\": \"vol-stg1\", \"force\": false}}" \
	"{\"who\": \"user:bob\", \"eventName\": \"DeleteVolume\", \"t\": \"2026-11-03T13:05:00Z\", \"params\": {\"volumeId\": \"vol-stg1\"}}" \
	"{\"who\": \"user:bob\", \"eventName\": \"DescribeVolumes\", \"t\": \"2026-11-03T13:30:00Z\", \"errorCode\": \"Client.UnauthorizedOperation\"}" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"RunInstances\", \"t\": \"2026-11-03T13:40:00Z\", \"errorCode\": \"Client.DryRunOperation\"}" \
	"{\"who\": \"user:bob\", \"eventName\": \"DeleteSnapshot\", \"t\": \"2026-11-03T15:00:00Z\", \"params\": {\"snapshotId\": \"snap-1\"}}" \
	"{\"who\": \"user:bob\", \"eventName\": \"DeleteSnapshot\", \"t\": \"2026-11-03T15:01:00Z\", \"params\": {\"snapshotId\": \"snap-drs\"}}" \
	"{\"who\": \"user:bob\", \"eventName\": \"DeleteSnapshot\", \"t\": \"2026-11-03T15:02:00Z\", \"params\": {\"snapshotId\": \"snap-other\"}}" \
	"{\"who\": \"mgn-repl\", $ERR, \"t\": \"2026-11-03T15:30:00Z\"}" \
	"{\"who\": \"drs-slr\", \"eventSource\": \"drs.amazonaws.com\", \"eventName\": \"StartReplication\", \"errorCode\": \"ConflictException\", \"t\": \"2026-11-03T16:00:00Z\"}"
ts -q ingest "$T/a.json"
run_ts 0 scan
finding d.resource_id first_time severity related d.action d.who d.followed_by_errors summary > "$T/f"

same "a janitor role terminating an MGN replication server: high (the error 1h30 later is outside the hour)" \
	"$(at i-repl1 | cut -d'|' -f1-6)" "2026-11-03T10:00:00Z|high|True|TerminateInstances|i-0abc|0"
contains "the summary says what, who, and how the store ties it to MGN/DRS" "$T/f" \
	"^i-repl1\|.*\|instance i-repl1 terminated by i-0abc at 2026-11-03T10:00:00Z, not by MGN/DRS; launched by MGN/DRS \(RunInstances at 2026-11-03T09:00:00Z\), source server $SRV$"
same "an instance the store does not tie to MGN/DRS is not flagged" "$(at i-dev)" ""
same "MGN terminating its own server is its lifecycle; a denied terminate destroyed nothing" "$(at i-repl2)" ""
same "a caller naming mgn.amazonaws.com only as its userAgent is not MGN" "$(at i-repl3 | cut -d'|' -f1,4,5)" \
	"2026-11-03T11:10:00Z|StopInstances|arn:aws:iam::111122223333:user/sneaky"
same "StopInstances of an instance launched (by anyone) with MGN's managed tag, followed by an error: critical" \
	"$(at i-tagspec | cut -d'|' -f1,2,4,6)" "2026-11-03T11:20:00Z|critical|StopInstances|1"
same "DetachVolume of a staging volume (an error at the same second, a person's error and an MGN dry run do not count): high" \
	"$(at vol-stg1 | cut -d'|' -f1,2,4,6 | head -1)" "2026-11-03T13:00:00Z|high|DetachVolume|0"
same "DeleteVolume of the staging volume: its own finding" \
	"$(at vol-stg1 | cut -d'|' -f1,2,4 | tail -1)" "2026-11-03T13:05:00Z|high|DeleteVolume"
same "DeleteSnapshot of a snapshot MGN's replication server took: critical, the errors at 15:30 and at 16:00 (an hour after) count" \
	"$(at snap-1 | cut -d'|' -f1,2,4,6)" "2026-11-03T15:00:00Z|critical|DeleteSnapshot|2"
same "DeleteSnapshot of a snapshot tagged DRS-managed by CreateTags: both errors within the hour (15:30, 16:00)" \
	"$(at snap-drs | cut -d'|' -f2,6)" "critical|2"
same "a tag value that merely spells the managed key does not tie a snapshot" "$(at snap-other)" ""
contains "a tag set by someone else ties the snapshot" "$T/f" \
	"^snap-drs\|.*\|snapshot snap-drs deleted by arn:aws:iam::111122223333:user/bob at 2026-11-03T15:01:00Z, not by MGN/DRS; tagged as theirs \(CreateTags at 2026-11-03T09:30:00Z\); 2 MGN/DRS calls failed within the hour after$"
contains "a launch by someone else with their tag ties the instance" "$T/f" \
	"^i-tagspec\|.*; launched with their tag \(RunInstances at 2026-11-03T09:01:00Z\), source server $SRV; 1 MGN/DRS call failed within the hour after$"
same "details: resource type, created_by, source server" \
	"$(sql "SELECT json_extract(details, '\$.resource_type') || ' ' || json_extract(details, '\$.created_by.event_name') || ' ' || json_extract(details, '\$.source_server') || ' ' || (json_extract(details, '\$.created_by.event_id') = (SELECT event_id FROM events WHERE event_name = 'RunInstances' AND event_time = '2026-11-03T09:00:00Z')) FROM findings WHERE rule = 'staging-interference' AND json_extract(details, '\$.resource_id') = 'i-repl1'")" \
	"instance RunInstances $SRV 1"
same "snap-drs ties through CreateTags, no source server" \
	"$(sql "SELECT json_extract(details, '\$.created_by.event_name') || ' ' || coalesce(json_extract(details, '\$.source_server'), 'null') FROM findings WHERE rule = 'staging-interference' AND json_extract(details, '\$.resource_id') = 'snap-drs'")" \
	"CreateTags null"
same "seven findings in all" "$(sql "SELECT count(*) FROM findings WHERE rule = 'staging-interference'")" "7"
cp "$DB" "$T/a.db"
run_ts 0 scan --all
same "scan --all finds the same" "$(finding d.resource_id first_time severity d.followed_by_errors summary)" \
	"$(cut -d'|' -f1-3,7- "$T/f")"

# late delivery: the termination (and an error after it) read before the creation;
# the janitor's call names 300 instances, MGN's the last
DB="$T/late.db"
mk "$T/late1.json" \
	"{\"who\": \"role:janitor\", \"eventName\": \"TerminateInstances\", \"t\": \"2026-11-04T10:00:00Z\", \"params\": {\"instancesSet\": $(items $(seq -f i-web%g 299) i-late)}}"
mk "$T/late2.json" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"RunInstances\", \"t\": \"2026-11-04T09:00:00Z\", \"params\": {$RUN, $MGNTAGS}, \"responseElements\": {\"instancesSet\": $(items i-late)}}"
mk "$T/late3.json" "{\"who\": \"mgn-repl\", $ERR, \"t\": \"2026-11-04T10:40:00Z\"}"
ts -q ingest "$T/late1.json" && ts -q scan
same "the termination alone: no finding (the store does not tie i-late to MGN yet)" \
	"$(sql "SELECT count(*) FROM findings WHERE rule = 'staging-interference'")" "0"
ts -q ingest "$T/late2.json" && ts -q scan
same "the creation read a scan later: the termination of the 300th instance is flagged, high" \
	"$(sql "SELECT severity || ' ' || first_time || ' ' || json_extract(details, '\$.resource_id') FROM findings WHERE rule = 'staging-interference'")" \
	"high 2026-11-04T10:00:00Z i-late"
ts -q ingest "$T/late3.json" && ts -q scan
same "an error read a scan after the finding raises it to critical" \
	"$(sql "SELECT severity || ' ' || json_extract(details, '\$.followed_by_errors') FROM findings WHERE rule = 'staging-interference'")" "critical 1"
before=$(sql "SELECT severity, summary, details FROM findings WHERE rule = 'staging-interference'")
ts -q scan --all
same "incremental scans equal scan --all" "$(sql "SELECT severity, summary, details FROM findings WHERE rule = 'staging-interference'")" "$before"

# every slicing and order of the corpus above (tests/scan_slices.py)
mkdir "$T/slices"
for o in "3 reverse" "5 shuffle:7" "23 shuffle:8"; do
	# shellcheck disable=SC2086
	python3 "$ROOT/tests/scan_slices.py" "$TS" "$T/slices" interference $o "$T/a.json" "$T/late1.json" \
		"$T/late2.json" "$T/late3.json" > "$T/slices.out" 2>&1
	grep -E '^(ok|not ok|#   )' "$T/slices.out" || fail "scan_slices.py $o ran: $(tail -1 "$T/slices.out")"
	contains "scan_slices.py $o: the corpus gives 8 staging-interference findings" "$T/slices.out" \
		"^# staging-interference: 8 findings"
done

# real records: a person's StopInstances (aws.execution.ec2-user-data) is nobody's business...
DB="$T/real.db"
ts -q ingest "$FIX/real"
ts -q scan
same "the real fixtures give no staging-interference finding" \
	"$(sql "SELECT count(*) FROM findings WHERE rule = 'staging-interference'")" "0"
# ...until the store shows MGN launching that instance
python3 - "$T/mgnrun.json" <<'EOF'
import json, sys
rec = {"eventVersion": "1.09", "eventTime": "2024-08-01T11:00:00Z", "eventSource": "ec2.amazonaws.com",
       "eventName": "RunInstances", "awsRegion": "ca-northsouth-2r", "sourceIPAddress": "mgn.amazonaws.com",
       "userAgent": "mgn.amazonaws.com", "eventID": "0d1e2f30-0000-4000-8000-000000000056",
       "recipientAccountId": "309303190113", "eventType": "AwsApiCall", "readOnly": False,
       "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::309303190113:assumed-role/AWSServiceRoleForApplicationMigrationService/5f1c",
                        "accountId": "309303190113", "invokedBy": "mgn.amazonaws.com",
                        "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "AWSServiceRoleForApplicationMigrationService",
                                                             "arn": "arn:aws:iam::309303190113:role/aws-service-role/mgn.amazonaws.com/AWSServiceRoleForApplicationMigrationService"}}},
       "requestParameters": {"instancesSet": {"items": [{"imageId": "ami-1", "minCount": 1, "maxCount": 1}]}},
       "responseElements": {"instancesSet": {"items": [{"instanceId": "i-DDd6c7B0e18F0E35f"}]}}}
json.dump({"Records": [rec]}, open(sys.argv[1], "w"))
EOF
ts -q ingest "$T/mgnrun.json"
ts -q scan
same "the real StopInstances of an instance MGN launched is flagged, its who the IAM user's ARN" \
	"$(sql "SELECT event_name || ' ' || severity || ' ' || json_extract(details, '\$.who') FROM findings WHERE rule = 'staging-interference'")" \
	"StopInstances high arn:aws:iam::309303190113:user/christophe"

# the managed tag written with a JSON escape (\u004d is M): the text search
# that spares parsing other applications' tags must not miss it
DB="$T/escaped.db"
mk "$T/esc.json" \
	"{\"who\": \"user:admin\", \"eventName\": \"CreateTags\", \"t\": \"2026-11-03T09:30:00Z\", \"params\": {\"resourcesSet\": {\"items\": [{\"resourceId\": \"vol-esc\"}]}, \"tagSet\": {\"items\": [{\"key\": \"AWSApplicationMigrationServiceManaged\", \"value\": \"mgn.amazonaws.com\"}]}}}" \
	"{\"who\": \"user:bob\", \"eventName\": \"DeleteVolume\", \"t\": \"2026-11-03T10:00:00Z\", \"params\": {\"volumeId\": \"vol-esc\"}}"
sed -i 's/AWSApplicationMigrationServiceManaged/AWSApplication\\u004digrationServiceManaged/' "$T/esc.json"
same "the test's tag key is escaped" "$(grep -c 'AWSApplicationMigrationServiceManaged' "$T/esc.json")" "0"
ts -q ingest "$T/esc.json"
ts -q scan
same "a managed tag written with a JSON escape still ties the volume" \
	"$(sql "SELECT json_extract(details, '\$.resource_id') || ' ' || event_name FROM findings WHERE rule = 'staging-interference'")" \
	"vol-esc DeleteVolume"

DB="$T/a.db"
run_ts 0 rules
contains "rules lists staging-interference" "$T/out" "^staging-interference "
