#!/bin/bash
# scca, the certificate authority tool: every command, checked with the
# openssl command-line tool, and every bad-input path (exit status 2 and one
# line on stderr).  The SC1 handshake with scca certificates is covered by
# the tunnel tests.
set -u

SCCA=${SC_BUILDDIR:-.}/ca/scca
if [ ! -x "$SCCA" ]; then
	echo "skip: $SCCA not built"
	exit 77
fi
if ! command -v openssl >/dev/null 2>&1; then
	echo "skip: the openssl command is needed to check the certificates"
	exit 77
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
pass() {
	echo "ok: $*"
}

# ok DESCRIPTION COMMAND...: the command succeeds.
ok() {
	local what=$1
	shift
	if "$@" >out.txt 2>err.txt; then
		pass "$what"
	else
		fail "$what (exit $?): $(cat err.txt)"
	fi
}

# bad DESCRIPTION PATTERN COMMAND...: exit status 2 and exactly one line
# "scca: ..." on stderr that matches PATTERN.
bad() {
	local what=$1 pattern=$2 rc
	shift 2
	"$@" >out.txt 2>err.txt
	rc=$?
	if [ "$rc" -ne 2 ]; then
		fail "$what: exit $rc, want 2 ($(cat err.txt))"
	elif [ "$(wc -l <err.txt)" -ne 1 ]; then
		fail "$what: want one line on stderr, got: $(cat err.txt)"
	elif ! grep -q '^scca: ' err.txt; then
		fail "$what: message lacks the 'scca: ' prefix: $(cat err.txt)"
	elif ! grep -q -e "$pattern" err.txt; then
		fail "$what: message does not match '$pattern': $(cat err.txt)"
	else
		pass "$what"
	fi
}

# has DESCRIPTION FILE PATTERN: FILE contains PATTERN (fixed string).
has() {
	if grep -q -F -e "$3" "$2"; then
		pass "$1"
	else
		fail "$1: '$3' not in $2"
	fi
}

# verify DESCRIPTION CA CERT [openssl verify options]
verify() {
	local what=$1 ca=$2 cert=$3
	shift 3
	if openssl verify "$@" -CAfile "$ca" "$cert" >verify.txt 2>&1; then
		pass "$what"
	else
		fail "$what: $(cat verify.txt)"
	fi
}

# refused DESCRIPTION PATTERN CA CERT [options]: verification fails so.
refused() {
	local what=$1 pattern=$2 ca=$3 cert=$4
	shift 4
	if openssl verify "$@" -CAfile "$ca" "$cert" >verify.txt 2>&1; then
		fail "$what: openssl verify accepted it"
	elif grep -q -e "$pattern" verify.txt; then
		pass "$what"
	else
		fail "$what: $(cat verify.txt)"
	fi
}

mode() {
	stat -c %a "$1"
}

text() {
	openssl x509 -in "$1" -noout -text >"$2"
}

# --- help -------------------------------------------------------------
ok "scca --help" "$SCCA" --help
has "--help lists the commands" out.txt "revoke"
ok "scca issue --help" "$SCCA" issue --help
has "issue --help lists --san" out.txt "--san"

# --- init ---------------------------------------------------------------
ok "init a CA" "$SCCA" init ca --name "Test Root"
[ "$(mode ca/ca.key)" = 600 ] && pass "ca.key is mode 0600" ||
	fail "ca.key has mode $(mode ca/ca.key)"
has "ca.key is PKCS#8" ca/ca.key "-----BEGIN PRIVATE KEY-----"
text ca/ca.crt ca.txt
has "CA is CA:TRUE" ca.txt "CA:TRUE"
has "CA keyUsage" ca.txt "Certificate Sign, CRL Sign"
has "CA is Ed25519 by default" ca.txt "Signature Algorithm: ED25519"
has "CA has an SKI" ca.txt "Subject Key Identifier"
has "CA subject" ca.txt "Subject: CN = Test Root"
verify "CA verifies against itself" ca/ca.crt ca/ca.crt
[ -f ca/index.txt ] && pass "index.txt exists" || fail "no index.txt"

# --- issue: servers -----------------------------------------------------
ok "issue a server" "$SCCA" issue ca server web.example.com
verify "server verifies (sslserver)" ca/ca.crt ca/web.example.com.crt \
	-purpose sslserver
[ "$(mode ca/web.example.com.key)" = 600 ] && pass "leaf key mode 0600" ||
	fail "leaf key has mode $(mode ca/web.example.com.key)"
has "leaf key is PKCS#8" ca/web.example.com.key "-----BEGIN PRIVATE KEY-----"
text ca/web.example.com.crt srv.txt
has "server EKU" srv.txt "TLS Web Server Authentication"
has "server name as DNS SAN" srv.txt "DNS:web.example.com"
has "server CA:FALSE" srv.txt "CA:FALSE"
has "server keyUsage" srv.txt "Digital Signature"
has "server AKI" srv.txt "Authority Key Identifier"
if openssl x509 -in ca/web.example.com.crt -noout -serial |
	grep -q -E '^serial=[0-9A-F]{32}$'; then
	pass "128-bit serial"
else
	fail "serial is not 128 bits"
fi
if [ "$(openssl x509 -in ca/web.example.com.crt -noout -pubkey)" = \
	"$(openssl pkey -in ca/web.example.com.key -pubout)" ]; then
	pass "server key matches its certificate"
else
	fail "server key does not match its certificate"
fi

ok "issue a server named by an IP literal" "$SCCA" issue ca server 192.0.2.10
text ca/192.0.2.10.crt ip.txt
has "IP literal becomes an IP SAN" ip.txt "IP Address:192.0.2.10"

ok "issue a server with --san" "$SCCA" issue ca server multi \
	--san DNS:a.example.com,IP:2001:db8::1 --san URI:spiffe://example.org/m \
	--out multi
text multi.crt multi.txt
has "--san DNS" multi.txt "DNS:a.example.com"
has "--san IP" multi.txt "IP Address:2001:DB8:0:0:0:0:0:1"
has "--san URI" multi.txt "URI:spiffe://example.org/m"
if grep -q "DNS:multi" multi.txt; then
	fail "--san should replace the default SAN"
else
	pass "--san replaces the default SAN"
fi
verify "--out certificate verifies" ca/ca.crt multi.crt

# --- issue: clients -----------------------------------------------------
ok "issue client alice" "$SCCA" issue ca client alice
ok "issue client bob (p256)" "$SCCA" issue ca client bob --key-type p256
for c in alice bob; do
	verify "client $c verifies (sslclient)" ca/ca.crt ca/$c.crt \
		-purpose sslclient
	refused "client $c is no server" "unsuitable certificate purpose" \
		ca/ca.crt ca/$c.crt -purpose sslserver
done
text ca/alice.crt alice.txt
has "client EKU" alice.txt "TLS Web Client Authentication"
has "client CN" alice.txt "Subject: CN = alice"
if grep -q "Subject Alternative Name" alice.txt; then
	fail "a client gets no SAN without --san"
else
	pass "a client gets no SAN without --san"
fi

# --- every key type, for leaves and for the CA ---------------------------
for kt in ed448 p384 rsa3072; do
	ok "issue a $kt server" "$SCCA" issue ca server "$kt.example" \
		--key-type "$kt"
	verify "$kt server verifies" ca/ca.crt "ca/$kt.example.crt"
done
for kt in ed448 p256 p384 rsa3072; do
	ok "init a $kt CA" "$SCCA" init "ca-$kt" --key-type "$kt"
	ok "issue from the $kt CA" "$SCCA" issue "ca-$kt" client c1
	verify "$kt CA signs verifiable certificates" "ca-$kt/ca.crt" \
		"ca-$kt/c1.crt" -purpose sslclient
done

# --- sign an external CSR ----------------------------------------------
openssl req -new -newkey ed25519 -nodes -keyout ext.key -subj \
	"/O=Example/CN=ext.example.com" -out ext.csr 2>/dev/null ||
	fail "openssl req failed"
ok "sign a CSR as server" "$SCCA" sign ca server ext.csr --out ext
verify "signed CSR verifies (sslserver)" ca/ca.crt ext.crt -purpose sslserver
text ext.crt ext.txt
has "signed CSR keeps the subject" ext.txt "Subject: O = Example, CN = ext.example.com"
has "signed CSR gets its CN as DNS SAN" ext.txt "DNS:ext.example.com"
if [ "$(openssl x509 -in ext.crt -noout -pubkey)" = \
	"$(openssl pkey -in ext.key -pubout)" ]; then
	pass "signed certificate carries the CSR's key"
else
	fail "signed certificate does not carry the CSR's key"
fi
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout carol.key -subj "/CN=carol" \
	-addext "subjectAltName=URI:spiffe://example.org/carol" \
	-out carol.csr 2>/dev/null || fail "openssl req failed"
ok "sign a CSR as client" "$SCCA" sign ca client carol.csr --out carol
verify "signed client verifies (sslclient)" ca/ca.crt carol.crt \
	-purpose sslclient
text carol.crt carol.txt
has "CSR's SAN kept" carol.txt "URI:spiffe://example.org/carol"
has "signed client EKU" carol.txt "TLS Web Client Authentication"
has "sign prints the subject it certifies" out.txt "certifying subject CN=carol"
has "sign prints the SANs it certifies" out.txt \
	"certifying SAN URI:spiffe://example.org/carol"
openssl req -new -newkey ed25519 -nodes -keyout dave.key \
	-subj "/O=Example/OU=ops/CN=dave" \
	-addext "subjectAltName=DNS:dave.example,IP:192.0.2.44" \
	-out dave.csr 2>/dev/null || fail "openssl req failed"
ok "sign a CSR with several attributes and SANs" "$SCCA" sign ca client \
	dave.csr --out dave
for line in "certifying subject O=Example" "certifying subject OU=ops" \
	"certifying subject CN=dave" "certifying SAN DNS:dave.example" \
	"certifying SAN IP:192.0.2.44"; do
	has "sign prints '$line'" out.txt "$line"
done
ok "show a signed client" "$SCCA" show carol.crt
has "show lists the SANs" out.txt "URI:spiffe://example.org/carol"
# One CN per certificate: scca would list and index it by one CN while
# whoever reads another CN would take it for someone else.
openssl req -new -newkey ed25519 -nodes -keyout twocn.key \
	-subj "/CN=zed/CN=app1" -out twocn.csr 2>/dev/null ||
	fail "openssl req failed"
openssl req -new -newkey ed25519 -nodes -keyout rdncn.key -multivalue-rdn \
	-subj "/CN=zed+CN=app1" -out rdncn.csr 2>/dev/null ||
	fail "openssl req failed"

# --- revoke and CRL --------------------------------------------------------
ok "revoke alice by name" "$SCCA" revoke ca alice --reason keyCompromise
ok "write the CRL" "$SCCA" crl ca
has "CRL is PEM" ca/crl.pem "-----BEGIN X509 CRL-----"
refused "revoked alice is refused with the CRL" "certificate revoked" \
	ca/ca.crt ca/alice.crt -crl_check -CRLfile ca/crl.pem
verify "bob passes with the CRL" ca/ca.crt ca/bob.crt \
	-crl_check -CRLfile ca/crl.pem
openssl crl -in ca/crl.pem -noout -text >crl.txt 2>&1
has "CRL reason code" crl.txt "Key Compromise"
has "CRL number" crl.txt "X509v3 CRL Number"
has "CRL AKI" crl.txt "Authority Key Identifier"
serial=$(openssl x509 -in ca/bob.crt -noout -serial | cut -d= -f2)
ok "revoke bob by serial" "$SCCA" revoke ca "$serial"
ok "rewrite the CRL" "$SCCA" crl ca --days 7
refused "bob is refused with the new CRL" "certificate revoked" \
	ca/ca.crt ca/bob.crt -crl_check -CRLfile ca/crl.pem
openssl crl -in ca/crl.pem -noout -text >crl.txt 2>&1
if grep -A1 "CRL Number" crl.txt | grep -q -w 2; then
	pass "CRL number advances"
else
	fail "CRL number did not advance: $(cat crl.txt)"
fi
ok "list" "$SCCA" list ca
has "list shows the revoked client" out.txt "alice"
if grep -w carol out.txt | grep -q -F "URI:spiffe://example.org/carol" &&
	grep -w dave out.txt | grep -q -F "DNS:dave.example, IP:192.0.2.44" &&
	grep -w multi out.txt | grep -q -F \
	"DNS:a.example.com, IP:2001:db8::1, URI:spiffe://example.org/m"; then
	pass "list shows each certificate's SANs"
else
	fail "list does not show the SANs: $(cat out.txt)"
fi
if grep alice out.txt | grep -q "revoked"; then
	pass "list marks alice revoked"
else
	fail "list does not mark alice revoked: $(cat out.txt)"
fi
if grep web.example.com out.txt | grep -q "valid"; then
	pass "list marks the server valid"
else
	fail "list does not mark the server valid: $(cat out.txt)"
fi
ok "a revoked name can be issued again" "$SCCA" issue ca client alice \
	--out alice2

# --- expired (testing dates) ----------------------------------------------
ok "issue an expired client" "$SCCA" issue ca client old \
	--not-before 20200101000000Z --not-after 20210101000000Z
refused "expired client is refused" "certificate has expired" \
	ca/ca.crt ca/old.crt
"$SCCA" list ca >out.txt 2>&1
if grep -w old out.txt | grep -q expired; then
	pass "list marks the old client expired"
else
	fail "list does not mark the old client expired: $(cat out.txt)"
fi

# --- show ---------------------------------------------------------------
ok "show a server" "$SCCA" show ca/web.example.com.crt
has "show subject" out.txt "CN=web.example.com"
has "show key type" out.txt "Ed25519"
has "show SAN" out.txt "DNS:web.example.com"
has "show EKU" out.txt "serverAuth"
has "show role" out.txt "server"
fp=$(openssl x509 -in ca/web.example.com.crt -noout -fingerprint -sha256 |
	cut -d= -f2)
has "show SHA-256 fingerprint" out.txt "$fp"
ok "show the CA" "$SCCA" show ca/ca.crt
has "show CA role" out.txt "certificate authority"
ok "show a DER certificate" bash -c \
	"openssl x509 -in ca/bob.crt -outform DER -out bob.der && '$SCCA' show bob.der"

# --- encrypted CA key ----------------------------------------------------
echo "correct horse" >pass.txt
echo "wrong" >wrong.txt
ok "init with a passphrase" "$SCCA" init pca --passphrase-file pass.txt
has "CA key is encrypted PKCS#8" pca/ca.key "-----BEGIN ENCRYPTED PRIVATE KEY-----"
if openssl pkcs8 -in pca/ca.key -passin file:pass.txt -topk8 -nocrypt \
	>/dev/null 2>&1; then
	pass "openssl decrypts the CA key with the passphrase"
else
	fail "openssl cannot decrypt the CA key"
fi
if openssl asn1parse -in pca/ca.key 2>/dev/null | grep -q aes-256-cbc; then
	pass "CA key is encrypted with AES-256-CBC"
else
	fail "CA key is not encrypted with AES-256-CBC"
fi
bad "encrypted CA key without passphrase" "passphrase" \
	"$SCCA" issue pca server s1
bad "wrong passphrase" "wrong passphrase" \
	"$SCCA" issue pca server s1 --passphrase-file wrong.txt
bad "wrong passphrase for crl" "wrong passphrase" \
	"$SCCA" crl pca --passphrase-file wrong.txt
ok "issue with the passphrase" "$SCCA" issue pca server s1 \
	--passphrase-file pass.txt
verify "certificate from the encrypted CA verifies" pca/ca.crt pca/s1.crt
ok "crl with the passphrase" "$SCCA" crl pca --passphrase-file pass.txt
[ ! -e pca/s2.crt ] && pass "nothing written after a wrong passphrase" ||
	fail "files written after a wrong passphrase"

# --- error paths: exit 2, one line, nothing half-written -------------------
cp ca/index.txt index.before
sha256sum ca/ca.crt ca/ca.key >ca-files.before
openssl req -new -newkey ed25519 -nodes -keyout cacn.key -subj "/CN=ca" \
	-out cacn.csr 2>/dev/null || fail "openssl req failed"
openssl req -new -newkey ed25519 -nodes -keyout x2.key -subj "/CN=x2" \
	-out x2.csr 2>/dev/null || fail "openssl req failed"
bad "unknown subcommand" "unknown command" "$SCCA" frobnicate ca
bad "unknown option" "unknown option" "$SCCA" issue ca server x --bogus
bad "unknown kind" "unknown kind" "$SCCA" issue ca router r1
bad "unknown kind for sign" "unknown kind" "$SCCA" sign ca router ext.csr
bad "bad SAN type" "bad SAN" "$SCCA" issue ca server s --san EMAIL:a@b
bad "bad SAN IP" "bad SAN" "$SCCA" issue ca server s --san IP:300.1.2.3
bad "bad SAN DNS" "bad SAN" "$SCCA" issue ca server s --san DNS:bad_name.example
bad "empty SAN" "bad SAN" "$SCCA" issue ca server s --san DNS:a.example,
bad "bad wildcard SAN" "bad SAN" "$SCCA" issue ca server s --san DNS:*.com
bad "server name that is no host" "give --san" "$SCCA" issue ca server "my server"
bad "missing CA" "no CA" "$SCCA" issue nowhere server s
bad "missing CA for list" "no CA" "$SCCA" list nowhere
bad "missing CA for revoke" "no CA" "$SCCA" revoke nowhere alice
bad "duplicate name" "duplicate name" "$SCCA" issue ca server web.example.com --out dup
bad "duplicate name through sign" "duplicate name" "$SCCA" sign ca server ext.csr --out dup2
bad "overwrite without --force" "use --force" "$SCCA" issue ca server fresh.example --out multi
bad "unknown key type" "unknown key type" "$SCCA" issue ca server k --key-type dsa
bad "bad --days" "days" "$SCCA" issue ca server d.example --days 0
bad "bad --days text" "days" "$SCCA" crl ca --days soon
bad "bad --not-after" "not-after" "$SCCA" issue ca client t1 --not-after yesterday
bad "revoke unknown name" "no valid certificate" "$SCCA" revoke ca nobody
bad "revoke twice" "already revoked" "$SCCA" revoke ca "$serial"
bad "unknown reason" "unknown reason" "$SCCA" revoke ca web.example.com --reason bored
bad "missing arguments" "missing arguments" "$SCCA" issue ca server
bad "extra argument" "unexpected argument" "$SCCA" list ca extra
bad "show a missing file" "cannot read" "$SCCA" show nonexistent.crt
bad "show a non-certificate" "no certificate" "$SCCA" show ext.csr
bad "sign a non-CSR" "no CSR" "$SCCA" sign ca server ca/ca.crt
bad "sign a CSR with two CNs" "more than one common name" \
	"$SCCA" sign ca client twocn.csr --out twocn
bad "sign a CSR with two CNs in one RDN" "more than one common name" \
	"$SCCA" sign ca client rdncn.csr --out rdncn
bad "missing passphrase file" "passphrase file" "$SCCA" init pca2 --passphrase-file nothere
# A leaf never takes the CA's own files, --force or not.
bad "issue a leaf named ca" "the CA's own file" "$SCCA" issue ca client ca
bad "issue a leaf named ca, --force" "the CA's own file" \
	"$SCCA" issue ca client ca --force
bad "issue a leaf named CA, --force" "the CA's own file" \
	"$SCCA" issue ca server CA --force
bad "sign a CSR for CN=ca, --force" "the CA's own file" \
	"$SCCA" sign ca client cacn.csr --force
bad "issue with --out onto the CA's files" "the CA's own file" \
	"$SCCA" issue ca client x1 --out ca/ca --force
bad "sign with --out onto ca.crt by another path" "the CA's own file" \
	"$SCCA" sign ca client x2.csr --out "$T/ca/../ca/ca" --force
if sha256sum -c --quiet ca-files.before >/dev/null 2>&1; then
	pass "ca.crt and ca.key are untouched"
else
	fail "a leaf replaced ca.crt or ca.key"
fi
if cmp -s index.before ca/index.txt; then
	pass "failed commands left the index alone"
else
	fail "a failed command changed the index"
fi
for f in dup.crt dup.key dup2.crt fresh.example.crt ca/s.crt ca/k.crt \
	ca/d.example.crt ca/t1.crt twocn.crt rdncn.crt ca/CA.crt ca/x1.crt \
	ca/x2.crt; do
	[ -e "$f" ] && fail "$f written by a failed command"
done
text multi.crt multi2.txt
cmp -s multi.txt multi2.txt && pass "refused overwrite left the file" ||
	fail "refused overwrite changed multi.crt"
ok "overwrite with --force" "$SCCA" issue ca server fresh.example --out multi --force
has "--force replaced the file" <(openssl x509 -in multi.crt -noout -subject) "fresh.example"

# init over an existing CA, and a bad init that must leave nothing behind.
fp_before=$(openssl x509 -in ca/ca.crt -noout -fingerprint -sha256)
bad "init over an existing CA" "already holds a CA" "$SCCA" init ca
[ "$fp_before" = "$(openssl x509 -in ca/ca.crt -noout -fingerprint -sha256)" ] &&
	pass "the existing CA is untouched" || fail "init replaced the CA"
bad "init with an unknown key type" "unknown key type" \
	"$SCCA" init newca --key-type dsa
[ ! -e newca ] && pass "no half-written CA" || fail "newca left behind"
if ls -a ca ca/certs | grep -q '\.tmp-'; then
	fail "temporary files left in the CA directory"
else
	pass "no temporary files left"
fi

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
