#!/usr/bin/env bash
# reload_interval: with no signal sent, a server certificate and a CRL
# rotated on disk are in use for new connections within two intervals;
# the content is compared, not the time (a new certificate given the old
# file's time is still seen); a broken file is one failed attempt, logged
# once however many checks follow, with the old credentials kept and a
# live connection untouched; the metrics count both results.
. "$(dirname "$0")/tunnel-lib.sh"

need curl
need openssl
make_pki
[ "$PKI_FROM" = scca ] || skip "needs scca to rotate certificates and CRLs"
start_echod echod 127.0.0.1:0
cp "$PKI/server.pem" "$T/cur.pem"
cp "$PKI/server.key" "$T/cur.key"
"$SCCA" crl "$PKI/ca" >/dev/null 2>&1 || fail "scca crl"
cp "$PKI/ca/crl.pem" "$T/crl.pem"
{
    printf 'log = %s\nlog_level = debug\nworkers = 2\n' "$T/server.log"
    printf 'reload_interval = 1s\nmetrics = 127.0.0.1:0\n'
    server_section echo "$ECHO_ADDR" "$T/cur.pem" "$T/cur.key"
    echo "crl = $T/crl.pem"
} >"$T/server.conf"
start_conf server
SRV_PID=$TUN_PID
server=$TUN_ADDR
M=$MET_ADDR
# shellcheck disable=SC2046
start_tunnel client client --accept 127.0.0.1:0 --connect "$server" $(client_args) \
    --workers 1 -v
client=$TUN_ADDR

reply=$(printf 'one\n' | netc "$client") || fail "first connection"
[ "$reply" = "echo: one" ] || fail "first reply '$reply'"
wait_for "$T/client.log" 'handshake done identity=DNS:server.test' || fail "first identity"

# A live connection across every reload that follows.
start_live live "$client" before after

# put SRC DST: replace DST by a copy of SRC in one step (a rename), so
# that no check sees it half written.
put() {
    cp "$1" "$2.new" && mv -f "$2.new" "$2"
}
# unchanged_checks: how many checks have found nothing new so far.
unchanged_checks() {
    grep -c "debug: credential files unchanged" "$T/server.log"
}
# A new certificate for the same key (so that no check can catch a new
# certificate beside an old key), given the old file's time: only its
# content says it changed.
openssl req -new -key "$T/cur.key" -subj /CN=rotated.test -out "$T/rotated.csr" 2>/dev/null ||
    fail "openssl req"
"$SCCA" sign "$PKI/ca" server "$T/rotated.csr" --san DNS:rotated.test,DNS:server.test,IP:127.0.0.1 \
    --out "$T/rotated" >/dev/null 2>&1 || fail "scca sign"
wait_count "$T/server.log" "debug: credential files unchanged" 1 || fail "no check ran"
cp "$T/rotated.crt" "$T/cur.pem.new"
touch -r "$T/cur.pem" "$T/cur.pem.new"
mv -f "$T/cur.pem.new" "$T/cur.pem"
wait_for "$T/server.log" "notice: reloaded (\[echo\] cert $T/cur.pem changed)" ||
    fail "the rotated certificate was not seen"
reply=$(printf 'two\n' | netc "$client") || fail "connection after rotation"
[ "$reply" = "echo: two" ] || fail "reply after rotation '$reply'"
wait_for "$T/client.log" 'handshake done identity=DNS:rotated.test' ||
    fail "new connections do not use the rotated certificate"

# A broken certificate: one failed attempt, logged once, old one kept.
echo garbage >"$T/garbage"
put "$T/garbage" "$T/cur.pem"
wait_for "$T/server.log" "reload failed, keeping the old settings: .*cur.pem.*(after a change to \[echo\] cert $T/cur.pem)" ||
    fail "the broken file was not reported"
n=$(unchanged_checks)
wait_count "$T/server.log" "debug: credential files unchanged" $((n + 3)) ||
    fail "checks stopped after a failed reload"
[ "$(grep -c "reload failed" "$T/server.log")" = 1 ] ||
    fail "a broken file is reported at every check: $(grep "reload failed" "$T/server.log")"
reply=$(printf 'three\n' | netc "$client") || fail "connection with a broken file on disk"
[ "$reply" = "echo: three" ] || fail "reply with a broken file on disk '$reply'"
[ "$(grep -c 'handshake done identity=DNS:rotated.test' "$T/client.log")" = 2 ] ||
    fail "the failed reload changed the certificate"

# Repaired: the next check reloads it.
put "$T/rotated.crt" "$T/cur.pem"
wait_count "$T/server.log" "notice: reloaded (" 2 || fail "the repaired file was not reloaded"

# The client is revoked: a new CRL on disk refuses it, with no signal.
"$SCCA" revoke "$PKI/ca" client.test >/dev/null 2>&1 || fail "scca revoke"
"$SCCA" crl "$PKI/ca" >/dev/null 2>&1 || fail "scca crl"
put "$PKI/ca/crl.pem" "$T/crl.pem"
wait_for "$T/server.log" "notice: reloaded (\[echo\] crl $T/crl.pem changed)" ||
    fail "the new CRL was not seen"
set +e
out=$(printf 'four\n' | netc "$client" 2>/dev/null)
set -e
[ -z "$out" ] || fail "a revoked client got through: '$out'"
wait_for "$T/server.log" "alert sent certificate_revoked" || fail "the new CRL is not in use"

# The live connection still works, under its first session.
finish_live live before after

# Both results counted; no reload came from a signal.
curl -sS --max-time 10 "http://$M/metrics" >"$T/scrape.txt" || fail "scrape"
grep -qx 'sctunnel_reloads_total{trigger="timer",result="success"} 3' "$T/scrape.txt" ||
    fail "timer successes: $(grep reloads_total "$T/scrape.txt")"
grep -qx 'sctunnel_reloads_total{trigger="timer",result="failure"} 1' "$T/scrape.txt" ||
    fail "timer failures: $(grep reloads_total "$T/scrape.txt")"
grep -qx 'sctunnel_reloads_total{trigger="signal",result="success"} 0' "$T/scrape.txt" ||
    fail "a reload counted as a signal's"
grep -q "notice: reloading" "$T/server.log" && fail "a SIGHUP reload happened"

# Bad values are file:line errors.
sed -e 's/^reload_interval = .*/reload_interval = soon/' "$T/server.conf" >"$T/bad.conf"
set +e
"$SCTUNNEL" -t -c "$T/bad.conf" >"$T/bad.out" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "bad.conf:4: bad value 'soon' for reload_interval" "$T/bad.out" ||
    fail "bad reload_interval: $rc $(cat "$T/bad.out")"
echo "PASS"
