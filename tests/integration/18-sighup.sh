#!/usr/bin/env bash
# SIGHUP with a new server certificate while a connection is live: the live
# connection keeps working, new ones see the new certificate; a broken file
# keeps the old settings. SIGUSR1 reopens the log file.
. "$(dirname "$0")/tunnel-lib.sh"

make_pki
[ "$PKI_FROM" = scca ] || skip "needs scca for a second, distinguishable server certificate"
start_echod echod 127.0.0.1:0
cp "$PKI/server.pem" "$T/cur.pem"
cp "$PKI/server.key" "$T/cur.key"
cat >"$T/server.conf" <<EOT
workers = 2
log_level = info
log = $T/server.log

[echo]
mode = server
accept = 127.0.0.1:0
connect = $ECHO_ADDR
cert = $T/cur.pem
key = $T/cur.key
ca = $PKI/ca.pem
EOT
"$SCTUNNEL" -f -c "$T/server.conf" 2>"$T/server.stderr" &
SRV_PID=$!
PIDS+=($SRV_PID)
wait_for "$T/server.stderr" "listening on" || fail "server did not start"
server=$(sed -n 's/.* listening on //p' "$T/server.stderr")
# shellcheck disable=SC2046
start_tunnel client client --accept 127.0.0.1:0 --connect "$server" \
    $(client_args) --workers 1 -v
client=$TUN_ADDR

# A live connection: one line before the reload, one after.
start_live live "$client" before after
grep -q 'handshake done identity=DNS:server.test' "$T/client.log" || fail "first identity"

# New certificate, SIGHUP: new connections see it.
cp "$PKI/server2.pem" "$T/cur.pem"
cp "$PKI/server2.key" "$T/cur.key"
kill -HUP "$SRV_PID"
wait_for "$T/server.log" "notice: reloaded" || fail "no reload"
reply=$(printf 'new\n' | netc "$client") || fail "connection after reload"
[ "$reply" = "echo: new" ] || fail "reply after reload '$reply'"
wait_for "$T/client.log" 'handshake done identity=DNS:server2.test' || fail "new certificate not used"

# The live connection still works, under its old session.
finish_live live before after

# A broken certificate file: the reload fails and the old settings stay.
echo "garbage" >"$T/cur.pem"
kill -HUP "$SRV_PID"
wait_for "$T/server.log" "reload failed, keeping the old settings" || fail "broken file accepted"
grep -q "reload failed.*cur.pem" "$T/server.log" || fail "reload failure does not name the file"
reply=$(printf 'still\n' | netc "$client") || fail "connection after failed reload"
[ "$reply" = "echo: still" ] || fail "reply after failed reload '$reply'"
[ "$(grep -c 'handshake done identity=DNS:server2.test' "$T/client.log")" = 2 ] ||
    fail "the failed reload changed the certificate"

# SIGUSR1: the log file is reopened (after a rotation).
mv "$T/server.log" "$T/server.log.1"
kill -USR1 "$SRV_PID"
reply=$(printf 'rotated\n' | netc "$client") || fail "connection after SIGUSR1"
wait_for "$T/server.log" "close peer=" || fail "log not reopened"

# SIGTERM: a clean stop.
kill -TERM "$SRV_PID"
wait_gone "$SRV_PID" || fail "server did not stop"
wait "$SRV_PID" || fail "server exit status $?"
echo "PASS"
