/* Unit test of provider/canames.c, the CA names of ClientCertRequest
 * (SC1.md section 4, message 4): case a's names, the receiver's check,
 * and a CA file whose subjects do not fit in one handshake message: the
 * hint is cut to the first whole names that fit and the handshake completes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "canames.h"
#include "pump.h"
#include "sovchain.h"

#define BUNDLE_CAS 150

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
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

static X509 *read_pem(const char *name)
{
	FILE *f = fopen(pki_file(name), "r");
	X509 *x = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;

	if (f != NULL)
		fclose(f);
	if (x == NULL) {
		fprintf(stderr, "cannot read %s\n", name);
		exit(1);
	}
	return x;
}

static void test_case_a(void)
{
	/* Case a, inputs.server.ca_names_sent_in_4. */
	static const char want_hex[] =
		"303a311d301b060355040a0c14536f7665726569676e2d436861696e2054"
		"6573743119301706035504030c10534331205465737420526f6f74204341";
	STACK_OF(X509) *anchors = sk_X509_new_null();
	uint8_t want[128], buf[256], *out = NULL;
	size_t want_len = unhex(want_hex, want, sizeof(want)), len = 0, n = 0;

	if (anchors == NULL || !sk_X509_push(anchors, read_pem("ca.pem")))
		abort();
	check(canames_encode(anchors, CANAMES_MAX, &out, &len, &n) == SC_OK
	      && n == 1 && len == want_len && memcmp(out, want, len) == 0,
	      "CA names of ca.pem equal case a's message 4");
	OPENSSL_free(out);
	out = NULL;
	check(canames_encode(anchors, want_len, &out, &len, &n) == SC_OK
	      && n == 1 && len == want_len,
	      "a name exactly as long as the room is sent");
	OPENSSL_free(out);
	out = NULL;
	check(canames_encode(anchors, want_len - 1, &out, &len, &n) == SC_OK
	      && n == 0 && len == 0 && out == NULL,
	      "a name one byte longer than the room is left out whole");
	check(canames_check(want, want_len) == SC_OK,
	      "case a's CA names are well formed");
	check(canames_check(NULL, 0) == SC_OK,
	      "empty CA names are well formed");
	memcpy(buf, want, want_len);
	memcpy(buf + want_len, want, want_len);
	check(canames_check(buf, 2 * want_len) == SC_OK,
	      "two CA names are well formed");
	buf[want_len] = 0;
	check(canames_check(buf, want_len + 1) == SC_ERR_PROTOCOL,
	      "a trailing byte after the CA names is rejected");
	check(canames_check(want, want_len - 1) == SC_ERR_PROTOCOL,
	      "a truncated CA name is rejected");
	check(canames_check((const uint8_t *)"\x30\x03\x01\x01\xff", 5)
	      == SC_ERR_PROTOCOL, "a SEQUENCE that is not a Name is rejected");
	check(canames_check((const uint8_t *)"\x30\x80\x00\x00", 4)
	      == SC_ERR_PROTOCOL, "an indefinite length is rejected");
	check(canames_check((const uint8_t *)"garbage", 7)
	      == SC_ERR_PROTOCOL, "garbage CA names are rejected");
	sk_X509_pop_free(anchors, X509_free);
}

/* A self-signed CA with a long subject (about 140 bytes of DER). */
static X509 *make_ca(EVP_PKEY *key, int i)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);
	char cn[64];

	snprintf(cn, sizeof(cn), "Bundle CA %03d", i);
	if (x == NULL || !X509_set_version(x, X509_VERSION_3)
	    || !ASN1_INTEGER_set(X509_get_serialNumber(x), i + 1)
	    || !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
		   (const unsigned char *)"Sovereign-Chain Test", -1, -1, 0)
	    || !X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_ASC,
		   (const unsigned char *)"A CA file of many authorities", -1,
		   -1, 0)
	    || !X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_ASC,
		   (const unsigned char *)"More than one message can name", -1,
		   -1, 0)
	    || !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
		   (const unsigned char *)cn, -1, -1, 0)
	    || !X509_set_issuer_name(x, name)
	    || X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL
	    || X509_gmtime_adj(X509_getm_notAfter(x), 86400) == NULL
	    || !X509_set_pubkey(x, key) || X509_sign(x, key, NULL) <= 0) {
		fprintf(stderr, "cannot make CA %d\n", i);
		exit(1);
	}
	return x;
}

/* BUNDLE_CAS generated CAs, then the test PKI's root: more names than
 * message 4 holds, and the CA that signs the client's chain is among
 * those left out of the hint. */
static STACK_OF(X509) *make_bundle(const char *path)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	FILE *f = fopen(path, "w");

	if (sk == NULL || key == NULL || f == NULL)
		abort();
	for (int i = 0; i < BUNDLE_CAS; i++)
		if (!sk_X509_push(sk, make_ca(key, i)))
			abort();
	if (!sk_X509_push(sk, read_pem("ca.pem")))
		abort();
	for (int i = 0; i < sk_X509_num(sk); i++)
		if (!PEM_write_X509(f, sk_X509_value(sk, i)))
			abort();
	if (fclose(f) != 0)
		abort();
	EVP_PKEY_free(key);
	return sk;
}

static void test_bundle(void)
{
	char path[] = "test_canames.XXXXXX";
	int fd = mkstemp(path);
	STACK_OF(X509) *sk;
	uint8_t *names = NULL;
	size_t len = 0, n = 0, total = 0, all = 0, off[3];
	sc_ctx *cctx, *sctx;
	pump p;
	int ok;

	if (fd < 0)
		abort();
	close(fd);
	sk = make_bundle(path);
	for (int i = 0; i < sk_X509_num(sk); i++)
		all += (size_t)i2d_X509_NAME(X509_get_subject_name(
			sk_X509_value(sk, i)), NULL);
	check(all > CANAMES_MAX && all <= 0xffff,
	      "the bundle's subjects outgrow message 4 but not a u16");

	check(canames_encode(sk, CANAMES_MAX, &names, &len, &n) == SC_OK
	      && n > 0 && n < (size_t)sk_X509_num(sk) && len <= CANAMES_MAX
	      && len + (size_t)i2d_X509_NAME(X509_get_subject_name(
		      sk_X509_value(sk, (int)n)), NULL) > CANAMES_MAX,
	      "the hint holds the first names, as many whole ones as fit");
	check(canames_check(names, len) == SC_OK,
	      "the cut hint is well formed");

	cctx = pump_ctx(SC_ROLE_CLIENT, "client.pem", "client.key", "ca.pem");
	sctx = pump_ctx(SC_ROLE_SERVER, "server.pem", "server.key", NULL);
	check(sc_ctx_load_trust(sctx, path, NULL) == SC_OK,
	      "a CA file of 151 CAs loads");
	unlink(path);
	check(sc_ctx_ca_names_sent(sctx, &total) == n
	      && total == (size_t)sk_X509_num(sk),
	      "sc_ctx_ca_names_sent says the hint was shortened");
	check(sc_ctx_ca_names_sent(cctx, &total) == 1 && total == 1,
	      "a CA file that fits is named whole");

	pump_init(&p, sc_conn_new(cctx), sc_conn_new(sctx));
	ok = pump_handshake(&p);
	check(ok, "the handshake completes (client certificate required)");
	/* The server's flight: 2 in the clear, then 3 and 4 sealed. */
	check(pump_records(p.wire[PUMP_S].p, p.wire[PUMP_S].len, off, 3) >= 3
	      && p.wire[PUMP_S].p[off[2]] == 4
	      && ((size_t)p.wire[PUMP_S].p[off[2] + 1] << 8
		  | p.wire[PUMP_S].p[off[2] + 2]) == 3 + len + 16,
	      "message 4 carries exactly the cut hint");
	check(ok && sc_conn_peer_cert(p.end[PUMP_S]) != NULL,
	      "the server verified the client against a CA left out of the hint");
	pump_clear(&p);

	/* With mode 0 nothing is named at all. */
	check(sc_ctx_set_verify_mode(sctx, SC_VERIFY_NONE) == SC_OK,
	      "verify mode none");
	pump_init(&p, sc_conn_new(cctx), sc_conn_new(sctx));
	check(pump_handshake(&p), "a mode 0 handshake completes too");
	pump_clear(&p);

	OPENSSL_free(names);
	sk_X509_pop_free(sk, X509_free);
	sc_ctx_free(cctx);
	sc_ctx_free(sctx);
}

int main(void)
{
	if (!pki_available()) {
		printf("skip: test PKI not found (SC_SHARED_DIR)\n");
		return 77;
	}
	test_case_a();
	test_bundle();
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
