#!/usr/bin/env bash
# Type=notify without systemd: the messages sctunnel sends to
# $NOTIFY_SOCKET arrive in order: READY=1 once every service listens,
# RELOADING=1 (with MONOTONIC_USEC) then READY=1 around SIGHUP, STOPPING=1
# on SIGTERM; STATUS= names the services and live connections; with
# WATCHDOG_USEC set, WATCHDOG=1 pings come at half the interval.
. "$(dirname "$0")/tunnel-lib.sh"

if ! grep -q '^#define HAVE_SYSTEMD 1' "$SC_BUILDDIR/config.h" 2>/dev/null; then
    skip "built without systemd support (--without-systemd)"
fi
make_pki
start_echod echod 127.0.0.1:0

python3 "$SC_SRCDIR/tests/integration/notifyd.py" "$T/notify.sock" "$T/notify.msgs" \
    >"$T/notifyd.log" 2>&1 &
PIDS+=($!)
wait_for "$T/notifyd.log" "notifyd ready" || fail "notify listener did not start"

{
    printf 'log = %s\nworkers = 2\n' "$T/server.log"
    server_section echo "$ECHO_ADDR"
    server_section echo2 "$ECHO_ADDR"
} >"$T/server.conf"
# WATCHDOG_USEC=400000: a ping every 0.2 s.
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=400000 \
    "$SCTUNNEL" -f -c "$T/server.conf" 2>"$T/server.stderr" &
SRV_PID=$!
PIDS+=($SRV_PID)
wait_for "$T/notify.msgs" "^READY=1" || fail "no READY=1"
grep -q "started 2 worker" "$T/server.log" || fail "READY=1 before the workers started"
grep -q "^READY=1|STATUS=Serving 2 service(s), 0 live connection(s)$" "$T/notify.msgs" ||
    fail "READY=1 without its STATUS: $(cat "$T/notify.msgs")"
wait_count "$T/notify.msgs" "^WATCHDOG=1" 3 || fail "no watchdog pings"

server=$(sed -n 's/.* listening on //p' "$T/server.stderr" | head -n 1)
# shellcheck disable=SC2046
start_tunnel client client --accept 127.0.0.1:0 --connect "$server" $(client_args) --workers 1
reply=$(printf 'hi\n' | netc "$TUN_ADDR") || fail "connection"
[ "$reply" = "echo: hi" ] || fail "reply '$reply'"

kill -HUP "$SRV_PID"
wait_for "$T/server.log" "notice: reloaded" || fail "no reload"
wait_count "$T/notify.msgs" "^READY=1" 2 || fail "no READY=1 after the reload"
kill -TERM "$SRV_PID"
wait_gone "$SRV_PID" || fail "server did not stop"
wait "$SRV_PID" || fail "server exit status $?"
wait_for "$T/notify.msgs" "^STOPPING=1" || fail "no STOPPING=1"

# The order, watchdog pings aside.
grep -v '^WATCHDOG=1' "$T/notify.msgs" | cut -d'|' -f1 >"$T/order"
[ "$(tr '\n' ' ' <"$T/order")" = "READY=1 RELOADING=1 READY=1 STOPPING=1 " ] ||
    fail "order: $(tr '\n' ' ' <"$T/order")"
grep -q "^RELOADING=1|MONOTONIC_USEC=[1-9][0-9]*$" "$T/notify.msgs" ||
    fail "RELOADING=1 without MONOTONIC_USEC"
# MONOTONIC_USEC is CLOCK_MONOTONIC (what systemd compares it with), not
# the wall clock: less than the seconds since boot, plus a margin.
mono=$(sed -n 's/^RELOADING=1|MONOTONIC_USEC=//p' "$T/notify.msgs")
up=$(cut -d. -f1 /proc/uptime)
[ "$((mono / 1000000))" -le "$((up + 5))" ] || fail "MONOTONIC_USEC $mono is not monotonic time"
grep -q "^STOPPING=1|STATUS=Draining: 2 service(s)" "$T/notify.msgs" || fail "STOPPING=1 status"

# Without NOTIFY_SOCKET nothing is sent and nothing fails.
env -u NOTIFY_SOCKET "$SCTUNNEL" -t -c "$T/server.conf" >"$T/t.out" 2>&1 || fail "-t: $(cat "$T/t.out")"
echo "PASS"
