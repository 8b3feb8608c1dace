#!/usr/bin/env bash
# Records duplicated, dropped, reordered or injected between the tunnels
# (SC1.md section 11: the implicit sequence numbers detect replay,
# reordering and deletion; section 2: a record of an unknown type is
# unexpected_message), in each direction, in the handshake and in the data
# phase: the receiving tunnel logs the alert it sent, the other the alert it
# received, and nothing altered reaches the plaintext side.
. "$(dirname "$0")/tunnel-lib.sh"

MODRELAY="$SC_BUILDDIR/tests/tools/modrelay"
[ -x "$MODRELAY" ] || fail "modrelay not built"
make_pki
start_echod echod -r 127.0.0.1:0
# shellcheck disable=SC2046
start_tunnel server server --accept 127.0.0.1:0 --connect "$ECHO_ADDR" \
    $(server_args) --workers 1 --handshake-timeout 5s
server=$TUN_ADDR
: >"$T/ops"
"$MODRELAY" -v -f "$T/ops" "$server" >"$T/modrelay.out" 2>"$T/modrelay.stderr" &
PIDS+=($!)
wait_for "$T/modrelay.out" "listening on" || fail "modrelay did not start"
relay=$(sed -n 's/^modrelay listening on //p' "$T/modrelay.out")
# shellcheck disable=SC2046
start_tunnel client client --accept 127.0.0.1:0 --connect "$relay" \
    $(client_args) --workers 1 --handshake-timeout 5s

# Record numbers count from 1 in each direction. Client to server: 1
# ClientHello, 2 and 3 the flight of steps 5 and 6, 4 step 8, 5 step 10,
# then application data. Server to client: 1 ServerHello, 2 and 3 steps 3
# and 4 (with 1, one flight), 4 step 7, 5 step 9, 6 and 7 the flight of
# steps 11 and 12, then data. The unaltered session of each size prints
# the layout. Swaps stay within one flight: a record held back waiting for
# one that is only sent after a reply would just stall the handshake.
S='\[server\].*'
C='\[client\].*'
python3 "$SC_SRCDIR/tests/integration/relaydrive.py" cases "$TUN_ADDR" \
    "$T/modrelay.out" "$T/ops" "$T/client.log" "$T/server.log" \
    >"$T/drive.out" 2>&1 <<EOT
# Handshake, client to server: ClientHello again (read as an encrypted
# record once the server has keys), 6 before 5, 5 twice, 5 left out.
100|c2s dup 1|${S}alert sent bad_record_mac
100|c2s swap 2|${S}alert sent bad_record_mac
100|c2s dup 2|${S}alert sent bad_record_mac
100|c2s drop 2|${S}alert sent bad_record_mac
# A TLS-looking record (type 0x16) before ClientHello.
100|c2s inject 0 1603010001ff|${S}alert sent unexpected_message
# Handshake, server to client: ServerHello again, 4 before 3, 3 twice, 3
# left out, 12 before 11, 11 left out.
100|s2c dup 1|${C}alert sent bad_record_mac
100|s2c swap 2|${C}alert sent bad_record_mac
100|s2c dup 2|${C}alert sent bad_record_mac
100|s2c drop 2|${C}alert sent bad_record_mac
100|s2c swap 6|${C}alert sent bad_record_mac
100|s2c drop 6|${C}alert sent bad_record_mac
# Data phase, both ways: a record replayed, left out, reordered; a forged
# data record and a record of an unknown type ahead of the first data.
100000|c2s dup 7|${S}alert sent bad_record_mac
100000|c2s drop 7|${S}alert sent bad_record_mac
100000|c2s swap 7|${S}alert sent bad_record_mac
100000|c2s inject @data 170011000102030405060708090a0b0c0d0e0f10|${S}alert sent bad_record_mac
100000|c2s inject @data 420001ff|${S}alert sent unexpected_message
100000|s2c dup 9|${C}alert sent bad_record_mac
100000|s2c drop 9|${C}alert sent bad_record_mac
100000|s2c swap 9|${C}alert sent bad_record_mac
100000|s2c inject @data 170011000102030405060708090a0b0c0d0e0f10|${C}alert sent bad_record_mac
100000|s2c inject @data 420001ff|${C}alert sent unexpected_message
EOT
rc=$?
cat "$T/drive.out"
[ "$rc" = 0 ] || fail "altered records were not detected as they should be"

# The daemons are fine: a normal round trip still works.
reply=$(printf 'after\n' | netc "$TUN_ADDR") || fail "round trip afterwards"
[ "$reply" = "after" ] || fail "reply afterwards: '$reply'"
echo "PASS"
