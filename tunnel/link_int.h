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
#include "service.h"
#include "stream.h"
#include "worker.h"

enum phase { PH_CONNECT, PH_HANDSHAKE, PH_OPEN, PH_DRAIN };

/* link_drop flags: which side ends with a reset instead of an end of stream. */
#define RST_PLAIN 1
#define RST_NET 2
#define FLUSH_NET 4 /* deliver the engine's last output (an alert) first */

struct link {
    struct worker *w;
    struct service *svc;
    struct svc_gen *gen;
    const struct svc_cfg *cfg;
    sc_conn *sc;
    struct stream *net;        /* SC1 side */
    struct stream *pin, *pout; /* plaintext side (same for sockets) */
    struct stream *connecting; /* the side being connected, if any */
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
    uint64_t sent, received; /* plaintext bytes */
    uint64_t net_in;         /* SC1 bytes the engine consumed */
    uint8_t first[8];        /* the peer's first bytes */
    size_t first_len;
    struct timeval start, last;
    char peer[ADDR_TEXT_MAX];  /* the SC1 peer */
    char plain[ADDR_TEXT_MAX]; /* the plaintext side */
    char *why;                 /* how it ended: made at the end */
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
/* The handshake completed. */
void link_handshake_done(struct link *c);
/* Connect to the next `connect` address; -1 if the connection was dropped. */
int link_connect_next(struct link *c, const char *lasterr);
/* Data moved: the idle timer starts again. */
void link_touch(struct link *c);

#endif
