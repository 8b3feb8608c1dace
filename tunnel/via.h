/*
 * Through a proxy (`connect_via`): once the TCP connection to the proxy is
 * up, and before anything else is sent on it, ask the proxy for a tunnel
 * to the connect target (an HTTP CONNECT, or a SOCKS5 CONNECT with its
 * method negotiation). When the proxy says yes, the connection carries
 * whatever comes next (the SC1 handshake) as if it went to the target
 * directly; bytes the proxy passed on right behind its answer stay in the
 * stream's input buffer for that next layer.
 *
 * The owner routes the stream's callbacks to via_ready() until the done
 * callback runs, and keeps the time limit (the connect timeout covers the
 * whole exchange). The done callback runs exactly once, as the last thing
 * via does: it may free the via and the stream.
 */
#ifndef TUNNEL_VIA_H
#define TUNNEL_VIA_H

#include "stream.h"
#include "viaurl.h"

struct via;

/* failure: NULL when the tunnel is open; else one sentence naming the
 * proxy (never its credentials) and its answer. */
typedef void (*via_done_fn)(void *arg, const char *failure);

/* For target "host:port" or "[v6addr]:port" through proxy, with cred
 * (NULL or no user: none). The proxy and cred must outlive the via.
 * NULL if memory fails or the target is not host:port. */
struct via *via_new(const struct viaurl *proxy, const struct viacred *cred, const char *target,
                    via_done_fn done, void *arg);
/* The TCP connection to the proxy is up: send the first request. */
void via_start(struct via *v, struct stream *s);
/* The stream became readable or writable. */
void via_ready(struct via *v);
/* Where the exchange stands, for a timeout's log line. */
const char *via_waiting_for(const struct via *v);
void via_free(struct via *v);

#endif
