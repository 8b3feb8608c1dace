#!/usr/bin/env bash
# transport = websocket combined with connect_via: a client tunnel opens a
# CONNECT tunnel through tinyproxy (with Basic authentication), sends its
# WebSocket upgrade through it, and then carries SC1 in WebSocket frames to
# a server with websocket = yes, 3 MB echoed byte for byte, twice. The
# proxy saw the CONNECT; the server saw the upgrade; the server name check
# ran at the far end of both.
. "$(dirname "$0")/tunnel-lib.sh"
. "$(dirname "$0")/via-lib.sh"

need tinyproxy tinyproxy

make_pki
start_echod raw -r 127.0.0.1:0
# shellcheck disable=SC2046
start_tunnel server server --accept 127.0.0.1:0 --connect "$ECHO_ADDR" \
    $(server_args) --workers 2 -v --websocket yes
SRV_ADDR=$TUN_ADDR
SRV_PORT=${SRV_ADDR##*:}

start_tinyproxy proxy "ConnectPort $SRV_PORT" "BasicAuth alice s3.cr-et"
printf 'alice:s3.cr-et\n' >"$T/auth"
chmod 600 "$T/auth"
SRV_ADDR="localhost:$SRV_PORT" start_via_client client "http://127.0.0.1:$PROXY_PORT" \
    --connect-via-auth "$T/auth" --transport websocket

head -c 3000000 /dev/urandom >"$T/big"
for i in 1 2; do
    netc "$CLI_ADDR" <"$T/big" >"$T/big.back" || fail "echo $i through the proxy"
    cmp -s "$T/big" "$T/big.back" || fail "echo $i through the proxy differs"
done
[ "$(grep -c "CONNECT localhost:$SRV_PORT HTTP/1.1" "$T/proxy.log")" -ge 2 ] ||
    fail "tinyproxy was not asked twice for localhost:$SRV_PORT"
[ "$(grep -c 'tunnel open through proxy' "$T/client.log")" = 2 ] ||
    fail "the client did not open two tunnels through the proxy"
[ "$(grep -c 'WebSocket upgrade done' "$T/server.log")" = 2 ] ||
    fail "the server did not upgrade both connections"
[ "$(grep -c 'handshake done identity=DNS:server.test' "$T/client.log")" = 2 ] ||
    fail "the server name check did not run through proxy and WebSocket"
wait_for "$T/server.log" "sent=3000000 received=3000000 .*end=eof" ||
    fail "the server did not log a clean echo"
echo "PASS"
