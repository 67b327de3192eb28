# The network side: TLS is always verified (a self-signed endpoint is
# refused at once, a wrong host name too) and trusts what --ca-bundle or
# AWS_CA_BUNDLE adds; proxies from the environment (http_proxy for http,
# HTTPS_PROXY via CONNECT for https) are used, and NO_PROXY is honoured.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/lib-pull.sh"

make_events
env_keys
expected_ids eu-west-1 > "$T/want.euw1"
fake_start ct --events "$EVENTS" --cred "$AK:$SK"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 > "$T/openssl.out" 2>&1
check "a self-signed certificate for 127.0.0.1 (test setup)" test -s "$T/cert.pem"

# relay.py tls PORT | proxy: a TLS front for the fake, or a logging HTTP proxy
cat > "$T/relay.py" <<'PY'
import socket, ssl, sys, threading
mode = sys.argv[1]
log = open(sys.argv[2], "a", buffering=1)
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(64)
if mode == "tls":
    backend = int(sys.argv[3])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[4], sys.argv[5])
print("PORT %d" % srv.getsockname()[1], flush=True)

def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

def serve(c):
    try:
        if mode == "tls":
            c = ctx.wrap_socket(c, server_side=True)
            up = socket.create_connection(("127.0.0.1", backend))
        else:
            head = b""
            while b"\r\n\r\n" not in head:
                d = c.recv(65536)
                if not d:
                    return
                head += d
            line = head.split(b"\r\n", 1)[0].decode()
            log.write(line + "\n")
            method, target = line.split(" ")[:2]
            if method == "CONNECT":
                host, port = target.rsplit(":", 1)
                up = socket.create_connection((host, int(port)))
                c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:
                hostport = target.split("://", 1)[1].split("/", 1)[0]
                host, port = hostport.rsplit(":", 1)
                up = socket.create_connection((host, int(port)))
                up.sendall(head)
        threading.Thread(target=pipe, args=(up, c), daemon=True).start()
        pipe(c, up)
    except (OSError, ssl.SSLError) as e:
        log.write("error %s\n" % e)

while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
# relay NAME ARGS...: starts relay.py; sets RELAY_PORT
relay() {
	name=$1
	shift
	python3 "$T/relay.py" "$@" > "$T/$name.port" 2> "$T/$name.stderr" &
	FAKE_PIDS="$FAKE_PIDS $!"
	RELAY_PORT=""
	i=0
	while [ $i -lt 100 ] && [ -z "$RELAY_PORT" ]; do
		RELAY_PORT=$(sed -n 's/^PORT //p' "$T/$name.port")
		[ -n "$RELAY_PORT" ] || sleep 0.1
		i=$((i + 1))
	done
}
relay tls tls "$T/tls.log" "$FAKE_PORT" "$T/cert.pem" "$T/key.pem"
TLS="https://127.0.0.1:$RELAY_PORT"
relay proxy proxy "$T/proxy.log"
PROXY="http://127.0.0.1:$RELAY_PORT"
args="--region eu-west-1 --account $ACCOUNT"

# ---- TLS ----
before=$(wc -l < "$T/ct.log")
run_ts 1 pull $args --endpoint-url "$TLS"
contains "a self-signed endpoint is refused, with the way out" "$T/err" \
	"^trailsift: error: region 'eu-west-1': LookupEvents at https://127.0.0.1:[0-9]+/? failed: .*certificate.*\(the server's TLS certificate is not trusted: give its CA with --ca-bundle or AWS_CA_BUNDLE\)"
same "... at once: no request reached the endpoint, none was retried" "$(wc -l < "$T/ct.log")" "$before"
DB="$T/tls.db"
run_ts 0 pull $args --endpoint-url "$TLS" --ca-bundle "$T/cert.pem"
same "--ca-bundle: every event over TLS" "$(store_ids)" "$(cat "$T/want.euw1")"
DB="$T/tls2.db"
AWS_CA_BUNDLE="$T/cert.pem" run_ts 0 pull $args --endpoint-url "$TLS"
same "AWS_CA_BUNDLE: every event over TLS" "$(store_ids)" "$(cat "$T/want.euw1")"
run_ts 1 pull $args --endpoint-url "https://localhost:${TLS##*:}" --ca-bundle "$T/cert.pem"
contains "the host name is verified too (the certificate is for 127.0.0.1)" "$T/err" \
	"LookupEvents at https://localhost:[0-9]+/? failed: .*host name 'localhost' \(the server's TLS certificate is for another host name\)"
run_ts 2 pull $args --endpoint-url "$TLS" --ca-bundle "$T/no-such.pem"
contains "an unreadable CA bundle is named" "$T/err" "cannot read the CA bundle '.*no-such.pem'"
run_ts 2 pull $args --endpoint-url "ftp://127.0.0.1/"
contains "only http and https endpoints" "$T/err" "only http:// and https:// URLs"
run_ts 2 pull $args --endpoint-url "http://cloudtrail.example.com/"
contains "plain http only to a loopback address" "$T/err" "plain http is only allowed to a loopback address"
AWS_ENDPOINT_URL_STS=http://sts.example.com run_ts 1 pull --region eu-west-1 --endpoint-url "$EP"
contains "... for STS too, whose answers hold secret keys" "$T/err" \
	"'http://sts.example.com': plain http is only allowed to a loopback address"

# ---- proxies from the environment ----
DB="$T/proxy.db"
http_proxy="$PROXY" run_ts 0 pull $args --endpoint-url "$EP"
same "http_proxy: every event" "$(store_ids)" "$(cat "$T/want.euw1")"
contains "http_proxy: the requests went through the proxy" "$T/proxy.log" "^POST $EP/ HTTP/1.1$"
n=$(wc -l < "$T/proxy.log")
DB="$T/noproxy.db"
http_proxy="$PROXY" NO_PROXY=127.0.0.1 run_ts 0 pull $args --endpoint-url "$EP"
same "NO_PROXY: every event" "$(store_ids)" "$(cat "$T/want.euw1")"
same "NO_PROXY: the proxy saw nothing" "$(wc -l < "$T/proxy.log")" "$n"
DB="$T/httpsproxy.db"
HTTPS_PROXY="$PROXY" run_ts 0 pull $args --endpoint-url "$TLS" --ca-bundle "$T/cert.pem"
same "HTTPS_PROXY: every event, TLS through the tunnel" "$(store_ids)" "$(cat "$T/want.euw1")"
contains "HTTPS_PROXY: a CONNECT tunnel" "$T/proxy.log" "^CONNECT 127.0.0.1:[0-9]+ HTTP/1.1$"
