/*
 * /metrics and /healthz over HTTP/1.1 with evhttp (public API only). The
 * request parser is libevent's; it is held to small requests and a short
 * timeout, and only GET and HEAD are answered.
 */
#include "monitor.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "log.h"
#include "metrics.h"
#include "service.h"

/* A client that sends nothing for this long is dropped. */
#define MONITOR_TIMEOUT_S 10
#define MONITOR_MAX_HEADERS 8192

struct monitor {
    struct evhttp *http;
    const struct runtime *rt;
};

static void reply_text(struct evhttp_request *req, int code, const char *reason, const char *type,
                       struct evbuffer *body)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);

    evhttp_add_header(h, "Content-Type", type);
    evhttp_add_header(h, "Cache-Control", "no-store");
    evhttp_send_reply(req, code, reason, body);
}

static void metrics_cb(struct evhttp_request *req, void *arg)
{
    struct monitor *m = arg;
    struct evbuffer *body = evbuffer_new();

    if (body == NULL || metrics_render(body, m->rt) != 0) {
        evhttp_send_error(req, HTTP_INTERNAL, NULL);
        if (body != NULL)
            evbuffer_free(body);
        return;
    }
    reply_text(req, HTTP_OK, "OK", "text/plain; version=0.0.4; charset=utf-8", body);
    evbuffer_free(body);
}

/* 200 while every service listens; 503 once draining (a load balancer
 * stops sending new connections while the live ones finish). */
static void healthz_cb(struct evhttp_request *req, void *arg)
{
    struct evbuffer *body = evbuffer_new();
    int draining = metrics_draining();

    if (body == NULL) {
        evhttp_send_error(req, HTTP_INTERNAL, NULL);
        return;
    }
    evbuffer_add_printf(body, "%s\n", draining ? "draining" : "ok");
    reply_text(req, draining ? HTTP_SERVUNAVAIL : HTTP_OK, draining ? "Service Unavailable" : "OK",
               "text/plain; charset=utf-8", body);
    evbuffer_free(body);
}

static void other_cb(struct evhttp_request *req, void *arg)
{
    evhttp_send_error(req, HTTP_NOTFOUND, NULL);
}

struct monitor *monitor_start(struct event_base *base, int fd, const struct runtime *rt)
{
    struct monitor *m = calloc(1, sizeof(*m));

    if (m == NULL || (m->http = evhttp_new(base)) == NULL) {
        free(m);
        close(fd);
        return NULL;
    }
    m->rt = rt;
    evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
    evhttp_set_timeout(m->http, MONITOR_TIMEOUT_S);
    evhttp_set_max_headers_size(m->http, MONITOR_MAX_HEADERS);
    evhttp_set_max_body_size(m->http, 0);
    if (evhttp_set_cb(m->http, "/metrics", metrics_cb, m) != 0
        || evhttp_set_cb(m->http, "/healthz", healthz_cb, m) != 0) {
        close(fd);
        monitor_free(m);
        return NULL;
    }
    evhttp_set_gencb(m->http, other_cb, m);
    if (evhttp_accept_socket_with_handle(m->http, fd) == NULL) {
        close(fd);
        monitor_free(m);
        return NULL;
    }
    return m;
}

void monitor_free(struct monitor *m)
{
    if (m == NULL)
        return;
    if (m->http != NULL)
        evhttp_free(m->http);
    free(m);
}
