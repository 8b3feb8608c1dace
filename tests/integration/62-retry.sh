#!/usr/bin/env bash
# A pooled session withdrawn after the client opened it (SC1.md section 4,
# Extensions): a relay holds the client's opening record and data until the
# server has withdrawn the session (unopened_timeout). The client resends
# what it sent on another session: the backend receives it exactly once and
# the local client gets every byte back. A connection that had sent more
# than the client keeps (64 KiB) is reset and logged instead. Over
# WebSocket the same: the retried connection takes the next session's
# WebSocket state with it (where its frames stand, not the withdrawn
# one's).
. "$(dirname "$0")/tunnel-lib.sh"

MODRELAY="$SC_BUILDDIR/tests/tools/modrelay"
[ -x "$MODRELAY" ] || fail "modrelay not built"
make_pki
python3 "$NETC" --serve >"$T/backend.out" 2>&1 &
PIDS+=($!)
wait_for "$T/backend.out" "netc listening on" || fail "backend did not start"
BACKEND=$(sed -n 's/^netc listening on //p' "$T/backend.out")
# shellcheck disable=SC2046
start_tunnel server server --accept 127.0.0.1:0 --connect "$BACKEND" $(server_args) \
    --workers 1 --unopened-timeout 4s -v
SRV=$TUN_ADDR

# pair N SIZE: relay N whose first connection is held, a client with a pool
# of one behind it, and SIZE bytes sent through a pooled session.
pair() {
    local n=$1 size=$2
    echo "c2s hold $T/release$n" >"$T/ops$n"
    "$MODRELAY" -f "$T/ops$n" "$SRV" >"$T/relay$n.out" 2>&1 &
    PIDS+=($!)
    wait_for "$T/relay$n.out" "listening on" || fail "relay $n did not start"
    # shellcheck disable=SC2046
    start_tunnel "client$n" client --accept 127.0.0.1:0 \
        --connect "$(sed -n 's/^modrelay listening on //p' "$T/relay$n.out")" \
        $(client_args) --workers 1 --pool 1 -v
    wait_for "$T/client$n.log" "pool: session to .* ready (1 ready)" ||
        fail "pool $n did not fill"
    head -c "$size" /dev/urandom >"$T/in$n"
    RC=0
    netc "$TUN_ADDR" <"$T/in$n" >"$T/out$n" || RC=$?
}

# retried WHAT N CLIENT_LOG: connection N (input in$N, output out$N,
# exit status RC) was retried and got through: every byte back, the
# backend saw one connection more than `before`, and ONCE of its
# connections so far carried 30000 bytes (one per scenario: never twice).
retried() {
    local what=$1 n=$2 log=$3
    [ "$RC" = 0 ] || fail "$what: the retried connection failed (exit $RC)"
    cmp -s "$T/in$n" "$T/out$n" || fail "$what: the retried connection's data differs"
    grep -q 'withdrew the session after it opened; retrying 30000 bytes' "$log" ||
        fail "$what: the client did not retry the withdrawn session"
    wait_count "$T/backend.out" '^conn [0-9]* end=eof bytes=' $((before + 1)) ||
        fail "$what: the backend did not see the connection end"
    [ "$(grep -c '^conn [0-9]* end=eof bytes=30000$' "$T/backend.out")" = "$ONCE" ] ||
        fail "$what: the backend did not receive the data exactly once"
}

before=$(grep -c '^conn ' "$T/backend.out" || true)
pair 1 30000
ONCE=1 retried raw 1 "$T/client1.log"
# The held bytes reach the server now, after the withdrawal: discarded.
touch "$T/release1"
wait_for "$T/relay1.out" '^conn 0 .*applied=1' || fail "relay 1 did not apply its hold"
[ "$(grep -c '^conn ' "$T/backend.out")" = $((before + 1)) ] ||
    fail "bytes sent on the withdrawn session reached the backend"

# More than 64 KiB sent before the withdrawal: reset, and said so.
pair 2 200000
touch "$T/release2"
[ "$RC" = 3 ] || fail "a connection that cannot be retried was not reset (exit $RC)"
grep -q 'warning: .*withdrew the session after more than 65536 bytes were sent' \
    "$T/client2.log" || fail "no warning for a connection that cannot be retried"
[ "$(grep -c '^conn ' "$T/backend.out")" = $((before + 1)) ] ||
    fail "the reset connection reached the backend"

# SC1 over WebSocket: a relay that holds the opening record inside frames.
# shellcheck disable=SC2046
start_tunnel wsserver server --accept 127.0.0.1:0 --connect "$BACKEND" $(server_args) \
    --workers 1 --unopened-timeout 4s --websocket yes -v
python3 "$SC_SRCDIR/tests/tools/splitrelay.py" --reframe --hold "$T/release-ws" "$TUN_ADDR" \
    >"$T/wsrelay.out" 2>&1 &
PIDS+=($!)
wait_for "$T/wsrelay.out" "listening on" || fail "the WebSocket relay did not start"
# shellcheck disable=SC2046
start_tunnel wsclient client --accept 127.0.0.1:0 \
    --connect "$(sed -n 's/^splitrelay listening on //p' "$T/wsrelay.out")" \
    $(client_args) --workers 1 --pool 1 --transport websocket -v
wait_for "$T/wsclient.log" "pool: session to .* ready (1 ready)" || fail "the WebSocket pool did not fill"
before=$(grep -c '^conn ' "$T/backend.out" || true)
head -c 30000 /dev/urandom >"$T/inws"
RC=0
netc "$TUN_ADDR" <"$T/inws" >"$T/outws" || RC=$?
ONCE=2 retried WebSocket ws "$T/wsclient.log"
touch "$T/release-ws"
wait_for "$T/wsrelay.out" '^conn 0 released' || fail "the WebSocket relay did not apply its hold"
[ "$(grep -c '^conn ' "$T/backend.out")" = $((before + 1)) ] ||
    fail "bytes sent on the withdrawn WebSocket session reached the backend"
echo "PASS"
