/*
 * One relayed connection's life: accepting, connecting (with failover),
 * the handshake's start and end, timers, and the end. The engine is
 * sans-I/O: relay.c drives it between two streams (stream.h), the SC1
 * socket and the plaintext side, so bytes that arrive right behind
 * message 12 are handled like any others, with no filter installed
 * mid-stream.
 *
 * link_drop() is the one place a connection ends: it cancels its timers and
 * events, logs the one line, and frees.
 */
#define _GNU_SOURCE
#include "link.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <event2/buffer.h>

#include "link_int.h"
#include "log.h"
#include "opening.h"
#include "pool.h"
#include "ppaccept.h"
#include "ppsend.h"
#include "relay.h"
#include "stream.h"
#include "wslink.h"

/* How long a failed connection may take to deliver its alert. */
#define DRAIN_MS 5000

/* The end when even its sentence cannot be allocated. */
static char why_oom[] = "\"out of memory\"";

static void link_finish(struct link *c);
static void drain_step(struct link *c);
static void timer_cb(evutil_socket_t fd, short what, void *arg);
static void no_delay(int fd);

/* ---- Ending. */

static double elapsed(const struct link *c)
{
    struct timeval now, d;

    event_base_gettimeofday_cached(c->w->base, &now);
    timersub(&now, &c->start, &d);
    return (double)d.tv_sec + (double)d.tv_usec / 1e6;
}

static const char *or_dash(const char *s)
{
    return s != NULL && *s != '\0' ? s : "-";
}

static void free_stream(struct stream **s, int reset)
{
    stream_free(*s, reset);
    *s = NULL;
}

static void free_plain(struct link *c, int reset)
{
    if (c->pout == c->pin)
        c->pout = NULL;
    free_stream(&c->pin, reset);
    free_stream(&c->pout, reset);
}

/* ---- Metrics. */

static size_t svc_index(const struct link *c)
{
    return (size_t)(c->svc - c->w->rt->svc);
}

void link_end_as(struct link *c, enum metrics_end why)
{
    if (c->end == METRICS_END_COUNT)
        c->end = why;
}

/* A connection of the service began: a socket was accepted (or --stdio).
 * A pool's sessions count only once a connection takes one. */
static void count_open(struct link *c)
{
    c->counted = 1;
    metrics_opened(c->w->metrics, svc_index(c));
}

void link_count_bytes(struct link *c)
{
    metrics_bytes(c->w->metrics, svc_index(c), c->sent - c->counted_sent,
                  c->received - c->counted_received);
    c->counted_sent = c->sent;
    c->counted_received = c->received;
}

/* Log the one line and free everything. */
static void link_finish(struct link *c)
{
    struct worker *w = c->w;
    int lvl = c->failed ? (c->hs_done ? LVL_NOTICE : LVL_WARNING) : LVL_NOTICE;
    char pool[48] = "";

    if (c->pooled)
        pool_lost(c);
    /* Sessions that never carried a connection (pooled, or unopened on a
     * server) come and go in the background: -v shows them. */
    if (c->quiet)
        lvl = LVL_INFO;
    if (c->from_pool)
        snprintf(pool, sizeof(pool), " pool=%.3fs", c->pool_wait);
    else if (c->client && !c->stdio)
        snprintf(pool, sizeof(pool), " pool=no");
    link_count_bytes(c);
    if (c->counted)
        metrics_ended(w->metrics, svc_index(c),
                      c->end == METRICS_END_COUNT ? METRICS_END_ERROR : c->end);

    log_msg(lvl,
            "[%s] close peer=%s plain=%s%s%s identity=%s suite=%s group=%s "
            "sent=%llu received=%llu%s duration=%.3fs end=%s%s%s",
            c->cfg->name, c->peer, c->plain, c->client ? " src=" : "",
            c->client ? or_dash(c->src[0] != '\0' ? c->src : NULL) : "",
            or_dash(c->sc != NULL ? sc_conn_peer_identity(c->sc) : NULL),
            or_dash(c->sc != NULL ? sc_conn_suite(c->sc) : NULL),
            or_dash(c->sc != NULL ? sc_conn_group(c->sc) : NULL), (unsigned long long)c->sent,
            (unsigned long long)c->received, pool, elapsed(c), c->why != NULL ? c->why : "",
            c->uid[0] != '\0' ? " id=" : "", c->uid);
    if (c->replay != NULL)
        evbuffer_free(c->replay);
    if (c->timer != NULL)
        event_free(c->timer);
    if (c->rekey != NULL)
        event_free(c->rekey);
    via_free(c->via);
    free_plain(c, 0);
    free_stream(&c->net, 0);
    wslink_free(c);
    sc_conn_free(c->sc);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    w->nconns--;
    if (c->stdio)
        w->last_failed = c->failed;
    atomic_fetch_sub(&c->svc->live, 1);
    service_gen_put(c->gen);
    if (c->why != why_oom)
        free(c->why);
    free(c);
    worker_conn_removed(w);
}

/*
 * End the connection. `flags` says which sides get a reset rather than an
 * end of stream (section 4, Alert: truncation and fatal alerts are errors,
 * so the plaintext service must see an error, not a clean end), and whether
 * the engine's last output (its alert) is delivered first.
 */
void link_drop(struct link *c, int flags, const char *fmt, ...)
{
    va_list ap;
    struct timeval tv = { DRAIN_MS / 1000, 0 };

    if (c->why == NULL) {
        va_start(ap, fmt);
        if (vasprintf(&c->why, fmt, ap) < 0)
            c->why = why_oom;
        va_end(ap);
    }
    if (c->phase == PH_DRAIN)
        return;
    if (flags & (RST_PLAIN | RST_NET))
        c->failed = 1;
    free_plain(c, flags & RST_PLAIN);
    if (c->rekey != NULL)
        event_del(c->rekey);
    if ((flags & FLUSH_NET) && c->net != NULL && c->net_up) {
        relay_flush_engine(c, 1);
        if (relay_net_flush(c) >= 0 && (relay_net_pending(c) > 0 || (flags & LINGER_NET))) {
            /* The rest goes out as the peer reads (link_stream_ready). */
            c->phase = PH_DRAIN;
            c->linger = (flags & LINGER_NET) != 0;
            evtimer_add(c->timer, &tv);
            drain_step(c);
            return;
        }
    }
    if (flags & RST_NET)
        free_stream(&c->net, 1);
    link_finish(c);
}

/*
 * PH_DRAIN: the last output goes out as the peer reads; with `linger` we
 * then shut down writing and read (discarding) until the peer's end of
 * stream, so that a reset caused by unread data does not overtake the alert
 * (SC1.md section 4, Extensions: withdrawn). The drain timer bounds both.
 */
static void drain_step(struct link *c)
{
    struct stream *s = c->net;
    int eof = 0;
    ssize_t n;

    if (relay_net_flush(c) < 0) {
        link_finish(c);
        return;
    }
    if (relay_net_pending(c) > 0)
        return;
    if (!c->linger) {
        link_finish(c);
        return;
    }
    if (!c->net_shut) {
        shutdown(stream_fd(s), SHUT_WR);
        c->net_shut = 1;
    }
    do {
        n = stream_fill(s, LINK_WATERMARK, &eof);
        evbuffer_drain(stream_input(s), evbuffer_get_length(stream_input(s)));
    } while (n > 0 && !eof);
    if (n < 0 || eof)
        link_finish(c);
}

/* A reset (or write error) on one side is passed on as a reset on the
 * other, so neither service mistakes it for a clean end. */
void link_drop_reset(struct link *c, int net_side, const char *err)
{
    link_end_as(c, METRICS_END_RESET);
    if (net_side)
        link_drop(c, RST_PLAIN, "\"reset (SC1 side): %s\"", err);
    else
        link_drop(c, RST_NET, "\"reset (plaintext side): %s\"", err);
}

/* The engine ended the connection: say why, as the log line needs it. */
void link_engine_failed(struct link *c, int rc)
{
    int err = sc_conn_error(c->sc) != SC_OK ? sc_conn_error(c->sc) : rc;
    int sent = sc_conn_alert_sent(c->sc), recv = sc_conn_alert_received(c->sc);
    const char *detail = sc_conn_error_detail(c->sc);
    const char *stage = c->hs_done ? "" : "handshake failed: ";
    char what[128], alien[96];
    const char *odd = c->hs_done ? NULL : link_not_sc1(c, alien, sizeof(alien));

    if (err == SC_ERR_PEER_ALERT && recv >= 0)
        snprintf(what, sizeof(what), "alert received %s", sc_alert_name(recv));
    else if (sent > 0)
        snprintf(what, sizeof(what), "alert sent %s", sc_alert_name(sent));
    else if (err == SC_ERR_TRUNCATED)
        snprintf(what, sizeof(what),
                 "truncated (end of stream without "
                 "close_notify)");
    else if (err == SC_ERR_PROTOCOL)
        /* Section 2: e.g. an alert record that cannot be opened closes the
         * connection without a reply, so say that nothing was sent. */
        snprintf(what, sizeof(what), "protocol error (no alert sent)");
    else
        snprintf(what, sizeof(what), "%s", sc_strerror(err));
    if (err == SC_ERR_WITHDRAWN && opening_withdrawn(c) != 0)
        return;
    c->failed = 1;
    if (odd == NULL)
        odd = "";
    if (!c->hs_done) {
        link_end_as(c, METRICS_END_HANDSHAKE);
        if (err == SC_ERR_PEER_ALERT && recv >= 0)
            metrics_handshake_failed(c->w->metrics, svc_index(c), METRICS_ALERT_RECEIVED, recv);
        else if (sent > 0)
            metrics_handshake_failed(c->w->metrics, svc_index(c), METRICS_ALERT_SENT, sent);
        else
            metrics_handshake_failed(c->w->metrics, svc_index(c), METRICS_ALERT_NONE, -1);
    } else {
        link_end_as(c, err == SC_ERR_TRUNCATED ? METRICS_END_TRUNCATED : METRICS_END_ALERT);
    }
    if (detail != NULL && *detail != '\0')
        link_drop(c, RST_PLAIN | FLUSH_NET, "\"%s%s%s: %s\"", stage, odd, what, detail);
    else
        link_drop(c, RST_PLAIN | FLUSH_NET, "\"%s%s%s\"", stage, odd, what);
}

/* ---- Timers. */

void link_arm(struct link *c, unsigned ms)
{
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

    if (ms == 0)
        evtimer_del(c->timer);
    else
        evtimer_add(c->timer, &tv);
}

void link_touch(struct link *c)
{
    event_base_gettimeofday_cached(c->w->base, &c->last);
}

static void rekey_cb(evutil_socket_t fd, short what, void *arg)
{
    struct link *c = arg;

    if (!sc_conn_can_write(c->sc))
        return;
    /* A peer that reads nothing gets no more updates queued for it: the
     * next tick comes soon enough once it reads again. */
    if (relay_net_pending(c) >= LINK_WATERMARK)
        return;
    if (sc_conn_key_update(c->sc, 0) != SC_OK)
        log_info("[%s] %s key update refused", c->cfg->name, c->peer);
    relay_pump(c);
}

/* ---- Connecting (failover through `connect` in order). */

/* Why connecting failed, as the log says it: through a proxy, the
 * failure to reach the proxy names the proxy. */
static const char *connect_why(const struct link *c, const char *why, char *buf, size_t len)
{
    if (!c->client || c->cfg->via == NULL || c->via != NULL)
        return why;
    snprintf(buf, len, "proxy %s unreachable: %s", c->cfg->via->label, why);
    return buf;
}

int link_connect_next(struct link *c, const char *lasterr)
{
    const struct addrv *to = &c->cfg->connect;
    const struct viaurl *via = c->client ? c->cfg->via : NULL;
    struct stream *s;
    char buf[400];
    int fd;

    while (c->next_addr < to->n) {
        const struct addr *a = &to->v[c->next_addr++];
        /* Through a proxy, every target is asked of the proxy. */
        const struct addr *hop = via != NULL ? &via->addr : a;

        if ((fd = addr_socket(hop)) < 0
            || (s = stream_connect(c->w->base, fd, (struct sockaddr *)&hop->sa, hop->salen,
                                   link_stream_ready, c))
                == NULL) {
            lasterr = connect_why(c, strerror(errno), buf, sizeof(buf));
            log_info("[%s] connect %s: %s", c->cfg->name, a->text, lasterr);
            continue;
        }
        c->connecting = s;
        if (c->client) {
            c->net = s;
            snprintf(c->peer, sizeof(c->peer), "%s", a->text);
        } else {
            c->pin = c->pout = s;
            snprintf(c->plain, sizeof(c->plain), "%s", a->text);
        }
        c->phase = PH_CONNECT;
        link_arm(c, c->cfg->connect_timeout);
        return 0;
    }
    link_end_as(c, METRICS_END_CONNECT);
    link_drop(c, c->client ? RST_PLAIN : RST_NET, "\"connect failed: %s\"",
              lasterr != NULL ? lasterr : "no address");
    return -1;
}

/* The connection being made failed: forget it and try the next address. */
static int connect_failed(struct link *c, const char *why)
{
    const char *target = c->client ? c->peer : c->plain;
    char buf[400];

    why = connect_why(c, why, buf, sizeof(buf));
    log_info("[%s] connect %s: %s", c->cfg->name, target, why);
    via_free(c->via);
    c->via = NULL;
    if (c->client)
        free_stream(&c->net, 0);
    else
        free_plain(c, 0);
    c->connecting = NULL;
    return link_connect_next(c, why);
}

void link_step_cb(void *arg, int step, const char *name, int sent)
{
    struct link *c = arg;

    log_info("[%s] %s step %d %s %s", c->cfg->name, c->peer, step, name,
             sent ? "sent" : "received");
}

int link_start_handshake(struct link *c)
{
    int rc = sc_conn_start(c->sc);

    if (rc != SC_OK) {
        link_engine_failed(c, rc);
        return -1;
    }
    c->phase = PH_HANDSHAKE;
    event_base_gettimeofday_cached(c->w->base, &c->hs_start);
    link_arm(c, c->cfg->handshake_timeout);
    return 0;
}

/* The SC1 side is open, directly or through the proxy: the handshake
 * starts. */
static int net_open(struct link *c)
{
    c->net_up = 1;
    if (c->cfg->transport == TRANSPORT_WEBSOCKET) {
        /* The upgrade first, on the connected socket or the proxy's
         * tunnel; the SC1 handshake once the 101 is verified. */
        if (wslink_client_start(c, link_start_handshake) != 0)
            return -1;
        link_arm(c, c->cfg->handshake_timeout);
    } else if (link_start_handshake(c) != 0) {
        return -1;
    }
    return relay_pump(c);
}

static void via_done(void *arg, const char *failure)
{
    struct link *c = arg;
    char why[512];

    if (failure != NULL) {
        /* The sentence lives in the via's caller: keep it past the free. */
        snprintf(why, sizeof(why), "%s", failure);
        connect_failed(c, why);
        return;
    }
    log_info("[%s] %s tunnel open through proxy %s", c->cfg->name, c->peer, c->cfg->via->label);
    via_free(c->via);
    c->via = NULL;
    net_open(c);
}

/* Ask the proxy for the tunnel to the target being tried. The connect
 * timeout, armed for the TCP connection, goes on running: it covers the
 * whole exchange. */
static int via_begin(struct link *c, struct stream *s)
{
    const struct viacred *cred =
        c->gen->via_cred.user != NULL ? &c->gen->via_cred : &c->cfg->via->cred;
    const char *target = c->cfg->connect.v[c->next_addr - 1].text;

    if ((c->via = via_new(c->cfg->via, cred, target, via_done, c)) == NULL) {
        link_drop(c, RST_PLAIN, "\"out of memory\"");
        return -1;
    }
    via_start(c->via, s);
    return 0;
}

static int connected(struct link *c, struct stream *s)
{
    c->connecting = NULL;
    no_delay(stream_fd(s));
    if (c->client) {
        /* Our own end: what the server (or a balancer in between) logs as
         * the peer, to join its lines with ours. */
        addr_format_local(stream_fd(s), c->src, sizeof(c->src));
        if (c->cfg->via != NULL)
            return via_begin(c, s);
        addr_format_peer(stream_fd(s), c->peer, sizeof(c->peer));
        return net_open(c);
    }
    c->plain_up = 1;
    c->phase = PH_OPEN;
    link_touch(c);
    link_arm(c, c->cfg->idle_timeout);
    /* The PROXY header goes first: nothing was relayed to this side yet. */
    if (c->cfg->proxy_protocol != PP_NONE && ppsend_header(c) != 0)
        return -1;
    return relay_pump(c);
}

void link_handshake_done(struct link *c)
{
    struct timeval tv, now;
    unsigned ms = c->cfg->rekey_seconds;

    c->hs_done = 1;
    if (c->rekey != NULL) {
        event_free(c->rekey);
        c->rekey = NULL;
    }
    event_base_gettimeofday_cached(c->w->base, &now);
    timersub(&now, &c->hs_start, &tv);
    metrics_handshake_done(c->w->metrics, svc_index(c),
                           tv.tv_sec < 0 ? 0
                                         : (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec);
    log_info("[%s] %s handshake done identity=%s suite=%s group=%s", c->cfg->name, c->peer,
             or_dash(sc_conn_peer_identity(c->sc)), or_dash(sc_conn_suite(c->sc)),
             or_dash(sc_conn_group(c->sc)));
    if (ms > 0 && (c->rekey = event_new(c->w->base, -1, EV_PERSIST, rekey_cb, c)) != NULL) {
        tv.tv_sec = ms / 1000;
        tv.tv_usec = (ms % 1000) * 1000;
        evtimer_add(c->rekey, &tv);
    }
    link_touch(c);
    c->phase = PH_OPEN;
    link_arm(c, c->cfg->idle_timeout);
    if (!sc_conn_deferred(c->sc))
        return;
    if (!c->client) {
        /* Unopened until the client's first record (link_open_check). */
        c->phase = PH_UNOPENED;
        c->quiet = 1;
        link_arm(c, c->cfg->unopened_timeout);
    } else if (c->plain_up) {
        /* A fresh session for a connection that is waiting: open it now. */
        if (sc_conn_open(c->sc) == SC_OK && c->replay == NULL)
            c->replay = evbuffer_new();
    }
}

/* ---- Callbacks. */

/* A socket became readable or writable, or a connection being made was
 * made or failed. */
void link_stream_ready(struct stream *s, void *arg)
{
    struct link *c = arg;
    int r;

    if (s == c->connecting) {
        if ((r = stream_connected(s)) == 0)
            connected(c, s);
        else if (r > 0)
            connect_failed(c, strerror(r));
        return;
    }
    if (c->via != NULL && s == c->net) {
        via_ready(c->via);
        return;
    }
    if (c->phase == PH_DRAIN) {
        if (s == c->net)
            drain_step(c);
        return;
    }
    if (c->phase == PH_PROXY) {
        ppaccept_step(c);
        return;
    }
    relay_pump(c);
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
    struct link *c = arg;
    struct timeval now, idle, due;

    switch (c->phase) {
    case PH_PROXY:
        ppaccept_timeout(c);
        break;
    case PH_CONNECT:
        if (c->via != NULL) {
            char why[400];

            snprintf(why, sizeof(why),
                     "proxy %s: no answer within connect_timeout (waiting for %s)",
                     c->cfg->via->label, via_waiting_for(c->via));
            connect_failed(c, why);
        } else {
            connect_failed(c, "connect timeout");
        }
        break;
    case PH_UPGRADE:
        link_drop(c, RST_PLAIN, "\"WebSocket upgrade timeout: no complete HTTP head\"");
        break;
    case PH_HANDSHAKE: {
        char alien[96];
        const char *odd = link_not_sc1(c, alien, sizeof(alien));

        link_end_as(c, METRICS_END_TIMEOUT);
        link_drop(c, RST_PLAIN, "\"%shandshake timeout after step %d\"", odd != NULL ? odd : "",
                  sc_conn_last_step(c->sc));
        break;
    }
    case PH_OPEN:
        event_base_gettimeofday_cached(c->w->base, &now);
        idle.tv_sec = c->cfg->idle_timeout / 1000;
        idle.tv_usec = (c->cfg->idle_timeout % 1000) * 1000;
        timeradd(&c->last, &idle, &due);
        if (timercmp(&now, &due, <)) {
            timersub(&due, &now, &idle);
            evtimer_add(c->timer, &idle);
            break;
        }
        link_end_as(c, METRICS_END_TIMEOUT);
        link_drop(c, RST_PLAIN | RST_NET, "\"idle timeout\"");
        break;
    case PH_POOLED:
        /* pool_max_age: close_notify, and the pool makes a new one. */
        c->quiet = 1;
        link_drop(c, sc_conn_close(c->sc) == SC_OK ? FLUSH_NET : 0, "\"pool max age\"");
        break;
    case PH_UNOPENED:
        opening_withdraw(c, "unopened_timeout");
        break;
    case PH_DRAIN:
        link_finish(c);
        break;
    }
}

/* ---- Creation. */

struct link *link_new(struct worker *w, struct service *svc)
{
    struct svc_gen *gen = service_gen_get(svc);
    unsigned max = gen->cfg->max_connections;
    unsigned live = atomic_fetch_add(&svc->live, 1);
    size_t idx = (size_t)(svc - w->rt->svc);
    struct link *c;

    if (max > 0 && live >= max) {
        metrics_opened(w->metrics, idx);
        metrics_ended(w->metrics, idx, METRICS_END_REFUSED);
        atomic_fetch_sub(&svc->live, 1);
        log_warning("[%s] refused a connection: max_connections (%u) reached", svc->name, max);
        service_gen_put(gen);
        return NULL;
    }
    if ((c = calloc(1, sizeof(*c))) == NULL)
        goto fail;
    c->w = w;
    c->svc = svc;
    c->gen = gen;
    c->cfg = gen->cfg;
    c->client = gen->cfg->mode == MODE_CLIENT;
    c->end = METRICS_END_COUNT;
    snprintf(c->peer, sizeof(c->peer), "-");
    snprintf(c->plain, sizeof(c->plain), "-");
    event_base_gettimeofday_cached(w->base, &c->start);
    c->last = c->start;
    if ((c->timer = evtimer_new(w->base, timer_cb, c)) == NULL
        || (c->sc = sc_conn_new(gen->ctx)) == NULL) {
        if (c->timer != NULL)
            event_free(c->timer);
        free(c);
        goto fail;
    }
    sc_conn_set_step_cb(c->sc, link_step_cb, c);
    c->next = w->conns;
    if (w->conns != NULL)
        w->conns->prev = c;
    w->conns = c;
    w->nconns++;
    return c;
fail:
    log_error("[%s] out of memory for a connection", svc->name);
    metrics_ended(w->metrics, idx, METRICS_END_ERROR);
    atomic_fetch_sub(&svc->live, 1);
    service_gen_put(gen);
    return NULL;
}

/* Each flight and each relayed chunk goes out in one write, so Nagle's
 * delay would only add latency to small exchanges. Unix sockets: ignored. */
static void no_delay(int fd)
{
    int one = 1;

    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

void link_accept(struct worker *w, struct service *svc, int fd)
{
    struct link *c = pool_take(w, svc);
    struct stream *s;

    if (c != NULL) {
        count_open(c);
        evutil_make_socket_nonblocking(fd);
        no_delay(fd);
        addr_format_peer(fd, c->plain, ADDR_TEXT_MAX);
        if ((s = stream_new(w->base, fd, STREAM_IN | STREAM_OUT, link_stream_ready, c)) == NULL) {
            addr_close_reset(fd);
            link_drop(c, 0, "\"out of memory\"");
            return;
        }
        log_info("[%s] accepted %s on a pooled session", c->cfg->name, c->plain);
        if (opening_take_pooled(c, s) == 0)
            relay_pump(c);
        return;
    }
    c = link_new(w, svc);

    if (c == NULL) {
        /* Refused at once: a reset tells the client not to wait. */
        addr_close_reset(fd);
        return;
    }
    count_open(c);
    evutil_make_socket_nonblocking(fd);
    no_delay(fd);
    addr_format_peer(fd, c->client ? c->plain : c->peer, ADDR_TEXT_MAX);
    if ((s = stream_new(w->base, fd, STREAM_IN | STREAM_OUT, link_stream_ready, c)) == NULL) {
        link_drop(c, 0, "\"out of memory\"");
        return;
    }
    if (c->client) {
        c->pin = c->pout = s;
        c->plain_up = 1;
        log_info("[%s] accepted %s", c->cfg->name, c->plain);
        link_connect_next(c, NULL);
        return;
    }
    c->net = s;
    c->net_up = 1;
    log_info("[%s] accepted %s", c->cfg->name, c->peer);
    if (c->cfg->accept_proxy)
        ppaccept_start(c);
    else
        link_net_start(c);
}

int link_net_start(struct link *c)
{
    if (c->cfg->websocket) {
        /* An HTTP upgrade or raw SC1: the first bytes tell. The
         * handshake timeout bounds the wait for them and for the head. */
        wslink_server_start(c, link_start_handshake);
        link_arm(c, c->cfg->handshake_timeout);
    } else if (link_start_handshake(c) != 0) {
        return -1;
    }
    return relay_pump(c);
}

int link_stdio(struct worker *w, struct service *svc, int in_fd, int out_fd)
{
    struct link *c = link_new(w, svc);

    if (c == NULL)
        return -1;
    c->stdio = 1;
    count_open(c);
    snprintf(c->plain, sizeof(c->plain), "stdio");
    evutil_make_socket_nonblocking(in_fd);
    evutil_make_socket_nonblocking(out_fd);
    /* Regular files and /dev/null, which epoll cannot watch, are read
     * and written directly (stream.h). */
    c->pin = stream_new(w->base, in_fd, STREAM_IN, link_stream_ready, c);
    c->pout = stream_new(w->base, out_fd, STREAM_OUT, link_stream_ready, c);
    if (c->pin == NULL || c->pout == NULL) {
        link_drop(c, 0, "\"cannot watch standard input or output: %s\"", strerror(errno));
        return -1;
    }
    c->plain_up = 1;
    return link_connect_next(c, NULL);
}

void link_drop_all(struct worker *w, const char *why)
{
    while (w->conns != NULL) {
        struct link *c = w->conns;

        link_end_as(c, METRICS_END_SHUTDOWN);
        if (c->phase == PH_DRAIN)
            link_finish(c);
        else
            link_drop(c, RST_PLAIN | RST_NET, "\"%s\"", why);
    }
}
