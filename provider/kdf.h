/* The key schedule's building blocks (PROTOCOL.md section 7), all with
 * SHA-256 through the context's fetched HKDF, HMAC and digest. */
#ifndef SC_KDF_H
#define SC_KDF_H

#include <stddef.h>
#include <stdint.h>

#include "algs.h"

int kdf_extract(const sc_algs *a, const uint8_t *salt, size_t salt_len,
                const uint8_t *ikm, size_t ikm_len, uint8_t out[SC_HASH_LEN]);
/* Expand-Label(secret, label, context, L); label without the "sc1 " prefix. */
int kdf_expand_label(const sc_algs *a, const uint8_t secret[SC_HASH_LEN],
                     const char *label, size_t label_len,
                     const uint8_t *context, size_t context_len,
                     uint8_t *out, size_t out_len);
int kdf_derive_secret(const sc_algs *a, const uint8_t secret[SC_HASH_LEN],
                      const char *label, const uint8_t *context,
                      size_t context_len, uint8_t out[SC_HASH_LEN]);
int kdf_hmac(const sc_algs *a, const uint8_t key[SC_HASH_LEN],
             const uint8_t *data, size_t len, uint8_t out[SC_HASH_LEN]);
int kdf_hash(const sc_algs *a, const uint8_t *data, size_t len,
             uint8_t out[SC_HASH_LEN]);

#endif
