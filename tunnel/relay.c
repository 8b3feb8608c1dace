/*
 * The data path of one connection: relay_pump() reads what each side's
 * socket holds, feeds the engine SC1 records and plaintext, moves what it
 * opens and seals to the other side, and writes. Backpressure: a side is
 * read only while its input buffer has room, and its input is consumed
 * only while the destination's buffer has room, so a fast side never
 * outruns a slow one.
 */
#include "relay.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>

#include "link_int.h"
#include "opening.h"
#include "pool.h"
#include "wslink.h"

/* Bytes one relay_pump() may read before letting the worker's other
 * connections have a turn. */
#define PUMP_BUDGET (256 * 1024)

/* SC1 bytes at the front of the SC1 socket's input: over WebSocket, the
 * current frame's payload (unframed where it lies, wsconn.h). */
static size_t net_in_len(struct link *c)
{
    struct evbuffer *in = stream_input(c->net);

    return c->ws != NULL ? wsconn_payload(c->ws, in) : evbuffer_get_length(in);
}

static void net_in_drain(struct link *c, size_t n)
{
    if (c->ws != NULL)
        wsconn_consume(c->ws, stream_input(c->net), n);
    else
        evbuffer_drain(stream_input(c->net), n);
}

struct evbuffer *relay_net_out(struct link *c)
{
    return c->ws != NULL ? c->ws->out : stream_output(c->net);
}

size_t relay_net_pending(struct link *c)
{
    return stream_pending(c->net) + (c->ws != NULL ? evbuffer_get_length(c->ws->out) : 0);
}

ssize_t relay_net_flush(struct link *c)
{
    /* Frames are made only now, around everything sealed since the last
     * write: fewer, larger frames, and no frame header per record. */
    if (c->ws != NULL && wsconn_frame(c->ws, stream_output(c->net)) != 0) {
        errno = ENOMEM;
        return -1;
    }
    return stream_flush(c->net);
}

/* Bytes up to the end of the next whole record in `in` (at least a header). */
static size_t next_record_end(struct evbuffer *in)
{
    unsigned char hdr[SC_RECORD_HEADER_LEN];
    ev_ssize_t n = evbuffer_copyout(in, hdr, sizeof(hdr));

    return sc_record_next_len(hdr, n > 0 ? (size_t)n : 0);
}

/*
 * Move what the engine has to send into the SC1 socket's buffer, unless
 * `all` is 0 and that buffer is over the watermark: a peer that sends
 * records asking for answers (key-update requests) and never reads then
 * finds its answer still in the engine, which answers any number of
 * requests with that one (libsovchain(3)), so what waits for such a peer
 * stays bounded. The SC1 side is still read (its data still flows to the
 * plaintext side): two tunnels whose outputs toward each other are both
 * full would otherwise each wait for the other to read.
 */
void relay_flush_engine(struct link *c, int all)
{
    struct evbuffer *out;
    const uint8_t *p;
    size_t n;

    if (c->net == NULL || !c->net_up)
        return;
    out = relay_net_out(c);
    if (!all && relay_net_pending(c) >= LINK_WATERMARK)
        return;
    while ((p = sc_conn_output(c->sc, &n)) != NULL && n > 0) {
        if (evbuffer_add(out, p, n) != 0)
            break;
        sc_conn_output_consume(c->sc, n);
    }
}

/* Decrypted data to the plaintext side, as far as its buffer has room. */
static int deliver(struct link *c, int *progress)
{
    struct evbuffer *out;
    struct evbuffer_iovec v;
    size_t len, cap, n;
    uint8_t none;
    int rc;

    if (!c->plain_up || c->pout == NULL || c->peer_closed)
        return 0;
    out = stream_output(c->pout);
    while ((len = evbuffer_get_length(out)) < LINK_WATERMARK) {
        cap = LINK_WATERMARK - len;
        if (cap > SC_RECORD_MAX_PLAINTEXT)
            cap = SC_RECORD_MAX_PLAINTEXT;
        /* Nothing opened: ask the engine only for its state. Space
         * reserved and left empty would stay in the idle buffer (libevent
         * frees a buffer's chains only when it drains bytes). */
        if (sc_conn_pending_read(c->sc) == 0) {
            v.iov_base = &none;
            v.iov_len = cap = 0;
        } else if (evbuffer_reserve_space(out, (ev_ssize_t)cap, &v, 1) < 1) {
            return 0;
        }
        if (v.iov_len < cap)
            cap = v.iov_len;
        n = 0;
        rc = sc_conn_read(c->sc, v.iov_base, cap, &n);
        v.iov_len = n;
        if (cap > 0)
            evbuffer_commit_space(out, &v, 1);
        if (rc == SC_ERR_CLOSED) {
            /* Section 4, Alert: close_notify ends the peer's direction. */
            c->peer_closed = 1;
            *progress = 1;
            return 0;
        }
        if (rc != SC_OK) {
            link_engine_failed(c, rc);
            return -1;
        }
        if (n == 0)
            return 0;
        c->received += n;
        *progress = 1;
    }
    return 0;
}

/*
 * Feed the engine; when the plaintext side has room, application data is
 * opened straight into its output buffer (no copy through the engine).
 */
static int feed_engine(struct link *c, const unsigned char *p, size_t len, size_t *used,
                       int *progress)
{
    struct evbuffer *out;
    struct evbuffer_iovec v;
    size_t room, n = 0;
    int rc;

    if (!c->plain_up || c->pout == NULL || c->peer_closed)
        return sc_conn_feed(c->sc, p, len, used);
    out = stream_output(c->pout);
    if (evbuffer_get_length(out) >= LINK_WATERMARK) {
        *used = 0; /* backpressure: the plaintext side drains first */
        return SC_OK;
    }
    /* Only application data opens into the buffer: space reserved for
     * any other record would stay there empty, as a chain an idle buffer
     * keeps. (After a partial record p holds no header; that only
     * chooses the path.) */
    if (!sc_record_is_appdata(p, len))
        return sc_conn_feed(c->sc, p, len, used);
    /* Room for at least one whole record, so it opens in place. */
    room = LINK_WATERMARK - evbuffer_get_length(out);
    if (room < SC_RECORD_MAX_PLAINTEXT)
        room = SC_RECORD_MAX_PLAINTEXT;
    if (evbuffer_reserve_space(out, (ev_ssize_t)room, &v, 1) < 1)
        return sc_conn_feed(c->sc, p, len, used);
    rc =
        sc_conn_feed_into(c->sc, p, len, used, v.iov_base, v.iov_len < room ? v.iov_len : room, &n);
    v.iov_len = n;
    evbuffer_commit_space(out, &v, 1);
    c->received += n;
    if (n > 0)
        *progress = 1;
    return rc;
}

/*
 * Whether the start of a record waits in the socket's buffer for its rest
 * rather than going to the engine now. Given in part, the engine copies
 * the record and opens it into a buffer of its own, from which it is
 * copied again (and the memory for both comes and goes with every
 * record): a whole record opens in place. The buffer is read until it
 * holds LINK_WATERMARK bytes, more than the largest record, so the rest
 * comes; it cannot once the peer's bytes ended, or (WebSocket) where the
 * frame ends first. During the handshake everything goes to the engine at
 * once: bytes that are not SC1 are refused without waiting for the length
 * their first bytes seem to give.
 */
static int record_waits(struct link *c, size_t len, size_t end)
{
    return c->hs_done && !c->net_eof && end <= sc_conn_sealed_size(SC_RECORD_MAX_PLAINTEXT)
        && end < LINK_WATERMARK && (c->ws == NULL || c->ws->left > len);
}

/*
 * Follow the record framing over the n bytes the engine just consumed, so
 * the relay knows exactly where the record it holds the start of ends.
 * Exactly, not from the length at the buffer's front: a wrong guess would
 * read a length in the middle of a record and could wait for bytes the
 * peer never sends.
 */
static void track_records(struct link *c, const uint8_t *p, size_t n)
{
    size_t k;

    while (n > 0) {
        if (c->rec_have < SC_RECORD_HEADER_LEN) {
            k = SC_RECORD_HEADER_LEN - c->rec_have;
            k = k < n ? k : n;
            memcpy(c->rec_hdr + c->rec_have, p, k);
            c->rec_have += k;
            if (c->rec_have == SC_RECORD_HEADER_LEN)
                c->rec_left =
                    sc_record_next_len(c->rec_hdr, SC_RECORD_HEADER_LEN) - SC_RECORD_HEADER_LEN;
        } else {
            k = c->rec_left < n ? c->rec_left : n;
            c->rec_left -= k;
        }
        p += k;
        n -= k;
        if (c->rec_have == SC_RECORD_HEADER_LEN && c->rec_left == 0)
            c->rec_have = 0;
    }
}

/* Received SC1 bytes into the engine. */
static int feed(struct link *c, int *progress)
{
    struct evbuffer *in;
    size_t len, end, used = 0;
    unsigned char *p;
    int rc;

    if (c->ws != NULL && wslink_unframe(c) != 0)
        return -1;
    in = stream_input(c->net);
    len = net_in_len(c);
    if (c->rec_have > 0) {
        /* The engine holds the start of a record: the rest of it (its
         * header first) and no more, so that the next record starts at
         * the front and may open in place. */
        end = c->rec_have < SC_RECORD_HEADER_LEN ? SC_RECORD_HEADER_LEN - c->rec_have : c->rec_left;
        if (len > end)
            len = end;
    } else if (len > 0) {
        /* Contiguous bytes for one whole record: most already are, so
         * the pullup rarely copies. */
        end = next_record_end(in);
        if (len > end)
            len = end;
        else if (len < end && record_waits(c, len, end))
            len = 0;
    }
    if (len > 0) {
        if ((p = evbuffer_pullup(in, (ev_ssize_t)len)) == NULL)
            return 0;
        link_note_first(c, p, len);
        rc = feed_engine(c, p, len, &used, progress);
        track_records(c, p, used);
        net_in_drain(c, used);
        c->net_in += used;
        if (used > 0)
            *progress = 1;
        if (rc != SC_OK) {
            link_engine_failed(c, rc);
            return -1;
        }
    }
    if (!c->hs_done && sc_conn_handshake_done(c->sc)) {
        link_handshake_done(c);
        *progress = 1;
        if (c->pooled && !c->plain_up && pool_ready(c) != 0)
            return -1;
    }
    /* Server: the plaintext service once the session is open. */
    if (opening_check(c) != 0)
        return -1;
    if (c->replay != NULL && c->received > 0)
        opening_keep_sent(c, NULL, 0);
    /* Over WebSocket, what follows the payload just used may be more
     * frames: only an end with none left ends the engine's input. */
    if (c->ws != NULL && c->net_eof && !c->fed_eof && wslink_unframe(c) != 0)
        return -1;
    if (c->net_eof && !c->fed_eof && net_in_len(c) == 0 && sc_conn_pending_read(c->sc) == 0) {
        c->fed_eof = 1;
        *progress = 1;
        if ((rc = sc_conn_feed_eof(c->sc)) != SC_OK) {
            link_engine_failed(c, rc);
            return -1;
        }
    }
    return 0;
}

/* Seal plaintext straight into reserved space of the SC1 socket's output
 * buffer, after anything the engine already had to send. */
static int seal_into(struct evbuffer *out, struct link *c, const unsigned char *p, size_t len,
                     size_t *used)
{
    struct evbuffer_iovec v;
    size_t need = sc_conn_sealed_size(len), written = 0;
    int rc;

    relay_flush_engine(c, 0);
    *used = 0;
    if (evbuffer_reserve_space(out, (ev_ssize_t)need, &v, 1) < 1)
        return SC_OK;
    rc = sc_conn_write_into(c->sc, p, len, used, v.iov_base, v.iov_len, &written);
    v.iov_len = written;
    evbuffer_commit_space(out, &v, 1);
    relay_flush_engine(c, 0);
    return rc;
}

/* Plaintext into the engine while the SC1 socket's buffer has room. */
static int seal(struct link *c, int *progress)
{
    struct evbuffer *in, *out;
    size_t len, used;
    unsigned char *p;
    int rc;

    if (!c->hs_done || !c->plain_up || c->pin == NULL || !sc_conn_can_write(c->sc))
        return 0;
    in = stream_input(c->pin);
    out = relay_net_out(c);
    while ((len = evbuffer_get_length(in)) > 0 && relay_net_pending(c) < LINK_WATERMARK) {
        /* Whole records when there is enough: full-size records for bulk. */
        if (len > SC_RECORD_MAX_PLAINTEXT)
            len = SC_RECORD_MAX_PLAINTEXT;
        if ((p = evbuffer_pullup(in, (ev_ssize_t)len)) == NULL)
            return 0;
        rc = seal_into(out, c, p, len, &used);
        if (rc != SC_OK) {
            link_engine_failed(c, rc);
            return -1;
        }
        opening_keep_sent(c, p, used);
        evbuffer_drain(in, used);
        c->sent += used;
        if (used == 0)
            break;
        *progress = 1;
    }
    if (c->plain_eof && evbuffer_get_length(in) == 0 && !c->sent_close) {
        /* Section 4, Alert: close_notify is a half-close of our direction. */
        if ((rc = sc_conn_close(c->sc)) != SC_OK) {
            link_engine_failed(c, rc);
            return -1;
        }
        c->sent_close = 1;
        *progress = 1;
    }
    return 0;
}

/* Shut write sides once everything before the end was delivered. */
static int check_end(struct link *c)
{
    if (c->sent_close && !c->net_shut && c->net != NULL) {
        /* Over WebSocket our end is a close frame; the TCP end waits for
         * the peer's end too (RFC 6455 section 7: TCP closes once both
         * close frames crossed). Reverse proxies end an upgraded
         * connection at the first TCP end of stream, which would cut the
         * direction still open. */
        if (c->ws != NULL && !c->ws->close_sent && wslink_close(c, WS_CLOSE_NORMAL) != 0)
            return -1;
        if (relay_net_pending(c) == 0) {
            if (c->ws == NULL)
                shutdown(stream_fd(c->net), SHUT_WR);
            c->net_shut = 1;
        }
    }
    if (c->peer_closed && !c->plain_shut && c->pout != NULL && stream_pending(c->pout) == 0) {
        if (c->stdio) {
            stream_free(c->pout, 0); /* closes standard output */
            c->pout = NULL;
        } else {
            shutdown(stream_fd(c->pout), SHUT_WR);
        }
        c->plain_shut = 1;
    }
    /* Over WebSocket the peer's close frame follows its close_notify:
     * closing before reading it would leave it unread, and the kernel
     * would answer with a reset that discards what the peer has not read
     * yet of ours. */
    if (c->net_shut && c->plain_shut && (c->ws == NULL || c->net_eof)) {
        link_end_as(c, METRICS_END_EOF);
        link_drop(c, 0, "eof");
        return -1;
    }
    return 0;
}

/*
 * Read what a side's socket holds, as far as its input buffer has room:
 * a side whose destination is full stops being read once its own buffer
 * is full, so a fast side never outruns a slow one. Returns 1 if bytes or
 * the end of stream arrived, 0 if not, -1 after dropping the connection on
 * a read error (a reset, passed on as one).
 */
static int read_side(struct link *c, struct stream *s, int *eof, size_t *budget)
{
    ssize_t n;

    if (s == NULL || *eof || *budget == 0)
        return 0;
    if ((n = stream_fill(s, LINK_WATERMARK, eof)) < 0) {
        link_drop_reset(c, s == c->net, strerror(errno));
        return -1;
    }
    *budget -= (size_t)n < *budget ? (size_t)n : *budget;
    return n > 0 || *eof;
}

/* Both sides' input; as read_side. */
static int read_sides(struct link *c, size_t *budget)
{
    int a = 0, b = 0;

    if (c->net_up && (a = read_side(c, c->net, &c->net_eof, budget)) < 0)
        return -1;
    if (c->plain_up && (b = read_side(c, c->pin, &c->plain_eof, budget)) < 0)
        return -1;
    return a | b;
}

/*
 * Write a side's output as far as its socket takes it. Returns 1 if bytes
 * went out, 0 if none did, -1 after dropping the connection on a write
 * error (which this write consumed: a later read would see a clean end
 * instead).
 */
static int write_side(struct link *c, struct stream *s)
{
    ssize_t n;

    if (s == NULL)
        return 0;
    if ((n = s == c->net ? relay_net_flush(c) : stream_flush(s)) < 0) {
        link_drop_reset(c, s == c->net, strerror(errno));
        return -1;
    }
    return n > 0;
}

/* Both sides' output; as write_side. */
static int write_sides(struct link *c)
{
    int a = 0, b = 0;

    if (c->net_up && (a = write_side(c, c->net)) < 0)
        return -1;
    if (c->plain_up && !c->plain_shut && (b = write_side(c, c->pout)) < 0)
        return -1;
    return a | b;
}

/* A side that may still hold data, with room to read it, but that this
 * pump left for the worker's other connections: come back to it (no new
 * event would come for data the kernel already has). */
static void read_later(struct stream *s, int eof)
{
    if (s != NULL && !eof && stream_readable(s)
        && evbuffer_get_length(stream_input(s)) < LINK_WATERMARK)
        stream_again(s);
}

/* Move everything that can move; -1 if the connection was dropped. */
int relay_pump(struct link *c)
{
    size_t budget = PUMP_BUDGET;
    uint64_t moved = c->sent + c->received;
    int progress, got, wrote;

    if (c->phase == PH_DRAIN)
        return 0;
    if (c->phase == PH_UPGRADE) {
        int r;

        if (read_side(c, c->net, &c->net_eof, &budget) < 0 || (r = wslink_step(c)) < 0)
            return -1;
        if (r == 0)
            return write_side(c, c->net) < 0 ? -1 : 0;
    }
    do {
        if ((got = read_sides(c, &budget)) < 0)
            return -1;
        do {
            progress = 0;
            if (c->net_up) {
                if (deliver(c, &progress) != 0 || feed(c, &progress) != 0)
                    return -1;
                if (seal(c, &progress) != 0)
                    return -1;
                relay_flush_engine(c, 0);
            }
        } while (progress);
        /* What was written made room: read and move what waited for it. */
        if ((wrote = write_sides(c)) < 0)
            return -1;
    } while (got > 0 || wrote > 0);
    /* Idle means no data moved: the peer's timed key updates (or any
     * other record without data) do not keep a connection open. */
    if (c->sent + c->received != moved) {
        link_count_bytes(c);
        if (c->phase == PH_OPEN)
            link_touch(c);
    }
    if (budget == 0) {
        if (c->net_up)
            read_later(c->net, c->net_eof);
        if (c->plain_up)
            read_later(c->pin, c->plain_eof);
    }
    return check_end(c);
}
