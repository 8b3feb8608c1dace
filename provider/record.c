#include "record.h"

#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "kdf.h"
#include "sovchain.h"

void record_init(record_dir *d)
{
    memset(d, 0, sizeof(*d));
    d->suite = -1;
}

int record_install(record_dir *d, kdf_ctx *k, int suite, int encrypt,
                   const uint8_t secret[SC_HASH_LEN])
{
    uint8_t key[32];
    size_t key_len = algs_suites[suite].key_len;
    int rc;

    if (d->cctx == NULL && (d->cctx = EVP_CIPHER_CTX_new()) == NULL)
        return SC_ERR_NOMEM;
    if (d->secret != secret)
        memcpy(d->secret, secret, SC_HASH_LEN);
    rc = kdf_expand_label(k, d->secret, "key", 3, NULL, 0, key, key_len);
    if (rc == SC_OK)
        rc = kdf_expand_label(k, d->secret, "iv", 2, NULL, 0, d->iv, SC_IV_LEN);
    if (rc == SC_OK
        && EVP_CipherInit_ex2(d->cctx, k->a->cipher[suite], key, NULL, encrypt, NULL) != 1)
        rc = SC_ERR_CRYPTO;
    OPENSSL_cleanse(key, sizeof(key));
    d->suite = suite;
    d->seq = 0;
    d->bytes = 0;
    return rc;
}

void record_name(const record_dir *d, char *out, size_t cap)
{
    const char *base = d->base ? d->base : "clear";

    if (d->gen)
        snprintf(out, cap, "%s+%u", base, d->gen);
    else
        snprintf(out, cap, "%s", base);
}

/* nonce = iv XOR (0x00000000 || u64 seq) */
static void make_nonce(const record_dir *d, uint8_t nonce[SC_IV_LEN])
{
    memcpy(nonce, d->iv, SC_IV_LEN);
    for (int i = 0; i < 8; i++)
        nonce[SC_IV_LEN - 1 - i] ^= (uint8_t)(d->seq >> (8 * i));
}

size_t record_sealed_len(const record_dir *d, size_t len)
{
    return REC_HDR_LEN + len + (record_keyed(d) ? SC_TAG_LEN : 0);
}

int record_seal_to(record_dir *d, uint8_t type, const uint8_t *pt, size_t len, uint8_t *w)
{
    size_t frag = record_sealed_len(d, len) - REC_HDR_LEN;
    uint8_t nonce[SC_IV_LEN];
    int outl = 0, finl = 0;

    if (len > REC_MAX_PLAIN)
        return SC_ERR_ARG;
    w[0] = type;
    w[1] = (uint8_t)(frag >> 8);
    w[2] = (uint8_t)frag;
    if (!record_keyed(d)) {
        if (len)
            memcpy(w + REC_HDR_LEN, pt, len);
        return SC_OK;
    }
    /* Section 2: never wrap; the caller closes before this. */
    if (d->seq == UINT64_MAX)
        return SC_ERR_LIMIT;
    make_nonce(d, nonce);
    if (EVP_CipherInit_ex2(d->cctx, NULL, NULL, nonce, 1, NULL) != 1
        || EVP_CipherUpdate(d->cctx, NULL, &outl, w, REC_HDR_LEN) != 1
        || (len && EVP_CipherUpdate(d->cctx, w + REC_HDR_LEN, &outl, pt, (int)len) != 1)
        || EVP_CipherFinal_ex(d->cctx, w + REC_HDR_LEN + outl, &finl) != 1
        || EVP_CIPHER_CTX_ctrl(d->cctx, EVP_CTRL_AEAD_GET_TAG, SC_TAG_LEN, w + REC_HDR_LEN + len)
            != 1)
        return SC_ERR_CRYPTO;
    d->seq++;
    d->bytes += len;
    return SC_OK;
}

int record_seal(record_dir *d, uint8_t type, const uint8_t *pt, size_t len, sc_buf *out)
{
    size_t n = record_sealed_len(d, len);
    uint8_t *w;
    int rc;

    if (len > REC_MAX_PLAIN)
        return SC_ERR_ARG;
    if ((w = buf_reserve(out, n)) == NULL)
        return SC_ERR_NOMEM;
    if ((rc = record_seal_to(d, type, pt, len, w)) == SC_OK)
        buf_commit(out, n);
    return rc;
}

int record_open(record_dir *d, const uint8_t hdr[REC_HDR_LEN], const uint8_t *ct, size_t len,
                uint8_t *pt)
{
    uint8_t nonce[SC_IV_LEN];
    size_t plen;
    int outl = 0, finl = 0;

    if (len < SC_TAG_LEN || d->seq == UINT64_MAX)
        return -1;
    plen = len - SC_TAG_LEN;
    make_nonce(d, nonce);
    if (EVP_CipherInit_ex2(d->cctx, NULL, NULL, nonce, 0, NULL) != 1
        || EVP_CipherUpdate(d->cctx, NULL, &outl, hdr, REC_HDR_LEN) != 1
        || (plen && EVP_CipherUpdate(d->cctx, pt, &outl, ct, (int)plen) != 1)
        || EVP_CIPHER_CTX_ctrl(d->cctx, EVP_CTRL_AEAD_SET_TAG, SC_TAG_LEN, (void *)(ct + plen)) != 1
        || EVP_CipherFinal_ex(d->cctx, pt + plen, &finl) != 1) {
        if (plen)
            OPENSSL_cleanse(pt, plen);
        return -1;
    }
    d->seq++;
    d->bytes += plen;
    return 0;
}

void record_clear(record_dir *d)
{
    EVP_CIPHER_CTX_free(d->cctx);
    OPENSSL_cleanse(d, sizeof(*d));
    d->suite = -1;
    d->base = NULL;
}
