"""Writes a CloudTrail trail's S3 layout into a directory, for the S3 tests.

usage: mktrail.py ROOT [--org ORGID] --accounts A,B --regions R1,R2
                  --days YYYY-MM-DD:N --times HHMM,HHMM [--records N]
       mktrail.py ROOT [--org ORGID] --one ACCOUNT REGION YYYYMMDDTHHMMZ [--tag T]

ROOT/AWSLogs/[ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/
ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_<id>.json.gz holds --records records
whose eventTimes fall in the minutes before the file's time (as CloudTrail's
do) and whose eventIDs are derived from the file name (and --tag), so runs
are repeatable and a rewritten file (--tag) has new ones. Each account also
gets a digest file under CloudTrail-Digest/, which is never a log.
Prints nothing; the file names are the test's to list.
"""
import argparse
import datetime as dt
import gzip
import json
import os
import uuid


def write_log(root, org, account, region, stamp, records, tag=""):
    t = dt.datetime.strptime(stamp, "%Y%m%dT%H%MZ").replace(tzinfo=dt.timezone.utc)
    base = os.path.join(root, "AWSLogs", *([org] if org else []), account)
    day = t.strftime("%Y/%m/%d")
    uniq = uuid.uuid5(uuid.NAMESPACE_URL, "%s/%s/%s/%s" % (account, region, stamp, tag)).hex[:16]
    name = "%s_CloudTrail_%s_%s_%s.json.gz" % (account, region, stamp, uniq)
    recs = []
    for i in range(records):
        et = t - dt.timedelta(minutes=5) + dt.timedelta(seconds=i)
        recs.append({
            "eventVersion": "1.09",
            "userIdentity": {"type": "AssumedRole", "accountId": account,
                             "arn": "arn:aws:sts::%s:assumed-role/mgn-test/i-0abc" % account},
            "eventTime": et.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": "ec2.amazonaws.com",
            "eventName": "DescribeInstances" if i % 2 else "CreateSnapshot",
            "awsRegion": region,
            "sourceIPAddress": "10.0.0.%d" % (i + 1),
            "userAgent": "aws-sdk-go",
            "eventID": str(uuid.uuid5(uuid.NAMESPACE_URL, "%s#%d#%s" % (name, i, tag))),
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": account,
        })
    d = os.path.join(base, "CloudTrail", region, day)
    os.makedirs(d, exist_ok=True)
    with gzip.open(os.path.join(d, name), "wb") as f:
        f.write(json.dumps({"Records": recs}).encode())
    digest = os.path.join(base, "CloudTrail-Digest", region, day)
    os.makedirs(digest, exist_ok=True)
    with gzip.open(os.path.join(digest, "%s_CloudTrail-Digest_%s_trail_%s_%s.json.gz"
                                % (account, region, region, t.strftime("%Y%m%dT%H%M%SZ"))), "wb") as f:
        f.write(b'{"awsAccountId": "%s"}' % account.encode())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("root")
    p.add_argument("--org")
    p.add_argument("--accounts", default="")
    p.add_argument("--regions", default="")
    p.add_argument("--days")
    p.add_argument("--times", default="0610,1810")
    p.add_argument("--records", type=int, default=3)
    p.add_argument("--one", nargs=3)
    p.add_argument("--tag", default="")
    o = p.parse_args()
    if o.one:
        write_log(o.root, o.org, o.one[0], o.one[1], o.one[2], o.records, o.tag)
        return
    first, n = o.days.split(":")
    start = dt.datetime.strptime(first, "%Y-%m-%d")
    for a in o.accounts.split(","):
        for r in o.regions.split(","):
            for d in range(int(n)):
                for hm in o.times.split(","):
                    day = start + dt.timedelta(days=d)
                    write_log(o.root, o.org, a, r, day.strftime("%Y%m%d") + "T" + hm + "Z",
                              o.records, o.tag)


if __name__ == "__main__":
    main()
