#!/usr/bin/env bash
# 10,000 idle connections through a tunnel pair (1,000 in a sanitizer
# build), each proven end to end by a one-byte echo: prints the resident
# memory each one costs at both tunnel ends; max_connections on the client
# tunnel refuses the 50 beyond its limit at once, with a log line each; when
# the connections go, both daemons are back to their descriptors and memory.
. "$(dirname "$0")/tunnel-lib.sh"
. "$(dirname "$0")/load-lib.sh"

N=10000
[ -n "${SC_SANITIZED:-}" ] && N=1000
EXTRA=50
# Each tunnel holds two descriptors per connection.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
need=$((2 * (N + EXTRA) + 200))
if [ "$hard" -lt "$need" ]; then
    # Scale down to what the hard limit allows rather than test nothing.
    N=$(((hard - 200) / 2 - EXTRA))
    [ "$N" -ge 1000 ] || skip "open files hard limit $hard: too low for 1000 connections"
    echo "open files hard limit $hard: $N connections instead of 10000"
    need=$hard
fi
ulimit -n "$need" || skip "cannot raise the open files limit to $need"

make_pki
start_backend echo backend
start_pair "$BACK_ADDR" --max-connections 0 -- --max-connections "$N"
srv_fds=$(fds "$SRV_PID") srv_rss=$(rss "$SRV_PID")
cli_fds=$(fds "$CLI_PID") cli_rss=$(rss "$CLI_PID")

"$LOADC" hold -n $((N + EXTRA)) -p 100 -t 240 "$CLI_ADDR" >"$T/hold.out" 2>&1 &
hold=$!
PIDS+=($hold)
wait_for "$T/hold.out" "held n=" 200 || fail "connections not set up: $(cat "$T/hold.out")"
cat "$T/hold.out"
grep -q "held=$N refused=$EXTRA " "$T/hold.out" || fail "expected $N held and $EXTRA refused"
n=$(grep -c "max_connections ($N) reached" "$T/client.log")
[ "$n" = "$EXTRA" ] || fail "$n refusals logged, expected $EXTRA"
srv_peak=$(rss "$SRV_PID") cli_peak=$(rss "$CLI_PID")
[ "$(fds "$SRV_PID")" -ge $((srv_fds + 2 * N)) ] || fail "server holds $(fds "$SRV_PID") descriptors"
if asan "$SRV_PID"; then
    echo "idle connections: $N (memory per connection not measured under AddressSanitizer)"
else
    echo "idle connections: $N; server $(((srv_peak - srv_rss) * 1024 / N)) bytes each," \
        "client $(((cli_peak - cli_rss) * 1024 / N)) bytes each (resident)"
    # An idle connection must not keep buffers: far below the 320 KiB a
    # busy one may hold.
    [ $(((srv_peak - srv_rss) / N)) -le 64 ] || fail "server: more than 64 KiB per idle connection"
    [ $(((cli_peak - cli_rss) / N)) -le 64 ] || fail "client: more than 64 KiB per idle connection"
fi

kill -TERM "$hold"
wait "$hold" || fail "a held connection was dropped: $(tail -n 1 "$T/hold.out")"
tail -n 1 "$T/hold.out"
recovered server "$SRV_PID" "$srv_fds" "$srv_rss" "$srv_peak"
recovered client "$CLI_PID" "$cli_fds" "$cli_rss" "$cli_peak"
n=$(grep -c 'close peer=.*end=eof' "$T/server.log")
[ "$n" = "$N" ] || fail "server logged $n clean closes, expected $N"
echo "PASS"
