#!/usr/bin/env bash
# Half-close both ways (section 4, Alert: close_notify ends one direction)
# and resets: a client that shuts down its sending side still gets the whole
# reply; a reset of the backend mid-transfer reaches the client as a reset.
. "$(dirname "$0")/tunnel-lib.sh"

make_pki
start_echod echod 127.0.0.1:0
lines_backend=$ECHO_ADDR
start_pair "$lines_backend"

# The last line has no newline: echod answers it only once it sees the end
# of the client's stream, so the answer proves the EOF crossed the tunnel
# as close_notify while the other direction stayed open.
reply=$(printf 'one\ntwo' | netc "$CLI_ADDR") || fail "half-close round trip"
[ "$reply" = "$(printf 'echo: one\necho: two')" ] || fail "reply after half-close: '$reply'"

# A large echo after our half-close: every byte comes back.
start_echod raw -r 127.0.0.1:0
PAIR=raw- start_pair "$ECHO_ADDR"
head -c 3000000 /dev/urandom >"$T/big"
netc "$CLI_ADDR" <"$T/big" >"$T/big.back" || fail "large half-closed echo"
cmp -s "$T/big" "$T/big.back" || fail "large echo differs"

# A reset on the plaintext side of the server is passed on: the backend
# resets after 100000 bytes, the client sees a reset (status 3), not an end.
start_echod resetter -c 100000 127.0.0.1:0
start_tunnel server2 server --accept 127.0.0.1:0 --connect "$ECHO_ADDR" \
    $(server_args) --workers 1
srv2=$TUN_ADDR
start_tunnel client2 client --accept 127.0.0.1:0 --connect "$srv2" \
    $(client_args) --workers 1
set +e
netc "$TUN_ADDR" <"$T/big" >"$T/reset.back" 2>"$T/netc.err"
rc=$?
set -e
[ "$rc" = 3 ] || fail "expected a reset (3), got $rc: $(cat "$T/netc.err")"
wait_for "$T/server2.log" 'end="reset (plaintext side)' || fail "server did not log the reset"
wait_for "$T/client2.log" 'close peer=.*end="\(reset\|truncated\)' || fail "client did not log the reset"
echo "PASS"
