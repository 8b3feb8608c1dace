/*
 * loadgen: the load generator and the sink of the benchmark suite, so every
 * tunnel is measured with the same client and the same backend.
 *
 *   loadgen sink discard ADDR N   read and drop; one byte back per N bytes
 *   loadgen sink echo ADDR        send back whatever arrives
 *   loadgen sink source ADDR N    send N bytes to each connection, then close
 *   loadgen bulk-up ADDR N        send N bytes, wait for the sink's ack
 *   loadgen bulk-down ADDR N      receive N bytes from a source sink
 *   loadgen rate ADDR C SECONDS   C threads of connect, 1-byte echo, close
 *   loadgen ping ADDR COUNT [SIZE] SIZE-byte round trips on one connection
 *   loadgen hold ADDR N [THREADS] open N echoed connections and keep them
 *   loadgen port                  print a free loopback port
 *
 * The sink prints "listening on HOST:PORT"; the other modes print one line
 * of key=value results. Everything is bounded: every socket has a timeout,
 * and the sink and hold modes end themselves after an hour / two minutes.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (256 * 1024)
#define IO_TIMEOUT_S 10

static void die(const char *what)
{
    fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: loadgen sink discard|echo|source ADDR [N]\n"
            "       loadgen bulk-up|bulk-down ADDR BYTES\n"
            "       loadgen rate ADDR CONCURRENCY SECONDS\n"
            "       loadgen ping ADDR COUNT [SIZE]\n"
            "       loadgen hold ADDR N [THREADS]\n"
            "       loadgen port\n");
    exit(2);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long long parse_num(const char *s)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0') {
        fprintf(stderr, "loadgen: not a number: %s\n", s);
        exit(2);
    }
    return v;
}

/* HOST:PORT, IPv4 only: the suite stays on 127.0.0.1. */
static struct sockaddr_in parse_addr(const char *s)
{
    struct sockaddr_in sa;
    char host[64];
    const char *colon = strrchr(s, ':');

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    if (colon == NULL || (size_t)(colon - s) >= sizeof(host)) {
        fprintf(stderr, "loadgen: bad address %s\n", s);
        exit(2);
    }
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        fprintf(stderr, "loadgen: bad address %s\n", s);
        exit(2);
    }
    sa.sin_port = htons((uint16_t)parse_num(colon + 1));
    return sa;
}

static void set_timeouts(int fd)
{
    struct timeval tv = { IO_TIMEOUT_S, 0 };
    int one = 1;

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* A blocking connection with timeouts, or -1. */
static int dial(const struct sockaddr_in *sa)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    set_timeouts(fd);
    if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int read_full(int fd, unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static int write_full(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* ---- sink: one epoll loop, non-blocking sockets ---- */

enum sink_mode { SINK_DISCARD, SINK_ECHO, SINK_SOURCE };

struct sink_conn {
    int fd;
    unsigned long long count;   /* discard: bytes since the last ack */
    unsigned long long left;    /* source: bytes still to send */
    unsigned char *pending;     /* echo: bytes the peer has not taken yet */
    size_t pending_len, pending_off;
};

static void sink_close(int ep, struct sink_conn *c)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->pending);
    free(c);
}

static void sink_watch(int ep, struct sink_conn *c, uint32_t events)
{
    struct epoll_event ev = { .events = events, .data.ptr = c };
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Returns 0 to keep the connection, -1 to close it. */
static int sink_source(int ep, struct sink_conn *c, const unsigned char *buf)
{
    while (c->left > 0) {
        size_t n = c->left < CHUNK ? (size_t)c->left : CHUNK;
        ssize_t w = write(c->fd, buf, n);
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            sink_watch(ep, c, EPOLLOUT);
            return 0;
        }
        if (w <= 0)
            return -1;
        c->left -= (unsigned long long)w;
    }
    return -1; /* all sent: close (the kernel still delivers the tail) */
}

static int sink_echo_flush(int ep, struct sink_conn *c)
{
    while (c->pending_off < c->pending_len) {
        ssize_t w = write(c->fd, c->pending + c->pending_off,
                          c->pending_len - c->pending_off);
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            sink_watch(ep, c, EPOLLOUT);
            return 0;
        }
        if (w <= 0)
            return -1;
        c->pending_off += (size_t)w;
    }
    free(c->pending);
    c->pending = NULL;
    c->pending_len = c->pending_off = 0;
    sink_watch(ep, c, EPOLLIN);
    return 0;
}

static int sink_read(int ep, struct sink_conn *c, enum sink_mode mode,
                     unsigned long long n, unsigned char *buf)
{
    for (;;) {
        ssize_t r = read(c->fd, buf, CHUNK);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EAGAIN)
            return 0;
        if (r <= 0)
            return -1;
        if (mode == SINK_DISCARD) {
            c->count += (unsigned long long)r;
            while (n > 0 && c->count >= n) {
                c->count -= n;
                if (write(c->fd, "k", 1) != 1)
                    return -1;
            }
        } else if (mode == SINK_ECHO) {
            ssize_t w = write(c->fd, buf, (size_t)r);
            if (w < 0 && errno != EAGAIN && errno != EINTR)
                return -1;
            if (w < 0)
                w = 0;
            if (w < r) {
                /* The peer is slow: keep the rest and stop reading. */
                c->pending_len = (size_t)(r - w);
                c->pending = malloc(c->pending_len);
                if (c->pending == NULL)
                    return -1;
                memcpy(c->pending, buf + w, c->pending_len);
                c->pending_off = 0;
                sink_watch(ep, c, EPOLLOUT);
                return 0;
            }
        }
        /* source: whatever the client sends is dropped. */
    }
}

static void sink_accept(int ep, int lfd, enum sink_mode mode,
                        unsigned long long n, const unsigned char *pattern)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        struct sink_conn *c;
        struct epoll_event ev;
        int one = 1;

        if (fd < 0)
            return; /* EAGAIN, or out of descriptors: retried next time */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c = calloc(1, sizeof(*c));
        if (c == NULL) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->left = n;
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(fd);
            free(c);
            continue;
        }
        if (mode == SINK_SOURCE && sink_source(ep, c, pattern) < 0)
            sink_close(ep, c);
    }
}

static _Noreturn void run_sink(int argc, char **argv)
{
    enum sink_mode mode;
    unsigned long long n = 0;
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    struct epoll_event ev, evs[256];
    unsigned char *buf, *pattern;
    char host[INET_ADDRSTRLEN];
    int lfd, ep, one = 1;

    if (argc < 4)
        usage();
    if (strcmp(argv[2], "discard") == 0)
        mode = SINK_DISCARD;
    else if (strcmp(argv[2], "echo") == 0)
        mode = SINK_ECHO;
    else if (strcmp(argv[2], "source") == 0)
        mode = SINK_SOURCE;
    else
        usage();
    if (mode != SINK_ECHO) {
        if (argc < 5)
            usage();
        n = parse_num(argv[4]);
    }
    sa = parse_addr(argv[3]);
    buf = malloc(CHUNK);
    pattern = malloc(CHUNK);
    if (buf == NULL || pattern == NULL)
        die("malloc");
    for (size_t i = 0; i < CHUNK; i++)
        pattern[i] = (unsigned char)(i * 131u + 7u);

    lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0)
        die("socket");
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        listen(lfd, 4096) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &len) != 0)
        die("listen");
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        die("epoll_create1");
    ev.events = EPOLLIN;
    ev.data.ptr = NULL;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0)
        die("epoll_ctl");
    inet_ntop(AF_INET, &sa.sin_addr, host, sizeof(host));
    printf("listening on %s:%u\n", host, (unsigned)ntohs(sa.sin_port));
    fflush(stdout);
    signal(SIGPIPE, SIG_IGN);
    alarm(3600); /* never outlive a forgotten run */

    for (;;) {
        int k = epoll_wait(ep, evs, 256, -1);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            die("epoll_wait");
        for (int i = 0; i < k; i++) {
            struct sink_conn *c = evs[i].data.ptr;
            int rc;

            if (c == NULL) {
                sink_accept(ep, lfd, mode, n, pattern);
                continue;
            }
            if (c->pending != NULL)
                rc = sink_echo_flush(ep, c);
            else if (mode == SINK_SOURCE && c->left > 0 &&
                     (evs[i].events & EPOLLOUT))
                rc = sink_source(ep, c, pattern);
            else
                rc = sink_read(ep, c, mode, n, buf);
            if (rc < 0)
                sink_close(ep, c);
        }
    }
}

/* ---- bulk ---- */

static int run_bulk(int argc, char **argv, int up)
{
    struct sockaddr_in sa;
    unsigned long long total, done = 0;
    unsigned char *buf;
    double t0, t;
    int fd;

    if (argc < 4)
        usage();
    sa = parse_addr(argv[2]);
    total = parse_num(argv[3]);
    buf = calloc(1, CHUNK);
    if (buf == NULL)
        die("malloc");
    t0 = now_s();
    fd = dial(&sa);
    if (fd < 0)
        die("connect");
    while (done < total) {
        size_t n = total - done < CHUNK ? (size_t)(total - done) : CHUNK;
        ssize_t r = up ? write(fd, buf, n) : read(fd, buf, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            fprintf(stderr, "loadgen: stream ended after %llu of %llu bytes\n",
                    done, total);
            return 1;
        }
        done += (unsigned long long)r;
    }
    if (up && read_full(fd, buf, 1) != 0) {
        fprintf(stderr, "loadgen: no acknowledgement from the sink\n");
        return 1;
    }
    t = now_s() - t0;
    close(fd);
    printf("bytes=%llu seconds=%.4f MBps=%.1f\n", total, t,
           (double)total / t / 1e6);
    free(buf);
    return 0;
}

/* ---- connection rate ---- */

struct rate_arg {
    struct sockaddr_in sa;
    double deadline;
    atomic_ullong *ok, *failed;
};

static void *rate_thread(void *p)
{
    struct rate_arg *a = p;
    unsigned char b = 'x';

    while (now_s() < a->deadline) {
        int fd = dial(&a->sa);
        if (fd >= 0 && write_full(fd, &b, 1) == 0 && read_full(fd, &b, 1) == 0)
            atomic_fetch_add(a->ok, 1);
        else
            atomic_fetch_add(a->failed, 1);
        if (fd >= 0)
            close(fd);
    }
    return NULL;
}

static int run_rate(int argc, char **argv)
{
    struct rate_arg a;
    atomic_ullong ok = 0, failed = 0;
    unsigned long conc;
    pthread_t *th;
    double t0, t;

    if (argc < 5)
        usage();
    a.sa = parse_addr(argv[2]);
    conc = (unsigned long)parse_num(argv[3]);
    if (conc == 0 || conc > 1024)
        usage();
    th = calloc(conc, sizeof(*th));
    if (th == NULL)
        die("malloc");
    t0 = now_s();
    a.deadline = t0 + (double)parse_num(argv[4]);
    a.ok = &ok;
    a.failed = &failed;
    for (unsigned long i = 0; i < conc; i++)
        if (pthread_create(&th[i], NULL, rate_thread, &a) != 0)
            die("pthread_create");
    for (unsigned long i = 0; i < conc; i++)
        pthread_join(th[i], NULL);
    t = now_s() - t0;
    printf("connections=%llu failed=%llu seconds=%.3f rate=%.1f\n",
           (unsigned long long)ok, (unsigned long long)failed, t,
           (double)ok / t);
    free(th);
    return 0;
}

/* ---- ping-pong latency ---- */

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static int run_ping(int argc, char **argv)
{
    struct sockaddr_in sa;
    unsigned long count, size = 64, warm = 200;
    unsigned char buf[4096];
    double *rtt;
    int fd;

    if (argc < 4)
        usage();
    sa = parse_addr(argv[2]);
    count = (unsigned long)parse_num(argv[3]);
    if (argc > 4)
        size = (unsigned long)parse_num(argv[4]);
    if (count == 0 || size == 0 || size > sizeof(buf))
        usage();
    rtt = calloc(count, sizeof(*rtt));
    if (rtt == NULL)
        die("malloc");
    memset(buf, 'p', sizeof(buf));
    fd = dial(&sa);
    if (fd < 0)
        die("connect");
    for (unsigned long i = 0; i < warm + count; i++) {
        double t0 = now_s();
        if (write_full(fd, buf, size) != 0 || read_full(fd, buf, size) != 0) {
            fprintf(stderr, "loadgen: round trip %lu failed\n", i);
            return 1;
        }
        if (i >= warm)
            rtt[i - warm] = now_s() - t0;
    }
    close(fd);
    qsort(rtt, count, sizeof(*rtt), cmp_double);
    printf("count=%lu size=%lu p50_us=%.1f p99_us=%.1f\n", count, size,
           rtt[count / 2] * 1e6, rtt[count * 99 / 100] * 1e6);
    free(rtt);
    return 0;
}

/* ---- idle connections ---- */

struct hold_arg {
    struct sockaddr_in sa;
    int *fds;
    unsigned long n;
    unsigned long ok;
};

static void *hold_thread(void *p)
{
    struct hold_arg *a = p;
    unsigned char b = 'h';

    for (unsigned long i = 0; i < a->n; i++) {
        int fd = dial(&a->sa);
        /* One echoed byte: the whole path, backend included, is up. */
        if (fd >= 0 && write_full(fd, &b, 1) == 0 && read_full(fd, &b, 1) == 0)
            a->fds[a->ok++] = fd;
        else if (fd >= 0)
            close(fd);
    }
    return NULL;
}

static _Noreturn void run_hold(int argc, char **argv)
{
    unsigned long n, nth = 8, ok = 0;
    struct hold_arg *a;
    pthread_t *th;
    double t0;

    if (argc < 4)
        usage();
    n = (unsigned long)parse_num(argv[3]);
    if (argc > 4)
        nth = (unsigned long)parse_num(argv[4]);
    if (nth == 0 || nth > 256 || n == 0)
        usage();
    a = calloc(nth, sizeof(*a));
    th = calloc(nth, sizeof(*th));
    if (a == NULL || th == NULL)
        die("malloc");
    t0 = now_s();
    for (unsigned long i = 0; i < nth; i++) {
        a[i].sa = parse_addr(argv[2]);
        a[i].n = n / nth + (i < n % nth ? 1 : 0);
        a[i].fds = calloc(a[i].n + 1, sizeof(int));
        if (a[i].fds == NULL)
            die("malloc");
        if (pthread_create(&th[i], NULL, hold_thread, &a[i]) != 0)
            die("pthread_create");
    }
    for (unsigned long i = 0; i < nth; i++) {
        pthread_join(th[i], NULL);
        ok += a[i].ok;
    }
    printf("held=%lu failed=%lu seconds=%.3f\n", ok, n - ok, now_s() - t0);
    fflush(stdout);
    /* Keep them open until stopped; the default SIGTERM/SIGALRM end us. */
    alarm(120);
    for (;;)
        pause();
}

static int run_port(void)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
        die("bind");
    printf("%u\n", (unsigned)ntohs(sa.sin_port));
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    signal(SIGPIPE, SIG_IGN);
    if (strcmp(argv[1], "sink") == 0)
        run_sink(argc, argv);
    if (strcmp(argv[1], "bulk-up") == 0)
        return run_bulk(argc, argv, 1);
    if (strcmp(argv[1], "bulk-down") == 0)
        return run_bulk(argc, argv, 0);
    if (strcmp(argv[1], "rate") == 0)
        return run_rate(argc, argv);
    if (strcmp(argv[1], "ping") == 0)
        return run_ping(argc, argv);
    if (strcmp(argv[1], "hold") == 0)
        run_hold(argc, argv);
    if (strcmp(argv[1], "port") == 0)
        return run_port();
    usage();
    return 2;
}
