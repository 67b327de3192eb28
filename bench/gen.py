#!/usr/bin/env python3
"""Deterministic generator of a realistic AWS CloudTrail S3 export.

Writes
    OUT/AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/
        <acct>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<rand16>.json.gz
each file one compact {"Records":[...]} document, gzip level 6, 100-2000
records per file, spread over several accounts, regions and days.

The records mix event sources (ec2, s3, iam, sts, kms, mgn, drs, cloudtrail,
lambda, ssm, signin, logs, ...) with the nested request/response shapes
CloudTrail really logs (EC2's XML-derived {"items":[...]} lists, tag sets,
policy documents as strings, URL-encoded trust policies), full userIdentity
blocks with sessionContext, ~5% errors and some Unicode. Records average
~1.7 KB (about 0.8-5 KB).

Output depends only on --events and --seed (and this file): each file is
generated from its own RNG seeded by (seed, file index), so the worker count
and scheduling do not matter, and gzip headers carry no mtime or name.

Usage: gen.py --events N --out DIR [--seed S] [--jobs J] [--marker FILE]
Stdlib only. Bench tooling: nothing in the product depends on it.
"""

import argparse
import calendar
import gzip
import hashlib
import json
import multiprocessing
import os
import random
import sys
import time
import urllib.parse

GEN_FORMAT = 1  # bump when the output format changes on purpose

# --------------------------------------------------------------------------
# Static world: accounts, regions, principals. Derived from the seed only,
# identically in every worker.
# --------------------------------------------------------------------------

REGIONS = [  # (region, weight, az letters)
    ("us-east-1", 6, "abcdf"),
    ("us-west-2", 3, "abcd"),
    ("eu-west-1", 2, "abc"),
    ("eu-central-1", 1, "abc"),
    ("ap-northeast-1", 1, "acd"),
]

SVC_CALLEES = {"ec2", "kms", "sts", "mgn", "drs", "logs", "ssm", "monitoring", "elasticloadbalancing",
               "autoscaling", "iam", "lambda"}
TLS = [("TLSv1.3", "TLS_AES_128_GCM_SHA256"), ("TLSv1.3", "TLS_AES_128_GCM_SHA256"),
       ("TLSv1.3", "TLS_AES_256_GCM_SHA384"), ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256")]
UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
B64 = ALNUM + "+/"

UNICODE_WORDS = [
    "équipe-données", "Zürich", "São Paulo", "Ærø", "naïve café", "Kraków",
    "生产环境", "データ基盤", "서울-리전", "監査ログ", "测试-集群", "Ελλάδα",
    "Москва", "🚀 launch", "🔥hotfix", "✅ approved", "📦 artefacts", "Ünïcødé ✓",
    "año-fiscal", "Bjørn Åkesson", "Łódź", "İstanbul", "मुंबई", "🦄",
]
TEAMS = ["platform", "data", "payments", "search", "security", "sre", "ml", "web",
         "migration", "dr-ops"]
ENVS = ["prod", "staging", "dev", "qa", "sandbox"]
APPS = ["checkout", "catalog", "auth", "ledger", "ingest", "reporting",
        "notifier", "gateway", "billing", "warehouse"]
USERS = ["alice", "bob", "carol", "dmitri", "eve.chen", "francois", "gunnar",
         "hiro.tanaka", "ines", "jamal", "kasia", "li.wei", "terraform-ci",
         "backup-svc", "mgn-agent"]
HUMAN_ROLES = ["Admin", "ReadOnly", "DevOps-Deploy", "GitHubActions-Deploy",
               "OrganizationAccountAccessRole", "eks-nodegroup-role",
               "AWSReservedSSO_AdministratorAccess_0a1b2c3d4e5f6789",
               "AWSReservedSSO_ReadOnlyAccess_9f8e7d6c5b4a3210",
               "lambda-exec-reporting", "ec2-ssm-instance-role", "datadog-integration"]
ROLE_NAMES = HUMAN_ROLES + [
    "AWSServiceRoleForApplicationMigrationService", "AWSServiceRoleForElasticDisasterRecovery",
    "AWSServiceRoleForAutoScaling", "AWSElasticDisasterRecoveryAgentRole",
    "AWSApplicationMigrationAgentRole", "AWSApplicationMigrationReplicationServerRole"]
INSTANCE_TYPES = ["t3.micro", "t3.medium", "m5.large", "m6i.xlarge", "c6g.2xlarge",
                  "r6i.4xlarge", "m7g.large", "t4g.small"]
RUNTIMES = ["python3.12", "python3.11", "nodejs20.x", "java21", "provided.al2023"]

UA_CLI = [
    "aws-cli/2.15.30 Python/3.11.8 Linux/5.10.213-201.855.amzn2.x86_64 exe/x86_64.amzn.2 prompt/off command/{cmd}",
    "aws-cli/2.17.2 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{cmd}",
    "aws-cli/1.32.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.0-18-cloud-amd64 md/arch#x86_64 lang/python#3.11.2 md/pyimpl#CPython cfg/retry-mode#legacy botocore/1.34.69",
]
UA_SDK = [
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
    "aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/{svc}#1.150.0",
    "aws-sdk-java/2.25.11 Linux/5.15.0-1057-aws OpenJDK_64-Bit_Server_VM/21.0.2+13-LTS Java/21.0.2 vendor/Eclipse_Adoptium io/sync http/Apache cfg/retry-mode/legacy",
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.43.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0 ua/2.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/{svc}#1.151.0",
    "aws-sdk-js/3.549.0 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 lang/js md/nodejs#20.11.1 api/{svc}#3.549.0",
]
UA_CONSOLE = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36 Edg/123.0.2420.97",
]
UA_MGN_AGENT = "aws-mgn-agent/1.0.0.4321 (Linux 5.15.0-1057-aws; x86_64) aws-sdk-java/1.12.650"
UA_DRS_AGENT = "aws-drs-agent/2.3.1.8765 (Windows Server 2019 10.0.17763; amd64) aws-sdk-java/1.12.650"
UA_SSM = "aws-sdk-go/1.44.260 (go1.20.12; linux; amd64) amazon-ssm-agent/3.3.380.0"


def _rid(rng, n, alphabet=UPPER_ALNUM):
    return "".join(rng.choices(alphabet, k=n))


def _hex(rng, n):
    return "%0*x" % (n, rng.getrandbits(4 * n))


def _uuid(rng):
    b = rng.getrandbits(128)
    b = (b & ~(0xF << 76)) | (4 << 76)
    b = (b & ~(0x3 << 62)) | (2 << 62)
    h = "%032x" % b
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


class World:
    """Accounts with their principals, buckets, keys, instances and servers."""

    def __init__(self, seed):
        rng = random.Random("world:%s" % seed)
        self.accounts = []
        for i in range(4):
            acct = "%012d" % rng.randrange(10 ** 11, 10 ** 12)
            a = {"id": acct, "weight": [5, 3, 2, 1][i]}
            a["users"] = [
                {"name": u, "pid": "AIDA" + _rid(rng, 17),
                 "akia": "AKIA" + _rid(rng, 16)} for u in USERS]
            a["roles"] = [{"name": r, "pid": "AROA" + _rid(rng, 17)} for r in ROLE_NAMES]
            a["buckets"] = ["%s-%s-%s" % (rng.choice(APPS), rng.choice(ENVS), acct[-4:])
                            for _ in range(6)] + ["aws-cloudtrail-logs-%s-%s" % (acct, _hex(rng, 8)),
                                                  "cdk-hnb659fds-assets-%s-us-east-1" % acct]
            a["kms"] = [_uuid(rng) for _ in range(5)]
            a["ips"] = ["%d.%d.%d.%d" % (rng.choice([3, 18, 34, 52, 54, 81, 93, 185, 203]),
                                         rng.randrange(256), rng.randrange(256),
                                         rng.randrange(1, 255)) for _ in range(12)]
            a["priv"] = ["10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256),
                                          rng.randrange(1, 255)) for _ in range(8)]
            a["instances"] = ["i-" + _hex(rng, 17) for _ in range(40)]
            a["volumes"] = ["vol-" + _hex(rng, 17) for _ in range(40)]
            a["sgs"] = ["sg-" + _hex(rng, 17) for _ in range(10)]
            a["subnets"] = ["subnet-" + _hex(rng, 17) for _ in range(8)]
            a["vpcs"] = ["vpc-" + _hex(rng, 17) for _ in range(3)]
            a["amis"] = ["ami-" + _hex(rng, 17) for _ in range(6)]
            # a migration wave: 200 source servers in all, by account weight
            a["servers"] = ["s-" + _hex(rng, 17) for _ in range([80, 60, 40, 20][i])]
            a["functions"] = ["%s-%s-%s" % (rng.choice(APPS), rng.choice(["handler", "worker", "cron", "api"]),
                                            rng.choice(ENVS)) for _ in range(10)]
            a["vpce"] = ["vpce-" + _hex(rng, 17) for _ in range(2)]
            self.accounts.append(a)
        self.external = ["%012d" % rng.randrange(10 ** 11, 10 ** 12) for _ in range(3)]


# --------------------------------------------------------------------------
# Per-file generation
# --------------------------------------------------------------------------

def _ts(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _us_date(t):
    # "May 14, 2024, 3:04:05 PM" as IAM/STS responseElements print dates
    g = time.gmtime(t)
    h = g.tm_hour % 12 or 12
    return "%s %d, %d, %d:%02d:%02d %s" % (time.strftime("%b", g), g.tm_mday, g.tm_year, h,
                                           g.tm_min, g.tm_sec, "AM" if g.tm_hour < 12 else "PM")


class FileGen:
    def __init__(self, world, spec):
        self.rng = random.Random("file:%s:%d" % (spec["seed"], spec["idx"]))
        self.acct = world.accounts[spec["acct"]]
        self.world = world
        self.region = spec["region"]
        self.azs = spec["azs"]
        self.t_end = spec["ts"]
        rng = self.rng
        # The principals active while this file's events happened.
        self.sessions = [self._make_session("human") for _ in range(rng.randint(3, 8))]
        self.svc_sessions = [self._make_session("service") for _ in range(rng.randint(1, 3))]
        self.agent_sessions = [self._make_session("agent") for _ in range(rng.randint(1, 4))]

    # ---- identities ------------------------------------------------------
    def _role_session(self, role, sess, ua, created, path=""):
        rng, aid = self.rng, self.acct["id"]
        sc = {"sessionIssuer": {"type": "Role", "principalId": role["pid"],
                                "arn": "arn:aws:iam::%s:role/%s%s" % (aid, path, role["name"]),
                                "accountId": aid, "userName": role["name"]},
              "webIdFederationData": {},
              "attributes": {"creationDate": created,
                             "mfaAuthenticated": "true" if ua == "console" else "false"}}
        if ua == "ssm":
            sc["ec2RoleDelivery"] = "2.0"
        if role["name"].startswith("GitHub"):
            sc["webIdFederationData"] = {
                "federatedProvider": "arn:aws:iam::%s:oidc-provider/token.actions.githubusercontent.com" % aid,
                "attributes": {}}
        return {"type": "AssumedRole", "principalId": "%s:%s" % (role["pid"], sess),
                "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (aid, role["name"], sess),
                "accountId": aid, "accessKeyId": "ASIA" + _rid(rng, 16), "sessionContext": sc}

    def _make_session(self, kind):
        rng, a = self.rng, self.acct
        aid = a["id"]
        roles = {r["name"]: r for r in a["roles"]}
        created = _ts(self.t_end - rng.randint(60, 40000))
        r = rng.random()
        if kind == "agent":
            if r < 0.6:
                role = roles[rng.choice(["AWSElasticDisasterRecoveryAgentRole", "AWSApplicationMigrationAgentRole"])]
                ident = self._role_session(role, rng.choice(a["servers"]), "agent", created)
            else:
                u = next(u for u in a["users"] if u["name"] == "mgn-agent")
                ident = {"type": "IAMUser", "principalId": u["pid"],
                         "arn": "arn:aws:iam::%s:user/%s" % (aid, u["name"]), "accountId": aid,
                         "accessKeyId": u["akia"], "userName": u["name"]}
            return {"ident": ident, "ua": "agent", "ip": rng.choice(a["ips"])}
        if kind == "service":
            # a service acting through its service-linked role
            svc, slr, sess = rng.choice([
                ("autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling", "AutoScaling"),
                ("mgn.amazonaws.com", "AWSServiceRoleForApplicationMigrationService", "ApplicationMigrationService"),
                ("drs.amazonaws.com", "AWSServiceRoleForElasticDisasterRecovery", "ElasticDisasterRecovery"),
                ("elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing", "ElasticLoadBalancing"),
                ("cloudformation.amazonaws.com", "AWSServiceRoleForCloudFormationStackSetsOrgMember", "cfn-%s" % _hex(rng, 8)),
                ("ssm.amazonaws.com", "AWSServiceRoleForAmazonSSM", "SSM")])
            role = roles.get(slr) or {"name": slr, "pid": "AROA" + _rid(random.Random(aid + slr), 17)}
            ident = self._role_session(role, sess, "svc", created, "aws-service-role/%s/" % svc)
            ident["invokedBy"] = svc
            return {"ident": ident, "ua": "svc:" + svc, "ip": None}
        if r < 0.70:
            role = roles[rng.choice(HUMAN_ROLES)]
            path = ""
            if role["name"].startswith("AWSReservedSSO"):
                sess = rng.choice(["alice@example.com", "hiro.tanaka@example.co.jp",
                                   "francois.dupont@example.fr", "bjorn@example.se"])
                ua = "console"
                path = "aws-reserved/sso.amazonaws.com/"
            elif role["name"].startswith("GitHub"):
                sess, ua = "GitHubActions", "sdk"
            elif role["name"] in ("ec2-ssm-instance-role", "eks-nodegroup-role"):
                sess, ua = rng.choice(a["instances"]), "ssm"
            else:
                sess = rng.choice(["botocore-session-%d" % (self.t_end - rng.randint(0, 9999)),
                                   "aws-go-sdk-%d%09d" % (self.t_end, rng.randrange(10 ** 9)),
                                   "terraform-run-%s" % _hex(rng, 12), rng.choice(USERS)])
                ua = rng.choice(["cli", "sdk", "sdk"])
            ident = self._role_session(role, sess, ua, created, path)
        elif r < 0.95:
            u = rng.choice(a["users"])
            ua = rng.choice(["cli", "sdk", "console"])
            ident = {"type": "IAMUser", "principalId": u["pid"],
                     "arn": "arn:aws:iam::%s:user/%s" % (aid, u["name"]), "accountId": aid,
                     "accessKeyId": u["akia"] if ua != "console" else "ASIA" + _rid(rng, 16),
                     "userName": u["name"]}
            if ua == "console":
                ident["sessionContext"] = {"sessionIssuer": {}, "webIdFederationData": {},
                                           "attributes": {"creationDate": created,
                                                          "mfaAuthenticated": "true"}}
        elif r < 0.98:
            ident = {"type": "Root", "principalId": aid, "arn": "arn:aws:iam::%s:root" % aid,
                     "accountId": aid, "accessKeyId": "ASIA" + _rid(rng, 16),
                     "sessionContext": {"sessionIssuer": {}, "webIdFederationData": {},
                                        "attributes": {"creationDate": created, "mfaAuthenticated": "true"}}}
            ua = "console"
        else:
            ext = rng.choice(self.world.external)
            ident = {"type": "AWSAccount", "principalId": "AIDA" + _rid(rng, 17), "accountId": ext}
            ua = "sdk"
        ip = rng.choice(a["priv"]) if ua == "ssm" else rng.choice(a["ips"])
        return {"ident": ident, "ua": ua, "ip": ip}

    def _ua_string(self, sess, svc, cmd):
        ua = sess["ua"]
        rng = self.rng
        if ua == "cli":
            return rng.choice(UA_CLI).replace("{cmd}", cmd)
        if ua == "sdk":
            return rng.choice(UA_SDK).replace("{svc}", svc)
        if ua == "console":
            return rng.choice(["console.amazonaws.com", "AWS Internal", rng.choice(UA_CONSOLE)])
        if ua == "ssm":
            return UA_SSM
        if ua == "agent":
            return UA_MGN_AGENT if rng.random() < 0.6 else UA_DRS_AGENT
        return ua[4:]

    # ---- small helpers ---------------------------------------------------
    def tags(self, n=None):
        rng = self.rng
        n = rng.randint(1, 5) if n is None else n
        out = [{"key": "Name", "value": "%s-%s-%02d" % (rng.choice(APPS), rng.choice(ENVS), rng.randrange(100))},
               {"key": "Environment", "value": rng.choice(ENVS)},
               {"key": "Team", "value": rng.choice(TEAMS)},
               {"key": "CostCenter", "value": "CC-%04d" % rng.randrange(10000)},
               {"key": "Owner", "value": rng.choice(UNICODE_WORDS) if rng.random() < 0.35 else rng.choice(USERS)},
               {"key": "aws:cloudformation:stack-name", "value": "%s-stack" % rng.choice(APPS)}]
        return out[:n]

    def policy_doc(self, pretty=True):
        rng = self.rng
        acct = self.acct["id"]
        stmts = []
        for _ in range(rng.randint(1, 3)):
            svc = rng.choice(["s3", "kms", "ec2", "logs", "mgn", "drs", "dynamodb", "sqs"])
            acts = sorted({"%s:%s" % (svc, rng.choice(["Get*", "List*", "Describe*", "PutObject",
                                                       "Decrypt", "CreateTags", "SendMessage",
                                                       "StartRecovery", "GetObject"]))
                           for _ in range(rng.randint(1, 4))})
            st = {"Sid": "Allow%s%d" % (svc.capitalize(), rng.randrange(100)), "Effect": "Allow",
                  "Action": acts if len(acts) > 1 else acts[0],
                  "Resource": "arn:aws:%s:%s:%s:*" % (svc, self.region, acct)}
            if rng.random() < 0.4:
                st["Condition"] = {"StringEquals": {"aws:RequestedRegion": self.region,
                                                    "aws:PrincipalTag/Team": rng.choice(TEAMS)}}
            stmts.append(st)
        doc = {"Version": "2012-10-17", "Statement": stmts}
        if pretty:
            return json.dumps(doc, indent=4)
        return json.dumps(doc, separators=(",", ":"))

    def trust_doc(self):
        rng = self.rng
        p = rng.choice([{"Service": "ec2.amazonaws.com"}, {"Service": "lambda.amazonaws.com"},
                        {"AWS": "arn:aws:iam::%s:root" % rng.choice(self.world.external)},
                        {"Federated": "arn:aws:iam::%s:oidc-provider/token.actions.githubusercontent.com" % self.acct["id"]}])
        return json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": p, "Action": "sts:AssumeRole"}]}, indent=2)

    def filter_set(self):
        rng = self.rng
        if rng.random() < 0.2:
            return {}
        return {"items": [{"name": rng.choice(["tag:Name", "instance-state-name", "vpc-id", "tag:Team"]),
                           "valueSet": {"items": [{"value": rng.choice(["running", "web-*", rng.choice(self.acct["vpcs"]),
                                                                        rng.choice(TEAMS)])}]}}
                          for _ in range(rng.randint(1, 3))]}

    def az(self):
        return self.region + self.rng.choice(self.azs)

    def kms_arn(self):
        return "arn:aws:kms:%s:%s:key/%s" % (self.region, self.acct["id"], self.rng.choice(self.acct["kms"]))

    def s3_key(self):
        rng = self.rng
        r = rng.random()
        if r < 0.12:
            return rng.choice(["rapports/2024/résumé-Q%d.pdf" % rng.randint(1, 4),
                               "データ/売上_%d.csv" % rng.randint(2020, 2024),
                               "photos/🎉party-%d.jpg" % rng.randrange(1000),
                               "exports/Zürich/Übersicht_%02d.xlsx" % rng.randrange(100)])
        return "%s/%s/dt=%s/part-%05d-%s.snappy.parquet" % (
            rng.choice(["raw", "curated", "logs", "backups", "uploads"]), rng.choice(APPS),
            time.strftime("%Y-%m-%d", time.gmtime(self.t_end)), rng.randrange(2000), _uuid(rng))

    # ---- event builders: return (source, name, req, resp, readOnly, extra) ----
    # extra: dict of additional top-level keys (resources, additionalEventData,
    # eventCategory, managementEvent, sharedEventID, vpcEndpointId, apiVersion)

    def ec2_describe(self):
        rng, a = self.rng, self.acct
        name = rng.choice(["DescribeInstances", "DescribeInstances", "DescribeVolumes", "DescribeSecurityGroups",
                           "DescribeSubnets", "DescribeNetworkInterfaces", "DescribeInstanceStatus",
                           "DescribeSnapshots", "DescribeImages", "DescribeTags", "DescribeAddresses"])
        if name == "DescribeInstances":
            req = {"instancesSet": {} if rng.random() < 0.6 else {"items": [{"instanceId": i} for i in rng.sample(a["instances"], rng.randint(1, 4))]},
                   "filterSet": self.filter_set()}
        elif name == "DescribeVolumes":
            req = {"volumeSet": {}, "filterSet": self.filter_set(), "maxResults": 500}
        elif name == "DescribeSecurityGroups":
            req = {"securityGroupSet": {}, "securityGroupIdSet": {"items": [{"groupId": g} for g in rng.sample(a["sgs"], 2)]}, "filterSet": {}}
        elif name == "DescribeSnapshots":
            req = {"snapshotSet": {}, "ownersSet": {"items": [{"owner": "self"}]}, "sharedUsersSet": {}, "filterSet": self.filter_set()}
        elif name == "DescribeImages":
            req = {"executableBySet": {}, "imagesSet": {"items": [{"imageId": rng.choice(a["amis"])}]}, "ownersSet": {}, "availabilityZone": self.az(), "filterSet": {}}
        elif name == "DescribeInstanceStatus":
            req = {"instancesSet": {"items": [{"instanceId": rng.choice(a["instances"])}]}, "filterSet": {}, "includeAllInstances": True}
        else:
            req = {"filterSet": self.filter_set()}
        return "ec2", name, req, None, True, None

    def ec2_run(self):
        rng, a = self.rng, self.acct
        n = 1
        ami, itype = rng.choice(a["amis"]), rng.choice(INSTANCE_TYPES)
        subnet, vpc = rng.choice(a["subnets"]), rng.choice(a["vpcs"])
        sg = rng.choice(a["sgs"])
        tags = self.tags(rng.randint(2, 5))
        tok = _uuid(rng)
        az = self.az()
        req = {"instancesSet": {"items": [{"imageId": ami, "minCount": n, "maxCount": n}]},
               "instanceType": itype,
               "blockDeviceMapping": {"items": [{"deviceName": "/dev/xvda", "ebs": {
                   "volumeSize": rng.choice([20, 50, 100, 200]), "deleteOnTermination": True,
                   "volumeType": "gp3", "encrypted": True, "kmsKeyId": self.kms_arn()}}]},
               "tenancy": "default", "monitoring": {"enabled": False}, "disableApiTermination": False,
               "disableApiStop": False, "clientToken": tok,
               "networkInterfaceSet": {"items": [{"deviceIndex": 0, "subnetId": subnet,
                                                  "associatePublicIpAddress": False,
                                                  "groupSet": {"items": [{"groupId": sg}]}}]},
               "iamInstanceProfile": {"arn": "arn:aws:iam::%s:instance-profile/ec2-ssm-instance-role" % a["id"]},
               "tagSpecificationSet": {"items": [{"resourceType": "instance", "tags": tags}]},
               "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 2}}
        items = []
        for k in range(n):
            ip = "10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
            dns = "ip-%s.%s" % (ip.replace(".", "-"), "ec2.internal" if self.region == "us-east-1" else self.region + ".compute.internal")
            iid = "i-" + _hex(rng, 17)
            mac = ":".join("%02x" % rng.randrange(256) for _ in range(6))
            items.append({
                "instanceId": iid, "imageId": ami, "currentInstanceBootMode": "legacy-bios",
                "instanceState": {"code": 0, "name": "pending"}, "privateDnsName": dns,
                "amiLaunchIndex": k, "productCodes": {}, "instanceType": itype,
                "launchTime": (self.t_end - 30) * 1000, "placement": {"availabilityZone": az, "tenancy": "default"},
                "monitoring": {"state": "disabled"}, "subnetId": subnet, "vpcId": vpc, "privateIpAddress": ip,
                "stateReason": {"code": "pending", "message": "pending"}, "architecture": "x86_64",
                "rootDeviceType": "ebs", "rootDeviceName": "/dev/xvda", "blockDeviceMapping": {},
                "virtualizationType": "hvm", "hypervisor": "xen", "tagSet": {"items": tags}, "clientToken": tok,
                "groupSet": {"items": [{"groupId": sg, "groupName": "%s-sg" % rng.choice(APPS)}]},
                "sourceDestCheck": True,
                "networkInterfaceSet": {"items": [{
                    "networkInterfaceId": "eni-" + _hex(rng, 17), "subnetId": subnet, "vpcId": vpc,
                    "ownerId": a["id"], "requesterManaged": False, "status": "in-use", "macAddress": mac,
                    "privateIpAddress": ip, "privateDnsName": dns, "sourceDestCheck": True,
                    "interfaceType": "interface",
                    "groupSet": {"items": [{"groupId": sg, "groupName": "%s-sg" % rng.choice(APPS)}]},
                    "attachment": {"attachmentId": "eni-attach-" + _hex(rng, 17), "deviceIndex": 0,
                                   "networkCardIndex": 0, "status": "attaching",
                                   "attachTime": (self.t_end - 30) * 1000, "deleteOnTermination": True},
                    "privateIpAddressesSet": {"item": [{"privateIpAddress": ip, "privateDnsName": dns, "primary": True}]},
                    "ipv6AddressesSet": {}, "tagSet": {}}]},
                "ebsOptimized": False, "enaSupport": True,
                "cpuOptions": {"coreCount": 1, "threadsPerCore": 2},
                "capacityReservationSpecification": {"capacityReservationPreference": "open"},
                "enclaveOptions": {"enabled": False},
                "metadataOptions": {"state": "pending", "httpTokens": "required", "httpPutResponseHopLimit": 2,
                                    "httpEndpoint": "enabled", "httpProtocolIpv4": "enabled",
                                    "httpProtocolIpv6": "disabled", "instanceMetadataTags": "disabled"},
                "maintenanceOptions": {"autoRecovery": "default"},
                "privateDnsNameOptions": {"hostnameType": "ip-name", "enableResourceNameDnsARecord": False,
                                          "enableResourceNameDnsAAAARecord": False}})
        resp = {"requestId": _uuid(rng), "reservationId": "r-" + _hex(rng, 17), "ownerId": a["id"],
                "groupSet": {}, "instancesSet": {"items": items}}
        return "ec2", "RunInstances", req, resp, False, None

    def ec2_state(self):
        rng, a = self.rng, self.acct
        name, cur, prev = rng.choice([("StartInstances", (0, "pending"), (80, "stopped")),
                                      ("StopInstances", (64, "stopping"), (16, "running")),
                                      ("TerminateInstances", (32, "shutting-down"), (16, "running")),
                                      ("RebootInstances", None, None)])
        ids = rng.sample(a["instances"], rng.randint(1, 3))
        req = {"instancesSet": {"items": [{"instanceId": i} for i in ids]}}
        if name == "StopInstances":
            req["force"] = False
        if cur is None:
            resp = {"requestId": _uuid(rng), "_return": True}
        else:
            resp = {"requestId": _uuid(rng), "instancesSet": {"items": [
                {"instanceId": i, "currentState": {"code": cur[0], "name": cur[1]},
                 "previousState": {"code": prev[0], "name": prev[1]}} for i in ids]}}
        return "ec2", name, req, resp, False, None

    def ec2_tags(self):
        rng, a = self.rng, self.acct
        ids = rng.sample(a["instances"] + a["volumes"], rng.randint(1, 3))
        req = {"resourcesSet": {"items": [{"resourceId": i} for i in ids]},
               "tagSet": {"items": self.tags()}}
        return "ec2", rng.choice(["CreateTags", "CreateTags", "DeleteTags"]), req, {"requestId": _uuid(rng), "_return": True}, False, None

    def ec2_misc(self):
        rng, a = self.rng, self.acct
        r = rng.random()
        if r < 0.35:
            g = rng.choice(a["sgs"])
            port = rng.choice([22, 443, 1500, 3389, 5432, 8080])
            desc = rng.choice(["replication server " + rng.choice(TEAMS), "Zugriff für " + rng.choice(UNICODE_WORDS),
                               "bastion", "MGN/DRS staging area TCP 1500"])
            req = {"groupId": g, "ipPermissions": {"items": [
                {"ipProtocol": "tcp", "fromPort": port, "toPort": port, "groups": {},
                 "ipRanges": {"items": [{"cidrIp": "10.%d.0.0/16" % rng.randrange(256), "description": desc}]},
                 "ipv6Ranges": {}, "prefixListIds": {}}]}}
            resp = {"requestId": _uuid(rng), "_return": True, "securityGroupRuleSet": {"items": [
                {"groupOwnerId": a["id"], "groupId": g, "securityGroupRuleId": "sgr-" + _hex(rng, 17),
                 "isEgress": False, "ipProtocol": "tcp", "fromPort": port, "toPort": port,
                 "cidrIpv4": req["ipPermissions"]["items"][0]["ipRanges"]["items"][0]["cidrIp"],
                 "description": desc}]}}
            return "ec2", "AuthorizeSecurityGroupIngress", req, resp, False, None
        if r < 0.7:
            vol = rng.choice(a["volumes"])
            desc = rng.choice(["Sauvegarde quotidienne – 日次バックアップ", "AWS Elastic Disaster Recovery snapshot",
                               "Created by AWS Backup", "pre-migration %s" % rng.choice(UNICODE_WORDS)])
            tags = self.tags(2)
            req = {"volumeId": vol, "description": desc,
                   "tagSpecificationSet": {"items": [{"resourceType": "snapshot", "tags": tags}]}}
            resp = {"requestId": _uuid(rng), "snapshotId": "snap-" + _hex(rng, 17), "volumeId": vol,
                    "status": "pending", "startTime": self.t_end * 1000, "progress": "", "ownerId": a["id"],
                    "description": desc, "volumeSize": rng.choice([8, 20, 100, 500]), "encrypted": True,
                    "kmsKeyId": self.kms_arn(), "tagSet": {"items": tags}}
            return "ec2", "CreateSnapshot", req, resp, False, None
        if r < 0.85:
            vol, iid = rng.choice(a["volumes"]), rng.choice(a["instances"])
            req = {"volumeId": vol, "instanceId": iid, "device": "/dev/sd%s" % rng.choice("fghij")}
            resp = {"requestId": _uuid(rng), "volumeId": vol, "instanceId": iid, "device": req["device"],
                    "status": "attaching", "attachTime": self.t_end * 1000, "deleteOnTermination": False}
            return "ec2", "AttachVolume", req, resp, False, None
        snap = "snap-" + _hex(rng, 17)
        return "ec2", "DeleteSnapshot", {"snapshotId": snap}, {"requestId": _uuid(rng), "_return": True}, False, None

    def s3_data(self):
        rng, a = self.rng, self.acct
        b = rng.choice(a["buckets"])
        host = "%s.s3.%s.amazonaws.com" % (b, self.region)
        name = rng.choice(["GetObject", "GetObject", "GetObject", "PutObject", "PutObject", "HeadObject",
                           "ListObjects", "DeleteObject"])
        key = self.s3_key()
        resp = None
        if name == "ListObjects":
            req = {"list-type": "2", "bucketName": b, "encoding-type": "url", "max-keys": "1000",
                   "prefix": key.rsplit("/", 2)[0] + "/", "delimiter": "/", "Host": host}
            res = [{"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + b, "accountId": a["id"]}]
        else:
            req = {"bucketName": b, "Host": host, "key": key}
            if name == "PutObject":
                if rng.random() < 0.6:
                    req["x-amz-server-side-encryption"] = "aws:kms"
                    req["x-amz-server-side-encryption-aws-kms-key-id"] = self.kms_arn()
                    resp = {"x-amz-server-side-encryption-aws-kms-key-id": req["x-amz-server-side-encryption-aws-kms-key-id"],
                            "x-amz-server-side-encryption": "aws:kms",
                            "x-amz-server-side-encryption-bucket-key-enabled": "true",
                            "x-amz-version-id": _rid(rng, 32, ALNUM + "._")}
                else:
                    resp = {"x-amz-server-side-encryption": "AES256"}
            elif name == "GetObject" and rng.random() < 0.3:
                req["x-id"] = "GetObject"
            res = [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::%s/%s" % (b, key)},
                   {"accountId": a["id"], "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + b}]
        sz = rng.randrange(1, 50 * 1024 * 1024)
        aed = {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
               "bytesTransferredIn": sz if name == "PutObject" else 0,
               "AuthenticationMethod": "AuthHeader",
               "x-amz-id-2": _rid(rng, 76, B64) + "=",
               "bytesTransferredOut": sz if name == "GetObject" else 0}
        extra = {"additionalEventData": aed, "resources": res, "eventCategory": "Data",
                 "managementEvent": False, "requestIDfmt": "s3",
                 "tls": ("TLSv1.3", "TLS_AES_128_GCM_SHA256", host)}
        if rng.random() < 0.15:
            extra["vpcEndpointId"] = rng.choice(a["vpce"])
        return "s3", name, req, resp, name in ("GetObject", "HeadObject", "ListObjects"), extra

    def s3_mgmt(self):
        rng, a = self.rng, self.acct
        b = rng.choice(a["buckets"])
        host = "s3.%s.amazonaws.com" % self.region
        r = rng.random()
        res = [{"accountId": a["id"], "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + b}]
        if r < 0.2:
            pol = {"Version": "2012-10-17", "Statement": [
                {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                 "Resource": ["arn:aws:s3:::" + b, "arn:aws:s3:::%s/*" % b],
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
                {"Sid": "AllowCloudTrail", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                 "Action": "s3:PutObject", "Resource": "arn:aws:s3:::%s/AWSLogs/%s/*" % (b, a["id"]),
                 "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]}
            req = {"bucketPolicy": pol, "bucketName": b, "Host": host, "policy": ""}
            return "s3", "PutBucketPolicy", req, None, False, {"resources": res, "requestIDfmt": "s3"}
        name = rng.choice(["GetBucketAcl", "GetBucketLocation", "GetBucketPolicy", "GetBucketVersioning",
                           "GetBucketEncryption", "ListBuckets", "GetBucketTagging", "GetBucketPublicAccessBlock"])
        if name == "ListBuckets":
            return "s3", name, {"Host": host}, None, True, {"requestIDfmt": "s3"}
        req = {"bucketName": b, "Host": host, name[9:].lower() or "location": ""}
        return "s3", name, req, None, True, {"resources": res, "requestIDfmt": "s3"}

    def iam_event(self):
        rng, a = self.rng, self.acct
        aid = a["id"]
        role = rng.choice(a["roles"])["name"]
        r = rng.random()
        if r < 0.45:
            name = rng.choice(["GetRole", "ListRoles", "ListAttachedRolePolicies", "GetPolicyVersion",
                               "ListPolicies", "GetUser", "ListAccessKeys", "GetAccountSummary",
                               "ListRoleTags", "GetRolePolicy"])
            req = {"roleName": role} if "Role" in name else (
                {"policyArn": "arn:aws:iam::aws:policy/AWSElasticDisasterRecoveryAgentPolicy", "versionId": "v%d" % rng.randint(1, 6)}
                if name == "GetPolicyVersion" else
                {"userName": rng.choice(USERS)} if name in ("GetUser", "ListAccessKeys") else
                {"scope": "Local", "onlyAttached": False, "maxItems": 100} if name == "ListPolicies" else None)
            if name == "GetRolePolicy":
                req["policyName"] = "inline-%s" % rng.choice(APPS)
            return "iam", name, req, None, True, None
        if r < 0.6:
            desc = rng.choice(["Role for %s %s" % (rng.choice(APPS), rng.choice(ENVS)),
                               "Rôle de réplication – %s" % rng.choice(UNICODE_WORDS)])
            trust = self.trust_doc()
            tags = self.tags(rng.randint(1, 3))
            rname = "%s-%s-role-%s" % (rng.choice(APPS), rng.choice(ENVS), _hex(rng, 6))
            req = {"roleName": rname, "description": desc, "assumeRolePolicyDocument": trust,
                   "maxSessionDuration": 3600, "tags": tags}
            resp = {"role": {"path": "/", "roleName": rname, "roleId": "AROA" + _rid(rng, 17),
                             "arn": "arn:aws:iam::%s:role/%s" % (aid, rname),
                             "createDate": _us_date(self.t_end),
                             "assumeRolePolicyDocument": urllib.parse.quote(trust, safe=""),
                             "description": desc, "maxSessionDuration": 3600, "tags": tags}}
            return "iam", "CreateRole", req, resp, False, None
        if r < 0.75:
            req = {"roleName": role, "policyName": "inline-%s-%s" % (rng.choice(APPS), _hex(rng, 4)),
                   "policyDocument": self.policy_doc(pretty=rng.random() < 0.5)}
            return "iam", "PutRolePolicy", req, None, False, None
        if r < 0.85:
            pol = rng.choice(["AWSElasticDisasterRecoveryAgentPolicy", "AWSApplicationMigrationAgentPolicy",
                              "AmazonSSMManagedInstanceCore", "ReadOnlyAccess", "AmazonS3FullAccess"])
            return "iam", rng.choice(["AttachRolePolicy", "DetachRolePolicy"]), {
                "roleName": role, "policyArn": "arn:aws:iam::aws:policy/" + pol}, None, False, None
        if r < 0.92:
            pname = "%s-%s-policy" % (rng.choice(APPS), rng.choice(ENVS))
            req = {"policyName": pname, "policyDocument": self.policy_doc(), "description": rng.choice(["", "Politique d'accès — données"])}
            resp = {"policy": {"policyName": pname, "policyId": "ANPA" + _rid(rng, 17),
                               "arn": "arn:aws:iam::%s:policy/%s" % (aid, pname), "path": "/",
                               "defaultVersionId": "v1", "attachmentCount": 0, "permissionsBoundaryUsageCount": 0,
                               "isAttachable": True, "createDate": _us_date(self.t_end),
                               "updateDate": _us_date(self.t_end)}}
            return "iam", "CreatePolicy", req, resp, False, None
        if r < 0.96:
            u = rng.choice(USERS)
            resp = {"accessKey": {"accessKeyId": "AKIA" + _rid(rng, 16), "status": "Active", "userName": u,
                                  "createDate": _us_date(self.t_end)}}
            return "iam", "CreateAccessKey", {"userName": u}, resp, False, None
        return "iam", "TagRole", {"roleName": role, "tags": self.tags(rng.randint(1, 4))}, None, False, None

    def sts_event(self):
        rng, a = self.rng, self.acct
        aid = a["id"]
        r = rng.random()
        if r < 0.3:
            return "sts", "GetCallerIdentity", None, None, True, None
        role = rng.choice(a["roles"])
        rarn = "arn:aws:iam::%s:role/%s" % (aid, role["name"])
        exp = _us_date(self.t_end + 3600)
        akid = "ASIA" + _rid(rng, 16)
        res = [{"accountId": aid, "type": "AWS::IAM::Role", "ARN": rarn}]
        if r < 0.8:
            sess = rng.choice(["botocore-session-%d" % self.t_end, "aws-go-sdk-%d" % self.t_end,
                               rng.choice(a["servers"]), "TrailsiftAudit", rng.choice(USERS)])
            req = {"roleArn": rarn, "roleSessionName": sess, "durationSeconds": rng.choice([900, 3600, 43200])}
            if rng.random() < 0.2:
                req["externalId"] = _uuid(rng)
            resp = {"credentials": {"accessKeyId": akid, "sessionToken": "IQoJb3JpZ2luX2Vj" + _rid(rng, rng.randint(250, 700), B64),
                                    "expiration": exp},
                    "assumedRoleUser": {"assumedRoleId": "%s:%s" % (role["pid"], sess),
                                        "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (aid, role["name"], sess)}}
            extra = {"resources": res}
            if rng.random() < 0.4:
                extra["sharedEventID"] = _uuid(rng)
            return "sts", "AssumeRole", req, resp, True, extra
        sub = "repo:example-org/%s:ref:refs/heads/main" % rng.choice(APPS)
        req = {"roleArn": rarn, "roleSessionName": "GitHubActions", "durationSeconds": 3600}
        resp = {"credentials": {"accessKeyId": akid, "sessionToken": "IQoJb3JpZ2luX2Vj" + _rid(rng, rng.randint(250, 700), B64),
                                "expiration": exp},
                "subjectFromWebIdentityToken": sub,
                "assumedRoleUser": {"assumedRoleId": "%s:GitHubActions" % role["pid"],
                                    "arn": "arn:aws:sts::%s:assumed-role/%s/GitHubActions" % (aid, role["name"])},
                "provider": "arn:aws:iam::%s:oidc-provider/token.actions.githubusercontent.com" % aid,
                "audience": "sts.amazonaws.com"}
        ident = {"type": "WebIdentityUser",
                 "principalId": "arn:aws:iam::%s:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:%s" % (aid, sub),
                 "userName": sub,
                 "identityProvider": "arn:aws:iam::%s:oidc-provider/token.actions.githubusercontent.com" % aid}
        return "sts", "AssumeRoleWithWebIdentity", req, resp, True, {
            "resources": res, "ident": ident,
            "additionalEventData": {"identityProviderConnectionVerificationMethod": "IAMTrustStore"}}

    def kms_event(self):
        rng, a = self.rng, self.acct
        karn = self.kms_arn()
        res = [{"accountId": a["id"], "type": "AWS::KMS::Key", "ARN": karn}]
        name = rng.choice(["Decrypt", "Decrypt", "Decrypt", "GenerateDataKey", "GenerateDataKey", "Encrypt",
                           "DescribeKey", "CreateGrant", "ListAliases"])
        ctx = rng.choice([{"aws:s3:arn": "arn:aws:s3:::%s/%s" % (rng.choice(a["buckets"]), self.s3_key())},
                          {"aws:ebs:id": rng.choice(a["volumes"])},
                          {"aws:lambda:FunctionArn": "arn:aws:lambda:%s:%s:function:%s" % (self.region, a["id"], rng.choice(a["functions"]))},
                          {"aws:cloudtrail:arn": "arn:aws:cloudtrail:us-east-1:%s:trail/org-trail" % a["id"],
                           "aws:s3:arn": "arn:aws:s3:::aws-cloudtrail-logs-%s/AWSLogs/%s/CloudTrail/%s/%s" % (a["id"], a["id"], self.region, time.strftime("%Y/%m/%d", time.gmtime(self.t_end)))}])
        ro = name in ("Decrypt", "GenerateDataKey", "Encrypt", "DescribeKey", "ListAliases")
        extra = {"resources": res}
        resp = None
        if name == "ListAliases":
            return "kms", name, {"limit": 100}, None, True, None
        if name == "Decrypt":
            req = {"encryptionContext": ctx, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}
        elif name == "GenerateDataKey":
            req = {"keyId": karn, "encryptionContext": ctx, "keySpec": "AES_256"}
        elif name == "Encrypt":
            req = {"keyId": karn, "encryptionContext": ctx, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}
        elif name == "DescribeKey":
            req = {"keyId": "alias/%s-%s" % (rng.choice(APPS), rng.choice(ENVS))}
        else:
            req = {"keyId": karn, "granteePrincipal": "arn:aws:iam::%s:role/%s" % (a["id"], rng.choice(ROLE_NAMES)),
                   "operations": ["Decrypt", "Encrypt", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom",
                                  "ReEncryptTo", "CreateGrant", "DescribeKey"],
                   "constraints": {"encryptionContextSubset": {"aws:ebs:id": rng.choice(a["volumes"])}},
                   "retiringPrincipal": "ec2.%s.amazonaws.com" % self.region}
            resp = {"grantId": _hex(rng, 64), "keyId": karn}
        if rng.random() < 0.5:
            extra["svc"] = rng.choice(["s3.amazonaws.com", "ec2.amazonaws.com", "lambda.amazonaws.com"])
            extra["sharedEventID"] = _uuid(rng)
        return "kms", name, req, resp, ro, extra

    def mgn_drs_event(self, svc):
        rng, a = self.rng, self.acct
        srv = rng.choice(a["servers"])
        r = rng.random()
        arn = "arn:aws:%s:%s:%s:source-server/%s" % (svc, self.region, a["id"], srv)
        sfx = "ForMgn" if svc == "mgn" else "ForDrs"
        if r < 0.5:  # agent chatter
            name = rng.choice(["SendAgentMetrics", "SendAgentLogs", "UpdateAgentReplicationInfo",
                               "UpdateAgentBacklog", "GetAgentSnapshotCredits",
                               "UpdateAgentConversionInfo", "SendClientMetrics", "GetAgentInstallationAssets"]) + sfx
            req = {"sourceServerID": srv}
            if "Replication" in name:
                req["replicationInfo"] = {"lagDuration": "PT%dS" % rng.randrange(0, 90000),
                                          "replicatedDisks": [{"deviceName": "/dev/nvme%dn1" % d,
                                                               "totalStorageBytes": rng.choice([8, 100, 500]) * 2 ** 30,
                                                               "replicatedStorageBytes": rng.randrange(0, 500 * 2 ** 30),
                                                               "backloggedStorageBytes": rng.choice([0, 0, rng.randrange(2 ** 34)])}
                                                              for d in range(rng.randint(1, 3))],
                                          "dataReplicationState": rng.choice(["CONTINUOUS", "INITIAL_SYNC", "BACKLOG", "STALLED", "RESCAN"])}
            elif "Metrics" in name:
                req["agentVersion"] = "1.0.0.%d" % rng.randrange(1000, 9999)
                req["metrics"] = [{"name": m, "value": round(rng.random() * 100, 2), "unit": u,
                                   "timestamp": _ts(self.t_end - rng.randint(0, 300))}
                                  for m, u in rng.sample([("CpuUtilization", "Percent"), ("MemoryUtilization", "Percent"),
                                                          ("NetworkThroughput", "MegabitsPerSecond"),
                                                          ("ReplicationLag", "Seconds"), ("DiskQueueDepth", "Count"),
                                                          ("BackloggedBytes", "Gigabytes"), ("ChangeRate", "MegabytesPerSecond")],
                                                         rng.randint(3, 7))]
            elif "Backlog" in name:
                req["backloggedStorageBytes"] = rng.randrange(2 ** 36)
            return svc, name, req, None, False, {"agent": True}
        if r < 0.8:
            name = rng.choice(["DescribeSourceServers", "DescribeJobs", "GetLaunchConfiguration",
                               "GetReplicationConfiguration"] + (["DescribeRecoverySnapshots", "DescribeRecoveryInstances"] if svc == "drs" else ["ListApplications", "ListWaves"]))
            if name == "DescribeSourceServers":
                req = {"filters": {"isArchived": False} if svc == "mgn" else {}, "maxResults": rng.choice([50, 200, 1000])}
            elif name == "DescribeJobs":
                req = {"filters": {"fromDate": _ts(self.t_end - 86400)}, "maxResults": 100}
            elif name == "DescribeRecoverySnapshots":
                req = {"sourceServerID": srv, "maxResults": 100, "order": "DESC"}
            else:
                req = {"sourceServerID": srv}
            return svc, name, req, None, True, None
        job = ("mgnjob-" if svc == "mgn" else "drsjob-") + _hex(rng, 17)
        name = rng.choice(["StartTest", "StartCutover", "ChangeServerLifeCycleState", "UpdateLaunchConfiguration"]
                          if svc == "mgn" else ["StartRecovery", "StartRecovery", "StartReplication", "UpdateReplicationConfiguration"])
        tags = {t["key"]: t["value"] for t in self.tags(2)}
        if name in ("StartTest", "StartCutover", "StartRecovery"):
            ids = rng.sample(a["servers"], rng.randint(1, 3))
            if svc == "drs":
                req = {"sourceServers": [{"sourceServerID": s, "recoverySnapshotID": "pit-" + _hex(rng, 17)} for s in ids],
                       "isDrill": rng.random() < 0.7, "tags": tags}
            else:
                req = {"sourceServerIDs": ids, "tags": tags}
            resp = {"job": {"jobID": job, "arn": "arn:aws:%s:%s:%s:job/%s" % (svc, self.region, a["id"], job),
                            "type": "LAUNCH", "initiatedBy": {"StartTest": "START_TEST", "StartCutover": "START_CUTOVER",
                                                              "StartRecovery": "START_DRILL"}[name],
                            "creationDateTime": _ts(self.t_end), "status": "PENDING",
                            "participatingServers": [{"sourceServerID": s, "launchStatus": "PENDING"} for s in ids],
                            "tags": tags}}
            res = [{"accountId": a["id"], "type": "AWS::%s::SourceServer" % svc.upper(), "ARN": arn}]
            return svc, name, req, resp, False, {"resources": res}
        if name == "ChangeServerLifeCycleState":
            req = {"sourceServerID": srv, "lifeCycle": {"state": rng.choice(["READY_FOR_TEST", "READY_FOR_CUTOVER", "CUTOVER"])}}
        elif name == "UpdateReplicationConfiguration":
            req = {"sourceServerID": srv, "stagingAreaSubnetId": rng.choice(a["subnets"]),
                   "replicationServerInstanceType": "t3.small", "useDedicatedReplicationServer": False,
                   "defaultLargeStagingDiskType": "GP3", "ebsEncryption": "CUSTOM", "ebsEncryptionKeyArn": self.kms_arn(),
                   "bandwidthThrottling": rng.choice([0, 100, 500]), "dataPlaneRouting": "PRIVATE_IP",
                   "createPublicIP": False, "stagingAreaTags": tags,
                   "replicationServersSecurityGroupsIDs": [rng.choice(a["sgs"])],
                   "pitPolicy": [{"interval": 10, "retentionDuration": 60, "units": "MINUTE", "ruleID": 1, "enabled": True},
                                 {"interval": 1, "retentionDuration": 24, "units": "HOUR", "ruleID": 2, "enabled": True},
                                 {"interval": 1, "retentionDuration": 7, "units": "DAY", "ruleID": 3, "enabled": True}]}
        else:
            req = {"sourceServerID": srv, "targetInstanceTypeRightSizingMethod": "BASIC",
                   "copyPrivateIp": False, "copyTags": True, "launchDisposition": "STARTED"}
        return svc, name, req, None, False, {"resources": [{"accountId": a["id"], "type": "AWS::%s::SourceServer" % svc.upper(), "ARN": arn}]}

    def cloudtrail_event(self):
        rng, a = self.rng, self.acct
        trail = "arn:aws:cloudtrail:us-east-1:%s:trail/org-trail" % a["id"]
        name = rng.choice(["LookupEvents", "LookupEvents", "DescribeTrails", "GetTrailStatus", "GetEventSelectors",
                           "ListTrails", "GetTrail", "StopLogging", "PutEventSelectors"])
        if name == "LookupEvents":
            req = {"maxResults": 50, "lookupAttributes": [{"attributeKey": "EventSource",
                                                            "attributeValue": rng.choice(["mgn.amazonaws.com", "drs.amazonaws.com", "ec2.amazonaws.com"])}],
                   "startTime": _us_date(self.t_end - 86400 * 7), "endTime": _us_date(self.t_end)}
            return "cloudtrail", name, req, None, True, None
        if name == "DescribeTrails":
            return "cloudtrail", name, {"trailNameList": [], "includeShadowTrails": True}, None, True, None
        if name == "ListTrails":
            return "cloudtrail", name, None, None, True, None
        if name == "PutEventSelectors":
            req = {"trailName": trail, "advancedEventSelectors": [
                {"name": "Management events", "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}]},
                {"name": "S3 data events", "fieldSelectors": [{"field": "eventCategory", "equals": ["Data"]},
                                                              {"field": "resources.type", "equals": ["AWS::S3::Object"]}]}]}
            return "cloudtrail", name, req, dict(req, trailARN=trail), False, {"resources": [{"accountId": a["id"], "type": "AWS::CloudTrail::Trail", "ARN": trail}]}
        ro = name != "StopLogging"
        return "cloudtrail", name, {"name": trail}, None, ro, {"resources": [{"accountId": a["id"], "type": "AWS::CloudTrail::Trail", "ARN": trail}]} if not ro else None

    def lambda_event(self):
        rng, a = self.rng, self.acct
        fn = rng.choice(a["functions"])
        farn = "arn:aws:lambda:%s:%s:function:%s" % (self.region, a["id"], fn)
        r = rng.random()
        if r < 0.45:
            return "lambda", "Invoke", {"functionName": farn}, None, False, {
                "additionalEventData": {"functionVersion": farn + ":$LATEST"},
                "resources": [{"accountId": a["id"], "type": "AWS::Lambda::Function", "ARN": farn}],
                "eventCategory": "Data", "managementEvent": False}
        if r < 0.75:
            name = rng.choice(["GetFunction20150331v2", "ListFunctions20150331", "GetPolicy20150331v2",
                               "ListTags20170331", "GetFunctionConfiguration20150331v2"])
            return "lambda", name, None if name.startswith("List") else {"functionName": fn}, None, True, None
        if r < 0.9:
            name = rng.choice(["UpdateFunctionCode20150331v2", "UpdateFunctionConfiguration20150331v2", "CreateFunction20150331"])
            req = {"functionName": fn, "publish": False, "dryRun": False,
                   "s3Bucket": rng.choice(a["buckets"]), "s3Key": "lambda/%s/%s.zip" % (fn, _hex(rng, 12))}
            resp = {"functionName": fn, "functionArn": farn, "runtime": rng.choice(RUNTIMES),
                    "role": "arn:aws:iam::%s:role/lambda-exec-reporting" % a["id"], "handler": "app.handler",
                    "codeSize": rng.randrange(10 ** 3, 5 * 10 ** 7), "description": rng.choice(["", "Génère les rapports 📊", "nightly export"]),
                    "timeout": rng.choice([3, 30, 900]), "memorySize": rng.choice([128, 512, 2048]),
                    "lastModified": time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime(self.t_end)),
                    "codeSha256": _rid(rng, 43, B64) + "=", "version": "$LATEST",
                    "environment": {}, "tracingConfig": {"mode": "PassThrough"}, "revisionId": _uuid(rng),
                    "state": "Active", "lastUpdateStatus": "InProgress",
                    "lastUpdateStatusReason": "The function is being created.",
                    "lastUpdateStatusReasonCode": "Creating", "packageType": "Zip", "architectures": ["x86_64"],
                    "ephemeralStorage": {"size": 512},
                    "snapStart": {"applyOn": "None", "optimizationStatus": "Off"},
                    "runtimeVersionConfig": {"runtimeVersionArn": "arn:aws:lambda:%s::runtime:%s" % (self.region, _hex(rng, 64))},
                    "loggingConfig": {"logFormat": "Text", "logGroup": "/aws/lambda/" + fn}}
            return "lambda", name, req, resp, False, None
        sid = "s3-invoke-%s" % _hex(rng, 8)
        src = "arn:aws:s3:::" + rng.choice(a["buckets"])
        stmt = json.dumps({"Sid": sid, "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
                           "Action": "lambda:InvokeFunction", "Resource": farn,
                           "Condition": {"ArnLike": {"AWS:SourceArn": src}}}, separators=(",", ":"))
        req = {"functionName": fn, "statementId": sid, "action": "lambda:InvokeFunction",
               "principal": "s3.amazonaws.com", "sourceArn": src}
        return "lambda", "AddPermission20150331v2", req, {"statement": stmt}, False, None

    def ssm_event(self):
        rng, a = self.rng, self.acct
        iid = rng.choice(a["instances"])
        r = rng.random()
        if r < 0.5:
            req = {"instanceId": iid, "agentVersion": "3.3.380.0", "agentStatus": "Active",
                   "platformType": "Linux", "platformName": "Amazon Linux", "platformVersion": "2023",
                   "iPAddress": rng.choice(a["priv"]), "computerName": "ip-%s.ec2.internal" % rng.choice(a["priv"]).replace(".", "-"),
                   "agentName": "amazon-ssm-agent", "availabilityZone": self.az(),
                   "availabilityZoneId": "use1-az%d" % rng.randint(1, 6), "sSMConnectionChannel": "ssm-messages"}
            return "ssm", "UpdateInstanceInformation", req, None, False, None
        if r < 0.85:
            name = rng.choice(["GetParameter", "GetParameters", "GetParametersByPath"])
            p = "/%s/%s/%s" % (rng.choice(ENVS), rng.choice(APPS), rng.choice(["db-host", "api-key", "feature-flags", "replication/endpoint"]))
            req = {"name": p, "withDecryption": rng.random() < 0.5} if name == "GetParameter" else (
                {"names": [p, p + "-ro"], "withDecryption": True} if name == "GetParameters" else
                {"path": p.rsplit("/", 1)[0], "recursive": True, "withDecryption": False})
            return "ssm", name, req, None, True, None
        return "ssm", "ListInstanceAssociations", {"instanceId": iid, "maxResults": 20}, None, True, None

    def logs_event(self):
        rng, a = self.rng, self.acct
        name = rng.choice(["CreateLogStream", "DescribeLogGroups", "DescribeLogStreams", "FilterLogEvents"])
        grp = "/aws/%s/%s" % (rng.choice(["lambda", "mgn", "drs", "ecs"]), rng.choice(a["functions"]))
        if name == "CreateLogStream":
            return "logs", name, {"logGroupName": grp, "logStreamName": "%s/[$LATEST]%s" % (time.strftime("%Y/%m/%d", time.gmtime(self.t_end)), _hex(rng, 32))}, None, False, None
        if name == "FilterLogEvents":
            return "logs", name, {"logGroupName": grp, "filterPattern": rng.choice(["ERROR", "\"replication stalled\"", "Ausnahme"]),
                                  "startTime": (self.t_end - 3600) * 1000, "limit": 10000}, None, True, None
        return "logs", name, {"logGroupNamePrefix": grp.rsplit("/", 1)[0], "limit": 50}, None, True, None

    def signin_event(self):
        rng, a = self.rng, self.acct
        ok = rng.random() < 0.9
        aed = {"LoginTo": "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_" + self.region + "_" + _hex(rng, 16),
               "MobileVersion": "No", "MFAUsed": "Yes" if ok else "No"}
        return "signin", "ConsoleLogin", None, {"ConsoleLogin": "Success" if ok else "Failure"}, False, {
            "additionalEventData": aed, "eventType": "AwsConsoleSignIn", "signin_fail": not ok}

    def misc_event(self):
        rng, a = self.rng, self.acct
        c = rng.choice([("monitoring", "GetMetricData", {"metricDataQueries": [{"id": "m1", "metricStat": {"metric": {"namespace": "AWS/EC2", "metricName": "CPUUtilization", "dimensions": [{"name": "InstanceId", "value": rng.choice(a["instances"])}]}, "period": 300, "stat": "Average"}}], "startTime": _ts(self.t_end - 3600), "endTime": _ts(self.t_end)}),
                        ("monitoring", "DescribeAlarms", {"alarmNamePrefix": "mgn-", "maxRecords": 100}),
                        ("dynamodb", "DescribeTable", {"tableName": "%s-%s" % (rng.choice(APPS), rng.choice(ENVS))}),
                        ("ecr", "GetAuthorizationToken", None),
                        ("autoscaling", "DescribeAutoScalingGroups", {"maxRecords": 100}),
                        ("elasticloadbalancing", "DescribeTargetHealth", {"targetGroupArn": "arn:aws:elasticloadbalancing:%s:%s:targetgroup/%s/%s" % (self.region, a["id"], rng.choice(APPS), _hex(rng, 16))}),
                        ("sqs", "ListQueues", {"queueNamePrefix": rng.choice(APPS)}),
                        ("secretsmanager", "GetSecretValue", {"secretId": "arn:aws:secretsmanager:%s:%s:secret:%s/%s-%s" % (self.region, a["id"], rng.choice(ENVS), rng.choice(APPS), _rid(rng, 6, ALNUM))})])
        return c[0], c[1], c[2], None, True, None

    # ---- errors ------------------------------------------------------------
    def error_for(self, src, name, ident):
        rng = self.rng
        arn = ident.get("arn", "arn:aws:iam::%s:root" % self.acct["id"])
        if src == "ec2":
            e = rng.choice(["Client.UnauthorizedOperation", "Client.UnauthorizedOperation", "Client.RequestLimitExceeded",
                            "Client.InvalidInstanceID.NotFound", "Client.DryRunOperation", "Server.InternalError"])
            if e == "Client.UnauthorizedOperation":
                return e, "You are not authorized to perform this operation. User: %s is not authorized to perform: ec2:%s on resource: arn:aws:ec2:%s:%s:instance/* because no identity-based policy allows the ec2:%s action. Encoded authorization failure message: %s" % (
                    arn, name, self.region, self.acct["id"], name, _rid(rng, rng.randint(300, 1400), B64 + "-_"))
            return e, {"Client.RequestLimitExceeded": "Request limit exceeded.",
                       "Client.InvalidInstanceID.NotFound": "The instance ID '%s' does not exist" % rng.choice(self.acct["instances"]),
                       "Client.DryRunOperation": "Request would have succeeded, but DryRun flag is set.",
                       "Server.InternalError": "An internal error has occurred"}[e]
        if src == "s3":
            e = rng.choice(["AccessDenied", "AccessDenied", "NoSuchKey", "NoSuchBucketPolicy", "SlowDown"])
            return e, {"AccessDenied": "Access Denied", "NoSuchKey": "The specified key does not exist.",
                       "NoSuchBucketPolicy": "The bucket policy does not exist", "SlowDown": "Please reduce your request rate."}[e]
        if src in ("iam", "sts", "cloudtrail", "logs", "ssm", "monitoring"):
            e = rng.choice(["AccessDenied", "AccessDenied", "ThrottlingException", "NoSuchEntityException"] if src == "iam"
                           else ["AccessDenied", "ThrottlingException", "ValidationException"])
            if e == "AccessDenied":
                return e, "User: %s is not authorized to perform: %s:%s on resource: arn:aws:%s::%s:* because no identity-based policy allows the %s:%s action" % (
                    arn, src, name, src, self.acct["id"], src, name)
            return e, {"ThrottlingException": "Rate exceeded", "NoSuchEntityException": "The role with name %s cannot be found." % rng.choice(ROLE_NAMES),
                       "ValidationException": "1 validation error detected: Value at 'maxResults' failed to satisfy constraint"}[e]
        if src == "kms":
            e = rng.choice(["AccessDeniedException", "InvalidCiphertextException", "ThrottlingException", "NotFoundException"])
            return e, {"AccessDeniedException": "User: %s is not authorized to perform: kms:%s on this resource because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access" % (arn, name),
                       "InvalidCiphertextException": None, "ThrottlingException": "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.",
                       "NotFoundException": "Alias arn:aws:kms:%s:%s:alias/app-prod is not found." % (self.region, self.acct["id"])}[e]
        if src in ("mgn", "drs"):
            e = rng.choice(["AccessDeniedException", "ThrottlingException", "ResourceNotFoundException", "ConflictException",
                            "UninitializedAccountException"])
            return e, {"AccessDeniedException": "User: %s is not authorized to perform: %s:%s" % (arn, src, name),
                       "ThrottlingException": "Rate exceeded", "ResourceNotFoundException": "Source server not found",
                       "ConflictException": "Cannot start a job for a source server that is currently replicating: état « en cours »",
                       "UninitializedAccountException": "Service is not initialized in this account. 服务未初始化。"}[e]
        e = rng.choice(["AccessDeniedException", "ThrottlingException", "ResourceNotFoundException", "TooManyRequestsException"])
        return e, {"AccessDeniedException": "User: %s is not authorized to perform: %s:%s" % (arn, src, name),
                   "ThrottlingException": "Rate exceeded", "TooManyRequestsException": "Rate Exceeded.",
                   "ResourceNotFoundException": "Function not found: arn:aws:%s:%s:%s:function:missing" % (src, self.region, self.acct["id"])}[e]

    # ---- record envelope ---------------------------------------------------
    def record(self):
        rng, a = self.rng, self.acct
        r = rng.random()
        region = self.region
        if r < 0.16:
            ev = self.s3_data()
        elif r < 0.20:
            ev = self.s3_mgmt()
        elif r < 0.345:
            ev = self.ec2_describe()
        elif r < 0.37:
            ev = self.ec2_run()
        elif r < 0.41:
            ev = self.ec2_state()
        elif r < 0.44:
            ev = self.ec2_tags()
        elif r < 0.47:
            ev = self.ec2_misc()
        elif r < 0.58:
            ev = self.kms_event()
        elif r < 0.66:
            ev = self.sts_event()
        elif r < 0.70:
            ev = self.iam_event()
            region = "us-east-1"
        elif r < 0.78:
            ev = self.mgn_drs_event("mgn")
        elif r < 0.85:
            ev = self.mgn_drs_event("drs")
        elif r < 0.87:
            ev = self.cloudtrail_event()
        elif r < 0.91:
            ev = self.lambda_event()
        elif r < 0.95:
            ev = self.ssm_event()
        elif r < 0.97:
            ev = self.logs_event()
        elif r < 0.975:
            ev = self.signin_event()
        else:
            ev = self.misc_event()
        src, name, req, resp, ro, extra = ev
        extra = extra or {}
        if extra.get("agent"):
            sess = rng.choice(self.agent_sessions)
        elif src in SVC_CALLEES and rng.random() < 0.12:
            sess = rng.choice(self.svc_sessions)
        else:
            sess = rng.choice(self.sessions)
        ident = sess["ident"]
        if "ident" in extra:
            ident = extra["ident"]
            ua_s, ip = rng.choice(UA_SDK).replace("{svc}", src), rng.choice(a["ips"])
        elif "svc" in extra:  # a service acting on behalf of a principal
            if rng.random() < 0.5:
                ident = {"type": "AWSService", "invokedBy": extra["svc"]}
            else:
                ident = dict(ident)
                ident["invokedBy"] = extra["svc"]
            ua_s = ip = extra["svc"]
        elif extra.get("agent"):
            ua_s, ip = (UA_MGN_AGENT if src == "mgn" else UA_DRS_AGENT), sess["ip"]
        elif "invokedBy" in ident:
            ua_s = ip = ident["invokedBy"]
        elif sess["ua"] == "console":
            ua_s = rng.choice(["console.amazonaws.com", "AWS Internal", rng.choice(UA_CONSOLE)])
            ip = sess["ip"] if ua_s != "AWS Internal" else "AWS Internal"
        else:
            ua_s = self._ua_string(sess, src, "%s.%s" % (src, name[:1].lower() + name[1:]))
            ip = sess["ip"] or "AWS Internal"
        if src == "signin":
            ua_s = rng.choice(UA_CONSOLE)
            ip = rng.choice(a["ips"])
            ident = dict(sess["ident"])
            if "invokedBy" in ident or ident.get("type") == "AWSService":
                u = rng.choice(a["users"])
                ident = {"type": "IAMUser", "principalId": u["pid"], "arn": "arn:aws:iam::%s:user/%s" % (a["id"], u["name"]),
                         "accountId": a["id"], "userName": u["name"]}
            ident.pop("accessKeyId", None)
        t = self.t_end - rng.randint(0, 900)
        rec = {"eventVersion": "1.09" if src != "s3" else "1.10", "userIdentity": ident,
               "eventTime": _ts(t), "eventSource": "%s.amazonaws.com" % src if src != "monitoring" else "monitoring.amazonaws.com",
               "eventName": name, "awsRegion": region, "sourceIPAddress": ip, "userAgent": ua_s}
        err = rng.random() < 0.05 or extra.get("signin_fail")
        if err:
            if src == "signin":
                code, msg = None, "Failed authentication"
            else:
                code, msg = self.error_for(src, name, ident)
            if code:
                rec["errorCode"] = code
            if msg is not None:
                rec["errorMessage"] = msg
            if src != "signin":
                resp = None
        rec["requestParameters"] = req
        rec["responseElements"] = resp
        if "additionalEventData" in extra:
            rec["additionalEventData"] = extra["additionalEventData"]
        if extra.get("requestIDfmt") == "s3":
            rec["requestID"] = _rid(rng, 16, "0123456789ABCDEF")
        elif src != "signin":
            rec["requestID"] = _uuid(rng)
        rec["eventID"] = _uuid(rng)
        rec["readOnly"] = ro
        if "resources" in extra:
            rec["resources"] = extra["resources"]
        rec["eventType"] = extra.get("eventType", "AwsApiCall")
        if src == "ec2" and rng.random() < 0.3:
            rec["apiVersion"] = "2016-11-15"
        rec["managementEvent"] = extra.get("managementEvent", True)
        rec["recipientAccountId"] = a["id"]
        if "sharedEventID" in extra:
            rec["sharedEventID"] = extra["sharedEventID"]
        if "vpcEndpointId" in extra:
            rec["vpcEndpointId"] = extra["vpcEndpointId"]
        rec["eventCategory"] = extra.get("eventCategory", "Management")
        if ip and not ip.endswith(".amazonaws.com") and ip != "AWS Internal":
            tls = extra.get("tls")
            if tls:
                rec["tlsDetails"] = {"tlsVersion": tls[0], "cipherSuite": tls[1], "clientProvidedHostHeader": tls[2]}
            else:
                tv, cs = rng.choice(TLS)
                rec["tlsDetails"] = {"tlsVersion": tv, "cipherSuite": cs,
                                     "clientProvidedHostHeader": "%s.%s.amazonaws.com" % (src, region) if src not in ("iam", "signin") else
                                     ("iam.amazonaws.com" if src == "iam" else "signin.aws.amazon.com")}
        if sess["ua"] == "console" and src != "signin" and ident is sess["ident"]:
            rec["sessionCredentialFromConsole"] = "true"
        return rec


_WORLD = None
_ENC = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)


def _work(spec):
    global _WORLD
    if _WORLD is None or _WORLD[0] != spec["seed"]:
        _WORLD = (spec["seed"], World(spec["seed"]))
    fg = FileGen(_WORLD[1], spec)
    recs = [fg.record() for _ in range(spec["n"])]
    data = _ENC.encode({"Records": recs}).encode("utf-8")
    gz = gzip.compress(data, compresslevel=6, mtime=0)
    path = os.path.join(spec["out"], spec["rel"])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(gz)
    os.replace(tmp, path)
    return spec["n"], len(data), len(gz)


def plan(events, seed, out):
    rng = random.Random("plan:%s" % seed)
    world = World(seed)
    sizes = []
    left = events
    while left > 0:
        # skewed towards busy files: median ~700, mean ~850
        n = int(100 + 1900 * (rng.random() ** 1.6))
        n = min(n, left)
        sizes.append(n)
        left -= n
    nfiles = len(sizes)
    start = calendar.timegm((2024, 5, 11, 0, 0, 0))
    days = 6
    span = days * 86400
    accts = world.accounts
    aw = [a["weight"] for a in accts]
    rw = [r[1] for r in REGIONS]
    specs = []
    for i, n in enumerate(sizes):
        ai = rng.choices(range(len(accts)), aw)[0]
        reg = rng.choices(REGIONS, rw)[0]
        ts = start + int(span * (i + rng.random()) / nfiles)
        ts -= ts % 300
        ts += rng.randrange(0, 5) * 60
        stamp = time.strftime("%Y%m%dT%H%MZ", time.gmtime(ts))
        acct = accts[ai]["id"]
        rel = os.path.join("AWSLogs", acct, "CloudTrail", reg[0], time.strftime("%Y/%m/%d", time.gmtime(ts)),
                           "%s_CloudTrail_%s_%s_%s.json.gz" % (acct, reg[0], stamp, _rid(rng, 16, ALNUM)))
        specs.append({"idx": i, "seed": seed, "acct": ai, "region": reg[0], "azs": reg[2], "ts": ts,
                      "n": n, "rel": rel, "out": out})
    return specs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--marker", help="write a JSON summary here once the export is complete")
    args = ap.parse_args()
    if args.events < 1:
        ap.error("--events must be >= 1")
    t0 = time.time()
    specs = plan(args.events, args.seed, args.out)
    os.makedirs(args.out, exist_ok=True)
    tot = [0, 0, 0]
    done = 0
    # biggest files first so the two workers finish together
    order = sorted(specs, key=lambda s: -s["n"])
    if args.jobs > 1 and len(specs) > 1:
        with multiprocessing.Pool(args.jobs) as pool:
            it = pool.imap_unordered(_work, order, chunksize=1)
            for n, raw, gz in it:
                tot[0] += n; tot[1] += raw; tot[2] += gz
                done += 1
                if sys.stderr.isatty() and done % 50 == 0:
                    print("\r  %d/%d files" % (done, len(specs)), end="", file=sys.stderr)
    else:
        for s in order:
            n, raw, gz = _work(s)
            tot[0] += n; tot[1] += raw; tot[2] += gz
    if sys.stderr.isatty():
        print("", file=sys.stderr)
    el = time.time() - t0
    summary = {"events": tot[0], "seed": args.seed, "files": len(specs),
               "uncompressed_bytes": tot[1], "compressed_bytes": tot[2],
               "gen_format": GEN_FORMAT, "gen_sha256": file_sha256(os.path.abspath(__file__)),
               "seconds": round(el, 1)}
    print("generated %d events in %d files: %.1f MB json, %.1f MB gz, avg %.0f B/record, %.1f s" % (
        tot[0], len(specs), tot[1] / 1e6, tot[2] / 1e6, tot[1] / max(tot[0], 1), el), file=sys.stderr)
    if args.marker:
        with open(args.marker + ".tmp", "w") as f:
            json.dump(summary, f, indent=1)
        os.replace(args.marker + ".tmp", args.marker)
    print(json.dumps(summary))


def file_sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


if __name__ == "__main__":
    main()
