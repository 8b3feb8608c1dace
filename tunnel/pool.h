/*
 * Ready sessions of a client service (SC1.md section 4, Extensions:
 * deferred_open): each worker keeps its share of the service's `pool`
 * sessions handshaken and unopened, so that a local connection takes one
 * and sends at once instead of waiting for a connect and a handshake.
 *
 * A pooled session is a link (link_int.h) with no plaintext side. The pool
 * refills in the background; while the server cannot be reached it backs
 * off exponentially and logs once per outage. A server that does not answer
 * deferred_open turns pooling off for the service (one warning).
 */
#ifndef TUNNEL_POOL_H
#define TUNNEL_POOL_H

#include "worker.h"

struct link;
struct service;

/* The pools of a worker's client services; started with the loop. `index`
 * of `count` workers: the worker's share of each pool. 0 or -1. */
int pool_init(struct worker *w, unsigned index, unsigned count);
/* Close every ready session and stop refilling (SIGTERM, exit). */
void pool_stop(struct worker *w);
void pool_free(struct worker *w);

/* The newest ready session of the service, out of the pool, or NULL. */
struct link *pool_take(struct worker *w, struct service *svc);
/* A pooled session completed its handshake: ready, or (not deferred) the
 * server does not pool: closed. 0, or -1 if the link was dropped. */
int pool_ready(struct link *c);
/* A pooled session is ending (link_finish): out of the pool, refill. */
void pool_lost(struct link *c);
/* Ready sessions of the service in this worker (for logs and metrics). */
unsigned pool_ready_count(const struct worker *w, const struct service *svc);

#endif
