/* Key agreement: the X25519 ephemeral exchange of steps 1-2 and the kx
 * groups of steps 6-7 (SC1.md section 5). */
#ifndef SC_KX_H
#define SC_KX_H

#include "attr.h"

#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>

#define KX_GROUP_NONE 0x0000
#define KX_GROUP_X448 0x001E
#define KX_GROUP_P256 0x0017
#define KX_GROUP_P384 0x0018
#define KX_GROUP_MLKEM768 0x0201
#define KX_X25519_EPH 0xFFFF /* pseudo-code: the ephemeral of steps 1-2 */

#define KX_MAX_SECRET 64 /* largest kx output (X448: 56) */
#define KX_GROUPS_MAX 8  /* room for the rows of kx_groups */

enum kx_kind { KX_KIND_NONE, KX_KIND_ECX, KX_KIND_EC, KX_KIND_KEM };

/* One row per kx group: its code and name, what the providers must offer,
 * and the wire sizes of the table in SC1.md section 5. */
typedef struct {
    uint16_t code;
    const char *name; /* our name, for configuration and logs */
    int by_default;   /* in a context's default list when offered */
    enum kx_kind kind;
    const char *keytype; /* EVP key type name */
    const char *group;   /* EC group name (KX_KIND_EC) */
    int nid;             /* EC curve, for injecting a test scalar */
    size_t client_share;
    size_t server_share;
    size_t secret;
    size_t scalar; /* injectable private key length */
} kx_group;

/* Section 5's groups in default preference order; adding a group is adding
 * a row. The ephemeral X25519 of steps 1-2 is not among them. */
extern const kx_group kx_groups[];
extern const size_t kx_group_count;

/* One algorithm prepared once per context: what the providers of `libctx`
 * (with `propq`) need to compute it. Opaque. */
typedef struct kx_alg kx_alg;

/* NULL when the providers cannot compute this group (or code unknown). */
kx_alg *kx_alg_fetch(OSSL_LIB_CTX *libctx, const char *propq, uint16_t code);
void kx_alg_free(kx_alg *alg);
uint16_t kx_alg_code(const kx_alg *alg);
/* Share lengths on the wire: client's (6) and server's (7). */
size_t kx_alg_client_share_len(const kx_alg *alg);
size_t kx_alg_server_share_len(const kx_alg *alg);

/*
 * Client (or either side for X25519): make a key pair. `inject`/`inject_len`
 * (testing) is the private key as in the vectors: X25519/X448 raw scalar,
 * P-256/P-384 big-endian scalar; NULL/0 = fresh random. For NONE, *priv is
 * NULL and the share is empty. The share is written to `share`
 * (cap >= client share len), its length to *share_len.
 */
SC_WUR int kx_keygen(const kx_alg *alg, const uint8_t *inject, size_t inject_len, EVP_PKEY **priv,
                     uint8_t *share, size_t cap, size_t *share_len);

/*
 * Combine our private key with the peer's share into the shared secret.
 * Used by the client for every group, and by both sides for X25519.
 * `secret` holds `secret_cap` bytes (SC_ERR_ARG when fewer than the group's
 * secret); on failure all of them are wiped, and no byte after them.
 * Returns SC_OK, or SC_ERR_PROTOCOL for a peer share that is invalid
 * (wrong length, not on the curve, identity) or gives an all-zero result
 * (X25519, X448): the alert is then illegal_parameter.
 */
SC_WUR int kx_derive(const kx_alg *alg, EVP_PKEY *priv, const uint8_t *peer, size_t peer_len,
                     uint8_t *secret, size_t secret_cap, size_t *secret_len);

/*
 * Server, steps 6-7: answer the client's share. For Diffie-Hellman groups
 * make a key pair (injectable as above) and derive; for ML-KEM encapsulate
 * (`inject` then unused). Writes the server's share (cap >= server share len)
 * and the secret (`secret_cap` bytes of room, as kx_derive). Errors as
 * kx_derive.
 */
SC_WUR int kx_respond(const kx_alg *alg, const uint8_t *client_share, size_t client_len,
                      const uint8_t *inject, size_t inject_len, uint8_t *share, size_t cap,
                      size_t *share_len, uint8_t *secret, size_t secret_cap, size_t *secret_len);

#endif
