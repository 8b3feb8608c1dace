#!/usr/bin/env bash
# A private key file open to group or others is reported, like ssh does:
# one warning naming the service, the file and its mode, at start, on
# SIGHUP and with -t (which still succeeds). A key of mode 0600 or 0400
# gets no warning.
. "$(dirname "$0")/tunnel-lib.sh"

make_pki
start_echod echod 127.0.0.1:0
cp "$PKI/server.pem" "$T/cur.pem"
cp "$PKI/server.key" "$T/cur.key"
cat >"$T/server.conf" <<EOT
workers = 1

[echo]
mode = server
accept = 127.0.0.1:0
connect = $ECHO_ADDR
cert = $T/cur.pem
key = $T/cur.key
ca = $PKI/ca.pem
EOT
warning() {
    echo "warning: [$1] key $2: mode $3 gives group or others access"
}

# -t: the warning, and the configuration is still usable.
for mode in 0600 0400; do
    chmod "$mode" "$T/cur.key"
    "$SCTUNNEL" -t -c "$T/server.conf" 2>"$T/t$mode.out" ||
        fail "-t refused mode $mode: $(cat "$T/t$mode.out")"
    ! grep -q "gives group or others" "$T/t$mode.out" ||
        fail "warning for mode $mode: $(cat "$T/t$mode.out")"
done
for mode in 0644 0640 0604; do
    chmod "$mode" "$T/cur.key"
    "$SCTUNNEL" -t -c "$T/server.conf" 2>"$T/t$mode.out" ||
        fail "-t refused mode $mode: $(cat "$T/t$mode.out")"
    grep -q -F "$(warning echo "$T/cur.key" "$mode")" "$T/t$mode.out" ||
        fail "-t, mode $mode: no warning: $(cat "$T/t$mode.out")"
done
# The one-service form, the key given as a file: URI.
chmod 0644 "$T/cur.key"
"$SCTUNNEL" server -t --accept 127.0.0.1:0 --connect "$ECHO_ADDR" \
    --cert "$T/cur.pem" --key "file:$T/cur.key" --ca "$PKI/ca.pem" \
    2>"$T/uri.out" || fail "-t refused the file: URI: $(cat "$T/uri.out")"
grep -q -F "$(warning server "$T/cur.key" 0644)" "$T/uri.out" ||
    fail "file: URI: no warning: $(cat "$T/uri.out")"

# At start.
chmod 0640 "$T/cur.key"
"$SCTUNNEL" -f -c "$T/server.conf" 2>"$T/server.log" &
SRV_PID=$!
PIDS+=($SRV_PID)
wait_for "$T/server.log" "started [0-9]* worker" || fail "server did not start"
grep -q -F "$(warning echo "$T/cur.key" 0640)" "$T/server.log" ||
    fail "no warning at start"

# On SIGHUP, with the mode of the moment.
chmod 0604 "$T/cur.key"
kill -HUP "$SRV_PID"
wait_count "$T/server.log" "notice: reloaded" 1 || fail "first reload"
grep -q -F "$(warning echo "$T/cur.key" 0604)" "$T/server.log" ||
    fail "no warning on reload"
chmod 0600 "$T/cur.key"
kill -HUP "$SRV_PID"
wait_count "$T/server.log" "notice: reloaded" 2 || fail "second reload"
[ "$(grep -c "gives group or others" "$T/server.log")" = 2 ] ||
    fail "warning for mode 0600 on reload"
echo "PASS"
