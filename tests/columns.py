"""Independent check of trailsift's column extraction and raw storage.

usage: columns.py STORE FILE...

Reads every CloudTrail record in FILE... with Python's own gzip and json
(never trailsift's code), works out what each events column must hold, and
compares it, and the raw text, with the store. Prints one TAP line per
check and exits 1 on a mismatch.
"""
import gzip
import json
import sqlite3
import sys
from decimal import Decimal

COLUMNS = {
    "event_id": ("eventID",), "event_time": ("eventTime",),
    "event_source": ("eventSource",), "event_name": ("eventName",),
    "aws_region": ("awsRegion",), "source_ip": ("sourceIPAddress",),
    "user_agent": ("userAgent",), "identity_type": ("userIdentity", "type"),
    "principal_arn": ("userIdentity", "arn"), "principal_id": ("userIdentity", "principalId"),
    "access_key_id": ("userIdentity", "accessKeyId"),
    "session_issuer_arn": ("userIdentity", "sessionContext", "sessionIssuer", "arn"),
    "invoked_by": ("userIdentity", "invokedBy"), "error_code": ("errorCode",),
    "error_message": ("errorMessage",), "event_type": ("eventType",),
    "recipient_account_id": ("recipientAccountId",), "request_id": ("requestID",),
    "shared_event_id": ("sharedEventID",), "vpc_endpoint_id": ("vpcEndpointId",),
    "event_category": ("eventCategory",), "tls_version": ("tlsDetails", "tlsVersion"),
}


def get(rec, path):
    for key in path:
        if not isinstance(rec, dict) or key not in rec:
            return None
        rec = rec[key]
    return rec


def expected(rec):
    exp = {col: get(rec, path) for col, path in COLUMNS.items()}
    exp["account_id"] = get(rec, ("userIdentity", "accountId")) or rec.get("recipientAccountId")
    exp["user_name"] = get(rec, ("userIdentity", "userName")) or get(
        rec, ("userIdentity", "sessionContext", "sessionIssuer", "userName"))
    for col, key in (("read_only", "readOnly"), ("management_event", "managementEvent")):
        v = rec.get(key)
        exp[col] = None if v is None else int(v in (True, "true"))
    return exp


def records(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        text = f.read().decode("utf-8")
    # object_pairs_hook keeps the raw text comparable through Decimal numbers
    doc = json.loads(text, parse_float=Decimal)
    if isinstance(doc, dict) and "Records" in doc:
        return doc["Records"]
    if isinstance(doc, dict) and "Events" in doc:
        return [json.loads(e["CloudTrailEvent"], parse_float=Decimal) for e in doc["Events"]]
    return doc if isinstance(doc, list) else [doc]


def main():
    con = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
    con.row_factory = sqlite3.Row
    bad = 0
    seen = 0
    for path in sys.argv[2:]:
        for rec in records(path):
            seen += 1
            row = con.execute("SELECT * FROM events WHERE event_id = ?", (rec["eventID"],)).fetchone()
            if row is None:
                print("not ok - %s: event %s missing" % (path, rec["eventID"]))
                bad += 1
                continue
            for col, want in expected(rec).items():
                if row[col] != want:
                    print("not ok - event %s column %s: got %r want %r" % (rec["eventID"], col, row[col], want))
                    bad += 1
            if json.loads(row["raw"], parse_float=Decimal) != rec:
                print("not ok - event %s: raw is not the same JSON" % rec["eventID"])
                bad += 1
    print("%s - %d records: every column and raw as Python reads them" % ("not ok" if bad else "ok", seen))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
