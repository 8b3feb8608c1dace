/*
 * A stream: one non-blocking descriptor with an input and an output
 * buffer, watched by one edge-triggered event that is registered once, when
 * the stream is made, and never changed until it is freed.
 *
 * Why not a libevent bufferevent: in libevent 2.1 a socket bufferevent asks
 * the kernel how much is readable (FIONREAD) before every read, reads at
 * most 4 KiB at a time, and switches its write event on and off around
 * every write (two epoll_ctl calls). A stream reads and writes as much as
 * its buffers allow, and the kernel is told about the descriptor once.
 *
 * Edge-triggered means the event fires when a direction becomes ready, not
 * while it stays ready. So the stream remembers readiness itself: readable
 * until a read returns EAGAIN, writable until a write falls short. The
 * owner must call stream_fill() until it returns 0 or its buffer is full,
 * and must call it again later if it stopped because the buffer was full
 * (no new event will come for data the kernel already has).
 */
#ifndef TUNNEL_STREAM_H
#define TUNNEL_STREAM_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <event2/buffer.h>
#include <event2/event.h>

/* Directions a stream watches. */
#define STREAM_IN 1
#define STREAM_OUT 2

struct stream;

/* Called when a watched direction became ready (or the connection being
 * made completed or failed). */
typedef void (*stream_cb)(struct stream *s, void *arg);

/* An event base with edge-triggered events (epoll), or NULL. */
struct event_base *stream_base_new(void);

/* Watch fd (already non-blocking) in `dirs`. Takes ownership of fd, also on
 * failure. NULL with errno set if memory or the event fails. A descriptor
 * epoll cannot watch (a regular file, /dev/null) never blocks: its stream
 * is always readable (until the end of file) and writable, and gets no
 * callback except through stream_again(). */
struct stream *stream_new(struct event_base *base, int fd, int dirs, stream_cb cb, void *arg);

/* Start connecting fd (a new non-blocking socket) to sa, as stream_new.
 * The callback fires when the outcome is known; stream_connected() then
 * tells it. NULL with errno set if the connection failed at once. */
struct stream *stream_connect(struct event_base *base, int fd, const struct sockaddr *sa,
                              socklen_t len, stream_cb cb, void *arg);
/* While connecting: 0 connected, an errno value if it failed, -1 not yet. */
int stream_connected(struct stream *s);

/* Read into the input buffer until it holds `want` bytes or the descriptor
 * has no more. Returns the bytes read, and sets *eof at the end of stream;
 * -1 with errno set on an error (a reset). */
ssize_t stream_fill(struct stream *s, size_t want, int *eof);
/* Whether data may be waiting in the kernel (no EAGAIN seen since the last
 * event). */
int stream_readable(const struct stream *s);
/* Ask for the callback again once the loop has polled: used to give other
 * connections a turn without losing this one's readiness. */
void stream_again(struct stream *s);

/* Write the output buffer as far as the descriptor takes it. Returns the
 * bytes written (0 if it takes none now); -1 with errno set on an error. */
ssize_t stream_flush(struct stream *s);
/* Output still waiting for the descriptor. */
size_t stream_pending(const struct stream *s);

/* The input buffer may be replaced by stream_fill(): ask again after it. */
/* Another owner's callback for the stream's events from now on. */
void stream_set_cb(struct stream *s, stream_cb cb, void *arg);
struct evbuffer *stream_input(struct stream *s);
struct evbuffer *stream_output(struct stream *s);
int stream_fd(const struct stream *s);

/* Stop watching and close; with `reset` a socket is closed abortively (the
 * peer sees a reset, not an end of stream). NULL is fine. */
void stream_free(struct stream *s, int reset);

#endif
