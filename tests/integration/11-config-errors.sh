#!/usr/bin/env bash
# Configuration errors name file:line, exit with status 2 and start nothing;
# -t accepts a good file (credentials loaded) with status 0.
. "$(dirname "$0")/tunnel-lib.sh"

make_pki
conf=$T/t.conf

# expect_error LINE TEXT: the file in $conf fails at LINE mentioning TEXT.
expect_error() {
    local out rc
    out=$("$SCTUNNEL" -t -c "$conf" 2>&1) && fail "accepted: $(cat "$conf")"
    rc=$?
    [ "$rc" = 2 ] || fail "exit status $rc, expected 2 ($out)"
    case "$out" in
    *"t.conf:$1: "*"$2"*) ;;
    *) fail "expected t.conf:$1 and '$2', got: $out" ;;
    esac
}

good() {
    cat <<EOT
log_level = info

[echo]
mode = server
accept = 127.0.0.1:0
connect = 127.0.0.1:7
cert = $PKI/server.pem
key = $PKI/server.key
ca = $PKI/ca.pem
EOT
}

good >"$conf"
"$SCTUNNEL" -t -c "$conf" 2>"$T/t.out" || fail "good file refused: $(cat "$T/t.out")"

{ good; echo "no_such_key = 1"; } >"$conf"
expect_error 10 "unknown option 'no_such_key'"
{ good; echo "connect = localhost-but-no-port"; } >"$conf"
expect_error 10 "bad address"
good | sed "s|^cert = .*|cert = $T/missing.pem|" >"$conf"
expect_error 7 "No such file"
{ good; echo "connect = 192.0.2.10:80"; } >"$conf"
expect_error 10 "not loopback"
good | sed 's/^mode = server/mode = sideways/' >"$conf"
expect_error 4 "bad value"
# A certificate that does not parse is a credential error, with its line.
echo "not a certificate" >"$T/bad.pem"
good | sed "s|^cert = .*|cert = $T/bad.pem|" >"$conf"
expect_error 7 "cert"

# A missing file: the message names it, status 2.
out=$("$SCTUNNEL" -t -c "$T/absent.conf" 2>&1) && fail "missing file accepted"
[ $? = 2 ] || fail "missing file: wrong status"
case "$out" in *absent.conf*) ;; *) fail "missing file: '$out'" ;; esac

# The command line: the same checks, "--option: message", status 2.
out=$("$SCTUNNEL" server --accept 127.0.0.1 --connect 127.0.0.1:1 2>&1) && fail "bad --accept accepted"
[ $? = 2 ] || fail "bad --accept: wrong status"
case "$out" in *"--accept: bad address"*) ;; *) fail "bad --accept: '$out'" ;; esac
out=$("$SCTUNNEL" server --frobnicate 1 2>&1) && fail "unknown option accepted"
[ $? = 2 ] || fail "unknown option: wrong status"
# The PROXY protocol options: values, the v2-only certificate, servers only.
{ good; echo "proxy_protocol = v3"; } >"$conf"
expect_error 10 "bad value 'v3' for proxy_protocol"
{ good; echo "accept_proxy = maybe"; } >"$conf"
expect_error 10 "bad value 'maybe' for accept_proxy"
{ good; echo "proxy_protocol = v1"; echo "proxy_protocol_cert = yes"; } >"$conf"
expect_error 11 "'proxy_protocol_cert' needs proxy_protocol = v2"
{ good; echo "proxy_protocol = v2"; echo "proxy_protocol_cert = yes"; echo "accept_proxy = yes"; } >"$conf"
"$SCTUNNEL" -t -c "$conf" 2>"$T/t.out" || fail "PROXY options refused: $(cat "$T/t.out")"
for opt in "proxy_protocol = v2" "accept_proxy = yes" "proxy_protocol_cert = no"; do
    { good; printf '\n[cli]\nmode = client\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:1\n'
      printf 'ca = %s\nserver_name = server.test\n%s\n' "$PKI/ca.pem" "$opt"; } >"$conf"
    expect_error 17 "[cli] '${opt%% *}' applies to servers only"
done
out=$("$SCTUNNEL" client --accept 127.0.0.1:0 --connect 127.0.0.1:1 --ca "$PKI/ca.pem" \
    --server-name s.test --accept-proxy yes 2>&1) && fail "--accept-proxy accepted on a client"
[ $? = 2 ] || fail "--accept-proxy on a client: wrong status ($out)"
echo "PASS"
