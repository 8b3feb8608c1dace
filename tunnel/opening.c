/*
 * Deferred sessions in the tunnel (SC1.md section 4, Extensions:
 * deferred_open): a server's unopened sessions (opened, re-checked,
 * withdrawn), a client's pooled sessions taken by local connections, and
 * the retry of a connection whose session the server withdrew after it
 * opened, with what it had sent kept for that.
 */
#include "opening.h"

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "link_int.h"
#include "log.h"
#include "pool.h"
#include "relay.h"
#include "wslink.h"

/* Plaintext a client keeps, from opening a deferred session until the
 * server's first data, to resend it if the server withdraws the session. */
#define REPLAY_MAX (64 * 1024)
/* Sessions withdrawn under one connection before it gives up. */
#define RETRIES_MAX 3

static int retry(struct link *c);

/*
 * A client's session was withdrawn by the server (SC1.md section 4,
 * Extensions): nothing of it was relayed. A ready session is simply gone
 * (the pool refills); an opened one moves its connection to another
 * session, resending what it sent, while that is still kept. 1 if handled
 * (the connection goes on or ended quietly), 0 to end it as a failure.
 */
int opening_withdrawn(struct link *c)
{
    if (!c->client)
        return 0;
    if (!c->plain_up) {
        c->quiet = 1;
        link_drop(c, 0, "\"withdrawn by the server\"");
        return 1;
    }
    if (c->replay == NULL) {
        log_warning("[%s] %s withdrew the session after more than %u bytes were sent; "
                    "the connection cannot be retried",
                    c->cfg->name, c->peer, REPLAY_MAX);
        return 0;
    }
    log_info("[%s] %s withdrew the session after it opened; retrying %zu bytes on another",
             c->cfg->name, c->peer, evbuffer_get_length(c->replay));
    return retry(c) == 0;
}

/* Server: end an unopened session with `withdrawn`: the client retries
 * elsewhere, so this is not a failure. */
void opening_withdraw(struct link *c, const char *why)
{
    if (sc_conn_withdraw(c->sc) != SC_ERR_WITHDRAWN) {
        link_drop(c, RST_NET, "\"%s: cannot withdraw\"", why);
        return;
    }
    log_info("[%s] %s session withdrawn (%s)", c->cfg->name, c->peer, why);
    link_drop(c, FLUSH_NET | LINGER_NET, "\"withdrawn: %s\"", why);
}

void opening_withdraw_all(struct worker *w)
{
    struct link *c, *next;

    for (c = w->conns; c != NULL; c = next) {
        next = c->next;
        if (c->phase == PH_UNOPENED)
            opening_withdraw(c, "shutting down");
    }
}

struct link *opening_new_pooled(struct worker *w, struct service *svc)
{
    struct link *c = link_new(w, svc);

    if (c == NULL)
        return NULL;
    if (sc_conn_set_deferred_open(c->sc, 1) != SC_OK) {
        link_drop(c, 0, "\"cannot offer deferred_open\"");
        return NULL;
    }
    c->pooled = 1;
    c->quiet = 1;
    snprintf(c->plain, sizeof(c->plain), "pool");
    return c;
}

/* Client: a local connection on a ready session from the pool. The opening
 * record waits in the engine, so what the local client already sent goes
 * out in the same write (relay_pump reads before it writes). */
int opening_take_pooled(struct link *c, struct stream *s)
{
    struct timeval now, d;

    c->pin = c->pout = s;
    c->plain_up = 1;
    c->from_pool = 1;
    c->quiet = 0;
    event_base_gettimeofday_cached(c->w->base, &now);
    timersub(&now, &c->ready_at, &d);
    c->pool_wait = (double)d.tv_sec + (double)d.tv_usec / 1e6;
    c->start = now;
    if (sc_conn_open(c->sc) != SC_OK) {
        link_engine_failed(c, sc_conn_error(c->sc));
        return -1;
    }
    c->replay = evbuffer_new();
    c->phase = PH_OPEN;
    link_touch(c);
    link_arm(c, c->cfg->idle_timeout);
    return 0;
}

int opening_check(struct link *c)
{
    struct svc_gen *g;
    struct timeval now, d;
    int rc;

    if (c->client || !c->hs_done || c->plain_started)
        return 0;
    if (!sc_conn_opened(c->sc)) {
        /* Section 4, Extensions: a client that no longer wants an unopened
         * session sends close_notify; answer it and relay nothing. */
        if (sc_conn_peer_closed(c->sc) && sc_conn_close(c->sc) == SC_OK) {
            link_drop(c, FLUSH_NET, "\"closed before it opened\"");
            return -1;
        }
        return 0;
    }
    c->plain_started = 1;
    if (sc_conn_deferred(c->sc)) {
        /* The policy as it stands now: a reload since the handshake
         * applies to this session too. */
        g = service_gen_get(c->svc);
        rc = sc_conn_recheck_peer(c->sc, g->ctx);
        service_gen_put(g);
        c->quiet = 0;
        if (rc != SC_OK) {
            link_engine_failed(c, rc);
            return -1;
        }
        event_base_gettimeofday_cached(c->w->base, &now);
        timersub(&now, &c->start, &d);
        log_info("[%s] %s deferred session opened after %.3fs", c->cfg->name, c->peer,
                 (double)d.tv_sec + (double)d.tv_usec / 1e6);
        c->phase = PH_OPEN;
        link_touch(c);
        link_arm(c, c->cfg->idle_timeout);
    }
    return link_connect_next(c, NULL);
}

void opening_keep_sent(struct link *c, const uint8_t *p, size_t len)
{
    if (c->replay == NULL)
        return;
    if (c->received > 0 || evbuffer_get_length(c->replay) + len > REPLAY_MAX
        || evbuffer_add(c->replay, p, len) != 0) {
        /* The server's data proves the session opened for good; past the
         * limit the connection can no longer be retried. */
        evbuffer_free(c->replay);
        c->replay = NULL;
    }
}

/* Move a connection whose session was withdrawn to another session: a
 * ready one from the pool, else a fresh one (deferred too, so that it can
 * be retried again). What it sent since opening goes first. */
static int retry(struct link *c)
{
    struct link *p;

    if (c->retries++ >= RETRIES_MAX)
        return -1;
    stream_free(c->net, 0);
    c->net = NULL;
    sc_conn_free(c->sc);
    c->sc = NULL;
    /* The WebSocket state was that connection's (where its frames
     * stood, whether its close frame came): the next one has its own. */
    wslink_free(c);
    if (c->rekey != NULL) {
        event_free(c->rekey);
        c->rekey = NULL;
    }
    c->net_up = c->hs_done = c->net_eof = c->fed_eof = 0;
    c->peer_closed = c->sent_close = c->net_shut = 0;
    c->net_in = 0;
    c->rec_have = c->rec_left = 0;
    c->src[0] = '\0';
    c->first_len = 0;
    c->sent = 0;
    if (evbuffer_prepend_buffer(stream_input(c->pin), c->replay) != 0) {
        link_drop(c, RST_PLAIN, "\"withdrawn; cannot keep the data to resend\"");
        return 0;
    }
    if ((p = pool_take(c->w, c->svc)) != NULL) {
        c->net = p->net;
        c->sc = p->sc;
        memcpy(c->rec_hdr, p->rec_hdr, sizeof(c->rec_hdr));
        c->rec_have = p->rec_have;
        c->rec_left = p->rec_left;
        c->ws = p->ws;
        p->net = NULL;
        p->sc = NULL;
        p->ws = NULL;
        stream_set_cb(c->net, link_stream_ready, c);
        sc_conn_set_step_cb(c->sc, link_step_cb, c);
        snprintf(c->peer, sizeof(c->peer), "%s", p->peer);
        snprintf(c->src, sizeof(c->src), "%s", p->src);
        p->quiet = 1;
        link_drop(p, 0, "\"its session moved to a retried connection\"");
        c->net_up = 1;
        link_handshake_done(c);
        (void)relay_pump(c);
        return 0;
    }
    if ((c->sc = sc_conn_new(c->gen->ctx)) == NULL
        || sc_conn_set_deferred_open(c->sc, 1) != SC_OK) {
        link_drop(c, RST_PLAIN, "\"withdrawn; out of memory for a new session\"");
        return 0;
    }
    sc_conn_set_step_cb(c->sc, link_step_cb, c);
    c->next_addr = 0;
    (void)link_connect_next(c, NULL);
    return 0;
}
