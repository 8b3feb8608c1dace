#!/usr/bin/env bash
# connect_via = http://...: a client tunnel reaches its server through
# tinyproxy (HTTP CONNECT), carrying Redis byte for byte, without and with
# Basic proxy authentication (credentials in the URL, percent-encoded, and
# in a connect_via_auth file). Refusals end the local connection with a
# reset and one log line naming the proxy and its answer: 407 for wrong or
# missing credentials, 403 for a port the proxy does not allow. The
# credentials never reach the log.
. "$(dirname "$0")/tunnel-lib.sh"
. "$(dirname "$0")/via-lib.sh"

need tinyproxy tinyproxy
need redis-server redis-server
need redis-cli redis-tools
need redis-benchmark redis-tools

make_pki
start_redis_server_tunnel

# 1. No authentication; the target is a name, passed to the proxy as such.
start_tinyproxy open "ConnectPort $SRV_PORT"
SRV_ADDR="localhost:$SRV_PORT" start_via_client c_open "http://127.0.0.1:$PROXY_PORT"
redis_roundtrip "$CLI_ADDR" open
grep -q "CONNECT localhost:$SRV_PORT HTTP/1.1" "$T/open.log" ||
    fail "tinyproxy was not asked for localhost:$SRV_PORT"
grep -q "tunnel open through proxy http://127.0.0.1:$PROXY_PORT" "$T/c_open.log" ||
    fail "no 'tunnel open' line"
grep -q "handshake done identity=DNS:server.test" "$T/c_open.log" ||
    fail "the server name check did not run through the proxy"

# 2. Basic authentication: alice / s3.cr-et.
start_tinyproxy auth "ConnectPort $SRV_PORT" "BasicAuth alice s3.cr-et"
auth_port=$PROXY_PORT
# In the URL, percent-encoded ('.' and '-' as %2E and %2D).
start_via_client c_url "http://alice:s3%2Ecr%2Det@127.0.0.1:$auth_port"
redis_roundtrip "$CLI_ADDR" url
# In a file of mode 0600.
printf 'alice:s3.cr-et\n' >"$T/auth.good"
chmod 600 "$T/auth.good"
start_via_client c_file "http://127.0.0.1:$auth_port" --connect-via-auth "$T/auth.good"
redis_roundtrip "$CLI_ADDR" file

# refused CLIENT_LOG PATTERN WHAT: the local client gets a reset, and the
# client tunnel logs one close line with the proxy's answer.
refused() {
    local addr=$1 log=$2 pattern=$3 what=$4 rc=0
    echo PING | netc "$addr" >/dev/null 2>&1 || rc=$?
    [ "$rc" = 3 ] || fail "$what: the local connection was not reset (netc exit $rc)"
    wait_for "$log" "close .*end=\"connect failed: $pattern" ||
        fail "$what: no close line with '$pattern'"
}

# 3. Wrong credentials: refused (tinyproxy answers 401 here), and said to be.
printf 'alice:wrong-one\n' >"$T/auth.bad"
chmod 600 "$T/auth.bad"
start_via_client c_bad "http://127.0.0.1:$auth_port" --connect-via-auth "$T/auth.bad"
refused "$CLI_ADDR" "$T/c_bad.log" \
    "proxy http://127.0.0.1:$auth_port answered 40[17] [A-Za-z ]* to CONNECT 127.0.0.1:$SRV_PORT.*the credentials were refused" \
    "wrong credentials"
# 4. No credentials for a proxy that wants them: 407, said to be missing.
start_via_client c_none "http://127.0.0.1:$auth_port"
refused "$CLI_ADDR" "$T/c_none.log" "proxy http://127.0.0.1:$auth_port answered 407 .*none are configured" \
    "no credentials"

# 5. A port the proxy does not allow: 403.
deny_port=$(free_port)
SRV_ADDR="127.0.0.1:$deny_port" start_via_client c_deny "http://127.0.0.1:$PROXY_PORT" \
    --connect-via-auth "$T/auth.good"
refused "$CLI_ADDR" "$T/c_deny.log" \
    "proxy http://127.0.0.1:$auth_port answered 403 Access violation to CONNECT 127.0.0.1:$deny_port" \
    "denied port"
grep -q "Refused CONNECT method on port $deny_port" "$T/auth.log" || fail "tinyproxy did not refuse"

# The secrets stay out of every log sctunnel wrote.
for f in "$T"/c_*.log; do
    if grep -q -e 's3.cr-et' -e 'wrong-one' -e 's3%2Ecr' -e 'YWxpY2' "$f"; then
        fail "credentials in $f"
    fi
done
echo "PASS"
