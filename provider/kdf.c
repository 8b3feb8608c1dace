#include "kdf.h"

#include <string.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "sovchain.h"

static int hkdf_run(const sc_algs *a, int mode, const uint8_t *salt,
                    size_t salt_len, const uint8_t *key, size_t key_len,
                    const uint8_t *info, size_t info_len, uint8_t *out,
                    size_t out_len)
{
    /* OpenSSL 3.0's HKDF cannot be duplicated: then name the digest anew. */
    EVP_KDF_CTX *kctx = EVP_KDF_CTX_dup(a->hkdf_sha256);
    int named = kctx == NULL;
    OSSL_PARAM params[7], *p = params;
    int ok;

    if (kctx == NULL && (kctx = EVP_KDF_CTX_new(a->hkdf)) == NULL)
        return SC_ERR_NOMEM;
    if (named) {
        *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA2-256", 0);
        if (a->propq != NULL)
            *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_PROPERTIES, a->propq, 0);
    }
    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (salt != NULL)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    if (info != NULL)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    *p = OSSL_PARAM_construct_end();
    ok = EVP_KDF_derive(kctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(kctx);
    return ok ? SC_OK : SC_ERR_CRYPTO;
}

int kdf_extract(const sc_algs *a, const uint8_t *salt, size_t salt_len,
                const uint8_t *ikm, size_t ikm_len, uint8_t out[SC_HASH_LEN])
{
    return hkdf_run(a, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, salt_len, ikm,
                    ikm_len, NULL, 0, out, SC_HASH_LEN);
}

int kdf_expand_label(const sc_algs *a, const uint8_t secret[SC_HASH_LEN],
                     const char *label, size_t label_len,
                     const uint8_t *context, size_t context_len,
                     uint8_t *out, size_t out_len)
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
    return hkdf_run(a, EVP_KDF_HKDF_MODE_EXPAND_ONLY, NULL, 0, secret,
                    SC_HASH_LEN, info, n, out, out_len);
}

int kdf_derive_secret(const sc_algs *a, const uint8_t secret[SC_HASH_LEN],
                      const char *label, const uint8_t *context,
                      size_t context_len, uint8_t out[SC_HASH_LEN])
{
    return kdf_expand_label(a, secret, label, strlen(label), context,
                            context_len, out, SC_HASH_LEN);
}

int kdf_hmac(const sc_algs *a, const uint8_t key[SC_HASH_LEN],
             const uint8_t *data, size_t len, uint8_t out[SC_HASH_LEN])
{
    EVP_MAC_CTX *mctx = EVP_MAC_CTX_new(a->hmac);
    OSSL_PARAM params[3], *p = params;
    size_t outl = 0;
    int ok;

    if (mctx == NULL)
        return SC_ERR_NOMEM;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA2-256", 0);
    if (a->propq != NULL)
        *p++ = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_PROPERTIES, a->propq, 0);
    *p = OSSL_PARAM_construct_end();
    ok = EVP_MAC_init(mctx, key, SC_HASH_LEN, params) == 1
        && EVP_MAC_update(mctx, data, len) == 1
        && EVP_MAC_final(mctx, out, &outl, SC_HASH_LEN) == 1
        && outl == SC_HASH_LEN;
    EVP_MAC_CTX_free(mctx);
    return ok ? SC_OK : SC_ERR_CRYPTO;
}

int kdf_hash(const sc_algs *a, const uint8_t *data, size_t len,
             uint8_t out[SC_HASH_LEN])
{
    unsigned int outl = 0;

    if (EVP_Digest(data, len, out, &outl, a->sha256, NULL) != 1 || outl != SC_HASH_LEN)
        return SC_ERR_CRYPTO;
    return SC_OK;
}
