#!/usr/bin/env bash
# Deferred sessions withdrawn by the server (SC1.md section 4, Extensions):
# with a tiny unopened_timeout the server keeps withdrawing ready sessions
# while connections take them; every connection still arrives byte for
# byte, none fails. A server stopped with SIGTERM withdraws its unopened
# sessions and, started again, serves the next connections. A client
# removed from `allow` by a reload is refused when its pooled session opens.
. "$(dirname "$0")/tunnel-lib.sh"

make_pki
python3 "$NETC" --serve >"$T/backend.out" 2>&1 &
PIDS+=($!)
wait_for "$T/backend.out" "netc listening on" || fail "backend did not start"
BACKEND=$(sed -n 's/^netc listening on //p' "$T/backend.out")

start_pair "$BACKEND" --unopened-timeout 200ms -- --pool 2 --workers 1
wait_for "$T/server.log" "session withdrawn (unopened_timeout)" ||
    fail "the server did not withdraw an unopened session"
wait_for "$T/client.log" "pool: ready session to .* ended: \"withdrawn by the server\"" ||
    fail "the client did not drop a withdrawn session"

# Connections arrive at a pace that lands some of them on sessions being
# withdrawn. The pacing only spreads them over time; nothing waits on it.
for i in $(seq 1 40); do
    head -c $((1000 + i * 997)) /dev/urandom >"$T/in"
    netc "$CLI_ADDR" <"$T/in" >"$T/out" || fail "connection $i failed"
    cmp -s "$T/in" "$T/out" || fail "connection $i: data lost or duplicated"
    sleep 0.$((i % 4))
done
conns=$(grep -c '^conn [0-9]* end=eof' "$T/backend.out" || true)
[ "$conns" -ge 40 ] || fail "backend saw $conns clean connections, expected 40"
grep -q 'warning: .*cannot be retried' "$T/client.log" &&
    fail "a withdrawn connection could not be retried"
echo "withdrawn sessions: $(grep -c 'session withdrawn' "$T/server.log")," \
    "connections retried: $(grep -c 'withdrew the session after it opened' "$T/client.log")"

# SIGTERM: unopened sessions are withdrawn at once; a restarted server on
# the same address serves the next connections.
kill -TERM "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
grep -q 'session withdrawn (shutting down)' "$T/server.log" ||
    fail "SIGTERM did not withdraw the unopened sessions"
# shellcheck disable=SC2046
start_tunnel server2 server --accept "$SRV_ADDR" --connect "$BACKEND" $(server_args) \
    --workers 1 -v
for i in 1 2 3; do
    reply=$(printf 'after restart %s\n' "$i" | netc "$CLI_ADDR") ||
        fail "connection $i after the restart failed"
    [ "$reply" = "after restart $i" ] || fail "unexpected reply '$reply'"
done
wait_for "$T/client.log" "pool: sessions to .* can be made again" ||
    fail "the pool did not recover after the restart"
kill -TERM "$TUN_PID"

# Reload: a pooled client removed from `allow` is refused at opening.
cat >"$T/server.conf" <<EOT
log_level = info
workers = 1

[svc]
mode = server
accept = 127.0.0.1:0
connect = $BACKEND
cert = $PKI/server.pem
key = $PKI/server.key
ca = $PKI/ca.pem
allow = CN:client.test
EOT
"$SCTUNNEL" -f -c "$T/server.conf" 2>"$T/server3.log" &
S3=$!
PIDS+=($S3)
wait_for "$T/server3.log" "listening on" || fail "configured server did not start"
addr3=$(sed -n 's/.* listening on //p' "$T/server3.log" | head -n 1)
# shellcheck disable=SC2046
start_tunnel client3 client --accept 127.0.0.1:0 --connect "$addr3" $(client_args) \
    --workers 1 --pool 1 -v
wait_for "$T/client3.log" "pool: session to .* ready (1 ready)" || fail "pool 3 did not fill"
sed -i 's/^allow = CN:client.test/allow = CN:someone-else.test/' "$T/server.conf"
kill -HUP "$S3"
wait_for "$T/server3.log" "reloaded" || fail "the server did not reload"
before=$(grep -c '^conn ' "$T/backend.out")
rc=0
printf 'refused?\n' | netc "$TUN_ADDR" >"$T/refused.out" || rc=$?
[ "$rc" = 3 ] || fail "the local connection was not reset (exit $rc)"
[ ! -s "$T/refused.out" ] || fail "data came back from a refused session"
wait_for "$T/server3.log" "alert sent access_denied: at opening: client identity 'CN:client.test' refused" ||
    fail "no access_denied at opening in the server log"
[ "$(grep -c '^conn ' "$T/backend.out")" = "$before" ] &&
    ! grep -q "connect $BACKEND" "$T/server3.log" ||
    fail "the refused session reached the backend"
echo "PASS"
