/* The key schedule's building blocks (SC1.md section 7), all with
 * SHA-256. HKDF is written out over HMAC (RFC 5869 is two lines of it) so
 * that one EVP_MAC_CTX, duplicated from the context's template, serves a
 * whole handshake: OpenSSL 3.0's HKDF makes fresh HMAC and digest contexts,
 * and fetches, on every derivation. A context that asks for FIPS derives
 * with the provider's HKDF (EVP_KDF) instead; see kdf.c. */
#ifndef SC_KDF_H
#define SC_KDF_H

#include "attr.h"

#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>

#include "algs.h"

/* One user's HMAC-SHA256: an EVP_MAC_CTX is not thread-safe, so each
 * connection (or call) has its own. Remembers the key it holds, so
 * expanding one secret into several labels keys HMAC once. */
typedef struct {
    const sc_algs *a;
    EVP_MAC_CTX *mac;
    EVP_KDF_CTX *hkdf; /* the provider's HKDF (FIPS), or NULL */
    uint8_t key[SC_HASH_LEN];
    int keyed; /* `mac` holds `key` */
} kdf_ctx;

/* On failure the kdf_ctx must still be cleared. */
SC_WUR int kdf_init(kdf_ctx *k, const sc_algs *a);
/* 1 when HKDF runs in the provider (EVP_KDF), 0 when over EVP_MAC. */
int kdf_uses_evp_kdf(const kdf_ctx *k);
/* Frees the MAC context and wipes the key; a cleared kdf_ctx may be
 * cleared again. */
void kdf_clear(kdf_ctx *k);

SC_WUR int kdf_extract(kdf_ctx *k, const uint8_t salt[SC_HASH_LEN], const uint8_t *ikm,
                       size_t ikm_len, uint8_t out[SC_HASH_LEN]);
/* Expand-Label(secret, label, context, L); label without the "sc1 " prefix. */
SC_WUR int kdf_expand_label(kdf_ctx *k, const uint8_t secret[SC_HASH_LEN], const char *label,
                            size_t label_len, const uint8_t *context, size_t context_len,
                            uint8_t *out, size_t out_len);
SC_WUR int kdf_derive_secret(kdf_ctx *k, const uint8_t secret[SC_HASH_LEN], const char *label,
                             const uint8_t *context, size_t context_len, uint8_t out[SC_HASH_LEN]);
SC_WUR int kdf_hmac(kdf_ctx *k, const uint8_t key[SC_HASH_LEN], const uint8_t *data, size_t len,
                    uint8_t out[SC_HASH_LEN]);
SC_WUR int kdf_hash(const sc_algs *a, const uint8_t *data, size_t len, uint8_t out[SC_HASH_LEN]);

#endif
