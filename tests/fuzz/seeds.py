#!/usr/bin/env python3
"""seeds.py - writes the seed corpora tests/fuzz/corpus/<harness>/ from fixtures/.

Run: python3 tests/fuzz/seeds.py   (rewrites the seed files; commit them)

Each harness's input layout is described atop its fuzz_<name>.c; the seeds
follow it so that the fuzzer starts from meaningful inputs: the fixtures'
CloudTrail files and LookupEvents pages, the AWS CLI's config files as the
unit tests use them, STS, container and IMDS answers as tests/fake_aws.py
writes them, SigV4 requests from the vendored test suite (tests/vectors/).
"""
import glob
import hashlib
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIX = os.path.join(ROOT, "fixtures")
MAX = 16 * 1024  # larger seeds slow the fuzzer down for nothing


def read(path):
    with open(path, "rb") as f:
        return f.read()


def put(harness, data):
    d = os.path.join(HERE, "corpus", harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def cloudtrail():
    paths = sorted(glob.glob(os.path.join(FIX, "formats", "*.json*")) +
                   glob.glob(os.path.join(FIX, "real", "*.json")) +
                   glob.glob(os.path.join(FIX, "real", "*", "*.json")))
    for i, p in enumerate(paths):
        data = read(p)
        if p.endswith(".gz") or len(data) > MAX:
            continue
        put("fuzz_ctstream", bytes([i * 37 % 256]) + data)
        if b'"Events"' in data:
            put("fuzz_lookup", data)
    put("fuzz_ctstream", b"\x00\xef\xbb\xbf{\"Records\":[]}")
    for body in (b'{"__type":"com.amazonaws.cloudtrail.v20131101#InvalidNextTokenException",'
                 b'"message":"Invalid NextToken"}',
                 b'{"Output":{"__type":"ThrottlingException","message":"Rate exceeded"},"Version":"1.0"}',
                 b'{"Events":[{"EventId":"e1","EventTime":1.705316744E9,"CloudTrailEvent":'
                 b'"{\\"eventID\\":\\"e1\\"}"}],"NextToken":"abc"}',
                 b'{"Events":[]}'):
        put("fuzz_lookup", body)


def awsconfig():
    cred = (b"# a comment\n[default]\naws_access_key_id = AKIDDEFAULT\n"
            b"aws_secret_access_key=secret/default+key\n\n[audit]\r\nAWS_ACCESS_KEY_ID : AKIDAUDIT\r\n"
            b"aws_session_token = tok==\r\nregion = eu-west-1 # not a comment\r\n[dup]\nregion = first\n"
            b"region = second\n")
    conf = (b"[default]\nregion = us-east-1\n[profile audit]\nregion = ap-south-1\n"
            b"role_arn = arn:aws:iam::111122223333:role/x\ns3 =\n  max_concurrent_requests = 20\n"
            b"[profile   spaced  ]\nregion = sa-east-1\n[sso-session x]\nsso_region = us-east-1\n")
    put("fuzz_awsconfig", cred + b"\0" + conf)
    put("fuzz_awsconfig", conf)


def sts():
    creds = (b"<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
             b"<AssumeRoleResult><AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId>"
             b"<Arn>arn:aws:sts::111122223333:assumed-role/r/s</Arn></AssumedRoleUser>"
             b"<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId>"
             b"<SecretAccessKey>wJalr&amp;XUtn&#x2F;FEMI</SecretAccessKey>"
             b"<SessionToken>FwoG&lt;ZXIvYXdz&#43;</SessionToken>"
             b"<Expiration>2026-11-06T01:00:00Z</Expiration></Credentials></AssumeRoleResult>"
             b"</AssumeRoleResponse>\n")
    err = (b"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n"
           b"    <Type>Sender</Type>\n    <Code>AccessDenied</Code>\n    <Message>User: arn:aws:iam::"
           b"111122223333:user/a is not authorized &#x1b;[31m\xc2\x9b</Message>\n  </Error>\n"
           b"  <RequestId>r</RequestId>\n</ErrorResponse>\n")
    ident = (b"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:"
             b"user/a</Arn><UserId>AIDA</UserId><Account>111122223333</Account>"
             b"</GetCallerIdentityResult></GetCallerIdentityResponse>")
    for tag, body in ((b"Expiration", creds), (b"Code", err), (b"Account", ident), (b"Message", err)):
        put("fuzz_sts", tag + b"\0" + body)


def creds():
    for body in (b'{"RoleArn":"arn:aws:iam::111122223333:role/task","AccessKeyId":"ASIAEXAMPLE",'
                 b'"SecretAccessKey":"secret","Token":"token","Expiration":"2026-11-06T01:00:00Z"}',
                 b'{"Code":"Success","LastUpdated":"2026-11-06T00:00:00Z","Type":"AWS-HMAC",'
                 b'"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"s","Token":"t",'
                 b'"Expiration":"2026-11-06T06:00:00Z"}',
                 b'{"Code":"Failure \\u001b[2J","Message":"no"}',
                 b'{"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"never \\u009b"}'):
        put("fuzz_creds", body)


def timeparse():
    for s in (b"2026-11-03T06:20:00Z", b"2026-11-03T06:20:00.123Z", b"2026-11-03 06:20:00+05:30",
              b"2026-11-03T06:20:00-0800", b"2026-02-29", b"90d", b"12h", b"1w", b"30m", b"45s",
              b"9999-12-31T23:59:59Z", b"0000-01-01T00:00:00Z"):
        put("fuzz_timeparse", b"\x01" + s)


def tagcheck():
    for key, value in ((b"Name", b"replication"), (b"aws:x", b"v"), (b"Cost#Center", b"\x00"),
                       ("e\u0301t\u00e9".encode(), "\u2028".encode()), (b"", b"x" * 300),
                       (b"k\xc3", b"\xed\xa0\x80"), ("\U0001F600".encode() * 3, b"ok")):
        put("fuzz_tagcheck", b"\x07\x40" + key + b"\xff" + value)


def sigv4():
    """The classic suite's requests: method, path, query, then header names and values."""
    vec = os.path.join(ROOT, "tests", "vectors", "sigv4")
    for i, p in enumerate(sorted(glob.glob(os.path.join(vec, "**", "*.req"), recursive=True))):
        text = read(p).decode("utf-8", "surrogateescape")
        head, _, body = text.partition("\n\n")
        lines = head.split("\n")
        method, _, rest = lines[0].partition(" ")
        target = rest.rsplit(" ", 1)[0]
        path, _, query = target.partition("?")
        fields = [method, path, query]
        for line in lines[1:]:
            if ":" in line:
                name, _, value = line.partition(":")
                fields += [name, value]
        data = "\n".join(fields).encode("utf-8", "surrogateescape") + b"\0" + body.encode("utf-8", "surrogateescape")
        put("fuzz_sigv4", bytes([i % 8]) + data)


def out():
    cells = (b"\x02ec2.amazonaws.com\xff\x02=cmd|' /C calc'!A0\xff\x01\x00\x00\x01\xff"
             b"\x02Client.UnauthorizedOperation\xff\x00\xff\x02a,\"b\"\nc\xff"
             b"\x02\xe2\x80\xae bidi\x1b[31m\xff\x02caf\xc3\xa9 \xc2\x85\xff")
    for shape in range(12):
        put("fuzz_out", bytes([shape]) + cells)


def jsonw():
    put("fuzz_jsonw", b"\x00key\xff\x02value \xc3\xa9\x01\xffnested\xff\x04\x01\x02\x08\x08")
    put("fuzz_jsonw", b"\x01\x02\xe2\x80\xa8\x1f\xc0\xaf\xff\x06\x05\x01\x07\x01\x08")


def kmskey():
    for s in (b"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
              b"arn:aws-us-gov:kms:us-gov-west-1:1:alias/repl", b"alias/aws/ebs", b"mrk-1234", b"alias/",
              b"arn:aws:kms:us-east-1:1:key/", b"arn:aws:s3:::b/key/x",
              b"User: x is not authorized: arn:aws:kms:eu-west-1:2:key/k-1. because",
              b"'arn:aws:kms:r:1:key/a:b|c\x1b[31m'"):
        put("fuzz_kmskey", s)


if __name__ == "__main__":
    cloudtrail()
    awsconfig()
    sts()
    creds()
    timeparse()
    tagcheck()
    sigv4()
    out()
    jsonw()
    kmskey()
