/* The verified-chain cache: a returning peer is recognised without a new
 * path validation, but everything that depends on the connection (the
 * server name, the validity time) is still checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certcache.h"
#include "pump.h"

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	failures += !ok;
}

static STACK_OF(X509) *chain_of(const char *name)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	FILE *f = fopen(pki_file(name), "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;

	if (f)
		fclose(f);
	if (chain == NULL || x == NULL || !sk_X509_push(chain, x))
		abort();
	return chain;
}

static void unit(void)
{
	cert_cache *cc = cert_cache_new(16);
	STACK_OF(X509) *chain = chain_of("client.pem"), *got = NULL;
	uint8_t k1[SC_HASH_LEN] = { 1 }, k2[SC_HASH_LEN] = { 2 };

	check(cc != NULL, "cache created");
	check(!cert_cache_get(cc, k1, 1000, &got) && got == NULL, "empty cache misses");
	cert_cache_put(cc, k1, chain, 500, 2000, 1000);
	check(cert_cache_get(cc, k1, 1000, &got) && got && sk_X509_num(got) == 1
	      && X509_cmp(sk_X509_value(got, 0), sk_X509_value(chain, 0)) == 0,
	      "hit returns the chain");
	sk_X509_pop_free(got, X509_free);
	check(!cert_cache_get(cc, k2, 1000, &got), "another key misses");
	check(!cert_cache_get(cc, k1, 499, &got), "before the path's notBefore misses");
	check(!cert_cache_get(cc, k1, 2001, &got), "after the path's notAfter misses");
	check(!cert_cache_get(cc, k1, 1000 + CERT_CACHE_TTL, &got), "after the TTL misses");
	sk_X509_pop_free(chain, X509_free);
	check(cert_cache_get(cc, k1, 1000, &got), "the cache holds its own references");
	sk_X509_pop_free(got, X509_free);
	cert_cache_free(cc);
}

/* One handshake on fresh connections of the given contexts; returns the
 * alert the client sent, or -1. */
static int handshake(sc_ctx *cctx, sc_ctx *sctx, const char *name, int *ok)
{
	pump p;
	sc_conn *c = sc_conn_new(cctx), *s = sc_conn_new(sctx);
	int alert;

	if (c == NULL || s == NULL)
		abort();
	if (name && sc_conn_set_server_name(c, name, 1) != SC_OK)
		abort();
	pump_init(&p, c, s);
	*ok = pump_handshake(&p);
	alert = sc_conn_alert_sent(c);
	pump_clear(&p);
	return alert;
}

static void through_the_engine(void)
{
	sc_ctx *cctx = pump_ctx(SC_ROLE_CLIENT, "client.pem", "client.key", "ca.pem");
	sc_ctx *sctx = pump_ctx(SC_ROLE_SERVER, "server.pem", "server.key", "ca.pem");
	int ok, alert;

	handshake(cctx, sctx, NULL, &ok);
	check(ok, "first handshake verifies and caches both chains");
	handshake(cctx, sctx, NULL, &ok);
	check(ok, "second handshake with the cached chains");
	alert = handshake(cctx, sctx, "other.test", &ok);
	check(!ok && alert == SC_ALERT_BAD_CERTIFICATE,
	      "a cached server chain is still checked against the expected name");
	sc_ctx_set_verify_time(sctx, 1577836800);  /* 2020: before the PKI's validity */
	handshake(cctx, sctx, NULL, &ok);
	check(!ok, "a new verify time drops cached verdicts");
	sc_ctx_free(cctx);
	sc_ctx_free(sctx);
}

int main(void)
{
	if (!pki_available()) {
		printf("skip: test PKI not found (SC_SHARED_DIR)\n");
		return 77;
	}
	unit();
	through_the_engine();
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
