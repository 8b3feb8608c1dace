#!/usr/bin/env bash
# proxy_protocol: a server tunnel sends its plaintext service a PROXY
# header before any data. A strict parser (ppbackend.py) checks every field
# against what the tunnels know: v2 with the SC1 client's address and port
# (as the server logs its peer) and the server's, the authority (the
# client's server_name), the unique id (the id= of the server's close
# line), the SSL flags and sub-TLVs (SC1, the client's CN, the suite, the
# client certificate's algorithms and its DER with proxy_protocol_cert),
# a valid CRC32C; a client without a certificate; v1; a pooled (deferred)
# session; IPv6 loopback; a Unix-socket SC1 side (LOCAL / UNKNOWN). Data
# after the header comes back byte for byte.
. "$(dirname "$0")/tunnel-lib.sh"

need openssl
make_pki
python3 "$SC_SRCDIR/tests/integration/ppbackend.py" >"$T/backend.log" 2>&1 &
PIDS+=($!)
wait_for "$T/backend.log" "ppbackend listening on" || fail "backend did not start"
BE=$(sed -n 's/^ppbackend listening on //p' "$T/backend.log")

# field LINE NAME: NAME=value of a backend line.
field() {
    sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"
}
# backend_line ID: the backend's header line with that unique id.
backend_line() {
    grep " unique_id=$1 " "$T/backend.log"
}
# describe CERT: the client certificate as the header should describe it.
describe() {
    local text
    text=$(openssl x509 -in "$1" -noout -text) || fail "openssl x509 $1"
    want_sig=$(sed -n 's/^ *Signature Algorithm: //p' <<<"$text" | head -n 1)
    case "$(sed -n 's/^ *Public Key Algorithm: //p' <<<"$text" | head -n 1)" in
    id-ecPublicKey) want_key=EC$(sed -n 's/^ *Public-Key: (\([0-9]*\) bit)/\1/p' <<<"$text") ;;
    rsaEncryption) want_key=RSA$(sed -n 's/^ *Public-Key: (\([0-9]*\) bit)/\1/p' <<<"$text") ;;
    *) want_key=$(sed -n 's/^ *Public Key Algorithm: //p' <<<"$text" | head -n 1) ;;
    esac
    want_der=$(openssl x509 -in "$1" -outform DER | od -An -v -tx1 | tr -d ' \n')
}
describe "$PKI/client.pem"

# check_v2 LOG N WANT_CLIENT SRV_ADDR: the last N close lines of the
# server log LOG each match one backend header in every field.
check_v2() {
    local log=$1 n=$2 flags=$3 srv=$4 lines line id b peer ids=()
    wait_count "$T/$log.log" "close peer=.* id=" "$n" || fail "$log: no $n close lines with an id"
    mapfile -t lines < <(grep "close peer=.* id=" "$T/$log.log" | tail -n "$n")
    for line in "${lines[@]}"; do
        id=${line##* id=}
        [[ $id =~ ^[0-9a-f]{32}$ ]] || fail "$log: id '$id' is not 32 hex digits"
        ids+=("$id")
        wait_for "$T/backend.log" " unique_id=$id " 5 || fail "$log: no header with id $id"
        b=$(backend_line "$id")
        peer=$(sed -n 's/.*close peer=\([^ ]*\) .*/\1/p' <<<"$line")
        [ "$(field "$b" version)" = 2 ] && [ "$(field "$b" cmd)" = PROXY ] ||
            fail "$log: not a v2 PROXY header: $b"
        case "$peer" in
        \[*) [ "[$(field "$b" src)]:$(field "$b" sport)" = "$peer" ] ;;
        *) [ "$(field "$b" src):$(field "$b" sport)" = "$peer" ] ;;
        esac || fail "$log: header source $(field "$b" src):$(field "$b" sport), client was $peer"
        case "$srv" in
        \[*) [ "[$(field "$b" dst)]:$(field "$b" dport)" = "$srv" ] ;;
        *) [ "$(field "$b" dst):$(field "$b" dport)" = "$srv" ] ;;
        esac || fail "$log: header destination $(field "$b" dst):$(field "$b" dport), server is $srv"
        [ "$(field "$b" authority)" = server.test ] || fail "$log: authority in $b"
        [ "$(field "$b" ssl_client)" = "$flags" ] || fail "$log: SSL client flags in $b"
        [ "$(field "$b" ssl_verify)" = 0 ] || fail "$log: SSL verify in $b"
        [ "$(field "$b" ssl_version)" = SC1 ] || fail "$log: SSL version in $b"
        [ "$(field "$b" cipher)" = "$(sed -n 's/.* suite=\([^ ]*\) .*/\1/p' <<<"$line")" ] ||
            fail "$log: cipher in $b, the server's line says $line"
        [ "$(field "$b" crc32c)" = ok ] || fail "$log: no valid CRC32C in $b"
        if [ "$flags" = 0x07 ]; then
            [ "$(field "$b" cn)" = "${WANT_CN:-client.test}" ] || fail "$log: CN in $b"
            [ "$(field "$b" sig_alg)" = "$want_sig" ] ||
                fail "$log: sig_alg in $b, want $want_sig"
            [ "$(field "$b" key_alg)" = "$want_key" ] ||
                fail "$log: key_alg in $b, want $want_key"
        else
            [ "$(field "$b" cn)$(field "$b" sig_alg)$(field "$b" key_alg)" = --- ] ||
                fail "$log: certificate fields without a client certificate: $b"
        fi
        if [ "${WANT_CERT:-}" = yes ]; then
            [ "$(field "$b" cert)" = "$want_der" ] || fail "$log: client certificate DER differs"
            [ "$(field "$b" tlvs)" = 2,5,32,3 ] || fail "$log: TLVs $(field "$b" tlvs)"
        else
            [ "$(field "$b" cert)" = - ] || fail "$log: a certificate without proxy_protocol_cert"
        fi
    done
    [ "$(printf '%s\n' "${ids[@]}" | sort -u | wc -l)" = "$n" ] || fail "$log: ids repeat"
}

# v2 with the client's certificate: three connections, 100 kB each way.
PAIR=a start_pair "$BE" --proxy-protocol v2 --proxy-protocol-cert yes
netc --many 3 100000 "$CLI_ADDR" || fail "v2: data through the pair"
WANT_CERT=yes check_v2 aserver 3 0x07 "$SRV_ADDR"
grep -q "error=" "$T/backend.log" && fail "backend rejected a header"

# v2 without proxy_protocol_cert, a client without a certificate.
# shellcheck disable=SC2046
start_tunnel bserver server --accept 127.0.0.1:0 --connect "$BE" $(server_args) \
    --verify optional --proxy-protocol v2 --workers 1 -v
srv=$TUN_ADDR
start_tunnel bclient client --accept 127.0.0.1:0 --connect "$srv" --ca "$PKI/ca.pem" \
    --server-name server.test --workers 1 -v
reply=$(printf 'anonymous\n' | netc "$TUN_ADDR") || fail "v2 without certificate"
[ "$reply" = anonymous ] || fail "v2 without certificate: reply '$reply'"
check_v2 bserver 1 0x01 "$srv"

# A pooled client: the server connects the service only when the session
# opens; the header still comes first (the backend checks before echoing).
PAIR=c start_pair "$BE" --proxy-protocol v2 -- --pool 2 --workers 1
wait_for "$T/cclient.log" "pool: session to .* ready (2 ready)" || fail "the pool did not fill"
netc --many 4 50000 "$CLI_ADDR" || fail "pooled: data through the pair"
check_v2 cserver 4 0x07 "$SRV_ADDR"

# Other client certificates: a P-256 key; a subject with two CNs (no CN
# sub-TLV: one reader would take the first, another any).
if [ "$PKI_FROM" = scca ]; then
    "$SCCA" issue "$PKI/ca" client p256.test --key-type p256 --out "$PKI/p256" >/dev/null ||
        fail "scca: a P-256 client"
    mv "$PKI/p256.crt" "$PKI/p256.pem"
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=clientAuth" "subjectKeyIdentifier=hash" \
        "authorityKeyIdentifier=keyid" >"$T/two.ext"
    openssl req -new -newkey ed25519 -nodes -keyout "$PKI/two.key" -subj "/CN=one.test/CN=two.test" \
        -out "$T/two.csr" 2>/dev/null &&
        openssl x509 -req -in "$T/two.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca/ca.key" -days 30 \
            -extfile "$T/two.ext" -out "$PKI/two.pem" 2>/dev/null || fail "openssl: a two-CN client"
    chmod 600 "$PKI/two.key"
    PAIR=f start_pair "$BE" --proxy-protocol v2 --proxy-protocol-cert yes
    for who in p256 two; do
        # shellcheck disable=SC2046
        start_tunnel "f$who" client --accept 127.0.0.1:0 --connect "$SRV_ADDR" \
            $(client_args "$who") --workers 1
        reply=$(printf '%s\n' "$who" | netc "$TUN_ADDR") || fail "$who: round trip"
        [ "$reply" = "$who" ] || fail "$who: reply '$reply'"
        describe "$PKI/$who.pem"
        cn=-
        if [ "$who" = p256 ]; then
            [ "$want_key" = EC256 ] || fail "P-256 client described as $want_key"
            cn=p256.test
        fi
        WANT_CERT=yes WANT_CN=$cn check_v2 fserver 1 0x07 "$SRV_ADDR"
    done
    describe "$PKI/client.pem"
fi

# v1: the addresses only.
PAIR=d start_pair "$BE" --proxy-protocol v1
before=$(grep -c " version=1 " "$T/backend.log")
reply=$(printf 'version one\n' | netc "$CLI_ADDR") || fail "v1 round trip"
[ "$reply" = "version one" ] || fail "v1 reply '$reply'"
wait_for "$T/dserver.log" "close peer=" || fail "v1: no close line"
peer=$(sed -n 's/.*close peer=\([^ ]*\) .*/\1/p' "$T/dserver.log")
wait_count "$T/backend.log" " version=1 " $((before + 1)) 5 || fail "v1: no header"
b=$(grep " version=1 " "$T/backend.log" | tail -n 1)
[ "$(field "$b" cmd) $(field "$b" src):$(field "$b" sport) $(field "$b" dst):$(field "$b" dport)" = \
    "PROXY $peer $SRV_ADDR" ] || fail "v1 header $b, client $peer, server $SRV_ADDR"
grep -q "close peer=.* id=" "$T/dserver.log" && fail "v1: an id on the log line"

# IPv6 loopback, when the host has it.
if python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
    # shellcheck disable=SC2046
    start_tunnel eserver server --accept '[::1]:0' --connect "$BE" $(server_args) \
        --proxy-protocol v2 --workers 1 -v
    srv=$TUN_ADDR
    # shellcheck disable=SC2046
    start_tunnel eclient client --accept 127.0.0.1:0 --connect "$srv" $(client_args) --workers 1
    reply=$(printf 'over ipv6\n' | netc "$TUN_ADDR") || fail "IPv6 round trip"
    [ "$reply" = "over ipv6" ] || fail "IPv6 reply '$reply'"
    check_v2 eserver 1 0x07 "$srv"
else
    echo "no IPv6 loopback here: IPv6 part skipped"
fi

# A Unix-socket SC1 side has no address to tell: v2 LOCAL, v1 UNKNOWN.
for v in 1 2; do
    # shellcheck disable=SC2046
    start_tunnel "userver$v" server --accept "unix:$T/sc1-$v.sock" --connect "$BE" \
        $(server_args) --proxy-protocol "v$v" --workers 1
    # shellcheck disable=SC2046
    start_tunnel "uclient$v" client --accept 127.0.0.1:0 --connect "unix:$T/sc1-$v.sock" \
        $(client_args) --workers 1
    reply=$(printf 'over unix\n' | netc "$TUN_ADDR") || fail "unix v$v round trip"
    [ "$reply" = "over unix" ] || fail "unix v$v reply '$reply'"
done
wait_for "$T/backend.log" " version=1 cmd=UNKNOWN " 5 || fail "no v1 UNKNOWN for a Unix peer"
wait_for "$T/backend.log" " version=2 cmd=LOCAL .* authority=server.test .*crc32c=ok" 5 ||
    fail "no v2 LOCAL for a Unix peer"
grep -q "error=" "$T/backend.log" && fail "backend rejected a header: $(grep error= "$T/backend.log")"
echo "PASS"
