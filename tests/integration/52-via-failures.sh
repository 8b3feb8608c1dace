#!/usr/bin/env bash
# connect_via failures that need no real proxy: a proxy that is not there,
# one that accepts and never answers (the connect timeout covers the whole
# exchange), one that answers with something that is not HTTP; each ends
# the local connection with a reset and one log line naming the proxy.
# And the configuration errors: file:line and exit status 2.
. "$(dirname "$0")/tunnel-lib.sh"
. "$(dirname "$0")/via-lib.sh"

make_pki
SRV_ADDR=127.0.0.1:9

refused() {
    local addr=$1 log=$2 pattern=$3 what=$4 rc=0
    echo PING | netc "$addr" >/dev/null 2>&1 || rc=$?
    [ "$rc" = 3 ] || fail "$what: the local connection was not reset (netc exit $rc)"
    wait_for "$log" "close .*end=\"connect failed: $pattern" 20 ||
        fail "$what: no close line with '$pattern'"
}

# fake_proxy NAME ANSWER: accepts, reads, and writes ANSWER (nothing if
# empty) without ever closing; sets PROXY_PORT.
fake_proxy() {
    python3 -c '
import socket, sys, threading, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print("fake listening on %d" % s.getsockname()[1], flush=True)
held = []
def serve(c):
    c.recv(4096)
    if sys.argv[1]:
        c.sendall(sys.argv[1].encode())
    held.append(c)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
' "$2" >"$T/$1.log" 2>&1 &
    PIDS+=($!)
    wait_for "$T/$1.log" "listening on" || fail "fake proxy $1 did not start"
    PROXY_PORT=$(sed -n 's/^fake listening on //p' "$T/$1.log")
}

# 1. Nothing listens at the proxy's address.
dead=$(free_port)
start_via_client c_dead "http://127.0.0.1:$dead"
refused "$CLI_ADDR" "$T/c_dead.log" "proxy http://127.0.0.1:$dead unreachable: Connection refused" \
    "unreachable proxy"

# 2. A proxy that never answers: connect_timeout (2s) ends the exchange.
fake_proxy silent ""
start_via_client c_silent "http://127.0.0.1:$PROXY_PORT" --connect-timeout 2s
refused "$CLI_ADDR" "$T/c_silent.log" \
    "proxy http://127.0.0.1:$PROXY_PORT: no answer within connect_timeout (waiting for its answer to CONNECT)" \
    "silent HTTP proxy"
start_via_client c_silent5 "socks5://127.0.0.1:$PROXY_PORT" --connect-timeout 2s
refused "$CLI_ADDR" "$T/c_silent5.log" \
    "proxy socks5://127.0.0.1:$PROXY_PORT: no answer within connect_timeout (waiting for its SOCKS5 method choice)" \
    "silent SOCKS5 proxy"

# 3. An answer that is not HTTP.
fake_proxy garbage $'SSH-2.0-OpenSSH_9.2\r\n\r\n'
start_via_client c_garbage "http://127.0.0.1:$PROXY_PORT"
refused "$CLI_ADDR" "$T/c_garbage.log" \
    "proxy http://127.0.0.1:$PROXY_PORT sent a malformed answer to CONNECT 127.0.0.1:9: " \
    "malformed answer"

# 4. Configuration errors: file:line, exit 2, never the password.
conf=$T/via.conf
good() {
    cat <<CONF
[c]
mode = client
accept = 127.0.0.1:0
connect = server.test:4433
server_name = server.test
ca = $PKI/ca.pem
CONF
}
expect_error() {
    local line=$1 msg=$2 out rc=0
    out=$("$SCTUNNEL" -t -c "$conf" 2>&1) || rc=$?
    [ "$rc" = 2 ] || fail "exit $rc, not 2, for: $(tail -n 1 "$conf") ($out)"
    case "$out" in
    "$conf:$line: "*"$msg"*) ;;
    *) fail "expected '$conf:$line: ...$msg', got '$out'" ;;
    esac
    case "$out" in *hunter2*) fail "the password in the message: $out" ;; esac
}
{ good; echo "connect_via = ftp://proxy:21"; } >"$conf"
expect_error 7 "unknown scheme 'ftp'"
{ good; echo "connect_via = http://u:hunter2@127.0.0.1"; } >"$conf"
expect_error 7 "missing port"
{ good; echo "connect_via = socks5://127.0.0.1:99999"; } >"$conf"
expect_error 7 "bad port"
{ good; echo "connect_via = http://u:hunter2@127.0.0.1:3128"; echo "connect_via_auth = $T/auth"; } >"$conf"
printf 'u:hunter2\n' >"$T/auth"
chmod 600 "$T/auth"
expect_error 8 "credentials given twice"
{ good; echo "connect_via = http://127.0.0.1:3128"; echo "connect_via_auth = $T/auth"; } >"$conf"
chmod 644 "$T/auth"
expect_error 8 "mode 0644"
chmod 600 "$T/auth"
"$SCTUNNEL" -t -c "$conf" >/dev/null 2>&1 || fail "a good connect_via configuration refused"
{ good; echo "connect_via_auth = $T/auth"; } >"$conf"
expect_error 7 "without 'connect_via'"
sed 's/mode = client/mode = server/' "$conf" >"$conf.s"
{ sed '$d' "$conf.s"; echo "cert = $PKI/server.pem"; echo "key = $PKI/server.key"; echo "connect_via = http://127.0.0.1:1"; } >"$conf"
expect_error 9 "applies to clients only"
{ good; echo "connect = unix:/tmp/x.sock"; echo "connect_via = http://127.0.0.1:1"; } >"$conf"
expect_error 7 "a proxy is asked for host:port"
echo "PASS"
