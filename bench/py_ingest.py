#!/usr/bin/env python3
"""Baseline: the straightforward CloudTrail -> SQLite ingester a user would
write with the Python standard library (gzip + json + sqlite3).

Usage: py_ingest.py EXPORT_DIR DB_PATH
Walks EXPORT_DIR for *.json.gz, loads each {"Records":[...]} file, and inserts
one row per record (named columns + the record's compact JSON) into
DB_PATH's `events` table in a single transaction. Prints the row count.
Bench tooling only.
"""

import gzip
import json
import os
import sqlite3
import sys
from datetime import datetime

COLUMNS = [
    "event_id", "event_time", "event_time_ms", "event_source", "event_name", "aws_region",
    "source_ip", "user_agent", "identity_type", "principal_arn", "principal_id", "account_id",
    "access_key_id", "user_name", "session_issuer_arn", "invoked_by", "error_code",
    "error_message", "read_only", "event_type", "management_event", "recipient_account_id",
    "request_id", "shared_event_id", "vpc_endpoint_id", "event_category", "tls_version",
    "origin", "raw",
]

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY,
    event_time TEXT,
    event_time_ms INTEGER,
    event_source TEXT,
    event_name TEXT,
    aws_region TEXT,
    source_ip TEXT,
    user_agent TEXT,
    identity_type TEXT,
    principal_arn TEXT,
    principal_id TEXT,
    account_id TEXT,
    access_key_id TEXT,
    user_name TEXT,
    session_issuer_arn TEXT,
    invoked_by TEXT,
    error_code TEXT,
    error_message TEXT,
    read_only INTEGER,
    event_type TEXT,
    management_event INTEGER,
    recipient_account_id TEXT,
    request_id TEXT,
    shared_event_id TEXT,
    vpc_endpoint_id TEXT,
    event_category TEXT,
    tls_version TEXT,
    origin TEXT,
    raw TEXT
)
"""


def to_ms(ts):
    if not ts:
        return None
    return int(datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000)


def flag(v):
    if v is None:
        return None
    if isinstance(v, str):
        return 1 if v.lower() == "true" else 0
    return 1 if v else 0


def row(rec, origin):
    ui = rec.get("userIdentity") or {}
    sc = ui.get("sessionContext") or {}
    issuer = sc.get("sessionIssuer") or {}
    tls = rec.get("tlsDetails") or {}
    return (
        rec.get("eventID"),
        rec.get("eventTime"),
        to_ms(rec.get("eventTime")),
        rec.get("eventSource"),
        rec.get("eventName"),
        rec.get("awsRegion"),
        rec.get("sourceIPAddress"),
        rec.get("userAgent"),
        ui.get("type"),
        ui.get("arn"),
        ui.get("principalId"),
        ui.get("accountId") or rec.get("recipientAccountId"),
        ui.get("accessKeyId"),
        ui.get("userName"),
        issuer.get("arn"),
        ui.get("invokedBy"),
        rec.get("errorCode"),
        rec.get("errorMessage"),
        flag(rec.get("readOnly")),
        rec.get("eventType"),
        flag(rec.get("managementEvent")),
        rec.get("recipientAccountId"),
        rec.get("requestID"),
        rec.get("sharedEventID"),
        rec.get("vpcEndpointId"),
        rec.get("eventCategory"),
        tls.get("tlsVersion"),
        origin,
        json.dumps(rec, separators=(",", ":"), ensure_ascii=False),
    )


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: py_ingest.py EXPORT_DIR DB_PATH")
    root, db_path = sys.argv[1], sys.argv[2]
    db = sqlite3.connect(db_path)
    db.execute(SCHEMA)
    sql = "INSERT OR IGNORE INTO events (%s) VALUES (%s)" % (
        ",".join(COLUMNS), ",".join("?" * len(COLUMNS)))
    files = 0
    with db:  # one transaction
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                if not name.endswith(".json.gz"):
                    continue
                path = os.path.join(dirpath, name)
                with gzip.open(path, "rt", encoding="utf-8") as f:
                    doc = json.load(f)
                db.executemany(sql, (row(r, path) for r in doc.get("Records") or []))
                files += 1
    n = db.execute("SELECT count(*) FROM events").fetchone()[0]
    db.close()
    print("python: %d files, %d events" % (files, n))


if __name__ == "__main__":
    main()
