/* Unit test of provider/certload.c, certchain.c, certverify.c, certid.c
 * and sig.c against the shared test PKI (SC1.md sections 8 and 9). One
 * line per check; exit 0 when all pass, 1 otherwise, 77 when the shared
 * vectors are not available. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certchain.h"
#include "certid.h"
#include "certload.h"
#include "certverify.h"
#include "sig.h"
#include "certname.h"
#include "sovchain.h"

/* Certificates are checked as of the vectors' verify_time. */
#define VERIFY_TIME ((time_t)1780272000) /* 2026-06-01T00:00:00Z */

static int failures;
static char pki[4096];

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

static const char *pki_path(const char *file)
{
	static char buf[4200];

	snprintf(buf, sizeof(buf), "%s/%s", pki, file);
	return buf;
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0
	    && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) != NULL
	    && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		*len = (size_t)n;
	fclose(f);
	return buf;
}

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	if (n > cap)
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			abort();
		out[i] = (uint8_t)v;
	}
	return n;
}

/* A received chain: the DER files, through certchain_parse. */
static STACK_OF(X509) *parse_files(const char *a, const char *b)
{
	const char *files[2] = { a, b };
	uint8_t *der[2] = { NULL, NULL };
	size_t len[2] = { 0, 0 }, n = b != NULL ? 2 : 1;
	STACK_OF(X509) *chain = NULL;
	uint8_t alert = 0;
	char detail[256];

	for (size_t i = 0; i < n; i++)
		if ((der[i] = read_all(pki_path(files[i]), &len[i])) == NULL) {
			fprintf(stderr, "cannot read %s\n", files[i]);
			exit(1);
		}
	if (certchain_parse((const uint8_t *const *)der, len, n, NULL, NULL,
			    &chain, &alert, detail, sizeof(detail)) != SC_OK)
		chain = NULL;
	free(der[0]);
	free(der[1]);
	return chain;
}

static X509_STORE *store;

/* Verify leaf (+ intermediate) for a role; returns the alert, 0 if it
 * verified, -1 on a non-protocol error. */
static int verify(const char *leaf, const char *inter, int peer_is_server,
		  const char *name, int check_crl, char *detail, size_t cap)
{
	STACK_OF(X509) *chain = parse_files(leaf, inter);
	certverify_params p = {
		.store = store, .check_crl = check_crl,
		.verify_time = VERIFY_TIME, .peer_is_server = peer_is_server,
		.expected_name = name,
	};
	uint8_t alert = 0;
	int rc, ret;

	if (chain == NULL)
		return -1;
	detail[0] = '\0';
	rc = certverify_chain(&p, chain, &alert, detail, cap);
	ret = rc == SC_OK ? 0 : rc == SC_ERR_PROTOCOL ? alert : -1;
	sk_X509_pop_free(chain, X509_free);
	return ret;
}

static void check_verify(const char *leaf, const char *inter, int server,
			 const char *name, int check_crl, int want,
			 const char *want_detail, const char *what)
{
	char detail[256], line[512];
	int got = verify(leaf, inter, server, name, check_crl, detail,
			 sizeof(detail));

	snprintf(line, sizeof(line), "%s (alert %d, want %d; \"%s\")", what,
		 got, want, detail);
	check(got == want
	      && (want_detail == NULL || strcmp(detail, want_detail) == 0),
	      line);
}

static void test_verify(void)
{
	check_verify("server.der", NULL, 1, "server.test", 0, 0, NULL,
		     "server.der verifies as server.test");
	check_verify("server.der", NULL, 1, "127.0.0.1", 0, 0, NULL,
		     "server.der verifies as 127.0.0.1");
	check_verify("server.der", NULL, 1, "other.test", 0,
		     SC_ALERT_BAD_CERTIFICATE,
		     "server certificate does not match name 'other.test'",
		     "server.der as other.test is bad_certificate");
	check_verify("server_wrong_name.der", NULL, 1, "server.test", 0,
		     SC_ALERT_BAD_CERTIFICATE, NULL,
		     "server_wrong_name is bad_certificate");
	check_verify("server_other_ca.der", NULL, 1, "server.test", 0,
		     SC_ALERT_UNKNOWN_CA,
		     "no path from CN=server.test,O=Sovereign-Chain Test to a trust anchor",
		     "server_other_ca is unknown_ca");
	check_verify("server_wrong_eku.der", NULL, 1, "server.test", 0,
		     SC_ALERT_UNSUPPORTED_CERTIFICATE,
		     "leaf extended key usage lacks serverAuth",
		     "server_wrong_eku is unsupported_certificate");
	check_verify("client.der", NULL, 0, NULL, 0, 0, NULL,
		     "client.der verifies as a client");
	check_verify("client_expired.der", NULL, 0, NULL, 0,
		     SC_ALERT_CERTIFICATE_EXPIRED,
		     "certificate CN=client.test,O=Sovereign-Chain Test not valid at 2026-06-01T00:00:00Z",
		     "client_expired is certificate_expired");
	check_verify("client_other_ca.der", NULL, 0, NULL, 0,
		     SC_ALERT_UNKNOWN_CA, NULL,
		     "client_other_ca is unknown_ca");
	check_verify("client.der", NULL, 1, "client.test", 0,
		     SC_ALERT_UNSUPPORTED_CERTIFICATE,
		     "leaf extended key usage lacks serverAuth",
		     "client.der as a server is unsupported_certificate");
	check_verify("server.der", NULL, 0, NULL, 0,
		     SC_ALERT_UNSUPPORTED_CERTIFICATE,
		     "leaf extended key usage lacks clientAuth",
		     "server.der as a client is unsupported_certificate");
	check_verify("server_via_intermediate.der", "intermediate.der", 1,
		     "server.test", 0, 0, NULL,
		     "server_via_intermediate with its intermediate verifies");
	check_verify("server_via_intermediate.der", NULL, 1, "server.test", 0,
		     SC_ALERT_UNKNOWN_CA, NULL,
		     "server_via_intermediate alone is unknown_ca");
	check_verify("server_p256.der", NULL, 1, "server.test", 0, 0, NULL,
		     "server_p256 (ECDSA) verifies");
	check_verify("intermediate.der", NULL, 1, NULL, 0,
		     SC_ALERT_UNSUPPORTED_CERTIFICATE,
		     "leaf key usage lacks digitalSignature",
		     "a CA certificate as leaf is unsupported_certificate");
}

static void test_parse(void)
{
	size_t len = 0;
	uint8_t *der = read_all(pki_path("server.der"), &len), *longer;
	const uint8_t *one[1];
	size_t lens[1];
	STACK_OF(X509) *chain = NULL;
	uint8_t alert = 0;
	char detail[256];

	if (der == NULL || (longer = malloc(len + 1)) == NULL)
		exit(1);
	memcpy(longer, der, len);
	longer[len] = 0;
	one[0] = longer;
	lens[0] = len + 1;
	check(certchain_parse(one, lens, 1, NULL, NULL, &chain, &alert,
			      detail, sizeof(detail)) == SC_ERR_PROTOCOL
	      && alert == SC_ALERT_BAD_CERTIFICATE,
	      "a certificate with a trailing byte is bad_certificate");
	alert = 0;
	lens[0] = len - 1;
	check(certchain_parse(one, lens, 1, NULL, NULL, &chain, &alert,
			      detail, sizeof(detail)) == SC_ERR_PROTOCOL
	      && alert == SC_ALERT_BAD_CERTIFICATE,
	      "a truncated certificate is bad_certificate");
	alert = 0;
	longer[0] = 0x31;
	lens[0] = len;
	check(certchain_parse(one, lens, 1, NULL, NULL, &chain, &alert,
			      detail, sizeof(detail)) == SC_ERR_PROTOCOL
	      && alert == SC_ALERT_BAD_CERTIFICATE,
	      "garbage instead of a certificate is bad_certificate");
	one[0] = der;
	check(certchain_parse(one, lens, 1, NULL, NULL, &chain, &alert,
			      detail, sizeof(detail)) == SC_OK
	      && sk_X509_num(chain) == 1, "server.der parses");
	sk_X509_pop_free(chain, X509_free);
	free(der);
	free(longer);
}

/* A certificate with the given subjectAltName (may be NULL) and CN; it is
 * not signed: only its names matter here. */
static X509 *make_cert(EVP_PKEY *key, const char *san, const char *cn)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);
	X509_EXTENSION *ext;

	X509_set_version(x, 2);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	if (san != NULL) {
		ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name,
					  san);
		if (ext == NULL)
			abort();
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	return x;
}

static void name_case(EVP_PKEY *key, const char *san, const char *cn,
		      const char *name, int want)
{
	X509 *x = make_cert(key, san, cn);
	char line[256];

	snprintf(line, sizeof(line), "name '%s' %s [%s]", name,
		 want ? "matches" : "does not match", san ? san : cn);
	check(certid_matches(x, name) == want, line);
	X509_free(x);
}

static void test_names(X509 *server)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	char id[128];
	X509 *x;

	check(certid_matches(server, "SERVER.Test") == 1,
	      "server.der matches SERVER.Test (case-insensitive)");
	check(certid_matches(server, "127.0.0.1") == 1,
	      "server.der matches 127.0.0.1");
	check(certid_matches(server, "127.0.0.2") == 0,
	      "server.der does not match 127.0.0.2");
	check(certid_matches(server, "server.test.") == 0,
	      "server.der does not match server.test.");
	check(certid_matches(server, "x.server.test") == 0,
	      "server.der does not match x.server.test");

	name_case(key, "DNS:*.example.com", "x", "a.example.com", 1);
	name_case(key, "DNS:*.example.com", "x", "A.EXAMPLE.com", 1);
	name_case(key, "DNS:*.example.com", "x", "example.com", 0);
	name_case(key, "DNS:*.example.com", "x", "a.b.example.com", 0);
	name_case(key, "DNS:*.example.com", "x", ".example.com", 0);
	name_case(key, "DNS:*.example.com", "x", "*.example.com", 0);
	name_case(key, "DNS:*.com", "x", "example.com", 0);
	name_case(key, "DNS:*", "x", "example", 0);
	name_case(key, "DNS:f*.example.com", "x", "foo.example.com", 0);
	name_case(key, "DNS:*f.example.com", "x", "ff.example.com", 0);
	name_case(key, "DNS:a.*.example.com", "x", "a.b.example.com", 0);
	name_case(key, "DNS:*.*.example.com", "x", "a.b.example.com", 0);
	name_case(key, "DNS:127.0.0.1", "x", "127.0.0.1", 0);
	name_case(key, "DNS:other.test,DNS:server.test", "x", "server.test", 1);
	name_case(key, "IP:::1", "x", "::1", 1);
	name_case(key, "IP:::1", "x", "0:0:0:0:0:0:0:1", 1);
	name_case(key, "IP:::1", "x", "127.0.0.1", 0);
	name_case(key, "IP:127.0.0.1", "x", "::ffff:127.0.0.1", 0);
	name_case(key, NULL, "server.test", "server.test", 0);
	name_case(key, "email:server.test", "server.test", "server.test", 0);

	check(certid_identity(server, 1, id, sizeof(id)) == SC_OK
	      && strcmp(id, "DNS:server.test") == 0,
	      "server identity is the first SAN");
	x = make_cert(key, "IP:::1,DNS:a.test", "client.test");
	check(certid_identity(x, 1, id, sizeof(id)) == SC_OK
	      && strcmp(id, "IP:::1") == 0, "an IP identity");
	check(certid_identity(x, 0, id, sizeof(id)) == SC_OK
	      && strcmp(id, "CN:client.test") == 0,
	      "client identity is the subject CN");
	check(certid_identity(x, 0, id, 8) == SC_ERR_ARG,
	      "an identity that does not fit is SC_ERR_ARG");
	X509_free(x);
	EVP_PKEY_free(key);
}

/* A second CN: in an RDN of its own, or sharing the first CN's RDN. */
static X509 *make_two_cn(EVP_PKEY *key, const char *san, int same_rdn)
{
	X509 *x = make_cert(key, san, "alice");

	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
				   MBSTRING_ASC, (const unsigned char *)"app1",
				   -1, -1, same_rdn ? 1 : 0);
	return x;
}

/* One identity per certificate: a subject with two CNs is named by
 * neither, not by the first one (which `allow` would not agree with). */
static void test_two_cn(void)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	unsigned char *utf8 = (unsigned char *)"";
	char id[128];
	X509 *x;
	int n;

	x = make_cert(key, NULL, "alice");
	n = certname_cn(x, &utf8);
	check(n == 5 && utf8 != NULL && strcmp((char *)utf8, "alice") == 0,
	      "certname_cn: the only CN");
	OPENSSL_free(utf8);
	check(certname_cn_count(x) == 1, "certname_cn_count: one CN");
	X509_free(x);

	for (int same_rdn = 0; same_rdn <= 1; same_rdn++) {
		x = make_two_cn(key, NULL, same_rdn);
		utf8 = (unsigned char *)"";
		check(certname_cn(x, &utf8) == CERTNAME_MANY_CN && utf8 == NULL,
		      same_rdn ? "certname_cn: CN=alice+CN=app1 is no CN"
			       : "certname_cn: CN=alice/CN=app1 is no CN");
		check(certname_cn_count(x) == 2, "certname_cn_count: two CNs");
		strcpy(id, "unchanged");
		check(certid_identity(x, 0, id, sizeof(id)) == SC_ERR_ARG
		      && id[0] == '\0',
		      "two CNs and no SAN: no client identity, not CN:alice");
		X509_free(x);
	}
	x = make_two_cn(key, "DNS:app.test", 0);
	check(certid_identity(x, 0, id, sizeof(id)) == SC_OK
	      && strcmp(id, "DNS:app.test") == 0,
	      "two CNs: the client identity is the first SAN");
	X509_free(x);
	x = make_cert(key, NULL, "x");
	X509_NAME_ENTRY_free(X509_NAME_delete_entry(X509_get_subject_name(x), 0));
	utf8 = (unsigned char *)"";
	check(certname_cn(x, &utf8) == CERTNAME_NO_CN && utf8 == NULL
	      && certname_cn_count(x) == 0, "certname_cn: no CN");
	X509_free(x);
	EVP_PKEY_free(key);
}

static void sign_case(EVP_PKEY *priv, EVP_PKEY *pub, const char *what)
{
	static const uint8_t msg[] = "Sovereign-Chain v1 server auth";
	uint8_t sig[SIG_MAX_LEN];
	size_t len = 0;
	char line[128];
	int ok;

	ok = sig_sign(NULL, NULL, priv, msg, sizeof(msg), sig, sizeof(sig),
		      &len) == SC_OK
	  && sig_verify(NULL, NULL, pub, msg, sizeof(msg), sig, len) == SC_OK;
	snprintf(line, sizeof(line), "%s: sign/verify round trip", what);
	check(ok, line);
	sig[len / 2] ^= 0x01;
	snprintf(line, sizeof(line), "%s: a flipped bit does not verify", what);
	check(sig_verify(NULL, NULL, pub, msg, sizeof(msg), sig, len)
	      == SC_ERR_PROTOCOL, line);
	sig[len / 2] ^= 0x01;
	snprintf(line, sizeof(line), "%s: another message does not verify",
		 what);
	check(sig_verify(NULL, NULL, pub, msg, sizeof(msg) - 1, sig, len)
	      == SC_ERR_PROTOCOL, line);
	snprintf(line, sizeof(line), "%s: a short buffer is refused", what);
	check(sig_sign(NULL, NULL, priv, msg, sizeof(msg), sig, 16, &len)
	      == SC_ERR_ARG, line);
}

static EVP_PKEY *load_key(const char *file)
{
	EVP_PKEY *key = NULL;

	if (certload_key(NULL, NULL, pki_path(file), NULL, &key) != SC_OK) {
		fprintf(stderr, "cannot load %s\n", file);
		exit(1);
	}
	return key;
}

static X509 *load_leaf(const char *file)
{
	STACK_OF(X509) *chain = NULL;
	X509 *x;

	if (certload_chain(NULL, NULL, pki_path(file), &chain) != SC_OK) {
		fprintf(stderr, "cannot load %s\n", file);
		exit(1);
	}
	x = sk_X509_shift(chain);
	sk_X509_pop_free(chain, X509_free);
	return x;
}

static void test_sig(void)
{
	EVP_PKEY *ed = load_key("server.key"), *p256 = load_key("server_p256.key");
	EVP_PKEY *client = load_key("client.key");
	EVP_PKEY *ed448 = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
	EVP_PKEY *rsa1k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	X509 *server = load_leaf("server.pem"), *sp256 = load_leaf("server_p256.der");
	X509 *cl = load_leaf("client.der");
	/* Case a: transcript.TH9 and handshake_bodies.10. */
	static const char th9_hex[] =
		"19b3b45eb4d3138e790b3f87a61fcc3d3ec1974bd078ae896c0b418997553f60";
	static const char body10_hex[] =
		"00409dfd976b085cca5086bb1703b7dff69fdd22efafb31f6cd4143e31948a"
		"286727eb4b32e4e228030b8418b5fd8350c2613fa9ee9807b716fa0c909daf"
		"76c94b05";
	static const char label[] = "Sovereign-Chain v1 client auth";
	uint8_t msg[128], body[80], sig[SIG_MAX_LEN];
	size_t mlen, blen, slen = 0;
	uint8_t m[4] = { 1, 2, 3, 4 };

	if (ed448 == NULL || rsa == NULL || rsa1k == NULL) {
		fprintf(stderr, "key generation failed\n");
		exit(1);
	}
	sign_case(ed, X509_get0_pubkey(server), "Ed25519 (server.key)");
	sign_case(p256, X509_get0_pubkey(sp256), "ECDSA P-256 (server_p256.key)");
	sign_case(ed448, ed448, "Ed448");
	sign_case(rsa, rsa, "RSA-3072 PSS");
	check(sig_sign(NULL, NULL, rsa1k, m, sizeof(m), sig, sizeof(sig), &slen)
	      == SC_ERR_UNSUPPORTED, "RSA-1024 is not a signing key");
	check(sig_verify(NULL, NULL, ed, m, sizeof(m), sig, 0)
	      == SC_ERR_PROTOCOL, "an empty signature does not verify");

	check(certload_key_matches(server, ed) == 1, "server.key matches server");
	check(certload_key_matches(server, client) == 0,
	      "client.key does not match server");
	check(certload_key_matches(sp256, p256) == 1,
	      "server_p256.key matches server_p256");

	memcpy(msg, label, sizeof(label)); /* with its 0x00 */
	mlen = sizeof(label) + unhex(th9_hex, msg + sizeof(label),
				     sizeof(msg) - sizeof(label));
	blen = unhex(body10_hex, body, sizeof(body));
	check(sig_sign(NULL, NULL, client, msg, mlen, sig, sizeof(sig), &slen)
	      == SC_OK && blen == 2 + slen
	      && body[0] == (uint8_t)(slen >> 8) && body[1] == (uint8_t)slen
	      && memcmp(body + 2, sig, slen) == 0,
	      "case a's ClientAuth signature is reproduced");
	check(sig_verify(NULL, NULL, X509_get0_pubkey(cl), msg, mlen, body + 2,
			 blen - 2) == SC_OK,
	      "case a's ClientAuth signature verifies with client.der");

	EVP_PKEY_free(ed);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(client);
	EVP_PKEY_free(ed448);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(rsa1k);
	X509_free(server);
	X509_free(sp256);
	X509_free(cl);
}

/* A CRL from the root CA revoking client.der, written to a file in the
 * working directory and loaded through certload_crl. */
static void test_crl(void)
{
	EVP_PKEY *cakey = load_key("ca.key");
	X509 *ca = load_leaf("ca.pem"), *client = load_leaf("client.der");
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *rev = X509_REVOKED_new();
	ASN1_TIME *t1 = ASN1_TIME_set(NULL, VERIFY_TIME - 86400);
	ASN1_TIME *t2 = ASN1_TIME_set(NULL, VERIFY_TIME + 86400);
	char path[] = "test_cert_crl.XXXXXX";
	int fd;
	FILE *f;

	if (cakey == NULL || crl == NULL || rev == NULL || t1 == NULL
	    || t2 == NULL)
		exit(1);
	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca));
	X509_CRL_set1_lastUpdate(crl, t1);
	X509_CRL_set1_nextUpdate(crl, t2);
	X509_REVOKED_set_serialNumber(rev, X509_get_serialNumber(client));
	X509_REVOKED_set_revocationDate(rev, t1);
	X509_CRL_add0_revoked(crl, rev);
	X509_CRL_sort(crl);
	if (X509_CRL_sign(crl, cakey, NULL) <= 0) {
		fprintf(stderr, "cannot sign the CRL\n");
		exit(1);
	}
	if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "wb")) == NULL
	    || !PEM_write_X509_CRL(f, crl) || fclose(f) != 0) {
		fprintf(stderr, "cannot write the CRL\n");
		exit(1);
	}
	check(certload_crl(NULL, NULL, store, path) == SC_OK, "the CRL loads");
	unlink(path);
	check(certload_crl(NULL, NULL, store, pki_path("ca.pem")) == SC_ERR_LOAD,
	      "a file without a CRL does not load as one");

	check_verify("client.der", NULL, 0, NULL, 1,
		     SC_ALERT_CERTIFICATE_REVOKED,
		     "certificate CN=client.test,O=Sovereign-Chain Test is revoked",
		     "revoked client.der is certificate_revoked");
	check_verify("client.der", NULL, 0, NULL, 0, 0, NULL,
		     "without CRL checking client.der verifies");
	check_verify("server.der", NULL, 1, "server.test", 1, 0, NULL,
		     "server.der is not revoked");
	check_verify("server_via_intermediate.der", "intermediate.der", 1,
		     "server.test", 1, SC_ALERT_BAD_CERTIFICATE, NULL,
		     "no CRL for the intermediate is bad_certificate");

	ASN1_TIME_free(t1);
	ASN1_TIME_free(t2);
	X509_CRL_free(crl);
	X509_free(ca);
	X509_free(client);
	EVP_PKEY_free(cakey);
}

static void test_load(void)
{
	STACK_OF(X509) *chain = NULL;
	EVP_PKEY *key = NULL;
	X509_STORE *s = X509_STORE_new();

	check(certload_chain(NULL, NULL,
			     pki_path("server_via_intermediate_chain.pem"),
			     &chain) == SC_OK && sk_X509_num(chain) == 2,
	      "a chain file loads leaf and intermediate");
	sk_X509_pop_free(chain, X509_free);
	chain = NULL;
	check(certload_chain(NULL, NULL, pki_path("missing.pem"), &chain)
	      == SC_ERR_LOAD, "a missing chain file is SC_ERR_LOAD");
	check(certload_chain(NULL, NULL, pki_path("server.key"), &chain)
	      == SC_ERR_LOAD, "a key file is not a chain");
	check(certload_key(NULL, NULL, pki_path("server.pem"), NULL, &key)
	      == SC_ERR_LOAD, "a certificate file is not a key");
	check(certload_trust(NULL, NULL, s, NULL, pki_path("server.key"), NULL)
	      == SC_ERR_LOAD, "a key file is not a CA file");
	check(certload_trust(NULL, NULL, s, NULL, pki_path("ca.der"), NULL) == SC_OK,
	      "a DER CA file loads");
	X509_STORE_free(s);
}

int main(void)
{
	const char *shared = getenv("SC_SHARED_DIR");
	STACK_OF(X509) *anchors;
	X509 *server;

	if (shared == NULL || *shared == '\0') {
		printf("SKIP: SC_SHARED_DIR is not set (needs the shared vectors)\n");
		return 77;
	}
	snprintf(pki, sizeof(pki), "%s/vectors/pki", shared);
	if (access(pki_path("ca.pem"), R_OK) != 0) {
		printf("SKIP: no test PKI under $SC_SHARED_DIR/vectors/pki\n");
		return 77;
	}
	store = X509_STORE_new();
	anchors = sk_X509_new_null();
	if (store == NULL || anchors == NULL
	    || certload_trust(NULL, NULL, store, anchors, pki_path("ca.pem"), NULL)
		       != SC_OK) {
		fprintf(stderr, "cannot load ca.pem\n");
		return 1;
	}
	check(sk_X509_num(anchors) == 1, "ca.pem holds one anchor");

	test_load();
	test_verify();
	test_parse();
	server = load_leaf("server.der");
	test_names(server);
	X509_free(server);
	test_two_cn();
	test_sig();
	test_crl();

	sk_X509_pop_free(anchors, X509_free);
	X509_STORE_free(store);
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
