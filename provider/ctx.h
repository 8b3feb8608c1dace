/* The context: configuration and fetched algorithms shared by connections. */
#ifndef SC_CTX_H
#define SC_CTX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <openssl/types.h>
#include <openssl/x509.h>

#include "algs.h"
#include "certcache.h"
#include "sovchain.h"

#define SC_MAX_OFFER 16

struct sc_ctx {
    int refs;
    sc_role role;
    sc_algs algs;

    STACK_OF(X509) * chain; /* own chain, leaf first */
    uint8_t *chain_body;    /* ...encoded once as message 3 / 5 */
    size_t chain_body_len;
    uint8_t *ca_names; /* anchors' subjects for message 4 */
    size_t ca_names_len;
    size_t ca_names_n; /* ...of the first this many anchors */
    cert_cache *cache; /* verified peer chains */
    EVP_PKEY *key;
    EVP_MD_CTX *signer;       /* for `key`; NULL: a type we cannot sign with */
    X509_STORE *store;        /* trust anchors (+ CRLs) */
    STACK_OF(X509) * anchors; /* anchors from the CA file, for CA names */
    int have_trust;
    int have_crl;
    sc_verify_mode verify_mode;

    uint16_t suites[SC_MAX_OFFER];
    size_t n_suites;
    uint16_t groups[SC_MAX_OFFER];
    size_t n_groups;
    char list_text[4][128]; /* suites, groups, available suites/groups */

    char *server_name;
    int disclose_name;
    sc_identity_cb identity_cb;
    void *identity_arg;
    uint64_t ku_bytes;
    uint64_t ku_records;
    time_t verify_time;
    int deferred_open; /* client: offer it; server: answer it */
};

/* Forget cached verdicts: the trust configuration changed. */
void ctx_trust_changed(sc_ctx *ctx);

/* Whether our preference list offers this code. */
int ctx_offers_suite(const sc_ctx *ctx, uint16_t code);
int ctx_offers_group(const sc_ctx *ctx, uint16_t code);

#endif
