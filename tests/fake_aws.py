#!/usr/bin/env python3
"""fake_aws.py - a local fake of the AWS endpoints trailsift talks to, for tests.

One plain-HTTP server on 127.0.0.1 (never any other address) answering:

  CloudTrail LookupEvents  POST /  X-Amz-Target: com.amazonaws.cloudtrail.v20131101.
                           CloudTrail_20131101.LookupEvents  (awsJson 1.1)
  CloudTrail ListPublicKeys  the same, target ...ListPublicKeys: the keys of --public-keys
                           whose validity overlaps StartTime..EndTime
  STS                      POST / (or GET) form/query Action=AssumeRole | GetCallerIdentity
  container credentials    GET --container-path
  EC2 IMDSv2               PUT /latest/api/token, GET /latest/meta-data/...,
                           GET /latest/dynamic/instance-identity/document
  S3 (with --s3-root)      path-style /BUCKET[/KEY]: ListObjectsV2 (list-type=2, prefix,
                           delimiter, start-after, continuation-token, max-keys),
                           GetObject (Range, If-Match), HeadObject, HeadBucket; read-only,
                           served from the files under --s3-root/BUCKET/ (ETag: MD5)

Every CloudTrail and STS request has its SigV4 signature checked by the code in this
file (canonical request rebuilt from the request as received). Stdlib only (3.11).

Usage:
  python3 tests/fake_aws.py [flags]         first stdout line: "PORT <n>" (flushed)
  The server stops on SIGTERM/SIGINT or after --max-seconds, exit status 0.

Flags (repeatable ones marked *):
  --port N              port to bind on 127.0.0.1 (default 0 = pick a free one)
  --log FILE            append one JSON line per request (format below)
  --max-seconds S       stop by itself after S seconds (default 300; 0 = never)
  --seed N              seed for fault probabilities, NextToken MAC, issued keys (default 1)
  --cred AK:SECRET[:TOKEN] *   known credentials; with TOKEN the key is temporary and
                        X-Amz-Security-Token must be sent and equal TOKEN
  --deny-key AK *       LookupEvents by AK -> AccessDeniedException
  --expired-key AK *    requests by AK -> ExpiredTokenException (STS: ExpiredToken)
  --account ID          account of --cred identities (default 111122223333)
  --per-account         serve only records whose recipientAccountId is the caller's
                        account (default: all accounts, filtered by region only)
  --events PATH *       CloudTrail events: a log file {"Records":[...]}, a JSON array,
                        JSON Lines, or a LookupEvents response; gzip or not. A directory
                        is walked (*.json, *.json.gz, *.jsonl, *.ndjson, *.gz; files under
                        CloudTrail-Digest/ skipped). Events are de-duplicated by eventID.
  --now ISO             "now" for the event window (default StartTime = now - 90 days,
                        default EndTime = now; events after now or older than 90 days
                        are never served). Default: real time at start. Fixed: it does
                        not advance. SigV4 date checks always use the real clock.
  --rate R              LookupEvents accepted per second per (access key, region)
                        (default 2; 0 = unlimited). Sliding 1-second window: a request
                        is throttled when ceil(R) requests were already accepted in the
                        last 1.0 s. Throttled requests are not counted; every request
                        that passed authentication and authorization is.
  --page-size-cap N     serve at most N events per page whatever MaxResults says
  --empty-final-page    the last non-empty page still carries a NextToken, which
                        leads to an empty page without one (AWS does this sometimes)
  --clock-skew-ok       do not reject X-Amz-Date more than 5 minutes from now
  --namespaced-errors   __type "com.amazonaws.cloudtrail.v20131101#<Type>" and header
                        x-amzn-ErrorType "<Type>:http://internal.amazon.com/coral/
                        com.amazon.coral.service/" (both forms occur in real answers)
  --wrong-content-type-200  a CloudTrail request whose Content-Type is not
                        application/x-amz-json-1.1 gets HTTP 200 with body
                        {"Output":{"__type":"com.amazon.coral.service#UnknownOperationException"},"Version":"1.0"}
                        (as AWS does); without the flag: HTTP 400 UnknownOperationException
  Fault injection (SPEC = comma-separated items; an item is a request number N,
  a range N-M, or a probability P% decided per request number from --seed, so
  the same flags give the same faults in every run):
  --fail-5xx SPEC       items N[:CODE] / P%[:CODE]; CODE 500 (default) answers
                        {"__type":"InternalFailure"}, 503 {"__type":"ServiceUnavailable"}
  --drop SPEC           read the request, then close the connection without answering
  --slow SPEC           items N:SECONDS / P%:SECONDS: sleep before answering
  --fault-scope S       which requests are numbered for faults: cloudtrail (default),
                        sts, container, imds, s3 or all. A 503 to S3 is SlowDown. Numbers start at 1 per scope, in
                        order of arrival. Order: drop, then slow, then 5xx, then the
                        normal processing (auth, throttle, ...).
  --role ARN *          roles STS AssumeRole accepts (others: AccessDenied, HTTP 403)
  --sts-duration S      lifetime in seconds of every issued temporary credential
                        (STS, container, IMDS; default 3600; DurationSeconds is only
                        range-checked)
  --container-path P    serve container credentials at GET P (e.g. /v2/credentials/abc)
  --container-auth TOK  require header "Authorization: TOK" there (else HTTP 401)
  --container-role ARN  role of container credentials (default arn:aws:iam::ACCOUNT:role/trailsift-task)
  --imds-role NAME      IMDS role name (default trailsift-instance)
  --imds-region R       region in IMDS identity document / placement (default us-east-1)
  --imds-v1-ok          IMDS GETs work without a session token
  --s3-root DIR         serve S3 buckets: each directory DIR/BUCKET is a bucket, its
                        files the objects (key = path below it). Requests signed for
                        service s3 (path not normalised, x-amz-content-sha256 required)
  --s3-region R         the buckets' region (default us-east-1): a request signed for
                        another gets 400 AuthorizationHeaderMalformed naming it (and
                        x-amz-bucket-region, as every S3 answer has)
  --s3-deny KEY *       GetObject of KEY -> 403 AccessDenied
  --cut SPEC            GetObject requests (numbered in scope s3) answered with their
                        headers and half the body, then the connection is closed
  --public-keys FILE    ListPublicKeys serves the keys in FILE, a JSON list of
                        {"Fingerprint", "Value" (base64), "ValidityStartTime",
                        "ValidityEndTime" (epoch seconds)} (fixtures/digest-gen.py
                        --keys-out writes one); without it the list is empty
  --s3-signatures FILE  {key: hex} (fixtures/digest-gen.py --signatures-out): GetObject
                        and HeadObject of such a key answer x-amz-meta-signature and
                        x-amz-meta-signature-algorithm SHA256withRSA, as S3 keeps them
                        for CloudTrail's digest objects
  --verbose             one line per request on stderr

Issued temporary credentials (STS, container, IMDS) have AccessKeyId ASIA..., are
accepted by CloudTrail and STS with their session token, and expire after
--sts-duration seconds (then ExpiredTokenException). Every call issues new ones.

Log line (one JSON object per request, written when the answer was sent or the
connection dropped, so file order is completion order; "n" is arrival order):
  {"n": 7, "scope_n": 5, "time": 1793940000.123456, "mono": 1.234567,
   "method": "POST", "path": "/", "service": "cloudtrail" | "sts" | "container" |
   "imds" | "unknown", "target": X-Amz-Target or STS Action or null,
   "region": credential-scope region or null, "access_key_id": from the credential
   scope or null, "status": 200 (null when dropped), "error": "ThrottlingException" |
   null (the __type / Code without namespace), "body": the request body parsed (JSON
   value for CloudTrail, {param: value} for STS, null when empty, the raw text when
   unparsable), "fault": null | "drop" | "slow:0.5" | "5xx:503" (joined with "," if
   several), "events": number of events returned or null, "next_token": true/false/null,
   "issued_key": AccessKeyId handed out by STS/container/IMDS or null,
   "client_port": peer port (same port = same kept-alive connection),
   "user_agent": ..., "duration": seconds from arrival to answer}
  "time" is the arrival time (epoch seconds, real clock); "mono" is seconds since the
  server started (monotonic clock), for asserting on pacing.

Importable: the self-test uses sign_request(), verify_signature(),
canonical_request(), string_to_sign(), parse_authorization(), java_double() and
fault_hit() from here.
"""

import argparse
import base64
import collections
import datetime as dt
import decimal
import gzip
import hashlib
import hmac
import json
import math
import os
import random
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CT_TARGET_PREFIX = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
CT_TARGET = CT_TARGET_PREFIX + "LookupEvents"
CT_KEYS_TARGET = CT_TARGET_PREFIX + "ListPublicKeys"
CT_NAMESPACE = "com.amazonaws.cloudtrail.v20131101#"
CT_CONTENT_TYPE = "application/x-amz-json-1.1"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
ATTRIBUTE_KEYS = ("EventId", "EventName", "ReadOnly", "Username", "ResourceType",
                  "ResourceName", "EventSource", "AccessKeyId")
INSIGHT_ATTRIBUTE_KEYS = ("EventId", "EventName", "EventSource")
MAX_SKEW = 300
RETENTION = 90 * 86400
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


# ============================================================ SigV4 (client and server)

def _to_bytes(s):
    return s if isinstance(s, bytes) else s.encode("utf-8")


def uri_encode(b, safe):
    """RFC 3986 percent-encoding of bytes; unreserved characters and `safe` kept."""
    return urllib.parse.quote(_to_bytes(b), safe=safe)


def canonical_path(raw_path, normalize=True, encode_once=False):
    """Canonical URI of a non-S3 service: dot segments removed and repeated slashes
    collapsed (when normalize), then each byte outside the unreserved set encoded.
    The path is used as received, so an already encoded %20 becomes %2520 (AWS
    encodes the path twice for every service but S3). S3 (encode_once): the path
    as received is decoded first, so that it ends up encoded once."""
    p = _to_bytes(raw_path) or b"/"
    if encode_once:
        p = urllib.parse.unquote_to_bytes(p)
    if normalize:
        segs = p.split(b"/")
        out = []
        for s in segs:
            if s in (b"", b"."):
                continue
            if s == b"..":
                if out:
                    out.pop()
                continue
            out.append(s)
        q = b"/" + b"/".join(out)
        if out and segs[-1] in (b"", b".", b".."):
            q += b"/"
        p = q
    return uri_encode(p, "/~")


def canonical_query(raw_query):
    """Canonical query string: each name and value decoded, then encoded again
    (RFC 3986), pairs sorted by name then value; a name without '=' gets ''."""
    raw_query = _to_bytes(raw_query or b"")
    pairs = []
    for part in raw_query.split(b"&"):
        if not part:
            continue
        k, _, v = part.partition(b"=")
        pairs.append((uri_encode(urllib.parse.unquote_to_bytes(k), "-_.~"),
                      uri_encode(urllib.parse.unquote_to_bytes(v), "-_.~")))
    pairs.sort()
    return "&".join("%s=%s" % kv for kv in pairs)


def _header_value(v):
    return re.sub(r"\s+", " ", v.strip())


def canonical_headers(headers, signed):
    """headers: [(name, value)] in the order received (duplicates allowed);
    signed: lower-case names. Values trimmed, inner whitespace runs (and folded
    lines) collapsed to one space, duplicates joined with ','."""
    lines = []
    for name in signed:
        vals = [_header_value(v) for n, v in headers if n.lower() == name]
        lines.append("%s:%s\n" % (name, ",".join(vals)))
    return "".join(lines)


def split_target(target):
    """Request-target (origin or absolute form) -> (path bytes, query bytes)."""
    t = _to_bytes(target)
    if t.startswith(b"http://") or t.startswith(b"https://"):
        rest = t.split(b"://", 1)[1]
        i = rest.find(b"/")
        t = rest[i:] if i >= 0 else b"/"
    path, _, query = t.partition(b"?")
    return path, query


def canonical_request(method, target, headers, signed, payload_hash, normalize=True,
                      encode_once=False):
    path, query = split_target(target)
    return "\n".join([method, canonical_path(path, normalize, encode_once), canonical_query(query),
                      canonical_headers(headers, signed), ";".join(signed), payload_hash])


def string_to_sign(amz_date, scope, creq):
    return "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                      hashlib.sha256(creq.encode("utf-8")).hexdigest()])


def signing_key(secret, date, region, service):
    k = hmac.new(("AWS4" + secret).encode("utf-8"), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return k


def signature(secret, date, region, service, sts):
    return hmac.new(signing_key(secret, date, region, service), sts.encode("utf-8"),
                    hashlib.sha256).hexdigest()


class AuthError(Exception):
    """kind: missing, incomplete; message as AWS words it."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def parse_authorization(value):
    """'AWS4-HMAC-SHA256 Credential=AK/D/R/S/aws4_request, SignedHeaders=a;b,
    Signature=hex' -> dict(access_key, date, region, service, terminator,
    scope, signed (list), signature). Raises AuthError('incomplete', ...)."""
    value = value.strip()
    algo, _, rest = value.partition(" ")
    if algo != "AWS4-HMAC-SHA256":
        raise AuthError("incomplete", "Unsupported AWS 'algorithm': '%s'" % algo)
    params = {}
    for item in rest.split(","):
        item = item.strip()
        if not item:
            continue
        k, eq, v = item.partition("=")
        if not eq:
            raise AuthError("incomplete", "'%s' not a valid key=value pair (missing equal-sign) "
                            "in Authorization header: '%s'." % (item, value))
        params[k.strip()] = v.strip()
    missing = [k for k in ("Credential", "SignedHeaders", "Signature") if k not in params]
    if missing:
        raise AuthError("incomplete", " ".join(
            "Authorization header requires '%s' parameter." % k for k in missing)
            + " Authorization=%s" % value)
    cred = params["Credential"].split("/")
    if len(cred) != 5 or not all(cred):
        raise AuthError("incomplete", "Credential should be scoped with a valid terminator: "
                        "'aws4_request', not '%s'." % params["Credential"])
    ak, date, region, service, term = cred
    return {"access_key": ak, "date": date, "region": region, "service": service,
            "terminator": term, "scope": "/".join(cred[1:]),
            "signed": params["SignedHeaders"].split(";"),
            "signature": params["Signature"]}


def get_header(headers, name):
    name = name.lower()
    vals = [v for n, v in headers if n.lower() == name]
    return ",".join(v.strip() for v in vals) if vals else None


def verify_signature(method, target, headers, body, secret, normalize=True, payload_hash=None,
                     encode_once=False):
    """Recompute the signature of a received request. headers: [(name, value)]
    including Authorization. Returns (ok, canonical_request, string_to_sign,
    expected_signature, parsed_authorization). Raises AuthError when the
    Authorization header is missing or malformed."""
    auth = get_header(headers, "authorization")
    if auth is None:
        raise AuthError("missing", "Missing Authentication Token")
    a = parse_authorization(auth)
    amz_date = get_header(headers, "x-amz-date")
    if amz_date is None:
        d = get_header(headers, "date")
        if d is None:
            raise AuthError("incomplete", "Authorization header requires existence of either "
                            "a 'X-Amz-Date' or a 'Date' header. Authorization=%s" % auth)
        try:
            amz_date = dt.datetime.strptime(d, "%a, %d %b %Y %H:%M:%S GMT").strftime("%Y%m%dT%H%M%SZ")
        except ValueError:
            raise AuthError("incomplete", "Date header is not valid: '%s'" % d)
    creq = canonical_request(method, target, headers, a["signed"],
                             payload_hash or hashlib.sha256(body).hexdigest(), normalize, encode_once)
    sts = string_to_sign(amz_date, a["scope"], creq)
    want = signature(secret, a["date"], a["region"], a["service"], sts)
    ok = hmac.compare_digest(want, a["signature"].lower())
    return ok, creq, sts, want, a


def sign_request(method, target, headers, body, access_key, secret, region, service,
                 amz_date=None, token=None, sign_token=True, normalize=True):
    """Client side: returns headers + X-Amz-Date (+ X-Amz-Security-Token) +
    Authorization. headers: [(name, value)]; every header given is signed."""
    if amz_date is None:
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    h = list(headers)
    if get_header(h, "x-amz-date") is None:
        h.append(("X-Amz-Date", amz_date))
    if token and sign_token:
        h.append(("X-Amz-Security-Token", token))
    signed = sorted({n.lower() for n, _ in h})
    creq = canonical_request(method, target, h, signed, hashlib.sha256(body).hexdigest(), normalize)
    scope = "%s/%s/%s/aws4_request" % (amz_date[:8], region, service)
    sig = signature(secret, amz_date[:8], region, service, string_to_sign(amz_date, scope, creq))
    if token and not sign_token:
        h.append(("X-Amz-Security-Token", token))
    h.append(("Authorization", "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s"
              % (access_key, scope, ";".join(signed), sig)))
    return h


# ============================================================ small helpers

def iso_z(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def parse_iso(s):
    """ISO 8601 date or date-time (Z, offset, fraction) -> epoch seconds (float)."""
    s = s.strip()
    if re.fullmatch(r"\d{4}-\d\d-\d\d", s):
        s += "T00:00:00Z"
    if s.endswith("Z") or s.endswith("z"):
        s = s[:-1] + "+00:00"
    t = dt.datetime.fromisoformat(s)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.timestamp()


def java_double(x):
    """A double as Java's Double.toString writes it (AWS JSON timestamps):
    1793686800 -> '1.7936868E9'; 0.5 -> '0.5'."""
    x = float(x)
    if x == 0:
        return "0.0"
    d = decimal.Decimal(repr(x))
    sign, digits, exp = d.as_tuple()
    digits = list(digits)
    while len(digits) > 1 and digits[-1] == 0:
        digits.pop()
        exp += 1
    s = "-" if sign else ""
    if 1e-3 <= abs(x) < 1e7:
        f = format(abs(d), "f")
        if "." not in f:
            f += ".0"
        f = f.rstrip("0")
        if f.endswith("."):
            f += "0"
        return s + f
    e10 = len(digits) - 1 + exp
    mant = str(digits[0]) + "." + ("".join(map(str, digits[1:])) or "0")
    return "%s%sE%d" % (s, mant, e10)


def fault_hit(seed, kind, n, p):
    """Deterministic per (seed, kind, request number): True with probability p."""
    h = hashlib.sha256(("%s:%s:%d" % (seed, kind, n)).encode()).digest()
    return int.from_bytes(h[:8], "big") / 2.0 ** 64 < p


def parse_fault_spec(spec, kind, need_arg):
    """'3,5-7,10%' with optional ':ARG' per item -> [(lo, hi, prob, arg)]."""
    items = []
    for raw in spec.split(","):
        raw = raw.strip()
        if not raw:
            continue
        what, _, arg = raw.partition(":")
        if need_arg and not arg:
            raise ValueError("--%s item '%s' needs ':SECONDS'" % (kind, raw))
        if what.endswith("%"):
            items.append((None, None, float(what[:-1]) / 100.0, arg or None))
        elif "-" in what:
            lo, hi = what.split("-", 1)
            items.append((int(lo), int(hi), None, arg or None))
        else:
            items.append((int(what), int(what), None, arg or None))
    return items


def fault_lookup(items, seed, kind, n):
    """The first item of a parsed spec matching request number n, or None."""
    for lo, hi, p, arg in items:
        if p is None and lo <= n <= hi:
            return (arg,)
        if p is not None and fault_hit(seed, kind, n, p):
            return (arg,)
    return None


# ============================================================ events

_WS = re.compile(r"[ \t\n\r]*")
_DEC = json.JSONDecoder()


def _skip(s, i):
    return _WS.match(s, i).end()


def _array_spans(s, i):
    """s[i] == '[': [(value, exact text)] of its elements and the index after ']'."""
    out = []
    i = _skip(s, i + 1)
    if s[i] == "]":
        return out, i + 1
    while True:
        v, j = _DEC.raw_decode(s, i)
        out.append((v, s[i:j]))
        i = _skip(s, j)
        if s[i] == ",":
            i = _skip(s, i + 1)
        elif s[i] == "]":
            return out, i + 1
        else:
            raise ValueError("expected ',' or ']' at %d" % i)


def _member_spans(s, i, want):
    """s[i] == '{': element spans of the array member `want`, or None."""
    i = _skip(s, i + 1)
    found = None
    while s[i] != "}":
        key, j = _DEC.raw_decode(s, i)
        i = _skip(s, j)
        if s[i] != ":":
            raise ValueError("expected ':' at %d" % i)
        i = _skip(s, i + 1)
        if key == want and s[i] == "[":
            found, i = _array_spans(s, i)
        else:
            _, i = _DEC.raw_decode(s, i)
        i = _skip(s, i)
        if s[i] == ",":
            i = _skip(s, i + 1)
    return found


def record_texts(text):
    """All CloudTrail records of one file as [(record dict, exact JSON text)]."""
    text = text.lstrip("\ufeff")
    i = _skip(text, 0)
    if i == len(text):
        return []
    if text[i] == "[":
        return [(v, t) for v, t in _array_spans(text, i)[0] if isinstance(v, dict)]
    first, end = _DEC.raw_decode(text, i)
    if isinstance(first, dict) and _skip(text, end) == len(text):
        if isinstance(first.get("Records"), list):
            return _member_spans(text, i, "Records")
        if isinstance(first.get("Events"), list):  # a LookupEvents response
            out = []
            for e in first["Events"]:
                t = e.get("CloudTrailEvent")
                if isinstance(t, str):
                    out.append((json.loads(t), t))
            return out
    out = []  # JSON Lines / concatenated records
    while i < len(text):
        v, j = _DEC.raw_decode(text, i)
        if isinstance(v, dict):
            out.append((v, text[i:j]))
        i = _skip(text, j)
    return out


def read_event_file(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return record_texts(data.decode("utf-8"))


def event_files(path):
    if not os.path.isdir(path):
        return [(path, True)]
    out = []
    for root, dirs, files in os.walk(path, followlinks=True):
        dirs.sort()
        if "CloudTrail-Digest" in root.split(os.sep):
            continue
        for fn in sorted(files):
            if fn.endswith((".json", ".json.gz", ".jsonl", ".ndjson", ".gz")):
                out.append((os.path.join(root, fn), False))
    return out


def _category(rec):
    c = rec.get("eventCategory")
    if isinstance(c, str) and c:
        return c.capitalize() if c.lower() in ("management", "data", "insight") else c
    if rec.get("eventType") == "AwsCloudTrailInsight":
        return "Insight"
    if rec.get("managementEvent") is False:
        return "Data"
    return "Management"


def lookup_username(rec):
    ui = rec.get("userIdentity") or {}
    t = ui.get("type")
    arn = ui.get("arn") or ""
    if t in ("AssumedRole", "FederatedUser") and "/" in arn:
        return arn.rsplit("/", 1)[1]
    if t == "Root":
        return ui.get("userName") or "root"
    return ui.get("userName")


class Event:
    """One served event: the fields LookupEvents filters on and its JSON text."""
    __slots__ = ("id", "t", "region", "account", "category", "attrs", "json")

    def __init__(self, rec, text):
        self.id = rec["eventID"]
        self.t = parse_iso(rec["eventTime"])
        self.region = rec.get("awsRegion")
        ui = rec.get("userIdentity") or {}
        self.account = rec.get("recipientAccountId") or ui.get("accountId")
        self.category = _category(rec)
        ins = rec.get("insightDetails") or {}
        name = rec.get("eventName") or ins.get("eventName")
        source = rec.get("eventSource") or ins.get("eventSource")
        ro = "true" if rec.get("readOnly") in (True, "true") else "false"
        key = ui.get("accessKeyId") or None
        user = lookup_username(rec) if self.category != "Insight" else None
        res = []
        for r in rec.get("resources") or []:
            if isinstance(r, dict):
                item = {}
                if r.get("type"):
                    item["ResourceType"] = r["type"]
                if r.get("ARN"):
                    item["ResourceName"] = r["ARN"]
                res.append(item)
        self.attrs = {"EventId": [self.id], "EventName": [name], "ReadOnly": [ro],
                      "Username": [user], "EventSource": [source], "AccessKeyId": [key],
                      "ResourceType": [r.get("ResourceType") for r in res],
                      "ResourceName": [r.get("ResourceName") for r in res]}
        enc = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))
        parts = ['"EventId":' + enc(self.id)]
        if name is not None:
            parts.append('"EventName":' + enc(name))
        parts.append('"ReadOnly":' + enc(ro))
        if key:
            parts.append('"AccessKeyId":' + enc(key))
        parts.append('"EventTime":' + java_double(self.t))
        if source is not None:
            parts.append('"EventSource":' + enc(source))
        if user:
            parts.append('"Username":' + enc(user))
        parts.append('"Resources":' + enc(res))
        parts.append('"CloudTrailEvent":' + enc(text))
        self.json = "{" + ",".join(parts) + "}"


def load_events(paths):
    seen = {}
    for p in paths:
        for f, named in event_files(p):
            try:
                recs = read_event_file(f)
            except (OSError, ValueError, EOFError, UnicodeDecodeError) as e:
                if named:
                    sys.exit("fake_aws: cannot read events from '%s': %s" % (f, e))
                print("fake_aws: warning: skipping '%s': %s" % (f, e), file=sys.stderr)
                continue
            for rec, text in recs:
                if not isinstance(rec.get("eventID"), str) or not isinstance(rec.get("eventTime"), str):
                    continue
                if rec["eventID"] in seen:
                    continue
                try:
                    seen[rec["eventID"]] = Event(rec, text)
                except ValueError as e:
                    print("fake_aws: warning: '%s': event %s: %s" % (f, rec["eventID"], e),
                          file=sys.stderr)
    evs = list(seen.values())
    evs.sort(key=lambda e: e.id)
    evs.sort(key=lambda e: e.t, reverse=True)  # newest first, ties by eventID
    return evs


# ============================================================ server state

class Cred:
    __slots__ = ("ak", "secret", "token", "expires", "arn", "account", "user_id")

    def __init__(self, ak, secret, token, expires, arn, account, user_id):
        self.ak, self.secret, self.token, self.expires = ak, secret, token, expires
        self.arn, self.account, self.user_id = arn, account, user_id


class ApiError(Exception):
    def __init__(self, status, type_, message):
        super().__init__(message)
        self.status, self.type, self.message = status, type_, message


class State:
    def __init__(self, opts):
        self.o = opts
        self.lock = threading.Lock()
        self.start_mono = time.monotonic()
        self.rng = random.Random(opts.seed)
        self.token_key = hashlib.sha256(("fake-aws-next-token:%s" % opts.seed).encode()).digest()
        self.creds = {}
        for spec in opts.cred:
            parts = spec.split(":", 2)
            if len(parts) < 2 or not parts[0] or not parts[1]:
                sys.exit("fake_aws: --cred wants ACCESS_KEY:SECRET[:SESSION_TOKEN], got '%s'" % spec)
            ak = parts[0]
            self.creds[ak] = Cred(ak, parts[1], parts[2] if len(parts) > 2 and parts[2] else None,
                                  None, "arn:aws:iam::%s:user/trailsift-test" % opts.account,
                                  opts.account, "AIDA" + hashlib.sha1(ak.encode()).hexdigest()[:17].upper())
        self.deny = set(opts.deny_key)
        self.expired = set(opts.expired_key)
        self.roles = set(opts.role)
        self.events = load_events(opts.events)
        self.public_keys = []
        self.s3_signatures = {}
        if opts.s3_signatures:
            with open(opts.s3_signatures, encoding="utf-8") as f:
                self.s3_signatures = json.load(f)
        if opts.public_keys:
            with open(opts.public_keys, encoding="utf-8") as f:
                self.public_keys = json.load(f)
        self.now = parse_iso(opts.now) if opts.now else time.time()
        self.n = 0
        self.scope_n = collections.Counter()
        self.windows = collections.defaultdict(collections.deque)
        self.imds_tokens = {}
        self.log = open(opts.log, "a", encoding="utf-8") if opts.log else None
        self.faults = {
            "fail-5xx": parse_fault_spec(opts.fail_5xx or "", "fail-5xx", False),
            "drop": parse_fault_spec(opts.drop or "", "drop", False),
            "slow": parse_fault_spec(opts.slow or "", "slow", True),
            "cut": parse_fault_spec(opts.cut or "", "cut", False),
        }

    def rand(self, alphabet, n):
        with self.lock:
            return "".join(self.rng.choice(alphabet) for _ in range(n))

    def issue(self, arn, account, role_name, session):
        """New temporary credentials (ASIA...), known from now on."""
        ak = "ASIA" + self.rand("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
        secret = self.rand("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40)
        token = "IQoJb3JpZ2luX2VjE" + self.rand(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 300) + "=="
        role_id = "AROA" + hashlib.sha1(arn.encode()).hexdigest()[:17].upper()
        c = Cred(ak, secret, token, time.time() + self.o.sts_duration,
                 "arn:aws:sts::%s:assumed-role/%s/%s" % (account, role_name, session),
                 account, "%s:%s" % (role_id, session))
        with self.lock:
            self.creds[ak] = c
        return c

    def admit(self, ak, region):
        """Sliding-window rate limit; True when the request may proceed."""
        if self.o.rate <= 0:
            return True
        limit = math.ceil(self.o.rate)
        now = time.monotonic()
        with self.lock:
            w = self.windows[(ak, region)]
            while w and w[0] <= now - 1.0:
                w.popleft()
            if len(w) >= limit:
                return False
            w.append(now)
            return True

    def write_log(self, entry):
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        with self.lock:
            if self.log:
                self.log.write(line + "\n")
                self.log.flush()
        if self.o.verbose:
            print("fake_aws: " + line[:300], file=sys.stderr, flush=True)


S = None  # the State, set in main()


# ============================================================ request handling

def _xml_escape(s):
    return (str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-aws"
    sys_version = ""

    def log_message(self, fmt, *args):  # the JSON log replaces http.server's
        pass

    def version_string(self):
        return self.server_version

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET

    # ---------------------------------------------------------------- plumbing

    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(16)
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        if n > 64 * 1024 * 1024:
            raise ValueError("body too large")
        return self.rfile.read(n) if n > 0 else b""

    def header_list(self):
        return list(self.headers.items())

    def classify(self, path, query):
        o = S.o
        if o.container_path and path == o.container_path:
            return "container"
        if path.startswith("/latest/"):
            return "imds"
        m = re.search(r"Credential=[^/]*/[^/]*/[^/]*/([^/,\s]*)", self.headers.get("Authorization") or "")
        if o.s3_root and (self.command in ("GET", "HEAD") and (not m or m.group(1) == "s3")):
            return "s3"
        if self.headers.get("X-Amz-Target") is not None:
            return "cloudtrail"
        ctype = (self.headers.get("Content-Type") or "").lower()
        params = self.form_params(query)
        if "Action" in params:
            return "sts"
        auth = self.headers.get("Authorization") or ""
        m = re.search(r"Credential=[^/]*/[^/]*/[^/]*/([^/,\s]*)", auth)
        if m and m.group(1) == "sts":
            return "sts"
        if self.command == "POST" and path == "/":
            return "sts" if "x-www-form-urlencoded" in ctype else "cloudtrail"
        return "unknown"

    def form_params(self, query):
        params = {}
        for src in (query, self.body.decode("utf-8", "replace")
                    if "x-www-form-urlencoded" in (self.headers.get("Content-Type") or "").lower()
                    else ""):
            for k, v in urllib.parse.parse_qsl(src, keep_blank_values=True):
                params[k] = v
        return params

    def reply(self, status, body, ctype, extra=()):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.entry["status"] = status

    def dispatch(self):
        arrival = time.time()
        mono = time.monotonic() - S.start_mono
        try:
            self.body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        raw_path, raw_query = split_target(self.path.encode("latin-1"))
        path = raw_path.decode("utf-8", "replace")
        query = raw_query.decode("utf-8", "replace")
        service = self.classify(path, query)
        with S.lock:
            S.n += 1
            n = S.n
            S.scope_n[service] += 1
            scope_n = S.scope_n[service] if S.o.fault_scope != "all" else n
        auth = self.headers.get("Authorization") or ""
        m = re.search(r"Credential=([^/,\s]*)/[^/]*/([^/,\s]*)/", auth)
        self.entry = {
            "n": n, "scope_n": scope_n, "time": round(arrival, 6), "mono": round(mono, 6),
            "method": self.command, "path": self.path, "service": service,
            "target": self.headers.get("X-Amz-Target"),
            "region": m.group(2) if m else None, "access_key_id": m.group(1) if m else None,
            "status": None, "error": None, "body": None, "fault": None, "events": None,
            "next_token": None, "issued_key": None, "client_port": self.client_address[1],
            "user_agent": self.headers.get("User-Agent"), "duration": None,
        }
        self.entry["body"] = self.parsed_body(service, query)
        if service == "s3":
            self.s3_target(path)  # faults are logged with the operation they hit
        try:
            if not self.inject_faults(service, scope_n):
                getattr(self, "serve_" + service)(path, query)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # a bug here must not look like a network error
            import traceback
            traceback.print_exc()
            try:
                self.entry["error"] = "InternalFailure"
                self.reply(500, json.dumps({"__type": "InternalFailure", "message": repr(e)}),
                           "application/x-amz-json-1.1")
            except OSError:
                self.close_connection = True
        self.entry["duration"] = round(time.time() - arrival, 6)
        S.write_log(self.entry)

    def parsed_body(self, service, query):
        if service == "sts":
            return self.form_params(query) or None
        if not self.body:
            return None
        text = self.body.decode("utf-8", "replace")
        try:
            return json.loads(text)
        except ValueError:
            return text

    def inject_faults(self, service, n):
        """Drop / slow / 5xx for this request number; True when answered (or dropped)."""
        o = S.o
        if o.fault_scope not in ("all", service):
            return False
        notes = []
        if fault_lookup(S.faults["drop"], o.seed, "drop", n):
            self.entry["fault"] = "drop"
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        hit = fault_lookup(S.faults["slow"], o.seed, "slow", n)
        if hit:
            secs = float(hit[0])
            notes.append("slow:%g" % secs)
            self.entry["fault"] = ",".join(notes)
            time.sleep(secs)
        hit = fault_lookup(S.faults["fail-5xx"], o.seed, "fail-5xx", n)
        if hit:
            code = int(hit[0] or 500)
            notes.append("5xx:%d" % code)
            self.entry["fault"] = ",".join(notes)
            type_ = "ServiceUnavailable" if code == 503 else "InternalFailure"
            self.entry["error"] = type_
            if service == "sts":
                self.reply(code, sts_error_xml("Receiver", type_, type_), "text/xml")
            elif service == "cloudtrail":
                self.reply(code, json.dumps({"__type": type_}), CT_CONTENT_TYPE,
                           [("x-amzn-ErrorType", type_)])
            elif service == "s3":
                self.s3_error(ApiError(code, "SlowDown" if code == 503 else "InternalError",
                                       "Please reduce your request rate." if code == 503
                                       else "We encountered an internal error. Please try again."))
            else:
                self.reply(code, type_, "text/plain")
            return True
        return False

    def serve_unknown(self, path, query):
        self.entry["error"] = "NotFound"
        self.reply(404, "not found\n", "text/plain")

    # ---------------------------------------------------------------- SigV4

    def authenticate(self, service, normalize=True, payload_hash=None, encode_once=False):
        """Returns the Cred; raises AuthError subclasses mapped by the caller as
        ApiError-like tuples: (kind, message)."""
        headers = self.header_list()
        if get_header(headers, "authorization") is None:
            raise AuthError("missing", "Missing Authentication Token")
        a = parse_authorization(get_header(headers, "authorization"))
        cred = S.creds.get(a["access_key"])
        if cred is None:
            raise AuthError("unknown-key", "The security token included in the request is invalid.")
        token = get_header(headers, "x-amz-security-token")
        if a["access_key"] in S.expired or (cred.expires is not None and time.time() >= cred.expires):
            raise AuthError("expired-token", "The security token included in the request is expired")
        if (cred.token or None) != (token or None):
            raise AuthError("bad-token", "The security token included in the request is invalid.")
        if a["terminator"] != "aws4_request":
            raise AuthError("signature", "Credential should be scoped with a valid terminator: "
                            "'aws4_request', not '%s'." % a["terminator"])
        if a["service"] != service:
            raise AuthError("signature", "Credential should be scoped to correct service: '%s'. "
                            % service)
        if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d+", a["region"]):
            raise AuthError("signature", "Credential should be scoped to a valid region. ")
        if "host" not in a["signed"]:
            raise AuthError("signature", "'Host' or ':authority' must be a 'SignedHeader' in the "
                            "AWS Authorization.")
        amz_date = get_header(headers, "x-amz-date")
        if amz_date is None and get_header(headers, "date") is not None:
            try:
                amz_date = dt.datetime.strptime(get_header(headers, "date"), "%a, %d %b %Y %H:%M:%S GMT"
                                                ).strftime("%Y%m%dT%H%M%SZ")
            except ValueError:
                raise AuthError("incomplete", "Date header is not valid: '%s'" % get_header(headers, "date"))
        if amz_date is not None:
            if not re.fullmatch(r"\d{8}T\d{6}Z", amz_date):
                raise AuthError("incomplete", "X-Amz-Date must be in the ISO8601 Long Format "
                                "\"yyyyMMdd'T'HHmmss'Z'\"")
            if amz_date[:8] != a["date"]:
                raise AuthError("signature", "Date in Credential scope does not match YYYYMMDD "
                                "from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'."
                                % (a["date"], amz_date[:8], amz_date))
            if not S.o.clock_skew_ok:
                t = dt.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
                    tzinfo=dt.timezone.utc).timestamp()
                now = time.time()
                fmt = lambda x: time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(x))
                if t < now - MAX_SKEW:
                    raise AuthError("signature", "Signature expired: %s is now earlier than %s (%s - 5 min.)"
                                    % (amz_date, fmt(now - MAX_SKEW), fmt(now)))
                if t > now + MAX_SKEW:
                    raise AuthError("signature", "Signature not yet current: %s is still later than %s (%s + 5 min.)"
                                    % (amz_date, fmt(now + MAX_SKEW), fmt(now)))
        ok, creq, sts, _, _ = verify_signature(self.command, self.path.encode("latin-1"),
                                               headers, self.body, cred.secret, normalize,
                                               payload_hash, encode_once)
        if not ok:
            raise AuthError("signature", "The request signature we calculated does not match the "
                            "signature you provided. Check your AWS Secret Access Key and signing "
                            "method. Consult the service documentation for details.\n\nThe Canonical "
                            "String for this request should have been\n'%s'\n\nThe String-to-Sign "
                            "should have been\n'%s'\n" % (creq, sts))
        return cred

    # ---------------------------------------------------------------- CloudTrail

    def ct_error(self, e):
        t = e.type
        self.entry["error"] = t
        full = t if "#" in t or not S.o.namespaced_errors else CT_NAMESPACE + t
        hdr = t + ":http://internal.amazon.com/coral/com.amazon.coral.service/" \
            if S.o.namespaced_errors else t
        body = {"__type": full}
        if e.message is not None:
            body["message"] = e.message
        self.reply(e.status, json.dumps(body, ensure_ascii=False), CT_CONTENT_TYPE,
                   [("x-amzn-ErrorType", hdr)])

    def serve_cloudtrail(self, path, query):
        try:
            self.cloudtrail(path)
        except ApiError as e:
            self.ct_error(e)

    def cloudtrail(self, path):
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != CT_CONTENT_TYPE:
            if S.o.wrong_content_type_200:
                self.entry["error"] = "UnknownOperationException"
                self.reply(200, '{"Output":{"__type":"com.amazon.coral.service#UnknownOperationException"},'
                           '"Version":"1.0"}', "application/json")
                return
            raise ApiError(400, "UnknownOperationException", None)
        target = self.headers.get("X-Amz-Target")
        if self.command != "POST" or target not in (CT_TARGET, CT_KEYS_TARGET):
            raise ApiError(400, "UnknownOperationException", None)
        auth_map = {"missing": (400, "MissingAuthenticationTokenException"),
                    "incomplete": (400, "IncompleteSignatureException"),
                    "unknown-key": (400, "UnrecognizedClientException"),
                    "bad-token": (400, "UnrecognizedClientException"),
                    "expired-token": (400, "ExpiredTokenException"),
                    "signature": (400, "InvalidSignatureException")}
        try:
            cred = self.authenticate("cloudtrail")
        except AuthError as e:
            status, t = auth_map[e.kind]
            raise ApiError(status, t, e.message)
        region = self.entry["region"]
        if cred.ak in S.deny:
            raise ApiError(400, "AccessDeniedException",
                           "User: %s is not authorized to perform: cloudtrail:LookupEvents because "
                           "no identity-based policy allows the cloudtrail:LookupEvents action" % cred.arn)
        if not S.admit(cred.ak, region):
            raise ApiError(400, "ThrottlingException", "Rate exceeded")
        req = self.entry["body"]
        if req is None:
            req = {}
        if not isinstance(req, dict):
            raise ApiError(400, "SerializationException", "Start of structure or map found where not expected.")
        if target == CT_KEYS_TARGET:
            self.list_public_keys(req)
            return
        self.lookup(req, region, cred)

    def list_public_keys(self, req):
        now = time.time()
        start, end = req.get("StartTime", now), req.get("EndTime", now)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (start, end)):
            raise ApiError(400, "SerializationException", "StartTime and EndTime must be numbers")
        if start > end:
            raise ApiError(400, "InvalidTimeRangeException", "Start time is after end time.")
        keys = [k for k in S.public_keys
                if k["ValidityStartTime"] <= end and k["ValidityEndTime"] >= start]
        self.entry["events"] = len(keys)
        self.reply(200, json.dumps({"PublicKeyList": keys}), CT_CONTENT_TYPE)

    def lookup(self, req, region, cred):
        def number(name):
            v = req.get(name)
            if v is None:
                return None
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ApiError(400, "SerializationException",
                               "class java.lang.String can not be converted to an Double"
                               if isinstance(v, str) else "Invalid value for %s" % name)
            return v

        attrs = req.get("LookupAttributes")
        if attrs is not None and not isinstance(attrs, list):
            raise ApiError(400, "SerializationException", "Start of list found where not expected")
        attrs = attrs or []
        category = req.get("EventCategory")
        if category is not None and category != "insight":
            raise ApiError(400, "InvalidEventCategoryException",
                           "Event category is not valid. Valid values: insight")
        if len(attrs) > 1:
            raise ApiError(400, "InvalidLookupAttributesException",
                           "You can specify at most one lookup attribute.")
        attr = None
        if attrs:
            a = attrs[0]
            if not isinstance(a, dict):
                raise ApiError(400, "SerializationException", "Start of structure or map found where not expected.")
            key, value = a.get("AttributeKey"), a.get("AttributeValue")
            allowed = INSIGHT_ATTRIBUTE_KEYS if category == "insight" else ATTRIBUTE_KEYS
            if key not in allowed:
                raise ApiError(400, "InvalidLookupAttributesException",
                               "Lookup attribute key is not valid: %s" % key)
            if not isinstance(value, str) or not 1 <= len(value) <= 2000:
                raise ApiError(400, "InvalidLookupAttributesException",
                               "Lookup attribute value is not valid.")
            attr = (key, value)
        start, end = number("StartTime"), number("EndTime")
        now = S.now
        start = now - RETENTION if start is None else float(start)
        end = now if end is None else float(end)
        if start > end:
            raise ApiError(400, "InvalidTimeRangeException",
                           "Start time must be earlier than or equal to end time.")
        mr = number("MaxResults")
        if mr is not None:
            if mr != int(mr):
                raise ApiError(400, "SerializationException", "Invalid value for MaxResults")
            mr = int(mr)
            if not 1 <= mr <= 50:
                raise ApiError(400, "InvalidMaxResultsException",
                               "A max results value of %d is invalid. Specify max results "
                               "between 1 and 50." % mr)
        size = mr or 50
        if S.o.page_size_cap:
            size = min(size, S.o.page_size_cap)

        account = cred.account if S.o.per_account else None
        qhash = hashlib.sha256(json.dumps([region, account, attr, start, end, category]).encode()
                               ).hexdigest()[:24]
        lo, hi = max(start, now - RETENTION), min(end, now)
        want_cat = "Insight" if category == "insight" else "Management"
        matched = [e for e in S.events
                   if e.region == region and e.category == want_cat and lo <= e.t <= hi
                   and (account is None or e.account == account)
                   and (attr is None or attr[1] in e.attrs[attr[0]])]
        offset = 0
        tok = req.get("NextToken")
        if tok is not None:
            offset = self.read_token(tok, qhash, len(matched))
        page = matched[offset:offset + size]
        nxt = offset + len(page)
        token = None
        if nxt < len(matched) or (S.o.empty_final_page and page):
            token = self.make_token(nxt, qhash)
        body = '{"Events":[' + ",".join(e.json for e in page) + "]"
        if token:
            body += ',"NextToken":' + json.dumps(token)
        body += "}"
        self.entry["events"] = len(page)
        self.entry["next_token"] = token is not None
        self.reply(200, body, CT_CONTENT_TYPE)

    def make_token(self, offset, qhash):
        payload = "%d.%s" % (offset, qhash)
        mac = hmac.new(S.token_key, payload.encode(), hashlib.sha256).hexdigest()
        return base64.b64encode(("%s.%s" % (payload, mac)).encode()).decode()

    def read_token(self, tok, qhash, total):
        bad = ApiError(400, "InvalidNextTokenException", "Invalid NextToken. Use the NextToken "
                       "returned by the previous call with the same parameters.")
        try:
            off, h, mac = base64.b64decode(tok, validate=True).decode().split(".")
            want = hmac.new(S.token_key, ("%s.%s" % (off, h)).encode(), hashlib.sha256).hexdigest()
            off = int(off)
        except (ValueError, TypeError, UnicodeDecodeError):
            raise bad
        if not hmac.compare_digest(mac, want) or h != qhash or not 0 <= off <= total:
            raise bad
        return off

    # ---------------------------------------------------------------- STS

    # ---------------------------------------------------------------- S3

    def s3_error(self, e, extra=()):
        self.entry["error"] = e.type
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>'
                '%s<RequestId>%s</RequestId></Error>'
                % (e.type, _xml_escape(e.message or ""),
                   "<Region>%s</Region>" % S.o.s3_region if e.type == "AuthorizationHeaderMalformed"
                   else "", uuid.uuid4().hex[:16].upper()))
        self.reply(e.status, body, "application/xml",
                   [("x-amz-bucket-region", S.o.s3_region)] + list(extra))

    def serve_s3(self, path, query):
        try:
            self.s3(path, query)
        except ApiError as e:
            self.s3_error(e)

    def s3_target(self, path):
        """(bucket, key) of a request; names its operation in the log."""
        raw = urllib.parse.unquote_to_bytes(path).decode("utf-8", "replace")
        bucket, _, key = raw.lstrip("/").partition("/")
        if key:
            self.entry["target"] = "HeadObject" if self.command == "HEAD" else "GetObject"
            self.entry["key"] = key
        else:
            self.entry["target"] = "HeadBucket" if self.command == "HEAD" else "ListObjectsV2"
        return bucket, key

    def s3(self, path, query):
        auth_map = {"missing": (403, "AccessDenied"), "incomplete": (400, "AuthorizationHeaderMalformed"),
                    "unknown-key": (403, "InvalidAccessKeyId"), "bad-token": (400, "InvalidToken"),
                    "expired-token": (400, "ExpiredToken"), "signature": (403, "SignatureDoesNotMatch")}
        bucket, key = self.s3_target(path)
        content_sha = self.headers.get("x-amz-content-sha256")
        if content_sha is None:
            raise ApiError(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
        if content_sha not in ("UNSIGNED-PAYLOAD", hashlib.sha256(self.body).hexdigest()):
            raise ApiError(400, "XAmzContentSHA256Mismatch",
                           "The provided 'x-amz-content-sha256' header does not match what was computed.")
        try:
            # S3 signs the header's value as the payload hash, and the path as sent,
            # encoded once (not normalised, not encoded again)
            cred = self.authenticate("s3", normalize=False, payload_hash=content_sha,
                                     encode_once=True)
        except AuthError as e:
            status, t = auth_map[e.kind]
            raise ApiError(status, t, e.message)
        a = parse_authorization(self.headers.get("Authorization"))
        if a["region"] != S.o.s3_region:
            raise ApiError(400, "AuthorizationHeaderMalformed",
                           "The authorization header is malformed; the region '%s' is wrong; "
                           "expecting '%s'" % (a["region"], S.o.s3_region))
        bucket_dir = os.path.join(S.o.s3_root, bucket)
        if not bucket or "/" in bucket or bucket.startswith(".") or not os.path.isdir(bucket_dir):
            raise ApiError(404, "NoSuchBucket", "The specified bucket does not exist")
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        self.entry["body"] = params or None
        if not key:
            if self.command == "HEAD":
                self.reply(200, b"", "application/xml", [("x-amz-bucket-region", S.o.s3_region)])
                return
            self.s3_list_objects(bucket, bucket_dir, params)
            return
        objects = {}
        full = os.path.realpath(os.path.join(bucket_dir, key))
        if full.startswith(os.path.realpath(bucket_dir) + os.sep) and os.path.isfile(full):
            objects[key] = full
        if key not in objects:
            raise ApiError(404, "NoSuchKey", "The specified key does not exist.")
        if self.command == "GET" and key in S.o.s3_deny:
            raise ApiError(403, "AccessDenied", "Access Denied")
        with open(objects[key], "rb") as f:
            data = f.read()
        etag = '"%s"' % hashlib.md5(data).hexdigest()
        match = self.headers.get("If-Match")
        if match is not None and match.strip() not in (etag, "*"):
            raise ApiError(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
        hdrs = [("ETag", etag), ("Last-Modified", time.strftime(
                    "%a, %d %b %Y %H:%M:%S GMT", time.gmtime(os.path.getmtime(objects[key])))),
                ("x-amz-bucket-region", S.o.s3_region), ("x-amz-meta-source", "fake_aws")]
        if key in S.s3_signatures:  # a CloudTrail digest object's metadata
            hdrs += [("x-amz-meta-signature", S.s3_signatures[key]),
                     ("x-amz-meta-signature-algorithm", "SHA256withRSA")]
        status, first = 200, 0
        rng = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if rng and self.command == "GET":
            first = int(rng.group(1))
            if first >= len(data):
                raise ApiError(416, "InvalidRange", "The requested range is not satisfiable")
            status = 206
            hdrs.append(("Content-Range", "bytes %d-%d/%d" % (first, len(data) - 1, len(data))))
        body = data[first:]
        if self.command == "GET" and fault_lookup(S.faults["cut"], S.o.seed, "cut", self.entry["scope_n"]):
            self.entry["fault"] = "cut"
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            for k, v in hdrs:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.reply(status, body, "application/octet-stream", hdrs)

    def s3_list_objects(self, bucket, bucket_dir, params):
        if params.get("list-type") != "2":
            raise ApiError(400, "InvalidArgument", "only ListObjectsV2 (list-type=2) is served here")
        try:
            max_keys = int(params.get("max-keys", "1000"))
        except ValueError:
            raise ApiError(400, "InvalidArgument", "Provided max-keys not an integer or within integer range")
        objects = s3_objects(bucket_dir)
        prefix = params.get("prefix", "")
        contents, prefixes, token = s3_list(objects, prefix, params.get("delimiter", ""),
                                            params.get("start-after", ""),
                                            params.get("continuation-token", ""), min(max_keys, 1000))
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                 '<Name>%s</Name><Prefix>%s</Prefix><KeyCount>%d</KeyCount><MaxKeys>%d</MaxKeys>'
                 '<IsTruncated>%s</IsTruncated>'
                 % (_xml_escape(bucket), _xml_escape(prefix), len(contents) + len(prefixes), max_keys,
                    "true" if token else "false")]
        if token:
            parts.append("<NextContinuationToken>%s</NextContinuationToken>" % token)
        for k in contents:
            st = os.stat(objects[k])
            parts.append("<Contents><Key>%s</Key><LastModified>%s</LastModified><ETag>%s</ETag>"
                         "<Size>%d</Size><StorageClass>STANDARD</StorageClass></Contents>"
                         % (_xml_escape(k), time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(st.st_mtime)),
                            _xml_escape(s3_etag(objects[k])), st.st_size))
        for cp in prefixes:
            parts.append("<CommonPrefixes><Prefix>%s</Prefix></CommonPrefixes>" % _xml_escape(cp))
        parts.append("</ListBucketResult>")
        self.entry["events"] = len(contents)
        self.reply(200, "".join(parts), "application/xml", [("x-amz-bucket-region", S.o.s3_region)])

    def serve_sts(self, path, query):
        params = self.form_params(query)
        action = params.get("Action")
        self.entry["target"] = action
        status_map = {"missing": (403, "MissingAuthenticationToken"),
                      "incomplete": (400, "IncompleteSignature"),
                      "unknown-key": (403, "InvalidClientTokenId"),
                      "bad-token": (403, "InvalidClientTokenId"),
                      "expired-token": (400, "ExpiredToken"),
                      "signature": (403, "SignatureDoesNotMatch")}
        try:
            try:
                cred = self.authenticate("sts")
            except AuthError as e:
                status, code = status_map[e.kind]
                msg = "Request is missing Authentication Token" if e.kind == "missing" else e.message
                raise ApiError(status, code, msg)
            ver = params.get("Version")
            if ver is not None and ver != "2011-06-15":
                raise ApiError(400, "InvalidAction", "Could not find operation %s for version %s"
                               % (action, ver))
            if action == "GetCallerIdentity":
                self.reply(200, sts_response("GetCallerIdentity",
                                             "<Arn>%s</Arn><UserId>%s</UserId><Account>%s</Account>"
                                             % (_xml_escape(cred.arn), _xml_escape(cred.user_id),
                                                cred.account)), "text/xml")
            elif action == "AssumeRole":
                self.assume_role(params, cred)
            else:
                raise ApiError(400, "InvalidAction", "Could not find operation %s for version %s"
                               % (action, ver or "2011-06-15"))
        except ApiError as e:
            self.entry["error"] = e.type
            self.reply(e.status, sts_error_xml("Sender", e.type, e.message), "text/xml")

    def assume_role(self, params, cred):
        arn, session = params.get("RoleArn"), params.get("RoleSessionName")
        errs = []
        if not arn:
            errs.append("Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
        if not session:
            errs.append("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
        elif not re.fullmatch(r"[\w+=,.@-]{2,64}", session):
            errs.append("Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must "
                        "satisfy regular expression pattern: [\\w+=,.@-]*" % session)
        dur = params.get("DurationSeconds")
        if dur is not None and (not dur.isdigit() or not 900 <= int(dur) <= 43200):
            errs.append("Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must "
                        "have value between 900 and 43200" % dur)
        if errs:
            raise ApiError(400, "ValidationError", "%d validation error%s detected: %s"
                           % (len(errs), "s" if len(errs) > 1 else "", "; ".join(errs)))
        m = re.fullmatch(r"arn:aws[\w-]*:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)", arn)
        if arn not in S.roles or not m:
            raise ApiError(403, "AccessDenied", "User: %s is not authorized to perform: "
                           "sts:AssumeRole on resource: %s" % (cred.arn, arn))
        c = S.issue(arn, m.group(1), m.group(2), session)
        self.entry["issued_key"] = c.ak
        self.reply(200, sts_response(
            "AssumeRole",
            "<AssumedRoleUser><AssumedRoleId>%s</AssumedRoleId><Arn>%s</Arn></AssumedRoleUser>"
            "<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
            "<SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>"
            % (_xml_escape(c.user_id), _xml_escape(c.arn), c.ak, _xml_escape(c.secret),
               _xml_escape(c.token), iso_z(c.expires))), "text/xml")

    # ---------------------------------------------------------------- container

    def serve_container(self, path, query):
        if self.command != "GET":
            self.entry["error"] = "MethodNotAllowed"
            self.reply(405, "method not allowed\n", "text/plain")
            return
        o = S.o
        if o.container_auth is not None and self.headers.get("Authorization") != o.container_auth:
            self.entry["error"] = "Unauthorized"
            self.reply(401, json.dumps({"message": "Unauthorized: invalid Authorization token"}),
                       "application/json")
            return
        role = o.container_role or "arn:aws:iam::%s:role/trailsift-task" % o.account
        m = re.fullmatch(r"arn:aws[\w-]*:iam::(\d{12}):role/(?:.*/)?([^/]+)", role)
        account, name = (m.group(1), m.group(2)) if m else (o.account, "trailsift-task")
        c = S.issue(role, account, name, S.rand("0123456789abcdef", 32))
        self.entry["issued_key"] = c.ak
        self.reply(200, json.dumps({"RoleArn": role, "AccessKeyId": c.ak,
                                    "SecretAccessKey": c.secret, "Token": c.token,
                                    "Expiration": iso_z(c.expires)}), "application/json")

    # ---------------------------------------------------------------- IMDS

    def serve_imds(self, path, query):
        o = S.o
        if path == "/latest/api/token":
            if self.command != "PUT":
                self.entry["error"] = "MethodNotAllowed"
                self.reply(405, "", "text/plain")
                return
            if self.headers.get("X-Forwarded-For") is not None:
                self.entry["error"] = "Forbidden"
                self.reply(403, "", "text/plain")
                return
            ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds") or ""
            if not ttl.strip().isdigit() or not 1 <= int(ttl) <= 21600:
                self.entry["error"] = "BadRequest"
                self.reply(400, "", "text/plain")
                return
            tok = "AQAEA" + S.rand("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", 51) + "=="
            with S.lock:
                S.imds_tokens[tok] = time.time() + int(ttl)
            self.reply(200, tok, "text/plain", [("X-aws-ec2-metadata-token-ttl-seconds", str(int(ttl)))])
            return
        if self.command != "GET":
            self.entry["error"] = "MethodNotAllowed"
            self.reply(405, "", "text/plain")
            return
        tok = self.headers.get("X-aws-ec2-metadata-token")
        valid = tok is not None and S.imds_tokens.get(tok, 0) > time.time()
        if not valid and (tok is not None or not o.imds_v1_ok):
            self.entry["error"] = "Unauthorized"
            self.reply(401, "", "text/plain")
            return
        base = "/latest/meta-data/iam/security-credentials"
        if path in (base, base + "/"):
            self.reply(200, o.imds_role, "text/plain")
        elif path.startswith(base + "/"):
            name = path[len(base) + 1:].rstrip("/")
            if name != o.imds_role:
                self.entry["error"] = "NotFound"
                self.reply(404, "", "text/plain")
                return
            arn = "arn:aws:iam::%s:role/%s" % (o.account, o.imds_role)
            c = S.issue(arn, o.account, o.imds_role, "i-0fake0000000000001")
            self.entry["issued_key"] = c.ak
            self.reply(200, json.dumps({"Code": "Success", "LastUpdated": iso_z(time.time()),
                                        "Type": "AWS-HMAC", "AccessKeyId": c.ak,
                                        "SecretAccessKey": c.secret, "Token": c.token,
                                        "Expiration": iso_z(c.expires)}, indent=2), "text/plain")
        elif path == "/latest/dynamic/instance-identity/document":
            self.reply(200, json.dumps({
                "accountId": o.account, "architecture": "x86_64",
                "availabilityZone": o.imds_region + "a", "imageId": "ami-0fake00000000000001",
                "instanceId": "i-0fake0000000000001", "instanceType": "t3.micro",
                "pendingTime": "2026-11-01T00:00:00Z", "privateIp": "10.0.0.10",
                "region": o.imds_region, "version": "2017-09-30"}, indent=2), "text/plain")
        elif path == "/latest/meta-data/placement/region":
            self.reply(200, o.imds_region, "text/plain")
        else:
            self.entry["error"] = "NotFound"
            self.reply(404, "", "text/plain")


def s3_objects(bucket_dir):
    """{key: path} of the files under a bucket directory."""
    out = {}
    for dirpath, _, files in os.walk(bucket_dir):
        for f in files:
            full = os.path.join(dirpath, f)
            out[os.path.relpath(full, bucket_dir).replace(os.sep, "/")] = full
    return out


def s3_etag(path):
    with open(path, "rb") as f:
        return '"%s"' % hashlib.md5(f.read()).hexdigest()


def s3_token(entry, is_prefix):
    return base64.urlsafe_b64encode(json.dumps([entry, is_prefix]).encode()).decode()


def s3_list(objects, prefix, delimiter, start_after, token, max_keys):
    """ListObjectsV2 over {key: path}: (contents, common_prefixes, next_token)."""
    after, after_prefix = start_after or "", None
    if token:
        t, is_prefix = json.loads(base64.urlsafe_b64decode(token.encode()))
        if is_prefix:
            after_prefix = t
        after = max(after, t)
    contents, prefixes, n = [], [], 0
    for key in sorted(objects, key=lambda k: k.encode("utf-8")):
        if not key.startswith(prefix) or key <= after:
            continue
        if after_prefix and key.startswith(after_prefix):
            continue
        rest = key[len(prefix):]
        if delimiter and delimiter in rest:
            cp = prefix + rest[:rest.index(delimiter) + len(delimiter)]
            if prefixes and prefixes[-1] == cp:
                continue
            if n == max_keys:
                return contents, prefixes, s3_token(*last)
            prefixes.append(cp)
            last = (cp, True)
        else:
            if n == max_keys:
                return contents, prefixes, s3_token(*last)
            contents.append(key)
            last = (key, False)
        n += 1
    return contents, prefixes, None


def sts_response(action, inner):
    return ('<%sResponse xmlns="%s">\n  <%sResult>\n    %s\n  </%sResult>\n  <ResponseMetadata>\n'
            '    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n</%sResponse>\n'
            % (action, STS_NS, action, inner, action, uuid.uuid4(), action))


def sts_error_xml(kind, code, message):
    return ('<ErrorResponse xmlns="%s">\n  <Error>\n    <Type>%s</Type>\n    <Code>%s</Code>\n'
            '    <Message>%s</Message>\n  </Error>\n  <RequestId>%s</RequestId>\n</ErrorResponse>\n'
            % (STS_NS, kind, code, _xml_escape(message), uuid.uuid4()))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


# ============================================================ main

def parse_args(argv):
    p = argparse.ArgumentParser(prog="fake_aws.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    a = p.add_argument
    a("--port", type=int, default=0)
    a("--log")
    a("--max-seconds", type=float, default=300)
    a("--seed", type=int, default=1)
    a("--cred", action="append", default=[])
    a("--deny-key", action="append", default=[])
    a("--expired-key", action="append", default=[])
    a("--account", default="111122223333")
    a("--per-account", action="store_true")
    a("--events", action="append", default=[])
    a("--now")
    a("--rate", type=float, default=2)
    a("--page-size-cap", type=int, default=0)
    a("--empty-final-page", action="store_true")
    a("--clock-skew-ok", action="store_true")
    a("--namespaced-errors", action="store_true")
    a("--wrong-content-type-200", action="store_true")
    a("--fail-5xx")
    a("--drop")
    a("--slow")
    a("--fault-scope", default="cloudtrail",
      choices=["cloudtrail", "sts", "container", "imds", "s3", "all"])
    a("--role", action="append", default=[])
    a("--sts-duration", type=float, default=3600)
    a("--container-path")
    a("--container-auth")
    a("--container-role")
    a("--imds-role", default="trailsift-instance")
    a("--imds-region", default="us-east-1")
    a("--imds-v1-ok", action="store_true")
    a("--s3-root")
    a("--s3-region", default="us-east-1")
    a("--s3-deny", action="append", default=[])
    a("--cut")
    a("--public-keys")
    a("--s3-signatures")
    a("--verbose", action="store_true")
    o = p.parse_args(argv)
    if o.now:
        try:
            parse_iso(o.now)
        except ValueError:
            p.error("--now: not an ISO 8601 time: %r" % o.now)
    for name in ("fail_5xx", "drop", "slow", "cut"):
        try:
            parse_fault_spec(getattr(o, name) or "", name, name == "slow")
        except ValueError as e:
            p.error("--%s: %s" % (name.replace("_", "-"), e))
    return o


def main(argv=None):
    global S
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    S = State(opts)
    server = Server(("127.0.0.1", opts.port), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    if opts.verbose:
        print("fake_aws: %d events loaded" % len(S.events), file=sys.stderr, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    t.start()
    deadline = time.monotonic() + opts.max_seconds if opts.max_seconds > 0 else None
    while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
        stop.wait(0.2 if deadline is None else max(0.0, min(0.2, deadline - time.monotonic())))
    server.shutdown()
    server.server_close()
    if S.log:
        with S.lock:
            S.log.close()
            S.log = None
    return 0


if __name__ == "__main__":
    sys.exit(main())
