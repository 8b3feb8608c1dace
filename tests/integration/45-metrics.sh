#!/usr/bin/env bash
# The metrics endpoint: /metrics passes `promtool check metrics` and its
# counters follow what happens (a good connection adds an eof end and its
# bytes, a client of another CA a handshake failure with the unknown_ca
# alert, a connection over max_connections a refusal); /healthz says 200,
# then 503 while draining after SIGTERM; a Unix socket works too; a
# public metrics address is refused without allow_public_metrics; a
# certificate expiring within 30 days is warned about.
. "$(dirname "$0")/tunnel-lib.sh"

need curl
need promtool prometheus
make_pki
[ "$PKI_FROM" = scca ] || skip "needs scca for a certificate that expires soon"
start_echod echod 127.0.0.1:0

# scrape ADDR: the exposition into $T/scrape.txt (checked by promtool).
scrape() {
    if [[ $1 == unix:* ]]; then
        curl -sS --max-time 10 --unix-socket "${1#unix:}" http://localhost/metrics >"$T/scrape.txt"
    else
        curl -sS --max-time 10 "http://$1/metrics" >"$T/scrape.txt"
    fi || fail "scrape of $1 failed"
    promtool check metrics <"$T/scrape.txt" >"$T/promtool.out" 2>&1 ||
        fail "promtool check metrics: $(cat "$T/promtool.out")"
}
# value METRIC_WITH_LABELS: its value in the last scrape (0 if absent).
value() {
    local v
    v=$(awk -v m="$1" '$1 == m { print $2; exit }' "$T/scrape.txt")
    echo "${v:-0}"
}
# wait_value ADDR METRIC WANT: scrape until METRIC reads WANT (bounded).
wait_value() {
    local i
    for ((i = 0; i < 200; i++)); do
        scrape "$1"
        [ "$(value "$2")" = "$3" ] && return 0
        sleep 0.05
    done
    fail "$2 is $(value "$2"), expected $3"
}

{
    printf 'log = %s\nlog_level = info\nworkers = 2\nmetrics = 127.0.0.1:0\n' "$T/server.log"
    server_section echo "$ECHO_ADDR"
    echo "max_connections = 1"
} >"$T/server.conf"
start_conf server
SRV_PID=$TUN_PID
server=$TUN_ADDR
M=$MET_ADDR
[ -n "$M" ] || fail "no 'metrics on' line"
# shellcheck disable=SC2046
start_tunnel client client --accept 127.0.0.1:0 --connect "$server" $(client_args) \
    --workers 1 --metrics "unix:$T/client-metrics.sock"
client=$TUN_ADDR

scrape "$M"
grep -q '^sctunnel_build_info{version="[^"]*",openssl="[^"]*",libevent="[^"]*"} 1$' \
    "$T/scrape.txt" || fail "no build_info"
[ "$(value 'sctunnel_connections_opened_total{service="echo"}')" = 0 ] || fail "opened not 0"
code=$(curl -s -o "$T/health" -w '%{http_code}' "http://$M/healthz")
[ "$code" = 200 ] && grep -qx ok "$T/health" || fail "healthz: $code $(cat "$T/health")"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://$M/other")
[ "$code" = 404 ] || fail "unknown path: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://$M/metrics")
[ "$code" = 501 ] || [ "$code" = 405 ] || fail "POST: $code"

# The certificate's expiry, as openssl reads it.
want=$(date -u -d "$(openssl x509 -noout -enddate -in "$PKI/server.pem" | cut -d= -f2)" +%s)
[ "$(value 'sctunnel_certificate_expiry_timestamp_seconds{service="echo",certificate="cert"}')" \
    = "$want" ] || fail "certificate expiry is not $want"
grep -q 'sctunnel_certificate_expiry_timestamp_seconds{service="echo",certificate="ca"} [1-9]' \
    "$T/scrape.txt" || fail "no CA expiry"

# A good connection: one eof end, its bytes each way, one handshake timed.
reply=$(printf 'hello\n' | netc "$client") || fail "good connection"
[ "$reply" = "echo: hello" ] || fail "reply '$reply'"
wait_value "$M" 'sctunnel_connections_ended_total{service="echo",reason="eof"}' 1
[ "$(value 'sctunnel_connections_opened_total{service="echo"}')" = 1 ] || fail "opened"
[ "$(value 'sctunnel_bytes_total{service="echo",direction="received"}')" = 6 ] ||
    fail "bytes received: $(value 'sctunnel_bytes_total{service="echo",direction="received"}')"
[ "$(value 'sctunnel_bytes_total{service="echo",direction="sent"}')" = 12 ] ||
    fail "bytes sent: $(value 'sctunnel_bytes_total{service="echo",direction="sent"}')"
[ "$(value 'sctunnel_handshake_duration_seconds_count{service="echo"}')" = 1 ] ||
    fail "handshake not timed"
[ "$(value 'sctunnel_handshake_duration_seconds_bucket{service="echo",le="+Inf"}')" = 1 ] ||
    fail "histogram +Inf bucket"
[ "$(value 'sctunnel_connections_active{service="echo"}')" = 0 ] || fail "active not 0"
# The client tunnel counts the same connection, on its Unix socket.
wait_value "unix:$T/client-metrics.sock" \
    'sctunnel_connections_ended_total{service="client",reason="eof"}' 1
[ "$(value 'sctunnel_bytes_total{service="client",direction="sent"}')" = 6 ] ||
    fail "client bytes sent"

# A client of another CA: a handshake failure, unknown_ca sent by the server.
# shellcheck disable=SC2046
"$SCTUNNEL" client --stdio --connect "$server" $(client_args other_client) </dev/null \
    >/dev/null 2>"$T/other.stderr" && fail "client of another CA admitted"
wait_value "$M" 'sctunnel_handshake_failures_total{service="echo",alert="unknown_ca",direction="sent"}' 1
[ "$(value 'sctunnel_connections_ended_total{service="echo",reason="handshake_failure"}')" = 1 ] ||
    fail "handshake_failure end not counted"

# A client with a pool: its ready sessions are a gauge; they are not
# connections until one is taken.
# shellcheck disable=SC2046
start_tunnel pooled client --accept 127.0.0.1:0 --connect "$server" $(client_args) \
    --workers 1 --pool 1 --metrics "unix:$T/pooled-metrics.sock"
wait_value "unix:$T/pooled-metrics.sock" 'sctunnel_pool_ready_sessions{service="client"}' 1
[ "$(value 'sctunnel_connections_opened_total{service="client"}')" = 0 ] ||
    fail "pooled sessions counted as connections"
kill "$TUN_PID"
wait_value "$M" 'sctunnel_connections_active{service="echo"}' 0

# max_connections = 1: a live connection, then one more is refused.
start_live live "$client" live last
wait_value "$M" 'sctunnel_connections_active{service="echo"}' 1
printf 'x\n' | netc "$client" >/dev/null 2>&1
wait_value "$M" 'sctunnel_connections_ended_total{service="echo",reason="refused"}' 1

# SIGTERM with the live connection open: /healthz says 503 while it drains.
kill -TERM "$SRV_PID"
wait_for "$T/server.log" "no new connections" || fail "no drain"
code=$(curl -s -o "$T/health" -w '%{http_code}' "http://$M/healthz")
[ "$code" = 503 ] && grep -qx draining "$T/health" || fail "healthz while draining: $code"
scrape "$M"
[ "$(value sctunnel_draining)" = 1 ] || fail "sctunnel_draining not 1"
finish_live live live last
wait_gone "$SRV_PID" || fail "server did not stop"
wait "$SRV_PID" || fail "server exit status $?"

# A public metrics address needs allow_public_metrics; -t says where.
sed -e 's/^metrics = .*/metrics = 0.0.0.0:0/' "$T/server.conf" >"$T/public.conf"
set +e
"$SCTUNNEL" -t -c "$T/public.conf" >"$T/public.out" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || fail "public metrics address: exit $rc"
grep -q "public.conf:4: metrics address 0.0.0.0:0 is not loopback" "$T/public.out" ||
    fail "public metrics address: $(cat "$T/public.out")"
set +e
sed -e 's/^metrics = .*/metrics = 127.0.0.1:http/' "$T/server.conf" >"$T/bad.conf"
"$SCTUNNEL" -t -c "$T/bad.conf" >"$T/bad.out" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "bad.conf:4: " "$T/bad.out" || fail "bad metrics address: $rc $(cat "$T/bad.out")"

# A certificate that expires within 30 days: a warning at start.
"$SCCA" issue "$PKI/ca" server soon.test --san DNS:server.test,IP:127.0.0.1 \
    --not-after "$(date -u -d '+10 days' +%Y%m%d%H%M%SZ)" --out "$PKI/soon" >/dev/null 2>&1 ||
    fail "scca could not issue a short certificate"
mv "$PKI/soon.crt" "$PKI/soon.pem"
sed -e "s|$PKI/server\\.|$PKI/soon.|" "$T/server.conf" >"$T/soon.conf"
"$SCTUNNEL" -t -c "$T/soon.conf" >"$T/soon.out" 2>&1 || fail "soon.conf: $(cat "$T/soon.out")"
grep -q "warning: \[echo\] cert $PKI/soon.pem: certificate expires in [0-9]* day(s), on " \
    "$T/soon.out" || fail "no expiry warning: $(cat "$T/soon.out")"
"$SCTUNNEL" -t -c "$T/server.conf" >"$T/later.out" 2>&1 || fail "server.conf -t"
grep -q "certificate expire" "$T/later.out" && fail "a warning for a certificate far from expiry"
echo "PASS"
