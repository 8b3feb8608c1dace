/*
 * libsovchain: the Sovereign-Chain protocol (SC1) engine.
 *
 * Sans-I/O: the caller moves bytes between the engine and its transport.
 * Feed received bytes with sc_conn_feed(), send what sc_conn_output() holds,
 * and exchange application data with sc_conn_write() / sc_conn_read().
 * Every primitive comes from the OSSL_LIB_CTX given to sc_ctx_new(), fetched
 * once per context with the caller's property query.
 */
#ifndef SOVCHAIN_H
#define SOVCHAIN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <openssl/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SC_API __attribute__((visibility("default")))
#define SC_WUR __attribute__((warn_unused_result))
#else
#define SC_API
#define SC_WUR
#endif

/* ---- Errors: every function returning int returns SC_OK or one of these. */
#define SC_OK 0
#define SC_ERR_NOMEM -1        /* allocation failed */
#define SC_ERR_ARG -2          /* invalid argument */
#define SC_ERR_CRYPTO -3       /* a provider operation failed */
#define SC_ERR_CONFIG -4       /* the context is not usable as configured */
#define SC_ERR_STATE -5        /* call not allowed in this state */
#define SC_ERR_PROTOCOL -6     /* the peer broke the protocol (alert sent where the spec asks) */
#define SC_ERR_PEER_ALERT -7   /* the peer sent a fatal alert */
#define SC_ERR_TRUNCATED -8    /* end of stream without close_notify */
#define SC_ERR_CLOSED -9       /* the direction is closed (close_notify) */
#define SC_ERR_LOAD -10        /* a certificate, key, CA or CRL did not load */
#define SC_ERR_UNSUPPORTED -11 /* algorithm unknown or not offered by the providers */
#define SC_ERR_LIMIT -12       /* a sequence or size limit was reached */
#define SC_ERR_WITHDRAWN -13   /* the server withdrew an unopened deferred session */

SC_API const char *sc_strerror(int err);

/* ---- Alerts (SC1.md section 4, Alert). */
#define SC_ALERT_CLOSE_NOTIFY 0
#define SC_ALERT_UNEXPECTED_MESSAGE 10
#define SC_ALERT_BAD_RECORD_MAC 20
#define SC_ALERT_RECORD_OVERFLOW 22
#define SC_ALERT_HANDSHAKE_FAILURE 40
#define SC_ALERT_BAD_CERTIFICATE 42
#define SC_ALERT_UNSUPPORTED_CERTIFICATE 43
#define SC_ALERT_CERTIFICATE_REVOKED 44
#define SC_ALERT_CERTIFICATE_EXPIRED 45
#define SC_ALERT_ILLEGAL_PARAMETER 47
#define SC_ALERT_UNKNOWN_CA 48
#define SC_ALERT_ACCESS_DENIED 49
#define SC_ALERT_DECODE_ERROR 50
#define SC_ALERT_DECRYPT_ERROR 51
#define SC_ALERT_PROTOCOL_VERSION 70
#define SC_ALERT_INTERNAL_ERROR 80
#define SC_ALERT_WITHDRAWN 90
#define SC_ALERT_UNRECOGNIZED_NAME 112
#define SC_ALERT_CERTIFICATE_REQUIRED 116

/* The alert's name ("bad_record_mac"), or "unknown" for a code not in the table. */
SC_API const char *sc_alert_name(int code);

/* ---- Context: configuration shared by many connections; reference counted. */
typedef struct sc_ctx sc_ctx;
typedef struct sc_conn sc_conn;

typedef enum { SC_ROLE_CLIENT = 0, SC_ROLE_SERVER = 1 } sc_role;

/* Client certificate mode, the `mode` byte of ClientCertRequest. */
typedef enum {
    SC_VERIFY_NONE = 0,     /* not requested */
    SC_VERIFY_OPTIONAL = 1, /* requested; verified if sent */
    SC_VERIFY_REQUIRED = 2  /* a client without a certificate is refused */
} sc_verify_mode;

/*
 * Create a context over `libctx` (NULL: the default library context) with
 * property query `propq` (NULL: none). Every algorithm row is fetched once
 * here; rows whose fetch fails are not offered. On failure returns NULL and
 * stores the error in *err when err is not NULL.
 */
SC_API sc_ctx *sc_ctx_new(OSSL_LIB_CTX *libctx, const char *propq, sc_role role, int *err);
SC_API int sc_ctx_up_ref(sc_ctx *ctx);
SC_API void sc_ctx_free(sc_ctx *ctx);

/*
 * Credentials. `source` is a file path (PEM or DER) or an OSSL_STORE URI
 * ("file:...", a provider's URI such as "pkcs11:..."). The chain file holds
 * the leaf first, then intermediates. `pass` may be NULL.
 */
SC_API SC_WUR int sc_ctx_load_cert_chain(sc_ctx *ctx, const char *source);
SC_API SC_WUR int sc_ctx_load_private_key(sc_ctx *ctx, const char *source, const char *pass);
/* Trust anchors: a CA file (PEM, several certificates) and/or a hashed
 * directory (c_rehash layout). Either may be NULL, not both. */
SC_API SC_WUR int sc_ctx_load_trust(sc_ctx *ctx, const char *cafile, const char *capath);
/*
 * Server side: the CA names of ClientCertRequest (SC1.md section 4,
 * message 4) are the subjects of the CA file's certificates, in file order.
 * They are a hint that must fit in one handshake message: when they do not
 * all fit, only the first whole names that fit are sent. Returns how many
 * names are sent and stores in *total (may be NULL) how many certificates
 * the CA files held; fewer sent than held means the hint was shortened.
 * Anchors from a hashed directory are never named.
 */
SC_API size_t sc_ctx_ca_names_sent(const sc_ctx *ctx, size_t *total);
/* A CRL file (PEM or DER, several CRLs allowed); enables CRL checking of
 * every certificate in the peer's path. */
SC_API SC_WUR int sc_ctx_load_crl(sc_ctx *ctx, const char *crlfile);

/* Server side: whether to ask for a client certificate (default REQUIRED). */
SC_API SC_WUR int sc_ctx_set_verify_mode(sc_ctx *ctx, sc_verify_mode mode);

/*
 * Preference lists by name, separated by ':' or ','; case-insensitive.
 * Suites: "CHACHA20-POLY1305", "AES-256-GCM", "AES-128-GCM".
 * Groups: "none", "X448", "P-256", "P-384", "ML-KEM-768".
 * A name that is unknown, or not offered by the loaded providers, is
 * SC_ERR_UNSUPPORTED and leaves the list unchanged.
 */
SC_API SC_WUR int sc_ctx_set_suites(sc_ctx *ctx, const char *list);
SC_API SC_WUR int sc_ctx_set_groups(sc_ctx *ctx, const char *list);
/* The current lists, ':'-separated; valid until the next set call. */
SC_API const char *sc_ctx_get_suites(const sc_ctx *ctx);
SC_API const char *sc_ctx_get_groups(const sc_ctx *ctx);
/* Every suite or group these providers can compute, ':'-separated. */
SC_API const char *sc_ctx_available_suites(const sc_ctx *ctx);
SC_API const char *sc_ctx_available_groups(const sc_ctx *ctx);

/*
 * Client side: the name the server certificate must match (DNS name or IP
 * literal) and whether it is disclosed in ClientHello. A client always checks
 * a name: a client connection without one fails at sc_conn_start().
 * Can be overridden per connection with sc_conn_set_server_name().
 */
SC_API SC_WUR int sc_ctx_set_server_name(sc_ctx *ctx, const char *name, int disclose);

/*
 * Server side: admit or refuse a verified client. Called after the client's
 * signature verified, with the client's leaf (NULL when it sent none) and its
 * identity string (see sc_conn_peer_identity). Return 1 to admit, 0 to
 * refuse (the client gets access_denied).
 */
typedef int (*sc_identity_cb)(void *arg, X509 *leaf, const char *identity);
SC_API void sc_ctx_set_identity_cb(sc_ctx *ctx, sc_identity_cb cb, void *arg);

/*
 * Automatic key update of our write direction after `bytes` plaintext bytes
 * or `records` records under one secret, whichever comes first. 0 = the
 * protocol maximum (2^30 bytes, 2^24 records; AES-GCM stricter still).
 * Values above the protocol maximum are clamped to it.
 */
SC_API SC_WUR int sc_ctx_set_key_update_limits(sc_ctx *ctx, uint64_t bytes, uint64_t records);

/* Check certificates as of `t` instead of the current time (0: now). */
SC_API void sc_ctx_set_verify_time(sc_ctx *ctx, time_t t);

/* ---- Connection. */

typedef enum {
    SC_STATE_HANDSHAKE = 0, /* handshake under way */
    SC_STATE_OPEN,          /* application data both ways */
    SC_STATE_CLOSED,        /* both directions closed by close_notify: clean end */
    SC_STATE_FAILED         /* ended by an error: see sc_conn_error() */
} sc_state;

/* Handshake progress, for logs: step 1..12 was sent (sent=1) or received. */
typedef void (*sc_step_cb)(void *arg, int step, const char *name, int sent);

SC_API sc_conn *sc_conn_new(sc_ctx *ctx);
SC_API void sc_conn_free(sc_conn *conn);
SC_API void sc_conn_set_step_cb(sc_conn *conn, sc_step_cb cb, void *arg);
SC_API SC_WUR int sc_conn_set_server_name(sc_conn *conn, const char *name, int disclose);

/* Client: queue ClientHello. Server: nothing to do (may be called). */
SC_API SC_WUR int sc_conn_start(sc_conn *conn);

/*
 * Received bytes. Consumes what it can and sets *consumed; it stops taking
 * bytes while decrypted application data waits to be read (call
 * sc_conn_read, then feed the rest). Returns SC_OK or the fatal error that
 * ended the connection (its alert, if any, is then in the output).
 */
SC_API SC_WUR int sc_conn_feed(sc_conn *conn, const uint8_t *in, size_t len, size_t *consumed);
/* The transport reached end of stream. SC_OK if the peer had sent
 * close_notify, else SC_ERR_TRUNCATED (nothing is sent). */
SC_API SC_WUR int sc_conn_feed_eof(sc_conn *conn);

/* Bytes to send: a pointer into the engine's buffer and its length, valid
 * until the next call on this connection. Mark what was sent as consumed. */
SC_API const uint8_t *sc_conn_output(sc_conn *conn, size_t *len);
SC_API void sc_conn_output_consume(sc_conn *conn, size_t n);
/* Copying variant: moves up to `cap` bytes into `out`, sets *n. */
SC_API size_t sc_conn_take_output(sc_conn *conn, uint8_t *out, size_t cap);

/*
 * Application data. sc_conn_write seals up to `len` bytes (records of up to
 * 16384 bytes) and sets *consumed; it takes less when the output buffer holds
 * more than sc_conn_output_limit() bytes. SC_ERR_STATE before the handshake
 * completed (check sc_conn_can_write), SC_ERR_CLOSED after sc_conn_close.
 * sc_conn_read copies decrypted data: *n = 0 with SC_OK means none yet;
 * SC_ERR_CLOSED means the peer sent close_notify and all data was read.
 */
SC_API SC_WUR int sc_conn_write(sc_conn *conn, const uint8_t *data, size_t len, size_t *consumed);
SC_API SC_WUR int sc_conn_read(sc_conn *conn, uint8_t *out, size_t cap, size_t *n);
SC_API size_t sc_conn_pending_read(const sc_conn *conn);

/*
 * Zero-copy variants for relays. sc_conn_write_into first moves pending
 * engine output into `out`, then seals application data straight into it
 * (full 16384-byte records where room allows), setting *consumed and
 * *written. sc_conn_sealed_size(n) is the room that n plaintext bytes can
 * need. sc_conn_feed_into is sc_conn_feed that opens application data
 * straight into `out` (cap bytes), setting *n; data that does not fit is
 * kept for sc_conn_read, and feeding stops until it is read.
 */
SC_API SC_WUR int sc_conn_write_into(sc_conn *conn, const uint8_t *data, size_t len,
                                     size_t *consumed, uint8_t *out, size_t cap, size_t *written);
SC_API size_t sc_conn_sealed_size(size_t len);
SC_API SC_WUR int sc_conn_feed_into(sc_conn *conn, const uint8_t *in, size_t len, size_t *consumed,
                                    uint8_t *out, size_t cap, size_t *n);
SC_API size_t sc_conn_output_limit(const sc_conn *conn);
/* 1 while the output holds sc_conn_output_limit() bytes or more: feeding
 * takes nothing until some is sent (a peer that never reads cannot make the
 * engine queue replies without bound). */
SC_API int sc_conn_output_full(const sc_conn *conn);

/* Send close_notify: ends our direction (half-close). */
SC_API SC_WUR int sc_conn_close(sc_conn *conn);
/* Send a key update now; `request` 1 asks the peer to update too. */
SC_API SC_WUR int sc_conn_key_update(sc_conn *conn, int request);

/* ---- Queries. */
SC_API sc_state sc_conn_state(const sc_conn *conn);
SC_API int sc_conn_handshake_done(const sc_conn *conn);
SC_API int sc_conn_can_write(const sc_conn *conn);    /* open, not closed by us */
SC_API int sc_conn_peer_closed(const sc_conn *conn);  /* peer sent close_notify */
SC_API int sc_conn_write_closed(const sc_conn *conn); /* we sent close_notify */
SC_API int sc_conn_last_step(const sc_conn *conn);    /* 0..12 */
SC_API sc_role sc_conn_role(const sc_conn *conn);
/* The fatal error (SC_OK while none), and a sentence saying what happened. */
SC_API int sc_conn_error(const sc_conn *conn);
SC_API const char *sc_conn_error_detail(const sc_conn *conn);
/* Alert code sent / received, or -1 when none. */
SC_API int sc_conn_alert_sent(const sc_conn *conn);
SC_API int sc_conn_alert_received(const sc_conn *conn);
/* Negotiated suite and group ("CHACHA20-POLY1305", "none"); NULL before 2. */
SC_API const char *sc_conn_suite(const sc_conn *conn);
SC_API const char *sc_conn_group(const sc_conn *conn);
/* The peer's verified leaf (borrowed; NULL if none) and its identity:
 * the first DNS/IP/URI subjectAltName for a server, the subject CN for a
 * client whose subject holds exactly one (else the first SAN), as
 * "CN:name", "DNS:name", ... The identity is "" when the peer sent no
 * certificate, or one that names no identity this way. */
SC_API X509 *sc_conn_peer_cert(const sc_conn *conn);
SC_API const char *sc_conn_peer_identity(const sc_conn *conn);
/* Server side: the server_name the client disclosed in ClientHello, ""
 * when it sent none (or before step 1). */
SC_API const char *sc_conn_server_name(const sc_conn *conn);
/* Exporter (SC1.md section 7). Available once the handshake is done. */
SC_API SC_WUR int sc_conn_export(const sc_conn *conn, const char *label, const uint8_t *context,
                                 size_t context_len, uint8_t *out, size_t out_len);
/* Bytes of plaintext sent and received (application data). */
SC_API uint64_t sc_conn_bytes_sent(const sc_conn *conn);
SC_API uint64_t sc_conn_bytes_received(const sc_conn *conn);

/* ---- Deferred sessions (SC1.md section 4, Extensions: deferred_open).
 * A client offers deferred_open to set up a session before it has a
 * connection to relay; a server that allows it answers, and the session
 * then stays unopened after the handshake until the client's first
 * application-data record (an empty one included) reaches the server.
 * While unopened, the server seals no application data (key updates and
 * alerts only) and may withdraw the session. */

/* Client: offer deferred_open in 1. Server: answer it when offered.
 * Off by default; sc_conn_set_deferred_open overrides the context's
 * setting for one connection, before sc_conn_start. */
SC_API void sc_ctx_set_deferred_open(sc_ctx *ctx, int on);
SC_API SC_WUR int sc_conn_set_deferred_open(sc_conn *conn, int on);
/* 1 once both sides agreed (known from step 2 on). */
SC_API int sc_conn_deferred(const sc_conn *conn);
/* 1 once the handshake is done and the session is open: at once for a
 * session that is not deferred; for a deferred one, on the client once it
 * sent its first application-data record, on the server once it opened
 * the client's. The server checks this after each feed to learn that a
 * session opened. */
SC_API int sc_conn_opened(const sc_conn *conn);
/* Client: open a deferred session by queueing an empty application-data
 * record (sc_conn_write opens it too). SC_OK and nothing sent when the
 * session is open already or not deferred. */
SC_API SC_WUR int sc_conn_open(sc_conn *conn);
/* Server: end an unopened deferred session with the alert withdrawn; the
 * connection fails with SC_ERR_WITHDRAWN and discards what the client
 * sends after it. SC_ERR_STATE once the session opened (or if it is not a
 * deferred server session). A client that receives withdrawn on a deferred
 * session fails with SC_ERR_WITHDRAWN rather than SC_ERR_PEER_ALERT. */
SC_API SC_WUR int sc_conn_withdraw(sc_conn *conn);
/* Server, when a deferred session opens: apply the access policy of
 * `policy` (a server context, e.g. the one a reload made; NULL: the
 * connection's own) as it stands now to the client chain verified in step
 * 5: its trust anchors, CRLs, validity at its verify time and its identity
 * callback. SC_OK if the client is still admitted; else the connection
 * fails with SC_ERR_PROTOCOL after sending certificate_revoked,
 * certificate_expired, unknown_ca or access_denied as step 5 would. */
SC_API SC_WUR int sc_conn_recheck_peer(sc_conn *conn, const sc_ctx *policy);

/* ---- Records (SC1.md section 2), for a transport that relays them
 * whole: what their headers say, without the engine. */
#define SC_RECORD_HEADER_LEN 3
/* The most plaintext one record carries. */
#define SC_RECORD_MAX_PLAINTEXT 16384
/* Bytes the record starting at `p` takes, header included, from its first
 * `len` bytes; SC_RECORD_HEADER_LEN while fewer than that are given. */
SC_API size_t sc_record_next_len(const uint8_t *p, size_t len);
/* 1 if the record starting at `p` is application data, 0 if not (or if
 * len is 0). */
SC_API int sc_record_is_appdata(const uint8_t *p, size_t len);
/* 1 if `p`, the first `len` bytes a peer sent to a connection of `role`,
 * can begin SC1 (a hello the peer sends first, or an alert), 0 if they
 * cannot: the peer speaks something else. 1 when len is 0. */
SC_API int sc_record_looks_sc1(const uint8_t *p, size_t len, sc_role role);

#ifdef __cplusplus
}
#endif
#endif
