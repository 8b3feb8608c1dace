#!/usr/bin/env bash
# Integrity of a live session (SC1.md sections 2 and 11): a relay
# between the tunnels flips one bit at every offset of a whole short
# session (handshake, the first data record each way, close_notify), in
# each direction, and at random offsets of long transfers. Every altered
# session ends with an error logged by the tunnels, and no altered byte
# reaches the plaintext side: what comes back is a prefix of what was sent.
. "$(dirname "$0")/tunnel-lib.sh"

MODRELAY="$SC_BUILDDIR/tests/tools/modrelay"
[ -x "$MODRELAY" ] || fail "modrelay not built"
make_pki
start_echod echod -r 127.0.0.1:0
# A session that does not end is a hang, seen by the driver when it has
# not ended HANG seconds after its data was sent. The tunnels' timeouts are
# longer, so that they cannot end a hang before it is seen. Only a flip in
# a record's length field may leave a receiver waiting for bytes that never
# come (a longer record than was sent): the driver allows at most as many
# hung sessions as the relay reports "length altered", and each tunnel may
# end at most that many sessions by its timeout. A tunnel that ignored a
# failed record would hang sessions whose flip was elsewhere and fail here.
HANG=3 TUNNEL_TIMEOUT=6s
# shellcheck disable=SC2046
start_tunnel server server --accept 127.0.0.1:0 --connect "$ECHO_ADDR" \
    $(server_args) --workers 2 --handshake-timeout "$TUNNEL_TIMEOUT" \
    --idle-timeout "$TUNNEL_TIMEOUT"
server=$TUN_ADDR
: >"$T/ops"
"$MODRELAY" -f "$T/ops" "$server" >"$T/modrelay.out" 2>"$T/modrelay.stderr" &
PIDS+=($!)
wait_for "$T/modrelay.out" "listening on" || fail "modrelay did not start"
relay=$(sed -n 's/^modrelay listening on //p' "$T/modrelay.out")
# shellcheck disable=SC2046
start_tunnel client client --accept 127.0.0.1:0 --connect "$relay" \
    $(client_args) --workers 2 --handshake-timeout "$TUNNEL_TIMEOUT" \
    --idle-timeout "$TUNNEL_TIMEOUT"

# Under the sanitizers every 4th offset and fewer samples keep it short.
step=1 sample=30
if [ -n "${SC_SANITIZED:-}" ]; then step=4 sample=12; fi
python3 "$SC_SRCDIR/tests/integration/relaydrive.py" sweep "$TUN_ADDR" \
    "$T/modrelay.out" "$T/ops" --step "$step" --sample "$sample" --hang "$HANG" \
    >"$T/drive.out" 2>&1
rc=$?
cat "$T/drive.out"
[ "$rc" = 0 ] || fail "altered sessions misbehaved"

# The tunnels logged every session's end: two clean ones (the unaltered
# sessions), every other one an error. The side that received the altered
# record reports it; the client ends with an error in every case.
sessions=$(grep -c '^conn [0-9]* op=' "$T/modrelay.out")
wait_count "$T/client.log" "close peer=" "$sessions" ||
    fail "client logged $(grep -c 'close peer=' "$T/client.log") of $sessions ends"
clean=$(grep -c 'close peer=.* end=eof$' "$T/client.log")
[ "$clean" = 2 ] || fail "client: $clean clean ends, expected only the 2 unaltered sessions"
grep -h 'close peer=' "$T/client.log" "$T/server.log" | grep -v 'end=eof$' |
    grep -v -E 'end="(handshake failed: )?(not SC1: [^;]*; )?(alert (sent|received) [a-z_]+|truncated|protocol error \(no alert sent\)|reset \(SC1 side\)|reset \(plaintext side\)|handshake timeout|idle timeout)' \
    >"$T/unexpected.txt"
if [ -s "$T/unexpected.txt" ]; then
    head -n 5 "$T/unexpected.txt" >&2
    fail "$(wc -l <"$T/unexpected.txt") sessions ended for an unexpected reason"
fi
# A timeout ends only a session whose length field was altered.
length=$(grep -c '^conn [0-9]* op=.* hit="[^"]*length altered"' "$T/modrelay.out")
for side in client server; do
    n=$(grep -c -E 'close peer=.* end="(handshake failed: )?(handshake|idle) timeout' "$T/$side.log")
    echo "$side: $n sessions ended by a timeout, $length had a length field altered"
    [ "$n" -le "$length" ] ||
        fail "$side: $n sessions ended by a timeout, more than the $length with a length field altered"
done
if grep -E 'alert (sent|received) internal_error' "$T/client.log" "$T/server.log"; then
    fail "an altered session caused internal_error"
fi
grep -q 'alert sent bad_record_mac' "$T/server.log" || fail "server never sent bad_record_mac"
grep -q 'alert sent bad_record_mac' "$T/client.log" || fail "client never sent bad_record_mac"
echo "how the tunnels ended the sessions:"
grep -h -o 'end=.*' "$T/client.log" "$T/server.log" |
    sed -E -e 's/not SC1: [^;]*; /not SC1; /' -e 's/^(end="(handshake failed: )?(not SC1; )?[^:"]*).*/\1"/' | sort | uniq -c | sort -rn

# The daemons are fine: a normal round trip still works.
reply=$(printf 'after\n' | netc "$TUN_ADDR") || fail "round trip after the sweep"
[ "$reply" = "after" ] || fail "reply after the sweep: '$reply'"
echo "PASS"
