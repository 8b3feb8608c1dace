/* Handshake signatures (SC1.md section 8). */
#ifndef SC_SIG_H
#define SC_SIG_H

#include "attr.h"

#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>

/* Whether `key` is of a type section 8 allows (Ed25519, Ed448, ECDSA
 * P-256/P-384, RSA >= 2048). 1/0. */
int sig_key_ok(EVP_PKEY *key);

/* Algorithm follows the key type. */
SC_WUR int sig_sign(OSSL_LIB_CTX *libctx, const char *propq, EVP_PKEY *key, const uint8_t *msg,
                    size_t len, uint8_t *sig, size_t cap, size_t *sig_len);
/* sig_sign in two halves: the signing context for `key`, made once (the
 * init fetches the algorithm and, in OpenSSL 3.0, walks the whole name
 * map), and signatures that copy it. SC_ERR_UNSUPPORTED for a key type
 * section 8 does not allow. sig_sign_with only reads `signer`. */
SC_WUR int sig_signer_new(OSSL_LIB_CTX *libctx, const char *propq, EVP_PKEY *key, EVP_MD_CTX **out);
SC_WUR int sig_sign_with(const EVP_MD_CTX *signer, EVP_PKEY *key, const uint8_t *msg, size_t len,
                         uint8_t *sig, size_t cap, size_t *sig_len);
/* SC_OK, or SC_ERR_PROTOCOL (decrypt_error) when it does not verify. */
SC_WUR int sig_verify(OSSL_LIB_CTX *libctx, const char *propq, EVP_PKEY *pub, const uint8_t *msg,
                      size_t len, const uint8_t *sig, size_t sig_len);
#define SIG_MAX_LEN 1024 /* up to RSA-8192 */

#endif
