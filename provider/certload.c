/* Credentials and trust (SC1.md sections 8 and 9): certificate chains and
 * keys by file path (PEM or DER) or OSSL_STORE URI, trust anchors, CRLs. */
#include <stdint.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/store.h>
#include <openssl/ui.h>
#include <openssl/x509.h>

#include "certload.h"
#include "sig.h"
#include "sovchain.h"

/* OSSL_STORE asks for a passphrase through a UI method; ours answers with
 * the configured one, or fails, so a library call never prompts. */
static int cert_pass_cb(char *buf, int size, int rwflag, void *u)
{
    const char *pass = u;
    size_t n;

    (void)rwflag;
    if (pass == NULL || size <= 0)
        return -1;
    n = strlen(pass);
    if (n > (size_t)size)
        return -1;
    memcpy(buf, pass, n);
    return (int)n;
}

/* Every object of type `want` at `source`, in order, handed to `take`. */
static int cert_store_each(OSSL_LIB_CTX *libctx, const char *propq, const char *source,
                           const char *pass, int want,
                           int (*take)(OSSL_STORE_INFO *info, void *arg), void *arg)
{
    UI_METHOD *ui = NULL;
    OSSL_STORE_CTX *sctx = NULL;
    int ret = SC_ERR_LOAD, got = 0;

    if ((ui = UI_UTIL_wrap_read_pem_callback(cert_pass_cb, 0)) == NULL)
        return SC_ERR_NOMEM;
    ERR_set_mark();
    sctx = OSSL_STORE_open_ex(source, libctx, propq, ui, (void *)pass, NULL, NULL, NULL);
    if (sctx == NULL)
        goto out;
    if (OSSL_STORE_expect(sctx, want) != 1)
        goto out;
    /* Each load consumes an object; an object of another type (a key
	 * next to the certificates) comes back NULL with an error queued, and
	 * is skipped. The bound only guards against a loader that does not
	 * advance. */
    for (int tries = 0; !OSSL_STORE_eof(sctx) && tries < 4096; tries++) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(sctx);
        int r;

        if (info == NULL)
            continue;
        if (OSSL_STORE_INFO_get_type(info) != want) {
            OSSL_STORE_INFO_free(info);
            continue;
        }
        r = take(info, arg);
        OSSL_STORE_INFO_free(info);
        if (r < 0) {
            ret = r;
            goto out;
        }
        got++;
        if (r == 0)
            break; /* the taker has what it needs */
    }
    if (got > 0)
        ret = SC_OK;
out:
    /* Skipped objects leave noise; a failure keeps its reasons. */
    if (ret == SC_OK)
        ERR_pop_to_mark();
    else
        ERR_clear_last_mark();
    OSSL_STORE_close(sctx);
    UI_destroy_method(ui);
    return ret;
}

static int take_cert(OSSL_STORE_INFO *info, void *arg)
{
    STACK_OF(X509) *chain = arg;
    X509 *x = OSSL_STORE_INFO_get1_CERT(info);

    if (x == NULL)
        return SC_ERR_LOAD;
    if (!sk_X509_push(chain, x)) {
        X509_free(x);
        return SC_ERR_NOMEM;
    }
    return 1;
}

int certload_chain(OSSL_LIB_CTX *libctx, const char *propq, const char *source,
                   STACK_OF(X509) * *chain)
{
    STACK_OF(X509) * sk;
    int ret;

    if (source == NULL || chain == NULL)
        return SC_ERR_ARG;
    if ((sk = sk_X509_new_null()) == NULL)
        return SC_ERR_NOMEM;
    ret = cert_store_each(libctx, propq, source, NULL, OSSL_STORE_INFO_CERT, take_cert, sk);
    if (ret != SC_OK) {
        sk_X509_pop_free(sk, X509_free);
        return ret;
    }
    *chain = sk;
    return SC_OK;
}

static int take_key(OSSL_STORE_INFO *info, void *arg)
{
    EVP_PKEY **key = arg;

    if ((*key = OSSL_STORE_INFO_get1_PKEY(info)) == NULL)
        return SC_ERR_LOAD;
    return 0;
}

int certload_key(OSSL_LIB_CTX *libctx, const char *propq, const char *source, const char *pass,
                 EVP_PKEY **key)
{
    EVP_PKEY *k = NULL;
    int ret;

    if (source == NULL || key == NULL)
        return SC_ERR_ARG;
    ret = cert_store_each(libctx, propq, source, pass, OSSL_STORE_INFO_PKEY, take_key, &k);
    if (ret != SC_OK) {
        EVP_PKEY_free(k);
        return ret;
    }
    *key = k;
    return SC_OK;
}

/*
 * The next certificate of a PEM file (pem) or the one of a DER file, made
 * in libctx so that its public key is decoded there: NULL at the end.
 */
static X509 *read_x509(OSSL_LIB_CTX *libctx, const char *propq, BIO *bio, int pem)
{
    X509 *x = X509_new_ex(libctx, propq);

    if (x == NULL)
        return NULL;
    if ((pem ? PEM_read_bio_X509(bio, &x, NULL, NULL) : d2i_X509_bio(bio, &x)) == NULL) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* Appends x to out; frees it if that fails. */
static int push_cert(STACK_OF(X509) * out, X509 *x)
{
    if (sk_X509_push(out, x))
        return SC_OK;
    X509_free(x);
    return SC_ERR_NOMEM;
}

/* The certificates of a PEM file (several) or of a DER file (one). */
static int cert_read_file(OSSL_LIB_CTX *libctx, const char *propq, const char *path,
                          STACK_OF(X509) * out)
{
    BIO *bio;
    X509 *x;
    int n = 0, ret = SC_OK;

    if ((bio = BIO_new_file(path, "rb")) == NULL)
        return SC_ERR_LOAD;
    ERR_set_mark();
    while (ret == SC_OK && (x = read_x509(libctx, propq, bio, 1)) != NULL) {
        ret = push_cert(out, x);
        n++;
    }
    if (n == 0 && BIO_reset(bio) == 0 && (x = read_x509(libctx, propq, bio, 0)) != NULL) {
        ret = push_cert(out, x);
        n++;
    }
    /* Reading stops at the end of the file with an error entry. */
    ERR_pop_to_mark();
    BIO_free(bio);
    if (ret != SC_OK)
        return ret;
    return n > 0 ? SC_OK : SC_ERR_LOAD;
}

int certload_trust(OSSL_LIB_CTX *libctx, const char *propq, X509_STORE *store,
                   STACK_OF(X509) * anchors, const char *cafile, const char *capath)
{
    STACK_OF(X509) *certs = NULL;
    int ret;

    if (store == NULL || (cafile == NULL && capath == NULL))
        return SC_ERR_ARG;
    if (cafile != NULL) {
        if ((certs = sk_X509_new_null()) == NULL)
            return SC_ERR_NOMEM;
        if ((ret = cert_read_file(libctx, propq, cafile, certs)) != SC_OK)
            goto out;
        for (int i = 0; i < sk_X509_num(certs); i++) {
            X509 *x = sk_X509_value(certs, i);

            if (!X509_STORE_add_cert(store, x)) {
                ret = SC_ERR_LOAD;
                goto out;
            }
            /* Section 4, message 4: the CA names, in file order. */
            if (anchors != NULL) {
                if (!X509_up_ref(x))
                    goto fail;
                if (!sk_X509_push(anchors, x)) {
                    X509_free(x);
                    goto fail;
                }
            }
        }
    }
    if (capath != NULL && !X509_STORE_load_path(store, capath)) {
        ret = SC_ERR_LOAD;
        goto out;
    }
    ret = SC_OK;
    goto out;
fail:
    ret = SC_ERR_NOMEM;
out:
    sk_X509_pop_free(certs, X509_free);
    return ret;
}

/* The next CRL of a PEM file (pem) or the one of a DER file, made in
 * libctx: NULL at the end. */
static X509_CRL *read_crl(OSSL_LIB_CTX *libctx, const char *propq, BIO *bio, int pem)
{
    X509_CRL *crl = X509_CRL_new_ex(libctx, propq);

    if (crl == NULL)
        return NULL;
    if ((pem ? PEM_read_bio_X509_CRL(bio, &crl, NULL, NULL) : d2i_X509_CRL_bio(bio, &crl))
        == NULL) {
        X509_CRL_free(crl);
        return NULL;
    }
    return crl;
}

int certload_crl(OSSL_LIB_CTX *libctx, const char *propq, X509_STORE *store, const char *crlfile)
{
    BIO *bio;
    X509_CRL *crl;
    int n = 0, ret = SC_ERR_LOAD;

    if (store == NULL || crlfile == NULL)
        return SC_ERR_ARG;
    if ((bio = BIO_new_file(crlfile, "rb")) == NULL)
        return SC_ERR_LOAD;
    ERR_set_mark();
    while ((crl = read_crl(libctx, propq, bio, 1)) != NULL
           || (n == 0 && BIO_reset(bio) == 0 && (crl = read_crl(libctx, propq, bio, 0)) != NULL)) {
        int ok = X509_STORE_add_crl(store, crl);

        X509_CRL_free(crl);
        if (!ok)
            goto out;
        n++;
    }
    if (n > 0)
        ret = SC_OK;
out:
    ERR_pop_to_mark();
    BIO_free(bio);
    return ret;
}
int certload_key_matches(X509 *leaf, EVP_PKEY *key)
{
    EVP_PKEY *pub;

    if (leaf == NULL || key == NULL)
        return 0;
    if ((pub = X509_get0_pubkey(leaf)) == NULL)
        return 0;
    return EVP_PKEY_eq(pub, key) == 1 && sig_key_ok(key);
}
