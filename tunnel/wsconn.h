/*
 * The WebSocket transport of one connection (PROTOCOL.md Appendix A):
 * SC1 bytes to send are framed into the wire buffer; received frames are
 * unframed where they lie. Sans-I/O, on evbuffers, so the relay keeps its
 * zero-copy path: outgoing payload chains move onto the wire by reference
 * (evbuffer_add_buffer), masking is done in place on chains this layer
 * owns, and incoming payload stays in the socket's input buffer, where
 * the engine opens it as it opens raw SC1.
 *
 * Why incoming payload stays put: moving it into a buffer of its own
 * emptied the socket's buffer, so every read took fresh memory, records
 * split across those reads had to be copied whole, and the payload
 * waiting for a slow plaintext side was not bounded by what the socket
 * side reads (the relay reads while the socket's buffer has room). Left
 * in place, it is bounded and read like raw SC1; only a record that a
 * frame boundary splits reaches the engine in two parts.
 *
 * The byte stream is what matters, not messages: frames may split or join
 * records anywhere, a message may be fragmented (continuation frames) with
 * control frames between its fragments. A close frame ends the peer's
 * bytes, as a TCP end of stream does; whether that was a clean end is the
 * SC1 engine's decision (close_notify), never this layer's.
 */
#ifndef TUNNEL_WSCONN_H
#define TUNNEL_WSCONN_H

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <openssl/types.h>

/* Largest frame this side sends: bounds what a peer must accept. Above
 * what the relay stages between writes (its watermark plus a record), so
 * a frame takes the staged chains whole instead of splitting (copying)
 * one. */
#define WSCONN_SEND_MAX (256 * 1024)
/* Largest data frame accepted. Payload streams through as it arrives, so
 * this bounds no memory; it refuses (1009) a peer whose framing has gone
 * wrong rather than waiting for gigabytes of one frame. */
#define WSCONN_MAX_FRAME (16 * 1024 * 1024)

struct wsconn {
    OSSL_LIB_CTX *libctx; /* masking keys come from its random generator */
    int client;           /* our frames are masked; the peer's must not be */
    uint64_t max_frame;   /* largest data frame payload accepted */
    struct evbuffer *out; /* SC1 bytes waiting to be framed */
    /* Receiving: the data frame at the front of the socket's input. */
    uint64_t left;  /* its payload bytes not yet consumed */
    uint64_t off;   /* payload bytes consumed (the mask's phase) */
    uint64_t clear; /* bytes at the front already unmasked */
    uint8_t mask[4];
    int masked;
    int in_message;  /* a fragmented message is open: continuations follow */
    int peer_closed; /* a close frame arrived: the peer's bytes ended */
    int peer_code;   /* its status code, 1005 when it carried none */
    int close_sent;
    int err_code;  /* close code to send after an error */
    char err[160]; /* what was wrong with the peer's frames */
};

/* 0, or -1 if memory fails. client: 1 on the side that connects; libctx:
 * the services' library context (NULL: the default one). */
int wsconn_init(struct wsconn *w, OSSL_LIB_CTX *libctx, int client, uint64_t max_frame);
void wsconn_free(struct wsconn *w);

/*
 * Unframe the front of `raw` (bytes as read from the socket) up to the
 * next payload: frame headers are removed, a ping is answered with a pong
 * on `wire`, a close frame sets peer_closed (what follows it is
 * discarded), and the payload now at the front is unmasked in place.
 * wsconn_payload() then says how much of it is there. Returns 0, or -1
 * on a protocol error (w->err and w->err_code say which; send
 * wsconn_close() with that code and end the connection).
 */
int wsconn_unframe(struct wsconn *w, struct evbuffer *raw, struct evbuffer *wire);

/* Payload bytes at the front of `raw`, unmasked, after wsconn_unframe(). */
size_t wsconn_payload(const struct wsconn *w, const struct evbuffer *raw);

/* The first n (at most wsconn_payload()) of them were used: drained from
 * `raw`. Call wsconn_unframe() again for what follows. */
void wsconn_consume(struct wsconn *w, struct evbuffer *raw, size_t n);

/* Frame everything in w->out onto `wire` (binary frames, each a whole
 * message of at most WSCONN_SEND_MAX bytes). 0, or -1 if memory fails. */
int wsconn_frame(struct wsconn *w, struct evbuffer *wire);

/* Frame what w->out still holds, then append a close frame with `code`
 * (once: later calls, and later data, add nothing). 0, or -1 if memory
 * fails. */
int wsconn_close(struct wsconn *w, struct evbuffer *wire, int code);

#endif
