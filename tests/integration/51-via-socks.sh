#!/usr/bin/env bash
# connect_via = socks5://...: a client tunnel reaches its server through
# dante (danted, no authentication: its username method checks the
# system's password database, which an unprivileged test cannot set up)
# and through tests/tools/socks5d.py for RFC 1929 username/password, each
# carrying Redis byte for byte. Names go to the proxy unresolved (ATYP 3).
# dante's ruleset refusal and a wrong password end the local connection
# with a reset and one log line naming the proxy and its answer.
. "$(dirname "$0")/tunnel-lib.sh"
. "$(dirname "$0")/via-lib.sh"

need danted dante-server
need redis-server redis-server
need redis-cli redis-tools
need redis-benchmark redis-tools

make_pki
start_redis_server_tunnel
blocked=$(free_port)

# 1. dante, no authentication, the target given as a name.
start_danted dante "socks block { from: 0.0.0.0/0 to: 127.0.0.1/32 port = $blocked log: error }"
dante_port=$PROXY_PORT
SRV_ADDR="localhost:$SRV_PORT" start_via_client c_dante "socks5://127.0.0.1:$dante_port"
redis_roundtrip "$CLI_ADDR" dante
grep -q "tunnel open through proxy socks5://127.0.0.1:$dante_port" "$T/c_dante.log" ||
    fail "no 'tunnel open' line"
grep -q "handshake done identity=DNS:server.test" "$T/c_dante.log" || fail "no handshake"

refused() {
    local addr=$1 log=$2 pattern=$3 what=$4 rc=0
    echo PING | netc "$addr" >/dev/null 2>&1 || rc=$?
    [ "$rc" = 3 ] || fail "$what: the local connection was not reset (netc exit $rc)"
    wait_for "$log" "close .*end=\"connect failed: $pattern" ||
        fail "$what: no close line with '$pattern'"
}

# 2. dante's ruleset refuses a port: reply 2 and its RFC 1928 name.
SRV_ADDR="127.0.0.1:$blocked" start_via_client c_block "socks5://127.0.0.1:$dante_port"
refused "$CLI_ADDR" "$T/c_block.log" \
    "proxy socks5://127.0.0.1:$dante_port refused CONNECT 127.0.0.1:$blocked: connection not allowed by ruleset (reply 2)" \
    "ruleset"

# 3. Username/password (RFC 1929) against socks5d.py: good, then wrong.
start_socks5d socks --user carol --password 'c@rol:pw'
socks_port=$PROXY_PORT
SRV_ADDR="localhost:$SRV_PORT" start_via_client c_auth "socks5://carol:c%40rol%3Apw@127.0.0.1:$socks_port"
redis_roundtrip "$CLI_ADDR" auth
grep -q "auth=ok target=localhost:$SRV_PORT atyp=3 reply=0" "$T/socks.log" ||
    fail "socks5d did not see an authenticated, unresolved CONNECT"
printf 'carol:wrong\n' >"$T/auth.bad"
chmod 600 "$T/auth.bad"
start_via_client c_wrong "socks5://127.0.0.1:$socks_port" --connect-via-auth "$T/auth.bad"
refused "$CLI_ADDR" "$T/c_wrong.log" \
    "proxy socks5://127.0.0.1:$socks_port refused the username/password (status 1)" "wrong password"
# 4. No credentials for a proxy that wants them.
start_via_client c_none "socks5://127.0.0.1:$socks_port"
refused "$CLI_ADDR" "$T/c_none.log" \
    "proxy socks5://127.0.0.1:$socks_port accepts none of the authentication methods offered" \
    "no credentials"

for f in "$T"/c_*.log; do
    if grep -q -e 'c@rol' -e 'c%40rol' -e 'wrong' "$f"; then
        fail "credentials in $f"
    fi
done
echo "PASS"
