#!/usr/bin/env python3
"""test_fake_aws.py - self-test of tests/fake_aws.py (the fake AWS endpoints).

Run: python3 tests/test_fake_aws.py   (stdlib only; about 10 s)
Prints one TAP-style line per check, "ok - ..." or "not ok - ..." (details on
"#" lines below a failure), and exits 1 when any check failed.

1. The SigV4 code against AWS's test suite in $SIGV4_VECTORS (default
   tests/vectors/sigv4, vendored in the repository): for every header-signed case the
   canonical request, string to sign and signature recomputed from the .req
   match .creq/.sts/.authz, the verifier accepts the .authz, our signer
   reproduces it, and a tampered request is rejected. The aws-c-auth-v4 copy
   is checked the same way from header-signed-request.txt.
2. fake_aws.py started as a subprocess on fixtures/sample/AWSLogs with
   --now 2026-11-06T00:00:00Z: paging, filters, every error type, throttling,
   STS AssumeRole, container and IMDS credentials, fault injection, the log,
   SIGTERM and --max-seconds.
"""

import glob
import gzip
import hashlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FAKE = os.path.join(HERE, "fake_aws.py")
sys.path.insert(0, HERE)
import fake_aws as F  # noqa: E402

VEC = os.environ.get("SIGV4_VECTORS") or os.path.join(ROOT, "tests", "vectors", "sigv4")
SAMPLE = os.path.join(ROOT, "fixtures", "sample", "AWSLogs")
NOW = "2026-11-06T00:00:00Z"
NOW_T = F.parse_iso(NOW)
CT = "application/x-amz-json-1.1"
ROLE = "arn:aws:iam::111122223333:role/trailsift-reader"
VEC_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
STS_NS = {"s": F.STS_NS}

failed = 0
count = 0


def check(cond, desc, *detail):
    global failed, count
    count += 1
    if cond:
        print("ok - " + desc)
    else:
        failed += 1
        print("not ok - " + desc)
        for d in detail:
            for line in str(d).splitlines()[:12]:
                print("#   " + line)
    sys.stdout.flush()
    return cond


# ============================================================ 1. SigV4 vectors

def parse_req(data):
    """A raw request file -> (method, target bytes, [(name, value)], body)."""
    head, _, body = data.partition(b"\n\n")
    lines = head.split(b"\n")
    parts = lines[0].decode("utf-8").split(" ")
    method, target = parts[0], " ".join(parts[1:-1])
    headers = []
    for raw in lines[1:]:
        line = raw.decode("utf-8")
        if not line:  # a final newline without a body
            continue
        if line[:1] in (" ", "\t") and headers:  # folded continuation line
            headers[-1] = (headers[-1][0], headers[-1][1] + "\n" + line)
        else:
            n, _, v = line.partition(":")
            headers.append((n, v))
    return method, target.encode("utf-8"), headers, body


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def test_vectors():
    cases = sorted(p for p in glob.glob(os.path.join(VEC, "**", "*.req"), recursive=True)
                   if "aws-c-auth-v4" not in p)
    if not check(len(cases) >= 30, "sigv4 suite found in %s (%d cases)" % (VEC, len(cases))):
        return
    tamper_case = None
    for req in cases:
        d = os.path.dirname(req)
        name = os.path.relpath(d, VEC)
        n = os.path.basename(d)
        method, target, headers, body = parse_req(read(req, "rb"))
        authz = read(os.path.join(d, n + ".authz")).strip()
        a = F.parse_authorization(authz)
        # Headers signed but added by the signer (the session token) are not in
        # the .req: take them from the signed request .sreq.
        have = {h.lower() for h, _ in headers}
        _, _, sheaders, _ = parse_req(read(os.path.join(d, n + ".sreq"), "rb"))
        for h, v in sheaders:
            if h.lower() in a["signed"] and h.lower() not in have:
                headers.append((h, v))
        signed_req = headers + [("Authorization", authz)]
        ok, creq, sts, want, _ = F.verify_signature(method, target, signed_req, body, VEC_SECRET)
        want_creq = read(os.path.join(d, n + ".creq"))
        want_sts = read(os.path.join(d, n + ".sts"))
        check(ok and creq == want_creq and sts == want_sts,
              "sigv4 %s: canonical request, string to sign and signature match" % name,
              "verifier ok=%s creq match=%s sts match=%s" % (ok, creq == want_creq, sts == want_sts),
              "got creq:", creq, "want creq:", want_creq)
        # our signer, from the unsigned request, gives the same Authorization
        token = F.get_header(headers, "x-amz-security-token")
        base = [(h, v) for h, v in headers if h.lower() != "x-amz-security-token"]
        signed = F.sign_request(method, target, base, body, "AKIDEXAMPLE", VEC_SECRET, "us-east-1",
                                "service", amz_date="20150830T123600Z", token=token,
                                sign_token="x-amz-security-token" in a["signed"])
        got = F.get_header(signed, "authorization")
        check(got == authz, "sigv4 %s: signer reproduces the .authz" % name, got, authz)
        if n == "post-x-www-form-urlencoded":
            tamper_case = (method, target, signed_req, body)
    if tamper_case:
        method, target, signed_req, body = tamper_case
        ok = F.verify_signature(method, target, signed_req, body + b"x", VEC_SECRET)[0]
        check(not ok, "sigv4 verifier rejects a tampered body")
        hs = [(h, v + "x") if h.lower() == "content-type" else (h, v) for h, v in signed_req]
        check(not F.verify_signature(method, target, hs, body, VEC_SECRET)[0],
              "sigv4 verifier rejects a tampered signed header")
        check(not F.verify_signature(method, b"/?a=b", signed_req, body, VEC_SECRET)[0],
              "sigv4 verifier rejects a tampered query")
        check(not F.verify_signature(method, target, signed_req, body, VEC_SECRET[:-1] + "Z")[0],
              "sigv4 verifier rejects the wrong secret")
        auth = F.get_header(signed_req, "authorization")
        flipped = auth[:-1] + ("0" if auth[-1] != "0" else "1")
        hs = [(h, flipped) if h.lower() == "authorization" else (h, v) for h, v in signed_req]
        check(not F.verify_signature(method, target, hs, body, VEC_SECRET)[0],
              "sigv4 verifier rejects a changed signature")

    v4 = sorted(glob.glob(os.path.join(VEC, "aws-c-auth-v4", "*", "header-signed-request.txt")))
    bad = []
    for p in v4:
        d = os.path.dirname(p)
        ctx = json.loads(read(os.path.join(d, "context.json")))
        method, target, headers, body = parse_req(read(p, "rb"))
        ok, creq, _, _, _ = F.verify_signature(method, target, headers, body,
                                               ctx["credentials"]["secret_access_key"],
                                               normalize=ctx["normalize"])
        if not ok or creq != read(os.path.join(d, "header-canonical-request.txt")):
            bad.append(os.path.basename(d))
    check(len(v4) >= 30 and not bad,
          "sigv4 aws-c-auth-v4: all %d header-signed cases verify" % len(v4), "failed: %s" % bad)


def test_helpers():
    check(F.java_double(1793686800) == "1.7936868E9" and F.java_double(1793797895) == "1.793797895E9"
          and F.java_double(1793686800.5) == "1.7936868005E9" and F.java_double(0.5) == "0.5",
          "java_double writes epoch seconds like Java (1.7936868E9)")


# ============================================================ 2. the server

class Fake:
    """fake_aws.py as a subprocess."""

    def __init__(self, *args):
        fd, self.log = tempfile.mkstemp(prefix="fake_aws_", suffix=".log")
        os.close(fd)
        self.errf = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([sys.executable, FAKE, "--log", self.log] + list(args),
                                     stdout=subprocess.PIPE, stderr=self.errf)
        self.first = None
        t = threading.Thread(target=lambda: setattr(self, "first", self.proc.stdout.readline()),
                             daemon=True)
        t.start()
        t.join(15)
        m = re.fullmatch(rb"PORT (\d+)\n", self.first or b"")
        self.port = int(m.group(1)) if m else None
        self.sent = 0

    def stderr(self):
        self.errf.seek(0)
        return self.errf.read().decode("utf-8", "replace")

    def conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)

    def http(self, method, path, headers, body=b"", conn=None):
        own = conn is None
        c = conn or self.conn()
        self.sent += 1
        try:
            c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for k, v in headers:
                c.putheader(k, v)
            if body or method in ("POST", "PUT"):
                c.putheader("Content-Length", str(len(body)))
            c.endheaders(body or None)
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            if own:
                c.close()

    def host(self):
        return ("Host", "127.0.0.1:%d" % self.port)

    def lookup(self, body, ak, secret, token=None, region="us-east-1", conn=None, amz_date=None,
               ctype=CT, target=F.CT_TARGET, service="cloudtrail", tamper=None, sign=True):
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        body = body.encode("utf-8") if isinstance(body, str) else body
        hs = [self.host(), ("Content-Type", ctype), ("X-Amz-Target", target)]
        if sign:
            hs = F.sign_request("POST", "/", hs, body, ak, secret, region, service,
                                amz_date=amz_date, token=token)
        if tamper:
            body = tamper(body)
        st, h, data = self.http("POST", "/", hs, body, conn)
        try:
            doc = json.loads(data)
        except ValueError:
            doc = None
        return st, h, data, doc

    def sts(self, params, ak, secret, token=None, region="us-east-1"):
        body = urllib.parse.urlencode(params).encode()
        hs = [self.host(), ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]
        hs = F.sign_request("POST", "/", hs, body, ak, secret, region, "sts", token=token)
        st, h, data = self.http("POST", "/", hs, body)
        try:
            root = ET.fromstring(data)
        except ET.ParseError:
            root = None
        return st, data, root

    def get(self, path, headers=(), method="GET"):
        return self.http(method, path, [self.host()] + list(headers))

    def log_lines(self):
        with open(self.log, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        return rc

    def cleanup(self):
        self.stop()
        self.proc.stdout.close()
        self.errf.close()
        os.unlink(self.log)


def expected_events():
    """The sample records, read independently of fake_aws.py."""
    recs = []
    for p in sorted(glob.glob(os.path.join(SAMPLE, "**", "*.json.gz"), recursive=True)):
        if "CloudTrail-Digest" in p:
            continue
        for r in json.loads(gzip.decompress(read(p, "rb")))["Records"]:
            t = F.parse_iso(r["eventTime"])
            if NOW_T - 90 * 86400 <= t <= NOW_T:
                recs.append(r)
    return recs


def api_error(st, h, doc, type_, status=400):
    return (st == status and isinstance(doc, dict) and doc.get("__type") == type_
            and h.get("x-amzn-errortype") == type_)


def page_all(srv, body, ak, secret, region="us-east-1", conn=None, limit=100):
    """All pages of one query: (events, raw bodies, statuses)."""
    events, raws, statuses = [], [], []
    req = dict(body)
    for _ in range(limit):
        st, h, data, doc = srv.lookup(req, ak, secret, region=region, conn=conn)
        statuses.append(st)
        raws.append(data)
        if st != 200:
            break
        events += doc["Events"]
        if "NextToken" not in doc:
            break
        req["NextToken"] = doc["NextToken"]
    return events, raws, statuses


def username(r):
    ui = r.get("userIdentity") or {}
    if ui.get("type") == "AssumedRole":
        return ui["arn"].rsplit("/", 1)[1]
    return ui.get("userName")


def test_server_main():
    srv = Fake("--now", NOW, "--events", SAMPLE, "--rate", "0",
               "--cred", "AKIDSTATIC:secretA", "--cred", "ASIASTATICTEMP:secretT:tokenT",
               "--cred", "AKIDDENIED:secretD", "--deny-key", "AKIDDENIED",
               "--cred", "ASIAEXPIRED:secretE:tokenE", "--expired-key", "ASIAEXPIRED",
               "--role", ROLE, "--container-path", "/v2/credentials/abc",
               "--container-auth", "Bearer xyz", "--imds-region", "eu-west-1")
    try:
        if not check(srv.port is not None, "fake_aws prints 'PORT <n>' first",
                     srv.first, srv.stderr()):
            return
        check(bound_to_loopback_only(srv.port), "fake_aws listens on 127.0.0.1 only")
        main_checks(srv)
        n_sent = srv.sent
        lines = srv.log_lines()
        keys = {"n", "time", "mono", "method", "path", "service", "target", "region",
                "access_key_id", "status", "error", "body", "fault"}
        check(len(lines) == n_sent and all(keys <= set(e) for e in lines),
              "log: one JSON line per request (%d) with the documented keys" % n_sent,
              "lines %d, requests %d" % (len(lines), n_sent))
        sts_lines = [e for e in lines if e["service"] == "sts" and e["target"] == "AssumeRole"
                     and e["status"] == 200]
        check(sts_lines and sts_lines[0]["access_key_id"] == "AKIDSTATIC"
              and sts_lines[0]["region"] == "us-east-1" and sts_lines[0]["issued_key"].startswith("ASIA")
              and sts_lines[0]["body"].get("RoleArn") == ROLE,
              "log: STS line has action, region, key, issued key and parsed form body",
              sts_lines[:1])
        ct = [e for e in lines if e["service"] == "cloudtrail"]
        check(not any(e["error"] == "ThrottlingException" for e in ct)
              and any(e["error"] == "InvalidSignatureException" for e in ct)
              and all(e["target"] == F.CT_TARGET or e["error"] for e in ct),
              "log: CloudTrail lines carry target and error type")
        t0 = time.monotonic()
        rc = srv.stop()
        check(rc == 0 and time.monotonic() - t0 < 3, "SIGTERM stops the server (exit %s)" % rc,
              srv.stderr())
        check("Traceback" not in srv.stderr(), "no traceback on the server's stderr", srv.stderr())
    finally:
        srv.cleanup()


def bound_to_loopback_only(port):
    try:
        rows = read("/proc/net/tcp").splitlines()[1:] + read("/proc/net/tcp6").splitlines()[1:]
    except OSError:
        return True  # cannot tell: not Linux
    listen = [r.split()[1] for r in rows if r.split()[3] == "0A"
              and int(r.split()[1].rsplit(":", 1)[1], 16) == port]
    return listen == ["0100007F:%04X" % port]


def main_checks(srv):
    AK, SK = "AKIDSTATIC", "secretA"
    recs = expected_events()
    mgmt = [r for r in recs if r.get("eventCategory") == "Management"]
    us = [r for r in mgmt if r["awsRegion"] == "us-east-1"]
    by_id = {r["eventID"]: r for r in recs}

    # ---- paging through all us-east-1 events over one kept-alive connection
    conn = srv.conn()
    before = len(srv.log_lines())
    events, raws, statuses = page_all(srv, {}, AK, SK, conn=conn)
    conn.close()
    ids = [e["EventId"] for e in events]
    check(all(s == 200 for s in statuses) and len(statuses) == (len(us) + 49) // 50,
          "paging: %d pages of up to 50, all HTTP 200" % len(statuses), statuses)
    check(len(ids) == len(set(ids)) and set(ids) == {r["eventID"] for r in us},
          "paging: each of the %d us-east-1 management events exactly once" % len(us),
          "got %d (%d distinct), want %d" % (len(ids), len(set(ids)), len(us)))
    times = [e["EventTime"] for e in events]
    check(times == sorted(times, reverse=True), "paging: newest first")
    check(all(F.parse_iso(by_id[e["EventId"]]["eventTime"]) == e["EventTime"] for e in events),
          "paging: EventTime equals the record's eventTime")
    check(all(re.search(rb'"EventTime":\d\.\d+E9[,}]', r) for r in raws if b'"EventId"' in r)
          and not re.search(rb'"EventTime":\d{10}', b"".join(raws)),
          "paging: EventTime written in Java exponent form (1.79...E9)")
    check(all(e["ReadOnly"] in ("true", "false") for e in events)
          and all(json.loads(e["CloudTrailEvent"]) == by_id[e["EventId"]] for e in events)
          and all(e.get("Username") == username(by_id[e["EventId"]]) for e in events)
          and all(e["EventName"] == by_id[e["EventId"]]["eventName"] for e in events),
          "paging: ReadOnly string, CloudTrailEvent is the record, Username per identity type")
    compared, differ = 0, []
    for p in sorted(glob.glob(os.path.join(SAMPLE, "*", "CloudTrail", "us-east-1", "*", "*", "*", "*.gz")))[:3]:
        raw = gzip.decompress(read(p, "rb")).decode("utf-8")
        in_file = {r["eventID"] for r in json.loads(raw)["Records"]}
        for e in events:
            if e["EventId"] in in_file:
                compared += 1
                if e["CloudTrailEvent"] not in raw:
                    differ.append(e["EventId"])
    check(compared and not differ,
          "paging: CloudTrailEvent is the record's exact text from the file (%d compared)" % compared, differ)
    ports = {e["client_port"] for e in srv.log_lines()[before:]}
    check(len(ports) == 1, "paging: the kept-alive connection was reused (HTTP/1.1)", ports)

    # ---- region from the credential scope
    ev_eu, _, st = page_all(srv, {}, AK, SK, region="eu-west-1")
    want_eu = {r["eventID"] for r in mgmt if r["awsRegion"] == "eu-west-1"}
    check(st[-1] == 200 and {e["EventId"] for e in ev_eu} == want_eu,
          "region eu-west-1 (credential scope): its %d events only" % len(want_eu))
    ev, _, st = page_all(srv, {}, AK, SK, region="ap-south-1")
    check(st == [200] and ev == [], "region without events: empty page, no NextToken")

    # ---- lookup attributes
    for key, value, pred in [
            ("EventSource", "mgn.amazonaws.com", lambda r: r["eventSource"] == "mgn.amazonaws.com"),
            ("Username", username(us[0]), lambda r: username(r) == username(us[0])),
            ("ReadOnly", "false", lambda r: r.get("readOnly") is False),
            ("EventName", "CreateSnapshot", lambda r: r["eventName"] == "CreateSnapshot"),
            ("EventId", us[3]["eventID"], lambda r: r["eventID"] == us[3]["eventID"])]:
        ev, _, st = page_all(srv, {"LookupAttributes": [{"AttributeKey": key, "AttributeValue": value}],
                                   "MaxResults": 50}, AK, SK)
        want = {r["eventID"] for r in us if pred(r)}
        check(st[-1] == 200 and want and {e["EventId"] for e in ev} == want,
              "LookupAttributes %s=%s: the %d matching events" % (key, value, len(want)),
              "got %d" % len(ev))
    ak_recs = [r for r in us if (r.get("userIdentity") or {}).get("accessKeyId")]
    key = ak_recs[0]["userIdentity"]["accessKeyId"]
    ev, _, st = page_all(srv, {"LookupAttributes": [{"AttributeKey": "AccessKeyId", "AttributeValue": key}]}, AK, SK)
    check(st[-1] == 200 and {e["EventId"] for e in ev} == {r["eventID"] for r in us if (r.get("userIdentity") or {}).get("accessKeyId") == key},
          "LookupAttributes AccessKeyId matches userIdentity.accessKeyId")

    # ---- time range: numbers in exponent and float form, MaxResults as 7.0
    body = '{"StartTime":1.7937E9,"EndTime":17937500e2,"MaxResults":7.0}'
    ev, toks, st = [], None, None
    st, h, data, doc = srv.lookup(body, AK, SK)
    want = [r for r in us if 1.7937e9 <= F.parse_iso(r["eventTime"]) <= 1.79375e9]
    ok = st == 200 and len(doc["Events"]) == min(7, len(want))
    allev = list(doc["Events"]) if st == 200 else []
    while ok and "NextToken" in doc:
        b2 = body[:-1] + ',"NextToken":%s}' % json.dumps(doc["NextToken"])
        st, h, data, doc = srv.lookup(b2, AK, SK)
        ok = st == 200
        allev += doc.get("Events", []) if ok else []
    check(ok and {e["EventId"] for e in allev} == {r["eventID"] for r in want},
          "StartTime/EndTime as 1.7937E9 / 17937500e2, MaxResults 7.0: the %d events in range" % len(want))
    st, h, data, doc = srv.lookup({"StartTime": 0}, AK, SK)
    check(st == 200 and doc["Events"][0]["EventId"] == events[0]["EventId"],
          "StartTime 0 is accepted (clamped to 90 days)")

    # ---- insight category
    ev, _, st = page_all(srv, {"EventCategory": "insight"}, AK, SK)
    want = {r["eventID"] for r in recs if r.get("eventCategory") == "Insight"}
    check(st[-1] == 200 and {e["EventId"] for e in ev} == want and want,
          "EventCategory insight: the %d Insights events only" % len(want))

    # ---- errors
    e = srv.lookup({}, "AKIDUNKNOWN", "x")
    check(api_error(*e[:2], e[3], "UnrecognizedClientException")
          and e[3]["message"] == "The security token included in the request is invalid.",
          "unknown access key: 400 UnrecognizedClientException", e[2])
    e = srv.lookup({}, AK, "wrong-secret")
    check(api_error(*e[:2], e[3], "InvalidSignatureException") and e[3]["message"].startswith(
        "The request signature we calculated does not match the signature you provided")
        and "The Canonical String for this request should have been" in e[3]["message"],
        "wrong secret: 400 InvalidSignatureException with the canonical string", e[2])
    e = srv.lookup({"MaxResults": 5}, AK, SK, tamper=lambda b: b.replace(b"5", b"6"))
    check(api_error(*e[:2], e[3], "InvalidSignatureException"), "body changed after signing: InvalidSignatureException")
    e = srv.lookup({}, AK, SK, amz_date="20261101T000000Z")
    check(api_error(*e[:2], e[3], "InvalidSignatureException") and re.fullmatch(
        r"Signature expired: 20261101T000000Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)",
        e[3]["message"]), "X-Amz-Date 20261101T000000Z: 'Signature expired: ... is now earlier than ...'", e[2])
    future = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() + 3600))
    e = srv.lookup({}, AK, SK, amz_date=future)
    check(api_error(*e[:2], e[3], "InvalidSignatureException") and e[3]["message"].startswith("Signature not yet current"),
          "X-Amz-Date an hour ahead: 'Signature not yet current'", e[2])
    e = srv.lookup({}, AK, SK, service="sts")
    check(api_error(*e[:2], e[3], "InvalidSignatureException") and "'cloudtrail'" in e[3]["message"],
          "credential scope service sts on CloudTrail: InvalidSignatureException", e[2])
    e = srv.lookup({}, AK, SK, sign=False)
    check(api_error(*e[:2], e[3], "MissingAuthenticationTokenException"), "no Authorization: MissingAuthenticationTokenException", e[2])
    e = srv.lookup({}, "ASIASTATICTEMP", "secretT")
    check(api_error(*e[:2], e[3], "UnrecognizedClientException"),
          "temporary key without X-Amz-Security-Token: UnrecognizedClientException", e[2])
    e = srv.lookup({}, "ASIASTATICTEMP", "secretT", token="tokenX")
    check(api_error(*e[:2], e[3], "UnrecognizedClientException"), "temporary key with the wrong token: UnrecognizedClientException", e[2])
    e = srv.lookup({"MaxResults": 1}, "ASIASTATICTEMP", "secretT", token="tokenT")
    check(e[0] == 200 and len(e[3]["Events"]) == 1, "temporary key with its token: 200", e[2])
    e = srv.lookup({}, AK, SK, token="tokenT")
    check(api_error(*e[:2], e[3], "UnrecognizedClientException"), "long-term key with a session token: UnrecognizedClientException", e[2])
    e = srv.lookup({}, "ASIAEXPIRED", "secretE", token="tokenE")
    check(api_error(*e[:2], e[3], "ExpiredTokenException")
          and e[3]["message"] == "The security token included in the request is expired",
          "expired credentials: ExpiredTokenException", e[2])
    e = srv.lookup({}, "AKIDDENIED", "secretD")
    check(api_error(*e[:2], e[3], "AccessDeniedException") and re.match(
        r"User: arn:aws:iam::\d{12}:user/\S+ is not authorized to perform: cloudtrail:LookupEvents", e[3]["message"]),
        "--deny-key: AccessDeniedException 'User: arn:... is not authorized to perform: cloudtrail:LookupEvents'", e[2])
    two = [{"AttributeKey": "EventName", "AttributeValue": "A"}, {"AttributeKey": "EventSource", "AttributeValue": "B"}]
    e = srv.lookup({"LookupAttributes": two}, AK, SK)
    check(api_error(*e[:2], e[3], "InvalidLookupAttributesException"), "two LookupAttributes: InvalidLookupAttributesException", e[2])
    e = srv.lookup({"LookupAttributes": [{"AttributeKey": "Bogus", "AttributeValue": "x"}]}, AK, SK)
    check(api_error(*e[:2], e[3], "InvalidLookupAttributesException"), "unknown AttributeKey: InvalidLookupAttributesException", e[2])
    e = srv.lookup({"StartTime": 1793800000, "EndTime": 1793700000}, AK, SK)
    check(api_error(*e[:2], e[3], "InvalidTimeRangeException"), "StartTime after EndTime: InvalidTimeRangeException", e[2])
    for mr in (51, 0):
        e = srv.lookup({"MaxResults": mr}, AK, SK)
        check(api_error(*e[:2], e[3], "InvalidMaxResultsException"), "MaxResults %d: InvalidMaxResultsException" % mr, e[2])
    e = srv.lookup({"NextToken": "not-a-token"}, AK, SK)
    check(api_error(*e[:2], e[3], "InvalidNextTokenException"), "garbage NextToken: InvalidNextTokenException", e[2])
    st, h, data, doc = srv.lookup({"MaxResults": 5}, AK, SK)
    tok = doc["NextToken"]
    e = srv.lookup({"MaxResults": 5, "NextToken": tok,
                    "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateSnapshot"}]}, AK, SK)
    check(api_error(*e[:2], e[3], "InvalidNextTokenException"), "NextToken of another query: InvalidNextTokenException", e[2])
    e = srv.lookup({"MaxResults": 5, "NextToken": tok}, AK, SK, region="eu-west-1")
    check(api_error(*e[:2], e[3], "InvalidNextTokenException"), "NextToken used in another region: InvalidNextTokenException", e[2])
    e = srv.lookup({"MaxResults": 9, "NextToken": tok}, AK, SK)
    check(e[0] == 200 and e[3]["Events"][0]["EventId"] == events[5]["EventId"],
          "NextToken with another MaxResults continues where the page ended", e[2][:200])
    e = srv.lookup({"EventCategory": "data"}, AK, SK)
    check(api_error(*e[:2], e[3], "InvalidEventCategoryException"), "EventCategory data: InvalidEventCategoryException", e[2])
    e = srv.lookup("{not json", AK, SK)
    check(api_error(*e[:2], e[3], "SerializationException"), "invalid JSON body: SerializationException", e[2])
    e = srv.lookup({}, AK, SK, ctype="application/json")
    check(api_error(*e[:2], e[3], "UnknownOperationException"), "Content-Type application/json: 400 UnknownOperationException", e[2])
    e = srv.lookup({}, AK, SK, target=F.CT_TARGET_PREFIX + "DescribeTrails")
    check(api_error(*e[:2], e[3], "UnknownOperationException"), "another X-Amz-Target: UnknownOperationException", e[2])

    # ---- STS
    st, data, root = srv.sts({"Action": "AssumeRole", "RoleArn": ROLE, "RoleSessionName": "trailsift-test",
                              "Version": "2011-06-15"}, AK, SK)
    cred = {}
    if root is not None:
        for k in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"):
            el = root.find("s:AssumeRoleResult/s:Credentials/s:" + k, STS_NS)
            cred[k] = el.text if el is not None else None
    arn = root.find("s:AssumeRoleResult/s:AssumedRoleUser/s:Arn", STS_NS) if root is not None else None
    ok = (st == 200 and root.tag == "{%s}AssumeRoleResponse" % F.STS_NS and (cred.get("AccessKeyId") or "").startswith("ASIA")
          and cred.get("SecretAccessKey") and cred.get("SessionToken") and arn is not None
          and arn.text == "arn:aws:sts::111122223333:assumed-role/trailsift-reader/trailsift-test")
    check(ok, "STS AssumeRole: AssumeRoleResponse XML with ASIA credentials", data[:400])
    if ok:
        exp = F.parse_iso(cred["Expiration"])
        check(abs(exp - (time.time() + 3600)) < 60, "STS AssumeRole: Expiration --sts-duration ahead", cred["Expiration"])
        e = srv.lookup({"MaxResults": 3}, cred["AccessKeyId"], cred["SecretAccessKey"], token=cred["SessionToken"])
        check(e[0] == 200 and len(e[3]["Events"]) == 3, "LookupEvents with the AssumeRole credentials: 200", e[2][:300])
        e = srv.lookup({}, cred["AccessKeyId"], cred["SecretAccessKey"])
        check(api_error(*e[:2], e[3], "UnrecognizedClientException"),
              "AssumeRole credentials without their session token: UnrecognizedClientException", e[2])
        st, data, root = srv.sts({"Action": "GetCallerIdentity", "Version": "2011-06-15"},
                                 cred["AccessKeyId"], cred["SecretAccessKey"], token=cred["SessionToken"])
        el = root.find("s:GetCallerIdentityResult/s:Arn", STS_NS) if root is not None else None
        check(st == 200 and el is not None and "assumed-role/trailsift-reader/trailsift-test" in el.text,
              "STS GetCallerIdentity with the temporary credentials", data[:300])
    st, data, root = srv.sts({"Action": "AssumeRole", "RoleArn": "arn:aws:iam::111122223333:role/nope",
                              "RoleSessionName": "s1", "Version": "2011-06-15"}, AK, SK)
    code = root.find("s:Error/s:Code", STS_NS) if root is not None else None
    msg = root.find("s:Error/s:Message", STS_NS) if root is not None else None
    check(st == 403 and code is not None and code.text == "AccessDenied"
          and "is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/nope" in msg.text,
          "STS AssumeRole of an unknown role: 403 AccessDenied XML", data[:400])
    st, data, root = srv.sts({"Action": "GetCallerIdentity", "Version": "2011-06-15"}, AK, "bad")
    code = root.find("s:Error/s:Code", STS_NS) if root is not None else None
    check(st == 403 and code is not None and code.text == "SignatureDoesNotMatch",
          "STS with a bad signature: 403 SignatureDoesNotMatch", data[:300])
    st, data, root = srv.sts({"Action": "GetCallerIdentity"}, "AKIDNOPE", "x")
    code = root.find("s:Error/s:Code", STS_NS) if root is not None else None
    check(st == 403 and code is not None and code.text == "InvalidClientTokenId",
          "STS with an unknown key: 403 InvalidClientTokenId", data[:300])

    # ---- container credentials
    st, h, data = srv.get("/v2/credentials/abc", [("Authorization", "Bearer xyz")])
    try:
        c = json.loads(data)
    except ValueError:
        c = {}
    ok = st == 200 and set(c) >= {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
    check(ok, "container credentials with the right Authorization: 200 JSON", data[:300])
    if ok:
        e = srv.lookup({"MaxResults": 1}, c["AccessKeyId"], c["SecretAccessKey"], token=c["Token"])
        check(e[0] == 200, "LookupEvents with container credentials: 200", e[2][:300])
    st, h, data = srv.get("/v2/credentials/abc", [("Authorization", "Bearer nope")])
    st2, h, data = srv.get("/v2/credentials/abc")
    check(st == 401 and st2 == 401, "container credentials with a wrong or no Authorization: 401")

    # ---- IMDSv2
    st, h, _ = srv.get("/latest/api/token", method="PUT")
    check(st == 400, "IMDS token PUT without a TTL header: 400")
    st, h, tok = srv.get("/latest/api/token", [("X-aws-ec2-metadata-token-ttl-seconds", "60")], method="PUT")
    tok = tok.decode()
    check(st == 200 and tok and h.get("x-aws-ec2-metadata-token-ttl-seconds") == "60", "IMDS token PUT: 200 token")
    st, _, _ = srv.get("/latest/meta-data/iam/security-credentials/")
    st2, _, _ = srv.get("/latest/meta-data/iam/security-credentials/", [("X-aws-ec2-metadata-token", "bogus")])
    check(st == 401 and st2 == 401, "IMDS GET without or with a bad token: 401")
    T = [("X-aws-ec2-metadata-token", tok)]
    st, _, role = srv.get("/latest/meta-data/iam/security-credentials/", T)
    role = role.decode()
    check(st == 200 and role == "trailsift-instance", "IMDS role name", role)
    st, _, data = srv.get("/latest/meta-data/iam/security-credentials/" + role, T)
    try:
        c = json.loads(data)
    except ValueError:
        c = {}
    ok = st == 200 and c.get("Code") == "Success" and c.get("AccessKeyId", "").startswith("ASIA") and c.get("Token")
    check(ok, "IMDS role credentials: Code Success", data[:300])
    if ok:
        e = srv.lookup({"MaxResults": 1}, c["AccessKeyId"], c["SecretAccessKey"], token=c["Token"])
        check(e[0] == 200, "LookupEvents with IMDS credentials: 200", e[2][:300])
    st, _, data = srv.get("/latest/meta-data/iam/security-credentials/other-role", T)
    check(st == 404, "IMDS credentials of another role: 404")
    st, _, data = srv.get("/latest/dynamic/instance-identity/document", T)
    check(st == 200 and json.loads(data).get("region") == "eu-west-1", "IMDS identity document region", data[:200])


def test_throttling_and_flags():
    srv = Fake("--now", NOW, "--events", SAMPLE, "--rate", "2", "--namespaced-errors",
               "--wrong-content-type-200", "--page-size-cap", "7", "--empty-final-page",
               "--sts-duration", "1", "--role", ROLE,
               "--cred", "AKIDONE:s1", "--cred", "AKIDTWO:s2")
    try:
        if not check(srv.port is not None, "second server started", srv.stderr()):
            return
        st, data, root = srv.sts({"Action": "AssumeRole", "RoleArn": ROLE, "RoleSessionName": "short",
                                  "Version": "2011-06-15"}, "AKIDONE", "s1")
        el = lambda k: root.find("s:AssumeRoleResult/s:Credentials/s:" + k, STS_NS).text
        short = (el("AccessKeyId"), el("SecretAccessKey"), el("SessionToken")) if st == 200 else None
        issued = time.time()

        conn = srv.conn()
        t0 = time.monotonic()
        res = [srv.lookup({"MaxResults": 1}, "AKIDONE", "s1", conn=conn) for _ in range(6)]
        span = time.monotonic() - t0
        other_region = srv.lookup({"MaxResults": 1}, "AKIDONE", "s1", region="eu-west-1", conn=conn)
        other_key = srv.lookup({"MaxResults": 1}, "AKIDTWO", "s2", conn=conn)
        ok200 = [r for r in res if r[0] == 200]
        thr = [r for r in res if r[0] == 400]
        nt = F.CT_NAMESPACE + "ThrottlingException"
        # Exactly 2 accepted when the 6 arrive within 1 s (a loaded machine may be slower)
        check((len(ok200) == 2 if span < 1.0 else 2 <= len(ok200) < 6) and len(ok200) + len(thr) == 6
              and all(r[3]["__type"] == nt and r[3]["message"] == "Rate exceeded" for r in thr),
              "--rate 2: 6 back-to-back requests give 2 x 200 and 4 x 400 ThrottlingException 'Rate exceeded'",
              [r[0] for r in res], res[-1][2])
        check(thr and thr[0][1].get("x-amzn-errortype", "").startswith("ThrottlingException:http://internal.amazon.com/"),
              "--namespaced-errors: namespaced __type and x-amzn-ErrorType with URL suffix",
              thr[0][1] if thr else None)
        check(other_region[0] == 200 and other_key[0] == 200,
              "rate limit is per access key and region", other_region[2][:200], other_key[2][:200])
        time.sleep(1.05)
        e = srv.lookup({"MaxResults": 1}, "AKIDONE", "s1", conn=conn)
        check(e[0] == 200, "after 1 s the window admits again")
        paced = []
        for i in range(3):
            time.sleep(0.55)
            paced.append(srv.lookup({"MaxResults": 1}, "AKIDONE", "s1", conn=conn)[0])
        check(paced == [200, 200, 200], "a client pacing at under 2/s is not throttled", paced)
        lines = [l for l in srv.log_lines() if l["service"] == "cloudtrail" and l["status"] == 200
                 and l["access_key_id"] == "AKIDONE" and l["region"] == "us-east-1"]
        ts = [l["mono"] for l in lines]
        check(all(ts[i + 2] - ts[i] >= 1.0 - 1e-6 for i in range(len(ts) - 2)),
              "log: accepted requests of one key+region never exceed 2 in 1 s (mono times)", ts)

        if short:
            time.sleep(max(0.0, issued + 1.1 - time.time()))
            e = srv.lookup({}, *short[:2], token=short[2], conn=conn)
            check(e[0] == 400 and e[3]["__type"] == F.CT_NAMESPACE + "ExpiredTokenException",
                  "--sts-duration 1: credentials expire, ExpiredTokenException", e[2])
        e = srv.lookup({}, "AKIDTWO", "s2", ctype="application/json", conn=conn)
        check(e[0] == 200 and e[3] == {"Output": {"__type": "com.amazon.coral.service#UnknownOperationException"},
                                       "Version": "1.0"},
              "--wrong-content-type-200: HTTP 200 with the UnknownOperationException envelope", e[2])
        e = srv.lookup({"MaxResults": 50}, "AKIDTWO", "s2", region="eu-west-1", conn=conn)
        check(e[0] == 200 and len(e[3]["Events"]) == 7 and "NextToken" in e[3],
              "--page-size-cap 7: 7 events for MaxResults 50", e[2][:200])
        time.sleep(0.5)
        eid = e[3]["Events"][0]["EventId"] if e[0] == 200 else "x"
        q = {"LookupAttributes": [{"AttributeKey": "EventId", "AttributeValue": eid}]}
        e1 = srv.lookup(q, "AKIDTWO", "s2", region="eu-west-1", conn=conn)
        time.sleep(0.5)
        e2 = srv.lookup(dict(q, NextToken=e1[3].get("NextToken", "")), "AKIDTWO", "s2", region="eu-west-1", conn=conn) \
            if e1[0] == 200 else e1
        check(e1[0] == 200 and len(e1[3]["Events"]) == 1 and "NextToken" in e1[3]
              and e2[0] == 200 and e2[3] == {"Events": []},
              "--empty-final-page: last page has a NextToken leading to an empty page", e1[2][:200], e2[2][:200])
        conn.close()
    finally:
        srv.cleanup()


def test_faults():
    srv = Fake("--now", NOW, "--events", SAMPLE, "--rate", "0", "--cred", "AKIDF:sf",
               "--fail-5xx", "2,3:503,6-7", "--drop", "4", "--slow", "5:0.6")
    try:
        if not check(srv.port is not None, "fault server started", srv.stderr()):
            return
        got = []
        for i in range(1, 9):
            if i == 2:  # an STS request is not numbered with --fault-scope cloudtrail
                srv.sts({"Action": "GetCallerIdentity"}, "AKIDF", "sf")
            t0 = time.monotonic()
            try:
                e = srv.lookup({"MaxResults": 1}, "AKIDF", "sf")
                got.append((e[0], (e[3] or {}).get("__type"), time.monotonic() - t0))
            except (http.client.HTTPException, ConnectionError) as ex:
                got.append(("dropped", type(ex).__name__, time.monotonic() - t0))
        want = [200, 500, 503, "dropped", 200, 500, 500, 200]
        check([g[0] for g in got] == want, "fault injection by request number: 500/503/drop/slow", got)
        check(got[1][1] == "InternalFailure" and got[2][1] == "ServiceUnavailable",
              "5xx bodies: InternalFailure / ServiceUnavailable", got[1:3])
        check(got[4][2] >= 0.6, "--slow 5:0.6 delays request 5 by 0.6 s", got[4])
        lines = [l for l in srv.log_lines() if l["service"] == "cloudtrail"]
        faults = {l["scope_n"]: l["fault"] for l in lines}
        check(faults.get(4) == "drop" and lines and [l for l in lines if l["scope_n"] == 4][0]["status"] is None
              and faults.get(3) == "5xx:503" and faults.get(5) == "slow:0.6" and faults.get(1) is None,
              "log: fault field per request", faults)
    finally:
        srv.cleanup()
    srv = Fake("--events", SAMPLE, "--rate", "0", "--cred", "AKIDF:sf", "--fail-5xx", "30%:503", "--seed", "7")
    try:
        got = [srv.lookup({"MaxResults": 1}, "AKIDF", "sf")[0] for _ in range(20)]
        want = [503 if F.fault_hit(7, "fail-5xx", n, 0.3) else 200 for n in range(1, 21)]
        check(got == want and 503 in got and 200 in got,
              "--fail-5xx 30%%:503 --seed 7: deterministic per request number (%d of 20 failed)" % got.count(503),
              got, want)
    finally:
        srv.cleanup()


def test_max_seconds():
    t0 = time.monotonic()
    srv = Fake("--max-seconds", "1")
    try:
        rc = srv.proc.wait(6)
    except subprocess.TimeoutExpired:
        rc = None
    check(srv.port is not None and rc == 0 and time.monotonic() - t0 < 5,
          "--max-seconds 1: the server stops by itself (exit %s)" % rc, srv.stderr())
    srv.cleanup()


def main():
    t0 = time.monotonic()
    test_helpers()
    test_vectors()
    threads = [threading.Thread(target=test_max_seconds)]
    for t in threads:
        t.start()
    test_server_main()
    test_throttling_and_flags()
    test_faults()
    for t in threads:
        t.join()
    print("# %d checks, %d failed, %.1f s" % (count, failed, time.monotonic() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
