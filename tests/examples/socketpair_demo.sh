#!/bin/sh
# Runs the socketpair example with the test PKI and checks what it prints:
# all twelve steps, each sent by its sender before its receiver got it, the
# handshake result on both sides, and the echo. Also checks that the program
# printed in libsovchain(3) is this one.
set -u

page=${SC_SRCDIR:-.}/man/libsovchain.3
src=${SC_SRCDIR:-.}/tests/examples/socketpair_demo.c
if [ -f "$page" ]; then
	if ! sed -n '/^The program:$/,/^\.Ed$/p' "$page" | sed '1,2d;$d' |
		sed 's/^\\&//; s/\\e/\\/g' | diff -u "$src" - >&2; then
		echo "FAIL: the example in libsovchain(3) differs from socketpair_demo.c"
		exit 1
	fi
fi

if [ -z "${SC_SHARED_DIR:-}" ] || [ ! -d "$SC_SHARED_DIR/vectors/pki" ]; then
	echo "SKIP: SC_SHARED_DIR does not point at the shared vectors (test PKI)"
	exit 77
fi
pki=$SC_SHARED_DIR/vectors/pki
demo=${SC_BUILDDIR:-.}/tests/examples/socketpair_demo
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT

"$demo" "$pki/ca.pem" "$pki/server.pem" "$pki/server.key" \
	"$pki/client.pem" "$pki/client.key" server.test >"$out" 2>&1
rc=$?
cat "$out"
if [ "$rc" -ne 0 ]; then
	echo "FAIL: socketpair_demo exited with $rc"
	exit 1
fi

fail=0
# line_of TEXT: the line number of the line that is exactly TEXT, or 0.
line_of() {
	grep -n -x -F -e "$1" "$out" | head -n 1 | cut -d: -f1 | grep . || echo 0
}
step=0
for spec in client:ClientHello server:ServerHello server:ServerCertSend \
	server:ClientCertRequest client:ClientCertSend client:KeyExchange1 \
	server:KeyExchange2 client:KeyConfirm1 server:KeyConfirm2 \
	client:ClientAuth server:ServerAuth server:SecureAck; do
	step=$((step + 1))
	sender=${spec%%:*}
	name=${spec#*:}
	if [ "$sender" = client ]; then receiver=server; else receiver=client; fi
	s=$(line_of "$sender: sent $step $name")
	r=$(line_of "$receiver: received $step $name")
	if [ "$s" -eq 0 ] || [ "$r" -eq 0 ] || [ "$s" -gt "$r" ]; then
		echo "FAIL: step $step $name not sent by $sender then received by $receiver"
		fail=1
	fi
done
for want in \
	'client: peer identity DNS:server.test' \
	'server: peer identity CN:client.test' \
	'client: received echo "hello server"'; do
	if [ "$(line_of "$want")" -eq 0 ]; then
		echo "FAIL: missing line: $want"
		fail=1
	fi
done
for who in client server; do
	if ! grep -q "^$who: handshake done: suite [A-Z0-9-]*, group [A-Za-z0-9-]*\$" "$out"; then
		echo "FAIL: $who did not report the negotiated suite and group"
		fail=1
	fi
done
exit $fail
