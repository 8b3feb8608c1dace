/*
 * loadc: a load generator and load target for the sctunnel scenarios.
 * One process, one epoll loop, non-blocking sockets; every run is bounded
 * by -t SECONDS. ADDR is host:port or [v6addr]:port, numeric only.
 *
 *   loadc slowloris [-n N] [-i MS] [-t S] ADDR
 *       N connections each send one byte every MS (default 1000) ms: the
 *       start of a ClientHello record, then zeros. Counts the connections
 *       the peer closes and when. Exit 0 if the peer closed them all.
 *   loadc hold [-n N] [-p P] [-t S] ADDR
 *       N connections, each proves it reaches an echo service with a
 *       one-byte round trip, then stays idle. Prints "held" once every
 *       connection is either held or was refused (reset or closed before
 *       its echo), then holds until SIGTERM or the time limit.
 *       Exit 0 if no held connection was dropped.
 *   loadc transfer [-n N] [-s BYTES] [-p P] [-g FILE] [-t S] ADDR
 *       N concurrent connections each send BYTES of a pattern of their own
 *       (deterministic from the connection's number) and read back the
 *       echo, full duplex; the sending side is shut down when all is sent.
 *       Each echo must be byte-exact, with the same length and checksum,
 *       then end. Each connection first sends one byte and waits for its
 *       echo; the rest goes once all N are set up, so all are open at once.
 *       With -g, it then prints "loadc transfer: open" and waits until FILE
 *       exists (a script does something to the open connections first).
 *       Exit 0 if every connection passed.
 *   loadc noread [-n N] [-s CAP] [-i MS] [-t S] ADDR
 *       N connections write until blocked and never read. Once no write
 *       made progress for MS ms (default 1000), prints "blocked", then holds
 *       until SIGTERM or the time limit. A connection that writes CAP bytes
 *       (default 256 MiB) was never pushed back. Exit 0 if none reached CAP
 *       and none was reset.
 *   loadc serve echo|sink [-t S] ADDR
 *       Listens (port 0: any) and prints "loadc listening on ADDR".
 *       echo: echoes every connection, reading only while its buffer has
 *       room (so a client that does not read pushes back on its writes);
 *       sends its end of stream after the client's. sink: accepts and never
 *       reads. Runs until SIGTERM or the time limit.
 *
 * -p P: at most P connections being set up at once (connecting, or waiting
 * for their first echoed byte), so that listen queues do not overflow.
 * Every client mode ends with one line "loadc MODE: key=value ...".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum mode { M_SLOWLORIS, M_HOLD, M_TRANSFER, M_NOREAD, M_SERVE };
enum state { S_IDLE, S_CONNECTING, S_SETUP, S_OPEN, S_DONE };
enum result { END_NONE, END_OK, END_REFUSED, END_RESET, END_EOF, END_MISMATCH,
              END_SHORT, END_LONG, END_UNBOUNDED, END_TIMEOUT };

static const char *const result_names[] = {
    "pending", "ok", "refused", "reset", "closed", "mismatch", "short",
    "long", "unbounded", "timeout",
};

/* A checksum of one direction (sum_add). */
struct sum {
    uint64_t h, w;
    unsigned k;         /* bytes in w */
};

struct lconn {
    int fd;
    unsigned idx;
    enum state st;
    enum result res;
    uint64_t sent, recvd;
    struct sum sum_sent, sum_recvd;
    int wr_shut, blocked;
    double t_open, t_end;
    unsigned char *buf;             /* serve echo: bytes to send back */
    size_t blen;
    int peer_eof;
};

struct opts {
    enum mode mode;
    int echo;                       /* serve: echo (1) or sink (0) */
    unsigned n, pace;
    uint64_t size;
    unsigned interval_ms;
    double limit_s;
    const char *addr;
    const char *gate;               /* transfer: go once this file exists */
};

#define IO_CHUNK 65536
#define ECHO_BUF 16384
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static volatile sig_atomic_t stop_flag;
static int ep = -1;
static unsigned char iobuf[IO_CHUNK], expbuf[IO_CHUNK];

/* The first bytes a client sends: a ClientHello record header (type 1,
 * SC1.md section 2), so the server waits for the rest of the record. */
static const unsigned char slow_prefix[] = { 0x01, 0x00, 0x60 };

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Word k of a pattern: one multiply, cheap enough for gigabytes, and
 * different at every position and for every seed. */
static uint64_t pattern_word(uint64_t seed, uint64_t k)
{
    uint64_t w = (seed ^ k) * 0x9e3779b97f4a7c15ULL;

    return w ^ (w >> 29);
}

/* Bytes [off, off + len) of connection idx's pattern: its words in host
 * order (the sender and the checker are the same program). */
static void pattern(unsigned idx, uint64_t off, unsigned char *out, size_t len)
{
    uint64_t seed = splitmix64(0x5c0ad5eedULL + idx), k = off >> 3, w;
    size_t head = (size_t)(off & 7), i = 0;

    if (head != 0) {
        w = pattern_word(seed, k++);
        for (; head < 8 && i < len; head++)
            out[i++] = ((const unsigned char *)&w)[head];
    }
    for (; i + 8 <= len; i += 8) {
        w = pattern_word(seed, k++);
        memcpy(out + i, &w, 8);
    }
    if (i < len) {
        w = pattern_word(seed, k);
        memcpy(out + i, &w, len - i);
    }
}

/* The checksum runs over 64-bit words at their place in the stream
 * (FNV-1a style), so it is the same however the stream was split. */
static void sum_init(struct sum *s)
{
    s->h = FNV_OFFSET;
    s->w = 0;
    s->k = 0;
}

static void sum_add(struct sum *s, const unsigned char *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        if (s->k == 0 && n - i >= 8) {
            uint64_t w;

            memcpy(&w, p + i, 8);
            s->h = (s->h ^ w) * FNV_PRIME;
            i += 8;
            continue;
        }
        s->w |= (uint64_t)p[i++] << (8 * s->k);
        if (++s->k == 8) {
            s->h = (s->h ^ s->w) * FNV_PRIME;
            s->w = 0;
            s->k = 0;
        }
    }
}

static uint64_t sum_final(const struct sum *s)
{
    return s->k == 0 ? s->h : ((s->h ^ s->w) * FNV_PRIME) ^ s->k;
}

static int parse_addr(const char *text, struct sockaddr_storage *ss,
                      socklen_t *len)
{
    char host[256];
    const char *colon, *port;
    struct addrinfo hints, *res;
    size_t n;

    if (text[0] == '[') {
        colon = strstr(text, "]:");
        if (colon == NULL)
            return -1;
        n = (size_t)(colon - text - 1);
        port = colon + 2;
        text++;
    } else {
        if ((colon = strrchr(text, ':')) == NULL)
            return -1;
        n = (size_t)(colon - text);
        port = colon + 1;
    }
    if (n == 0 || n >= sizeof(host))
        return -1;
    memcpy(host, text, n);
    host[n] = '\0';
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static void watch(struct lconn *c, int op, uint32_t events)
{
    struct epoll_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.events = events;
    ev.data.ptr = c;
    if (epoll_ctl(ep, op, c->fd, &ev) != 0 && op != EPOLL_CTL_DEL) {
        perror("loadc: epoll_ctl");
        exit(2);
    }
}

static void finish(struct lconn *c, enum result r)
{
    if (c->st == S_DONE)
        return;
    if (c->res == END_NONE || r != END_OK)
        c->res = r;
    c->t_end = now_s();
    if (c->fd >= 0) {
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
    }
    free(c->buf);
    c->buf = NULL;
    c->st = S_DONE;
}

/* ---- Client side. */

struct run {
    const struct opts *o;
    struct lconn *c;
    struct sockaddr_storage ss;
    socklen_t sslen;
    unsigned next;          /* next connection to open */
    unsigned setting_up;    /* connecting or waiting for a first echo */
    unsigned open, peak;
    int go;                 /* transfer: every connection is set up */
    double start, last_progress;
};

static void setup_done(struct run *r, struct lconn *c)
{
    if (c->st == S_CONNECTING || c->st == S_SETUP)
        r->setting_up--;
}

static void end_conn(struct run *r, struct lconn *c, enum result res)
{
    if (c->st == S_DONE)
        return;
    setup_done(r, c);
    if (c->st != S_IDLE)
        r->open--;
    finish(c, res);
}

static void open_one(struct run *r, struct lconn *c)
{
    int fd = socket(r->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    0);

    c->t_open = now_s();
    if (fd < 0) {
        fprintf(stderr, "loadc: socket: %s\n", strerror(errno));
        c->st = S_DONE;
        c->res = END_REFUSED;
        return;
    }
    c->fd = fd;
    sum_init(&c->sum_sent);
    sum_init(&c->sum_recvd);
    c->st = S_CONNECTING;
    r->setting_up++;
    if (++r->open > r->peak)
        r->peak = r->open;
    if (connect(fd, (struct sockaddr *)&r->ss, r->sslen) != 0 &&
        errno != EINPROGRESS) {
        end_conn(r, c, END_REFUSED);
        return;
    }
    watch(c, EPOLL_CTL_ADD, EPOLLOUT);
}

/* Write what this connection has to send now; -1 if it ended. */
static int client_write(struct run *r, struct lconn *c)
{
    const struct opts *o = r->o;

    for (;;) {
        size_t len;
        ssize_t w;

        if (o->mode == M_TRANSFER) {
            /* One byte to prove the way, the rest once all are set up. */
            uint64_t limit = r->go ? o->size : 1;

            if (c->sent >= o->size) {
                if (!c->wr_shut) {
                    shutdown(c->fd, SHUT_WR);
                    c->wr_shut = 1;
                    watch(c, EPOLL_CTL_MOD, EPOLLIN);
                }
                return 0;
            }
            if (c->sent >= limit) {
                watch(c, EPOLL_CTL_MOD, EPOLLIN);
                return 0;
            }
            len = limit - c->sent < IO_CHUNK ? (size_t)(limit - c->sent)
                                              : IO_CHUNK;
        } else if (o->mode == M_NOREAD) {
            if (c->sent >= o->size) {
                end_conn(r, c, END_UNBOUNDED);
                return -1;
            }
            len = o->size - c->sent < IO_CHUNK ? (size_t)(o->size - c->sent)
                                                : IO_CHUNK;
        } else {
            return 0;
        }
        pattern(c->idx, c->sent, iobuf, len);
        w = send(c->fd, iobuf, len, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            c->blocked = 1;
            return 0;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            end_conn(r, c, END_RESET);
            return -1;
        }
        sum_add(&c->sum_sent, iobuf, (size_t)w);
        c->sent += (uint64_t)w;
        c->blocked = 0;
        r->last_progress = now_s();
    }
}

/* Read what arrived; -1 if the connection ended. */
static int client_read(struct run *r, struct lconn *c)
{
    const struct opts *o = r->o;

    for (;;) {
        ssize_t n = recv(c->fd, iobuf, sizeof(iobuf), 0);

        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            end_conn(r, c, c->st == S_SETUP ? END_REFUSED : END_RESET);
            return -1;
        }
        if (n == 0) {
            if (o->mode == M_TRANSFER && c->st == S_OPEN)
                end_conn(r, c, c->recvd == o->size &&
                         sum_final(&c->sum_recvd) == sum_final(&c->sum_sent)
                         ? END_OK : END_SHORT);
            else
                end_conn(r, c, c->st == S_SETUP ? END_REFUSED : END_EOF);
            return -1;
        }
        if (c->st == S_SETUP) {
            setup_done(r, c);
            c->st = S_OPEN;
        }
        if (o->mode == M_SLOWLORIS) {
            c->recvd += (uint64_t)n;    /* an alert, say: wait for the end */
            continue;
        }
        if (o->mode == M_HOLD) {
            if (c->recvd + (uint64_t)n > 1 || iobuf[0] != 'p') {
                end_conn(r, c, END_MISMATCH);
                return -1;
            }
            c->recvd += (uint64_t)n;
            continue;
        }
        /* Transfer: the echo must be the pattern, byte for byte. */
        if (c->recvd + (uint64_t)n > o->size) {
            end_conn(r, c, END_LONG);
            return -1;
        }
        pattern(c->idx, c->recvd, expbuf, (size_t)n);
        if (memcmp(expbuf, iobuf, (size_t)n) != 0) {
            fprintf(stderr, "loadc: connection %u: echo differs near byte "
                    "%" PRIu64 "\n", c->idx, c->recvd);
            end_conn(r, c, END_MISMATCH);
            return -1;
        }
        sum_add(&c->sum_recvd, iobuf, (size_t)n);
        c->recvd += (uint64_t)n;
        r->last_progress = now_s();
    }
}

static void connected(struct run *r, struct lconn *c)
{
    const struct opts *o = r->o;
    int err = 0;
    socklen_t len = sizeof(err);

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        end_conn(r, c, END_REFUSED);
        return;
    }
    switch (o->mode) {
    case M_SLOWLORIS:
        /* Set up: from now on one byte per interval. */
        setup_done(r, c);
        c->st = S_OPEN;
        watch(c, EPOLL_CTL_MOD, EPOLLIN | EPOLLRDHUP);
        if (send(c->fd, slow_prefix, 1, MSG_NOSIGNAL) == 1)
            c->sent = 1;
        break;
    case M_HOLD:
        c->st = S_SETUP;
        watch(c, EPOLL_CTL_MOD, EPOLLIN);
        if (send(c->fd, "p", 1, MSG_NOSIGNAL) != 1)
            end_conn(r, c, END_REFUSED);
        break;
    case M_TRANSFER:
        c->st = S_SETUP;
        watch(c, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT);
        client_write(r, c);
        break;
    case M_NOREAD:
        setup_done(r, c);
        c->st = S_OPEN;
        /* Never EPOLLIN: errors and hang-ups are reported regardless. */
        watch(c, EPOLL_CTL_MOD, EPOLLOUT);
        client_write(r, c);
        break;
    case M_SERVE:
        break;
    }
}

static void client_event(struct run *r, struct lconn *c, uint32_t ev)
{
    if (c->st == S_CONNECTING) {
        connected(r, c);
        return;
    }
    if (r->o->mode == M_NOREAD) {
        if (ev & (EPOLLERR | EPOLLHUP)) {
            end_conn(r, c, END_RESET);
            return;
        }
        client_write(r, c);
        return;
    }
    if ((ev & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) &&
        client_read(r, c) != 0)
        return;
    if ((ev & EPOLLOUT) && c->st != S_DONE)
        client_write(r, c);
}

/* Slowloris: the next byte on every open connection. */
static void slow_tick(struct run *r)
{
    unsigned i;

    for (i = 0; i < r->o->n; i++) {
        struct lconn *c = &r->c[i];
        unsigned char b;

        if (c->st != S_OPEN)
            continue;
        b = c->sent < sizeof(slow_prefix) ? slow_prefix[c->sent] : 0;
        if (send(c->fd, &b, 1, MSG_NOSIGNAL) == 1)
            c->sent++;
        else if (errno != EAGAIN && errno != EWOULDBLOCK)
            end_conn(r, c, END_EOF);
    }
}

static unsigned count(const struct run *r, enum result res)
{
    unsigned i, k = 0;

    for (i = 0; i < r->o->n; i++)
        k += r->c[i].res == res;
    return k;
}

static void report_slowloris(const struct run *r)
{
    double first = -1, last = -1;
    unsigned i, closed = 0;

    for (i = 0; i < r->o->n; i++) {
        const struct lconn *c = &r->c[i];
        double d = c->t_end - c->t_open;

        if (c->res != END_EOF && c->res != END_RESET)
            continue;
        closed++;
        if (first < 0 || d < first)
            first = d;
        if (d > last)
            last = d;
    }
    printf("loadc slowloris: n=%u closed=%u open=%u refused=%u "
           "first_close=%.2fs last_close=%.2fs\n", r->o->n, closed,
           r->o->n - closed - count(r, END_REFUSED), count(r, END_REFUSED),
           first < 0 ? 0 : first, last < 0 ? 0 : last);
}

static int run_client(const struct opts *o)
{
    struct run r;
    struct epoll_event evs[256];
    double deadline, next_tick, settle = o->interval_ms / 1000.0;
    int said = 0, status = 0;
    unsigned i;

    memset(&r, 0, sizeof(r));
    r.o = o;
    if (parse_addr(o->addr, &r.ss, &r.sslen) != 0) {
        fprintf(stderr, "loadc: bad address '%s'\n", o->addr);
        return 2;
    }
    if ((r.c = calloc(o->n, sizeof(*r.c))) == NULL)
        return 2;
    for (i = 0; i < o->n; i++) {
        r.c[i].fd = -1;
        r.c[i].idx = i;
    }
    r.start = r.last_progress = now_s();
    deadline = r.start + o->limit_s;
    next_tick = r.start + settle;
    while (!stop_flag) {
        double t = now_s(), wait;
        int k, nev;

        while (r.next < o->n && r.setting_up < o->pace)
            open_one(&r, &r.c[r.next++]);
        if (t >= deadline)
            break;
        if (o->mode == M_SLOWLORIS && t >= next_tick) {
            slow_tick(&r);
            next_tick += settle;
        }
        if (r.next == o->n && r.open == 0)
            break;
        if (o->mode == M_TRANSFER && !r.go && r.next == o->n &&
            r.setting_up == 0 && o->gate != NULL && !said) {
            printf("loadc transfer: open n=%u open=%u\n", o->n, r.open);
            fflush(stdout);
            said = 1;
        }
        if (o->mode == M_TRANSFER && !r.go && r.next == o->n &&
            r.setting_up == 0 && (o->gate == NULL || access(o->gate, F_OK) == 0)) {
            /* All connections are open at once: now they all send. */
            r.go = 1;
            for (i = 0; i < o->n; i++) {
                if (r.c[i].st != S_OPEN)
                    continue;
                watch(&r.c[i], EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT);
                client_write(&r, &r.c[i]);
            }
        }
        if (!said && r.next == o->n && r.setting_up == 0) {
            /* Everything is set up: say so once, for the script. */
            if (o->mode == M_HOLD) {
                printf("loadc hold: held n=%u held=%u refused=%u "
                       "seconds=%.1f\n", o->n, r.open, o->n - r.open,
                       t - r.start);
                fflush(stdout);
                said = 1;
            } else if (o->mode == M_NOREAD && t - r.last_progress >= settle) {
                uint64_t total = 0, most = 0;

                for (i = 0; i < o->n; i++) {
                    total += r.c[i].sent;
                    if (r.c[i].sent > most)
                        most = r.c[i].sent;
                }
                printf("loadc noread: blocked n=%u open=%u written=%" PRIu64
                       " most=%" PRIu64 " unbounded=%u reset=%u\n", o->n,
                       r.open, total, most, count(&r, END_UNBOUNDED),
                       count(&r, END_RESET));
                fflush(stdout);
                said = 1;
            }
        }
        wait = (o->mode == M_SLOWLORIS ? next_tick : deadline) - t;
        if (o->mode == M_NOREAD && !said)
            wait = settle / 4;
        if (wait > 0.25)
            wait = 0.25;
        nev = epoll_wait(ep, evs, 256, wait > 0 ? (int)(wait * 1000) + 1 : 0);
        for (k = 0; k < nev; k++)
            client_event(&r, evs[k].data.ptr, evs[k].events);
    }
    for (i = 0; i < o->n; i++) {
        struct lconn *c = &r.c[i];

        /* Held or blocked connections were meant to stay open till now. */
        if (c->st == S_OPEN && (o->mode == M_HOLD || o->mode == M_NOREAD))
            end_conn(&r, c, END_OK);
        else if (c->st != S_DONE)
            end_conn(&r, c, END_TIMEOUT);
    }
    switch (o->mode) {
    case M_SLOWLORIS:
        report_slowloris(&r);
        status = count(&r, END_EOF) + count(&r, END_RESET) != o->n;
        break;
    case M_HOLD:
        printf("loadc hold: released n=%u held=%u refused=%u dropped=%u "
               "timeout=%u\n", o->n, count(&r, END_OK),
               count(&r, END_REFUSED),
               count(&r, END_EOF) + count(&r, END_RESET) +
               count(&r, END_MISMATCH),
               count(&r, END_TIMEOUT));
        status = count(&r, END_EOF) + count(&r, END_RESET) +
                 count(&r, END_MISMATCH) + count(&r, END_TIMEOUT) != 0;
        break;
    case M_TRANSFER: {
        uint64_t sent = 0, recvd = 0;
        unsigned shown = 0;

        for (i = 0; i < o->n; i++) {
            sent += r.c[i].sent;
            recvd += r.c[i].recvd;
            if (r.c[i].res != END_OK && shown++ < 10)
                fprintf(stderr, "loadc: connection %u: %s after %" PRIu64
                        " sent, %" PRIu64 " received\n", i,
                        result_names[r.c[i].res], r.c[i].sent, r.c[i].recvd);
        }
        printf("loadc transfer: n=%u ok=%u failed=%u sent=%" PRIu64
               " received=%" PRIu64 " peak_open=%u seconds=%.1f\n", o->n,
               count(&r, END_OK), o->n - count(&r, END_OK), sent, recvd, r.peak,
               now_s() - r.start);
        status = count(&r, END_OK) != o->n;
        break;
    }
    case M_NOREAD:
        printf("loadc noread: released n=%u unbounded=%u reset=%u "
               "timeout=%u\n", o->n, count(&r, END_UNBOUNDED),
               count(&r, END_RESET), count(&r, END_TIMEOUT));
        status = !said || count(&r, END_OK) != o->n;
        break;
    case M_SERVE:
        break;
    }
    free(r.c);
    return status;
}

/* ---- Server side. */

static void serve_update(struct lconn *c)
{
    uint32_t ev = 0;

    if (!c->peer_eof && c->blen < ECHO_BUF)
        ev |= EPOLLIN;
    if (c->blen > 0)
        ev |= EPOLLOUT;
    watch(c, EPOLL_CTL_MOD, ev);
}

static void serve_event(struct lconn *c, uint32_t ev)
{
    ssize_t n;

    if ((ev & EPOLLIN) && !c->peer_eof && c->blen < ECHO_BUF) {
        if (c->buf == NULL && (c->buf = malloc(ECHO_BUF)) == NULL) {
            finish(c, END_RESET);
            free(c);
            return;
        }
        n = recv(c->fd, c->buf + c->blen, ECHO_BUF - c->blen, 0);
        if (n > 0)
            c->blen += (size_t)n;
        else if (n == 0)
            c->peer_eof = 1;
        else if (errno != EAGAIN && errno != EINTR) {
            finish(c, END_RESET);
            free(c);
            return;
        }
    } else if (ev & (EPOLLERR | EPOLLHUP)) {
        finish(c, END_RESET);
        free(c);
        return;
    }
    if (c->blen > 0) {
        n = send(c->fd, c->buf, c->blen, MSG_NOSIGNAL);
        if (n > 0) {
            memmove(c->buf, c->buf + n, c->blen - (size_t)n);
            c->blen -= (size_t)n;
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            finish(c, END_RESET);
            free(c);
            return;
        }
    }
    if (c->blen == 0 && c->buf != NULL) {
        /* Idle connections keep no buffer. */
        free(c->buf);
        c->buf = NULL;
    }
    if (c->peer_eof && c->blen == 0) {
        finish(c, END_OK);
        free(c);
        return;
    }
    serve_update(c);
}

static int run_serve(const struct opts *o)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    struct lconn lst;
    struct epoll_event evs[256];
    char host[64], port[16];
    double deadline = now_s() + o->limit_s;
    unsigned long accepted = 0;
    int one = 1;

    memset(&lst, 0, sizeof(lst));
    if (parse_addr(o->addr, &ss, &sslen) != 0) {
        fprintf(stderr, "loadc: bad address '%s'\n", o->addr);
        return 2;
    }
    lst.fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lst.fd < 0)
        return 2;
    setsockopt(lst.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(lst.fd, (struct sockaddr *)&ss, sslen) != 0 ||
        listen(lst.fd, 4096) != 0) {
        perror("loadc: listen");
        return 2;
    }
    sslen = sizeof(ss);
    getsockname(lst.fd, (struct sockaddr *)&ss, &sslen);
    getnameinfo((struct sockaddr *)&ss, sslen, host, sizeof(host), port,
                sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV);
    printf(ss.ss_family == AF_INET6 ? "loadc listening on [%s]:%s\n"
                                    : "loadc listening on %s:%s\n", host, port);
    fflush(stdout);
    watch(&lst, EPOLL_CTL_ADD, EPOLLIN);
    while (!stop_flag && now_s() < deadline) {
        int k, nev = epoll_wait(ep, evs, 256, 250);

        for (k = 0; k < nev; k++) {
            struct lconn *c = evs[k].data.ptr;

            if (c != &lst) {
                serve_event(c, evs[k].events);
                continue;
            }
            for (;;) {
                int fd = accept4(lst.fd, NULL, NULL,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);

                if (fd < 0)
                    break;
                accepted++;
                if ((c = calloc(1, sizeof(*c))) == NULL) {
                    close(fd);
                    continue;
                }
                c->fd = fd;
                c->st = S_OPEN;
                /* A sink never reads: it is registered for nothing. */
                watch(c, EPOLL_CTL_ADD, o->echo ? EPOLLIN : 0);
            }
        }
    }
    /* Connections still open are closed by exit. */
    printf("loadc serve: accepted=%lu\n", accepted);
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: loadc slowloris|hold|transfer|noread [-n N] [-s BYTES] "
            "[-p P] [-i MS] [-g FILE] [-t SECONDS] ADDR\n"
            "       loadc serve echo|sink [-t SECONDS] ADDR\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static const char *const names[] = { "slowloris", "hold", "transfer",
                                         "noread", "serve" };
    struct opts o = { M_HOLD, 1, 1, 64, 1 << 20, 1000, 60, NULL, NULL };
    struct sigaction sa;
    int opt, m;

    if (argc < 3)
        usage();
    for (m = 0; m < 5 && strcmp(argv[1], names[m]) != 0; m++)
        ;
    if (m == 5)
        usage();
    o.mode = (enum mode)m;
    if (o.mode == M_NOREAD)
        o.size = (uint64_t)256 << 20;
    argv++;
    argc--;
    if (o.mode == M_SERVE) {
        if (strcmp(argv[1], "echo") != 0 && strcmp(argv[1], "sink") != 0)
            usage();
        o.echo = strcmp(argv[1], "echo") == 0;
        argv++;
        argc--;
    }
    while ((opt = getopt(argc, argv, "n:s:p:i:t:g:")) != -1) {
        switch (opt) {
        case 'n': o.n = (unsigned)strtoul(optarg, NULL, 10); break;
        case 's': o.size = strtoull(optarg, NULL, 10); break;
        case 'p': o.pace = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'i': o.interval_ms = (unsigned)strtoul(optarg, NULL, 10); break;
        case 't': o.limit_s = strtod(optarg, NULL); break;
        case 'g': o.gate = optarg; break;
        default: usage();
        }
    }
    if (optind != argc - 1 || o.n == 0 || o.pace == 0 || o.interval_ms == 0)
        usage();
    o.addr = argv[optind];
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        perror("loadc: epoll_create1");
        return 2;
    }
    m = o.mode == M_SERVE ? run_serve(&o) : run_client(&o);
    close(ep);
    return m;
}
