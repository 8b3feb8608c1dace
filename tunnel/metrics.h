/*
 * Counters for the Prometheus exposition (`metrics`): one shard per worker,
 * each holding every service's counters, updated by that worker alone with
 * relaxed atomics and summed when scraped. Nothing on a connection's path
 * takes a lock or allocates.
 */
#ifndef TUNNEL_METRICS_H
#define TUNNEL_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <event2/buffer.h>

struct runtime;
struct metrics_shard;

/* How a connection ended, the `reason` label. */
enum metrics_end {
    METRICS_END_EOF = 0,   /* both directions closed cleanly */
    METRICS_END_TRUNCATED, /* end of stream without close_notify */
    METRICS_END_RESET,     /* a reset or write error on either side */
    METRICS_END_HANDSHAKE, /* the SC1 handshake failed */
    METRICS_END_TIMEOUT,   /* connect, handshake or idle timeout */
    METRICS_END_REFUSED,   /* max_connections reached */
    METRICS_END_CONNECT,   /* no `connect` address could be reached */
    METRICS_END_ALERT,     /* a fatal alert or protocol error after the handshake */
    METRICS_END_SHUTDOWN,  /* reset when the grace period ended */
    METRICS_END_ERROR,     /* anything else (out of memory) */
    METRICS_END_COUNT
};

/* Which side of a handshake failure sent the alert. */
enum metrics_alert_dir { METRICS_ALERT_SENT = 0, METRICS_ALERT_RECEIVED, METRICS_ALERT_NONE };

/* Make room for `nworkers` shards of `nsvc` services (main thread, before
 * the workers start). 0 or -1. */
int metrics_init(unsigned nworkers, size_t nsvc);
void metrics_free(void);
/* Shard of worker `i`, or NULL (no metrics: --stdio, or not initialised);
 * every counting function below takes NULL as "count nothing". */
struct metrics_shard *metrics_shard(unsigned i);

void metrics_opened(struct metrics_shard *m, size_t svc);
void metrics_ended(struct metrics_shard *m, size_t svc, enum metrics_end why);
/* A failed handshake: the alert code (0-255) and who sent it. */
void metrics_handshake_failed(struct metrics_shard *m, size_t svc, enum metrics_alert_dir dir,
                              int alert);
void metrics_handshake_done(struct metrics_shard *m, size_t svc, uint64_t usec);
/* Plaintext bytes relayed: sent to the SC1 peer, received from it. */
void metrics_bytes(struct metrics_shard *m, size_t svc, uint64_t sent, uint64_t received);

/*
 * Sessions ready in this worker's share of a service's pool (pool.c calls
 * it whenever its count changes); the gauge is their sum over the workers,
 * shown only for services that called it at least once.
 */
void metrics_pool_ready(struct metrics_shard *m, size_t svc, unsigned n);

/* A reload, by what started it ("signal" or "timer") and its result. */
void metrics_reload(int timer, int ok);
/* notAfter of a service's certificate and of its earliest CA (0: none). */
void metrics_set_expiry(size_t svc, time_t cert, time_t ca);
/* Draining after SIGTERM. */
void metrics_set_draining(void);
int metrics_draining(void);

/* The whole exposition, text format 0.0.4. 0 or -1. */
int metrics_render(struct evbuffer *out, const struct runtime *rt);

#endif
