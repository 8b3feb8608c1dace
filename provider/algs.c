#include "algs.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include "keysched.h"
#include "sovchain.h"

/* Section 6. AES-GCM's record limit is the confidentiality bound of
 * section 4; ChaCha20-Poly1305 is bounded by the generic 2^24. */
const algs_suite_row algs_suites[] = {
    { 0x0001, "CHACHA20-POLY1305", "ChaCha20-Poly1305", 32, (uint64_t)1 << 24 },
    { 0x0002, "AES-256-GCM", "AES-256-GCM", 32, 23726566 },
    { 0x0003, "AES-128-GCM", "AES-128-GCM", 16, 23726566 },
};
const size_t algs_suite_count = sizeof(algs_suites) / sizeof(algs_suites[0]);

static int names_equal(const char *a, const char *b, size_t blen)
{
    if (strlen(a) != blen)
        return 0;
    for (size_t i = 0; i < blen; i++) {
        char x = a[i] == '_' ? '-' : a[i];
        char y = b[i] == '_' ? '-' : b[i];
        if (x >= 'a' && x <= 'z')
            x = (char)(x - 32);
        if (y >= 'a' && y <= 'z')
            y = (char)(y - 32);
        if (x != y)
            return 0;
    }
    return 1;
}

int algs_suite_by_code(uint16_t code)
{
    for (size_t i = 0; i < algs_suite_count; i++)
        if (algs_suites[i].code == code)
            return (int)i;
    return -1;
}

int algs_suite_by_name(const char *name, size_t len)
{
    for (size_t i = 0; i < algs_suite_count; i++)
        if (names_equal(algs_suites[i].name, name, len))
            return (int)i;
    /* Also accept the spec's names, e.g. CHACHA20_POLY1305_SHA256. */
    if (len > 7 && names_equal("-SHA256", name + len - 7, 7))
        return algs_suite_by_name(name, len - 7);
    return -1;
}

int algs_group_by_code(uint16_t code)
{
    for (size_t i = 0; i < kx_group_count; i++)
        if (kx_groups[i].code == code)
            return (int)i;
    return -1;
}

int algs_group_by_name(const char *name, size_t len)
{
    for (size_t i = 0; i < kx_group_count; i++)
        if (names_equal(kx_groups[i].name, name, len))
            return (int)i;
    if (names_equal("P256", name, len))
        return algs_group_by_code(KX_GROUP_P256);
    if (names_equal("P384", name, len))
        return algs_group_by_code(KX_GROUP_P384);
    return -1;
}

/* Setting the digest by name fetches it: do that once per context. */
static EVP_MAC_CTX *hmac_template(const sc_algs *a)
{
    EVP_MAC_CTX *m = EVP_MAC_CTX_new(a->hmac);
    OSSL_PARAM params[3], *p = params;

    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA2-256", 0);
    if (a->propq != NULL)
        *p++ = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_PROPERTIES, a->propq, 0);
    *p = OSSL_PARAM_construct_end();
    if (m != NULL && EVP_MAC_CTX_set_params(m, params) != 1) {
        EVP_MAC_CTX_free(m);
        m = NULL;
    }
    return m;
}

/* One clause of a property query names fips=yes; spaces around the
 * clause and its '=' are allowed, names are case-insensitive. */
static int clause_is_fips(const char *p, size_t n)
{
    char buf[32];
    size_t m = 0;

    for (size_t i = 0; i < n && m < sizeof(buf) - 1; i++)
        if (p[i] != ' ' && p[i] != '\t')
            buf[m++] = p[i];
    buf[m] = '\0';
    return strcasecmp(buf, "fips=yes") == 0 || strcasecmp(buf, "?fips=yes") == 0
        || strcasecmp(buf, "fips") == 0 || strcasecmp(buf, "?fips") == 0;
}

int algs_wants_fips(OSSL_LIB_CTX *libctx, const char *propq, const EVP_MAC *hmac)
{
    const OSSL_PROVIDER *prov;

    for (const char *p = propq; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);

        if (clause_is_fips(p, n))
            return 1;
        p = end ? end + 1 : NULL;
    }
    if (EVP_default_properties_is_fips_enabled(libctx))
        return 1;
    prov = hmac != NULL ? EVP_MAC_get0_provider(hmac) : NULL;
    return prov != NULL && strcmp(OSSL_PROVIDER_get0_name(prov), "fips") == 0;
}

int algs_fetch(sc_algs *a, OSSL_LIB_CTX *libctx, const char *propq)
{
    int offered = 0;

    memset(a, 0, sizeof(*a));
    a->libctx = libctx;
    if (propq != NULL && (a->propq = strdup(propq)) == NULL)
        return SC_ERR_NOMEM;
    a->sha256 = EVP_MD_fetch(libctx, "SHA2-256", a->propq);
    a->hmac = EVP_MAC_fetch(libctx, "HMAC", a->propq);
    a->eph = kx_alg_fetch(libctx, a->propq, KX_X25519_EPH);
    if (a->sha256 == NULL || a->hmac == NULL || a->eph == NULL)
        return SC_ERR_UNSUPPORTED;
    /* Under FIPS the key schedule uses the provider's HKDF: fetched here,
     * once; without it the context is refused, not quietly downgraded. */
    if (algs_wants_fips(libctx, a->propq, a->hmac)
        && (a->hkdf = EVP_KDF_fetch(libctx, "HKDF", a->propq)) == NULL)
        return SC_ERR_UNSUPPORTED;
    if ((a->hmac_sha256 = hmac_template(a)) == NULL || keysched_constants(a) != SC_OK)
        return SC_ERR_UNSUPPORTED;
    for (size_t i = 0; i < algs_suite_count; i++) {
        a->cipher[i] = EVP_CIPHER_fetch(libctx, algs_suites[i].evp_name, a->propq);
        offered += a->cipher[i] != NULL;
    }
    for (size_t i = 0; i < kx_group_count; i++)
        a->group[i] = kx_alg_fetch(libctx, a->propq, kx_groups[i].code);
    return offered ? SC_OK : SC_ERR_UNSUPPORTED;
}

void algs_release(sc_algs *a)
{
    EVP_MD_free(a->sha256);
    EVP_MAC_free(a->hmac);
    EVP_MAC_CTX_free(a->hmac_sha256);
    EVP_KDF_free(a->hkdf);
    kx_alg_free(a->eph);
    for (size_t i = 0; i < algs_suite_count; i++)
        EVP_CIPHER_free(a->cipher[i]);
    for (size_t i = 0; i < kx_group_count; i++)
        kx_alg_free(a->group[i]);
    free(a->propq);
    memset(a, 0, sizeof(*a));
}
