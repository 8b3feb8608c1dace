/*
 * Ready sessions of client services: see pool.h. Each worker has one pool
 * per service; a pool holds its ready links newest first and counts those
 * still being made, and refills from a timer so that neither an accept nor
 * a failing connection recurses into making more.
 */
#include "pool.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "link_int.h"
#include "log.h"
#include "opening.h"

/* Backoff while sessions cannot be made: from the first to the last. */
#define BACKOFF_FIRST_MS 250
#define BACKOFF_MAX_MS 30000

struct pool {
    struct worker *w;
    struct service *svc;
    unsigned share_num, share_den; /* this worker's part of `pool` */
    struct link *ready;            /* newest first, through pool_next */
    unsigned nready, nmaking;
    unsigned backoff_ms; /* 0: not failing */
    int disabled;        /* the server does not answer deferred_open */
    struct event *refill;
};

static int discard(struct link *c, const char *why);
static void unlink_ready(struct pool *p, struct link *c);

/* The metrics' gauge of ready sessions, for this worker's share. */
static void count_ready(const struct pool *p)
{
    metrics_pool_ready(p->w->metrics, (size_t)(p->svc - p->w->rt->svc), p->nready);
}

static struct pool *pool_of(const struct worker *w, const struct service *svc)
{
    size_t i = (size_t)(svc - w->rt->svc);

    return w->pools != NULL && i < w->rt->nsvc ? &w->pools[i] : NULL;
}

/* This worker's share of the configured pool size. */
static unsigned wanted(const struct pool *p)
{
    struct svc_gen *g = service_gen_get(p->svc);
    unsigned n = g->cfg->mode == MODE_CLIENT ? g->cfg->pool : 0;

    service_gen_put(g);
    return n / p->share_den + (p->share_num < n % p->share_den);
}

static void schedule(struct pool *p, unsigned ms)
{
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

    if (p->refill != NULL && !evtimer_pending(p->refill, NULL))
        evtimer_add(p->refill, &tv);
}

static void refill_cb(evutil_socket_t fd, short what, void *arg)
{
    struct pool *p = arg;
    struct link *c;

    (void)fd;
    (void)what;
    while (!p->disabled && !atomic_load(&p->svc->pool_off) && !p->w->stopping
           && p->nready + p->nmaking < wanted(p)) {
        if ((c = opening_new_pooled(p->w, p->svc)) == NULL) {
            schedule(p, BACKOFF_MAX_MS); /* max_connections or memory */
            return;
        }
        c->pool = p;
        p->nmaking++;
        if (link_connect_next(c, NULL) != 0)
            return; /* dropped: pool_lost counted the failure */
    }
}

int pool_init(struct worker *w, unsigned index, unsigned count)
{
    size_t i;

    if ((w->pools = calloc(w->rt->nsvc, sizeof(*w->pools))) == NULL)
        return -1;
    for (i = 0; i < w->rt->nsvc; i++) {
        struct pool *p = &w->pools[i];

        p->w = w;
        p->svc = &w->rt->svc[i];
        p->share_num = index;
        p->share_den = count > 0 ? count : 1;
        if ((p->refill = evtimer_new(w->base, refill_cb, p)) == NULL)
            return -1;
        schedule(p, 0);
    }
    return 0;
}

void pool_stop(struct worker *w)
{
    size_t i;

    for (i = 0; w->pools != NULL && i < w->rt->nsvc; i++) {
        struct pool *p = &w->pools[i];

        evtimer_del(p->refill);
        while (p->ready != NULL) {
            struct link *c = p->ready;

            unlink_ready(p, c);
            (void)discard(c, "pool closed");
        }
    }
}

void pool_free(struct worker *w)
{
    size_t i;

    for (i = 0; w->pools != NULL && i < w->rt->nsvc; i++)
        if (w->pools[i].refill != NULL)
            event_free(w->pools[i].refill);
    free(w->pools);
    w->pools = NULL;
}

static void unlink_ready(struct pool *p, struct link *c)
{
    struct link **pp;

    for (pp = &p->ready; *pp != NULL; pp = &(*pp)->pool_next) {
        if (*pp == c) {
            *pp = c->pool_next;
            c->pool_next = NULL;
            c->pool_listed = 0;
            p->nready--;
            count_ready(p);
            return;
        }
    }
}

struct link *pool_take(struct worker *w, struct service *svc)
{
    struct pool *p = pool_of(w, svc);
    struct link *c;

    if (p == NULL || (c = p->ready) == NULL)
        return NULL;
    unlink_ready(p, c);
    c->pooled = 0;
    c->pool = NULL;
    log_info("[%s] pool: session to %s taken (%u left)", svc->name, c->peer, p->nready);
    schedule(p, 0);
    return c;
}

/* Jittered by +-10% so that a fleet of clients does not renew in step. */
static unsigned max_age_ms(const struct link *c)
{
    unsigned base = c->cfg->pool_max_age, r = 0;

    (void)RAND_bytes_ex(c->w->rt->libctx, (unsigned char *)&r, sizeof(r), 0);
    return base - base / 10 + (unsigned)((uint64_t)r % (base / 5 + 1));
}

/* A session the pool will not keep: close_notify (the server relays
 * nothing for it), then the end. */
static int discard(struct link *c, const char *why)
{
    c->pooled = 0;
    c->pool = NULL;
    c->quiet = 1;
    if (sc_conn_close(c->sc) == SC_OK)
        link_drop(c, FLUSH_NET, "\"%s\"", why);
    else
        link_drop(c, 0, "\"%s\"", why);
    return -1;
}

int pool_ready(struct link *c)
{
    struct pool *p = c->pool;
    unsigned ms;

    p->nmaking--;
    if (p->w->stopping)
        return discard(c, "pool closed");
    if (!sc_conn_deferred(c->sc)) {
        /* An ordinary session: use it at once or close it (section 4). */
        /* One warning for the service, whichever worker learns it first. */
        if (atomic_exchange(&p->svc->pool_off, 1) == 0)
            log_warning("[%s] the server at %s does not answer deferred_open: "
                        "pooling is off for this service",
                        c->cfg->name, c->peer);
        p->disabled = 1;
        return discard(c, "not pooled: the server does not answer deferred_open");
    }
    if (p->backoff_ms > 0)
        log_notice("[%s] pool: sessions to %s can be made again", c->cfg->name, c->peer);
    p->backoff_ms = 0;
    c->pool_next = p->ready;
    c->pool_listed = 1;
    p->ready = c;
    p->nready++;
    count_ready(p);
    event_base_gettimeofday_cached(c->w->base, &c->ready_at);
    ms = max_age_ms(c);
    c->phase = PH_POOLED;
    link_arm(c, ms);
    log_info("[%s] pool: session to %s ready (%u ready)", c->cfg->name, c->peer, p->nready);
    schedule(p, 0);
    return 0;
}

void pool_lost(struct link *c)
{
    struct pool *p = c->pool;

    c->pooled = 0;
    c->pool = NULL;
    if (p == NULL)
        return;
    if (c->pool_listed) {
        unlink_ready(p, c);
        log_info("[%s] pool: ready session to %s ended: %s", c->cfg->name, c->peer,
                 c->why != NULL ? c->why : "");
        schedule(p, p->backoff_ms);
        return;
    }
    /* Still being made: the server could not be reached or refused. */
    p->nmaking--;
    if (p->backoff_ms == 0) {
        log_warning("[%s] pool: cannot make a session to %s (%s); retrying with backoff",
                    c->cfg->name, c->peer, c->why != NULL ? c->why : "");
        p->backoff_ms = BACKOFF_FIRST_MS;
    } else {
        log_info("[%s] pool: still cannot reach %s (%s)", c->cfg->name, c->peer,
                 c->why != NULL ? c->why : "");
        p->backoff_ms = p->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : p->backoff_ms * 2;
    }
    schedule(p, p->backoff_ms);
}

unsigned pool_ready_count(const struct worker *w, const struct service *svc)
{
    const struct pool *p = pool_of(w, svc);

    return p != NULL ? p->nready : 0;
}
