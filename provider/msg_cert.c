/* Messages 3 ServerCertSend, 4 ClientCertRequest and 5 ClientCertSend
 * (SC1.md sections 4 and 9). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "canames.h"
#include "certchain.h"
#include "certid.h"
#include "certverify.h"
#include "certcache.h"
#include "kdf.h"
#include "msg.h"

#define MAX_CHAIN 8

/* Whether this side sends its certificate: the server always, the client
 * when asked (mode 1 or 2) and configured with one. */
static int sends_chain(const sc_conn *c)
{
    if (c->ctx->chain == NULL || c->ctx->key == NULL)
        return 0;
    return c->role == SC_ROLE_SERVER || c->hs->mode != SC_VERIFY_NONE;
}

int msg_cert_chain_build(sc_conn *c, sc_buf *b)
{
    int sends = sends_chain(c);

    if (c->role == SC_ROLE_SERVER && !sends)
        return conn_fail(c, SC_ERR_CONFIG, SC_ALERT_INTERNAL_ERROR,
                         "no server certificate and key configured");
    if (c->role == SC_ROLE_CLIENT)
        c->hs->peer_sent_cert = sends; /* the client's own: for ClientAuth */
    if (!sends)
        return buf_u8(b, 0) == 0 ? SC_OK : SC_ERR_NOMEM;
    /* Encoded once when the chain was loaded. */
    return buf_put(b, c->ctx->chain_body, c->ctx->chain_body_len) == 0 ? SC_OK : SC_ERR_NOMEM;
}

/* u8 n_certs; n times u16 len (1..) || der. */
static int parse_chain(sc_conn *c, const char *msg, const uint8_t *body, size_t len, int min,
                       const uint8_t **der, size_t *der_len, size_t *n)
{
    sc_cur cur;
    uint8_t count;

    buf_cur_init(&cur, body, len);
    if (buf_cur_u8(&cur, &count) != 0)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "%s truncated", msg);
    if (count < min || count > MAX_CHAIN)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "%s n_certs=%u", msg, count);
    for (size_t i = 0; i < count; i++)
        if (buf_cur_vec16(&cur, &der[i], &der_len[i]) != 0 || der_len[i] == 0)
            return conn_reject(c, SC_ALERT_DECODE_ERROR, "%s truncated", msg);
    if (buf_cur_end(&cur) != 0)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "%s has %zu trailing bytes", msg, cur.left);
    *n = count;
    return SC_OK;
}

/* Path validation (section 9) of a chain not seen before; the verdict is
 * cached for the context under the hash of the message body. */
static int verify_new_chain(sc_conn *c, const uint8_t key[SC_HASH_LEN], const uint8_t **der,
                            const size_t *der_len, size_t n, time_t now, STACK_OF(X509) * *chain)
{
    time_t from = 0, until = 0;
    certverify_params p = {
        .store = c->ctx->store,
        .check_crl = c->ctx->have_crl,
        .verify_time = now,
        .peer_is_server = c->role == SC_ROLE_CLIENT,
        .expected_name = NULL, /* per connection: checked by the caller */
        .libctx = c->ctx->algs.libctx,
        .propq = c->ctx->algs.propq,
        .valid_from = &from,
        .valid_until = &until,
    };
    uint8_t alert = SC_ALERT_BAD_CERTIFICATE;
    char why[sizeof(c->detail)] = "";
    int rc;

    rc = certchain_parse(der, der_len, n, p.libctx, p.propq, chain, &alert, why, sizeof(why));
    if (rc == SC_OK)
        rc = certverify_chain(&p, *chain, &alert, why, sizeof(why));
    if (rc != SC_OK) {
        sk_X509_pop_free(*chain, X509_free);
        *chain = NULL;
        if (rc != SC_ERR_PROTOCOL)
            return conn_fail(c, rc, SC_ALERT_INTERNAL_ERROR, "certificate check failed: %s",
                             sc_strerror(rc));
        return conn_reject(c, alert, "%s", why);
    }
    cert_cache_put(c->ctx->cache, key, *chain, from, until, now);
    return SC_OK;
}

static int verify_peer(sc_conn *c, const uint8_t *body, size_t len, const uint8_t **der,
                       const size_t *der_len, size_t n)
{
    time_t now = c->ctx->verify_time ? c->ctx->verify_time : time(NULL);
    STACK_OF(X509) *chain = NULL;
    uint8_t key[SC_HASH_LEN];
    X509 *leaf;
    int rc;

    if ((rc = kdf_hash(&c->ctx->algs, body, len, key)) != SC_OK)
        return conn_fail(c, rc, SC_ALERT_INTERNAL_ERROR, "cannot hash the certificate chain");
    if (!cert_cache_get(c->ctx->cache, key, now, &chain)
        && (rc = verify_new_chain(c, key, der, der_len, n, now, &chain)) != SC_OK)
        return rc;
    c->peer_chain = chain;
    leaf = sk_X509_value(chain, 0);
    if (c->role == SC_ROLE_CLIENT && !certid_matches(leaf, c->server_name))
        return conn_reject(c, SC_ALERT_BAD_CERTIFICATE,
                           "server certificate does not match name '%s'", c->server_name);
    if (certid_identity(leaf, c->role == SC_ROLE_CLIENT, c->identity, sizeof(c->identity)) != SC_OK)
        c->identity[0] = '\0';
    return SC_OK;
}

int msg_server_cert_handle(sc_conn *c, const uint8_t *body, size_t len)
{
    const uint8_t *der[MAX_CHAIN];
    size_t der_len[MAX_CHAIN], n;
    int rc = parse_chain(c, "ServerCertSend", body, len, 1, der, der_len, &n);

    return rc != SC_OK ? rc : verify_peer(c, body, len, der, der_len, n);
}

int msg_client_cert_handle(sc_conn *c, const uint8_t *body, size_t len)
{
    const uint8_t *der[MAX_CHAIN];
    size_t der_len[MAX_CHAIN], n;
    int rc = parse_chain(c, "ClientCertSend", body, len, 0, der, der_len, &n);

    if (rc != SC_OK)
        return rc;
    if (n == 0) {
        if (c->hs->mode == SC_VERIFY_REQUIRED)
            return conn_reject(c, SC_ALERT_CERTIFICATE_REQUIRED, "client sent no certificate");
        return SC_OK;
    }
    if (c->hs->mode == SC_VERIFY_NONE)
        return conn_reject(c, SC_ALERT_ILLEGAL_PARAMETER,
                           "client sent a certificate that was not requested");
    c->hs->peer_sent_cert = 1;
    return verify_peer(c, body, len, der, der_len, n);
}

int msg_cert_request_build(sc_conn *c, sc_buf *b)
{
    const sc_ctx *ctx = c->ctx;
    /* The CA names are only a hint: with mode 0 they must be empty, and
     * sc_ctx_load_trust kept no more than the message holds. */
    size_t names_len = ctx->verify_mode == SC_VERIFY_NONE || ctx->ca_names_len > CANAMES_MAX
        ? 0
        : ctx->ca_names_len;

    c->hs->mode = (uint8_t)ctx->verify_mode;
    if (buf_u8(b, c->hs->mode) || buf_u16(b, (uint16_t)names_len)
        || buf_put(b, ctx->ca_names, names_len))
        return SC_ERR_NOMEM;
    return SC_OK;
}

int msg_cert_request_handle(sc_conn *c, const uint8_t *body, size_t len)
{
    sc_cur cur;
    uint8_t mode;
    const uint8_t *names;
    size_t names_len;

    buf_cur_init(&cur, body, len);
    if (buf_cur_u8(&cur, &mode) != 0)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "ClientCertRequest truncated");
    if (mode > SC_VERIFY_REQUIRED)
        return conn_reject(c, SC_ALERT_ILLEGAL_PARAMETER, "ClientCertRequest mode %u", mode);
    if (buf_cur_vec16(&cur, &names, &names_len) != 0)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "ClientCertRequest truncated");
    if (buf_cur_end(&cur) != 0)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "ClientCertRequest has %zu trailing bytes",
                           cur.left);
    if (canames_check(names, names_len) != SC_OK)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "ClientCertRequest CA names malformed");
    if (mode == SC_VERIFY_NONE && names_len > 0)
        return conn_reject(c, SC_ALERT_ILLEGAL_PARAMETER,
                           "ClientCertRequest mode 0 with %zu bytes of CA names", names_len);
    c->hs->mode = mode;
    return SC_OK;
}
