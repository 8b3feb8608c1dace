/* The verified-chain cache: a returning peer is recognised without a new
 * path validation, but everything that depends on the connection (the
 * server name, the validity time) is still checked, and a cached verdict
 * ends where a fresh check would fail: at the path's notAfter and at the
 * nextUpdate of the CRLs it was checked against. */
#define _DEFAULT_SOURCE 1  /* timegm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certload.h"
#include "certverify.h"
#include "certcache.h"
#include "ctx.h"
#include "pump.h"
#include "sovchain_testing.h"

/* A time inside the test PKI's validity (2026-06-01T00:00:00Z). */
#define T0 ((time_t)1780272000)
/* The CRL's nextUpdate: within the cache's TTL of T0. */
#define CRL_NEXT (T0 + 1800)

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
	check(cert_cache_get(cc, k1, 1999, &got), "just before the path's notAfter hits");
	sk_X509_pop_free(got, X509_free);
	check(!cert_cache_get(cc, k1, 2000, &got),
	      "at the path's notAfter misses (valid while now < notAfter, as a fresh check)");
	check(!cert_cache_get(cc, k1, 2001, &got), "after the path's notAfter misses");
	check(!cert_cache_get(cc, k1, 1000 + CERT_CACHE_TTL, &got), "after the TTL misses");
	sk_X509_pop_free(chain, X509_free);
	check(cert_cache_get(cc, k1, 1000, &got), "the cache holds its own references");
	sk_X509_pop_free(got, X509_free);
	cert_cache_free(cc);
}

/* A CRL of the test CA, current from T0 - 3600 to CRL_NEXT, revoking
 * nothing, written to a file in the working directory: its path. */
static const char *write_crl(void)
{
	static char path[] = "test_certcache_crl.XXXXXX";
	FILE *f = fopen(pki_file("ca.key"), "r");
	EVP_PKEY *key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	STACK_OF(X509) *cas = chain_of("ca.pem");
	X509 *ca = sk_X509_value(cas, 0);
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *lu = ASN1_TIME_set(NULL, T0 - 3600);
	ASN1_TIME *nu = ASN1_TIME_set(NULL, CRL_NEXT);
	int fd;

	if (f)
		fclose(f);
	if (key == NULL || ca == NULL || crl == NULL || lu == NULL || nu == NULL
	    || !X509_CRL_set_version(crl, 1)
	    || !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca))
	    || !X509_CRL_set1_lastUpdate(crl, lu)
	    || !X509_CRL_set1_nextUpdate(crl, nu)
	    || X509_CRL_sign(crl, key, NULL) <= 0
	    || (fd = mkstemp(path)) < 0 || (f = fdopen(fd, "w")) == NULL
	    || !PEM_write_X509_CRL(f, crl) || fclose(f) != 0)
		abort();
	ASN1_TIME_free(lu);
	ASN1_TIME_free(nu);
	X509_CRL_free(crl);
	sk_X509_pop_free(cas, X509_free);
	EVP_PKEY_free(key);
	return path;
}

/* A fresh check of client.pem at `t` against ca.pem (and the CRL at
 * `crl`, if not NULL); its window in *from, *until. */
static int fresh_check(const char *crl, time_t t, time_t *from, time_t *until)
{
	X509_STORE *store = X509_STORE_new();
	STACK_OF(X509) *chain = chain_of("client.pem");
	certverify_params p = {
		.store = store, .check_crl = crl != NULL, .verify_time = t,
		.peer_is_server = 0, .valid_from = from, .valid_until = until,
	};
	uint8_t alert = 0;
	char detail[256];
	int rc;

	if (store == NULL
	    || certload_trust(NULL, NULL, store, NULL, pki_file("ca.pem"), NULL) != SC_OK
	    || (crl != NULL && certload_crl(NULL, NULL, store, crl) != SC_OK))
		abort();
	rc = certverify_chain(&p, chain, &alert, detail, sizeof(detail));
	sk_X509_pop_free(chain, X509_free);
	X509_STORE_free(store);
	return rc;
}

/* A cached verdict holds no longer than a fresh check would agree: at the
 * leaf's notAfter, and at the CRL's nextUpdate. */
static void window_matches_fresh_check(const char *crl)
{
	STACK_OF(X509) *chain = chain_of("client.pem"), *got = NULL;
	cert_cache *cc = cert_cache_new(16);
	uint8_t k[SC_HASH_LEN] = { 3 };
	time_t from = 0, until = 0, na = 0, f2, u2;
	struct tm tm;

	if (cc == NULL || !ASN1_TIME_to_tm(X509_get0_notAfter(sk_X509_value(chain, 0)), &tm))
		abort();
	na = timegm(&tm);
	check(fresh_check(NULL, na - 1, &from, &until) == SC_OK && until == na,
	      "without CRLs the window ends at the leaf's notAfter");
	cert_cache_put(cc, k, chain, from, until, na - 1);
	check(fresh_check(NULL, na, &f2, &u2) == SC_ERR_PROTOCOL
	      && !cert_cache_get(cc, k, na, &got),
	      "at notAfter the fresh check fails and the cache misses");

	check(fresh_check(crl, T0, &from, &until) == SC_OK && until == CRL_NEXT
	      && from == T0 - 3600,
	      "with a CRL the window is bounded by its lastUpdate and nextUpdate");
	cert_cache_put(cc, k, chain, from, until, T0);
	check(cert_cache_get(cc, k, CRL_NEXT - 1, &got),
	      "just before nextUpdate the cache hits");
	sk_X509_pop_free(got, X509_free);
	check(fresh_check(crl, CRL_NEXT, &f2, &u2) == SC_ERR_PROTOCOL
	      && !cert_cache_get(cc, k, CRL_NEXT, &got),
	      "at nextUpdate the fresh check fails (CRL expired) and the cache misses");
	sk_X509_pop_free(chain, X509_free);
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

/* The context's cache lookups since `*base` (and *base moved on). */
static void cache_delta(const sc_ctx *ctx, uint64_t base[2], uint64_t *hits, uint64_t *misses)
{
	uint64_t h, m;

	if (sc_testing_cache_stats(ctx, &h, &m) != SC_OK)
		abort();
	*hits = h - base[0];
	*misses = m - base[1];
	base[0] = h;
	base[1] = m;
}

static void through_the_engine(void)
{
	sc_ctx *cctx = pump_ctx(SC_ROLE_CLIENT, "client.pem", "client.key", "ca.pem");
	sc_ctx *sctx = pump_ctx(SC_ROLE_SERVER, "server.pem", "server.key", "ca.pem");
	uint64_t cb[2] = { 0, 0 }, sb[2] = { 0, 0 }, ch, cm, sh, sm;
	int ok, alert;

	sc_ctx_set_verify_time(cctx, T0);
	sc_ctx_set_verify_time(sctx, T0);
	cache_delta(cctx, cb, &ch, &cm);
	cache_delta(sctx, sb, &sh, &sm);
	check(ch == 0 && cm == 0 && sh == 0 && sm == 0, "a new context's cache has no lookups");
	handshake(cctx, sctx, NULL, &ok);
	cache_delta(cctx, cb, &ch, &cm);
	cache_delta(sctx, sb, &sh, &sm);
	check(ok && ch == 0 && cm == 1 && sh == 0 && sm == 1,
	      "first handshake: each side misses once, verifies and caches the peer's chain");
	handshake(cctx, sctx, NULL, &ok);
	cache_delta(cctx, cb, &ch, &cm);
	cache_delta(sctx, sb, &sh, &sm);
	check(ok && ch == 1 && cm == 0 && sh == 1 && sm == 0,
	      "second handshake: each side finds the peer's chain in the cache");
	alert = handshake(cctx, sctx, "other.test", &ok);
	cache_delta(cctx, cb, &ch, &cm);
	check(!ok && alert == SC_ALERT_BAD_CERTIFICATE && ch == 1 && cm == 0,
	      "a cached server chain (a hit) is still checked against the expected name");
	/* A time at which the cached verdicts would still hold: only dropping
	 * them makes the next lookup miss. */
	sc_ctx_set_verify_time(sctx, T0 + 60);
	if (sc_testing_cache_stats(sctx, &sb[0], &sb[1]) != SC_OK)
		abort();
	check(sb[0] == 0 && sb[1] == 0, "a new verify time empties the cache");
	handshake(cctx, sctx, NULL, &ok);
	cache_delta(sctx, sb, &sh, &sm);
	check(ok && sh == 0 && sm == 1,
	      "a new verify time drops cached verdicts: the next handshake misses and "
	      "verifies again");
	handshake(cctx, sctx, NULL, &ok);
	cache_delta(sctx, sb, &sh, &sm);
	check(ok && sh == 1 && sm == 0, "and the one after it hits again");
	sc_ctx_free(cctx);
	sc_ctx_free(sctx);
}

/* A server checking client chains against a CRL: once the CRL's
 * nextUpdate has passed, a returning client is refused as a new one is. */
static void crl_expiry_through_the_engine(const char *crl)
{
	sc_ctx *cctx = pump_ctx(SC_ROLE_CLIENT, "client.pem", "client.key", "ca.pem");
	sc_ctx *sctx = pump_ctx(SC_ROLE_SERVER, "server.pem", "server.key", "ca.pem");
	pump p;
	int ok;

	if (sc_ctx_load_crl(sctx, crl) != SC_OK)
		abort();
	sc_ctx_set_verify_time(sctx, T0);
	handshake(cctx, sctx, NULL, &ok);
	check(ok, "with a current CRL the client is verified and cached");
	/* The clock moves on without a new configuration: as the wall clock
	 * does, unlike sc_ctx_set_verify_time, which drops the cache. */
	sctx->verify_time = CRL_NEXT - 1;
	handshake(cctx, sctx, NULL, &ok);
	check(ok, "just before the CRL's nextUpdate the cached verdict holds");
	sctx->verify_time = CRL_NEXT;
	pump_init(&p, sc_conn_new(cctx), sc_conn_new(sctx));
	ok = pump_handshake(&p);
	check(!ok && sc_conn_alert_sent(p.end[PUMP_S]) == SC_ALERT_BAD_CERTIFICATE,
	      "at the CRL's nextUpdate the cached client is refused (bad_certificate)");
	pump_clear(&p);
	sc_ctx_free(cctx);
	sc_ctx_free(sctx);
}

int main(void)
{
	const char *crl;

	if (!pki_available()) {
		printf("skip: test PKI not found (SC_SHARED_DIR)\n");
		return 77;
	}
	unit();
	through_the_engine();
	crl = write_crl();
	window_matches_fresh_check(crl);
	crl_expiry_through_the_engine(crl);
	unlink(crl);
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
