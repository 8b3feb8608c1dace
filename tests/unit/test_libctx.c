/*
 * Everything a context reads and computes comes from the library context it
 * was given: with the process's default library context able to do
 * nothing (only the "null" provider in it), contexts over a library
 * context of their own still load their certificates, keys, trust anchors
 * and a CRL, and complete a handshake that checks the peer's chain.
 */
#define _XOPEN_SOURCE 700  /* mkstemp, fdopen, P_tmpdir */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "pump.h"

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAILED", what);
	if (!ok)
		failures++;
}

/* An empty CRL of the test CA, written to a temporary file (made in `lib`,
 * the only library context that can sign). NULL if it cannot be made. */
static char *make_crl(OSSL_LIB_CTX *lib)
{
	static char path[4096];
	const char *dir = getenv("TMPDIR");
	X509 *ca = X509_new_ex(lib, NULL);
	X509_CRL *crl = X509_CRL_new_ex(lib, NULL);
	EVP_PKEY *key = NULL;
	ASN1_TIME *t = ASN1_TIME_set(NULL, time(NULL) - 3600);
	FILE *f;
	int fd, ok = 0;

	snprintf(path, sizeof(path), "%s/sc-test-crl-XXXXXX", dir != NULL ? dir : P_tmpdir);
	if ((f = fopen(pki_file("ca.pem"), "r")) != NULL) {
		ok = PEM_read_X509(f, &ca, NULL, NULL) != NULL;
		fclose(f);
	}
	if (ok && (f = fopen(pki_file("ca.key"), "r")) != NULL) {
		key = PEM_read_PrivateKey_ex(f, NULL, NULL, NULL, lib, NULL);
		fclose(f);
	}
	ok = ok && key != NULL && crl != NULL && t != NULL
	     && X509_CRL_set_version(crl, 1)
	     && X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca))
	     && X509_CRL_set1_lastUpdate(crl, t)
	     && X509_CRL_sign(crl, key, NULL) > 0
	     && (fd = mkstemp(path)) >= 0 && (f = fdopen(fd, "w")) != NULL;
	if (ok) {
		ok = PEM_write_X509_CRL(f, crl) == 1;
		ok = fclose(f) == 0 && ok;
	}
	ASN1_TIME_free(t);
	EVP_PKEY_free(key);
	X509_CRL_free(crl);
	X509_free(ca);
	return ok ? path : NULL;
}

static sc_ctx *make_ctx(OSSL_LIB_CTX *lib, sc_role role, const char *crl)
{
	const char *who = role == SC_ROLE_CLIENT ? "client" : "server";
	char cert[64], key[64];
	int err = 0;
	sc_ctx *ctx = sc_ctx_new(lib, NULL, role, &err);

	snprintf(cert, sizeof(cert), "%s.pem", who);
	snprintf(key, sizeof(key), "%s.key", who);
	check(ctx != NULL, "context over a library context of its own");
	if (ctx == NULL)
		return NULL;
	check(sc_ctx_load_cert_chain(ctx, pki_file(cert)) == SC_OK, "chain loads");
	check(sc_ctx_load_private_key(ctx, pki_file(key), NULL) == SC_OK, "key loads");
	check(sc_ctx_load_trust(ctx, pki_file("ca.pem"), NULL) == SC_OK,
	      "trust anchors load");
	if (crl != NULL)
		check(sc_ctx_load_crl(ctx, crl) == SC_OK, "CRL loads");
	if (role == SC_ROLE_CLIENT)
		check(sc_ctx_set_server_name(ctx, "server.test", 1) == SC_OK,
		      "server name set");
	else
		check(sc_ctx_set_verify_mode(ctx, SC_VERIFY_REQUIRED) == SC_OK,
		      "client certificates required");
	return ctx;
}

int main(void)
{
	OSSL_PROVIDER *null_prov, *prov;
	OSSL_LIB_CTX *lib;
	sc_ctx *sctx, *cctx;
	char *crl;
	pump p;

	if (!pki_available()) {
		printf("skip: the shared test PKI is not there\n");
		return 77;
	}
	/* Loading a provider explicitly keeps the default one from being
	 * loaded into the default library context on first use. */
	null_prov = OSSL_PROVIDER_load(NULL, "null");
	lib = OSSL_LIB_CTX_new();
	prov = lib != NULL ? OSSL_PROVIDER_load(lib, "default") : NULL;
	if (null_prov == NULL || prov == NULL) {
		printf("skip: cannot set up the null and default providers\n");
		return 77;
	}
	check(EVP_MD_fetch(NULL, "SHA256", NULL) == NULL,
	      "the default library context can fetch nothing");
	crl = make_crl(lib);
	check(crl != NULL, "a CRL of the test CA made");
	sctx = make_ctx(lib, SC_ROLE_SERVER, crl);
	cctx = make_ctx(lib, SC_ROLE_CLIENT, crl);
	if (sctx != NULL && cctx != NULL) {
		pump_init(&p, sc_conn_new(cctx), sc_conn_new(sctx));
		check(pump_handshake(&p), "handshake with the chains checked");
		for (int i = 0; i < 2; i++)
			if (sc_conn_error(p.end[i]) != SC_OK)
				printf("  %s: %s\n", i == PUMP_C ? "client" : "server",
				       sc_conn_error_detail(p.end[i]));
		pump_clear(&p);
	}
	if (crl != NULL)
		remove(crl);
	sc_ctx_free(sctx);
	sc_ctx_free(cctx);
	OSSL_PROVIDER_unload(prov);
	OSSL_LIB_CTX_free(lib);
	OSSL_PROVIDER_unload(null_prov);
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
