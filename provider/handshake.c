/* The handshake driver: one table row per step says who sends it, which
 * codec builds or handles it and which key schedule point follows it; the
 * driver only dispatches, so a message out of order falls out of the table
 * as unexpected_message. */
#include "handshake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "kdf.h"
#include "keysched.h"
#include "msg.h"

typedef int (*build_fn)(sc_conn *c, sc_buf *b);
typedef int (*handle_fn)(sc_conn *c, const uint8_t *body, size_t len);

/* `keys` runs once the step is sent, or received and handled; `check`,
 * when there is one, runs on a received step after `keys` (section 2: the
 * keys switch once 11 is parsed, before its signature is checked). */
typedef struct {
    const char *name;
    sc_role sender;
    build_fn build;
    handle_fn handle;
    keysched_point keys;
    handle_fn check;
    int th; /* TH_n is read (key schedule, MAC or signature) */
} step_row;

#define C SC_ROLE_CLIENT
#define S SC_ROLE_SERVER
static const step_row steps[MSG_LAST + 1] = {
    [MSG_CLIENT_HELLO] = { "ClientHello", C, msg_client_hello_build, msg_client_hello_handle,
                           KEYSCHED_NONE, NULL, 0 },
    [MSG_SERVER_HELLO] = { "ServerHello", S, msg_server_hello_build, msg_server_hello_handle,
                           KEYSCHED_HANDSHAKE, NULL, 1 },
    [MSG_SERVER_CERT] = { "ServerCertSend", S, msg_cert_chain_build, msg_server_cert_handle,
                          KEYSCHED_NONE, NULL, 0 },
    [MSG_CLIENT_CERT_REQUEST] = { "ClientCertRequest", S, msg_cert_request_build,
                                  msg_cert_request_handle, KEYSCHED_NONE, NULL, 0 },
    [MSG_CLIENT_CERT] = { "ClientCertSend", C, msg_cert_chain_build, msg_client_cert_handle,
                          KEYSCHED_NONE, NULL, 0 },
    [MSG_KEY_EXCHANGE1] = { "KeyExchange1", C, msg_kx1_build, msg_kx1_handle, KEYSCHED_NONE, NULL,
                            0 },
    [MSG_KEY_EXCHANGE2] = { "KeyExchange2", S, msg_kx2_build, msg_kx2_handle, KEYSCHED_MASTER, NULL,
                            1 },
    [MSG_KEY_CONFIRM1] = { "KeyConfirm1", C, msg_confirm1_build, msg_confirm1_handle, KEYSCHED_NONE,
                           NULL, 1 },
    [MSG_KEY_CONFIRM2] = { "KeyConfirm2", S, msg_confirm2_build, msg_confirm2_handle, KEYSCHED_NONE,
                           NULL, 1 },
    [MSG_CLIENT_AUTH] = { "ClientAuth", C, msg_client_auth_build, msg_client_auth_handle,
                          KEYSCHED_NONE, NULL, 1 },
    [MSG_SERVER_AUTH] = { "ServerAuth", S, msg_server_auth_build, msg_server_auth_handle,
                          KEYSCHED_APPLICATION, msg_server_auth_check, 1 },
    [MSG_SECURE_ACK] = { "SecureAck", S, msg_secure_ack_build, msg_secure_ack_handle,
                         KEYSCHED_EXPORTER, NULL, 1 },
};
#undef C
#undef S

const char *handshake_step_name(int step)
{
    return step >= MSG_FIRST && step <= MSG_LAST ? steps[step].name : "?";
}

int handshake_done(const sc_conn *c)
{
    return c->step == MSG_LAST;
}

static const char *state_name(const sc_conn *c)
{
    static const char *const waits[MSG_LAST + 1] = {
        "START",  "WAIT_1", "WAIT_2", "WAIT_3",  "WAIT_4",  "WAIT_5",  "WAIT_6",
        "WAIT_7", "WAIT_8", "WAIT_9", "WAIT_10", "WAIT_11", "WAIT_12",
    };
    if (handshake_done(c))
        return "CONNECTED";
    return waits[c->step + 1];
}

static void notify(sc_conn *c, int step, int sent)
{
    if (c->testing && c->hs) { /* a client's TH12 is recorded by keysched.c */
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
    while (!c->failed && c->step < MSG_LAST && steps[c->step + 1].sender == c->role) {
        int n = c->step + 1;
        sc_buf body = { 0 };
        int rc = steps[n].build(c, &body);

        if (rc == SC_OK && buf_len(&body) > REC_MAX_PLAIN)
            rc = conn_fail(c, SC_ERR_CONFIG, SC_ALERT_INTERNAL_ERROR, "%s would exceed one record",
                           steps[n].name);
        if (rc == SC_OK)
            rc = transcript_add(&c->hs->tr, n, buf_data(&body), buf_len(&body), keep_th(c, n));
        if (rc == SC_OK)
            rc = conn_send_record(c, (uint8_t)n, buf_data(&body), buf_len(&body));
        buf_free(&body);
        if (rc != SC_OK)
            return c->failed ? rc
                             : conn_fail(c, rc, SC_ALERT_INTERNAL_ERROR, "cannot send %s: %s",
                                         steps[n].name, sc_strerror(rc));
        c->step = n;
        notify(c, n, 1);
        if ((rc = keysched_advance(c, steps[n].keys)) != SC_OK)
            return c->failed ? rc
                             : conn_fail(c, rc, SC_ALERT_INTERNAL_ERROR,
                                         "key schedule after %s failed", steps[n].name);
    }
    return SC_OK;
}

int handshake_start(sc_conn *c)
{
    if (c->role != SC_ROLE_CLIENT || c->step != 0)
        return SC_OK;
    return send_flight(c);
}

int handshake_handle(sc_conn *c, int n, const uint8_t *body, size_t len)
{
    int rc;

    if (n < MSG_FIRST || n > MSG_LAST || c->hs == NULL)
        return SC_ERR_STATE;
    if ((rc = steps[n].handle(c, body, len)) != SC_OK)
        return rc;
    if ((rc = keysched_advance(c, steps[n].keys)) != SC_OK)
        return c->failed ? rc
                         : conn_fail(c, rc, SC_ALERT_INTERNAL_ERROR, "key schedule after %s failed",
                                     steps[n].name);
    if (steps[n].check != NULL)
        rc = steps[n].check(c, body, len);
    return rc;
}

int handshake_receive(sc_conn *c, uint8_t type, const uint8_t *body, size_t len)
{
    int n = c->step + 1;
    int rc;

    if (handshake_done(c) || type != n || steps[n].sender == c->role)
        return conn_reject(c, SC_ALERT_UNEXPECTED_MESSAGE, "got %s in state %s",
                           handshake_step_name(type), state_name(c));
    if ((rc = transcript_add(&c->hs->tr, n, body, len, keep_th(c, n))) != SC_OK)
        return conn_fail(c, rc, SC_ALERT_INTERNAL_ERROR, "transcript failed");
    if ((rc = handshake_handle(c, n, body, len)) != SC_OK)
        return c->failed ? rc
                         : conn_fail(c, rc, SC_ALERT_INTERNAL_ERROR, "handling %s failed: %s",
                                     steps[n].name, sc_strerror(rc));
    c->step = n;
    notify(c, n, 0);
    return send_flight(c);
}

void handshake_state_free(sc_conn *c)
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
