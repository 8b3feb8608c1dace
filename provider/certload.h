/* Credentials and trust (SC1.md sections 8 and 9). */
#ifndef SC_CERTLOAD_H
#define SC_CERTLOAD_H

#include "attr.h"

#include <openssl/types.h>
#include <openssl/x509.h>

/* Loading (file paths, PEM or DER, or OSSL_STORE URIs). */
SC_WUR int certload_chain(OSSL_LIB_CTX *libctx, const char *propq, const char *source,
                          STACK_OF(X509) * *chain);
SC_WUR int certload_key(OSSL_LIB_CTX *libctx, const char *propq, const char *source,
                        const char *pass, EVP_PKEY **key);
/* Adds trust anchors to `store` and remembers the anchors' subjects in
 * `anchors` (may be NULL) for ClientCertRequest's CA names (canames.h). */
/* Certificates and CRLs are made in libctx, so their keys and signatures
 * are decoded and checked with its providers. */
SC_WUR int certload_trust(OSSL_LIB_CTX *libctx, const char *propq, X509_STORE *store,
                          STACK_OF(X509) * anchors, const char *cafile, const char *capath);
SC_WUR int certload_crl(OSSL_LIB_CTX *libctx, const char *propq, X509_STORE *store,
                        const char *crlfile);
/* Whether `key` is the public key of `leaf`, and a type section 8 allows
 * (Ed25519, Ed448, ECDSA P-256/P-384, RSA >= 2048). */
int certload_key_matches(X509 *leaf, EVP_PKEY *key);

#endif
