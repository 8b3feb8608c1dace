#!/usr/bin/env bash
# A peer that finished the handshake, sends and never reads cannot make a
# server tunnel queue without bound: key-update requests (each asks for a
# reply; the server also sends timed key updates of its own), empty
# application-data records, and records that fail and draw an alert. The
# server's memory stays within the per-connection bound of
# sctunnel.conf(5) however much the flood sends, and other clients keep
# working throughout.
. "$(dirname "$0")/tunnel-lib.sh"
. "$(dirname "$0")/load-lib.sh"

FLOODC="$SC_BUILDDIR/tests/tools/floodc"
[ -x "$FLOODC" ] || fail "floodc not built"
N=4
# Bound per connection (sctunnel.conf(5): under 512 KiB), plus 2 MiB of
# allocator noise for the process.
PER_CONN=512

make_pki
start_backend echo backend
start_pair "$BACK_ADDR" --rekey-seconds 5ms
srv_rss=$(rss "$SRV_PID")
srv_fds=$(fds "$SRV_PID")

# flood MODE N CAP: floodc against the server; waits until every
# connection stopped (or sent CAP), output in $T/flood-MODE.out.
flood() {
    local out="$T/flood-$1.out"
    # shellcheck disable=SC2046
    "$FLOODC" -m "$1" -n "$2" -c "$3" -i 1000 -t 600 \
        "$PKI/client.pem" "$PKI/client.key" "$PKI/ca.pem" server.test "$SRV_ADDR" \
        >"$out" 2>&1 &
    FLOOD_PID=$!
    PIDS+=($FLOOD_PID)
    wait_for "$out" "^done" 500 || fail "floodc $1 did not finish: $(cat "$out")"
    cat "$out"
}

# check_memory WHAT N: the server's resident size grew by at most N
# connections' bound (not compared under AddressSanitizer).
check_memory() {
    local now allowed
    asan "$SRV_PID" && { echo "$1: memory not compared under AddressSanitizer"; return 0; }
    now=$(rss "$SRV_PID")
    allowed=$((srv_rss + $2 * PER_CONN + 2048))
    echo "$1: server memory $srv_rss KiB before, $now KiB with the flood held (allowed $allowed)"
    [ "$now" -le "$allowed" ] || fail "$1: server memory grew from $srv_rss to $now KiB"
}

# Other clients still get through.
round_trip() {
    "$LOADC" transfer -n 4 -s 65536 -t 30 "$CLI_ADDR" >>"$T/normal.out" 2>&1 ||
        fail "a normal client failed during the $1 flood: $(tail -n 3 "$T/normal.out")"
}

# 1. Key-update requests: one answer waits in the engine for a peer that
# reads nothing, whatever the number of requests (the server may go on
# reading them, as it reads any data).
# 12 MiB asks for 22 MiB of answers: more than the kernel's socket buffers
# can hide.
# Under AddressSanitizer memory is not compared: a short flood only shows
# the server survives it.
KU_BYTES=$((12 << 20))
asan "$SRV_PID" && KU_BYTES=$((1 << 20))
flood ku 2 "$KU_BYTES"
check_memory "key-update flood" 2
round_trip ku
kill "$FLOOD_PID"
wait_count "$T/server.log" 'close peer=' 2 || fail "flooding connections not closed"

# 2. Empty application data: nothing to answer, so nothing queues; the
# server may read it all.
flood empty 2 $((4 << 20))
check_memory "empty-record flood" 2
round_trip empty
kill "$FLOOD_PID"
wait_count "$T/server.log" 'close peer=' 4 || fail "flooding connections not closed"

# 3. Records that fail: one alert each, then the connection ends.
flood alert "$N" $((64 << 20))
grep -q '^sent ' "$T/flood-alert.out" && fail "the server kept reading after a bad record"
wait_count "$T/server.log" 'alert sent bad_record_mac' "$N" ||
    fail "not every bad record drew bad_record_mac"
check_memory "bad-record flood" "$N"
round_trip alert
kill "$FLOOD_PID"

recovered server "$SRV_PID" "$srv_fds" "$srv_rss" "$(rss "$SRV_PID")"
echo "PASS"
