#!/usr/bin/env bash
# A tunnel pair in front of an echo service: one round trip, the twelve
# steps in the -v log, and the one close line per connection with the
# peer identity, suite, group, byte counts and the reason it ended (and on
# the client its own address, which the server logs as the peer).
. "$(dirname "$0")/tunnel-lib.sh"

make_pki
start_echod echod 127.0.0.1:0
start_pair "$ECHO_ADDR"

reply=$(printf 'hello server\n' | netc "$CLI_ADDR") || fail "round trip failed"
[ "$reply" = "echo: hello server" ] || fail "unexpected reply '$reply'"

# Both ends log one close line, after the relay finished cleanly.
wait_for "$T/server.log" "close peer=" || fail "no close line on the server"
wait_for "$T/client.log" "close peer=" || fail "no close line on the client"
grep -q 'close peer=.* identity=CN:client.test suite=[A-Z0-9-]* group=[A-Za-z0-9-]* sent=19 received=13 duration=[0-9.]*s end=eof' \
    "$T/server.log" || fail "server close line"
grep -q 'close peer=.* identity=DNS:server.test .* sent=13 received=19 .* end=eof' \
    "$T/client.log" || fail "client close line"
# The client names its own end of the SC1 connection: the server's peer.
src=$(sed -n 's/.* close peer=[^ ]* plain=[^ ]* src=\([^ ]*\) .*/\1/p' "$T/client.log")
[ -n "$src" ] && grep -q "close peer=$src " "$T/server.log" ||
    fail "the client's src= ('$src') is not the server's peer"
for step in 1 2 3 4 5 6 7 8 9 10 11 12; do
    grep -q "step $step " "$T/server.log" || fail "server log lacks step $step"
    grep -q "step $step " "$T/client.log" || fail "client log lacks step $step"
done

# Data written before the handshake completes is sent right behind it.
reply=$(printf 'early\nbird\n' | netc "$CLI_ADDR") || fail "early data"
[ "$reply" = "$(printf 'echo: early\necho: bird')" ] || fail "early data reply '$reply'"
echo "PASS"
