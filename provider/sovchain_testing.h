/*
 * Testing hooks of the SC1 engine: reproducible handshakes for the
 * known-answer vectors, recorded secrets, and records a misbehaving peer
 * would send. They exist for known-answer and negative tests only:
 * injected values replace fresh randomness and remove every security
 * property, and a recorded secret opens the session.
 *
 * This header is not installed and libsovchain.so does not export these
 * functions (its export list, provider/libsovchain.sym, holds the sc_*
 * API of sovchain.h and nothing else; tests/unit/test_exports.sh checks
 * it). Tests and tools reach them by linking provider/libsccore.la, the
 * convenience library the shared library is made of.
 *
 * Each hook applies to one connection. sc_testing_inject_random,
 * sc_testing_set_offer and sc_testing_set_extensions are called before the
 * connection's first sc_conn_start or sc_conn_feed.
 */
#ifndef SOVCHAIN_TESTING_H
#define SOVCHAIN_TESTING_H

#include "sovchain.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Values that replace fresh randomness. A NULL pointer or a zero length
 * keeps that value random. */
typedef struct {
    const uint8_t *nonce;
    size_t nonce_len; /* 32 bytes */
    const uint8_t *x25519_priv;
    size_t x25519_priv_len; /* 32 bytes */
    const uint8_t *kx_priv;
    size_t kx_priv_len; /* group's scalar; 0 = random */
} sc_testing_random;

/* Use r->nonce as the hello nonce, r->x25519_priv as the X25519 private
 * key and r->kx_priv as the private value for the negotiated group. Also
 * turns on the recording of secrets for sc_testing_get_secret (all-NULL
 * values turn recording on and keep every value random). */
SC_WUR int sc_testing_inject_random(sc_conn *conn, const sc_testing_random *r);

/* Extensions to send in our hello: `ext` is the raw ext block contents
 * (u16 type, u16 len, data ...). */
SC_WUR int sc_testing_set_extensions(sc_conn *conn, const uint8_t *ext, size_t len);

/* Offer raw suite and group codes (client: ClientHello lists; server: its
 * preference order), unknown codes included, instead of the context's
 * lists: 1 to 16 of each; NULL keeps a list. */
SC_WUR int sc_testing_set_offer(sc_conn *conn, const uint16_t *suites, size_t n_suites,
                                const uint16_t *groups, size_t n_groups);

/* A recorded secret or transcript hash by its name in the vectors ("TH7",
 * "dh", "hs", "c_hs", "ms", "c_ap+1", ...). Recording is on once random
 * values were injected. Copies into out (cap >= 64), sets *len.
 * SC_ERR_STATE when recording is off, SC_ERR_ARG for an unknown name or a
 * short buffer. */
SC_WUR int sc_testing_get_secret(const sc_conn *conn, const char *name, uint8_t *out, size_t cap,
                                 size_t *len);

/* Seal one record of any type under the current write key, as a peer
 * that misbehaves would (an empty application-data record, say).
 * SC_ERR_STATE before the handshake completed or after sc_conn_close. */
SC_WUR int sc_testing_send_record(sc_conn *conn, uint8_t type, const uint8_t *body, size_t len);

/* How often the context's verified-chain cache recognised a chain (hits)
 * and had to validate one (misses). */
SC_WUR int sc_testing_cache_stats(const sc_ctx *ctx, uint64_t *hits, uint64_t *misses);

#ifdef __cplusplus
}
#endif
#endif
