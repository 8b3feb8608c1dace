#!/usr/bin/env bash
# A client tunnel with a pool of ready sessions (deferred_open): no backend
# connection for a ready session until a local connection takes it, then
# exactly one; the close line says the session came from the pool; an
# old-style server (deferred_open = no) gets one warning and still works.
. "$(dirname "$0")/tunnel-lib.sh"

need ss
make_pki
# A raw echo backend that logs each connection it served.
python3 "$NETC" --serve >"$T/backend.out" 2>&1 &
PIDS+=($!)
wait_for "$T/backend.out" "netc listening on" || fail "backend did not start"
ECHO_ADDR=$(sed -n 's/^netc listening on //p' "$T/backend.out")
echo_port=${ECHO_ADDR##*:}

backend_conns() {
    ss -Htn state established "( sport = :$echo_port )" | wc -l
}

start_pair "$ECHO_ADDR" -- --pool 3 --workers 1
wait_for "$T/client.log" "pool: session to .* ready (3 ready)" ||
    fail "the pool did not fill"
grep -c "deferred session opened" "$T/server.log" | grep -qx 0 ||
    fail "a session opened with no local connection"
[ "$(backend_conns)" = 0 ] || fail "backend connections exist for ready sessions"

# A long-lived local connection: exactly one backend connection for it.
python3 - "$CLI_ADDR" "$T/go" >"$T/live.out" 2>&1 <<'EOT' &
import os, socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)), timeout=30)
f = s.makefile("rb")
s.sendall(b"hello pool\n")
print(f.readline().decode().strip(), flush=True)
for _ in range(600):           # bounded wait for the test's go-ahead
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.05)
s.shutdown(socket.SHUT_WR)
print("end" if f.read() == b"" else "extra", flush=True)
EOT
live=$!
wait_for "$T/live.out" "^hello pool" || fail "no reply through a pooled session"
[ "$(backend_conns)" = 1 ] || fail "expected one backend connection, found $(backend_conns)"
wait_for "$T/client.log" "pool: session to .* ready (3 ready)" ||
    fail "the pool did not refill after a session was taken"
[ "$(backend_conns)" = 1 ] || fail "the refill made a backend connection"
touch "$T/go"
wait "$live" || fail "live connection failed"
grep -qx end "$T/live.out" || fail "live connection did not end cleanly"
wait_for "$T/client.log" "close peer=.* pool=[0-9.]*s duration=.* end=eof" ||
    fail "the close line does not say the session came from the pool"

# Byte for byte, a few in a row: each takes a ready session.
for i in 1 2 3 4 5; do
    head -c 100000 /dev/urandom >"$T/in.$i"
    netc "$CLI_ADDR" <"$T/in.$i" >"$T/out.$i" || fail "connection $i failed"
    cmp -s "$T/in.$i" "$T/out.$i" || fail "connection $i: data differs"
done
[ "$(grep -c 'close peer=.* pool=[0-9.]*s' "$T/client.log")" -ge 6 ] ||
    fail "connections did not use pooled sessions"

# An old-style server: one warning, pooling off, connections still work.
PAIR=old start_pair "$ECHO_ADDR" --deferred-open no -- --pool 2 --workers 1
wait_for "$T/oldclient.log" "does not answer deferred_open: pooling is off" ||
    fail "no warning about a server without deferred_open"
reply=$(printf 'old\n' | netc "$CLI_ADDR") || fail "round trip to the old-style server"
[ "$reply" = "old" ] || fail "unexpected reply '$reply'"
reply=$(printf 'again\n' | netc "$CLI_ADDR") || fail "second round trip to the old-style server"
[ "$(grep -c 'pooling is off' "$T/oldclient.log")" = 1 ] ||
    fail "the warning is not once"
echo "PASS"
