/* Worker event loops: threads sharing the services' listening sockets. */
#define _GNU_SOURCE
#include "worker.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "link.h"
#include "log.h"
#include "opening.h"
#include "pool.h"
#include "metrics.h"
#include "stream.h"

struct worker_bind {
    struct worker *w;
    struct service *svc;
};

static struct worker *workers;
static unsigned nworkers;
static atomic_uint running;    /* workers whose loop has not ended */
static struct event *all_done; /* made active when running drops to 0 */

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
                      void *arg)
{
    struct worker_bind *b = arg;

    if (b->w->stopping) {
        close(fd);
        return;
    }
    link_accept(b->w, b->svc, fd);
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
    struct worker_bind *b = arg;

    /* Stopping: the socket no longer listens (refuse_new); the listener
     * goes at this worker's turn, without a word. */
    if (atomic_load(&b->w->stop)) {
        evconnlistener_disable(l);
        return;
    }
    /* EMFILE and the like: the listener stays; the next accept retries. */
    log_error("[%s] accept: %s", b->svc->name, strerror(errno));
}

static void close_listeners(struct worker *w)
{
    size_t i;

    for (i = 0; w->lev != NULL && i < w->rt->nsvc; i++)
        if (w->lev[i] != NULL)
            evconnlistener_free(w->lev[i]);
    free(w->lev);
    free(w->binds);
    w->lev = NULL;
    w->binds = NULL;
}

/*
 * Stopping: what the kernel already accepted is served like any live
 * connection; then the socket stops listening, so that new connections
 * are refused at once (a load balancer retries them on another server)
 * rather than waiting in the backlog until we exit and being reset then.
 * A socket systemd passed keeps listening: systemd holds it for the next
 * instance, which takes what queued meanwhile.
 */
static void refuse_new(struct worker *w)
{
    struct service *svc;
    size_t i;
    int fd;

    for (i = 0; w->binds != NULL && i < w->rt->nsvc; i++) {
        svc = w->binds[i].svc;
        if (svc->fd < 0 || svc->inherited)
            continue;
        while ((fd = accept4(svc->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
            link_accept(w, svc, fd);
        /* Another worker may have done it already: ENOTCONN then. */
        (void)shutdown(svc->fd, SHUT_RD);
    }
}

/* How long a worker stays idle before its freed memory is released. */
#define TRIM_DELAY_MS 1000

void worker_conn_removed(struct worker *w)
{
    struct timeval tv = { TRIM_DELAY_MS / 1000, (TRIM_DELAY_MS % 1000) * 1000 };

    if ((w->stopping || w->exit_when_idle) && w->nconns == 0)
        event_base_loopexit(w->base, NULL);
    else if (w->nconns == 0 && w->trim != NULL && !evtimer_pending(w->trim, NULL))
        evtimer_add(w->trim, &tv);
}

/*
 * The worker has had no connection for a while. glibc keeps the pages its
 * connections freed in the thread's arena (only the top of a heap is given
 * back), so after a burst of connections the daemon would otherwise stay at
 * its peak size for good; give them back now. At most once per idle spell,
 * so a lone connection coming and going costs little.
 */
static void trim_cb(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;

    if (w->nconns != 0)
        return;
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

static void deadline_cb(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;

    link_drop_all(w, "shutdown");
    event_base_loopexit(w->base, NULL);
}

/* Woken by the main thread: stop accepting and let connections finish. */
static void ctl_cb(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    struct timeval tv = { w->shutdown_ms / 1000, (w->shutdown_ms % 1000) * 1000 };

    if (!atomic_load(&w->stop) || w->stopping)
        return;
    w->stopping = 1;
    refuse_new(w);
    close_listeners(w);
    /* Ready and unopened sessions carry nothing: end them now, so that
     * clients retry on another server instead of failing later. */
    pool_stop(w);
    opening_withdraw_all(w);
    if (w->nconns == 0) {
        event_base_loopexit(w->base, NULL);
        return;
    }
    if ((w->deadline = evtimer_new(w->base, deadline_cb, w)) != NULL)
        evtimer_add(w->deadline, &tv);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    sigset_t all;

    /* Signals belong to the main thread's loop. */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    event_base_dispatch(w->base);
    if (atomic_fetch_sub(&running, 1) == 1 && all_done != NULL)
        event_active(all_done, 0, 0);
    return NULL;
}

static int worker_setup(struct worker *w, struct runtime *rt, unsigned ms, unsigned index,
                        unsigned count)
{
    size_t i;

    w->rt = rt;
    w->metrics = metrics_shard(index);
    w->shutdown_ms = ms;
    atomic_init(&w->stop, 0);
    if ((w->base = stream_base_new()) == NULL)
        return -1;
    if ((w->ctl = event_new(w->base, -1, 0, ctl_cb, w)) == NULL)
        return -1;
    if ((w->trim = evtimer_new(w->base, trim_cb, w)) == NULL)
        return -1;
    w->lev = calloc(rt->nsvc, sizeof(*w->lev));
    w->binds = calloc(rt->nsvc, sizeof(*w->binds));
    if (w->lev == NULL || w->binds == NULL)
        return -1;
    for (i = 0; i < rt->nsvc; i++) {
        w->binds[i].w = w;
        w->binds[i].svc = &rt->svc[i];
        /* backlog 0: the socket is already listening. */
        w->lev[i] = evconnlistener_new(w->base, accept_cb, &w->binds[i], LEV_OPT_CLOSE_ON_EXEC, 0,
                                       rt->svc[i].fd);
        if (w->lev[i] == NULL)
            return -1;
        evconnlistener_set_error_cb(w->lev[i], accept_error_cb);
    }
    return pool_init(w, index, count);
}

static void worker_free(struct worker *w)
{
    close_listeners(w);
    pool_free(w);
    if (w->deadline != NULL)
        event_free(w->deadline);
    if (w->ctl != NULL)
        event_free(w->ctl);
    if (w->trim != NULL)
        event_free(w->trim);
    if (w->base != NULL)
        event_base_free(w->base);
}

/* Descriptor numbers worth a slot made in advance: each connection holds
 * two, so twice every service's max_connections plus the daemon's own,
 * within the open files limit and SLOTS_MAX (40 bytes each per worker). */
#define SLOTS_OWN 64
#define SLOTS_MAX 32768

static int slots_wanted(struct runtime *rt)
{
    struct rlimit rl;
    unsigned long want = SLOTS_OWN, limit = SLOTS_MAX;
    size_t i;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < limit)
        limit = rl.rlim_cur;
    for (i = 0; i < rt->nsvc && want < limit; i++) {
        struct svc_gen *g = service_gen_get(&rt->svc[i]);

        want = g->cfg->max_connections == 0 ? limit : want + 2UL * g->cfg->max_connections;
        service_gen_put(g);
    }
    return (int)(want < limit ? want : limit);
}

static void slot_cb(evutil_socket_t fd, short what, void *arg)
{
}

/*
 * libevent gives every descriptor number a base has watched a small slot,
 * made on the number's first event_add and kept as long as the base. Made
 * by a worker during a burst of connections, the slots would lie among the
 * connections' memory and keep most of its pages resident once the
 * connections are gone (malloc_trim gives back only whole free pages):
 * some 4.5 of the 6 KiB each connection used. So make them now, before the
 * workers run, side by side in the main thread's heap: watch each number
 * below `upto` once, on an eventfd holding it, in every worker's base.
 * (Numbers beyond, as after a reload that raises max_connections, get
 * their slots as before.)
 */
static void make_slots(unsigned n, int upto)
{
    int *fds = calloc((size_t)upto, sizeof(*fds)), k = 0, i;
    struct event *ev = NULL;
    unsigned j;

    while (fds != NULL && k < upto) {
        if ((fds[k] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
            break;
        if (fds[k++] >= upto - 1)
            break;
    }
    for (j = 0; j < n && k > 0; j++) {
        if ((ev = event_new(workers[j].base, -1, 0, slot_cb, NULL)) == NULL)
            break;
        for (i = 0; i < k; i++) {
            if (event_assign(ev, workers[j].base, fds[i], EV_READ, slot_cb, NULL) == 0
                && event_add(ev, NULL) == 0)
                event_del(ev);
        }
        event_free(ev);
    }
    for (i = 0; i < k; i++)
        close(fds[i]);
    free(fds);
}

int worker_start(struct runtime *rt, unsigned n, unsigned shutdown_ms, struct event *done)
{
    unsigned i;

    all_done = done;
    if ((workers = calloc(n, sizeof(*workers))) == NULL)
        return -1;
    for (i = 0; i < n; i++) {
        if (worker_setup(&workers[i], rt, shutdown_ms, i, n) != 0) {
            log_error("worker %u: cannot set up its event loop", i);
            break;
        }
    }
    if (i == n) {
        make_slots(n, slots_wanted(rt));
        for (i = 0; i < n; i++) {
            atomic_fetch_add(&running, 1);
            if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
                atomic_fetch_sub(&running, 1);
                log_error("worker %u: cannot start a thread", i);
                break;
            }
            workers[i].threaded = 1;
            nworkers++;
        }
    }
    if (nworkers < n) {
        /* Those not running, set up or not (worker_free takes both). */
        for (i = nworkers; i < n; i++)
            worker_free(&workers[i]);
        worker_stop();
        worker_join();
        return -1;
    }
    return 0;
}

void worker_stop(void)
{
    unsigned i;

    for (i = 0; i < nworkers; i++) {
        atomic_store(&workers[i].stop, 1);
        event_active(workers[i].ctl, 0, 0);
    }
}

void worker_join(void)
{
    unsigned i;

    for (i = 0; i < nworkers; i++) {
        pthread_join(workers[i].thread, NULL);
        worker_free(&workers[i]);
    }
    free(workers);
    workers = NULL;
    nworkers = 0;
    all_done = NULL;
}

int worker_init_local(struct worker *w, struct runtime *rt, struct event_base *base)
{
    memset(w, 0, sizeof(*w));
    w->rt = rt;
    w->base = base;
    w->exit_when_idle = 1;
    atomic_init(&w->stop, 0);
    return 0;
}
