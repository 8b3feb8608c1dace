/*
 * The key schedule's HKDF (SC1.md section 7), two ways:
 *
 * - by default, written out over the provider's HMAC-SHA256 (EVP_MAC,
 *   fetched once per context): OpenSSL 3.0 cannot duplicate an HKDF
 *   context, so EVP_KDF would cost a new context and a digest fetch per
 *   user; one HMAC context per handshake, copied from a template, fetches
 *   nothing;
 * - when the context asks for FIPS (algs_wants_fips), with the provider's
 *   own HKDF (EVP_KDF "HKDF", fetched once per context; one EVP_KDF_CTX per
 *   user, its digest set once), so that the approved KDF implementation
 *   is the one that runs.
 *
 * Both give the same bytes (tests/unit/test_kdf.c). HMAC itself (the
 * confirm MACs) is EVP_MAC either way.
 */
#include "kdf.h"

#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "sovchain.h"

int kdf_init(kdf_ctx *k, const sc_algs *a)
{
    memset(k, 0, sizeof(*k));
    k->a = a;
    /* The template has its digest set: duplicating it fetches nothing. */
    if ((k->mac = EVP_MAC_CTX_dup(a->hmac_sha256)) == NULL)
        return SC_ERR_NOMEM;
    if (a->hkdf != NULL) {
        OSSL_PARAM params[3], *p = params;

        *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA2-256", 0);
        if (a->propq != NULL)
            *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_PROPERTIES, a->propq, 0);
        *p = OSSL_PARAM_construct_end();
        if ((k->hkdf = EVP_KDF_CTX_new(a->hkdf)) == NULL)
            return SC_ERR_NOMEM;
        if (EVP_KDF_CTX_set_params(k->hkdf, params) != 1)
            return SC_ERR_CRYPTO;
    }
    return SC_OK;
}

void kdf_clear(kdf_ctx *k)
{
    EVP_MAC_CTX_free(k->mac);
    EVP_KDF_CTX_free(k->hkdf);
    OPENSSL_cleanse(k, sizeof(*k));
}

/* Start an HMAC under `key`. Re-initialising without a key restarts from
 * the state the last key left (its padded blocks already hashed). */
static int mac_start(kdf_ctx *k, const uint8_t key[SC_HASH_LEN])
{
    if (k->keyed && CRYPTO_memcmp(k->key, key, SC_HASH_LEN) == 0)
        return EVP_MAC_init(k->mac, NULL, 0, NULL) == 1;
    k->keyed = 0;
    if (EVP_MAC_init(k->mac, key, SC_HASH_LEN, NULL) != 1)
        return 0;
    memcpy(k->key, key, SC_HASH_LEN);
    k->keyed = 1;
    return 1;
}

static int mac_end(kdf_ctx *k, uint8_t out[SC_HASH_LEN])
{
    size_t outl = 0;

    return EVP_MAC_final(k->mac, out, &outl, SC_HASH_LEN) == 1 && outl == SC_HASH_LEN;
}

int kdf_hmac(kdf_ctx *k, const uint8_t key[SC_HASH_LEN], const uint8_t *data, size_t len,
             uint8_t out[SC_HASH_LEN])
{
    if (!mac_start(k, key) || EVP_MAC_update(k->mac, data, len) != 1 || !mac_end(k, out))
        return SC_ERR_CRYPTO;
    return SC_OK;
}

/* The provider's HKDF in one mode: EXTRACT_ONLY takes salt and key (IKM),
 * EXPAND_ONLY key (PRK) and info. Parameters not passed keep their last
 * value, which the other mode ignores. */
static int evp_hkdf(kdf_ctx *k, int mode, const uint8_t *salt, const uint8_t *key, size_t key_len,
                    const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
    OSSL_PARAM params[5], *p = params;

    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (salt != NULL)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, SC_HASH_LEN);
    if (info != NULL)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    *p = OSSL_PARAM_construct_end();
    return EVP_KDF_derive(k->hkdf, out, out_len, params) == 1 ? SC_OK : SC_ERR_CRYPTO;
}

int kdf_uses_evp_kdf(const kdf_ctx *k)
{
    return k->hkdf != NULL;
}

/* HKDF-Extract (RFC 5869): the MAC of IKM keyed with salt. */
int kdf_extract(kdf_ctx *k, const uint8_t salt[SC_HASH_LEN], const uint8_t *ikm, size_t ikm_len,
                uint8_t out[SC_HASH_LEN])
{
    if (k->hkdf != NULL)
        return evp_hkdf(k, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, ikm, ikm_len, NULL, 0, out,
                        SC_HASH_LEN);
    return kdf_hmac(k, salt, ikm, ikm_len, out);
}

/* HKDF-Expand (RFC 5869): T(i) is the MAC keyed with PRK of
 * T(i-1) || info || u8 i, T(0) empty. */
static int hkdf_expand(kdf_ctx *k, const uint8_t prk[SC_HASH_LEN], const uint8_t *info,
                       size_t info_len, uint8_t *out, size_t out_len)
{
    uint8_t t[SC_HASH_LEN];
    size_t done = 0, t_len = 0;
    int ok = 1;

    if (k->hkdf != NULL)
        return evp_hkdf(k, EVP_KDF_HKDF_MODE_EXPAND_ONLY, NULL, prk, SC_HASH_LEN, info, info_len,
                        out, out_len);
    for (uint8_t i = 1; ok && done < out_len; i++) {
        size_t n = out_len - done < SC_HASH_LEN ? out_len - done : SC_HASH_LEN;
        ok = mac_start(k, prk) && EVP_MAC_update(k->mac, t, t_len) == 1
            && EVP_MAC_update(k->mac, info, info_len) == 1 && EVP_MAC_update(k->mac, &i, 1) == 1
            && mac_end(k, t);
        if (ok)
            memcpy(out + done, t, n);
        done += n;
        t_len = SC_HASH_LEN;
    }
    OPENSSL_cleanse(t, sizeof(t));
    return ok ? SC_OK : SC_ERR_CRYPTO;
}

int kdf_expand_label(kdf_ctx *k, const uint8_t secret[SC_HASH_LEN], const char *label,
                     size_t label_len, const uint8_t *context, size_t context_len, uint8_t *out,
                     size_t out_len)
{
    /* u16 L || u8 len(full) || full || u8 len(context) || context,
     * full = "sc1 " || label (section 7). */
    uint8_t info[2 + 1 + 255 + 1 + 255];
    size_t n = 0;

    if (label_len > 251 || context_len > 255 || out_len > 255 * SC_HASH_LEN)
        return SC_ERR_ARG;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)(4 + label_len);
    memcpy(info + n, "sc1 ", 4);
    n += 4;
    memcpy(info + n, label, label_len);
    n += label_len;
    info[n++] = (uint8_t)context_len;
    if (context_len)
        memcpy(info + n, context, context_len);
    n += context_len;
    return hkdf_expand(k, secret, info, n, out, out_len);
}

int kdf_derive_secret(kdf_ctx *k, const uint8_t secret[SC_HASH_LEN], const char *label,
                      const uint8_t *context, size_t context_len, uint8_t out[SC_HASH_LEN])
{
    return kdf_expand_label(k, secret, label, strlen(label), context, context_len, out,
                            SC_HASH_LEN);
}

int kdf_hash(const sc_algs *a, const uint8_t *data, size_t len, uint8_t out[SC_HASH_LEN])
{
    unsigned int outl = 0;

    if (EVP_Digest(data, len, out, &outl, a->sha256, NULL) != 1 || outl != SC_HASH_LEN)
        return SC_ERR_CRYPTO;
    return SC_OK;
}
