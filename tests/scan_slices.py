"""Property test of incremental scans: slices, then `scan`, equal `scan --all`.

usage: scan_slices.py TRAILSIFT WORKDIR NAME K ORDER CORPUS...

Reads every CloudTrail record of the CORPUS paths (files or directories of
{"Records":[...]} documents, .json or .json.gz; "synthetic:SEED" makes one,
below), puts them in ORDER ("time", "reverse" or "shuffle:SEED": late events,
out of time order), cuts them into K slices and, into one fresh store,
ingests each slice and runs `scan`. After every scan a copy of the store gets
`scan --all`, and every finding (all its columns but its id and scan
numbers) and its event list must be the same in both. Prints one TAP line
per slice order, and a "# rule: N findings" line per rule at the end (and
"# rule causes: N findings" for those with a details.cause).
"""
import gzip
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkevents  # noqa: E402

COLUMNS = ("rule, key, group_key, severity, severity_rank, event_id, event_ids, event_count,"
           " first_time, last_time, first_time_ms, last_time_ms, account, region, principal,"
           " event_source, event_name, error_code, related, summary, details")


def read_records(path):
    if path.startswith("synthetic:"):
        return synthetic(int(path.split(":", 1)[1]))
    if os.path.isdir(path):
        out = []
        for d, _, files in sorted(os.walk(path)):
            for f in sorted(files):
                if f.endswith((".json", ".json.gz")):
                    out += read_records(os.path.join(d, f))
        return out
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        doc = json.loads(data)
    except ValueError:
        return []
    recs = doc.get("Records") if isinstance(doc, dict) else doc
    return [r for r in recs or [] if isinstance(r, dict) and r.get("eventID") and r.get("eventTime")]


def synthetic(seed):
    """Records for every rule, in groups that late events split and join."""
    rng = random.Random(seed)
    mkevents.FILE[0] = "synthetic-%d" % seed
    recs = []

    def at(minute):
        return "2026-11-03T%02d:%02d:%02dZ" % (8 + minute // 60, minute % 60, rng.randrange(60))

    for i in range(60):  # throttles 1-9 minutes apart: bursts split at 5
        recs.append(mkevents.record({"who": rng.choice(["mgn-repl", "user:bob"]), "t": at(i * 5 + rng.randrange(5)),
                                     "eventName": rng.choice(["CreateSnapshot", "DescribeVolumes"]),
                                     "errorCode": rng.choice(["Client.RequestLimitExceeded", "RequestLimitExceeded"])}))
    for i in range(30):
        recs.append(mkevents.record({"who": rng.choice(["mgn-repl", "user:carol"]), "t": at(rng.randrange(400)),
                                     "eventName": rng.choice(["CreateSnapshot", "AttachVolume"]),
                                     "errorCode": "Client.UnauthorizedOperation",
                                     "errorMessage": rng.choice(["... no identity-based policy allows the action",
                                                                 "... with an explicit deny in a service control policy",
                                                                 "on resource: arn:aws:ec2:us-east-1::volume/vol-%d because" % i])}))
        recs.append(mkevents.record({"who": "mgn-slr", "t": at(rng.randrange(400)), "eventName": "RunInstances",
                                     "errorCode": rng.choice(["Client.VcpuLimitExceeded", "Server.InsufficientInstanceCapacity"]),
                                     "errorMessage": "limit %d" % i}))
    for i in range(24):  # settings of three servers and a template, judged against what came before
        name = rng.choice(["UpdateReplicationConfiguration"] * 3 + ["UpdateReplicationConfigurationTemplate"])
        params = {"bandwidthThrottling": rng.choice([0, 5, 50]),
                  "defaultLargeStagingDiskType": rng.choice(["GP3", "ST1", "SC1"]),
                  "stagingAreaSubnetId": rng.choice(["subnet-a", "subnet-b"]),
                  "replicationServersSecurityGroupsIDs": [rng.choice(["sg-a", "sg-b"])],
                  "replicationServerInstanceType": rng.choice(["t3.small", "m5.large"]),
                  "stagingAreaTags": rng.choice([{"ok": "yes"}, {"Cost#Center": "1"}, "HIDDEN_DUE_TO_SECURITY_REASONS"])}
        if "Template" in name:
            params["replicationConfigurationTemplateID"] = "rct-1"
        else:
            params["sourceServerID"] = rng.choice(["s-1", "s-2", "s-3"])
        recs.append(mkevents.record({"who": "user:admin", "t": at(rng.randrange(400)), "params": params,
                                     "eventSource": rng.choice(["mgn.amazonaws.com", "drs.amazonaws.com"]),
                                     "eventName": name}))
    for i in range(12):  # EC2 tag failures by MGN that re-rate hidden tag changes
        recs.append(mkevents.record({"who": "mgn-slr", "t": at(rng.randrange(400)), "eventName": "CreateTags",
                                     "errorCode": "Client.InvalidParameterValue", "errorMessage": "bad tag"}))
    egress = {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}
    net = [
        ("RunInstances", "mgn-slr", {"subnetId": "subnet-a", "groupSet": {"items": [{"groupId": "sg-a"}]}},
         {"instancesSet": {"items": [{"instanceId": "i-r", "subnetId": "subnet-a", "vpcId": "vpc-a"}]}}),
        ("AssociateRouteTable", "user:net", {"routeTableId": "rtb-a", "subnetId": "subnet-a"}, {"associationId": "rtbassoc-a"}),
        ("CreateRoute", "user:net", {"routeTableId": "rtb-a", "destinationCidrBlock": "0.0.0.0/0", "natGatewayId": "nat-a"}, None),
        ("RevokeSecurityGroupEgress", "user:net", {"groupId": "sg-a", "ipPermissions": {"items": [egress]}}, None),
        ("RevokeSecurityGroupEgress", "user:net", {"groupId": "sg-b", "ipPermissions": {"items": [egress]}}, None),
        ("AuthorizeSecurityGroupEgress", "user:net", {"groupId": "sg-a", "ipPermissions": {"items": [
            {"ipProtocol": "tcp", "fromPort": 80, "toPort": 80, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}, None),
        ("AuthorizeSecurityGroupEgress", "user:net", {"groupId": "sg-b", "ipPermissions": {"items": [egress]}}, None),
        ("CreateNetworkAclEntry", "user:net", {"networkAclId": "acl-a", "ruleNumber": 90, "egress": True, "ruleAction": "allow",
                                               "portRange": {"from": 443, "to": 443}, "protocol": "6", "cidrBlock": "0.0.0.0/0"}, None),
        ("DeleteNetworkAclEntry", "user:net", {"networkAclId": "acl-a", "ruleNumber": 90, "egress": True}, None),
        ("ReplaceRoute", "user:net", {"routeTableId": "rtb-a", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-a"}, None),
        ("DeleteRoute", "user:net", {"routeTableId": "rtb-a", "destinationCidrBlock": "0.0.0.0/0"}, None),
        ("DeleteNatGateway", "user:net", {"DeleteNatGatewayRequest": {"NatGatewayId": "nat-a"}}, None),
        ("ModifyVpcAttribute", "user:net", {"vpcId": "vpc-a", "enableDnsSupport": {"value": False}}, None),
    ]
    for k in range(2):
        for name, who, params, resp in net:
            recs.append(mkevents.record({"who": who, "t": at(rng.randrange(400)), "eventName": name,
                                         "params": params, "responseElements": resp}))
    # staging resources MGN/DRS made (i-r above) destroyed by others, before or after the errors above
    mgn_tag = {"items": [{"key": "AWSApplicationMigrationServiceManaged", "value": "mgn.amazonaws.com"}]}
    staging = [
        ("CreateVolume", "mgn-repl", {"size": 10}, {"volumeId": "vol-s"}),
        ("CreateTags", "user:admin", {"resourcesSet": {"items": [{"resourceId": "snap-t"}]}, "tagSet": mgn_tag}, None),
        ("TerminateInstances", "user:janitor", {"instancesSet": {"items": [{"instanceId": "i-r"}, {"instanceId": "i-x"}]}}, None),
        ("TerminateInstances", "mgn-slr", {"instancesSet": {"items": [{"instanceId": "i-r"}]}}, None),
        ("DetachVolume", "user:bob", {"volumeId": "vol-s"}, None),
        ("DeleteVolume", "user:bob", {"volumeId": "vol-s"}, None),
        ("DeleteSnapshot", "user:bob", {"snapshotId": "snap-t"}, None),
    ]
    for k in range(3):
        for name, who, params, resp in staging:
            recs.append(mkevents.record({"who": who, "t": at(rng.randrange(400)), "eventName": name,
                                         "params": params, "responseElements": resp}))
    recs += kms_records(rng, at)
    recs += cause_records(rng, at)
    return recs


def kms_records(rng, at):
    """replication-kms: keys learned in use late (settings, MGN's calls), changes and failures on them."""
    recs = []

    def key(k):
        return "arn:aws:kms:us-east-1:%s:key/kkkk-%d" % (mkevents.ACCOUNT, k)

    def kms(who, name, k, form, **extra):
        keyid = [key(k), "kkkk-%d" % k, "alias/k%d" % k][form]
        rec = {"who": who, "t": at(rng.randrange(400)), "eventSource": "kms.amazonaws.com", "eventName": name,
               "params": {"keyId": keyid},
               "resources": [{"accountId": mkevents.ACCOUNT, "type": "AWS::KMS::Key", "ARN": key(k)}]}
        rec.update(extra)
        return mkevents.record(rec)

    for k in range(3):  # key 0 named by settings, key 1 used by MGN, key 2 by no one
        if k == 0:
            recs.append(mkevents.record({"who": "user:admin", "t": at(rng.randrange(400)),
                                         "eventSource": "mgn.amazonaws.com",
                                         "eventName": "UpdateReplicationConfigurationTemplate",
                                         "params": {"replicationConfigurationTemplateID": "rct-k",
                                                    "ebsEncryption": "CUSTOM", "ebsEncryptionKeyArn": key(0)}}))
        if k == 1:
            recs.append(kms("ebs:mgn-repl", "GenerateDataKeyWithoutPlaintext", 1, 0))
        for name in ("DisableKey", "PutKeyPolicy", "ScheduleKeyDeletion"):
            recs.append(kms("user:jose", name, k, rng.randrange(2)))
        for i in range(4):
            recs.append(kms(rng.choice(["ebs:mgn-repl", "mgn-slr", "role:AppRole"] if k < 2 else ["role:AppRole"]),
                            rng.choice(["GenerateDataKeyWithoutPlaintext", "Decrypt", "CreateGrant"]), k,
                            rng.randrange(3), errorCode=rng.choice(["DisabledException", "AccessDeniedException"])))
    recs.append(kms("mgn-slr", "CreateGrant", 0, 0, responseElements={"grantId": "g-k0"},
                    params={"keyId": key(0), "granteePrincipal": "ec2.us-east-1.amazonaws.com"}))
    recs.append(kms("user:jose", "RevokeGrant", 0, 0, params={"keyId": key(0), "grantId": "g-k0"}))
    return recs


def cause_records(rng, at):
    """Changes that become the denials' causes (src/cause.h), and changes that must not."""
    role = "AWSApplicationMigrationReplicationServerRole"
    policy = "arn:aws:iam::%s:policy/mgn-extra" % mkevents.ACCOUNT
    iam = [
        ("DetachRolePolicy", {"roleName": role, "policyArn": "arn:aws:iam::aws:policy/AWSApplicationMigrationReplicationServerPolicy"}),
        ("PutRolePolicy", {"roleName": role, "policyName": "deny-ec2", "policyDocument": "{}"}),
        ("DeleteRolePolicy", {"roleName": "SomeOtherRole", "policyName": "x"}),
        ("AttachRolePolicy", {"roleName": role, "policyArn": policy}),
        ("CreatePolicyVersion", {"policyArn": policy, "policyDocument": "{}", "setAsDefault": True}),
        ("DetachRolePolicy", {"roleName": role, "policyArn": policy}),
        ("SetDefaultPolicyVersion", {"policyArn": policy, "versionId": "v3"}),
    ]
    out = []
    for k in range(2):
        for name, params in iam:
            spec = {"who": "user:admin", "t": at(rng.randrange(400)), "eventSource": "iam.amazonaws.com",
                    "eventName": name, "params": params}
            if rng.random() < 0.2:
                spec.update({"errorCode": "AccessDenied", "errorMessage": "not allowed"})
            out.append(mkevents.record(spec))
        out.append(mkevents.record({"who": "user:admin", "t": at(rng.randrange(400)),
                                    "eventSource": "organizations.amazonaws.com", "eventName": "DetachPolicy",
                                    "params": {"policyId": "p-FullAWSAccess", "targetId": mkevents.ACCOUNT}}))
    # a small group: its denials and their cause arrive in different slices, nothing else rebuilds it
    for k in range(2):
        out.append(mkevents.record({"who": "role:HelperRole", "t": at(100 + rng.randrange(300)),
                                    "eventName": "CreateVolume", "errorCode": "Client.UnauthorizedOperation",
                                    "errorMessage": "... no identity-based policy allows the action"}))
        out.append(mkevents.record({"who": "user:admin", "t": at(rng.randrange(200)), "eventSource": "iam.amazonaws.com",
                                    "eventName": "PutRolePolicy",
                                    "params": {"roleName": "HelperRole", "policyName": "p%d" % k, "policyDocument": "{}"}}))
    return out


def order(recs, how):
    if how == "time":
        return sorted(recs, key=lambda r: r["eventTime"])
    if how == "reverse":
        return sorted(recs, key=lambda r: r["eventTime"], reverse=True)
    if how.startswith("shuffle:"):
        out = list(recs)
        random.Random(how).shuffle(out)
        return out
    raise SystemExit("unknown order %s" % how)


def dump(db):
    con = sqlite3.connect(db)
    rows = {}
    for r in con.execute("SELECT " + COLUMNS + ", (SELECT group_concat(e.event_id, ',') FROM"
                         " (SELECT e.event_id FROM finding_events fe JOIN event_fields e ON e.seq = fe.seq"
                         " WHERE fe.finding_id = f.finding_id ORDER BY e.event_id) AS e) FROM findings AS f"):
        rows[(r[0], r[1])] = r
    con.close()
    return rows


def first_difference(a, b):
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            return "%s: incremental %r, full %r" % (k, a.get(k), b.get(k))
    return None


def run(ts, db, *args):
    p = subprocess.run([ts, "--db", db, "--quiet"] + list(args), capture_output=True, text=True)
    if p.returncode:
        raise SystemExit("trailsift %s failed: %s" % (" ".join(args), p.stderr.strip()))


def main():
    ts, work, name, k, how = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    recs = []
    for path in sys.argv[6:]:
        recs += read_records(path)
    recs = order(recs, how)
    db = os.path.join(work, "slices.db")
    full = os.path.join(work, "full.db")
    for f in (db, full):
        if os.path.exists(f):
            os.remove(f)
    diff, checked = None, 0
    for i in range(k):
        part = recs[i * len(recs) // k:(i + 1) * len(recs) // k]
        path = os.path.join(work, "slice-%d.json" % i)
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"Records": part}, f, ensure_ascii=False)
        run(ts, db, "ingest", path)
        run(ts, db, "scan")
        shutil.copyfile(db, full)
        run(ts, full, "scan", "--all")
        a, b = dump(db), dump(full)
        checked = len(b)
        diff = first_difference(a, b)
        if diff:
            diff = "after slice %d of %d: %s" % (i + 1, k, diff)
            break
    what = "%s: %d records in %d slices, %s order: every scan equals scan --all (%d findings)" % (
        name, len(recs), k, how, checked)
    print(("not ok - " if diff else "ok - ") + what)
    if diff:
        print("#   " + diff[:2000])
    con = sqlite3.connect(full)
    for rule, n in con.execute("SELECT rule, count(*) FROM findings GROUP BY rule ORDER BY rule"):
        print("# %s: %d findings" % (rule, n))
    for rule, n in con.execute("SELECT rule, count(*) FROM findings WHERE json_type(details, '$.cause') = 'object'"
                               " GROUP BY rule ORDER BY rule"):
        print("# %s causes: %d findings" % (rule, n))
    con.close()


if __name__ == "__main__":
    main()
