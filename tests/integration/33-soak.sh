#!/usr/bin/env bash
# Soak: rounds of 1,000 concurrent connections through a tunnel pair, each
# moving 1 MiB both ways (100 x 256 KiB in a sanitizer build), every echo
# byte-exact, while both tunnels reload (SIGHUP) every second, and once more
# in each round with all its connections open (before their data goes, so
# however fast a round runs): nothing is lost, no connection is dropped by
# a reload, every one ends cleanly; then both daemons are back to their
# descriptors and memory.
. "$(dirname "$0")/tunnel-lib.sh"
. "$(dirname "$0")/load-lib.sh"

N=1000 SIZE=$((1 << 20)) ROUNDS=2
[ -n "${SC_SANITIZED:-}" ] && N=100 SIZE=$((256 << 10))
need=$((2 * N + 200))
[ "$(ulimit -n)" -ge "$need" ] || ulimit -n "$need" ||
    skip "cannot raise the open files limit to $need"

make_pki
start_backend echo backend
start_pair "$BACK_ADDR" --max-connections 0 -- --max-connections 0
srv_fds=$(fds "$SRV_PID") srv_rss=$(rss "$SRV_PID")
cli_fds=$(fds "$CLI_PID") cli_rss=$(rss "$CLI_PID")

# Reloads every second until the rounds are over (bounded: 5 minutes),
# one line in $T/sent per reload sent. It exits 0 only when told to
# (done); a failed kill or the bound ends it with 1, and the rounds check
# that it is still running.
: >"$T/sent"
(
    for ((i = 0; i < 300; i++)); do
        [ -e "$T/done" ] && exit 0
        kill -HUP "$SRV_PID" "$CLI_PID" 2>/dev/null || exit 1
        echo "$i" >>"$T/sent"
        sleep 1
    done
    exit 1
) &
reloader=$!
PIDS+=($reloader)

srv_peak=0 cli_peak=0
for ((r = 1; r <= ROUNDS; r++)); do
    before=$(grep -c 'reloaded' "$T/server.log") sent0=$(wc -l <"$T/sent")
    "$LOADC" transfer -n "$N" -s "$SIZE" -p 64 -g "$T/go$r" -t 120 "$CLI_ADDR" \
        >"$T/round$r.out" 2>&1 &
    load=$!
    wait_for "$T/round$r.out" "open n=$N open=$N" 60 ||
        fail "round $r: connections not all open: $(tail -n 3 "$T/round$r.out")"
    s0=$(grep -c 'reloaded' "$T/server.log") c0=$(grep -c 'reloaded' "$T/client.log")
    kill -HUP "$SRV_PID" "$CLI_PID"
    wait_count "$T/server.log" reloaded $((s0 + 1)) &&
        wait_count "$T/client.log" reloaded $((c0 + 1)) ||
        fail "round $r: no reload with all $N connections open"
    touch "$T/go$r"
    # The peak memory while it runs (sampled; the limit bounds the loop).
    while kill -0 "$load" 2>/dev/null; do
        s=$(rss "$SRV_PID") c=$(rss "$CLI_PID")
        [ "$s" -gt "$srv_peak" ] && srv_peak=$s
        [ "$c" -gt "$cli_peak" ] && cli_peak=$c
        sleep 0.2
    done
    wait "$load" || fail "round $r: $(tail -n 12 "$T/round$r.out")"
    grep -q "peak_open=$N " "$T/round$r.out" || fail "round $r: not all $N open at once"
    after=$(grep -c 'reloaded' "$T/server.log")
    kill -0 "$reloader" 2>/dev/null || fail "round $r: the reloader stopped"
    [ "$(wc -l <"$T/sent")" -gt "$sent0" ] || fail "round $r: the reloader sent no reload"
    echo "round $r: $(tail -n 1 "$T/round$r.out"); server reloads during it: $((after - before))"
done
touch "$T/done"
wait_gone "$reloader" 5 || fail "the reloader did not stop"
wait "$reloader" || fail "the reloader ended on its own"
# Every reload the reloader sent is logged by both tunnels (a forced one
# may coincide with one of these and be taken as one reload, so the forced
# ones are not added to the count).
sent=$(wc -l <"$T/sent")
wait_count "$T/server.log" reloaded "$sent" && wait_count "$T/client.log" reloaded "$sent" ||
    fail "reloads sent $sent, logged: server $(grep -c reloaded "$T/server.log"), client $(grep -c reloaded "$T/client.log")"
! grep -q 'reload failed' "$T/server.log" "$T/client.log" || fail "a reload failed"
for end in server client; do
    n=$(grep -c 'close peer=.*end=eof' "$T/$end.log")
    [ "$n" = $((N * ROUNDS)) ] || fail "$end logged $n clean closes, expected $((N * ROUNDS))"
done
echo "reloads: server $(grep -c 'reloaded' "$T/server.log"), client $(grep -c 'reloaded' "$T/client.log")"
# Memory after the last round, whose connections have all ended.
recovered server "$SRV_PID" "$srv_fds" "$srv_rss" "$srv_peak"
recovered client "$CLI_PID" "$cli_fds" "$cli_rss" "$cli_peak"
echo "PASS"
