"""Writes CloudTrail log files for rule tests from compact specs.

usage: mkevents.py OUT.json SPEC...

Each SPEC is a JSON object of overrides on a base record; shorthands:
  "who": "mgn-slr" | "mgn-repl" | "drs-slr" | "user:NAME" | "role:NAME",
         or "ebs:" before one of them: the call EBS made on that principal's
         behalf (invokedBy, sourceIPAddress, userAgent "ec2.amazonaws.com")
  "t":   eventTime ("2026-11-03T10:00:00Z")
  "id":  eventID (default: a fresh UUID from a counter)
  "params": requestParameters
Everything else is copied into the record as is (errorCode, eventName, ...).
"""
import json
import sys
import uuid

ACCOUNT = "111122223333"
counter = [0]
FILE = [""]  # event IDs derive from the output file's name: unique per file, repeatable


def identity(who):
    if who in ("mgn-slr", "drs-slr"):
        role = ("AWSServiceRoleForApplicationMigrationService" if who == "mgn-slr"
                else "AWSServiceRoleForElasticDisasterRecovery")
        svc = "mgn.amazonaws.com" if who == "mgn-slr" else "drs.amazonaws.com"
        path = "aws-service-role/%s/" % svc
        return {"type": "AssumedRole", "principalId": "AROAEXAMPLE:s",
                "arn": "arn:aws:sts::%s:assumed-role/%s/5f1c" % (ACCOUNT, role),
                "accountId": ACCOUNT,
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE",
                                                     "arn": "arn:aws:iam::%s:role/%s%s" % (ACCOUNT, path, role),
                                                     "accountId": ACCOUNT, "userName": role}},
                "invokedBy": svc}, svc
    if who.startswith("role:") or who == "mgn-repl":
        role = "AWSApplicationMigrationReplicationServerRole" if who == "mgn-repl" else who[5:]
        return {"type": "AssumedRole", "principalId": "AROAEXAMPLE:i-0abc",
                "arn": "arn:aws:sts::%s:assumed-role/%s/i-0abc" % (ACCOUNT, role),
                "accountId": ACCOUNT,
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE",
                                                     "arn": "arn:aws:iam::%s:role/service-role/%s" % (ACCOUNT, role),
                                                     "accountId": ACCOUNT, "userName": role}}}, "203.0.113.9"
    name = who[5:] if who.startswith("user:") else "alice"
    return {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::%s:user/%s" % (ACCOUNT, name),
            "accountId": ACCOUNT, "accessKeyId": "AKIAEXAMPLE", "userName": name}, "198.51.100.7"


def record(spec):
    counter[0] += 1
    who = spec.pop("who", "user:alice")
    ident, ip = identity(who[4:] if who.startswith("ebs:") else who)
    if who.startswith("ebs:"):
        ident["invokedBy"] = ip = "ec2.amazonaws.com"
    rec = {"eventVersion": "1.09", "userIdentity": ident,
           "eventTime": spec.pop("t", "2026-11-03T10:00:00Z"),
           "eventSource": "ec2.amazonaws.com", "eventName": "CreateSnapshot",
           "awsRegion": "us-east-1", "sourceIPAddress": ip,
           "userAgent": ip if ip.endswith("amazonaws.com") else "aws-cli/2.15.0",
           "requestParameters": spec.pop("params", {}), "responseElements": None,
           "requestID": str(uuid.uuid5(uuid.NAMESPACE_URL, "req:%s:%d" % (FILE[0], counter[0]))),
           "eventID": spec.pop("id", str(uuid.uuid5(uuid.NAMESPACE_URL, "%s:%d" % (FILE[0], counter[0])))),
           "readOnly": False, "eventType": "AwsApiCall", "managementEvent": True,
           "recipientAccountId": ACCOUNT, "eventCategory": "Management"}
    rec.update(spec)
    return rec


def main():
    # an option in OUT's place (e.g. --help) would be taken for a file name and
    # written into the current directory: refuse it
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        sys.exit(2)
    out = sys.argv[1]
    FILE[0] = out.rsplit("/", 1)[-1]
    records = [record(json.loads(s)) for s in sys.argv[2:]]
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"Records": records}, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
