/*
 * What every fuzz target shares: known-answer case a's randomness
 * (vectors/a_chacha20_none_mutual.json, inputs.random), so seeds made of
 * case a's records drive a side through the whole handshake, and loading
 * the embedded test PKI (fuzz_pki.h) into a context.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdint.h>
#include <time.h>

#include "sovchain.h"

/* Case a's verify_time: the embedded certificates are valid then. */
#define FC_VERIFY_TIME ((time_t)1780272000)

extern const uint8_t fc_nonce_c[32], fc_x25519_c[32];
extern const uint8_t fc_nonce_s[32], fc_x25519_s[32];

/* What fc_load_pem loads. */
enum { FC_CERT, FC_KEY, FC_TRUST };

/* Load PEM text (a chain, a key or trust anchors) into ctx. */
int fc_load_pem(sc_ctx *ctx, const char *pem, int what);

#endif
