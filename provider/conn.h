/* The connection object shared by the record layer, the handshake driver
 * and the message codecs. */
#ifndef SC_CONN_H
#define SC_CONN_H

#include "attr.h"

#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>
#include <openssl/x509.h>

#include "algs.h"
#include "buf.h"
#include "ctx.h"
#include "kdf.h"
#include "kx.h"
#include "record.h"
#include "sovchain.h"
#include "transcript.h"

#define SC_NONCE_LEN 32
#define SC_X25519_LEN 32

/* What only the handshake needs; freed (and wiped) when it completes. */
typedef struct {
    transcript tr;
    kdf_ctx kdf;                 /* the key schedule's HMAC */
    uint8_t nonce[SC_NONCE_LEN]; /* ours */
    EVP_PKEY *eph;               /* our X25519 private key */
    uint8_t eph_pub[SC_X25519_LEN];
    uint8_t dh[SC_HASH_LEN];
    uint8_t derived_ms[SC_HASH_LEN]; /* Derive-Secret(hs, "derived", "") */
    uint8_t ms[SC_HASH_LEN];
    uint8_t c_confirm[SC_HASH_LEN];
    uint8_t s_confirm[SC_HASH_LEN];
    uint8_t s_ack[SC_HASH_LEN];
    EVP_PKEY *kx_priv; /* client's group private key */
    uint8_t *kx_share; /* our share for 6 or 7 */
    size_t kx_share_len;
    uint8_t kx[KX_MAX_SECRET];
    size_t kx_len;
    uint8_t mode; /* ClientCertRequest mode */
    int peer_sent_cert;
    uint8_t *ext; /* extensions we send (testing) */
    size_t ext_len;
} hs_state;

typedef struct testing_log testing_log;

struct sc_conn {
    sc_ctx *ctx;
    sc_role role;
    int step; /* last handshake step sent or received */
    int failed;
    int err;
    char detail[256];
    int alert_sent;
    int alert_recv;
    int peer_closed;
    int we_closed;
    int opened_any;      /* a record from the peer was opened */
    int ku_reply_queued; /* our answer to a key-update request waits in out */
    int deferred_want;   /* client: offer deferred_open; server: answer it */
    int deferred;        /* both agreed: the session starts unopened */
    int opened;          /* a deferred session's first application data passed */
    int suite;           /* algs_suites row, -1 before 2 */
    int group;           /* kx_groups row, -1 before 2 */
    record_dir rd;
    record_dir wr;
    sc_buf in;       /* a partial record */
    sc_buf out;      /* bytes for the peer */
    sc_buf app;      /* opened application data not yet read */
    uint8_t *direct; /* sc_conn_feed_into: the caller's buffer */
    size_t direct_cap, direct_len;
    hs_state *hs;
    uint8_t exp[SC_HASH_LEN];
    STACK_OF(X509) * peer_chain;
    char identity[256];
    char *server_name;
    int disclose_name;
    char name_sent[256]; /* server: the name in the ClientHello, "" if none */
    uint64_t bytes_sent;
    uint64_t bytes_recv;
    sc_step_cb step_cb;
    void *step_arg;
    testing_log *testing;
    uint16_t *offer_suites; /* testing override of the offered codes */
    size_t n_offer_suites;
    uint16_t *offer_groups;
    size_t n_offer_groups;
};

/* Ends the connection: records the error and its sentence, and queues
 * `alert` (sealed under the current write key, or clear) unless it is -1.
 * Returns `err` so callers can `return conn_fail(...)`. */
SC_WUR int conn_fail(sc_conn *c, int err, int alert, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Shorthand: a protocol violation answered with `alert`. */
#define conn_reject(c, alert, ...) conn_fail((c), SC_ERR_PROTOCOL, (alert), __VA_ARGS__)

/* Seal one record with the current write key and queue it. */
SC_WUR int conn_send_record(sc_conn *c, uint8_t type, const uint8_t *body, size_t len);

/* Testing hooks (testing.c): record a named secret when recording is on. */
void testing_record(sc_conn *c, const char *name, const uint8_t *v, size_t len);
void testing_record_traffic(sc_conn *c, const char *name, const record_dir *d);
void testing_free(sc_conn *c);
/* Injected values, or NULL/0 when none. */
const uint8_t *testing_nonce(const sc_conn *c);
const uint8_t *testing_x25519(const sc_conn *c);
const uint8_t *testing_kx(const sc_conn *c, size_t *len);

/* The offered or preferred codes: the testing override, else the context's. */
size_t conn_suites(const sc_conn *c, const uint16_t **codes);
size_t conn_groups(const sc_conn *c, const uint16_t **codes);

#endif
