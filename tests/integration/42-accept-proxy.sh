#!/usr/bin/env bash
# accept_proxy: a server tunnel behind HAProxy (TCP mode, send-proxy-v2 and
# send-proxy). The server logs the client tunnel's real address and port,
# the one HAProxy saw (%ci:%cp), not HAProxy's own; data comes back byte
# for byte. A malformed header, no header and a header that never ends
# (within handshake_timeout) each reset the connection with a log line and
# count as failed handshakes or timeouts; HAProxy's health checks (a v2
# LOCAL header) and a LOCAL header followed by SC1 keep the socket's
# address; a WebSocket upgrade may follow the header.
. "$(dirname "$0")/tunnel-lib.sh"
. "$(dirname "$0")/haproxy-lib.sh"

need curl
make_pki
start_echod echod 127.0.0.1:0
mport=$(free_port)
# shellcheck disable=SC2046
start_tunnel server server --accept 127.0.0.1:0 --connect "$ECHO_ADDR" $(server_args) \
    --accept-proxy yes --websocket yes --handshake-timeout 2s --workers 2 -v \
    --metrics "127.0.0.1:$mport"
srv=$TUN_ADDR

p2=$(free_port)
p1=$(free_port)
pc=$(free_port)
{
    haproxy_global
    cat <<EOC
frontend v2
    bind 127.0.0.1:$p2
    log-format "conn fe=%ft client=%ci:%cp via=%bi:%bp"
    default_backend v2
backend v2
    server s1 $srv send-proxy-v2
frontend v1
    bind 127.0.0.1:$p1
    log-format "conn fe=%ft client=%ci:%cp via=%bi:%bp"
    default_backend v1
backend v1
    server s1 $srv send-proxy
frontend checked
    bind 127.0.0.1:$pc
    default_backend checked
backend checked
    server s1 $srv send-proxy-v2 check inter 300ms
EOC
} >"$T/haproxy.cfg"
start_haproxy haproxy "$p2" "$p1" "$pc"

# One connection through HAProxy frontend FE: the server's close line names
# the client tunnel's outgoing address, as HAProxy logged it.
through() {
    local fe=$1 port=$2 n reply line client via
    # shellcheck disable=SC2046
    start_tunnel "client$fe" client --accept 127.0.0.1:0 --connect "127.0.0.1:$port" \
        $(client_args) --workers 1 -v
    n=$(grep -c "close peer=.*end=eof" "$T/server.log")
    reply=$(printf 'through %s\n' "$fe" | netc "$TUN_ADDR") || fail "$fe: round trip"
    [ "$reply" = "echo: through $fe" ] || fail "$fe: reply '$reply'"
    wait_for "$T/haproxy.log" "conn fe=$fe " || fail "$fe: no HAProxy log line"
    line=$(grep "conn fe=$fe " "$T/haproxy.log" | tail -n 1)
    client=$(sed -n 's/.* client=\([^ ]*\).*/\1/p' <<<"$line")
    via=$(sed -n 's/.* via=\([^ ]*\).*/\1/p' <<<"$line")
    wait_count "$T/server.log" "close peer=.*end=eof" $((n + 1)) || fail "$fe: no close line"
    grep -q "close peer=$client .*end=eof" "$T/server.log" ||
        fail "$fe: the server did not log the client $client (HAProxy: $line)"
    grep -q "close peer=$via " "$T/server.log" && fail "$fe: the server logged HAProxy's $via"
    grep -q "PROXY header: client $client" "$T/server.log" || fail "$fe: no PROXY header line"
    echo "$fe: client $client, HAProxy's side $via"
}
through v2 "$p2"
through v1 "$p1"

# Health checks: HAProxy sends a v2 LOCAL header, then ends.
wait_for "$T/server.log" "PROXY LOCAL header" || fail "no health check seen"
wait_for "$T/server.log" 'close peer=127.0.0.1:[0-9]* .*health check: PROXY LOCAL header' ||
    fail "a health check did not end as one"

# relay NAME TARGET HEADER: a relay that sends HEADER (Python bytes) to
# TARGET ahead of what each of its clients sends; sets RELAY.
relay() {
    python3 - "$2" "$3" >"$T/$1.log" 2>&1 <<'EOT' &
import socket, sys, threading
host, port = sys.argv[1].rsplit(":", 1)
header = eval(sys.argv[2])
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(8)
print("relay listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                b.shutdown(socket.SHUT_WR)
                return
            b.sendall(d)
    except OSError:
        pass
while True:
    c, _ = ls.accept()
    u = socket.create_connection((host, int(port)))
    print("relay from %s:%d" % u.getsockname(), flush=True)
    u.sendall(header)
    threading.Thread(target=pipe, args=(c, u), daemon=True).start()
    threading.Thread(target=pipe, args=(u, c), daemon=True).start()
EOT
    PIDS+=($!)
    wait_for "$T/$1.log" "relay listening on" || fail "relay $1 did not start"
    RELAY=$(sed -n 's/^relay listening on //p' "$T/$1.log")
}

# A LOCAL header then SC1 (a balancer's own connection): the socket's
# address stays the peer.
relay local-relay "$srv" 'b"\r\n\r\n\x00\r\nQUIT\n\x20\x00\x00\x00"'
# shellcheck disable=SC2046
start_tunnel clientlocal client --accept 127.0.0.1:0 --connect "$RELAY" $(client_args) --workers 1
reply=$(printf 'after LOCAL\n' | netc "$TUN_ADDR") || fail "LOCAL then SC1: round trip"
[ "$reply" = "echo: after LOCAL" ] || fail "LOCAL then SC1: reply '$reply'"
from=$(sed -n 's/^relay from //p' "$T/local-relay.log" | tail -n 1)
wait_for "$T/server.log" "close peer=$from .*end=eof" || fail "LOCAL then SC1: peer is not $from"

# A WebSocket upgrade after the header (HAProxy in front of websocket = yes).
# shellcheck disable=SC2046
start_tunnel clientws client --accept 127.0.0.1:0 --connect "127.0.0.1:$p2" $(client_args) \
    --transport websocket --workers 1 -v
reply=$(printf 'ws behind haproxy\n' | netc "$TUN_ADDR") || fail "WebSocket: round trip"
[ "$reply" = "echo: ws behind haproxy" ] || fail "WebSocket: reply '$reply'"
wait_for "$T/server.log" "WebSocket upgrade done" || fail "WebSocket: no upgrade after the header"

# Bad first bytes: each one is reset, with a line saying why.
# probe NAME BYTES-AS-PYTHON [HOLD]: send BYTES, hold the connection open
# HOLD seconds at most (until the server ends it), report how it ended.
probe() {
    python3 - "$srv" "$2" "${3:-0}" <<'EOT'
import socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)), timeout=10)
s.sendall(eval(sys.argv[2]))
if float(sys.argv[3]) == 0:
    s.shutdown(socket.SHUT_WR)
try:
    d = s.recv(100)
    print("eof" if d == b"" else "data")
except ConnectionResetError:
    print("reset")
except socket.timeout:
    print("timeout")
EOT
}
[ "$(probe bad 'b"PROXY TCP4 1.2.3.4 5.6.7.8 99999 80\r\n"' 5)" = reset ] ||
    fail "a malformed v1 header was not reset"
wait_for "$T/server.log" 'PROXY header rejected: .*"' || fail "no line for a malformed header"
[ "$(probe none 'b"\x16\x03\x01 hello, no header here"' 5)" = reset ] ||
    fail "a connection without a header was not reset"
wait_for "$T/server.log" 'PROXY header rejected: no PROXY header' ||
    fail "no line for a missing header"
[ "$(probe v2bad 'b"\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x02ab"' 5)" = reset ] ||
    fail "a v2 header too short for its addresses was not reset"
start=$(date +%s)
[ "$(probe slow 'b"PROXY TCP4 192.0.2.1"' 8)" = reset ] || fail "a slow header was not reset"
[ $(($(date +%s) - start)) -lt 8 ] || fail "the slow header outlived handshake_timeout"
wait_for "$T/server.log" 'PROXY header timeout: 20 bytes' || fail "no line for a slow header"

# The metrics count them: failed handshakes and a timeout, no crash.
curl -sS --max-time 10 "http://127.0.0.1:$mport/metrics" >"$T/metrics.txt" ||
    fail "metrics scrape"
ended() {
    awk -v r="reason=\"$1\"}" 'index($1, r) { n += $2 } END { print n + 0 }' "$T/metrics.txt"
}
[ "$(ended handshake_failure)" -ge 3 ] ||
    fail "rejected headers not counted as failed handshakes: $(grep ended "$T/metrics.txt")"
[ "$(ended timeout)" -ge 1 ] || fail "the slow header not counted as a timeout"
grep -q 'handshake_failures_total{service="server",alert="none",direction="none"} [3-9]' \
    "$T/metrics.txt" || fail "rejected headers not counted as handshake failures without an alert"
# Socket activation: a socket systemd passes takes the header like any.
if grep -q '^#define HAVE_SYSTEMD 1' "$SC_BUILDDIR/config.h" 2>/dev/null &&
    command -v systemd-socket-activate >/dev/null 2>&1; then
    sa=$(free_port)
    {
        printf 'log = %s\nlog_level = info\nworkers = 1\n' "$T/activated.log"
        server_section sa "$ECHO_ADDR" | sed 's/^accept = .*/accept = systemd:sc1/'
        printf 'accept_proxy = yes\n'
    } >"$T/activated.conf"
    systemd-socket-activate --fdname=sc1 -l "127.0.0.1:$sa" "$SCTUNNEL" -f -c "$T/activated.conf" \
        >"$T/activate.stderr" 2>&1 &
    PIDS+=($!)
    wait_for "$T/activate.stderr" "^Listening on" || fail "systemd-socket-activate did not listen"
    relay sa-relay "127.0.0.1:$sa" "b'PROXY TCP4 192.0.2.7 127.0.0.1 40000 $sa\\r\\n'"
    # shellcheck disable=SC2046
    start_tunnel clientsa client --accept 127.0.0.1:0 --connect "$RELAY" $(client_args) --workers 1
    reply=$(printf 'activated\n' | netc "$TUN_ADDR") || fail "socket activation: round trip"
    [ "$reply" = "echo: activated" ] || fail "socket activation: reply '$reply'"
    wait_for "$T/activated.log" "close peer=192.0.2.7:40000 .*end=eof" ||
        fail "socket activation: the header's address was not the peer"
else
    echo "no systemd-socket-activate here: socket activation part skipped"
fi
echo "PASS"
