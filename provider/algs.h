/* Provider-style algorithm tables: each suite, kx group and hash/MAC/KDF is
 * a row naming the EVP algorithm it needs. A context fetches every row once
 * from its OSSL_LIB_CTX and property query and offers only what succeeded. */
#ifndef SC_ALGS_H
#define SC_ALGS_H

#include "attr.h"

#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>

#include "kx.h"

#define SC_HASH_LEN 32
#define SC_TAG_LEN 16
#define SC_IV_LEN 12

typedef struct {
    uint16_t code;
    const char *name;     /* our name, for configuration and logs */
    const char *evp_name; /* what EVP_CIPHER_fetch is asked for */
    size_t key_len;
    uint64_t max_records; /* per key: AES-GCM is stricter (section 4) */
} algs_suite_row;

extern const algs_suite_row algs_suites[];
extern const size_t algs_suite_count;

/* Row index (of algs_suites; of kx.h's kx_groups) by code or by name
 * (case-insensitive; '_' and '-' alike); -1. */
int algs_suite_by_code(uint16_t code);
int algs_suite_by_name(const char *name, size_t len);
int algs_group_by_code(uint16_t code);
int algs_group_by_name(const char *name, size_t len);

typedef struct {
    OSSL_LIB_CTX *libctx;
    char *propq;
    EVP_MD *sha256;
    EVP_MAC *hmac;
    EVP_MAC_CTX *hmac_sha256; /* HMAC with its digest set: duplicated per user */
    EVP_KDF *hkdf;            /* the provider's HKDF: set when FIPS is asked
                                  * for (algs_wants_fips), else NULL */
    /* Section 7's first two steps see only zeros: s0 = Extract(0, 0) and
     * Derive-Secret(s0, "derived", "") are the same for every handshake. */
    uint8_t s0[SC_HASH_LEN];
    uint8_t derived_hs[SC_HASH_LEN];
    kx_alg *eph;                  /* X25519 for steps 1-2 */
    EVP_CIPHER *cipher[8];        /* by suite row; NULL = not offered */
    kx_alg *group[KX_GROUPS_MAX]; /* by kx_groups row; NULL = not offered */
} sc_algs;

/* SC_OK, or an error when a mandatory algorithm (SHA-256, HMAC, X25519,
 * at least one suite; HKDF when FIPS is asked for) is missing. */
SC_WUR int algs_fetch(sc_algs *a, OSSL_LIB_CTX *libctx, const char *propq);
/* Whether this library context and property query ask for FIPS: a clause
 * "fips=yes" (or "?fips=yes", or bare "fips") in `propq`, FIPS default
 * properties on `libctx`, or an HMAC that comes from the "fips" provider.
 * The key schedule then derives with the provider's own HKDF (EVP_KDF)
 * rather than HKDF written out over EVP_MAC (kdf.c). */
int algs_wants_fips(OSSL_LIB_CTX *libctx, const char *propq, const EVP_MAC *hmac);
void algs_release(sc_algs *a);

#endif
