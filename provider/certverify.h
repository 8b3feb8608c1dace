/* Verifying a peer's chain (SC1.md section 9). */
#ifndef SC_CERTVERIFY_H
#define SC_CERTVERIFY_H

#include "attr.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <openssl/types.h>
#include <openssl/x509.h>

typedef struct {
    X509_STORE *store;         /* trust anchors and CRLs */
    int check_crl;             /* CRLs were configured */
    time_t verify_time;        /* 0 = now */
    int peer_is_server;        /* which EKU the leaf needs */
    const char *expected_name; /* client side: DNS name or IP literal; NULL on the server side */
    OSSL_LIB_CTX *libctx;
    const char *propq;
    /* Optional outs: how long the verdict holds, valid_from <= t <
     * valid_until. From the latest notBefore of the path to its earliest
     * notAfter and, with check_crl, within the lastUpdate..nextUpdate of
     * the CRLs of the path's issuers current at verify_time. */
    time_t *valid_from;
    time_t *valid_until;
} certverify_params;

/*
 * Build and check the path from the chain's leaf to a trust anchor, the
 * leaf's keyUsage / EKU / key type, and the name. SC_OK, or SC_ERR_PROTOCOL
 * with *alert set as section 9's table says, and a sentence in `detail`
 * (e.g. "no path from CN=x,O=y to a trust anchor").
 */
SC_WUR int certverify_chain(const certverify_params *p, STACK_OF(X509) * chain, uint8_t *alert,
                            char *detail, size_t detail_cap);

#endif
