#!/usr/bin/env bash
# SC1 over WebSocket through a real reverse proxy (PROTOCOL.md Appendix A):
# nginx, run unprivileged from a test config, passes the upgrade for /sc1
# to a server tunnel with websocket = yes; a client tunnel with
# transport = websocket reaches an echo backend through it. 64 MiB each way
# comes back byte for byte after the client's half-close (the echo only
# ends once the end of the client's stream crossed as close_notify and a
# close frame, while the other direction stayed open). Refused handshakes
# (a client certificate of another CA, a revoked client) still end with
# the right alert in both logs, and the plaintext client sees a reset.
. "$(dirname "$0")/tunnel-lib.sh"

NGINX=${NGINX:-/usr/sbin/nginx}
[ -x "$NGINX" ] || skip "nginx not installed (Debian package nginx)"

make_pki
start_echod raw -r 127.0.0.1:0
backend=$ECHO_ADDR
crl=()
if [ "$PKI_FROM" = scca ]; then
    "$SCCA" issue "$PKI/ca" client mallory.test --out "$PKI/mallory" >/dev/null &&
        "$SCCA" revoke "$PKI/ca" mallory.test --reason keyCompromise >/dev/null &&
        "$SCCA" crl "$PKI/ca" >/dev/null || fail "scca could not revoke a client"
    mv "$PKI/mallory.crt" "$PKI/mallory.pem"
    crl=(--crl "$PKI/ca/crl.pem")
fi
# shellcheck disable=SC2046
start_tunnel server server --accept 127.0.0.1:0 --connect "$backend" \
    $(server_args) "${crl[@]}" --websocket yes --workers 2 -v
server=$TUN_ADDR

# A free port for nginx: bound and released by the kernel's choice.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$T/nginx/logs"
cat >"$T/nginx/nginx.conf" <<EOC
worker_processes 1;
error_log $T/nginx/logs/error.log info;
events { worker_connections 64; }
http {
    access_log $T/nginx/logs/access.log;
    client_body_temp_path $T/nginx/client_body;
    proxy_temp_path $T/nginx/proxy;
    fastcgi_temp_path $T/nginx/fastcgi;
    uwsgi_temp_path $T/nginx/uwsgi;
    scgi_temp_path $T/nginx/scgi;
    server {
        listen 127.0.0.1:$port;
        location /sc1 {
            proxy_pass http://$server;
            proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
        }
        location / { return 404; }
    }
}
EOC
"$NGINX" -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/logs/error.log" \
    -g "daemon off; pid $T/nginx/nginx.pid;" 2>"$T/nginx.stderr" &
PIDS+=($!)
ok=
for ((i = 0; i < 300; i++)); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then ok=1; break; fi
    kill -0 "${PIDS[-1]}" 2>/dev/null || break
    sleep 0.05
done
[ -n "$ok" ] || fail "nginx did not start: $(cat "$T/nginx.stderr" "$T/nginx/logs/error.log" 2>/dev/null)"
proxy=127.0.0.1:$port

# shellcheck disable=SC2046
start_tunnel client client --accept 127.0.0.1:0 --connect "$proxy" \
    $(client_args) --transport websocket --ws-host sc1.example --workers 2 -v
client=$TUN_ADDR

reply=$(printf 'over nginx\n' | netc "$client") || fail "round trip through nginx"
[ "$reply" = "over nginx" ] || fail "reply through nginx: '$reply'"
grep -q 'WebSocket upgrade done' "$T/server.log" || fail "the server saw no WebSocket upgrade"
grep -q '"GET /sc1 HTTP/1.1" 101' "$T/nginx/logs/access.log" ||
    fail "nginx did not pass a 101: $(cat "$T/nginx/logs/access.log")"

head -c $((64 << 20)) /dev/urandom >"$T/big"
netc "$client" <"$T/big" >"$T/big.back" || fail "64 MiB half-closed echo through nginx"
cmp -s "$T/big" "$T/big.back" || fail "the 64 MiB echo through nginx differs"
wait_for "$T/server.log" "sent=$((64 << 20)) received=$((64 << 20)) .*end=eof" ||
    fail "the server did not log a clean 64 MiB each way"
echo "64 MiB each way through nginx, half-closed, byte for byte"

n=0
# refused SERVER_PATTERN CLIENT_PATTERN CLIENT_ARGS...
refused() {
    local spat=$1 cpat=$2 name out rc
    shift 2
    n=$((n + 1))
    name=refused$n
    start_tunnel "$name" client --accept 127.0.0.1:0 --connect "$proxy" \
        --transport websocket --workers 1 "$@"
    set +e
    out=$(printf 'secret\n' | netc "$TUN_ADDR" 2>/dev/null)
    rc=$?
    set -e
    [ -z "$out" ] || fail "$name: data crossed a refused handshake: '$out'"
    [ "$rc" = 3 ] || fail "$name: the plaintext client did not see a reset (status $rc)"
    wait_for "$T/$name.log" "close peer=" || fail "$name: no close line"
    grep -q -e "$cpat" "$T/$name.log" || fail "$name: client log lacks '$cpat'"
    wait_for "$T/server.log" "$spat" || fail "$name: server log lacks '$spat'"
    kill "$TUN_PID"
}
set -e
refused 'handshake failed: alert sent unknown_ca' 'handshake failed: alert received unknown_ca' \
    --cert "$PKI/other_client.pem" --key "$PKI/other_client.key" \
    --ca "$PKI/ca.pem" --server-name server.test
if [ "$PKI_FROM" = scca ]; then
    refused 'handshake failed: alert sent certificate_revoked' \
        'handshake failed: alert received certificate_revoked' $(client_args mallory)
else
    echo "note: no scca, the revoked client is left out"
fi
echo "PASS"
