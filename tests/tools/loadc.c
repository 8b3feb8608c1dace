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
 *
 * This file reads the command line and holds what both sides share; the
 * client modes are loadc_client.c, the server loadc_serve.c.
 */
#define _GNU_SOURCE
#include "loadc.h"

#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "loadc_client.h"
#include "loadc_serve.h"

volatile sig_atomic_t loadc_stop;
int loadc_ep = -1;

static void on_signal(int sig)
{
    (void)sig;
    loadc_stop = 1;
}

double loadc_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int loadc_parse_addr(const char *text, struct sockaddr_storage *ss,
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

void loadc_watch(struct loadc_conn *c, int op, uint32_t events)
{
    struct epoll_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.events = events;
    ev.data.ptr = c;
    if (epoll_ctl(loadc_ep, op, c->fd, &ev) != 0 && op != EPOLL_CTL_DEL) {
        perror("loadc: epoll_ctl");
        exit(2);
    }
}

void loadc_finish(struct loadc_conn *c, enum loadc_result r)
{
    if (c->st == S_DONE)
        return;
    if (c->res == END_NONE || r != END_OK)
        c->res = r;
    c->t_end = loadc_now();
    if (c->fd >= 0) {
        epoll_ctl(loadc_ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
    }
    free(c->buf);
    c->buf = NULL;
    c->st = S_DONE;
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
    struct loadc_opts o = { M_HOLD, 1, 1, 64, 1 << 20, 1000, 60, NULL, NULL };
    struct sigaction sa;
    int opt, m;

    if (argc < 3)
        usage();
    for (m = 0; m < 5 && strcmp(argv[1], names[m]) != 0; m++)
        ;
    if (m == 5)
        usage();
    o.mode = (enum loadc_mode)m;
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
    if ((loadc_ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        perror("loadc: epoll_create1");
        return 2;
    }
    m = o.mode == M_SERVE ? loadc_serve_run(&o) : loadc_client_run(&o);
    close(loadc_ep);
    return m;
}
