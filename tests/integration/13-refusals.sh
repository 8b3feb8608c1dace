#!/usr/bin/env bash
# Refused handshakes are logged with the alert and the certificate problem,
# on both sides, and the plaintext client sees a reset, never data:
# wrong CA, expired certificate, wrong server name, client refused by
# `allow`, no client certificate where one is required. A certificate whose
# subject holds two CNs matches no `CN:` rule, neither of its CNs.
# DNS:, URI: and IP: (prefix) rules admit a client certificate carrying a
# matching subjectAltName and refuse one whose names do not match.
. "$(dirname "$0")/tunnel-lib.sh"

make_pki
# twocn: a client certificate for /CN=alice/CN=app1 from the tunnels' CA,
# made with the openssl tool (scca refuses such a request).
twocn=
if command -v openssl >/dev/null 2>&1; then
    if [ "$PKI_FROM" = scca ]; then cakey=$PKI/ca/ca.key; else cakey=$VECTOR_PKI/ca.key; fi
    printf '%s\n' 'basicConstraints = critical, CA:FALSE' \
        'keyUsage = critical, digitalSignature' 'extendedKeyUsage = clientAuth' \
        'subjectKeyIdentifier = hash' 'authorityKeyIdentifier = keyid' >"$T/twocn.ext"
    openssl req -new -newkey ed25519 -nodes -keyout "$PKI/twocn.key" \
        -subj /CN=alice/CN=app1 -out "$T/twocn.csr" 2>/dev/null &&
    openssl x509 -req -in "$T/twocn.csr" -CA "$PKI/ca.pem" -CAkey "$cakey" \
        -set_serial 0x2c4e -days 30 -extfile "$T/twocn.ext" \
        -out "$PKI/twocn.pem" 2>/dev/null || fail "openssl could not make twocn.pem"
    twocn=yes
else
    echo "note: no openssl tool, the two-CN case is left out"
fi
start_echod echod 127.0.0.1:0
backend=$ECHO_ADDR
# shellcheck disable=SC2046
start_tunnel server server --accept 127.0.0.1:0 --connect "$backend" \
    $(server_args) --workers 1 -v
server=$TUN_ADDR
# shellcheck disable=SC2046
start_tunnel allowsrv server --accept 127.0.0.1:0 --connect "$backend" \
    $(server_args) --workers 1 --allow CN:somebody-else.test --allow DNS:*.example
allowsrv=$TUN_ADDR

n=0
# refused SERVER_ADDR SERVER_LOG SERVER_PATTERN CLIENT_PATTERN CLIENT_ARGS...
refused() {
    local srv=$1 slog=$2 spat=$3 cpat=$4 name out rc
    shift 4
    n=$((n + 1))
    name=refused$n
    start_tunnel "$name" client --accept 127.0.0.1:0 --connect "$srv" \
        --workers 1 "$@"
    set +e
    out=$(printf 'secret\n' | netc "$TUN_ADDR" 2>/dev/null)
    rc=$?
    set -e
    [ -z "$out" ] || fail "$name: data crossed a refused handshake: '$out'"
    # 3: a reset. A clean end (0) or a hang ended by netc's timeout (1)
    # is a failure.
    [ "$rc" = 3 ] || fail "$name: the plaintext client did not see a reset (status $rc)"
    wait_for "$T/$name.log" "close peer=" || fail "$name: no close line"
    grep -q -e "$cpat" "$T/$name.log" || fail "$name: client log lacks '$cpat'"
    wait_for "$T/$slog.log" "$spat" || fail "$name: $slog log lacks '$spat'"
    kill "$TUN_PID"
}

set -e
# A client certificate from another CA.
refused "$server" server 'handshake failed: alert sent unknown_ca' \
    'handshake failed: alert received unknown_ca' \
    --cert "$PKI/other_client.pem" --key "$PKI/other_client.key" \
    --ca "$PKI/ca.pem" --server-name server.test
# An expired client certificate.
refused "$server" server 'handshake failed: alert sent certificate_expired' \
    'alert received certificate_expired' \
    --cert "$PKI/expired_client.pem" --key "$PKI/expired_client.key" \
    --ca "$PKI/ca.pem" --server-name server.test
# The server's certificate does not carry the name the client expects.
refused "$server" server 'alert received bad_certificate' \
    'handshake failed: alert sent bad_certificate' \
    --cert "$PKI/client.pem" --key "$PKI/client.key" \
    --ca "$PKI/ca.pem" --server-name wrong.test
# A good certificate, but not in the server's allow list.
refused "$allowsrv" allowsrv 'alert sent access_denied' \
    'alert received access_denied' \
    $(client_args)
grep -q 'client CN:client.test not in allow list' "$T/allowsrv.log" ||
    fail "allow refusal not explained"
# A subject with two CNs, CN=alice and CN=app1: neither CN: rule admits it,
# and the log says why instead of naming it CN:alice.
if [ -n "$twocn" ]; then
    # shellcheck disable=SC2046
    start_tunnel cnsrv server --accept 127.0.0.1:0 --connect "$backend" \
        $(server_args) --workers 1 --allow CN:app1 --allow CN:alice
    cnsrv=$TUN_ADDR
    refused "$cnsrv" cnsrv 'alert sent access_denied' \
        'alert received access_denied' $(client_args twocn)
    grep -q 'not in allow list: its subject holds more than one CN' \
        "$T/cnsrv.log" || fail "two-CN refusal not explained"
    ! grep -q 'CN:alice' "$T/cnsrv.log" || fail "two-CN client logged as CN:alice"
fi
# No client certificate where one is required.
refused "$server" server 'alert sent certificate_required' \
    'alert received certificate_required' \
    --ca "$PKI/ca.pem" --server-name server.test

# And the same server admits a client its allow list names.
# shellcheck disable=SC2046
start_tunnel allowsrv2 server --accept 127.0.0.1:0 --connect "$backend" \
    $(server_args) --workers 1 --allow CN:other.test --allow CN:client.*
# shellcheck disable=SC2046
start_tunnel okcli client --accept 127.0.0.1:0 --connect "$TUN_ADDR" \
    $(client_args) --workers 1
out=$(printf 'hi\n' | netc "$TUN_ADDR") || fail "allowed client refused"
[ "$out" = "echo: hi" ] || fail "allowed client: '$out'"

# Rules on subjectAltNames, with client certificates that carry them (scca
# --san): "sanok" matches each server's rule, "sanno" has names of each
# kind that do not.
if [ "$PKI_FROM" = scca ]; then
    "$SCCA" issue "$PKI/ca" client sanok.test \
        --san DNS:App.Example,URI:spiffe://corp.example/svc/api,IP:10.9.8.7 \
        --out "$PKI/sanok" >/dev/null || fail "scca could not issue sanok"
    "$SCCA" issue "$PKI/ca" client sanno.test \
        --san DNS:app.example.org,URI:spiffe://corp.example/db/api,IP:10.9.9.7 \
        --out "$PKI/sanno" >/dev/null || fail "scca could not issue sanno"
    mv "$PKI/sanok.crt" "$PKI/sanok.pem"
    mv "$PKI/sanno.crt" "$PKI/sanno.pem"
    for rule in 'DNS:*.example' 'URI:spiffe://corp.example/svc/*' 'IP:10.9.8.0/24'; do
        kind=${rule%%:*}
        # shellcheck disable=SC2046
        start_tunnel "san$kind" server --accept 127.0.0.1:0 --connect "$backend" \
            $(server_args) --workers 1 --allow CN:nobody.test --allow "$rule"
        srv=$TUN_ADDR
        # shellcheck disable=SC2046
        start_tunnel "sanok$kind" client --accept 127.0.0.1:0 --connect "$srv" \
            $(client_args sanok) --workers 1
        out=$(printf 'hi\n' | netc "$TUN_ADDR") || fail "$rule refused sanok"
        [ "$out" = "echo: hi" ] || fail "$rule, sanok: '$out'"
        kill "$TUN_PID"
        refused "$srv" "san$kind" 'alert sent access_denied' \
            'alert received access_denied' $(client_args sanno)
        grep -q 'not in allow list' "$T/san$kind.log" || fail "$rule: refusal not explained"
        echo "$rule admits sanok and refuses sanno"
    done
else
    echo "note: no scca, the subjectAltName rules are left out"
fi
echo "PASS"
