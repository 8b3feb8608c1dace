/*
 * floodc: an SC1 client that completes the handshake, then sends one kind
 * of record over and over and never reads, for the scenarios that check
 * what such a peer can make a tunnel queue.
 *
 *   floodc -m ku|empty|alert [-n N] [-c CAP] [-i MS] [-t S] CERT KEY CA NAME ADDR
 *
 * ku: key updates with request = 1 (each asks for a reply); empty: empty
 * application-data records; alert: records whose tag does not verify (the
 * first one makes the peer fail with an alert). N connections (default 1)
 * each write until the peer stops taking bytes: once no write made progress
 * for MS ms (default 1000) it prints "blocked N BYTES", or "closed N BYTES"
 * if the peer closed or reset, or "sent N BYTES" if it took all CAP bytes
 * (default 64 MiB: it never pushed back). Then, with every connection still
 * open, it prints "done" and holds until SIGTERM or the time limit S
 * (default 120). Exit 0 unless a connection took all CAP bytes or failed to
 * set up. ADDR is host:port, numeric.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "sovchain.h"
#include "sovchain_testing.h"

static const char *mode = "ku";

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int dial(const char *addr)
{
    char host[64];
    const char *colon = strrchr(addr, ':');
    struct sockaddr_in sa = { .sin_family = AF_INET };
    int fd, small = 4096;

    if (colon == NULL || (size_t)(colon - addr) >= sizeof(host))
        return -1;
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = '\0';
    sa.sin_port = htons((unsigned short)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return -1;
    if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
        return -1;
    /* A small receive buffer: the peer's replies back up sooner. */
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_output(sc_conn *c, int fd)
{
    const uint8_t *p;
    size_t n;
    ssize_t w;

    while ((p = sc_conn_output(c, &n)) != NULL && n > 0) {
        if ((w = write(fd, p, n)) <= 0)
            return -1;
        sc_conn_output_consume(c, (size_t)w);
    }
    return 0;
}

/* Blocking handshake over fd. */
static int handshake(sc_conn *c, int fd)
{
    uint8_t buf[16384];
    size_t used, off;
    ssize_t r;

    if (sc_conn_start(c) != SC_OK)
        return -1;
    while (!sc_conn_handshake_done(c)) {
        if (send_output(c, fd) != 0)
            return -1;
        if ((r = read(fd, buf, sizeof(buf))) <= 0)
            return -1;
        for (off = 0; off < (size_t)r; off += used)
            if (sc_conn_feed(c, buf + off, (size_t)r - off, &used) != SC_OK || used == 0)
                return -1;
    }
    return send_output(c, fd);
}

/* One record of the flood, sealed by the engine (or made up). */
static int next_record(sc_conn *c, uint8_t *rec, size_t cap, size_t *len)
{
    const uint8_t *p;
    int rc = SC_OK;

    if (strcmp(mode, "alert") == 0) {
        /* Application data whose tag cannot verify. */
        if (cap < 3 + 32)
            return -1;
        rec[0] = 0x17;
        rec[1] = 0;
        rec[2] = 32;
        memset(rec + 3, 0xa5, 32);
        *len = 35;
        return 0;
    }
    if (strcmp(mode, "ku") == 0)
        rc = sc_conn_key_update(c, 1);
    else
        rc = sc_testing_send_record(c, 0x17, NULL, 0);
    if (rc != SC_OK)
        return -1;
    p = sc_conn_output(c, len);
    if (*len > cap)
        return -1;
    memcpy(rec, p, *len);
    sc_conn_output_consume(c, *len);
    return 0;
}

/* Writes records until the peer stops taking them; prints the outcome. */
static int flood(sc_conn *c, int fd, int idx, long cap, long idle_ms)
{
    uint8_t rec[64];
    size_t len = 0, off = 0;
    long sent = 0, last = now_ms();
    struct pollfd pfd = { .fd = fd, .events = POLLOUT };
    ssize_t w;

    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    while (sent < cap) {
        if (off == len) {
            if (next_record(c, rec, sizeof(rec), &len) != 0) {
                printf("engine failed %d %ld\n", idx, sent);
                return -1;
            }
            off = 0;
        }
        w = write(fd, rec + off, len - off);
        if (w > 0) {
            off += (size_t)w;
            sent += w;
            last = now_ms();
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            printf("closed %d %ld\n", idx, sent);
            return 0;
        }
        if (now_ms() - last >= idle_ms) {
            printf("blocked %d %ld\n", idx, sent);
            return 0;
        }
        (void)poll(&pfd, 1, 50);
        if (pfd.revents & (POLLERR | POLLHUP)) {
            printf("closed %d %ld\n", idx, sent);
            return 0;
        }
    }
    printf("sent %d %ld\n", idx, sent);
    return 1;
}

static sc_ctx *client_ctx(const char *cert, const char *key, const char *ca, const char *name)
{
    int err = SC_OK;
    sc_ctx *ctx = sc_ctx_new(NULL, NULL, SC_ROLE_CLIENT, &err);

    if (ctx == NULL || sc_ctx_load_cert_chain(ctx, cert) != SC_OK
        || sc_ctx_load_private_key(ctx, key, NULL) != SC_OK
        || sc_ctx_load_trust(ctx, ca, NULL) != SC_OK
        || sc_ctx_set_server_name(ctx, name, 1) != SC_OK) {
        sc_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

int main(int argc, char **argv)
{
    long cap = 64L << 20, idle = 1000, limit = 120;
    int n = 1, opt, bad = 0, *fds;
    sc_conn **conns;
    sc_ctx *ctx;

    while ((opt = getopt(argc, argv, "m:n:c:i:t:")) != -1) {
        switch (opt) {
        case 'm': mode = optarg; break;
        case 'n': n = atoi(optarg); break;
        case 'c': cap = atol(optarg); break;
        case 'i': idle = atol(optarg); break;
        case 't': limit = atol(optarg); break;
        default: bad = 1;
        }
    }
    if (bad || argc - optind != 5 || n < 1 || (strcmp(mode, "ku") && strcmp(mode, "empty")
                                               && strcmp(mode, "alert"))) {
        fprintf(stderr, "usage: floodc -m ku|empty|alert [-n N] [-c CAP] [-i MS] [-t S] "
                        "CERT KEY CA NAME ADDR\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    alarm((unsigned)limit);
    if ((ctx = client_ctx(argv[optind], argv[optind + 1], argv[optind + 2], argv[optind + 3])) == NULL) {
        fprintf(stderr, "floodc: cannot load the client credentials\n");
        return 2;
    }
    conns = calloc((size_t)n, sizeof(*conns));
    fds = calloc((size_t)n, sizeof(*fds));
    if (conns == NULL || fds == NULL)
        return 2;
    for (int i = 0; i < n; i++) {
        if ((fds[i] = dial(argv[optind + 4])) < 0 || (conns[i] = sc_conn_new(ctx)) == NULL
            || handshake(conns[i], fds[i]) != 0) {
            fprintf(stderr, "floodc: connection %d: handshake failed\n", i);
            return 1;
        }
    }
    for (int i = 0; i < n; i++)
        bad |= flood(conns[i], fds[i], i, cap, idle) != 0;
    printf("done\n");
    fflush(stdout);
    pause();   /* until SIGTERM or the alarm */
    return bad;
}
