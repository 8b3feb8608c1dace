/*
 * wslink_*: SC1 over WebSocket on a connection (wslink.h). The upgrade
 * reads the SC1 socket's own input buffer: whatever follows the HTTP head
 * in the same read stays there, as the first frames (client) or the first
 * SC1 bytes (a server's raw peer).
 */
#include "wslink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "httphead.h"
#include "link_int.h"
#include "log.h"
#include "relay.h"
#include "wshs.h"

/* The upgrade is over: frames from now on, then what comes next. */
static int upgraded(struct link *c)
{
    struct wsconn *ws = malloc(sizeof(*ws));

    if (ws == NULL || wsconn_init(ws, c->w->rt->libctx, c->client, WSCONN_MAX_FRAME) != 0) {
        free(ws);
        link_drop(c, RST_PLAIN | RST_NET, "\"out of memory\"");
        return -1;
    }
    c->ws = ws;
    log_info("[%s] %s WebSocket upgrade done", c->cfg->name, c->peer);
    return c->upgraded(c);
}

int wslink_client_start(struct link *c, wslink_done done)
{
    char req[WSHS_OUT_MAX], host[300];
    const struct addr *a = &c->cfg->connect.v[c->next_addr - 1];
    int n;

    c->upgraded = done;
    c->phase = PH_UPGRADE;
    if (c->cfg->ws_host != NULL)
        snprintf(host, sizeof(host), "%s", c->cfg->ws_host);
    else
        wshs_host(host, sizeof(host), a->text);
    if ((n = wshs_request(c->w->rt->libctx, req, sizeof(req), c->cfg->ws_path, host, c->ws_key)) < 0
        || evbuffer_add(stream_output(c->net), req, (size_t)n) != 0) {
        link_drop(c, RST_PLAIN | RST_NET, "\"cannot make the WebSocket upgrade request\"");
        return -1;
    }
    return 0;
}

void wslink_server_start(struct link *c, wslink_done done)
{
    c->upgraded = done;
    c->phase = PH_UPGRADE;
}

/* Refuse a server's HTTP request: the answer, then the end. */
static int refuse(struct link *c, const char *answer, int status, const char *why)
{
    c->failed = 1;
    if (evbuffer_add(stream_output(c->net), answer, strlen(answer)) != 0)
        link_drop(c, RST_NET, "\"out of memory\"");
    else
        link_drop(c, FLUSH_NET, "\"WebSocket upgrade refused: HTTP %d: %s\"", status, why);
    return -1;
}

static int server_step(struct link *c, struct evbuffer *raw, const uint8_t *p, size_t len)
{
    struct httphead *h;
    char out[WSHS_OUT_MAX], err[200];
    size_t used;
    int rc, status;

    if ((rc = wshs_sniff(p, len)) < 0 || (rc == 0 && c->net_eof)) {
        /* Not HTTP: SC1 as on any port, not-SC1 refusal included. */
        c->phase = PH_HANDSHAKE;
        return c->upgraded(c) == 0 ? 1 : -1;
    }
    if (rc == 0)
        return 0;
    if ((h = malloc(sizeof(*h))) == NULL) {
        link_drop(c, RST_NET, "\"out of memory\"");
        return -1;
    }
    rc = httphead_parse(h, p, len, 1, &used, err, sizeof(err));
    if (rc == 0 && c->net_eof) {
        free(h);
        link_drop(c, 0, "\"end of stream inside the HTTP request head\"");
        return -1;
    }
    if (rc <= 0) {
        free(h);
        return rc == 0 ? 0
                       : refuse(c,
                                "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                                "Connection: close\r\n\r\n",
                                400, err);
    }
    status = wshs_answer(c->w->rt->ws_sha1, h, c->cfg->ws_path, out, sizeof(out), err, sizeof(err));
    free(h);
    if (status != 101)
        return refuse(c, out, status, err);
    evbuffer_drain(raw, used);
    if (evbuffer_add(stream_output(c->net), out, strlen(out)) != 0) {
        link_drop(c, RST_NET, "\"out of memory\"");
        return -1;
    }
    return upgraded(c) == 0 ? 1 : -1;
}

static int client_step(struct link *c, struct evbuffer *raw, const uint8_t *p, size_t len)
{
    struct httphead *h = malloc(sizeof(*h));
    char err[200];
    size_t used;
    int rc;

    if (h == NULL) {
        link_drop(c, RST_PLAIN | RST_NET, "\"out of memory\"");
        return -1;
    }
    rc = httphead_parse(h, p, len, 0, &used, err, sizeof(err));
    if (rc == 1)
        rc = wshs_check_answer(c->w->rt->ws_sha1, h, c->ws_key, err, sizeof(err)) == 0 ? 1 : -1;
    free(h);
    if (rc == 0 && !c->net_eof)
        return 0;
    if (rc <= 0) {
        link_drop(c, RST_PLAIN, "\"WebSocket upgrade failed: %s\"",
                  rc == 0 ? "end of stream before the server's answer" : err);
        return -1;
    }
    /* What followed the head in the same read is frames: it stays. */
    evbuffer_drain(raw, used);
    return upgraded(c) == 0 ? 1 : -1;
}

int wslink_step(struct link *c)
{
    struct evbuffer *raw = stream_input(c->net);
    size_t len = evbuffer_get_length(raw);
    const uint8_t *p;
    uint8_t none = 0;

    /* The head is bounded (HTTPHEAD_MAX): only that much is looked at. */
    if (len > HTTPHEAD_MAX + 1)
        len = HTTPHEAD_MAX + 1;
    p = len > 0 ? evbuffer_pullup(raw, (ev_ssize_t)len) : &none;
    if (p == NULL) {
        link_drop(c, RST_PLAIN | RST_NET, "\"out of memory\"");
        return -1;
    }
    if (len == 0 && !c->net_eof)
        return 0;
    return c->client ? client_step(c, raw, p, len) : server_step(c, raw, p, len);
}

int wslink_unframe(struct link *c)
{
    struct wsconn *ws = c->ws;

    if (wsconn_unframe(ws, stream_input(c->net), stream_output(c->net)) != 0) {
        /* The close frame says why, where the socket still takes it. */
        (void)wsconn_close(ws, stream_output(c->net), ws->err_code);
        link_drop(c, RST_PLAIN | FLUSH_NET, "\"WebSocket: %s (close %d sent)\"", ws->err,
                  ws->err_code);
        return -1;
    }
    /* A close frame ends the peer's bytes as a TCP end of stream does:
     * whether it was a clean end is the engine's call (close_notify). */
    if (ws->peer_closed && !c->net_eof) {
        log_info("[%s] %s WebSocket close frame received (code %d)", c->cfg->name, c->peer,
                 ws->peer_code);
        c->net_eof = 1;
    }
    return 0;
}

int wslink_close(struct link *c, int code)
{
    if (wsconn_close(c->ws, stream_output(c->net), code) != 0 || relay_net_flush(c) < 0) {
        link_drop_reset(c, 1, strerror(errno != 0 ? errno : ENOMEM));
        return -1;
    }
    return 0;
}

void wslink_free(struct link *c)
{
    if (c->ws != NULL) {
        wsconn_free(c->ws);
        free(c->ws);
        c->ws = NULL;
    }
}
