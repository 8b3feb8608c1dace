/* Deferred sessions (SC1.md section 4, Extensions: deferred_open): the
 * unopened state after the handshake, opening, withdrawal, and the access
 * policy applied again when a session opens. The extension itself is
 * negotiated in ext.c; the record layer calls deferred_* as data passes. */
#include <string.h>
#include <time.h>

#include "certverify.h"
#include "deferred.h"
#include "handshake.h"

void sc_ctx_set_deferred_open(sc_ctx *ctx, int on)
{
    if (ctx != NULL)
        ctx->deferred_open = on != 0;
}

int sc_conn_set_deferred_open(sc_conn *c, int on)
{
    if (c == NULL)
        return SC_ERR_ARG;
    if (c->step != 0)
        return SC_ERR_STATE;
    c->deferred_want = on != 0;
    return SC_OK;
}

int sc_conn_deferred(const sc_conn *c)
{
    return c != NULL && c->deferred;
}

int sc_conn_opened(const sc_conn *c)
{
    return c != NULL && handshake_done(c) && (!c->deferred || c->opened);
}

int deferred_may_seal_data(const sc_conn *c)
{
    /* Section 4, Extensions: an unopened server relays nothing. */
    return !(c->role == SC_ROLE_SERVER && c->deferred && !c->opened);
}

void deferred_data_sent(sc_conn *c)
{
    c->opened = 1;
}

void deferred_data_received(sc_conn *c)
{
    /* The client's first application-data record, empty or not. */
    if (c->role == SC_ROLE_SERVER)
        c->opened = 1;
}

int deferred_alert_error(const sc_conn *c, uint8_t alert)
{
    return alert == SC_ALERT_WITHDRAWN && c->role == SC_ROLE_CLIENT && c->deferred
        ? SC_ERR_WITHDRAWN
        : SC_ERR_PEER_ALERT;
}

int sc_conn_open(sc_conn *c)
{
    int rc;

    if (c == NULL)
        return SC_ERR_ARG;
    if (c->failed)
        return c->err;
    if (c->role != SC_ROLE_CLIENT || !handshake_done(c))
        return SC_ERR_STATE;
    if (!c->deferred || c->opened)
        return SC_OK;
    if (c->we_closed)
        return SC_ERR_CLOSED;
    if ((rc = conn_send_record(c, REC_TYPE_APPDATA, NULL, 0)) != SC_OK)
        return conn_fail(c, rc, -1, "cannot seal the opening record: %s", sc_strerror(rc));
    c->opened = 1;
    return SC_OK;
}

int sc_conn_withdraw(sc_conn *c)
{
    if (c == NULL)
        return SC_ERR_ARG;
    if (c->failed)
        return c->err;
    if (c->role != SC_ROLE_SERVER || !handshake_done(c) || !c->deferred || c->opened)
        return SC_ERR_STATE;
    /* conn_fail also drops any partial record: what the client sends after
     * the alert is discarded, as the spec asks. */
    return conn_fail(c, SC_ERR_WITHDRAWN, SC_ALERT_WITHDRAWN, "session withdrawn before it opened");
}

int sc_conn_recheck_peer(sc_conn *c, const sc_ctx *policy)
{
    X509 *leaf;
    int rc;

    if (c == NULL)
        return SC_ERR_ARG;
    if (c->failed)
        return c->err;
    if (c->role != SC_ROLE_SERVER || !handshake_done(c))
        return SC_ERR_STATE;
    if (policy == NULL)
        policy = c->ctx;
    if (policy->role != SC_ROLE_SERVER)
        return SC_ERR_ARG;
    if (c->peer_chain != NULL) {
        certverify_params p = {
            .store = policy->store,
            .check_crl = policy->have_crl,
            .verify_time = policy->verify_time ? policy->verify_time : time(NULL),
            .peer_is_server = 0,
            .expected_name = NULL,
            .libctx = policy->algs.libctx,
            .propq = policy->algs.propq,
        };
        uint8_t alert = SC_ALERT_BAD_CERTIFICATE;
        char why[sizeof(c->detail)] = "";

        if (policy->store == NULL)
            return conn_fail(c, SC_ERR_CONFIG, SC_ALERT_INTERNAL_ERROR,
                             "at opening: no trust anchors to check the client against");
        rc = certverify_chain(&p, c->peer_chain, &alert, why, sizeof(why));
        if (rc == SC_ERR_PROTOCOL)
            return conn_reject(c, alert, "at opening: %s", why);
        if (rc != SC_OK)
            return conn_fail(c, rc, SC_ALERT_INTERNAL_ERROR,
                             "at opening: certificate check failed: %s", sc_strerror(rc));
    } else if (policy->verify_mode == SC_VERIFY_REQUIRED) {
        return conn_reject(c, SC_ALERT_CERTIFICATE_REQUIRED,
                           "at opening: the client sent no certificate and one is now required");
    }
    leaf = c->peer_chain ? sk_X509_value(c->peer_chain, 0) : NULL;
    if (policy->identity_cb != NULL
        && !policy->identity_cb(policy->identity_arg, leaf, c->identity))
        return conn_reject(c, SC_ALERT_ACCESS_DENIED,
                           "at opening: client identity '%s' refused by policy",
                           leaf != NULL && c->identity[0] != '\0' ? c->identity : "(none)");
    return SC_OK;
}
