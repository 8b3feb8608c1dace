/* Certificates, keys and signatures (SC1.md sections 8 and 9). */
#ifndef SC_CERT_H
#define SC_CERT_H

#include "attr.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <openssl/types.h>
#include <openssl/x509.h>

/* ---- Loading (file paths, PEM or DER, or OSSL_STORE URIs). */
SC_WUR int cert_load_chain(OSSL_LIB_CTX *libctx, const char *propq,
                    const char *source, STACK_OF(X509) **chain);
SC_WUR int cert_load_key(OSSL_LIB_CTX *libctx, const char *propq,
                  const char *source, const char *pass, EVP_PKEY **key);
/* Adds trust anchors to `store` and remembers the anchors' subjects in
 * `anchors` (may be NULL) for ClientCertRequest's CA names (canames.h). */
/* Certificates and CRLs are made in libctx, so their keys and signatures
 * are decoded and checked with its providers. */
SC_WUR int cert_load_trust(OSSL_LIB_CTX *libctx, const char *propq, X509_STORE *store,
                    STACK_OF(X509) *anchors, const char *cafile,
                    const char *capath);
SC_WUR int cert_load_crl(OSSL_LIB_CTX *libctx, const char *propq, X509_STORE *store,
                  const char *crlfile);
/* Whether `key` is the public key of `leaf`, and a type section 8 allows
 * (Ed25519, Ed448, ECDSA P-256/P-384, RSA >= 2048). */
int cert_key_matches(X509 *leaf, EVP_PKEY *key);

/* ---- Verification (section 9). */
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
} cert_verify_params;

/*
 * Parse DER certificates (leaf first) into *chain. A DER blob that does not
 * parse (or has trailing bytes) is SC_ERR_PROTOCOL with *alert =
 * bad_certificate and a sentence in `detail`.
 */
SC_WUR int cert_parse_chain(const uint8_t *const *der, const size_t *der_len,
                     size_t n, OSSL_LIB_CTX *libctx, const char *propq,
                     STACK_OF(X509) **chain, uint8_t *alert, char *detail,
                     size_t detail_cap);

/*
 * Build and check the path from the chain's leaf to a trust anchor, the
 * leaf's keyUsage / EKU / key type, and the name. SC_OK, or SC_ERR_PROTOCOL
 * with *alert set as section 9's table says, and a sentence in `detail`
 * (e.g. "no path from CN=x,O=y to a trust anchor").
 */
SC_WUR int cert_verify_chain(const cert_verify_params *p, STACK_OF(X509) *chain,
                      uint8_t *alert, char *detail, size_t detail_cap);

/* Section 9 name rules: SAN only, wildcard as the whole left-most label with
 * at least two labels after it, IP literal only against iPAddress. 1/0. */
int cert_name_matches(X509 *leaf, const char *name);

/* The identity for logs and policy: for a server the first SAN, for a
 * client the subject CN when the subject has exactly one (else the first
 * SAN; see certname.h), as "CN:x", "DNS:x", "IP:x", "URI:x". Writes a
 * NUL-terminated string; SC_OK or SC_ERR_ARG. */
SC_WUR int cert_identity(X509 *leaf, int is_server, char *out, size_t cap);

/* ---- Signatures (section 8): algorithm follows the key type. */
SC_WUR int sig_sign(OSSL_LIB_CTX *libctx, const char *propq, EVP_PKEY *key,
             const uint8_t *msg, size_t len, uint8_t *sig, size_t cap,
             size_t *sig_len);
/* sig_sign in two halves: the signing context for `key`, made once (the
 * init fetches the algorithm and, in OpenSSL 3.0, walks the whole name
 * map), and signatures that copy it. SC_ERR_UNSUPPORTED for a key type
 * section 8 does not allow. sig_sign_with only reads `signer`. */
SC_WUR int sig_signer_new(OSSL_LIB_CTX *libctx, const char *propq, EVP_PKEY *key,
                   EVP_MD_CTX **out);
SC_WUR int sig_sign_with(const EVP_MD_CTX *signer, EVP_PKEY *key,
                  const uint8_t *msg, size_t len, uint8_t *sig, size_t cap,
                  size_t *sig_len);
/* SC_OK, or SC_ERR_PROTOCOL (decrypt_error) when it does not verify. */
SC_WUR int sig_verify(OSSL_LIB_CTX *libctx, const char *propq, EVP_PKEY *pub,
               const uint8_t *msg, size_t len, const uint8_t *sig,
               size_t sig_len);
#define SIG_MAX_LEN 1024  /* up to RSA-8192 */

#endif
