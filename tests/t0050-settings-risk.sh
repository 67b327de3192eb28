# Rule replication-settings-risk: the backlog-risk settings, what changed
# from what, and the traps (bandwidth 0 is unthrottled; hidden values are not
# values; failed calls changed nothing). Records written by tests/mkevents.py.
. "$(dirname "$0")/lib.sh"

mk() { python3 "$ROOT/tests/mkevents.py" "$@"; }
finding() { # RULE FIELD...: one line per finding of RULE, oldest first
	r=$1; shift
	ts findings --rule "$r" --format json | python3 -c '
import json, sys
rows = sorted((json.loads(l) for l in sys.stdin), key=lambda f: f["first_time"])
for f in rows:
    print("|".join(str(f[k]) if not isinstance(f[k], (dict, list)) else json.dumps(f[k]) for k in sys.argv[1:]))' "$@"
}
risks() { # the fields of the risks of the finding whose first event is at time $1
	ts findings --rule replication-settings-risk --format json | python3 -c '
import json, sys
for l in sys.stdin:
    f = json.loads(l)
    if f["first_time"] == sys.argv[1]:
        print(" ".join(sorted("%s=%s" % (r["field"], r["severity"]) for r in f["details"]["risks"])))' "$1"
}

URC='"eventSource": "mgn.amazonaws.com", "eventName": "UpdateReplicationConfiguration"'
TPL='"eventSource": "mgn.amazonaws.com", "eventName": "CreateReplicationConfigurationTemplate"'
mk "$T/set.json" \
	"{\"who\": \"user:admin\", $TPL, \"t\": \"2026-11-01T08:00:00Z\", \"params\": {\"stagingAreaSubnetId\": \"subnet-0aaa\", \"replicationServersSecurityGroupsIDs\": [\"sg-0aaa\"], \"associateDefaultSecurityGroup\": true, \"replicationServerInstanceType\": \"m5.large\", \"useDedicatedReplicationServer\": true, \"defaultLargeStagingDiskType\": \"GP3\", \"bandwidthThrottling\": 0, \"dataPlaneRouting\": \"PUBLIC_IP\", \"createPublicIP\": true, \"ebsEncryption\": \"DEFAULT\", \"stagingAreaTags\": \"HIDDEN_DUE_TO_SECURITY_REASONS\"}, \"responseElements\": {\"replicationConfigurationTemplateID\": \"rct-0aaa\"}}" \
	"{\"who\": \"user:admin\", $URC, \"t\": \"2026-11-02T08:00:00Z\", \"params\": {\"sourceServerID\": \"s-1\", \"bandwidthThrottling\": 5, \"defaultLargeStagingDiskType\": \"ST1\"}}" \
	"{\"who\": \"user:admin\", $URC, \"t\": \"2026-11-02T09:00:00Z\", \"params\": {\"sourceServerID\": \"s-1\", \"bandwidthThrottling\": 0, \"defaultLargeStagingDiskType\": \"GP3\"}}" \
	"{\"who\": \"user:admin\", $URC, \"t\": \"2026-11-02T10:00:00Z\", \"params\": {\"sourceServerID\": \"s-2\", \"bandwidthThrottling\": \"HIDDEN_DUE_TO_SECURITY_REASONS\", \"stagingAreaSubnetId\": \"HIDDEN_DUE_TO_SECURITY_REASONS\", \"replicatedDisks\": [{\"deviceName\": \"/dev/sda\", \"isBootDisk\": true, \"stagingDiskType\": \"GP3\"}, {\"deviceName\": \"/dev/sdb\", \"stagingDiskType\": \"SC1\"}]}}" \
	"{\"who\": \"user:admin\", $URC, \"t\": \"2026-11-02T11:00:00Z\", \"params\": {\"sourceServerID\": \"s-3\", \"stagingAreaSubnetId\": \"subnet-0bbb\", \"replicationServersSecurityGroupsIDs\": [\"sg-0bbb\"], \"associateDefaultSecurityGroup\": false, \"useDedicatedReplicationServer\": false, \"replicationServerInstanceType\": \"t3.micro\"}}" \
	"{\"who\": \"user:admin\", $URC, \"t\": \"2026-11-02T12:00:00Z\", \"params\": {\"sourceServerID\": \"s-4\", \"dataPlaneRouting\": \"PRIVATE_IP\", \"createPublicIP\": false}}" \
	"{\"who\": \"user:admin\", $URC, \"t\": \"2026-11-02T13:00:00Z\", \"errorCode\": \"ValidationException\", \"params\": {\"sourceServerID\": \"s-5\", \"bandwidthThrottling\": 1}}" \
	"{\"who\": \"user:admin\", $URC, \"t\": \"2026-11-02T14:00:00Z\", \"params\": {\"sourceServerID\": \"s-6\", \"bandwidthThrottling\": 0, \"replicationServerInstanceType\": \"m5.xlarge\"}}" \
	"{\"who\": \"user:admin\", \"eventSource\": \"drs.amazonaws.com\", \"eventName\": \"UpdateReplicationConfigurationTemplate\", \"awsRegion\": \"eu-west-1\", \"t\": \"2026-11-02T15:00:00Z\", \"params\": \"HIDDEN_DUE_TO_SECURITY_REASONS\"}"
ts -q ingest "$T/set.json"
run_ts 0 scan
finding replication-settings-risk first_time severity summary > "$T/f"

same "the template's own settings (GP3, unthrottled, dedicated, m5.large) raise nothing" \
	"$(grep -c '^2026-11-01T08' "$T/f")" "0"
contains "5 Mbps and ST1 on s-1: high, compared with the template" "$T/f" \
	"^2026-11-02T08:00:00Z\|high\|mgn:UpdateReplicationConfiguration for s-1: bandwidth throttled to 5 Mbps \(was unthrottled\); large staging disks on ST1 \(HDD\) \(was GP3\)$"
same "s-1's risks: bandwidth high, disks medium" "$(risks 2026-11-02T08:00:00Z)" \
	"bandwidthThrottling=high defaultLargeStagingDiskType=medium"
same "bandwidthThrottling 0 is unthrottled: the fix raises nothing" "$(grep -c '^2026-11-02T09' "$T/f")" "0"
same "what changed from what is recorded" \
	"$(ts findings --rule replication-settings-risk --format json | python3 -c '
import json, sys
for l in sys.stdin:
    f = json.loads(l)
    if "s-1" in f["summary"]:
        print(f["details"]["compared_with"], [(c["field"], c["from"], c["to"]) for c in f["details"]["changes"]])')" \
	"the template rct-0aaa at 2026-11-01T08:00:00Z [('bandwidthThrottling', '0', '5'), ('defaultLargeStagingDiskType', 'GP3', 'ST1')]"
contains "an SC1 staging disk is named; hidden values are not read" "$T/f" \
	"^2026-11-02T10:00:00Z\|medium\|.*for s-2: staging disk /dev/sdb=SC1 on HDD$"
same "s-2: hidden bandwidth and subnet counted, not read" "$(risks 2026-11-02T10:00:00Z)" "replicatedDisks.stagingDiskType=medium"
same "s-3: subnet and groups moved, no default group, shared, t3.micro" "$(risks 2026-11-02T11:00:00Z)" \
	"associateDefaultSecurityGroup=medium replicationServerInstanceType=medium replicationServersSecurityGroupsIDs=medium stagingAreaSubnetId=medium useDedicatedReplicationServer=low"
contains "s-3: the subnet change says from what" "$T/f" "staging subnet changed to subnet-0bbb \(was subnet-0aaa\)"
contains "private routing without a public IP: needs VPN or Direct Connect" "$T/f" \
	"^2026-11-02T12:00:00Z\|medium\|.*for s-4: private data-plane routing without a public IP \(was PUBLIC_IP\)$"
same "a failed call changed nothing: no finding" "$(grep -c 's-5' "$T/f")" "0"
same "unthrottled and a large type: no finding" "$(grep -c 's-6' "$T/f")" "0"
same "a wholly hidden request: no finding" "$(grep -c 'drs:' "$T/f")" "0"
same "every finding is MGN/DRS related" \
	"$(sql "SELECT DISTINCT related FROM findings WHERE rule = 'replication-settings-risk'")" "1"
contains "the details say why it matters" /dev/stdin "backlog" <<EOF2
$(sql "SELECT details FROM findings WHERE rule = 'replication-settings-risk'")
EOF2

# a later call of s-1 compares with s-1's own earlier setting, not the template
mk "$T/set2.json" \
	"{\"who\": \"user:admin\", $URC, \"t\": \"2026-11-03T08:00:00Z\", \"params\": {\"sourceServerID\": \"s-1\", \"bandwidthThrottling\": 50}}"
ts -q ingest "$T/set2.json"
run_ts 0 scan
contains "the next change of s-1 is compared with s-1's last call" /dev/stdin \
	"^2026-11-03T08:00:00Z\|medium\|.*for s-1: bandwidth throttled to 50 Mbps \(was unthrottled\)$" <<EOF2
$(finding replication-settings-risk first_time severity summary)
EOF2
before=$(sql "SELECT group_concat(finding_id || ':' || severity) FROM (SELECT * FROM findings WHERE rule = 'replication-settings-risk' ORDER BY finding_id)")
run_ts 0 scan --all
same "scan --all recomputes the same findings" \
	"$(sql "SELECT group_concat(finding_id || ':' || severity) FROM (SELECT * FROM findings WHERE rule = 'replication-settings-risk' ORDER BY finding_id)")" "$before"
run_ts 0 rules
contains "rules lists replication-settings-risk" "$T/out" "^replication-settings-risk "
