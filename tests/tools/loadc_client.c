/*
 * The client modes of loadc: open the connections at most -p at a time,
 * drive each one's writes and reads from the epoll loop, and print the
 * mid-run lines the scripts wait for ("held", "blocked", "open").
 */
#include "loadc_client.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loadc_pattern.h"
#include "loadc_report.h"

#define IO_CHUNK 65536

static unsigned char iobuf[IO_CHUNK], expbuf[IO_CHUNK];

/* The first bytes a client sends: a ClientHello record header (type 1,
 * SC1.md section 2), so the server waits for the rest of the record. */
static const unsigned char slow_prefix[] = { 0x01, 0x00, 0x60 };

static void setup_done(struct loadc_run *r, struct loadc_conn *c)
{
    if (c->st == S_CONNECTING || c->st == S_SETUP)
        r->setting_up--;
}

static void end_conn(struct loadc_run *r, struct loadc_conn *c,
                     enum loadc_result res)
{
    if (c->st == S_DONE)
        return;
    setup_done(r, c);
    if (c->st != S_IDLE)
        r->open--;
    loadc_finish(c, res);
}

static void open_one(struct loadc_run *r, struct loadc_conn *c)
{
    int fd = socket(r->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    0);

    c->t_open = loadc_now();
    if (fd < 0) {
        fprintf(stderr, "loadc: socket: %s\n", strerror(errno));
        c->st = S_DONE;
        c->res = END_REFUSED;
        return;
    }
    c->fd = fd;
    loadc_pattern_sum_init(&c->sum_sent);
    loadc_pattern_sum_init(&c->sum_recvd);
    c->st = S_CONNECTING;
    r->setting_up++;
    if (++r->open > r->peak)
        r->peak = r->open;
    if (connect(fd, (struct sockaddr *)&r->ss, r->sslen) != 0 &&
        errno != EINPROGRESS) {
        end_conn(r, c, END_REFUSED);
        return;
    }
    loadc_watch(c, EPOLL_CTL_ADD, EPOLLOUT);
}

/* Write what this connection has to send now; -1 if it ended. */
static int client_write(struct loadc_run *r, struct loadc_conn *c)
{
    const struct loadc_opts *o = r->o;

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
                    loadc_watch(c, EPOLL_CTL_MOD, EPOLLIN);
                }
                return 0;
            }
            if (c->sent >= limit) {
                loadc_watch(c, EPOLL_CTL_MOD, EPOLLIN);
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
        loadc_pattern_fill(c->idx, c->sent, iobuf, len);
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
        loadc_pattern_sum_add(&c->sum_sent, iobuf, (size_t)w);
        c->sent += (uint64_t)w;
        c->blocked = 0;
        r->last_progress = loadc_now();
    }
}

/* Read what arrived; -1 if the connection ended. */
static int client_read(struct loadc_run *r, struct loadc_conn *c)
{
    const struct loadc_opts *o = r->o;

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
                         loadc_pattern_sum_final(&c->sum_recvd) ==
                         loadc_pattern_sum_final(&c->sum_sent)
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
        loadc_pattern_fill(c->idx, c->recvd, expbuf, (size_t)n);
        if (memcmp(expbuf, iobuf, (size_t)n) != 0) {
            fprintf(stderr, "loadc: connection %u: echo differs near byte "
                    "%" PRIu64 "\n", c->idx, c->recvd);
            end_conn(r, c, END_MISMATCH);
            return -1;
        }
        loadc_pattern_sum_add(&c->sum_recvd, iobuf, (size_t)n);
        c->recvd += (uint64_t)n;
        r->last_progress = loadc_now();
    }
}

static void connected(struct loadc_run *r, struct loadc_conn *c)
{
    const struct loadc_opts *o = r->o;
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
        loadc_watch(c, EPOLL_CTL_MOD, EPOLLIN | EPOLLRDHUP);
        if (send(c->fd, slow_prefix, 1, MSG_NOSIGNAL) == 1)
            c->sent = 1;
        break;
    case M_HOLD:
        c->st = S_SETUP;
        loadc_watch(c, EPOLL_CTL_MOD, EPOLLIN);
        if (send(c->fd, "p", 1, MSG_NOSIGNAL) != 1)
            end_conn(r, c, END_REFUSED);
        break;
    case M_TRANSFER:
        c->st = S_SETUP;
        loadc_watch(c, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT);
        client_write(r, c);
        break;
    case M_NOREAD:
        setup_done(r, c);
        c->st = S_OPEN;
        /* Never EPOLLIN: errors and hang-ups are reported regardless. */
        loadc_watch(c, EPOLL_CTL_MOD, EPOLLOUT);
        client_write(r, c);
        break;
    case M_SERVE:
        break;
    }
}

static void client_event(struct loadc_run *r, struct loadc_conn *c,
                         uint32_t ev)
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
static void slow_tick(struct loadc_run *r)
{
    unsigned i;

    for (i = 0; i < r->o->n; i++) {
        struct loadc_conn *c = &r->c[i];
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

int loadc_client_run(const struct loadc_opts *o)
{
    struct loadc_run r;
    struct epoll_event evs[256];
    double deadline, next_tick, settle = o->interval_ms / 1000.0;
    int said = 0, status;
    unsigned i;

    memset(&r, 0, sizeof(r));
    r.o = o;
    if (loadc_parse_addr(o->addr, &r.ss, &r.sslen) != 0) {
        fprintf(stderr, "loadc: bad address '%s'\n", o->addr);
        return 2;
    }
    if ((r.c = calloc(o->n, sizeof(*r.c))) == NULL)
        return 2;
    for (i = 0; i < o->n; i++) {
        r.c[i].fd = -1;
        r.c[i].idx = i;
    }
    r.start = r.last_progress = loadc_now();
    deadline = r.start + o->limit_s;
    next_tick = r.start + settle;
    while (!loadc_stop) {
        double t = loadc_now(), wait;
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
                loadc_watch(&r.c[i], EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT);
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
                       r.open, total, most,
                       loadc_report_count(&r, END_UNBOUNDED),
                       loadc_report_count(&r, END_RESET));
                fflush(stdout);
                said = 1;
            }
        }
        wait = (o->mode == M_SLOWLORIS ? next_tick : deadline) - t;
        if (o->mode == M_NOREAD && !said)
            wait = settle / 4;
        if (wait > 0.25)
            wait = 0.25;
        nev = epoll_wait(loadc_ep, evs, 256,
                         wait > 0 ? (int)(wait * 1000) + 1 : 0);
        for (k = 0; k < nev; k++)
            client_event(&r, evs[k].data.ptr, evs[k].events);
    }
    for (i = 0; i < o->n; i++) {
        struct loadc_conn *c = &r.c[i];

        /* Held or blocked connections were meant to stay open till now. */
        if (c->st == S_OPEN && (o->mode == M_HOLD || o->mode == M_NOREAD))
            end_conn(&r, c, END_OK);
        else if (c->st != S_DONE)
            end_conn(&r, c, END_TIMEOUT);
    }
    status = loadc_report_end(&r, said);
    free(r.c);
    return status;
}
