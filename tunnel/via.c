/*
 * via_*: a tunnel through an HTTP CONNECT or SOCKS5 proxy (via.h). One
 * step per message the proxy sends; each step parses it (viawire.c) and
 * either sends the next request or ends the exchange.
 */
#include "via.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <openssl/crypto.h>

#include "viawire.h"

enum step { ST_IDLE, ST_HTTP, ST_SOCKS_CHOICE, ST_SOCKS_AUTH, ST_SOCKS_ANSWER, ST_DONE };

struct via {
    const struct viaurl *proxy;
    const struct viacred *cred; /* NULL: none */
    char host[256];             /* the target, an IPv6 address without brackets */
    unsigned port;
    char target[270]; /* host:port as the proxy is asked for it */
    struct stream *s;
    enum step step;
    via_done_fn done;
    void *arg;
};

struct via *via_new(const struct viaurl *proxy, const struct viacred *cred, const char *target,
                    via_done_fn done, void *arg)
{
    struct via *v = calloc(1, sizeof(*v));
    char err[256];

    if (v == NULL)
        return NULL;
    if (addr_split(target, v->host, sizeof(v->host), &v->port, err, sizeof(err)) != 0) {
        free(v);
        errno = EINVAL;
        return NULL;
    }
    snprintf(v->target, sizeof(v->target), strchr(v->host, ':') != NULL ? "[%s]:%u" : "%s:%u",
             v->host, v->port);
    v->proxy = proxy;
    v->cred = cred != NULL && cred->user != NULL ? cred : NULL;
    v->done = done;
    v->arg = arg;
    return v;
}

void via_free(struct via *v)
{
    free(v);
}

const char *via_waiting_for(const struct via *v)
{
    switch (v->step) {
    case ST_HTTP:
        return "its answer to CONNECT";
    case ST_SOCKS_CHOICE:
        return "its SOCKS5 method choice";
    case ST_SOCKS_AUTH:
        return "its answer to the username/password";
    case ST_SOCKS_ANSWER:
        return "its SOCKS5 answer to CONNECT";
    default:
        return "the exchange to start";
    }
}

/* The end: one sentence that names the proxy, or NULL for success. The
 * callback comes last, as it may free v. */
static void finish(struct via *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void finish(struct via *v, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    int n;

    v->step = ST_DONE;
    if (fmt == NULL) {
        v->done(v->arg, NULL);
        return;
    }
    n = snprintf(msg, sizeof(msg), "proxy %s ", v->proxy->label);
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
    va_end(ap);
    v->done(v->arg, msg);
}

static void wipe_cb(const void *data, size_t len, void *extra)
{
    (void)extra;
    OPENSSL_cleanse((void *)data, len);
    free((void *)data);
}

/*
 * Queue a request and write what the socket takes. Requests may hold
 * credentials: they go out of a block of their own, wiped once written
 * (or when the stream is freed), never copied into the stream's buffers.
 * 0, or -1 after finishing with the reason.
 */
static int send_request(struct via *v, const void *p, size_t n)
{
    void *copy = n > 0 ? malloc(n) : NULL;

    if (copy == NULL) {
        finish(v, "cannot be asked: out of memory");
        return -1;
    }
    memcpy(copy, p, n);
    if (evbuffer_add_reference(stream_output(v->s), copy, n, wipe_cb, NULL) != 0) {
        wipe_cb(copy, n, NULL);
        finish(v, "cannot be asked: out of memory");
        return -1;
    }
    if (stream_flush(v->s) < 0) {
        finish(v, "lost the connection: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int send_socks_request(struct via *v)
{
    uint8_t req[VIAWIRE_REQUEST_MAX];
    size_t n = viawire_socks_request(req, sizeof(req), v->host, v->port);

    if (n == 0) {
        finish(v, "cannot be asked for %s: not a SOCKS5 address", v->target);
        return -1;
    }
    v->step = ST_SOCKS_ANSWER;
    return send_request(v, req, n);
}

/* The steps: 2 when the tunnel is open, 1 when the message was read and
 * the next step began, 0 when more bytes are needed, -1 once finished with
 * a failure (v may be gone). *used: the bytes of the message. */

static int http_answer(struct via *v, const uint8_t *p, size_t len, size_t *used)
{
    struct viawire_http a;
    char err[256];
    int rc = viawire_http_answer(p, len, used, &a, err, sizeof(err));

    if (rc == 0)
        return 0;
    if (rc < 0) {
        finish(v, "sent a malformed answer to CONNECT %s: %s", v->target, err);
        return -1;
    }
    /* RFC 9110 section 9.3.6: any 2xx opens the tunnel. */
    if (a.status >= 200 && a.status <= 299)
        return 2;
    /* 407 asks for credentials (RFC 9110 section 15.5.8); some proxies
     * (tinyproxy) answer wrong ones with 401. */
    if (a.status == 407 || a.status == 401)
        finish(v, "answered %d %s to CONNECT %s%s%s%s: %s", a.status, a.reason, v->target,
               a.challenge[0] != '\0' ? " (Proxy-Authenticate: " : "", a.challenge,
               a.challenge[0] != '\0' ? ")" : "",
               v->cred != NULL ? "the credentials were refused"
                               : "it wants credentials and none are configured");
    else
        finish(v, "answered %d %s to CONNECT %s", a.status, a.reason, v->target);
    return -1;
}

static int socks_choice(struct via *v, const uint8_t *p, size_t len, size_t *used)
{
    uint8_t req[VIAWIRE_REQUEST_MAX];
    char err[256];
    int method, rc = viawire_socks_choice(p, len, v->cred != NULL, &method, err, sizeof(err));
    size_t n;

    if (rc == 0)
        return 0;
    if (rc < 0) {
        finish(v, "sent a malformed method choice: %s", err);
        return -1;
    }
    *used = 2;
    if (method == VIAWIRE_SOCKS_NONE_ACCEPTABLE) {
        finish(v, "accepts none of the authentication methods offered (%s)",
               v->cred != NULL ? "none, username/password" : "none; no credentials configured");
        return -1;
    }
    if (method == VIAWIRE_SOCKS_NOAUTH)
        return send_socks_request(v) == 0 ? 1 : -1;
    n = viawire_socks_auth(req, sizeof(req), v->cred->user, v->cred->pass);
    v->step = ST_SOCKS_AUTH;
    rc = send_request(v, req, n);
    OPENSSL_cleanse(req, sizeof(req));
    return rc == 0 ? 1 : -1;
}

static int socks_auth(struct via *v, const uint8_t *p, size_t len, size_t *used)
{
    char err[256];
    int status, rc = viawire_socks_auth_answer(p, len, &status, err, sizeof(err));

    if (rc == 0)
        return 0;
    if (rc < 0) {
        finish(v, "sent a malformed username/password answer: %s", err);
        return -1;
    }
    *used = 2;
    /* RFC 1929 section 2: any status but 0 is a failure. */
    if (status != 0) {
        finish(v, "refused the username/password (status %d)", status);
        return -1;
    }
    return send_socks_request(v) == 0 ? 1 : -1;
}

static int socks_answer(struct via *v, const uint8_t *p, size_t len, size_t *used)
{
    struct viawire_bound b;
    char err[256];
    int rep, rc = viawire_socks_answer(p, len, used, &rep, &b, err, sizeof(err));

    if (rc == 0)
        return 0;
    if (rc < 0) {
        finish(v, "sent a malformed answer to CONNECT %s: %s", v->target, err);
        return -1;
    }
    if (rep != 0) {
        finish(v, "refused CONNECT %s: %s (reply %d)", v->target, viawire_socks_reply_name(rep),
               rep);
        return -1;
    }
    return 2;
}

void via_start(struct via *v, struct stream *s)
{
    char req[VIAWIRE_REQUEST_MAX];
    size_t n;
    int rc;

    v->s = s;
    if (v->proxy->scheme == VIAURL_HTTP) {
        n = viawire_http_request(req, sizeof(req), v->host, v->port,
                                 v->cred != NULL ? v->cred->user : NULL,
                                 v->cred != NULL ? v->cred->pass : NULL);
        v->step = ST_HTTP;
    } else {
        n = viawire_socks_hello((uint8_t *)req, v->cred != NULL);
        v->step = ST_SOCKS_CHOICE;
    }
    if (n == 0) {
        finish(v, "cannot be asked for %s: request too long", v->target);
        return;
    }
    rc = send_request(v, req, n);
    OPENSSL_cleanse(req, sizeof(req));
    if (rc == 0)
        via_ready(v);
}

void via_ready(struct via *v)
{
    static const uint8_t none[1];
    struct evbuffer *in;
    const uint8_t *p;
    size_t len, used;
    int eof = 0, rc;

    if (v->step == ST_DONE || v->s == NULL)
        return;
    if (stream_flush(v->s) < 0) {
        finish(v, "lost the connection: %s", strerror(errno));
        return;
    }
    for (;;) {
        /* Never more than the longest answer: what follows it is the
         * server's, and is read by the next layer. */
        if (stream_fill(v->s, v->step == ST_HTTP ? VIAWIRE_HTTP_MAX : VIAWIRE_SOCKS_ANSWER_MAX,
                        &eof)
            < 0) {
            finish(v, "lost the connection: %s", strerror(errno));
            return;
        }
        in = stream_input(v->s);
        len = evbuffer_get_length(in);
        p = len > 0 ? evbuffer_pullup(in, -1) : none;
        used = 0;
        switch (v->step) {
        case ST_HTTP:
            rc = http_answer(v, p, len, &used);
            break;
        case ST_SOCKS_CHOICE:
            rc = socks_choice(v, p, len, &used);
            break;
        case ST_SOCKS_AUTH:
            rc = socks_auth(v, p, len, &used);
            break;
        case ST_SOCKS_ANSWER:
            rc = socks_answer(v, p, len, &used);
            break;
        default:
            return;
        }
        if (rc < 0)
            return;
        if (rc == 0) {
            if (eof)
                finish(v, "closed the connection %s",
                       len == 0 ? "before answering" : "in the middle of its answer");
            return;
        }
        evbuffer_drain(in, used);
        if (rc == 2) {
            /* What followed the answer stays for the next layer. */
            finish(v, NULL);
            return;
        }
    }
}
