/*
 * tunnel/stream.c: edge-triggered streams. Each test drives a real event
 * loop over socket pairs (and loopback TCP where resets and connecting
 * matter), one iteration at a time, so nothing waits on a clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tunnel/stream.h"

static int failures;

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,          \
                    __LINE__, #cond);                                       \
            failures++;                                                     \
        }                                                                   \
    } while (0)

/* What the callbacks saw, in order. */
struct seen {
    int calls;
    char order[64];
    size_t n;
    struct stream *again;   /* call stream_again() on it this many times */
    int again_left;
    int wake;               /* on the first call, make this peer readable */
};

static void note(struct seen *s, char who)
{
    s->calls++;
    if (s->n + 1 < sizeof(s->order))
        s->order[s->n++] = who;
}

static struct seen seen;

static void reset_seen(void)
{
    memset(&seen, 0, sizeof(seen));
    seen.wake = -1;
}

static void cb_a(struct stream *s, void *arg)
{
    (void)arg;
    note(&seen, 'a');
    if (seen.wake >= 0) {
        if (write(seen.wake, "y", 1) != 1)
            seen.wake = -2;
        else
            seen.wake = -1;
    }
    if (s == seen.again && seen.again_left > 0) {
        seen.again_left--;
        stream_again(s);
    }
}

static void cb_b(struct stream *s, void *arg)
{
    (void)s;
    (void)arg;
    note(&seen, 'b');
}

static void nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void pair(int fds[2])
{
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) {
        perror("socketpair");
        exit(1);
    }
    nonblock(fds[0]);
    nonblock(fds[1]);
}

/* Run the loop until `calls` callbacks have been seen (bounded). */
static void run_until(struct event_base *base, int calls)
{
    int i;

    for (i = 0; i < 100 && seen.calls < calls; i++)
        event_base_loop(base, EVLOOP_ONCE);
}

/* Everything waiting is read in one go, up to `want`; the rest waits in
 * the kernel and is read later without a new event (edge-triggered). */
static void test_fill(struct event_base *base)
{
    int fds[2], eof = 0;
    struct stream *s;
    static char data[100000];
    char out[100000];
    size_t i;

    reset_seen();
    for (i = 0; i < sizeof(data); i++)
        data[i] = (char)(i * 7);
    pair(fds);
    CHECK((s = stream_new(base, fds[0], STREAM_IN | STREAM_OUT, cb_a,
                          NULL)) != NULL);
    CHECK(stream_fill(s, 1000, &eof) == 0);   /* no event yet */
    CHECK(write(fds[1], data, 60000) == 60000);
    run_until(base, 1);
    CHECK(seen.calls == 1 && stream_readable(s));
    CHECK(stream_fill(s, 50000, &eof) == 50000);
    CHECK(stream_readable(s) && !eof);
    CHECK(evbuffer_remove(stream_input(s), out, 50000) == 50000);
    CHECK(stream_fill(s, 50000, &eof) == 10000);
    CHECK(!stream_readable(s) && !eof);
    CHECK(evbuffer_remove(stream_input(s), out + 50000, 10000) == 10000);
    CHECK(memcmp(out, data, 60000) == 0);
    /* The end of stream, after the last bytes. */
    CHECK(write(fds[1], data, 10) == 10);
    close(fds[1]);
    run_until(base, 2);
    CHECK(stream_fill(s, 50000, &eof) == 10 && eof);
    stream_free(s, 0);
}

/* A full socket stops the writing; its next write edge resumes it, and
 * every byte arrives in order. */
static void test_flush(struct event_base *base)
{
    int fds[2], i;
    struct stream *s;
    static char data[1 << 20], got[1 << 20];
    size_t have = 0;
    ssize_t r;

    reset_seen();
    for (i = 0; i < (int)sizeof(data); i++)
        data[i] = (char)(i * 13 + 1);
    pair(fds);
    CHECK((s = stream_new(base, fds[0], STREAM_IN | STREAM_OUT, cb_a,
                          NULL)) != NULL);
    CHECK(evbuffer_add(stream_output(s), data, sizeof(data)) == 0);
    CHECK(stream_flush(s) > 0);
    CHECK(stream_pending(s) > 0);      /* a socket pair holds less */
    CHECK(stream_flush(s) == 0);       /* not writable: no system call */
    for (i = 0; i < 1000 && have < sizeof(data); i++) {
        while ((r = read(fds[1], got + have, sizeof(got) - have)) > 0)
            have += (size_t)r;
        event_base_loop(base, EVLOOP_ONCE);
        CHECK(stream_flush(s) >= 0);
    }
    CHECK(have == sizeof(data) && stream_pending(s) == 0);
    CHECK(memcmp(got, data, sizeof(data)) == 0);
    stream_free(s, 0);
    close(fds[1]);
}

/*
 * An output buffer of many small chains (more than any one writev() takes)
 * is written whole while the socket has room: a write that took all it was
 * offered is not taken for a full socket. A socket that stays writable
 * gives no new edge, so a stream that wrongly stopped would stall here.
 * Then more small chains than the socket holds: every byte arrives.
 */
static void test_many_chains(struct event_base *base)
{
    int fds[2], i;
    struct stream *s;
    static char data[4000 * 512], got[4000 * 512];
    size_t have = 0, len = 1000 * 5;
    ssize_t r;

    reset_seen();
    for (i = 0; i < (int)sizeof(data); i++)
        data[i] = (char)(i * 31 + 7);
    pair(fds);
    CHECK((s = stream_new(base, fds[0], STREAM_IN | STREAM_OUT, cb_a,
                          NULL)) != NULL);
    for (i = 0; i < 1000; i++)
        CHECK(evbuffer_add_reference(stream_output(s), data + 5 * i, 5,
                                     NULL, NULL) == 0);
    CHECK(evbuffer_peek(stream_output(s), -1, NULL, NULL, 0) == 1000);
    CHECK(stream_flush(s) == (ssize_t)len);
    CHECK(stream_pending(s) == 0);
    /* Bounded: a stalled stream would leave the rest pending for ever. */
    for (i = 0; i < 100 && have < len; i++) {
        while ((r = read(fds[1], got + have, len - have)) > 0)
            have += (size_t)r;
        event_base_loop(base, EVLOOP_NONBLOCK);
        CHECK(stream_flush(s) >= 0);
    }
    CHECK(have == len && memcmp(got, data, len) == 0);

    /* 2 MB in 512-byte chains: far more than a socket pair holds. */
    len = sizeof(data);
    have = 0;
    for (i = 0; i < 4000; i++)
        CHECK(evbuffer_add_reference(stream_output(s), data + 512 * i, 512,
                                     NULL, NULL) == 0);
    CHECK(stream_flush(s) > 0);
    CHECK(stream_pending(s) > 0);
    for (i = 0; i < 10000 && have < len; i++) {
        while ((r = read(fds[1], got + have, len - have)) > 0)
            have += (size_t)r;
        event_base_loop(base, EVLOOP_NONBLOCK);
        CHECK(stream_flush(s) >= 0);
    }
    CHECK(have == len && stream_pending(s) == 0);
    CHECK(memcmp(got, data, len) == 0);
    stream_free(s, 0);
    close(fds[1]);
}

/* stream_again() lets events that arrived meanwhile run first: a stream
 * that always has more to do must not starve the others. */
static void test_again(struct event_base *base)
{
    int fa[2], fb[2];
    struct stream *a, *b;

    reset_seen();
    pair(fa);
    pair(fb);
    CHECK((a = stream_new(base, fa[0], STREAM_IN, cb_a, NULL)) != NULL);
    CHECK((b = stream_new(base, fb[0], STREAM_IN, cb_b, NULL)) != NULL);
    /* a's first callback makes b ready (after the poll that saw a) and
     * asks to run again, three times over. */
    seen.wake = fb[1];
    seen.again = a;
    seen.again_left = 3;
    CHECK(write(fa[1], "x", 1) == 1);
    run_until(base, 5);
    fprintf(stderr, "order of callbacks: %s\n", seen.order);
    CHECK(seen.wake == -1);
    CHECK(strcmp(seen.order, "abaaa") == 0);
    stream_free(a, 0);
    stream_free(b, 0);
    close(fa[1]);
    close(fb[1]);
}

static int tcp_listener(struct sockaddr_in *sin)
{
    socklen_t len = sizeof(*sin);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(sin, 0, sizeof(*sin));
    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)sin, len) != 0 ||
        listen(fd, 4) != 0 || getsockname(fd, (struct sockaddr *)sin, &len) != 0) {
        perror("listener");
        exit(1);
    }
    return fd;
}

/* Connecting: the callback says when; a refused port says so. A reset
 * arrives as a read error, not as an end of stream. */
static void test_connect_reset(struct event_base *base)
{
    struct sockaddr_in sin;
    int lfd = tcp_listener(&sin), fd, peer, eof = 0, i;
    struct stream *s;
    struct linger lg = { 1, 0 };

    reset_seen();
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    CHECK((s = stream_connect(base, fd, (struct sockaddr *)&sin, sizeof(sin),
                              cb_a, NULL)) != NULL);
    CHECK(stream_connected(s) == -1 || stream_connected(s) == 0);
    for (i = 0; i < 100 && stream_connected(s) != 0; i++)
        event_base_loop(base, EVLOOP_ONCE);
    CHECK(stream_connected(s) == 0);
    CHECK((peer = accept(lfd, NULL, NULL)) >= 0);
    CHECK(setsockopt(peer, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0);
    close(peer);
    for (i = 0; i < 100 && !stream_readable(s); i++)
        event_base_loop(base, EVLOOP_ONCE);
    errno = 0;
    CHECK(stream_fill(s, 1000, &eof) == -1 && errno == ECONNRESET && !eof);
    stream_free(s, 0);

    /* Nobody listening any more: refused. */
    close(lfd);
    reset_seen();
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    s = stream_connect(base, fd, (struct sockaddr *)&sin, sizeof(sin), cb_a,
                       NULL);
    if (s == NULL) {
        CHECK(errno == ECONNREFUSED);
        return;
    }
    for (i = 0; i < 100 && stream_connected(s) == -1; i++)
        event_base_loop(base, EVLOOP_ONCE);
    CHECK(stream_connected(s) == ECONNREFUSED);
    stream_free(s, 0);
}

int main(void)
{
    struct event_base *base = stream_base_new();

    if (base == NULL) {
        fprintf(stderr, "no edge-triggered event loop here\n");
        return 77;
    }
    test_fill(base);
    test_flush(base);
    test_many_chains(base);
    test_again(base);
    test_connect_reset(base);
    event_base_free(base);
    if (failures > 0)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures > 0;
}
