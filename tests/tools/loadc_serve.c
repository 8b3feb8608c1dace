/*
 * loadc serve: listens and either echoes every connection, reading only
 * while its buffer has room, or accepts and never reads (a sink).
 */
#define _GNU_SOURCE
#include "loadc_serve.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define ECHO_BUF 16384

static void serve_update(struct loadc_conn *c)
{
    uint32_t ev = 0;

    if (!c->peer_eof && c->blen < ECHO_BUF)
        ev |= EPOLLIN;
    if (c->blen > 0)
        ev |= EPOLLOUT;
    loadc_watch(c, EPOLL_CTL_MOD, ev);
}

static void serve_event(struct loadc_conn *c, uint32_t ev)
{
    ssize_t n;

    if ((ev & EPOLLIN) && !c->peer_eof && c->blen < ECHO_BUF) {
        if (c->buf == NULL && (c->buf = malloc(ECHO_BUF)) == NULL) {
            loadc_finish(c, END_RESET);
            free(c);
            return;
        }
        n = recv(c->fd, c->buf + c->blen, ECHO_BUF - c->blen, 0);
        if (n > 0)
            c->blen += (size_t)n;
        else if (n == 0)
            c->peer_eof = 1;
        else if (errno != EAGAIN && errno != EINTR) {
            loadc_finish(c, END_RESET);
            free(c);
            return;
        }
    } else if (ev & (EPOLLERR | EPOLLHUP)) {
        loadc_finish(c, END_RESET);
        free(c);
        return;
    }
    if (c->blen > 0) {
        n = send(c->fd, c->buf, c->blen, MSG_NOSIGNAL);
        if (n > 0) {
            memmove(c->buf, c->buf + n, c->blen - (size_t)n);
            c->blen -= (size_t)n;
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            loadc_finish(c, END_RESET);
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
        loadc_finish(c, END_OK);
        free(c);
        return;
    }
    serve_update(c);
}

int loadc_serve_run(const struct loadc_opts *o)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    struct loadc_conn lst;
    struct epoll_event evs[256];
    char host[64], port[16];
    double deadline = loadc_now() + o->limit_s;
    unsigned long accepted = 0;
    int one = 1;

    memset(&lst, 0, sizeof(lst));
    if (loadc_parse_addr(o->addr, &ss, &sslen) != 0) {
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
    loadc_watch(&lst, EPOLL_CTL_ADD, EPOLLIN);
    while (!loadc_stop && loadc_now() < deadline) {
        int k, nev = epoll_wait(loadc_ep, evs, 256, 250);

        for (k = 0; k < nev; k++) {
            struct loadc_conn *c = evs[k].data.ptr;

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
                loadc_watch(c, EPOLL_CTL_ADD, o->echo ? EPOLLIN : 0);
            }
        }
    }
    /* Connections still open are closed by exit. */
    printf("loadc serve: accepted=%lu\n", accepted);
    return 0;
}
