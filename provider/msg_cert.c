/* Messages 3 ServerCertSend, 4 ClientCertRequest and 5 ClientCertSend
 * (PROTOCOL.md sections 4 and 9). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "cert.h"
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

int cert_chain_build(sc_conn *c, sc_buf *b)
{
    STACK_OF(X509) *chain = c->ctx->chain;
    int n = sends_chain(c) ? sk_X509_num(chain) : 0;

    if (c->role == SC_ROLE_SERVER && n == 0)
        return conn_fail(c, SC_ERR_CONFIG, SC_ALERT_INTERNAL_ERROR,
                         "no server certificate and key configured");
    if (n > MAX_CHAIN)
        n = MAX_CHAIN;
    if (buf_u8(b, (uint8_t)n))
        return SC_ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        int len = i2d_X509(sk_X509_value(chain, i), NULL);
        uint8_t *w;
        if (len <= 0 || len > 0xFFFF || buf_u16(b, (uint16_t)len))
            return SC_ERR_CRYPTO;
        if ((w = buf_reserve(b, (size_t)len)) == NULL)
            return SC_ERR_NOMEM;
        if (i2d_X509(sk_X509_value(chain, i), &w) != len)
            return SC_ERR_CRYPTO;
        buf_commit(b, (size_t)len);
    }
    if (c->role == SC_ROLE_CLIENT)
        c->hs->peer_sent_cert = n > 0;   /* the client's own: for ClientAuth */
    return SC_OK;
}

/* u8 n_certs; n times u16 len (1..) || der. */
static int parse_chain(sc_conn *c, const char *msg, const uint8_t *body,
                       size_t len, int min, const uint8_t **der,
                       size_t *der_len, size_t *n)
{
    sc_cur cur;
    uint8_t count;

    cur_init(&cur, body, len);
    if (cur_u8(&cur, &count) != 0)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "%s truncated", msg);
    if (count < min || count > MAX_CHAIN)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "%s n_certs=%u", msg, count);
    for (size_t i = 0; i < count; i++)
        if (cur_vec16(&cur, &der[i], &der_len[i]) != 0 || der_len[i] == 0)
            return conn_reject(c, SC_ALERT_DECODE_ERROR, "%s truncated", msg);
    if (cur_end(&cur) != 0)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "%s has %zu trailing bytes", msg, cur.left);
    *n = count;
    return SC_OK;
}

static int verify_peer(sc_conn *c, const uint8_t **der, const size_t *der_len,
                       size_t n)
{
    cert_verify_params p = {
        .store = c->ctx->store,
        .check_crl = c->ctx->have_crl,
        .verify_time = c->ctx->verify_time,
        .peer_is_server = c->role == SC_ROLE_CLIENT,
        .expected_name = c->role == SC_ROLE_CLIENT ? c->server_name : NULL,
        .libctx = c->ctx->algs.libctx,
        .propq = c->ctx->algs.propq,
    };
    STACK_OF(X509) *chain = NULL;
    uint8_t alert = SC_ALERT_BAD_CERTIFICATE;
    int rc;

    rc = cert_parse_chain(der, der_len, n, p.libctx, p.propq, &chain, &alert,
                          c->detail, sizeof(c->detail));
    if (rc == SC_OK)
        rc = cert_verify_chain(&p, chain, &alert, c->detail, sizeof(c->detail));
    if (rc != SC_OK) {
        char why[sizeof(c->detail)];
        sk_X509_pop_free(chain, X509_free);
        memcpy(why, c->detail, sizeof(why));
        return conn_fail(c, rc == SC_ERR_PROTOCOL ? rc : SC_ERR_PROTOCOL,
                         rc == SC_ERR_PROTOCOL ? alert : SC_ALERT_INTERNAL_ERROR, "%s", why);
    }
    c->peer_chain = chain;
    if (cert_identity(sk_X509_value(chain, 0), c->role == SC_ROLE_CLIENT,
                      c->identity, sizeof(c->identity)) != SC_OK)
        c->identity[0] = '\0';
    return SC_OK;
}

int server_cert_handle(sc_conn *c, const uint8_t *body, size_t len)
{
    const uint8_t *der[MAX_CHAIN];
    size_t der_len[MAX_CHAIN], n;
    int rc = parse_chain(c, "ServerCertSend", body, len, 1, der, der_len, &n);

    return rc != SC_OK ? rc : verify_peer(c, der, der_len, n);
}

int client_cert_handle(sc_conn *c, const uint8_t *body, size_t len)
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
    return verify_peer(c, der, der_len, n);
}

int cert_request_build(sc_conn *c, sc_buf *b)
{
    uint8_t *names = NULL;
    size_t names_len = 0;
    int rc = SC_OK;

    c->hs->mode = (uint8_t)c->ctx->verify_mode;
    if (c->hs->mode != SC_VERIFY_NONE
        && (rc = cert_ca_names_encode(c->ctx->anchors, &names, &names_len)) != SC_OK)
        return rc;
    if (names_len > 0xFFFF)
        names_len = 0;   /* only a hint: too many CAs to list */
    if (buf_u8(b, c->hs->mode) || buf_u16(b, (uint16_t)names_len)
        || buf_put(b, names, names_len))
        rc = SC_ERR_NOMEM;
    OPENSSL_free(names);
    return rc;
}

int cert_request_handle(sc_conn *c, const uint8_t *body, size_t len)
{
    sc_cur cur;
    uint8_t mode;
    const uint8_t *names;
    size_t names_len;

    cur_init(&cur, body, len);
    if (cur_u8(&cur, &mode) != 0)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "ClientCertRequest truncated");
    if (mode > SC_VERIFY_REQUIRED)
        return conn_reject(c, SC_ALERT_ILLEGAL_PARAMETER, "ClientCertRequest mode %u", mode);
    if (cur_vec16(&cur, &names, &names_len) != 0)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "ClientCertRequest truncated");
    if (cur_end(&cur) != 0)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "ClientCertRequest has %zu trailing bytes",
                           cur.left);
    if (cert_ca_names_check(names, names_len) != SC_OK)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "ClientCertRequest CA names malformed");
    if (mode == SC_VERIFY_NONE && names_len > 0)
        return conn_reject(c, SC_ALERT_ILLEGAL_PARAMETER,
                           "ClientCertRequest mode 0 with %zu bytes of CA names", names_len);
    c->hs->mode = mode;
    return SC_OK;
}
