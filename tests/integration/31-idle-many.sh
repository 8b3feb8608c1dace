#!/usr/bin/env bash
# 10,000 idle connections through tunnel pairs (1,000 in a sanitizer
# build), each proven end to end by a one-byte echo: prints the resident
# memory each one costs at both tunnel ends; max_connections on each client
# tunnel refuses the connections beyond its limit at once, with a log line
# each; when the connections go, every daemon is back to its descriptors
# and memory, and every connection closed cleanly.
#
# Each tunnel end holds two descriptors per connection. One pair carries
# them all when the open files hard limit allows; else the load is split
# over as many pairs (each with its own backend and load client) as it
# takes for each process to stay within the limit.
. "$(dirname "$0")/tunnel-lib.sh"
. "$(dirname "$0")/load-lib.sh"

N=10000
[ -n "${SC_SANITIZED:-}" ] && N=1000
EXTRA=50
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
# Descriptors a tunnel end needs for n held and x refused connections.
fds_for() { echo $((2 * ($1 + $2) + 200)); }
P=1
while [ "$(fds_for $(((N + P - 1) / P)) $(((EXTRA + P - 1) / P)))" -gt "$hard" ]; do
    P=$((P + 1))
    [ "$P" -le 8 ] || skip "open files hard limit $hard: too low even for 8 tunnel pairs"
done
lim=$(fds_for $(((N + P - 1) / P)) $(((EXTRA + P - 1) / P)))
ulimit -n "$lim" || skip "cannot raise the open files limit to $lim"
[ "$P" -gt 1 ] && echo "open files hard limit $hard: $N connections over $P tunnel pairs"

make_pki
n=() x=() srv=() cli=() hold=()
srv_fds=() srv_rss=() srv_peak=() cli_fds=() cli_rss=() cli_peak=()
for ((k = 0; k < P; k++)); do
    # This pair's share of the connections and of the refusals.
    n[k]=$((N / P + (k < N % P)))
    x[k]=$((EXTRA / P + (k < EXTRA % P)))
    PAIR=p$k-
    start_backend echo "${PAIR}backend"
    start_pair "$BACK_ADDR" --max-connections 0 -- --max-connections "${n[k]}"
    srv[k]=$SRV_PID cli[k]=$CLI_PID
    srv_fds[k]=$(fds "$SRV_PID") srv_rss[k]=$(rss "$SRV_PID")
    cli_fds[k]=$(fds "$CLI_PID") cli_rss[k]=$(rss "$CLI_PID")
    "$LOADC" hold -n $((n[k] + x[k])) -p 100 -t 240 "$CLI_ADDR" >"$T/${PAIR}hold.out" 2>&1 &
    hold[k]=$!
    PIDS+=("${hold[k]}")
done

srv_grew=0 cli_grew=0
for ((k = 0; k < P; k++)); do
    PAIR=p$k-
    out="$T/${PAIR}hold.out"
    wait_for "$out" "held n=" 200 || fail "pair $k: connections not set up: $(cat "$out")"
    cat "$out"
    grep -q "held=${n[k]} refused=${x[k]} " "$out" ||
        fail "pair $k: expected ${n[k]} held and ${x[k]} refused"
    r=$(grep -c "max_connections (${n[k]}) reached" "$T/${PAIR}client.log")
    [ "$r" = "${x[k]}" ] || fail "pair $k: $r refusals logged, expected ${x[k]}"
    [ "$(fds "${srv[k]}")" -ge $((srv_fds[k] + 2 * n[k])) ] ||
        fail "pair $k: server holds $(fds "${srv[k]}") descriptors"
    srv_peak[k]=$(rss "${srv[k]}") cli_peak[k]=$(rss "${cli[k]}")
    srv_grew=$((srv_grew + srv_peak[k] - srv_rss[k]))
    cli_grew=$((cli_grew + cli_peak[k] - cli_rss[k]))
done
if asan "${srv[0]}"; then
    echo "idle connections: $N (memory per connection not measured under AddressSanitizer)"
else
    echo "idle connections: $N; server $((srv_grew * 1024 / N)) bytes each," \
        "client $((cli_grew * 1024 / N)) bytes each (resident)"
    # An idle connection keeps no buffers: 16 KiB for both ends (the
    # target), against up to 320 KiB for a busy one.
    [ $(((srv_grew + cli_grew) / N)) -lt 16 ] ||
        fail "more than 16 KiB per idle connection for both tunnel ends"
fi

for ((k = 0; k < P; k++)); do
    kill -TERM "${hold[k]}"
done
for ((k = 0; k < P; k++)); do
    PAIR=p$k-
    wait "${hold[k]}" || fail "pair $k: a held connection was dropped: $(tail -n 1 "$T/${PAIR}hold.out")"
    tail -n 1 "$T/${PAIR}hold.out"
done
for ((k = 0; k < P; k++)); do
    PAIR=p$k-
    recovered "${PAIR}server" "${srv[k]}" "${srv_fds[k]}" "${srv_rss[k]}" "${srv_peak[k]}"
    recovered "${PAIR}client" "${cli[k]}" "${cli_fds[k]}" "${cli_rss[k]}" "${cli_peak[k]}"
    c=$(grep -c 'close peer=.*end=eof' "$T/${PAIR}server.log")
    [ "$c" = "${n[k]}" ] || fail "pair $k: server logged $c clean closes, expected ${n[k]}"
done
echo "PASS"
