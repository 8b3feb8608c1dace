/*
 * What conn.c (a connection's life: accepting, connecting, timers, the end)
 * and relay.c (its data path) share. Private to the two.
 */
#ifndef TUNNEL_CONN_INT_H
#define TUNNEL_CONN_INT_H

#include <stdint.h>
#include <sys/time.h>

#include <event2/event.h>

#include "sovchain.h"
#include "addr.h"
#include "link.h"
#include "service.h"
#include "stream.h"
#include "worker.h"

enum phase { PH_CONNECT, PH_HANDSHAKE, PH_OPEN, PH_DRAIN };

/* conn_drop flags: which side ends with a reset instead of an end of stream. */
#define RST_PLAIN 1
#define RST_NET 2
#define FLUSH_NET 4   /* deliver the engine's last output (an alert) first */

struct conn {
    struct worker *w;
    struct service *svc;
    struct svc_gen *gen;
    const struct svc_cfg *cfg;
    sc_conn *sc;
    struct stream *net;                 /* SC1 side */
    struct stream *pin, *pout;          /* plaintext side (same for sockets) */
    struct stream *connecting;          /* the side being connected, if any */
    struct event *timer;                /* connect/handshake/idle/drain */
    struct event *rekey;
    struct conn *prev, *next;           /* in the worker's list */
    enum phase phase;
    size_t next_addr;                   /* failover: next `connect` to try */
    int client;                         /* mode client: plaintext accepted */
    int stdio;
    int net_up, plain_up, hs_done;
    int net_eof, fed_eof, plain_eof;    /* ends of stream seen */
    int peer_closed;                    /* close_notify received and read */
    int sent_close;                     /* close_notify sent */
    int net_shut, plain_shut;           /* write sides shut down */
    int failed;
    uint64_t sent, received;            /* plaintext bytes */
    uint64_t net_in;                    /* SC1 bytes the engine consumed */
    uint8_t first[8];                   /* the peer's first bytes */
    size_t first_len;
    struct timeval start, last;
    char peer[ADDR_TEXT_MAX];           /* the SC1 peer */
    char plain[ADDR_TEXT_MAX];          /* the plaintext side */
    char *why;                          /* how it ended: made at the end */
};

/* End the connection: see conn.c. */
void conn_drop(struct conn *c, int flags, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A reset on one side, passed on as a reset on the other. */
void conn_drop_reset(struct conn *c, int net_side, const char *err);
/* The engine ended the connection: log why, send its alert, drop. */
void conn_engine_failed(struct conn *c, int rc);
/* Keep the SC1 peer's first bytes (p starts at stream offset net_in). */
void conn_note_first(struct conn *c, const uint8_t *p, size_t len);
/* The handshake completed. */
void conn_handshake_done(struct conn *c);
/* Connect to the next `connect` address; -1 if the connection was dropped. */
int conn_connect_next(struct conn *c, const char *lasterr);
/* Data moved: the idle timer starts again. */
void conn_touch(struct conn *c);

#endif
