/* Key agreement: the X25519 ephemeral of steps 1-2 and the kx groups of
 * steps 6-7 (SC1.md section 5). Every primitive is reached by name
 * through the providers of the caller's OSSL_LIB_CTX. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>

#include "kx.h"
#include "sovchain.h"

/* Section 5; the order is the default preference (ML-KEM-768 first when a
 * provider offers it, then none; the rest on request). */
const kx_group kx_groups[] = {
    { KX_GROUP_MLKEM768, "ML-KEM-768", 1, KX_KIND_KEM, "ML-KEM-768", NULL, 0, 1184, 1088, 32, 0 },
    { KX_GROUP_NONE, "none", 1, KX_KIND_NONE, NULL, NULL, 0, 0, 0, 32, 0 },
    { KX_GROUP_X448, "X448", 0, KX_KIND_ECX, "X448", NULL, 0, 56, 56, 56, 56 },
    { KX_GROUP_P256, "P-256", 0, KX_KIND_EC, "EC", "P-256", NID_X9_62_prime256v1, 65, 65, 32, 32 },
    { KX_GROUP_P384, "P-384", 0, KX_KIND_EC, "EC", "P-384", NID_secp384r1, 97, 97, 48, 48 },
};
const size_t kx_group_count = sizeof(kx_groups) / sizeof(kx_groups[0]);
_Static_assert(sizeof(kx_groups) / sizeof(kx_groups[0]) <= KX_GROUPS_MAX,
               "sc_algs has room for KX_GROUPS_MAX groups");

/* The ephemeral exchange of steps 1-2. */
static const kx_group kx_eph = {
    KX_X25519_EPH, "X25519", 0, KX_KIND_ECX, "X25519", NULL, 0, 32, 32, 32, 32
};

/*
 * Idle contexts ready for one operation. Making an EVP_PKEY_CTX by name
 * fetches the key management and walks OpenSSL's whole name map, and 3.0
 * cannot duplicate a keygen or fromdata context; but one can serve any
 * number of operations in turn. A context's connections share its
 * kx_alg from several threads: a context is taken out under the lock and
 * used outside it.
 */
#define KX_POOL_MAX 8 /* idle contexts kept: about one per thread */

struct kx_pool {
    CRYPTO_RWLOCK *lock;
    EVP_PKEY_CTX *idle[KX_POOL_MAX];
    size_t n;
};

struct kx_alg {
    const kx_group *row;
    OSSL_LIB_CTX *libctx;
    char *propq;
    EVP_PKEY *params;       /* KX_KIND_EC: the group, so keygen is one call */
    struct kx_pool *gen;    /* keygen-initialised contexts */
    struct kx_pool *import; /* fromdata-initialised contexts */
};

static const kx_group *kx_row_find(uint16_t code)
{
    size_t i;

    if (code == kx_eph.code)
        return &kx_eph;
    for (i = 0; i < kx_group_count; i++)
        if (kx_groups[i].code == code)
            return &kx_groups[i];
    return NULL;
}

/* A key generation context for the row, or NULL. */
static EVP_PKEY_CTX *kx_keygen_ctx(const kx_alg *alg)
{
    EVP_PKEY_CTX *pctx;

    if (alg->params != NULL)
        pctx = EVP_PKEY_CTX_new_from_pkey(alg->libctx, alg->params, alg->propq);
    else
        pctx = EVP_PKEY_CTX_new_from_name(alg->libctx, alg->row->keytype, alg->propq);
    if (pctx == NULL)
        return NULL;
    if (EVP_PKEY_keygen_init(pctx) <= 0) {
        EVP_PKEY_CTX_free(pctx);
        return NULL;
    }
    return pctx;
}

/* A context importing the row's public keys, or NULL. */
static EVP_PKEY_CTX *kx_import_ctx(const kx_alg *alg)
{
    EVP_PKEY_CTX *pctx;

    pctx = EVP_PKEY_CTX_new_from_name(alg->libctx, alg->row->keytype, alg->propq);
    if (pctx != NULL && EVP_PKEY_fromdata_init(pctx) <= 0) {
        EVP_PKEY_CTX_free(pctx);
        pctx = NULL;
    }
    return pctx;
}

static struct kx_pool *kx_pool_new(void)
{
    struct kx_pool *p = calloc(1, sizeof(*p));

    if (p != NULL && (p->lock = CRYPTO_THREAD_lock_new()) == NULL) {
        free(p);
        p = NULL;
    }
    return p;
}

static void kx_pool_free(struct kx_pool *p)
{
    if (p == NULL)
        return;
    while (p->n > 0)
        EVP_PKEY_CTX_free(p->idle[--p->n]);
    CRYPTO_THREAD_lock_free(p->lock);
    free(p);
}

/* An idle context from the pool, else a new one from `make`. */
static EVP_PKEY_CTX *kx_pool_take(const kx_alg *alg, struct kx_pool *p,
                                  EVP_PKEY_CTX *(*make)(const kx_alg *))
{
    EVP_PKEY_CTX *pctx = NULL;

    if (CRYPTO_THREAD_write_lock(p->lock)) {
        if (p->n > 0)
            pctx = p->idle[--p->n];
        CRYPTO_THREAD_unlock(p->lock);
    }
    return pctx != NULL ? pctx : make(alg);
}

/* Back to the pool after a successful operation; freed when the pool is
 * full (or the operation failed: the caller passes `ok` = 0). */
static void kx_pool_give(struct kx_pool *p, EVP_PKEY_CTX *pctx, int ok)
{
    if (pctx != NULL && ok && CRYPTO_THREAD_write_lock(p->lock)) {
        if (p->n < KX_POOL_MAX) {
            p->idle[p->n++] = pctx;
            pctx = NULL;
        }
        CRYPTO_THREAD_unlock(p->lock);
    }
    EVP_PKEY_CTX_free(pctx);
}

/* The EC group as a parameter-only key, made once per context. */
static EVP_PKEY *kx_ec_params(OSSL_LIB_CTX *libctx, const char *propq, const char *group)
{
    EVP_PKEY_CTX *pctx;
    EVP_PKEY *params = NULL;

    pctx = EVP_PKEY_CTX_new_from_name(libctx, "EC", propq);
    if (pctx == NULL)
        return NULL;
    if (EVP_PKEY_paramgen_init(pctx) <= 0 || EVP_PKEY_CTX_set_group_name(pctx, group) <= 0
        || EVP_PKEY_paramgen(pctx, &params) <= 0)
        params = NULL;
    EVP_PKEY_CTX_free(pctx);
    return params;
}

kx_alg *kx_alg_fetch(OSSL_LIB_CTX *libctx, const char *propq, uint16_t code)
{
    const kx_group *row;
    EVP_PKEY_CTX *probe;
    kx_alg *alg;

    if ((row = kx_row_find(code)) == NULL)
        return NULL;
    if ((alg = calloc(1, sizeof(*alg))) == NULL)
        return NULL;
    alg->row = row;
    alg->libctx = libctx;
    if (propq != NULL && (alg->propq = OPENSSL_strdup(propq)) == NULL)
        goto fail;
    if (row->kind == KX_KIND_NONE)
        return alg;
    if (row->kind == KX_KIND_EC && (alg->params = kx_ec_params(libctx, propq, row->group)) == NULL)
        goto fail;
    if ((alg->gen = kx_pool_new()) == NULL || (alg->import = kx_pool_new()) == NULL)
        goto fail;
    /* Section 5: offer only what the providers can compute. */
    if ((probe = kx_keygen_ctx(alg)) == NULL)
        goto fail;
    kx_pool_give(alg->gen, probe, 1);
    return alg;
fail:
    kx_alg_free(alg);
    return NULL;
}

void kx_alg_free(kx_alg *alg)
{
    if (alg == NULL)
        return;
    kx_pool_free(alg->gen);
    kx_pool_free(alg->import);
    EVP_PKEY_free(alg->params);
    OPENSSL_free(alg->propq);
    free(alg);
}

uint16_t kx_alg_code(const kx_alg *alg)
{
    return alg->row->code;
}

size_t kx_alg_client_share_len(const kx_alg *alg)
{
    return alg->row->client_share;
}

size_t kx_alg_server_share_len(const kx_alg *alg)
{
    return alg->row->server_share;
}

/*
 * Testing only: the EC key pair of a big-endian scalar. OpenSSL 3.0 does
 * not derive the public point when a private key is imported, and EVP has
 * no call for it, so the point is computed with EC_POINT_mul.
 */
static int kx_ec_inject(const kx_alg *alg, const uint8_t *scalar, size_t len, EVP_PKEY **out)
{
    uint8_t native[KX_MAX_SECRET], pub[97];
    EC_GROUP *group = NULL;
    EC_POINT *point = NULL;
    BIGNUM *d = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    OSSL_PARAM params[4];
    size_t pub_len;
    int rc = SC_ERR_CRYPTO;

    if (len != alg->row->scalar)
        return SC_ERR_ARG;
    group = EC_GROUP_new_by_curve_name_ex(alg->libctx, alg->propq, alg->row->nid);
    d = BN_secure_new();
    if (group == NULL || d == NULL || BN_bin2bn(scalar, (int)len, d) == NULL)
        goto done;
    if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(group)) >= 0) {
        rc = SC_ERR_ARG;
        goto done;
    }
    if ((point = EC_POINT_new(group)) == NULL || !EC_POINT_mul(group, point, d, NULL, NULL, NULL))
        goto done;
    pub_len =
        EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub), NULL);
    if (pub_len != alg->row->client_share || BN_bn2nativepad(d, native, (int)len) != (int)len)
        goto done;
    params[0] =
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)alg->row->group, 0);
    params[1] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, native, len);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len);
    params[3] = OSSL_PARAM_construct_end();
    pctx = EVP_PKEY_CTX_new_from_name(alg->libctx, "EC", alg->propq);
    if (pctx == NULL || EVP_PKEY_fromdata_init(pctx) <= 0
        || EVP_PKEY_fromdata(pctx, out, EVP_PKEY_KEYPAIR, params) <= 0)
        goto done;
    rc = SC_OK;
done:
    OPENSSL_cleanse(native, sizeof(native));
    EVP_PKEY_CTX_free(pctx);
    EC_POINT_free(point);
    BN_clear_free(d);
    EC_GROUP_free(group);
    return rc;
}

/* Our public value as it goes on the wire. */
static int kx_share_get(const kx_alg *alg, EVP_PKEY *pkey, uint8_t *share, size_t cap,
                        size_t *share_len)
{
    const char *name =
        alg->row->kind == KX_KIND_EC ? OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY : OSSL_PKEY_PARAM_PUB_KEY;
    size_t want = alg->row->client_share, got = 0;

    if (cap < want)
        return SC_ERR_ARG;
    if (!EVP_PKEY_get_octet_string_param(pkey, name, share, cap, &got) || got != want)
        return SC_ERR_CRYPTO;
    /* Section 5: points go out uncompressed. */
    if (alg->row->kind == KX_KIND_EC && share[0] != 0x04)
        return SC_ERR_CRYPTO;
    *share_len = got;
    return SC_OK;
}

int kx_keygen(const kx_alg *alg, const uint8_t *inject, size_t inject_len, EVP_PKEY **priv,
              uint8_t *share, size_t cap, size_t *share_len)
{
    const kx_group *row;
    EVP_PKEY_CTX *pctx;
    EVP_PKEY *pkey = NULL;
    int rc;

    if (alg == NULL || priv == NULL || share_len == NULL || (share == NULL && cap != 0))
        return SC_ERR_ARG;
    row = alg->row;
    *priv = NULL;
    *share_len = 0;
    if (row->kind == KX_KIND_NONE)
        return SC_OK;
    if (inject != NULL && row->kind == KX_KIND_KEM)
        return SC_ERR_ARG;
    if (inject != NULL && row->kind == KX_KIND_ECX) {
        if (inject_len != row->scalar)
            return SC_ERR_ARG;
        pkey = EVP_PKEY_new_raw_private_key_ex(alg->libctx, row->keytype, alg->propq, inject,
                                               inject_len);
        if (pkey == NULL)
            return SC_ERR_CRYPTO;
    } else if (inject != NULL) {
        if ((rc = kx_ec_inject(alg, inject, inject_len, &pkey)) != SC_OK)
            return rc;
    } else {
        pctx = kx_pool_take(alg, alg->gen, kx_keygen_ctx);
        if (pctx == NULL)
            return SC_ERR_CRYPTO;
        if (EVP_PKEY_generate(pctx, &pkey) <= 0)
            pkey = NULL;
        kx_pool_give(alg->gen, pctx, pkey != NULL);
        if (pkey == NULL)
            return SC_ERR_CRYPTO;
    }
    if ((rc = kx_share_get(alg, pkey, share, cap, share_len)) != SC_OK) {
        EVP_PKEY_free(pkey);
        return rc;
    }
    *priv = pkey;
    return SC_OK;
}

/*
 * The peer's public value as a key, checked as section 5 requires:
 * exact length; for P-256/P-384 an uncompressed point (0x04 prefix, which
 * also excludes the one-byte identity encoding) on the curve; for ML-KEM the
 * FIPS 203 modulus check, which the provider applies on import. Any
 * failure is the peer's: SC_ERR_PROTOCOL (illegal_parameter).
 */
static int kx_peer_import(const kx_alg *alg, const uint8_t *peer, size_t len, size_t want,
                          EVP_PKEY **out)
{
    const kx_group *row = alg->row;
    EVP_PKEY_CTX *pctx;
    OSSL_PARAM params[3], *p = params;
    int ok;

    *out = NULL;
    if (peer == NULL || len != want)
        return SC_ERR_PROTOCOL;
    if (row->kind == KX_KIND_EC && peer[0] != 0x04)
        return SC_ERR_PROTOCOL;
    if (row->kind == KX_KIND_EC)
        *p++ = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)row->group, 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)peer, len);
    *p = OSSL_PARAM_construct_end();
    if ((pctx = kx_pool_take(alg, alg->import, kx_import_ctx)) == NULL)
        return SC_ERR_NOMEM;
    /* Import checks the length, the ML-KEM key, and decodes a point,
	 * rejecting one that is off the curve. */
    ok = EVP_PKEY_fromdata(pctx, out, EVP_PKEY_PUBLIC_KEY, params) > 0;
    kx_pool_give(alg->import, pctx, ok);
    if (!ok) {
        *out = NULL;
        return SC_ERR_PROTOCOL;
    }
    if (row->kind != KX_KIND_EC)
        return SC_OK;
    pctx = EVP_PKEY_CTX_new_from_pkey(alg->libctx, *out, alg->propq);
    ok = pctx != NULL && EVP_PKEY_public_check_quick(pctx) > 0;
    EVP_PKEY_CTX_free(pctx);
    if (!ok) {
        EVP_PKEY_free(*out);
        *out = NULL;
        return SC_ERR_PROTOCOL;
    }
    return SC_OK;
}

static int kx_all_zero(const uint8_t *p, size_t len)
{
    uint8_t acc = 0;
    size_t i;

    for (i = 0; i < len; i++)
        acc |= p[i];
    return acc == 0;
}

/* Diffie-Hellman of our key and an imported peer key into `secret`, which
 * holds `cap` bytes: all of them are wiped on failure, and no more. */
static int kx_dh(const kx_alg *alg, EVP_PKEY *priv, EVP_PKEY *peer, uint8_t *secret, size_t cap,
                 size_t *secret_len)
{
    const kx_group *row = alg->row;
    EVP_PKEY_CTX *pctx;
    size_t len = cap;
    int rc = SC_ERR_CRYPTO;

    pctx = EVP_PKEY_CTX_new_from_pkey(alg->libctx, priv, alg->propq);
    if (pctx == NULL)
        return SC_ERR_NOMEM;
    if (EVP_PKEY_derive_init(pctx) <= 0 || EVP_PKEY_derive_set_peer_ex(pctx, peer, 0) <= 0)
        goto done;
    if (EVP_PKEY_derive(pctx, secret, &len) <= 0) {
        /* X25519/X448 providers refuse an all-zero result (a
		 * small-order peer key): section 5, illegal_parameter. */
        if (row->kind == KX_KIND_ECX)
            rc = SC_ERR_PROTOCOL;
        goto done;
    }
    if (len != row->secret)
        goto done;
    if (row->kind == KX_KIND_ECX && kx_all_zero(secret, len)) {
        rc = SC_ERR_PROTOCOL;
        goto done;
    }
    *secret_len = len;
    rc = SC_OK;
done:
    if (rc != SC_OK)
        OPENSSL_cleanse(secret, cap);
    EVP_PKEY_CTX_free(pctx);
    return rc;
}

/* Section 5, group none: kx is `zero` and both shares are empty. */
static int kx_none(size_t peer_len, uint8_t *secret, size_t *secret_len)
{
    if (peer_len != 0)
        return SC_ERR_PROTOCOL;
    memset(secret, 0, 32);
    *secret_len = 32;
    return SC_OK;
}

/* ML-KEM client side: the server's ciphertext decapsulated. */
static int kx_decap(const kx_alg *alg, EVP_PKEY *priv, const uint8_t *ct, size_t ct_len,
                    uint8_t *secret, size_t cap, size_t *secret_len)
{
    EVP_PKEY_CTX *pctx;
    size_t len = cap;
    int rc = SC_ERR_CRYPTO;

    if (ct == NULL || ct_len != alg->row->server_share)
        return SC_ERR_PROTOCOL;
    pctx = EVP_PKEY_CTX_new_from_pkey(alg->libctx, priv, alg->propq);
    if (pctx == NULL)
        return SC_ERR_NOMEM;
    if (EVP_PKEY_decapsulate_init(pctx, NULL) > 0
        && EVP_PKEY_decapsulate(pctx, secret, &len, ct, ct_len) > 0 && len == alg->row->secret) {
        *secret_len = len;
        rc = SC_OK;
    } else {
        OPENSSL_cleanse(secret, cap);
    }
    EVP_PKEY_CTX_free(pctx);
    return rc;
}

int kx_derive(const kx_alg *alg, EVP_PKEY *priv, const uint8_t *peer, size_t peer_len,
              uint8_t *secret, size_t secret_cap, size_t *secret_len)
{
    EVP_PKEY *peer_key;
    int rc;

    if (alg == NULL || secret == NULL || secret_len == NULL || secret_cap < alg->row->secret)
        return SC_ERR_ARG;
    *secret_len = 0;
    if (alg->row->kind == KX_KIND_NONE)
        return kx_none(peer_len, secret, secret_len);
    if (priv == NULL)
        return SC_ERR_ARG;
    if (alg->row->kind == KX_KIND_KEM)
        return kx_decap(alg, priv, peer, peer_len, secret, secret_cap, secret_len);
    /* Diffie-Hellman: both shares have the same length. */
    rc = kx_peer_import(alg, peer, peer_len, alg->row->server_share, &peer_key);
    if (rc != SC_OK)
        return rc;
    rc = kx_dh(alg, priv, peer_key, secret, secret_cap, secret_len);
    EVP_PKEY_free(peer_key);
    return rc;
}

/* ML-KEM server side: encapsulate to the client's key. */
static int kx_encap(const kx_alg *alg, EVP_PKEY *client_key, uint8_t *ct, size_t cap,
                    size_t *ct_len, uint8_t *secret, size_t secret_cap, size_t *secret_len)
{
    EVP_PKEY_CTX *pctx;
    size_t want = alg->row->server_share;
    size_t len = cap, slen = secret_cap;
    int rc = SC_ERR_CRYPTO;

    if (cap < want)
        return SC_ERR_ARG;
    pctx = EVP_PKEY_CTX_new_from_pkey(alg->libctx, client_key, alg->propq);
    if (pctx == NULL)
        return SC_ERR_NOMEM;
    if (EVP_PKEY_encapsulate_init(pctx, NULL) > 0
        && EVP_PKEY_encapsulate(pctx, ct, &len, secret, &slen) > 0 && len == want
        && slen == alg->row->secret) {
        *ct_len = len;
        *secret_len = slen;
        rc = SC_OK;
    } else {
        OPENSSL_cleanse(secret, secret_cap);
    }
    EVP_PKEY_CTX_free(pctx);
    return rc;
}

int kx_respond(const kx_alg *alg, const uint8_t *client_share, size_t client_len,
               const uint8_t *inject, size_t inject_len, uint8_t *share, size_t cap,
               size_t *share_len, uint8_t *secret, size_t secret_cap, size_t *secret_len)
{
    EVP_PKEY *client_key = NULL, *priv = NULL;
    int rc;

    if (alg == NULL || share_len == NULL || secret == NULL || secret_len == NULL
        || (share == NULL && cap != 0) || secret_cap < alg->row->secret)
        return SC_ERR_ARG;
    *share_len = 0;
    *secret_len = 0;
    if (alg->row->kind == KX_KIND_NONE)
        return kx_none(client_len, secret, secret_len);
    /* Check the client's share before spending a key generation on it. */
    rc = kx_peer_import(alg, client_share, client_len, alg->row->client_share, &client_key);
    if (rc != SC_OK)
        return rc;
    if (alg->row->kind == KX_KIND_KEM) {
        rc = kx_encap(alg, client_key, share, cap, share_len, secret, secret_cap, secret_len);
        goto done;
    }
    rc = kx_keygen(alg, inject, inject_len, &priv, share, cap, share_len);
    if (rc != SC_OK)
        goto done;
    rc = kx_dh(alg, priv, client_key, secret, secret_cap, secret_len);
    if (rc != SC_OK)
        *share_len = 0;
done:
    EVP_PKEY_free(priv);
    EVP_PKEY_free(client_key);
    return rc;
}
