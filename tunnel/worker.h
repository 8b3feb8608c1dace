/*
 * Workers: event loops, each in its own thread, sharing the listening
 * sockets of every service (each worker accepts on the same descriptors).
 */
#ifndef TUNNEL_WORKER_H
#define TUNNEL_WORKER_H

#include <event2/event.h>
#include <event2/listener.h>
#include <pthread.h>
#include <stdatomic.h>

#include "service.h"

struct link;
struct worker_bind;
struct metrics_shard;

struct pool;

struct worker {
    struct runtime *rt;
    struct event_base *base;
    struct metrics_shard *metrics; /* this worker's counters, or NULL */
    pthread_t thread;
    int threaded;
    struct evconnlistener **lev; /* one per service */
    struct worker_bind *binds;   /* what each listener's callback gets */
    struct event *ctl;           /* wakes the loop for a command */
    struct event *deadline;      /* end of the grace period after SIGTERM */
    struct event *trim;          /* memory back to the system when idle */
    atomic_int stop;             /* set before waking ctl */
    unsigned shutdown_ms;
    struct link *conns; /* live connections */
    struct pool *pools; /* client services' ready sessions (pool.c) */
    unsigned nconns;
    int stopping;
    int exit_when_idle; /* --stdio: leave the loop after the last */
    int last_failed;    /* the last connection ended in error */
};

/* Start `n` workers accepting on every service; `done` (an event of the
 * caller's loop, or NULL) is made active once every worker has ended.
 * 0 or -1. */
int worker_start(struct runtime *rt, unsigned n, unsigned shutdown_ms, struct event *done);
/* Stop accepting; each worker leaves when its connections have ended or
 * the grace period is over. Safe from the main thread only. */
void worker_stop(void);
/* Wait for the workers and free them. */
void worker_join(void);

/* A loop in the calling thread without listeners (--stdio). */
int worker_init_local(struct worker *w, struct runtime *rt, struct event_base *base);

/* A connection of this worker ended (link.c keeps the list). */
void worker_conn_removed(struct worker *w);

#endif
