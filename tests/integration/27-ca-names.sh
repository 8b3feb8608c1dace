#!/usr/bin/env bash
# A server CA file of 131 CAs whose names outgrow message 4 (one handshake
# message, 16384 bytes): sctunnel -t and the server tunnel each warn once
# that the hint was shortened, and a handshake that requires the client's
# certificate completes, although the client's CA is left out of the hint.
. "$(dirname "$0")/tunnel-lib.sh"
need openssl

make_pki
bundle="$T/pki/bundle.pem"
openssl genpkey -algorithm ED25519 -out "$T/bundle.key" 2>"$T/openssl.stderr" ||
    fail "cannot make the bundle's key"
: >"$bundle"
for i in $(seq -w 1 130); do
    openssl req -x509 -new -key "$T/bundle.key" -days 1 \
        -subj "/O=Sovereign-Chain Test/OU=A CA file of many authorities/OU=More than one message can name/CN=Bundle CA $i" \
        >>"$bundle" 2>"$T/openssl.stderr" || fail "cannot make bundle CA $i"
done
cat "$PKI/ca.pem" >>"$bundle"
warning="only the first [0-9]* of 131 CA names fit in the hint"

start_echod echod 127.0.0.1:0
srv=(server --accept 127.0.0.1:0 --connect "$ECHO_ADDR" --cert "$PKI/server.pem"
     --key "$PKI/server.key" --ca "$bundle")

"$SCTUNNEL" "${srv[@]}" -t 2>"$T/t.stderr" || fail "-t refused: $(cat "$T/t.stderr")"
[ "$(grep -c -e "$warning" "$T/t.stderr")" = 1 ] ||
    fail "-t does not warn once: $(cat "$T/t.stderr")"
grep -q "configuration OK" "$T/t.stderr" || fail "-t: $(cat "$T/t.stderr")"

start_tunnel server "${srv[@]}" --workers 2 -v
SRV_ADDR=$TUN_ADDR
# shellcheck disable=SC2046
start_tunnel client client --accept 127.0.0.1:0 --connect "$SRV_ADDR" \
    $(client_args) --workers 2 -v
CLI_ADDR=$TUN_ADDR

reply=$(printf 'many CAs\n' | netc "$CLI_ADDR") || fail "round trip failed"
[ "$reply" = "echo: many CAs" ] || fail "unexpected reply '$reply'"
wait_for "$T/server.log" "close peer=" || fail "no close line on the server"
grep -q 'close peer=.* identity=CN:client.test ' "$T/server.log" ||
    fail "the server did not verify the client"
[ "$(grep -c -e "$warning" "$T/server.log")" = 1 ] || fail "the server does not warn once"
grep -q -e "CA names" "$T/client.log" && fail "the client warns about CA names"
echo "PASS"
