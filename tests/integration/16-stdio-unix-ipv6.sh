#!/usr/bin/env bash
# The other address forms: a --stdio client (as ssh ProxyCommand uses it),
# a Unix-socket backend and a Unix-socket client listener, and IPv6 loopback.
. "$(dirname "$0")/tunnel-lib.sh"

make_pki
start_echod echod "unix:$T/echo.sock"
# shellcheck disable=SC2046
start_tunnel server server --accept 127.0.0.1:0 --connect "unix:$T/echo.sock" \
    $(server_args) --workers 1
server=$TUN_ADDR

# --stdio: one connection over standard input and output.
# shellcheck disable=SC2046
reply=$(printf 'over stdio\n' | "$SCTUNNEL" client --stdio --connect "$server" \
    $(client_args) 2>"$T/stdio.log") || fail "--stdio exited with an error"
[ "$reply" = "echo: over stdio" ] || fail "--stdio reply '$reply'"
grep -q 'close peer=.*end=eof' "$T/stdio.log" || fail "--stdio close line"

# A client tunnel listening on a Unix socket.
# shellcheck disable=SC2046
start_tunnel unixcli client --accept "unix:$T/client.sock" --connect "$server" \
    $(client_args) --workers 1
[ "$TUN_ADDR" = "unix:$T/client.sock" ] || fail "unix listener address '$TUN_ADDR'"
reply=$(printf 'over unix\n' | netc "unix:$T/client.sock") || fail "unix round trip"
[ "$reply" = "echo: over unix" ] || fail "unix reply '$reply'"

# IPv6 loopback for the SC1 hop, when the host has it.
if python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
    # shellcheck disable=SC2046
    start_tunnel server6 server --accept '[::1]:0' --connect "unix:$T/echo.sock" \
        $(server_args) --workers 1
    case "$TUN_ADDR" in "[::1]:"*) ;; *) fail "IPv6 listener address '$TUN_ADDR'" ;; esac
    # shellcheck disable=SC2046
    start_tunnel client6 client --accept '[::1]:0' --connect "$TUN_ADDR" \
        $(client_args) --workers 1
    reply=$(printf 'over ipv6\n' | netc "$TUN_ADDR") || fail "IPv6 round trip"
    [ "$reply" = "echo: over ipv6" ] || fail "IPv6 reply '$reply'"
    grep -q 'close peer=\[::1\]:' "$T/server6.log" || wait_for "$T/server6.log" 'close peer=\[::1\]:' ||
        fail "IPv6 peer not logged"
else
    echo "no IPv6 loopback here: IPv6 part skipped"
fi
echo "PASS"
