/* The handshake driver: one table row per step says who sends it and which
 * codec builds or handles it; the driver only dispatches, so a message out
 * of order falls out of the table as unexpected_message. */
#include "handshake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "kdf.h"
#include "msg.h"

typedef struct {
    const char *name;
    sc_role sender;
    int (*build)(sc_conn *c, sc_buf *b);
    int (*handle)(sc_conn *c, const uint8_t *body, size_t len);
    int (*after_send)(sc_conn *c);
    int th;        /* TH_n is read (key schedule, MAC or signature) */
} step_row;

static const step_row steps[13] = {
    [1]  = { "ClientHello",       SC_ROLE_CLIENT, client_hello_build, client_hello_handle, NULL, 0 },
    [2]  = { "ServerHello",       SC_ROLE_SERVER, server_hello_build, server_hello_handle, after_server_hello_sent, 1 },
    [3]  = { "ServerCertSend",    SC_ROLE_SERVER, cert_chain_build,   server_cert_handle,  NULL, 0 },
    [4]  = { "ClientCertRequest", SC_ROLE_SERVER, cert_request_build, cert_request_handle, NULL, 0 },
    [5]  = { "ClientCertSend",    SC_ROLE_CLIENT, cert_chain_build,   client_cert_handle,  NULL, 0 },
    [6]  = { "KeyExchange1",      SC_ROLE_CLIENT, kx1_build,          kx1_handle,          NULL, 0 },
    [7]  = { "KeyExchange2",      SC_ROLE_SERVER, kx2_build,          kx2_handle,          after_kx2_sent, 1 },
    [8]  = { "KeyConfirm1",       SC_ROLE_CLIENT, confirm1_build,     confirm1_handle,     NULL, 1 },
    [9]  = { "KeyConfirm2",       SC_ROLE_SERVER, confirm2_build,     confirm2_handle,     NULL, 1 },
    [10] = { "ClientAuth",        SC_ROLE_CLIENT, client_auth_build,  client_auth_handle,  NULL, 1 },
    [11] = { "ServerAuth",        SC_ROLE_SERVER, server_auth_build,  server_auth_handle,  after_server_auth_sent, 1 },
    [12] = { "SecureAck",         SC_ROLE_SERVER, secure_ack_build,   secure_ack_handle,   after_secure_ack_sent, 1 },
};

const char *hs_step_name(int step)
{
    return step >= 1 && step <= 12 ? steps[step].name : "?";
}

int hs_done(const sc_conn *c)
{
    return c->step == 12;
}

static const char *state_name(const sc_conn *c)
{
    static const char *const waits[13] = {
        "START", "WAIT_1", "WAIT_2", "WAIT_3", "WAIT_4", "WAIT_5", "WAIT_6",
        "WAIT_7", "WAIT_8", "WAIT_9", "WAIT_10", "WAIT_11", "WAIT_12",
    };
    if (hs_done(c))
        return "CONNECTED";
    return waits[c->step + 1];
}

static void notify(sc_conn *c, int step, int sent)
{
    if (c->testing && c->hs) {   /* 12 is recorded by ks_finish */
        char name[16];
        snprintf(name, sizeof(name), "TH%d", step);
        testing_record(c, name, c->hs->tr.th[step], SC_HASH_LEN);
    }
    if (c->step_cb)
        c->step_cb(c->step_arg, step, steps[step].name, sent);
}

/* Tests record every TH_n (notify); otherwise only the ones read. */
static int keep_th(const sc_conn *c, int step)
{
    return steps[step].th || c->testing != NULL;
}

/* Send every consecutive step that is ours: one flight (section 1). */
static int send_flight(sc_conn *c)
{
    while (!c->failed && c->step < 12 && steps[c->step + 1].sender == c->role) {
        int n = c->step + 1;
        sc_buf body = { 0 };
        int rc = steps[n].build(c, &body);

        if (rc == SC_OK && buf_len(&body) > REC_MAX_PLAIN)
            rc = conn_fail(c, SC_ERR_CONFIG, SC_ALERT_INTERNAL_ERROR,
                           "%s would exceed one record", steps[n].name);
        if (rc == SC_OK)
            rc = transcript_add(&c->hs->tr, n, buf_data(&body), buf_len(&body), keep_th(c, n));
        if (rc == SC_OK)
            rc = conn_send_record(c, (uint8_t)n, buf_data(&body), buf_len(&body));
        buf_free(&body);
        if (rc != SC_OK)
            return c->failed ? rc : conn_fail(c, rc, SC_ALERT_INTERNAL_ERROR,
                                              "cannot send %s: %s", steps[n].name, sc_strerror(rc));
        c->step = n;
        notify(c, n, 1);
        if (steps[n].after_send && (rc = steps[n].after_send(c)) != SC_OK)
            return c->failed ? rc : conn_fail(c, rc, SC_ALERT_INTERNAL_ERROR,
                                              "key schedule after %s failed", steps[n].name);
    }
    return SC_OK;
}

int hs_start(sc_conn *c)
{
    if (c->role != SC_ROLE_CLIENT || c->step != 0)
        return SC_OK;
    return send_flight(c);
}

int hs_receive(sc_conn *c, uint8_t type, const uint8_t *body, size_t len)
{
    int n = c->step + 1;
    int rc;

    if (hs_done(c) || type != n || steps[n].sender == c->role)
        return conn_reject(c, SC_ALERT_UNEXPECTED_MESSAGE, "got %s in state %s",
                           hs_step_name(type), state_name(c));
    if ((rc = transcript_add(&c->hs->tr, n, body, len, keep_th(c, n))) != SC_OK)
        return conn_fail(c, rc, SC_ALERT_INTERNAL_ERROR, "transcript failed");
    if ((rc = steps[n].handle(c, body, len)) != SC_OK)
        return c->failed ? rc : conn_fail(c, rc, SC_ALERT_INTERNAL_ERROR,
                                          "handling %s failed: %s", steps[n].name, sc_strerror(rc));
    c->step = n;
    notify(c, n, 0);
    return send_flight(c);
}

void hs_state_free(sc_conn *c)
{
    hs_state *h = c->hs;

    if (h == NULL)
        return;
    transcript_free(&h->tr);
    kdf_clear(&h->kdf);
    EVP_PKEY_free(h->eph);
    EVP_PKEY_free(h->kx_priv);
    if (h->kx_share) {
        OPENSSL_cleanse(h->kx_share, h->kx_share_len);
        free(h->kx_share);
    }
    free(h->ext);
    OPENSSL_cleanse(h, sizeof(*h));
    free(h);
    c->hs = NULL;
}

/* ---- Key schedule (section 7). */

static int install_pair(sc_conn *c, const uint8_t cs[SC_HASH_LEN],
                        const uint8_t ss[SC_HASH_LEN], const char *cname,
                        const char *sname)
{
    kdf_ctx *k = &c->hs->kdf;
    int is_client = c->role == SC_ROLE_CLIENT;
    int rc;

    rc = rec_install(&c->wr, k, c->suite, 1, is_client ? cs : ss);
    if (rc == SC_OK)
        rc = rec_install(&c->rd, k, c->suite, 0, is_client ? ss : cs);
    c->wr.base = is_client ? cname : sname;
    c->rd.base = is_client ? sname : cname;
    c->wr.gen = c->rd.gen = 0;
    if (rc == SC_OK && c->testing) {
        testing_record_traffic(c, is_client ? cname : sname, &c->wr);
        testing_record_traffic(c, is_client ? sname : cname, &c->rd);
    }
    return rc;
}

int ks_install_handshake_keys(sc_conn *c)
{
    const sc_algs *a = &c->ctx->algs;
    hs_state *h = c->hs;
    kdf_ctx *k = &h->kdf;
    uint8_t hs[SC_HASH_LEN], cs[SC_HASH_LEN], ss[SC_HASH_LEN];
    int rc;

    /* s0 and its "derived" secret are constants, computed per context.
     * hs is used here only: its "derived" secret for ms is taken now,
     * while HMAC holds hs as its key. */
    rc = kdf_extract(k, a->derived_hs, h->dh, sizeof(h->dh), hs);
    if (rc == SC_OK)
        rc = kdf_derive_secret(k, hs, "c hs", h->tr.th[2], SC_HASH_LEN, cs);
    if (rc == SC_OK)
        rc = kdf_derive_secret(k, hs, "s hs", h->tr.th[2], SC_HASH_LEN, ss);
    if (rc == SC_OK)
        rc = kdf_derive_secret(k, hs, "derived", NULL, 0, h->derived_ms);
    if (rc == SC_OK && c->testing) {
        testing_record(c, "dh", h->dh, sizeof(h->dh));
        testing_record(c, "s0", a->s0, sizeof(a->s0));
        testing_record(c, "derived_for_hs", a->derived_hs, sizeof(a->derived_hs));
        testing_record(c, "hs", hs, sizeof(hs));
        testing_record(c, "c_hs", cs, sizeof(cs));
        testing_record(c, "s_hs", ss, sizeof(ss));
    }
    if (rc == SC_OK)
        rc = install_pair(c, cs, ss, "c_hs", "s_hs");
    OPENSSL_cleanse(hs, sizeof(hs));
    OPENSSL_cleanse(cs, sizeof(cs));
    OPENSSL_cleanse(ss, sizeof(ss));
    OPENSSL_cleanse(h->dh, sizeof(h->dh));
    return rc;
}

int ks_derive_master(sc_conn *c)
{
    hs_state *h = c->hs;
    kdf_ctx *k = &h->kdf;
    int rc;

    rc = kdf_extract(k, h->derived_ms, h->kx, h->kx_len, h->ms);
    if (rc == SC_OK)
        rc = kdf_derive_secret(k, h->ms, "c confirm", h->tr.th[7], SC_HASH_LEN, h->c_confirm);
    if (rc == SC_OK)
        rc = kdf_derive_secret(k, h->ms, "s confirm", h->tr.th[7], SC_HASH_LEN, h->s_confirm);
    if (rc == SC_OK && c->testing) {
        testing_record(c, "derived_for_ms", h->derived_ms, sizeof(h->derived_ms));
        testing_record(c, "kx", h->kx, h->kx_len);
        testing_record(c, "ms", h->ms, sizeof(h->ms));
        testing_record(c, "c_confirm", h->c_confirm, sizeof(h->c_confirm));
        testing_record(c, "s_confirm", h->s_confirm, sizeof(h->s_confirm));
    }
    OPENSSL_cleanse(h->derived_ms, sizeof(h->derived_ms));
    OPENSSL_cleanse(h->kx, sizeof(h->kx));
    return rc;
}

int ks_install_application_keys(sc_conn *c)
{
    hs_state *h = c->hs;
    kdf_ctx *k = &h->kdf;
    uint8_t cs[SC_HASH_LEN], ss[SC_HASH_LEN];
    int rc;

    rc = kdf_derive_secret(k, h->ms, "c ap", h->tr.th[11], SC_HASH_LEN, cs);
    if (rc == SC_OK)
        rc = kdf_derive_secret(k, h->ms, "s ap", h->tr.th[11], SC_HASH_LEN, ss);
    if (rc == SC_OK)
        rc = kdf_derive_secret(k, h->ms, "s ack", h->tr.th[11], SC_HASH_LEN, h->s_ack);
    if (rc == SC_OK && c->testing) {
        testing_record(c, "c_ap", cs, sizeof(cs));
        testing_record(c, "s_ap", ss, sizeof(ss));
        testing_record(c, "s_ack", h->s_ack, sizeof(h->s_ack));
    }
    if (rc == SC_OK)
        rc = install_pair(c, cs, ss, "c_ap", "s_ap");
    OPENSSL_cleanse(cs, sizeof(cs));
    OPENSSL_cleanse(ss, sizeof(ss));
    return rc;
}

int ks_finish(sc_conn *c)
{
    hs_state *h = c->hs;
    int rc = kdf_derive_secret(&h->kdf, h->ms, "exporter", h->tr.th[12],
                               SC_HASH_LEN, c->exp);

    if (rc == SC_OK && c->testing) {
        char name[16];
        snprintf(name, sizeof(name), "TH%d", 12);
        testing_record(c, name, h->tr.th[12], SC_HASH_LEN);
        testing_record(c, "exp", c->exp, sizeof(c->exp));
    }
    hs_state_free(c);
    return rc;
}
