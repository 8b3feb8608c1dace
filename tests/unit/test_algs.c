/* Algorithm rows follow what the providers offer: a context is created over
 * the caller's library context and property query, offers only the rows it
 * could fetch, and refuses names it cannot compute. */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/provider.h>

#include "sovchain.h"

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	failures += !ok;
}

static void defaults(void)
{
	int err = -1;
	sc_ctx *ctx = sc_ctx_new(NULL, NULL, SC_ROLE_CLIENT, &err);
	const char *groups;

	check(ctx != NULL && err == SC_OK, "context over the default library context");
	if (ctx == NULL)
		return;
	check(strcmp(sc_ctx_get_suites(ctx), "CHACHA20-POLY1305:AES-256-GCM:AES-128-GCM") == 0,
	      "default suites in the documented order");
	groups = sc_ctx_available_groups(ctx);
	check(strstr(groups, "none") && strstr(groups, "X448") && strstr(groups, "P-256")
	      && strstr(groups, "P-384"), "X448, P-256 and P-384 available");
	if (strstr(groups, "ML-KEM-768"))
		check(strcmp(sc_ctx_get_groups(ctx), "ML-KEM-768:none") == 0,
		      "default groups: ML-KEM-768 (offered by a provider), then none");
	else
		check(strcmp(sc_ctx_get_groups(ctx), "none") == 0,
		      "default groups: none (no provider offers ML-KEM-768)");
	check(sc_ctx_set_suites(ctx, "AES-128-GCM:bogus") == SC_ERR_UNSUPPORTED
	      && strcmp(sc_ctx_get_suites(ctx), "CHACHA20-POLY1305:AES-256-GCM:AES-128-GCM") == 0,
	      "an unknown suite is refused and the list kept");
	check(sc_ctx_set_groups(ctx, "x448,P-256") == SC_OK
	      && strcmp(sc_ctx_get_groups(ctx), "X448:P-256") == 0,
	      "group names are case-insensitive, ',' separates too");
	check(sc_ctx_set_suites(ctx, "AES_256_GCM_SHA256") == SC_OK
	      && strcmp(sc_ctx_get_suites(ctx), "AES-256-GCM") == 0,
	      "the spec's suite names are accepted");
	check(sc_ctx_set_groups(ctx, "") == SC_ERR_ARG, "an empty list is refused");
	sc_ctx_free(ctx);
}

static void own_libctx(void)
{
	OSSL_LIB_CTX *lib = OSSL_LIB_CTX_new();
	OSSL_PROVIDER *prov = lib ? OSSL_PROVIDER_load(lib, "default") : NULL;
	int err = -1;
	sc_ctx *ctx;

	check(prov != NULL, "default provider loaded into a library context of our own");
	ctx = sc_ctx_new(lib, "provider=default", SC_ROLE_SERVER, &err);
	check(ctx != NULL, "context with property query provider=default");
	sc_ctx_free(ctx);
	ctx = sc_ctx_new(lib, "provider=nowhere", SC_ROLE_SERVER, &err);
	check(ctx == NULL && err == SC_ERR_UNSUPPORTED,
	      "no context when the property query matches no provider");
	OSSL_PROVIDER_unload(prov);
	ctx = sc_ctx_new(lib, NULL, SC_ROLE_SERVER, &err);
	check(ctx == NULL && err == SC_ERR_UNSUPPORTED,
	      "no context over a library context without providers");
	OSSL_LIB_CTX_free(lib);
}

int main(void)
{
	defaults();
	own_libctx();
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
