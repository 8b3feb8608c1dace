/* Handshake signatures (SC1.md section 8): the algorithm follows the
 * signer's leaf key type. Every primitive is fetched by name through the
 * caller's OSSL_LIB_CTX and property query. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "sig.h"
#include "sovchain.h"

/* One row per key type of section 8's table. */
struct sig_row {
    const char *keytype;   /* EVP key type name */
    const char *group;     /* EC group, NULL for other types */
    const char *group_alt; /* the group's other spelling */
    const char *md;        /* digest, NULL for PureEdDSA */
    int pss;               /* RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32 */
};

static const struct sig_row sig_rows[] = {
    { "ED25519", NULL, NULL, NULL, 0 },           { "ED448", NULL, NULL, NULL, 0 },
    { "EC", "prime256v1", "P-256", "SHA256", 0 }, { "EC", "secp384r1", "P-384", "SHA384", 0 },
    { "RSA", NULL, NULL, "SHA256", 1 },
};

#define SIG_RSA_MIN_BITS 2048
#define SIG_PSS_SALT_LEN 32

static int ascii_ieq(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        char x = *a, y = *b;

        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return *a == *b;
}

static const struct sig_row *sig_row_for(EVP_PKEY *key)
{
    char group[64];
    size_t glen = 0;

    for (size_t i = 0; i < sizeof(sig_rows) / sizeof(sig_rows[0]); i++) {
        const struct sig_row *r = &sig_rows[i];

        if (!EVP_PKEY_is_a(key, r->keytype))
            continue;
        if (r->pss && EVP_PKEY_get_bits(key) < SIG_RSA_MIN_BITS)
            return NULL;
        if (r->group == NULL)
            return r;
        if (!EVP_PKEY_get_group_name(key, group, sizeof(group), &glen))
            return NULL;
        if (ascii_ieq(group, r->group) || ascii_ieq(group, r->group_alt))
            return r;
    }
    return NULL;
}

int sig_key_ok(EVP_PKEY *key)
{
    return sig_row_for(key) != NULL;
}

/* RSASSA-PSS parameters of section 8, on the context DigestSign/VerifyInit
 * returned. */
static int sig_set_pss(EVP_PKEY_CTX *pctx)
{
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0
        || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, SIG_PSS_SALT_LEN) <= 0
        || EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, "SHA256", NULL) <= 0)
        return 0;
    return 1;
}

int sig_signer_new(OSSL_LIB_CTX *libctx, const char *propq, EVP_PKEY *key, EVP_MD_CTX **out)
{
    const struct sig_row *row;
    EVP_MD_CTX *mctx;
    EVP_PKEY_CTX *pctx = NULL;

    *out = NULL;
    if (key == NULL)
        return SC_ERR_ARG;
    if ((row = sig_row_for(key)) == NULL)
        return SC_ERR_UNSUPPORTED;
    if ((mctx = EVP_MD_CTX_new()) == NULL)
        return SC_ERR_NOMEM;
    if (EVP_DigestSignInit_ex(mctx, &pctx, row->md, libctx, propq, key, NULL) <= 0
        || (row->pss && !sig_set_pss(pctx))) {
        EVP_MD_CTX_free(mctx);
        return SC_ERR_CRYPTO;
    }
    *out = mctx;
    return SC_OK;
}

int sig_sign_with(const EVP_MD_CTX *signer, EVP_PKEY *key, const uint8_t *msg, size_t len,
                  uint8_t *sig, size_t cap, size_t *sig_len)
{
    EVP_MD_CTX *mctx;
    size_t n = cap;
    int size, ret = SC_ERR_CRYPTO;

    if (signer == NULL || key == NULL || (msg == NULL && len > 0) || sig == NULL || sig_len == NULL)
        return SC_ERR_ARG;
    size = EVP_PKEY_get_size(key);
    if (size <= 0)
        return SC_ERR_CRYPTO;
    if (cap < (size_t)size)
        return SC_ERR_ARG;
    /* A one-shot sign finalises its context: sign with a copy, which
	 * only reads `signer` (so threads may share it). */
    if ((mctx = EVP_MD_CTX_new()) == NULL)
        return SC_ERR_NOMEM;
    if (EVP_MD_CTX_copy_ex(mctx, signer) == 1 && EVP_DigestSign(mctx, sig, &n, msg, len) > 0) {
        *sig_len = n;
        ret = SC_OK;
    }
    EVP_MD_CTX_free(mctx);
    return ret;
}

int sig_sign(OSSL_LIB_CTX *libctx, const char *propq, EVP_PKEY *key, const uint8_t *msg, size_t len,
             uint8_t *sig, size_t cap, size_t *sig_len)
{
    EVP_MD_CTX *signer;
    int ret;

    if (key == NULL || (msg == NULL && len > 0) || sig == NULL || sig_len == NULL)
        return SC_ERR_ARG;
    if ((ret = sig_signer_new(libctx, propq, key, &signer)) != SC_OK)
        return ret;
    ret = sig_sign_with(signer, key, msg, len, sig, cap, sig_len);
    EVP_MD_CTX_free(signer);
    return ret;
}

int sig_verify(OSSL_LIB_CTX *libctx, const char *propq, EVP_PKEY *pub, const uint8_t *msg,
               size_t len, const uint8_t *sig, size_t sig_len)
{
    const struct sig_row *row;
    EVP_MD_CTX *mctx = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    int ret = SC_ERR_CRYPTO;

    if (pub == NULL || (msg == NULL && len > 0) || (sig == NULL && sig_len > 0))
        return SC_ERR_ARG;
    if ((row = sig_row_for(pub)) == NULL)
        return SC_ERR_UNSUPPORTED;
    if ((mctx = EVP_MD_CTX_new()) == NULL)
        return SC_ERR_NOMEM;
    if (EVP_DigestVerifyInit_ex(mctx, &pctx, row->md, libctx, propq, pub, NULL) <= 0)
        goto out;
    if (row->pss && !sig_set_pss(pctx))
        goto out;
    /* A bad signature is the peer's fault (decrypt_error), not ours: keep
	 * the error queue as it was. */
    ERR_set_mark();
    if (sig_len == 0 || EVP_DigestVerify(mctx, sig, sig_len, msg, len) != 1)
        ret = SC_ERR_PROTOCOL;
    else
        ret = SC_OK;
    ERR_pop_to_mark();
out:
    EVP_MD_CTX_free(mctx);
    return ret;
}
