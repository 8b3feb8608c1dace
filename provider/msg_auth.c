/* Messages 10 ClientAuth and 11 ServerAuth: signatures over the transcript
 * (SC1.md sections 4 and 8). */
#include <string.h>
#include <openssl/x509.h>

#include "sig.h"
#include "msg.h"

#define CLIENT_CONTEXT "Sovereign-Chain v1 client auth"
#define SERVER_CONTEXT "Sovereign-Chain v1 server auth"

/* context || 0x00 || TH_n */
static size_t signed_content(uint8_t *out, const char *context, const uint8_t *th)
{
    size_t n = strlen(context) + 1;

    memcpy(out, context, n); /* copies the NUL as the 0x00 separator */
    memcpy(out + n, th, SC_HASH_LEN);
    return n + SC_HASH_LEN;
}

static int put_signature(sc_conn *c, sc_buf *b, const char *context, int th, int sign)
{
    uint8_t content[64 + SC_HASH_LEN], sig[SIG_MAX_LEN];
    size_t clen = signed_content(content, context, c->hs->tr.th[th]), slen = 0;
    int rc = SC_OK;

    if (sign)
        rc = c->ctx->signer == NULL
            ? SC_ERR_UNSUPPORTED
            : sig_sign_with(c->ctx->signer, c->ctx->key, content, clen, sig, sizeof(sig), &slen);
    if (rc == SC_OK && (buf_u16(b, (uint16_t)slen) || buf_put(b, sig, slen)))
        rc = SC_ERR_NOMEM;
    return rc;
}

static int parse_signature(sc_conn *c, const char *msg, const uint8_t *body, size_t len,
                           const uint8_t **sig, size_t *sig_len)
{
    sc_cur cur;

    buf_cur_init(&cur, body, len);
    if (buf_cur_vec16(&cur, sig, sig_len) != 0)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "%s truncated", msg);
    if (buf_cur_end(&cur) != 0)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "%s has %zu trailing bytes", msg, cur.left);
    return SC_OK;
}

static int check_signature(sc_conn *c, const char *context, int th, const uint8_t *sig,
                           size_t sig_len)
{
    uint8_t content[64 + SC_HASH_LEN];
    size_t clen = signed_content(content, context, c->hs->tr.th[th]);
    EVP_PKEY *pub = X509_get0_pubkey(sk_X509_value(c->peer_chain, 0));
    int rc;

    if (pub == NULL)
        return conn_reject(c, SC_ALERT_INTERNAL_ERROR, "peer certificate has no key");
    rc = sig_verify(c->ctx->algs.libctx, c->ctx->algs.propq, pub, content, clen, sig, sig_len);
    if (rc == SC_ERR_PROTOCOL)
        return conn_reject(c, SC_ALERT_DECRYPT_ERROR, "signature does not verify");
    return rc;
}

int msg_client_auth_build(sc_conn *c, sc_buf *b)
{
    return put_signature(c, b, CLIENT_CONTEXT, MSG_KEY_CONFIRM2, c->hs->peer_sent_cert);
}

int msg_client_auth_handle(sc_conn *c, const uint8_t *body, size_t len)
{
    const uint8_t *sig;
    size_t sig_len;
    int rc = parse_signature(c, "ClientAuth", body, len, &sig, &sig_len);
    X509 *leaf;

    if (rc != SC_OK)
        return rc;
    if (!c->hs->peer_sent_cert) {
        if (sig_len != 0)
            return conn_reject(c, SC_ALERT_ILLEGAL_PARAMETER,
                               "ClientAuth carries a signature but no certificate was sent");
    } else {
        if (sig_len == 0)
            return conn_reject(c, SC_ALERT_DECRYPT_ERROR, "ClientAuth signature is empty");
        if ((rc = check_signature(c, CLIENT_CONTEXT, MSG_KEY_CONFIRM2, sig, sig_len)) != SC_OK)
            return rc;
    }
    /* Local policy on the verified identity (section 4, step 10). */
    leaf = c->peer_chain ? sk_X509_value(c->peer_chain, 0) : NULL;
    if (c->ctx->identity_cb != NULL
        && !c->ctx->identity_cb(c->ctx->identity_arg, leaf, c->identity))
        return conn_reject(c, SC_ALERT_ACCESS_DENIED, "client identity '%s' refused by policy",
                           leaf != NULL && c->identity[0] != '\0' ? c->identity : "(none)");
    return SC_OK;
}

int msg_server_auth_build(sc_conn *c, sc_buf *b)
{
    return put_signature(c, b, SERVER_CONTEXT, MSG_CLIENT_AUTH, 1);
}

/* Section 2: keys switch once 11 is parsed, before its signature is
 * checked, so a rejection of the signature already travels under c_ap.
 * The handshake table runs the switch between these two. */
int msg_server_auth_handle(sc_conn *c, const uint8_t *body, size_t len)
{
    const uint8_t *sig;
    size_t sig_len;

    return parse_signature(c, "ServerAuth", body, len, &sig, &sig_len);
}

int msg_server_auth_check(sc_conn *c, const uint8_t *body, size_t len)
{
    const uint8_t *sig;
    size_t sig_len;
    int rc = parse_signature(c, "ServerAuth", body, len, &sig, &sig_len);

    if (rc == SC_OK)
        rc = check_signature(c, SERVER_CONTEXT, MSG_CLIENT_AUTH, sig, sig_len);
    return rc;
}
