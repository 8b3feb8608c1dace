/*
 * The monitoring endpoint (`metrics`): GET /metrics in the Prometheus text
 * format and GET /healthz, served by libevent's evhttp on the main thread's
 * loop.
 */
#ifndef TUNNEL_MONITOR_H
#define TUNNEL_MONITOR_H

#include <event2/event.h>

struct runtime;
struct monitor;

/* Serve on `fd`, a listening socket (taken over: closed by monitor_free).
 * NULL on failure. */
struct monitor *monitor_start(struct event_base *base, int fd, const struct runtime *rt);
void monitor_free(struct monitor *m);

#endif
