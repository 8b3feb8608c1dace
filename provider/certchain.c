/* A received certificate chain (SC1.md section 4, messages 3 and 5): the
 * DER certificates of the wire, leaf first, parsed in the caller's
 * OSSL_LIB_CTX. Checking the chain is certverify.c's job. */
#include <stdint.h>
#include <limits.h>
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "certchain.h"
#include "sovchain.h"

int certchain_parse(const uint8_t *const *der, const size_t *der_len, size_t n,
                    OSSL_LIB_CTX *libctx, const char *propq, STACK_OF(X509) * *chain,
                    uint8_t *alert, char *detail, size_t detail_cap)
{
    STACK_OF(X509) * sk;

    if ((n > 0 && (der == NULL || der_len == NULL)) || chain == NULL || alert == NULL)
        return SC_ERR_ARG;
    if ((sk = sk_X509_new_null()) == NULL)
        return SC_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = der[i];
        X509 *x;

        if ((x = X509_new_ex(libctx, propq)) == NULL) {
            sk_X509_pop_free(sk, X509_free);
            return SC_ERR_NOMEM;
        }
        ERR_set_mark();
        if (der[i] == NULL || der_len[i] == 0 || der_len[i] > LONG_MAX
            || d2i_X509(&x, &p, (long)der_len[i]) == NULL || p != der[i] + der_len[i]) {
            ERR_pop_to_mark();
            X509_free(x);
            sk_X509_pop_free(sk, X509_free);
            *alert = SC_ALERT_BAD_CERTIFICATE;
            if (detail != NULL && detail_cap > 0)
                snprintf(detail, detail_cap,
                         "certificate %zu of the chain is not a DER X.509 certificate", i + 1);
            return SC_ERR_PROTOCOL;
        }
        ERR_pop_to_mark();
        if (!sk_X509_push(sk, x)) {
            X509_free(x);
            sk_X509_pop_free(sk, X509_free);
            return SC_ERR_NOMEM;
        }
    }
    *chain = sk;
    return SC_OK;
}
