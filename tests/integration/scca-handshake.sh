#!/bin/bash
# Certificates made by scca complete an SC1 handshake with the engine, for
# every key type scca offers; a revoked client is refused once the CA's CRL
# is configured, and an expired one is refused.
set -u

SCCA=${SC_BUILDDIR:-.}/ca/scca
HS=${SC_BUILDDIR:-.}/tests/tools/handshake_check
for p in "$SCCA" "$HS"; do
	[ -x "$p" ] || { echo "skip: $p not built"; exit 77; }
done

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0

check() {   # DESCRIPTION EXPECTED-PREFIX handshake_check args...
	local what=$1 want=$2 got
	shift 2
	got=$("$HS" "$@" 2>&1)
	case "$got" in
	"$want"*) echo "ok: $what: $got" ;;
	*) echo "FAIL: $what: want '$want...', got '$got'"; failures=$((failures + 1)) ;;
	esac
}

run() {   # stop on a failed setup step: everything after depends on it
	"$@" >"$T/out" 2>&1 || { echo "FAIL: $*: $(cat "$T/out")"; exit 1; }
}

for kt in ed25519 ed448 p256 p384 rsa3072; do
	ca="$T/ca-$kt"
	run "$SCCA" init "$ca" --name "Test CA $kt" --key-type "$kt"
	run "$SCCA" issue "$ca" server server.test --key-type "$kt" --out "$T/$kt-server"
	run "$SCCA" issue "$ca" client alice --key-type "$kt" --out "$T/$kt-alice"
	check "$kt certificates" "ok " --server-cert "$T/$kt-server.crt" --server-key "$T/$kt-server.key" \
		--client-cert "$T/$kt-alice.crt" --client-key "$T/$kt-alice.key" \
		--ca "$ca/ca.crt" --name server.test
done

ca="$T/ca-ed25519"
s=(--server-cert "$T/ed25519-server.crt" --server-key "$T/ed25519-server.key" --ca "$ca/ca.crt" --name server.test)
check "client identity is the CN" "ok CHACHA20-POLY1305 none client=CN:alice" "${s[@]}" \
	--client-cert "$T/ed25519-alice.crt" --client-key "$T/ed25519-alice.key"

run "$SCCA" issue "$ca" client mallory --out "$T/mallory"
run "$SCCA" issue "$ca" client bob --out "$T/bob"
run "$SCCA" revoke "$ca" mallory --reason keyCompromise
run "$SCCA" crl "$ca"
check "revoked client accepted without the CRL" "ok " "${s[@]}" \
	--client-cert "$T/mallory.crt" --client-key "$T/mallory.key"
check "revoked client refused with the CRL" "fail: server sent certificate_revoked" "${s[@]}" \
	--crl "$ca/crl.pem" --client-cert "$T/mallory.crt" --client-key "$T/mallory.key"
check "other client accepted with the CRL" "ok " "${s[@]}" \
	--crl "$ca/crl.pem" --client-cert "$T/bob.crt" --client-key "$T/bob.key"

run "$SCCA" issue "$ca" client old --not-before 20200101000000Z --not-after 20210101000000Z --out "$T/old"
check "expired client refused" "fail: server sent certificate_expired" "${s[@]}" \
	--client-cert "$T/old.crt" --client-key "$T/old.key"

run "$SCCA" issue "$ca" server wrong.test --out "$T/wrong"
check "server certificate for another name refused" "fail: client sent bad_certificate" \
	--server-cert "$T/wrong.crt" --server-key "$T/wrong.key" --ca "$ca/ca.crt" --name server.test \
	--client-cert "$T/bob.crt" --client-key "$T/bob.key"
check "client certificate used as a server refused" "fail: client sent unsupported_certificate" \
	--server-cert "$T/bob.crt" --server-key "$T/bob.key" --ca "$ca/ca.crt" --name bob \
	--client-cert "$T/bob.crt" --client-key "$T/bob.key"

[ "$failures" -eq 0 ] || { echo "$failures failed"; exit 1; }
echo "all passed"
