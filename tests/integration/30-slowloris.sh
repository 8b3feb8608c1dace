#!/usr/bin/env bash
# Slowloris: 500 connections to a server tunnel each send the start of a
# ClientHello one byte a second; handshake_timeout (2 s) closes every one
# of them, while normal clients keep completing round trips through a
# client tunnel. Afterwards the server is back to its descriptors and
# memory.
. "$(dirname "$0")/tunnel-lib.sh"
. "$(dirname "$0")/load-lib.sh"

N=500
make_pki
start_backend echo backend
start_pair "$BACK_ADDR" --handshake-timeout 2s --max-connections 0
srv_fds=$(fds "$SRV_PID")
srv_rss=$(rss "$SRV_PID")

"$LOADC" slowloris -n "$N" -p 100 -i 1000 -t 60 "$SRV_ADDR" >"$T/slow.out" 2>&1 &
slow=$!
PIDS+=($slow)
# Once all of them are in, normal clients go through, round after round,
# until the slow ones are gone.
wait_for "$T/server.log" "accepted" || fail "no slow connection accepted"
for ((i = 0; i < 600; i++)); do
    [ "$(grep -c ' accepted ' "$T/server.log")" -ge "$N" ] && break
    sleep 0.05
done
peak=$(rss "$SRV_PID")
rounds=0
during=0
while kill -0 "$slow" 2>/dev/null && [ "$rounds" -lt 200 ]; do
    timeouts=$(grep -c 'handshake timeout' "$T/server.log")
    "$LOADC" transfer -n 10 -s 65536 -t 30 "$CLI_ADDR" >>"$T/normal.out" 2>&1 ||
        fail "a normal client failed during the slowloris: $(tail -n 3 "$T/normal.out")"
    rounds=$((rounds + 1))
    [ "$timeouts" -lt "$N" ] && during=$((during + 1))
done
[ "$rounds" -gt 0 ] || fail "no normal round ran"
wait "$slow" || fail "slow connections left open: $(cat "$T/slow.out")"
cat "$T/slow.out"
grep -q "closed=$N " "$T/slow.out" || fail "not every slow connection was closed"
n=$(grep -c 'end="handshake timeout after step' "$T/server.log")
[ "$n" = "$N" ] || fail "$n handshake timeouts logged, expected $N"
echo "normal clients: $rounds rounds of 10 round trips, $during begun while slow connections were open"
recovered server "$SRV_PID" "$srv_fds" "$srv_rss" "$peak"
echo "PASS"
