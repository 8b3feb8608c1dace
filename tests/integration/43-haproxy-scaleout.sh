#!/usr/bin/env bash
# Several servers behind HAProxy (sctunnel(8)): HAProxy in TCP mode,
# roundrobin, send-proxy-v2, health checks on each server's /healthz (its
# metrics address), in front of two server tunnels with accept_proxy; a
# client tunnel points at HAProxy. 500 connections in bounded batches,
# each checked byte for byte, spread over both servers. One server gets
# SIGTERM in the middle of the load, with a live connection on each
# server: its live connection finishes, the connections it had not yet
# accepted are refused and HAProxy retries them on the other, then its
# /healthz says 503 and HAProxy sends it nothing more; nothing is lost.
# Both servers log the client tunnel's real addresses, as HAProxy logged
# them.
. "$(dirname "$0")/tunnel-lib.sh"
. "$(dirname "$0")/haproxy-lib.sh"

make_pki
start_echod echod -r 127.0.0.1:0
for n in 1 2; do
    port=$(free_port)
    {
        printf 'log = %s\nlog_level = info\nworkers = 2\nmetrics = 127.0.0.1:%s\n' \
            "$T/s$n.log" "$port"
        server_section sc "$ECHO_ADDR"
        printf 'accept_proxy = yes\n'
    } >"$T/s$n.conf"
    start_conf "s$n"
    eval "S${n}_PID=$TUN_PID S${n}_ADDR=$TUN_ADDR S${n}_MET=$port"
done
fe=$(free_port)
{
    haproxy_global
    cat <<EOC
    retries 3
    option redispatch 1
frontend sc1
    bind 127.0.0.1:$fe
    log-format "conn client=%ci:%cp server=%s via=%bi:%bp"
    default_backend sctunnel
backend sctunnel
    balance roundrobin
    option httpchk GET /healthz
    server s1 $S1_ADDR send-proxy-v2 check port $S1_MET inter 250ms fall 3 rise 2
    server s2 $S2_ADDR send-proxy-v2 check port $S2_MET inter 250ms fall 3 rise 2
EOC
} >"$T/haproxy.cfg"
start_haproxy haproxy "$fe"
# shellcheck disable=SC2046
start_tunnel client client --accept 127.0.0.1:0 --connect "127.0.0.1:$fe" $(client_args) \
    --workers 2
client=$TUN_ADDR

# live NAME: a connection that sends a line, waits for $T/NAME.go, sends
# another and ends; $T/NAME.out says what came back.
live() {
    python3 - "$client" "$T/$1.go" >"$T/$1.out" 2>&1 <<'EOT' &
import os, socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)), timeout=60)
f = s.makefile("rb")
s.sendall(b"first\n")
print(f.readline().decode().strip(), flush=True)
for _ in range(1200):           # bounded wait for the test's go-ahead
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.05)
s.sendall(b"second\n")
print(f.readline().decode().strip(), flush=True)
s.shutdown(socket.SHUT_WR)
print("end" if f.read() == b"" else "extra", flush=True)
EOT
    PIDS+=($!)
    eval "LIVE_$1=$!"
    wait_for "$T/$1.out" "^first" || fail "live connection $1 did not start"
}
served() {
    grep -c "PROXY header: client" "$T/s$1.log"
}
# batches N: N batches of 25 concurrent connections, 20 kB each way.
batches() {
    local i
    for ((i = 0; i < $1; i++)); do
        netc --many 25 20000 "$client" || fail "a connection failed or lost data"
    done
}

live a
live b
[ "$(served 1) $(served 2)" = "1 1" ] ||
    fail "the live connections did not land on both servers: $(served 1) $(served 2)"
batches 6
wait_count "$T/s1.log" "close peer=.*end=eof" 30 || fail "server 1 served too few of the first 150"
wait_count "$T/s2.log" "close peer=.*end=eof" 30 || fail "server 2 served too few of the first 150"
echo "before SIGTERM: server 1 $(served 1), server 2 $(served 2)"

# Load goes on across the SIGTERM: server 1 serves what it had already
# accepted, then refuses new connections at once (its listening socket
# stops listening), and HAProxy retries those on server 2 (retries,
# redispatch): none fails.
s1_ends=$(grep -c 'close peer=.*end=eof' "$T/s1.log")
# Four loops of small batches keep new connections coming without a
# pause, so that many come between the SIGTERM and the third failed check
# (fall 3) that takes server 1 out of HAProxy's rotation.
during=()
for ((j = 0; j < 4; j++)); do
    (
        for ((i = 0; i < 10; i++)); do
            netc --many 5 20000 "$client" || exit 1
        done
    ) >"$T/during$j.out" 2>&1 &
    during+=($!)
    PIDS+=($!)
done
wait_count "$T/s1.log" "close peer=.*end=eof" $((s1_ends + 10)) ||
    fail "server 1 got no share of the load before SIGTERM"
kill -TERM "$S1_PID"
for ((j = 0; j < 4; j++)); do
    wait "${during[$j]}" || fail "a connection failed while server 1 stopped: $(cat "$T/during$j.out")"
done
# Draining, its /healthz answers 503: HAProxy takes it out at its next
# check, and no connection goes there any more.
wait_for "$T/haproxy.log" "s1 is DOWN" || fail "HAProxy did not take server 1 out"
kill -0 "$S1_PID" || fail "server 1 did not wait for its live connection"
# Stopping, it refuses new connections at once rather than letting them
# wait in its listening socket's backlog until it exits.
if (exec 3<>"/dev/tcp/${S1_ADDR%:*}/${S1_ADDR##*:}") 2>/dev/null; then
    fail "server 1 still takes connections after SIGTERM"
fi
s1_before=$(served 1)
batches 6
[ "$(served 1)" = "$s1_before" ] || fail "server 1 got connections after SIGTERM"

touch "$T/a.go" "$T/b.go"
for l in a b; do
    eval "wait_gone \$LIVE_$l" || fail "live connection $l stuck"
    [ "$(tr '\n' ' ' <"$T/$l.out")" = "first second end " ] ||
        fail "live connection $l: $(cat "$T/$l.out")"
done
wait_gone "$S1_PID" || fail "server 1 did not exit once its live connection ended"
wait_count "$T/s2.log" "close peer=.*end=eof" $((502 - s1_before)) ||
    fail "server 2: $(grep -c 'close peer=.*end=eof' "$T/s2.log") clean ends, want $((502 - s1_before))"
[ $(($(grep -c 'close peer=.*end=eof' "$T/s1.log") + $(grep -c 'close peer=.*end=eof' "$T/s2.log"))) = 502 ] ||
    fail "not every connection ended cleanly"

# Each connection HAProxy logged (client C to server sN, from its own
# address V) is one that sN logged as "V PROXY header: client C"; every
# peer a server's close line names is a client HAProxy logged.
wait_count "$T/haproxy.log" "^conn client=" 502 ||
    fail "HAProxy logged $(grep -c "^conn client=" "$T/haproxy.log") connections, not 502"
sed -n 's/^conn client=\([^ ]*\) .*/\1/p' "$T/haproxy.log" | sort -u >"$T/clients"
for n in 1 2; do
    sed -n "s/^conn client=\([^ ]*\) server=s$n via=\([^ ]*\)\$/\2 PROXY header: client \1/p" \
        "$T/haproxy.log" | sort >"$T/want$n"
    sed -n 's/.*\] \([^ ]* PROXY header: client [^ ]*\)$/\1/p' "$T/s$n.log" | sort >"$T/got$n"
    [ -s "$T/want$n" ] || fail "HAProxy sent server $n nothing"
    [ -z "$(comm -23 "$T/want$n" "$T/got$n")" ] ||
        fail "server $n did not log as HAProxy did: $(comm -23 "$T/want$n" "$T/got$n" | head -n 3)"
    sed -n 's/.*close peer=\([^ ]*\) .*end=eof.*/\1/p' "$T/s$n.log" | sort -u >"$T/peers$n"
    [ -z "$(comm -23 "$T/peers$n" "$T/clients")" ] ||
        fail "server $n logged peers HAProxy did not see as clients: $(comm -23 "$T/peers$n" "$T/clients" | head -n 3)"
done
[ $(($(wc -l <"$T/want1") + $(wc -l <"$T/want2"))) = 502 ] || fail "HAProxy log lines not understood"
echo "after: server 1 $(served 1), server 2 $(served 2)"
echo "PASS"
