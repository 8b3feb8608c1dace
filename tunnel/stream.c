/*
 * Streams: see stream.h for why they replace libevent's socket
 * bufferevents, and for the edge-triggered contract.
 */
#include "stream.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/epoll.h>
#endif

/* Chains of the output buffer handed to one writev(). The stream builds
 * the vector itself (evbuffer_peek), so it knows what it offered: a write
 * that takes less means the descriptor is full, whatever libevent's own
 * evbuffer_write() would have chosen to offer. */
#define FLUSH_IOV 64

struct stream {
    int fd;
    struct event *ev;
    struct event *later; /* stream_again(), made on first use */
    struct evbuffer *in, *out;
    int readable; /* no EAGAIN from read since the last read edge */
    int writable; /* no short write since the last write edge */
    int always;   /* a file: always ready, never watched */
    int connecting;
    int connect_err; /* kept: reading SO_ERROR clears it */
    stream_cb cb;
    void *arg;
};

struct event_base *stream_base_new(void)
{
    struct event_config *cfg = event_config_new();
    struct event_base *base = NULL;

    if (cfg == NULL)
        return NULL;
    /* Streams rely on edge-triggered events; a level-triggered backend
     * would report a writable socket again and again. */
    if (event_config_require_features(cfg, EV_FEATURE_ET) == 0)
        base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    return base;
}

static void on_event(evutil_socket_t fd, short what, void *arg)
{
    struct stream *s = arg;

    (void)fd;
    if (what & EV_READ)
        s->readable = 1;
    if (what & EV_WRITE)
        s->writable = 1;
    s->cb(s, s->arg);
}

/*
 * Whether the event loop can watch fd. epoll refuses regular files and
 * some devices (/dev/null) with EPERM: they never block, so they are
 * always ready. Asked of a private epoll instance, so that libevent is
 * never handed a descriptor it would refuse (with a warning of its own).
 */
static int watchable(int fd)
{
#ifdef __linux__
    struct epoll_event ev = { .events = EPOLLIN };
    int ep = epoll_create1(EPOLL_CLOEXEC), ok = 1;

    if (ep < 0)
        return 1;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EPERM)
        ok = 0;
    close(ep);
    return ok;
#else
    struct stat st;

    return fstat(fd, &st) != 0 || !S_ISREG(st.st_mode);
#endif
}

static struct stream *make(struct event_base *base, int fd, int dirs, int connecting, stream_cb cb,
                           void *arg)
{
    struct stream *s = calloc(1, sizeof(*s));
    short what = EV_PERSIST | EV_ET;
    int always = !connecting && !watchable(fd);

    if (s == NULL) {
        close(fd);
        return NULL;
    }
    s->fd = fd;
    s->cb = cb;
    s->arg = arg;
    s->connecting = connecting;
    /* Writable until a write says otherwise; readable only when an event
     * says so (registering reports data already waiting). */
    s->writable = !connecting;
    what |= (dirs & STREAM_IN) ? EV_READ : 0;
    what |= (dirs & STREAM_OUT) ? EV_WRITE : 0;
    errno = 0;
    s->in = evbuffer_new();
    s->out = evbuffer_new();
    /* A file is read and written directly whenever its owner asks: its
     * event watches no descriptor and runs only through stream_again(). */
    s->always = always;
    s->readable = always && (dirs & STREAM_IN);
    s->ev = event_new(base, always ? -1 : fd, always ? 0 : what, on_event, s);
    if (s->in == NULL || s->out == NULL || s->ev == NULL
        || (!always && event_add(s->ev, NULL) != 0)) {
        int e = errno != 0 ? errno : ENOMEM;

        stream_free(s, 0);
        errno = e;
        return NULL;
    }
    return s;
}

struct stream *stream_new(struct event_base *base, int fd, int dirs, stream_cb cb, void *arg)
{
    return make(base, fd, dirs, 0, cb, arg);
}

struct stream *stream_connect(struct event_base *base, int fd, const struct sockaddr *sa,
                              socklen_t len, stream_cb cb, void *arg)
{
    int e;

    /* Registered after connect(): an unconnected socket polls as hung up. */
    if (connect(fd, sa, len) != 0 && errno != EINPROGRESS) {
        e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    return make(base, fd, STREAM_IN | STREAM_OUT, 1, cb, arg);
}

int stream_connected(struct stream *s)
{
    int err = 0;
    socklen_t len = sizeof(err);

    if (s->connect_err != 0)
        return s->connect_err;
    if (!s->connecting)
        return 0;
    /* A connection being made becomes writable when it is made; a failed
     * one reports an error, which libevent passes on as both directions. */
    if (!s->writable)
        return -1;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    if (err == 0)
        s->connecting = 0;
    else
        s->connect_err = err;
    return err;
}

/* An input buffer left empty gives back the space reserved for a read
 * that found nothing: an idle connection must not keep it. */
static void drop_empty_input(struct stream *s)
{
    struct evbuffer *fresh;

    if (evbuffer_get_length(s->in) > 0 || (fresh = evbuffer_new()) == NULL)
        return;
    evbuffer_free(s->in);
    s->in = fresh;
}

ssize_t stream_fill(struct stream *s, size_t want, int *eof)
{
    struct evbuffer_iovec v;
    size_t len, total = 0;
    ssize_t r;
    int reserved = 0;

    while (s->readable && (len = evbuffer_get_length(s->in)) < want) {
        if (evbuffer_reserve_space(s->in, (ev_ssize_t)(want - len), &v, 1) < 1)
            break;
        reserved = 1;
        if (v.iov_len > want - len)
            v.iov_len = want - len;
        r = read(s->fd, v.iov_base, v.iov_len);
        if (r > 0) {
            v.iov_len = (size_t)r;
            evbuffer_commit_space(s->in, &v, 1);
            total += (size_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return -1;
        if (r == 0)
            *eof = 1;
        s->readable = 0;
        break;
    }
    if (reserved && total == 0)
        drop_empty_input(s);
    return (ssize_t)total;
}

int stream_readable(const struct stream *s)
{
    return s->readable;
}

static void on_later(evutil_socket_t fd, short what, void *arg)
{
    struct stream *s = arg;

    (void)fd;
    (void)what;
    s->cb(s, s->arg);
}

void stream_again(struct stream *s)
{
    static const struct timeval now = { 0, 0 };

    /* A timer, not event_active(): libevent runs events activated from a
     * callback before it polls again, so the other connections would wait
     * until this one had nothing left to read. Timers run after the poll. */
    if (s->later == NULL)
        s->later = evtimer_new(event_get_base(s->ev), on_later, s);
    if (s->later == NULL || evtimer_add(s->later, &now) != 0)
        event_active(s->ev, EV_READ, 0); /* late is better than never */
}

/* One writev() of the output buffer's first chains. Returns what it wrote
 * and sets *offered to what it tried to write. */
static ssize_t write_some(struct stream *s, size_t *offered)
{
    struct evbuffer_iovec ev[FLUSH_IOV];
    struct iovec iov[FLUSH_IOV];
    int i, n = evbuffer_peek(s->out, -1, NULL, ev, FLUSH_IOV);

    if (n > FLUSH_IOV)
        n = FLUSH_IOV;
    *offered = 0;
    for (i = 0; i < n; i++) {
        iov[i].iov_base = ev[i].iov_base;
        iov[i].iov_len = ev[i].iov_len;
        *offered += ev[i].iov_len;
    }
    return writev(s->fd, iov, n);
}

ssize_t stream_flush(struct stream *s)
{
    size_t offered, total = 0;
    ssize_t n;

    while (s->writable && evbuffer_get_length(s->out) > 0) {
        n = write_some(s, &offered);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return -1;
        if (n <= 0) {
            s->writable = 0;
            break;
        }
        evbuffer_drain(s->out, (size_t)n);
        total += (size_t)n;
        /* The kernel took less than it was offered: it is full until the
         * next write edge. A file has no edges: write again, and a full
         * disk then says so. */
        if ((size_t)n < offered && !s->always)
            s->writable = 0;
    }
    return (ssize_t)total;
}

size_t stream_pending(const struct stream *s)
{
    return evbuffer_get_length(s->out);
}

void stream_set_cb(struct stream *s, stream_cb cb, void *arg)
{
    s->cb = cb;
    s->arg = arg;
}

struct evbuffer *stream_input(struct stream *s)
{
    return s->in;
}

struct evbuffer *stream_output(struct stream *s)
{
    return s->out;
}

int stream_fd(const struct stream *s)
{
    return s->fd;
}

void stream_free(struct stream *s, int reset)
{
    struct linger lg = { 1, 0 };

    if (s == NULL)
        return;
    if (s->ev != NULL)
        event_free(s->ev);
    if (s->later != NULL)
        event_free(s->later);
    /* SO_LINGER 0: close() sends RST, so the peer sees an error. */
    if (reset)
        (void)setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(s->fd);
    if (s->in != NULL)
        evbuffer_free(s->in);
    if (s->out != NULL)
        evbuffer_free(s->out);
    free(s);
}
