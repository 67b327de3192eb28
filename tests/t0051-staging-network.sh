# Rule staging-network-change: changes that cut TCP 443 to the endpoints or
# TCP 1500 from the agents, ranked by how close they are to the staging area
# the store shows. Traps: another group's egress ranks lower, an ACL allow
# entry is no deny, a failed call changed nothing, DNS turned on is no cut.
# Records written by tests/mkevents.py in EC2's CloudTrail shapes
# (docs/research.md §8).
. "$(dirname "$0")/lib.sh"

mk() { python3 "$ROOT/tests/mkevents.py" "$@"; }
finding() { # FIELD...: one line per staging-network-change finding, oldest first
	ts findings --rule staging-network-change --format json | python3 -c '
import json, sys
rows = sorted((json.loads(l) for l in sys.stdin), key=lambda f: f["first_time"])
for f in rows:
    print("|".join(str(f[k]) if not isinstance(f[k], (dict, list)) else json.dumps(f[k]) for k in sys.argv[1:]))' "$@"
}
at() { grep "^$1|" "$T/f" | cut -d'|' -f2-; }

URC='"eventSource": "mgn.amazonaws.com", "eventName": "UpdateReplicationConfiguration"'
ALL='{"ipProtocol": "-1", "groups": {}, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}, "ipv6Ranges": {}, "prefixListIds": {}}'
TCP443='{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "groups": {}, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}, "ipv6Ranges": {}, "prefixListIds": {}}'
TCP80='{"ipProtocol": "tcp", "fromPort": 80, "toPort": 80, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}'
mk "$T/net.json" \
	"{\"who\": \"user:admin\", $URC, \"t\": \"2026-11-01T08:00:00Z\", \"params\": {\"sourceServerID\": \"s-1\", \"stagingAreaSubnetId\": \"subnet-stg\", \"replicationServersSecurityGroupsIDs\": [\"sg-stg\"]}}" \
	"{\"who\": \"mgn-slr\", \"eventName\": \"RunInstances\", \"t\": \"2026-11-01T08:05:00Z\", \"params\": {\"instancesSet\": {\"items\": [{\"imageId\": \"ami-1\", \"minCount\": 1, \"maxCount\": 1}]}, \"subnetId\": \"subnet-stg\", \"groupSet\": {\"items\": [{\"groupId\": \"sg-stg\"}]}}, \"responseElements\": {\"instancesSet\": {\"items\": [{\"instanceId\": \"i-repl\", \"subnetId\": \"subnet-stg\", \"vpcId\": \"vpc-stg\"}]}}}" \
	"{\"who\": \"user:net\", \"eventName\": \"AssociateRouteTable\", \"t\": \"2026-10-30T08:00:00Z\", \"params\": {\"routeTableId\": \"rtb-stg\", \"subnetId\": \"subnet-stg\"}, \"responseElements\": {\"associationId\": \"rtbassoc-stg\"}}" \
	"{\"who\": \"user:net\", \"eventName\": \"CreateRoute\", \"t\": \"2026-10-30T08:01:00Z\", \"params\": {\"routeTableId\": \"rtb-stg\", \"destinationCidrBlock\": \"0.0.0.0/0\", \"natGatewayId\": \"nat-stg\"}}" \
	"{\"who\": \"user:net\", \"eventName\": \"CreateNetworkAcl\", \"t\": \"2026-10-30T08:02:00Z\", \"params\": {\"vpcId\": \"vpc-stg\"}, \"responseElements\": {\"networkAcl\": {\"networkAclId\": \"acl-stg\", \"vpcId\": \"vpc-stg\"}}}" \
	"{\"who\": \"user:net\", \"eventName\": \"RevokeSecurityGroupEgress\", \"t\": \"2026-11-02T10:00:00Z\", \"params\": {\"groupId\": \"sg-stg\", \"ipPermissions\": {\"items\": [$TCP443]}}}" \
	"{\"who\": \"user:net\", \"eventName\": \"RevokeSecurityGroupEgress\", \"t\": \"2026-11-02T10:01:00Z\", \"params\": {\"groupId\": \"sg-web\", \"ipPermissions\": {\"items\": [$ALL]}}}" \
	"{\"who\": \"user:net\", \"eventName\": \"AuthorizeSecurityGroupEgress\", \"t\": \"2026-11-02T10:02:00Z\", \"params\": {\"groupId\": \"sg-stg\", \"ipPermissions\": {\"items\": [$TCP80]}}}" \
	"{\"who\": \"user:net\", \"eventName\": \"CreateNetworkAclEntry\", \"t\": \"2026-11-02T10:03:00Z\", \"params\": {\"networkAclId\": \"acl-stg\", \"ruleNumber\": 90, \"egress\": true, \"ruleAction\": \"allow\", \"icmpTypeCode\": {}, \"portRange\": {\"from\": 443, \"to\": 443}, \"aclProtocol\": \"6\", \"cidrBlock\": \"0.0.0.0/0\"}}" \
	"{\"who\": \"user:net\", \"eventName\": \"CreateNetworkAclEntry\", \"t\": \"2026-11-02T10:04:00Z\", \"params\": {\"networkAclId\": \"acl-stg\", \"ruleNumber\": 80, \"egress\": true, \"ruleAction\": \"deny\", \"portRange\": {\"from\": 0, \"to\": 65535}, \"protocol\": \"6\", \"cidrBlock\": \"0.0.0.0/0\"}}" \
	"{\"who\": \"user:net\", \"eventName\": \"DeleteNetworkAclEntry\", \"t\": \"2026-11-02T10:05:00Z\", \"params\": {\"networkAclId\": \"acl-stg\", \"ruleNumber\": 90, \"egress\": true}}" \
	"{\"who\": \"user:net\", \"eventName\": \"DeleteRoute\", \"t\": \"2026-11-02T10:06:00Z\", \"params\": {\"routeTableId\": \"rtb-stg\", \"destinationCidrBlock\": \"0.0.0.0/0\"}}" \
	"{\"who\": \"user:net\", \"eventName\": \"DeleteRoute\", \"t\": \"2026-11-02T10:07:00Z\", \"errorCode\": \"Client.InvalidRoute.NotFound\", \"params\": {\"routeTableId\": \"rtb-stg\", \"destinationCidrBlock\": \"0.0.0.0/0\"}}" \
	"{\"who\": \"user:net\", \"eventName\": \"ModifyVpcAttribute\", \"t\": \"2026-11-02T10:08:00Z\", \"params\": {\"vpcId\": \"vpc-stg\", \"enableDnsSupport\": {\"value\": false}}}" \
	"{\"who\": \"user:net\", \"eventName\": \"ModifyVpcAttribute\", \"t\": \"2026-11-02T10:09:00Z\", \"params\": {\"vpcId\": \"vpc-stg\", \"enableDnsHostnames\": {\"value\": true}}}" \
	"{\"who\": \"user:net\", \"eventName\": \"DeleteNatGateway\", \"t\": \"2026-11-02T10:10:00Z\", \"params\": {\"DeleteNatGatewayRequest\": {\"NatGatewayId\": \"nat-stg\"}}}" \
	"{\"who\": \"user:net\", \"eventName\": \"RevokeSecurityGroupIngress\", \"t\": \"2026-11-02T10:11:00Z\", \"params\": {\"groupId\": \"sg-stg\", \"ipPermissions\": {\"items\": [{\"ipProtocol\": \"tcp\", \"fromPort\": 1500, \"toPort\": 1500, \"ipRanges\": {\"items\": [{\"cidrIp\": \"10.0.0.0/8\"}]}}]}}}" \
	"{\"who\": \"user:net\", \"eventName\": \"RevokeSecurityGroupIngress\", \"t\": \"2026-11-02T10:12:00Z\", \"params\": {\"groupId\": \"sg-stg\", \"ipPermissions\": {\"items\": [{\"ipProtocol\": \"tcp\", \"fromPort\": 22, \"toPort\": 22, \"ipRanges\": {\"items\": [{\"cidrIp\": \"0.0.0.0/0\"}]}}]}}}" \
	"{\"who\": \"user:net\", \"eventName\": \"CreateVpcEndpoint\", \"t\": \"2026-11-02T10:13:00Z\", \"params\": {\"CreateVpcEndpointRequest\": {\"VpcId\": \"vpc-stg\", \"ServiceName\": \"com.amazonaws.us-east-1.ec2\", \"VpcEndpointType\": \"Interface\", \"PrivateDnsEnabled\": false, \"SubnetId\": {\"tag\": 1, \"content\": \"subnet-stg\"}}}}" \
	"{\"who\": \"user:net\", \"eventName\": \"RevokeSecurityGroupEgress\", \"t\": \"2026-11-02T10:14:00Z\", \"params\": {\"groupId\": \"sg-late\", \"ipPermissions\": {\"items\": [$ALL]}}}"
ts -q ingest "$T/net.json"
run_ts 0 scan
finding first_time severity related summary > "$T/f"

contains "egress 443 revoked on the staging group: critical, says why it is staging" "$T/f" \
	"^2026-11-02T10:00:00Z\|critical\|True\|ec2:RevokeSecurityGroupEgress: egress tcp/443 0.0.0.0/0 revoked on sg-stg \[staging area, per mgn:UpdateReplicationConfiguration|UpdateReplicationConfiguration at"
same "the same revoke on a group not the staging area's ranks lower (low, not related)" \
	"$(at 2026-11-02T10:01:00Z | cut -d'|' -f1,2)" "low|False"
same "another group's revoke ranks below the staging group's" \
	"$(sql "SELECT (SELECT severity_rank FROM findings f JOIN events e ON e.event_id = f.event_id WHERE e.event_time = '2026-11-02T10:00:00Z') > (SELECT severity_rank FROM findings f JOIN events e ON e.event_id = f.event_id WHERE e.event_time = '2026-11-02T10:01:00Z')")" "1"
contains "egress re-authorized without 443 after the revoke: narrowed" "$T/f" \
	"^2026-11-02T10:02:00Z\|critical\|True\|.*egress of sg-stg narrowed to tcp/80 0.0.0.0/0 \(no TCP 443\) after egress was revoked at 2026-11-02T10:00:00Z"
same "an ACL allow entry is not a deny" "$(at 2026-11-02T10:03:00Z)" ""
contains "an ACL deny of outbound TCP in the staging VPC: high" "$T/f" \
	"^2026-11-02T10:04:00Z\|high\|True\|.*network ACL acl-stg entry 80 denies outbound all traffic to 0.0.0.0/0 \[staging VPC"
contains "deleting the allow entry for 443: flagged, says what it allowed" "$T/f" \
	"^2026-11-02T10:05:00Z\|high\|True\|.*outbound entry 90 of acl-stg deleted; it allowed 6 443-out"
contains "the staging default route deleted: critical, names its old target" "$T/f" \
	"^2026-11-02T10:06:00Z\|critical\|True\|.*default route 0.0.0.0/0 of rtb-stg deleted \(it went to nat-stg, set at 2026-10-30T08:01:00Z\)"
same "a failed DeleteRoute changed nothing" "$(at 2026-11-02T10:07:00Z)" ""
contains "DNS support off in the staging VPC: high" "$T/f" "^2026-11-02T10:08:00Z\|high\|True\|.*DNS resolution \(enableDnsSupport\) turned off in vpc-stg"
same "DNS hostnames turned on is no cut" "$(at 2026-11-02T10:09:00Z)" ""
contains "the staging route's NAT gateway deleted (wrapped request shape): critical" "$T/f" \
	"^2026-11-02T10:10:00Z\|critical\|True\|.*NAT gateway nat-stg deleted \(a default route of the staging area goes through it\)"
contains "ingress 1500 revoked on the staging group" "$T/f" "^2026-11-02T10:11:00Z\|critical\|True\|.*covers TCP 1500"
same "ingress 22 revoked is no cut" "$(at 2026-11-02T10:12:00Z)" ""
contains "an EC2 endpoint without private DNS in the staging VPC" "$T/f" \
	"^2026-11-02T10:13:00Z\|medium\|True\|.*interface endpoint for com.amazonaws.us-east-1.ec2 created in vpc-stg with private DNS off"
same "a group not (yet) known as staging: low" "$(at 2026-11-02T10:14:00Z | cut -d'|' -f1)" "low"
same "details carry the staging evidence" \
	"$(sql "SELECT json_extract(details, '\$.staging') || ' ' || json_extract(details, '\$.impact') FROM findings f JOIN events e ON e.event_id = f.event_id WHERE e.event_time = '2026-11-02T10:06:00Z'")" "area high"

# later events re-rate earlier changes: sg-late becomes a staging group, 443 comes back on sg-stg
mk "$T/net2.json" \
	"{\"who\": \"user:admin\", $URC, \"t\": \"2026-11-03T08:00:00Z\", \"params\": {\"sourceServerID\": \"s-2\", \"replicationServersSecurityGroupsIDs\": [\"sg-late\"]}}" \
	"{\"who\": \"user:net\", \"eventName\": \"AuthorizeSecurityGroupEgress\", \"t\": \"2026-11-03T09:00:00Z\", \"params\": {\"groupId\": \"sg-stg\", \"ipPermissions\": {\"items\": [$TCP443]}}}"
ts -q ingest "$T/net2.json"
run_ts 0 scan
finding first_time severity related summary > "$T/f"
same "a later settings call makes sg-late's earlier revoke critical" "$(at 2026-11-02T10:14:00Z | cut -d'|' -f1,2)" "critical|True"
contains "443 granted again: the revoke drops to low and says when" "$T/f" \
	"^2026-11-02T10:00:00Z\|low\|True\|.*TCP 443 egress granted again at 2026-11-03T09:00:00Z"
same "no finding is duplicated" "$(sql 'SELECT count(*) - count(DISTINCT rule || key) FROM findings')" "0"
run_ts 0 rules
contains "rules lists staging-network-change" "$T/out" "^staging-network-change "
