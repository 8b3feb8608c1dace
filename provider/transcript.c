#include "transcript.h"

#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "sovchain.h"

int transcript_init(transcript *t, const sc_algs *a)
{
    memset(t, 0, sizeof(*t));
    if ((t->md = EVP_MD_CTX_new()) == NULL || (t->snap = EVP_MD_CTX_new()) == NULL)
        return SC_ERR_NOMEM;
    if (EVP_DigestInit_ex2(t->md, a->sha256, NULL) != 1)
        return SC_ERR_CRYPTO;
    return SC_OK;
}

int transcript_add(transcript *t, int step, const uint8_t *body, size_t len, int keep_th)
{
    uint8_t hdr[3] = { (uint8_t)step, (uint8_t)(len >> 8), (uint8_t)len };

    if (step < 1 || step > 12 || step != t->last + 1 || len > 0xFFFF)
        return SC_ERR_STATE;
    if (EVP_DigestUpdate(t->md, hdr, sizeof(hdr)) != 1 || EVP_DigestUpdate(t->md, body, len) != 1)
        return SC_ERR_CRYPTO;
    /* TH_n is a hash of a prefix: finish a copy, keep the original running. */
    if (keep_th
        && (EVP_MD_CTX_copy_ex(t->snap, t->md) != 1
            || EVP_DigestFinal_ex(t->snap, t->th[step], NULL) != 1))
        return SC_ERR_CRYPTO;
    t->last = step;
    return SC_OK;
}

void transcript_free(transcript *t)
{
    EVP_MD_CTX_free(t->md);
    EVP_MD_CTX_free(t->snap);
    OPENSSL_cleanse(t, sizeof(*t));
}
