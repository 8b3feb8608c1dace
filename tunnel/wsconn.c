/* wsconn_*: the WebSocket transport of one connection (wsconn.h). */
#include "wsconn.h"

#include <stdio.h>
#include <string.h>
#include <openssl/rand.h>

#include "ws.h"

int wsconn_init(struct wsconn *w, OSSL_LIB_CTX *libctx, int client, uint64_t max_frame)
{
    memset(w, 0, sizeof(*w));
    w->libctx = libctx;
    w->client = client;
    w->max_frame = max_frame;
    w->out = evbuffer_new();
    return w->out != NULL ? 0 : -1;
}

void wsconn_free(struct wsconn *w)
{
    if (w->out != NULL)
        evbuffer_free(w->out);
    w->out = NULL;
}

/*
 * XOR bytes [start, start + n) of b with the mask, in place: the chains
 * are this connection's own (filled by read() or by the engine, never
 * references to someone else's memory), so they may be written through
 * the pointers evbuffer_peek() hands out. Masking while moving would need
 * a copy; masking in place keeps the payload where it already is.
 */
static void mask_range(struct evbuffer *b, size_t start, size_t n, const uint8_t mask[4],
                       uint64_t off)
{
    struct evbuffer_ptr ptr;
    struct evbuffer_iovec v[16];
    int k, i;

    while (n > 0) {
        if (evbuffer_ptr_set(b, &ptr, start, EVBUFFER_PTR_SET) != 0)
            return;
        k = evbuffer_peek(b, (ev_ssize_t)n, &ptr, v, 16);
        if (k > 16)
            k = 16;
        if (k <= 0)
            return;
        for (i = 0; i < k && n > 0; i++) {
            size_t len = v[i].iov_len < n ? v[i].iov_len : n;

            ws_mask(v[i].iov_base, len, mask, off);
            off += len;
            start += len;
            n -= len;
        }
    }
}

/* One frame: header then payload, masked on the client's side. */
static int add_frame(struct wsconn *w, struct evbuffer *wire, int opcode, struct evbuffer *src,
                     const uint8_t *p, size_t n)
{
    uint8_t h[WS_HDR_MAX], mask[4];
    size_t hl, start;

    if (w->client && RAND_bytes_ex(w->libctx, mask, sizeof(mask), 0) != 1)
        return -1;
    hl = ws_frame_header(h, 1, opcode, n, w->client ? mask : NULL);
    start = evbuffer_get_length(wire) + hl;
    if (evbuffer_add(wire, h, hl) != 0)
        return -1;
    if (src == NULL && evbuffer_add(wire, p, n) != 0)
        return -1;
    /* The payload's chains move onto the wire by reference; only a chain
     * split at the frame's end is copied. */
    if (src != NULL
        && (n == evbuffer_get_length(src)
                ? evbuffer_add_buffer(wire, src)
                : (evbuffer_remove_buffer(src, wire, n) == (int)n ? 0 : -1))
            != 0)
        return -1;
    if (w->client)
        mask_range(wire, start, n, mask, 0);
    return 0;
}

int wsconn_frame(struct wsconn *w, struct evbuffer *wire)
{
    size_t n;

    while ((n = evbuffer_get_length(w->out)) > 0) {
        if (w->close_sent) {
            /* RFC 6455 section 5.5.1: no data after our close frame. */
            evbuffer_drain(w->out, n);
            break;
        }
        if (n > WSCONN_SEND_MAX)
            n = WSCONN_SEND_MAX;
        if (add_frame(w, wire, WS_OP_BINARY, w->out, NULL, n) != 0)
            return -1;
    }
    return 0;
}

int wsconn_close(struct wsconn *w, struct evbuffer *wire, int code)
{
    uint8_t p[2] = { (uint8_t)(code >> 8), (uint8_t)code };

    if (w->close_sent)
        return 0;
    if (wsconn_frame(w, wire) != 0)
        return -1;
    w->close_sent = 1;
    return add_frame(w, wire, WS_OP_CLOSE, NULL, p, sizeof(p));
}

static int fail(struct wsconn *w, int code, const char *why)
{
    w->err_code = code;
    snprintf(w->err, sizeof(w->err), "%s", why);
    return -1;
}

/* A whole control frame (payload at most 125 bytes, RFC 6455 5.5). 1 done,
 * 0 more bytes needed, -1 error. */
static int control(struct wsconn *w, struct evbuffer *raw, struct evbuffer *wire,
                   const struct ws_frame *f, size_t hl)
{
    uint8_t p[125];

    if (evbuffer_get_length(raw) < hl + f->len)
        return 0;
    evbuffer_drain(raw, hl);
    evbuffer_remove(raw, p, (size_t)f->len);
    if (f->masked)
        ws_mask(p, (size_t)f->len, f->mask, 0);
    switch (f->opcode) {
    case WS_OP_PING:
        /* Answered at once: frames go onto the wire whole, so a pong
         * never lands inside a data frame of ours. */
        if (!w->close_sent && add_frame(w, wire, WS_OP_PONG, NULL, p, (size_t)f->len) != 0)
            return fail(w, WS_CLOSE_PROTOCOL, "out of memory for a pong");
        return 1;
    case WS_OP_CLOSE:
        if (f->len == 1)
            return fail(w, WS_CLOSE_PROTOCOL, "WebSocket close frame with a 1-byte payload");
        w->peer_code = f->len >= 2 ? p[0] << 8 | p[1] : 1005;
        if (f->len >= 2 && !ws_close_code_valid(w->peer_code)) {
            snprintf(w->err, sizeof(w->err),
                     "WebSocket close frame with code %d, not one an endpoint may send",
                     w->peer_code);
            w->err_code = WS_CLOSE_PROTOCOL;
            return -1;
        }
        w->peer_closed = 1;
        return 1;
    default: /* pong: nothing to do */
        return 1;
    }
}

int wsconn_unframe(struct wsconn *w, struct evbuffer *raw, struct evbuffer *wire)
{
    uint8_t h[WS_HDR_MAX];
    struct ws_frame f;
    size_t hl, n;
    ev_ssize_t got;
    int rc, code;

    while (!w->peer_closed) {
        if (w->left > 0) {
            /* Payload at the front: unmask what arrived since last time,
             * while it is still in the cache the read left it in. */
            n = evbuffer_get_length(raw);
            if (n > w->left)
                n = (size_t)w->left;
            if (w->masked && w->clear < n) {
                mask_range(raw, (size_t)w->clear, n - (size_t)w->clear, w->mask, w->off + w->clear);
                w->clear = n;
            }
            break;
        }
        if ((got = evbuffer_copyout(raw, h, sizeof(h))) <= 0)
            break;
        rc = ws_frame_parse(h, (size_t)got, !w->client, w->max_frame, &f, &hl, &code, w->err,
                            sizeof(w->err));
        if (rc == 0)
            break;
        if (rc < 0) {
            w->err_code = code;
            return -1;
        }
        if (f.opcode >= WS_OP_CLOSE) {
            if ((rc = control(w, raw, wire, &f, hl)) <= 0)
                return rc;
            continue;
        }
        if (f.opcode == WS_OP_TEXT)
            return fail(w, WS_CLOSE_UNSUPPORTED,
                        "WebSocket text frame (SC1 travels in binary frames)");
        if (f.opcode == WS_OP_BINARY && w->in_message)
            return fail(w, WS_CLOSE_PROTOCOL, "WebSocket message begun inside a fragmented one");
        if (f.opcode == WS_OP_CONT && !w->in_message)
            return fail(w, WS_CLOSE_PROTOCOL, "WebSocket continuation frame without a message");
        w->in_message = !f.fin;
        evbuffer_drain(raw, hl);
        w->left = f.len;
        w->off = w->clear = 0;
        w->masked = f.masked;
        memcpy(w->mask, f.mask, 4);
    }
    /* After the close frame the peer sends nothing more (RFC 6455 1.4). */
    if (w->peer_closed)
        evbuffer_drain(raw, evbuffer_get_length(raw));
    return 0;
}

size_t wsconn_payload(const struct wsconn *w, const struct evbuffer *raw)
{
    size_t n = evbuffer_get_length(raw);

    if (n > w->left)
        n = (size_t)w->left;
    if (w->masked && n > w->clear)
        n = (size_t)w->clear;
    return n;
}

void wsconn_consume(struct wsconn *w, struct evbuffer *raw, size_t n)
{
    if (n > wsconn_payload(w, raw))
        n = wsconn_payload(w, raw);
    evbuffer_drain(raw, n);
    w->left -= n;
    w->off += n;
    w->clear = w->clear > n ? w->clear - n : 0;
}
