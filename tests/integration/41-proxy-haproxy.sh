#!/usr/bin/env bash
# proxy_protocol toward a real HAProxy: HAProxy (TCP mode, `bind ...
# accept-proxy`) is the server tunnel's plaintext service and forwards to
# an echo backend. Its log shows the SC1 client's address and port (%ci:%cp
# as the server tunnel logged its peer), the authority (the client's
# server_name) and the unique id of the server tunnel's close line; v1 the
# address only. HAProxy checks the header's CRC32C, so a bad one would
# not pass.
. "$(dirname "$0")/tunnel-lib.sh"
. "$(dirname "$0")/haproxy-lib.sh"

make_pki
start_echod echod 127.0.0.1:0
p2=$(free_port)
p1=$(free_port)
plb=$(free_port)
psrv=$(free_port)
{
    haproxy_global
    cat <<EOC
frontend pp2
    bind 127.0.0.1:$p2 accept-proxy
    log-format "conn fe=%ft client=%ci:%cp authority=%[fc_pp_authority] id=%[fc_pp_unique_id] bytes=%B"
    default_backend echo
frontend pp1
    bind 127.0.0.1:$p1 accept-proxy
    log-format "conn fe=%ft client=%ci:%cp bytes=%B"
    default_backend echo
backend echo
    server echo $ECHO_ADDR
frontend lb
    bind 127.0.0.1:$plb
    log-format "conn fe=%ft client=%ci:%cp"
    default_backend lb
backend lb
    server s1 127.0.0.1:$psrv send-proxy-v2
EOC
} >"$T/haproxy.cfg"
start_haproxy haproxy "$p2" "$p1" "$plb"

# v2: three connections, each joined to its HAProxy line by the id.
PAIR=v2 start_pair "127.0.0.1:$p2" --proxy-protocol v2
for i in 1 2 3; do
    reply=$(printf 'line %s\n' "$i" | netc "$CLI_ADDR") || fail "v2: round trip $i"
    [ "$reply" = "echo: line $i" ] || fail "v2: reply '$reply'"
done
wait_count "$T/v2server.log" "close peer=.* id=" 3 || fail "v2: no close lines with an id"
wait_count "$T/haproxy.log" "conn fe=pp2 " 3 || fail "v2: HAProxy logged no connections"
while read -r line; do
    id=${line##* id=}
    peer=$(sed -n 's/.*close peer=\([^ ]*\) .*/\1/p' <<<"$line")
    grep -q "conn fe=pp2 client=$peer authority=server.test id=$id " "$T/haproxy.log" ||
        fail "v2: HAProxy did not see client $peer, authority server.test, id $id"
    echo "v2: HAProxy saw $peer, server.test, $id"
done < <(grep "close peer=.* id=" "$T/v2server.log")

# v1: the address.
PAIR=v1 start_pair "127.0.0.1:$p1" --proxy-protocol v1
reply=$(printf 'version one\n' | netc "$CLI_ADDR") || fail "v1: round trip"
[ "$reply" = "echo: version one" ] || fail "v1: reply '$reply'"
wait_for "$T/v1server.log" "close peer=" || fail "v1: no close line"
peer=$(sed -n 's/.*close peer=\([^ ]*\) .*/\1/p' "$T/v1server.log")
wait_for "$T/haproxy.log" "conn fe=pp1 client=$peer " || fail "v1: HAProxy did not see $peer"

# Both: client tunnel -> HAProxy (send-proxy-v2) -> server tunnel with
# accept_proxy and proxy_protocol v2 -> HAProxy (accept-proxy) -> echo.
# shellcheck disable=SC2046
start_tunnel lbserver server --accept "127.0.0.1:$psrv" --connect "127.0.0.1:$p2" \
    $(server_args) --accept-proxy yes --proxy-protocol v2 --workers 1 -v
# shellcheck disable=SC2046
start_tunnel lbclient client --accept 127.0.0.1:0 --connect "127.0.0.1:$plb" $(client_args) \
    --workers 1
reply=$(printf 'twice proxied\n' | netc "$TUN_ADDR") || fail "lb: round trip"
[ "$reply" = "echo: twice proxied" ] || fail "lb: reply '$reply'"
wait_for "$T/haproxy.log" "conn fe=lb " || fail "lb: HAProxy did not log the client"
orig=$(sed -n 's/^conn fe=lb client=\([^ ]*\).*/\1/p' "$T/haproxy.log")
wait_for "$T/lbserver.log" "close peer=$orig .* id=" || fail "lb: the server did not log $orig"
id=$(sed -n 's/.*close peer=.* id=//p' "$T/lbserver.log")
wait_for "$T/haproxy.log" "conn fe=pp2 client=$orig authority=server.test id=$id " ||
    fail "lb: the service did not see the original client $orig with id $id"
echo "lb: the service saw the original client $orig"
echo "PASS"
