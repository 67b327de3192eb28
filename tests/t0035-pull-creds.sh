# Every credential source, in the AWS CLI's order, against the fake's STS,
# container and instance metadata endpoints on 127.0.0.1: environment keys
# (with a session token), profiles in ~/.aws/credentials and ~/.aws/config,
# --profile over the environment, AWS_PROFILE under it, role_arn +
# source_profile (AssumeRole, renewed before it expires), container
# credentials with an authorization token (or its file), IMDSv2 with the
# region from the instance. No secret reaches stdout, stderr or the store.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/lib-pull.sh"

make_events
TAK=ASIATEMPKEY00001
TSK='temp/Secret+Key0000000000000000000000000'
TOK='IQoJb3JpZ2luX2VjEFakeSessionToken/+=0123456789abcdefghijklmnopqrstuvwxyz'
PAK=AKIDPROFILE00001
PSK='profile/Secret+Key000000000000000000000000'
ROLE=arn:aws:iam::$ACCOUNT:role/trailsift-reader
CTOK='container-auth-token-0123456789'
fake_start aws --events "$EVENTS" --cred "$AK:$SK" --cred "$TAK:$TSK:$TOK" --cred "$PAK:$PSK" \
	--role "$ROLE" --container-path /v2/credentials/t0035 --container-auth "$CTOK" \
	--imds-region eu-west-1 --page-size-cap 50
expected_ids eu-west-1 > "$T/want.euw1"
export AWS_ENDPOINT_URL_STS="$EP"

# pulled WHAT: a fresh store holds every eu-west-1 event after the last run
pulled() {
	same "$1: every event pulled" "$(store_ids)" "$(cat "$T/want.euw1")"
	no_secret "$1: no secret in the output or the store" "$SK" "$T/out" "$T/err" "$DB" "$DB-journal"
	no_secret "$1: no temporary secret anywhere" "$TSK" "$T/out" "$T/err" "$DB" "$DB-journal"
	no_secret "$1: no session token anywhere" "$TOK" "$T/out" "$T/err" "$DB" "$DB-journal"
	no_secret "$1: no profile secret anywhere" "$PSK" "$T/out" "$T/err" "$DB" "$DB-journal"
}

# keys KIND...: the access keys the fake saw since mark, for KIND (cloudtrail, sts, ...)
LOG="$T/aws.log"
mark() { MARK=$(wc -l < "$LOG"); }
keys() {
	tail -n "+$((MARK + 1))" "$LOG" | python3 -c '
import json, sys
kinds = sys.argv[1:]
seen = []
for l in sys.stdin:
    e = json.loads(l)
    if e["service"] in kinds:
        k = "%s:%s" % (e["service"], e["target"] or e["path"].split("?")[0])
        k += ":" + (e["access_key_id"] or e["issued_key"] and "issued" or "-")
        if k not in seen:
            seen.append(k)
print(" ".join(seen))' "$@"
}

# ---- the environment, with a session token; the account from STS ----
DB="$T/env.db"
export AWS_ACCESS_KEY_ID="$TAK" AWS_SECRET_ACCESS_KEY="$TSK" AWS_SESSION_TOKEN="$TOK"
mark
run_ts 0 pull --region eu-west-1 --endpoint-url "$EP"
pulled "environment keys with a session token"
same "environment: STS GetCallerIdentity, then LookupEvents, with the temporary key" \
	"$(keys sts cloudtrail | sed 's/:com.amazonaws.cloudtrail[^:]*//')" \
	"sts:GetCallerIdentity:$TAK cloudtrail:$TAK"
same "the account comes from STS" "$(sql 'SELECT DISTINCT account_id FROM pull_checkpoints')" "$ACCOUNT"

# ---- profiles ----
cat > "$AWS_SHARED_CREDENTIALS_FILE" <<EOF
[default]
aws_access_key_id = $AK
aws_secret_access_key = $SK

[audit]
aws_access_key_id = $PAK
aws_secret_access_key = $PSK

[base]
aws_access_key_id = $AK
aws_secret_access_key = $SK
EOF
cat > "$AWS_CONFIG_FILE" <<EOF
[profile audit]
region = eu-west-1

[profile cfgkeys]
aws_access_key_id = $PAK
aws_secret_access_key = $PSK
region = eu-west-1

[profile reader]
role_arn = $ROLE
source_profile = base
role_session_name = t0035
region = eu-west-1
EOF
chmod 600 "$AWS_SHARED_CREDENTIALS_FILE" "$AWS_CONFIG_FILE"

DB="$T/profile.db"
mark
run_ts 0 pull --profile audit --endpoint-url "$EP"
pulled "--profile audit"
same "--profile: its keys, not the environment's; its region" "$(keys cloudtrail | sed 's/:com[^:]*//')" \
	"cloudtrail:$PAK"

DB="$T/awsprofile.db"
mark
AWS_PROFILE=audit run_ts 0 pull --region eu-west-1 --endpoint-url "$EP" --account "$ACCOUNT"
same "AWS_PROFILE does not beat the environment's keys (as the AWS CLI)" \
	"$(keys cloudtrail | sed 's/:com[^:]*//')" "cloudtrail:$TAK"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

DB="$T/default.db"
mark
run_ts 0 pull --region eu-west-1 --endpoint-url "$EP" --account "$ACCOUNT"
pulled "the default profile"
same "no environment: the default profile's keys" "$(keys cloudtrail | sed 's/:com[^:]*//')" "cloudtrail:$AK"

DB="$T/cfgkeys.db"
mark
AWS_PROFILE=cfgkeys run_ts 0 pull --endpoint-url "$EP" --account "$ACCOUNT"
pulled "keys in ~/.aws/config"
same "AWS_PROFILE with keys and region in the config file" "$(keys cloudtrail | sed 's/:com[^:]*//')" \
	"cloudtrail:$PAK"

run_ts 1 pull --profile nosuch --region eu-west-1 --endpoint-url "$EP"
contains "a profile that does not exist is named" "$T/err" "profile 'nosuch' not found in .*credentials or .*config"

# ---- role_arn + source_profile: AssumeRole through STS ----
DB="$T/role.db"
mark
run_ts 0 pull --profile reader --endpoint-url "$EP"
pulled "role_arn + source_profile"
same "role: AssumeRole with the source profile's key, then the role's temporary key" \
	"$(keys sts cloudtrail | sed 's/:com[^:]*//; s/ASIA[A-Z0-9]*/ASIA/g')" \
	"sts:AssumeRole:$AK sts:GetCallerIdentity:ASIA cloudtrail:ASIA"
python3 - "$T/aws.log" "$MARK" "$ROLE" > "$T/assume" <<'PY'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])][int(sys.argv[2]):]
a = [e for e in log if e["target"] == "AssumeRole"][0]
print(a["body"]["RoleArn"] == sys.argv[3], a["body"]["RoleSessionName"])
PY
same "AssumeRole asks for the profile's role and session name" "$(cat "$T/assume")" "True t0035"
fake_stop "$FAKE_PID"

# temporary credentials that live 6 seconds are renewed before they expire
fake_start short --events "$EVENTS" --cred "$AK:$SK" --role "$ROLE" --sts-duration 6 --page-size-cap 25
export AWS_ENDPOINT_URL_STS="$EP"
DB="$T/renew.db"
run_ts 0 pull --profile reader --endpoint-url "$EP" --account "$ACCOUNT"
fake_stop "$FAKE_PID"
pulled "role renewed while pulling"
n=$(grep -c '"target":"AssumeRole"' "$T/short.log")
check "the role was assumed again before its credentials expired ($n times)" test "$n" -ge 2
same "no request was refused as expired" "$(log_check "$T/short.log" errors)" ""

# ---- container credentials ----
fake_start box --events "$EVENTS" --role "$ROLE" --container-path /v2/credentials/t0035 \
	--container-auth "$CTOK" --page-size-cap 50
export AWS_ENDPOINT_URL_STS="$EP"
rm -f "$AWS_SHARED_CREDENTIALS_FILE" "$AWS_CONFIG_FILE"
export AWS_CONTAINER_CREDENTIALS_FULL_URI="$EP/v2/credentials/t0035"
export AWS_CONTAINER_AUTHORIZATION_TOKEN="$CTOK"
DB="$T/container.db"
LOG="$T/box.log"
MARK=0
run_ts 0 pull --region eu-west-1 --endpoint-url "$EP"
pulled "container credentials"
same "container: GET the credentials (with the token), then use them" \
	"$(keys container sts cloudtrail | sed 's/:com[^:]*//; s/ASIA[A-Z0-9]*/ASIA/g')" \
	"container:/v2/credentials/t0035:issued sts:GetCallerIdentity:ASIA cloudtrail:ASIA"
no_secret "container: the authorization token is not shown or stored" "$CTOK" "$T/out" "$T/err" "$DB"
unset AWS_CONTAINER_AUTHORIZATION_TOKEN
printf '%s\n' "$CTOK" > "$T/ctok"
export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/ctok"
DB="$T/container2.db"
run_ts 0 pull --region eu-west-1 --endpoint-url "$EP" --account "$ACCOUNT"
pulled "container credentials, token from a file"
printf 'wrong\n' > "$T/ctok"
run_ts 1 pull --region eu-west-1 --endpoint-url "$EP" --account "$ACCOUNT"
contains "a wrong container token is reported" "$T/err" \
	"cannot get credentials from the container credentials endpoint: GET http://127.0.0.1:[0-9]+/v2/credentials/t0035: HTTP 401"
unset AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
fake_stop "$FAKE_PID"

# ---- EC2 instance metadata (IMDSv2), region from the instance ----
fake_start imds --events "$EVENTS" --imds-region eu-west-1 --page-size-cap 50
export AWS_ENDPOINT_URL_STS="$EP"
unset AWS_EC2_METADATA_DISABLED
export AWS_EC2_METADATA_SERVICE_ENDPOINT="$EP"
DB="$T/imds.db"
MARK=0
run_ts 0 pull --endpoint-url "$EP"
pulled "instance metadata"
python3 - "$T/imds.log" > "$T/imds.seq" <<'PY'
import json, sys
log = sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda e: e["n"])
out = []
for e in log:
    if e["service"] == "imds":
        out.append("%s %s %s" % (e["method"], e["path"], e["status"]))
print("\n".join(out))
PY
same "IMDSv2: a token first, then the role, its credentials and the region, all with the token" \
	"$(sed 's/trailsift-instance/ROLE/' "$T/imds.seq" | sort | uniq | tr '\n' ';')" \
	"GET /latest/meta-data/iam/security-credentials/ 200;GET /latest/meta-data/iam/security-credentials/ROLE 200;GET /latest/meta-data/placement/region 200;PUT /latest/api/token 200;"
same "the region came from the instance" "$(sql 'SELECT DISTINCT region FROM pull_checkpoints')" eu-west-1
same "no IMDS request was refused" "$(grep '"service":"imds"' "$T/imds.log" | grep -vc '"status":200')" 0
fake_stop "$FAKE_PID"
