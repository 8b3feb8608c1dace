#!/usr/bin/env bash
# Socket activation without systemd as init: systemd-socket-activate binds
# two sockets, named sc1 and metrics, and starts sctunnel on the first
# connection; `accept = systemd:sc1` and `metrics = systemd:metrics` take
# them, and the waiting connection's data crosses the tunnel end to end.
# A name nobody passed, and a datagram socket, are clear errors.
. "$(dirname "$0")/tunnel-lib.sh"

if ! grep -q '^#define HAVE_SYSTEMD 1' "$SC_BUILDDIR/config.h" 2>/dev/null; then
    skip "built without systemd support (--without-systemd)"
fi
need systemd-socket-activate systemd
need curl
make_pki
start_echod echod -r 127.0.0.1:0

cat >"$T/server.conf" <<EOT
log = $T/server.log
workers = 2
metrics = systemd:metrics

[echo]
mode = server
accept = systemd:sc1
connect = $ECHO_ADDR
cert = $PKI/server.pem
key = $PKI/server.key
ca = $PKI/ca.pem
EOT
# Outside systemd, -t checks everything but the sockets it would be given.
"$SCTUNNEL" -t -c "$T/server.conf" >"$T/t.out" 2>&1 || fail "-t: $(cat "$T/t.out")"

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# activate NAME ARGS...: systemd-socket-activate ARGS, log in $T/NAME.log,
# listening (retried on another port if the one picked was taken).
activate() {
    local name=$1 try
    shift
    for try in 1 2 3 4 5; do
        P1=$(free_port)
        P2=$(free_port)
        systemd-socket-activate "$@" -l "127.0.0.1:$P1" -l "127.0.0.1:$P2" \
            "$SCTUNNEL" -f -c "$T/$name.conf" >"$T/$name.log" 2>&1 &
        ACT_PID=$!
        PIDS+=($ACT_PID)
        for ((i = 0; i < 200; i++)); do
            [ "$(grep -c "^Listening on" "$T/$name.log")" = 2 ] && return 0
            kill -0 "$ACT_PID" 2>/dev/null || break
            sleep 0.05
        done
        kill "$ACT_PID" 2>/dev/null
        wait "$ACT_PID" 2>/dev/null
    done
    fail "systemd-socket-activate did not listen: $(cat "$T/$name.log")"
}

activate server --fdname=sc1:metrics
# shellcheck disable=SC2046
start_tunnel client client --accept 127.0.0.1:0 --connect "127.0.0.1:$P1" $(client_args) \
    --workers 1
# This first connection is what starts sctunnel.
head -c 100000 /dev/urandom >"$T/data"
netc "$TUN_ADDR" <"$T/data" >"$T/back" || fail "connection through the activated socket"
cmp -s "$T/data" "$T/back" || fail "data did not cross intact"
wait_for "$T/server.log" "\[echo\] server listening on 127.0.0.1:$P1" ||
    fail "the service did not take the socket named sc1"
grep -q "metrics on 127.0.0.1:$P2" "$T/server.log" || fail "metrics did not take its socket"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P2/healthz")
[ "$code" = 200 ] || fail "healthz over the passed socket: $code"
reply=$(printf 'again\n' | netc "$TUN_ADDR") || fail "second connection"
[ "$reply" = "again" ] || fail "second reply '$reply'"
kill -TERM "$ACT_PID"
wait_gone "$ACT_PID" || fail "sctunnel did not stop"
wait "$ACT_PID" || fail "exit status $?"

# A name that was not passed: the passed names in the message, exit 1.
sed -e 's/systemd:sc1/systemd:other/' "$T/server.conf" >"$T/wrong.conf"
activate wrong --fdname=sc1:metrics
netc "127.0.0.1:$P1" </dev/null >/dev/null 2>&1
wait_gone "$ACT_PID" || fail "sctunnel with a wrong name kept running"
wait "$ACT_PID" && fail "a wrong name: exit status 0"
grep -q "wrong.conf:7: \[echo\] accept systemd:other: systemd passed no socket named 'other' (passed: sc1, metrics)" \
    "$T/wrong.log" || fail "wrong name: $(cat "$T/wrong.log")"

# A datagram socket is not a listening stream socket.
cp "$T/server.conf" "$T/dgram.conf"
activate dgram --datagram --fdname=sc1:metrics
printf 'x' | python3 -c "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b'x', ('127.0.0.1', $P1))"
wait_gone "$ACT_PID" || fail "sctunnel on a datagram socket kept running"
wait "$ACT_PID" && fail "a datagram socket: exit status 0"
grep -q "\[echo\] accept systemd:sc1: the socket systemd passed as 'sc1' is not a listening stream socket" \
    "$T/dgram.log" || fail "datagram socket: $(cat "$T/dgram.log")"
echo "PASS"
