/*
 * ppaccept_*: the PROXY header in front of SC1 (ppaccept.h).
 *
 * Only the header's own bytes are consumed: SC1 (or a WebSocket upgrade)
 * sent in the same segment stays in the socket's input buffer for what
 * follows. A connection whose first bytes are not a valid header is reset:
 * a peer that skipped the load balancer, or a balancer configured for
 * another protocol, must not pass with the balancer's address.
 */
#include "ppaccept.h"

#include <errno.h>
#include <string.h>

#include <event2/buffer.h>

#include "link_int.h"
#include "log.h"

void ppaccept_start(struct link *c)
{
    c->phase = PH_PROXY;
    link_arm(c, c->cfg->handshake_timeout);
    /* Bytes may already be waiting: the stream's edge was seen. */
    (void)ppaccept_step(c);
}

static int reject(struct link *c, enum metrics_end why, const char *what)
{
    /* A connection that could not even say who it is for fails as a
     * handshake does, before SC1 began: no alert, as SC1 never started. */
    if (why == METRICS_END_HANDSHAKE)
        metrics_handshake_failed(c->w->metrics, (size_t)(c->svc - c->w->rt->svc),
                                 METRICS_ALERT_NONE, -1);
    link_end_as(c, why);
    link_drop(c, RST_NET, "\"PROXY header rejected: %s\"", what);
    return -1;
}

/* After a LOCAL header (a balancer's health check), SC1 or the end. */
static int after_local(struct link *c, size_t left)
{
    if (left > 0)
        return link_net_start(c);
    if (c->net_eof) {
        link_end_as(c, METRICS_END_EOF);
        link_drop(c, 0, "\"health check: PROXY LOCAL header, then end of stream\"");
        return -1;
    }
    return 0;
}

int ppaccept_step(struct link *c)
{
    struct evbuffer *in = stream_input(c->net);
    struct proxyproto_addrs a;
    char err[200], lb[ADDR_TEXT_MAX];
    const uint8_t *p;
    size_t len, used = 0;
    int eof = 0, rc;

    if (!c->net_eof && stream_fill(c->net, PROXYPROTO_V2_MAX, &eof) < 0) {
        int e = errno;

        link_end_as(c, METRICS_END_RESET);
        /* Balancers' health checks connect (and send LOCAL) then reset:
         * one line per check interval would bury the rest at notice. */
        c->quiet = c->pp_local || evbuffer_get_length(in) == 0;
        if (c->pp_local)
            link_drop(c, RST_NET, "\"health check: PROXY LOCAL header, then reset\"");
        else
            link_drop(c, RST_NET, "\"reset (SC1 side) before the PROXY header: %s\"", strerror(e));
        return -1;
    }
    if (eof)
        c->net_eof = 1;
    len = evbuffer_get_length(in);
    if (c->pp_local)
        return after_local(c, len);
    if (len == 0)
        return c->net_eof ? reject(c, METRICS_END_HANDSHAKE, "end of stream, no header") : 0;
    if (len > PROXYPROTO_V2_MAX)
        len = PROXYPROTO_V2_MAX;
    if ((p = evbuffer_pullup(in, (ev_ssize_t)len)) == NULL) {
        link_drop(c, RST_NET, "\"out of memory\"");
        return -1;
    }
    rc = proxyproto_parse(p, len, &a, &used, err, sizeof(err));
    if (rc == 0 && (c->net_eof || len >= PROXYPROTO_V2_MAX))
        return reject(c, METRICS_END_HANDSHAKE,
                      c->net_eof ? "end of stream inside the header" : "header too long");
    if (rc == 0)
        return 0;
    if (rc < 0)
        return reject(c, METRICS_END_HANDSHAKE, err);
    evbuffer_drain(in, used);
    snprintf(lb, sizeof(lb), "%s", c->peer);
    if (a.local) {
        /* Health checks say nothing about a client: the socket's
         * address stays the peer. */
        log_info("[%s] %s PROXY LOCAL header", c->cfg->name, lb);
        c->pp_local = 1;
        return after_local(c, evbuffer_get_length(in));
    }
    c->pp = a;
    c->pp_got = 1;
    addr_format((const struct sockaddr *)&a.src, a.srclen, c->peer, sizeof(c->peer));
    log_info("[%s] %s PROXY header: client %s", c->cfg->name, lb, c->peer);
    return link_net_start(c);
}

void ppaccept_timeout(struct link *c)
{
    if (c->pp_local) {
        /* A health check that keeps its connection open: no client. */
        link_end_as(c, METRICS_END_TIMEOUT);
        link_drop(c, RST_NET, "\"no SC1 after a PROXY LOCAL header within handshake_timeout\"");
        return;
    }
    link_end_as(c, METRICS_END_TIMEOUT);
    link_drop(c, RST_NET, "\"PROXY header timeout: %zu bytes, no complete header\"",
              evbuffer_get_length(stream_input(c->net)));
}
