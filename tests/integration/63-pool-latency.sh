#!/usr/bin/env bash
# Time to first reply byte over a long path (a relay adding 50 ms each way,
# RTT 100 ms, with TCP's connect round trip): a connection on a pooled
# session needs about one round trip, less than a plain TCP connection over
# the same path (two) and far less than a fresh SC1 session (about six).
# The assertions are in round trips with wide margins; bench/run has the
# precise figures.
. "$(dirname "$0")/tunnel-lib.sh"

DELAY=50
RTT=$((2 * DELAY))
make_pki
python3 "$NETC" --serve >"$T/backend.out" 2>&1 &
PIDS+=($!)
wait_for "$T/backend.out" "netc listening on" || fail "backend did not start"
BACKEND=$(sed -n 's/^netc listening on //p' "$T/backend.out")
# shellcheck disable=SC2046
start_tunnel server server --accept 127.0.0.1:0 --connect "$BACKEND" $(server_args) --workers 1
relay() { # NAME TARGET: a delay relay; sets RELAY
    python3 "$SC_SRCDIR/tests/tools/delayrelay.py" "$DELAY" "$2" >"$T/$1.out" 2>&1 &
    PIDS+=($!)
    wait_for "$T/$1.out" "delayrelay listening on" || fail "relay $1 did not start"
    RELAY=$(sed -n 's/^delayrelay listening on //p' "$T/$1.out")
}
relay to_server "$TUN_ADDR"
to_server=$RELAY
relay to_backend "$BACKEND"
to_backend=$RELAY
# shellcheck disable=SC2046
start_tunnel pooled client --accept 127.0.0.1:0 --connect "$to_server" $(client_args) \
    --workers 1 --pool 4 -v
pooled=$TUN_ADDR
# shellcheck disable=SC2046
start_tunnel fresh client --accept 127.0.0.1:0 --connect "$to_server" $(client_args) --workers 1
fresh=$TUN_ADDR
wait_for "$T/pooled.log" "pool: session to .* ready (4 ready)" || fail "the pool did not fill"

ttfb() { python3 "$SC_SRCDIR/tests/tools/ttfb.py" "$1" 3 | sed -n 's/^median //p' | cut -d. -f1; }
plain=$(ttfb "$to_backend") || fail "plain path"
pool=$(ttfb "$pooled") || fail "pooled path"
new=$(ttfb "$fresh") || fail "fresh path"
echo "time to first byte (ms, RTT $RTT): plain TCP $plain, pooled $pool, fresh session $new"
[ "$plain" -ge $((2 * RTT - 10)) ] || fail "the relay does not delay as it should ($plain ms)"
[ "$pool" -lt $((5 * RTT / 2)) ] || fail "a pooled connection took $pool ms (over 2.5 RTT)"
[ "$pool" -lt "$plain" ] || fail "a pooled connection ($pool ms) is not faster than plain TCP ($plain ms)"
[ "$new" -ge $((4 * RTT)) ] || fail "a fresh session took only $new ms: the path is too short to mean anything"
echo "PASS"
