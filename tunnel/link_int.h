/*
 * What link.c (a connection's life: accepting, connecting, timers, the end)
 * and relay.c (its data path) share. Private to the two.
 */
#ifndef TUNNEL_LINK_INT_H
#define TUNNEL_LINK_INT_H

#include <stdint.h>
#include <sys/time.h>

#include <event2/event.h>

#include "sovchain.h"
#include "addr.h"
#include "link.h"
#include "metrics.h"
#include "proxyproto.h"
#include "service.h"
#include "stream.h"
#include "via.h"
#include "worker.h"
#include "ws.h"
#include "wsconn.h"

/* PH_POOLED: a client's ready session, not yet taken (pool.c);
 * PH_UNOPENED: a server's deferred session, not yet opened. */
/* PH_UPGRADE: the HTTP exchange before SC1 over WebSocket (wslink.c),
 * or a server telling an upgrade from a raw SC1 peer. */
/* PH_PROXY: a server with accept_proxy waiting for the PROXY header. */
enum phase {
    PH_CONNECT,
    PH_UPGRADE,
    PH_HANDSHAKE,
    PH_POOLED,
    PH_UNOPENED,
    PH_OPEN,
    PH_DRAIN,
    PH_PROXY
};

/* link_drop flags: which side ends with a reset instead of an end of stream. */
#define RST_PLAIN 1
#define RST_NET 2
#define FLUSH_NET 4  /* deliver the engine's last output (an alert) first */
#define LINGER_NET 8 /* ...then shut down writing and read until the peer's end */

struct link {
    struct worker *w;
    struct service *svc;
    struct svc_gen *gen;
    const struct svc_cfg *cfg;
    sc_conn *sc;
    struct stream *net;        /* SC1 side */
    struct stream *pin, *pout; /* plaintext side (same for sockets) */
    struct stream *connecting; /* the side being connected, if any */
    struct via *via;           /* the proxy exchange under way, if any */
    struct event *timer;       /* connect/handshake/idle/drain */
    struct event *rekey;
    struct link *prev, *next; /* in the worker's list */
    enum phase phase;
    size_t next_addr; /* failover: next `connect` to try */
    int client;       /* mode client: plaintext accepted */
    int stdio;
    int net_up, plain_up, hs_done;
    int net_eof, fed_eof, plain_eof; /* ends of stream seen */
    int peer_closed;                 /* close_notify received and read */
    int sent_close;                  /* close_notify sent */
    int net_shut, plain_shut;        /* write sides shut down */
    int failed;
    uint64_t sent, received;                 /* plaintext bytes */
    uint64_t counted_sent, counted_received; /* of which in the metrics */
    enum metrics_end end;                    /* METRICS_END_COUNT until known */
    int counted;                             /* a connection in the metrics (opened) */
    uint64_t net_in;                         /* SC1 bytes the engine consumed */
    /* The record the engine has the start of, followed over the bytes it
     * consumed (relay.c): header bytes seen, and then body bytes to come. */
    uint8_t rec_hdr[SC_RECORD_HEADER_LEN];
    size_t rec_have; /* 0: the engine is between records */
    size_t rec_left;
    uint8_t first[8]; /* the peer's first bytes */
    size_t first_len;
    struct timeval start, last, hs_start;
    char peer[ADDR_TEXT_MAX];  /* the SC1 peer */
    char plain[ADDR_TEXT_MAX]; /* the plaintext side */
    char src[ADDR_TEXT_MAX];   /* client: our end of the SC1 connection, "" until known */
    char *why;                 /* how it ended: made at the end */
    /* Deferred sessions (SC1.md section 4, Extensions). */
    struct pool *pool;               /* pooled: the pool making or holding it */
    struct link *pool_next;          /* in the pool's ready list */
    int pooled, pool_listed;         /* made by the pool; in its ready list */
    int from_pool;                   /* a local connection on a pooled session */
    struct timeval ready_at;         /* when the pooled session became ready */
    double pool_wait;                /* seconds it waited there */
    int plain_started;               /* server: the plaintext service was asked for */
    int linger;                      /* PH_DRAIN: read until the peer's end */
    int quiet;                       /* its log line at info level */
    unsigned retries;                /* sessions withdrawn under this connection */
    struct evbuffer *replay;         /* client: plaintext sent since opening */
    struct wsconn *ws;               /* SC1 over WebSocket once upgraded, else NULL */
    int (*upgraded)(struct link *c); /* what follows a completed upgrade */
    char ws_key[WS_KEY_LEN + 1];     /* client: the key the answer must match */
    /* PROXY protocol (ppaccept.c, ppsend.c). */
    struct proxyproto_addrs pp; /* accept_proxy: the original client's addresses */
    int pp_got;                 /* pp holds addresses (not a LOCAL header) */
    int pp_local;               /* a LOCAL header was read: waiting for SC1 or the end */
    char uid[2 * 16 + 1];       /* the session's unique id (hex), "" if none */
};

/* End the connection: see link.c. */
void link_drop(struct link *c, int flags, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A reset on one side, passed on as a reset on the other. */
void link_drop_reset(struct link *c, int net_side, const char *err);
/* The engine ended the connection: log why, send its alert, drop. */
void link_engine_failed(struct link *c, int rc);
/* Keep the SC1 peer's first bytes (p starts at stream offset net_in). */
void link_note_first(struct link *c, const uint8_t *p, size_t len);
/* "not SC1: looks like HTTP (first bytes ...); " when the peer's first
 * bytes cannot begin SC1, else NULL (notsc1.c). */
const char *link_not_sc1(const struct link *c, char *out, size_t outlen);
/* The handshake completed. */
void link_handshake_done(struct link *c);
/* Connect to the next `connect` address; -1 if the connection was dropped. */
int link_connect_next(struct link *c, const char *lasterr);
/* Data moved: the idle timer starts again. */
void link_touch(struct link *c);
/* The connection's one timer: `ms` from now (0: off). */
void link_arm(struct link *c, unsigned ms);
/* A new connection of the service, counted toward max_connections; NULL
 * when refused (logged). */
struct link *link_new(struct worker *w, struct service *svc);
/* The streams' and the engine's callbacks, for a session that changes
 * owner (opening.c). */
void link_stream_ready(struct stream *s, void *arg);
void link_step_cb(void *arg, int step, const char *name, int sent);
/* How the connection ends, for the metrics: the first call counts. */
void link_end_as(struct link *c, enum metrics_end why);
/* Add the bytes relayed since the last call to the worker's metrics. */
void link_count_bytes(struct link *c);
/* Start the SC1 handshake on the SC1 side; -1 if the connection was dropped. */
int link_start_handshake(struct link *c);
/* Server: the accepted SC1 side is ready for its first bytes (SC1, or a
 * WebSocket upgrade); -1 if the connection was dropped. */
int link_net_start(struct link *c);

#endif
