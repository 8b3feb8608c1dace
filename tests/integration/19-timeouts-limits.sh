#!/usr/bin/env bash
# A silent peer is freed by handshake_timeout; max_connections refuses the
# excess at once and logs it; a client fails over to the next `connect`;
# daemon mode writes its pid file and stops on SIGTERM.
. "$(dirname "$0")/tunnel-lib.sh"

make_pki
start_echod echod 127.0.0.1:0
# shellcheck disable=SC2046
start_tunnel server server --accept 127.0.0.1:0 --connect "$ECHO_ADDR" \
    $(server_args) --workers 1 --handshake-timeout 300ms
server=$TUN_ADDR
# shellcheck disable=SC2046
start_tunnel limited server --accept 127.0.0.1:0 --connect "$ECHO_ADDR" \
    $(server_args) --workers 1 --max-connections 1
limited=$TUN_ADDR

# A peer that connects and says nothing is dropped after the timeout.
python3 - "$server" >"$T/silent.out" 2>&1 <<'EOT' &
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)), timeout=30)
print("ended" if s.recv(100) == b"" else "data", flush=True)
EOT
PIDS+=($!)
wait_for "$T/server.log" 'end="handshake timeout after step 0"' ||
    fail "silent peer not timed out"
wait_for "$T/silent.out" "ended" || fail "silent peer not disconnected"

# max_connections = 1: a second connection while one is open is refused.
python3 - "$limited" "$T/hold" >"$T/holder.out" 2>&1 <<'EOT' &
import os, socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)), timeout=30)
print("connected", flush=True)
for _ in range(600):   # hold it open until the test is done (bounded)
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.05)
EOT
holder=$!
PIDS+=($holder)
wait_for "$T/holder.out" "connected" || fail "holder did not connect"
# The client tries 127.0.0.1:1 first (refused), then the limited server.
# shellcheck disable=SC2046
start_tunnel client client --accept 127.0.0.1:0 --connect 127.0.0.1:1 \
    --connect "$limited" $(client_args) --workers 1 -v
set +e
out=$(printf 'x\n' | netc "$TUN_ADDR" 2>"$T/refused.err")
rc=$?
set -e
[ -z "$out" ] || fail "a connection over the limit was served"
# 3: a reset, at once; a clean end (0) or netc's timeout (1) fails.
[ "$rc" = 3 ] || fail "the refused connection did not end with a reset (status $rc: $(cat "$T/refused.err"))"
wait_for "$T/limited.log" "max_connections (1) reached" || fail "excess connection not refused"
touch "$T/hold"
wait_gone "$holder" || fail "holder stuck"
wait_for "$T/limited.log" "close peer=" || fail "holder's end not logged"

# Failover: 127.0.0.1:1 refuses, the next address answers.
grep -q "connect 127.0.0.1:1: " "$T/client.log" || fail "first address not tried"
reply=$(printf 'failover\n' | netc "$TUN_ADDR") || fail "failover round trip"
[ "$reply" = "echo: failover" ] || fail "failover reply '$reply'"

# Daemon mode: detaches, writes the pid file, stops on SIGTERM.
# shellcheck disable=SC2046
"$SCTUNNEL" server --daemon --accept 127.0.0.1:0 --connect "$ECHO_ADDR" \
    $(server_args) --workers 1 --pid "$T/d.pid" --log "$T/daemon.log" ||
    fail "daemon did not start"
wait_for "$T/d.pid" "[0-9]" || fail "no pid file"
dpid=$(cat "$T/d.pid")
PIDS+=($dpid)
wait_for "$T/daemon.log" "started" || fail "daemon not running"
kill -TERM "$dpid"
wait_gone "$dpid" || fail "daemon did not stop"
[ ! -e "$T/d.pid" ] || fail "pid file left behind"
echo "PASS"
