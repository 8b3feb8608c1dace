/*
 * modrelay: a TCP relay that alters one direction of an SC1 stream, to
 * prove that the receiving end detects every change (like OpenSSH's
 * modpipe). Test tool, loopback only.
 *
 *   modrelay [-v] [-f OPSFILE] TARGET [DIR OP ARG...]
 *
 * Listens on 127.0.0.1 (an ephemeral port), prints
 * "modrelay listening on 127.0.0.1:PORT", and relays every connection to
 * TARGET (host:port). DIR is c2s (from the accepted side to TARGET) or
 * s2c. OP is one of:
 *
 *   none                 relay unchanged
 *   flip N [MASK]        XOR the byte at stream offset N (from 0) with MASK
 *                        (default: 1 << (N % 8), one bit)
 *   dup K                send the K-th record (from 1) twice
 *   drop K               leave the K-th record out
 *   swap K               send record K+1 before record K
 *   inject N HEX         insert the bytes HEX before stream offset N
 *   join K               hold records from the K-th on until an
 *                        application-data record (type 0x17) is complete,
 *                        then send them in one write (data pipelined right
 *                        behind the records before it)
 *   hold PATH            pass everything before the first application-data
 *                        record (type 0x17), then hold it and what follows
 *                        until PATH exists (bounded: 30 s)
 *   cut K                once the K-th application-data record (type
 *                        0x17, counted from 1) is passed on, end both
 *                        directions with a clean end of stream (FIN), no
 *                        close_notify: each tunnel sees a truncation; what
 *                        arrives afterwards is read and discarded
 *
 * or, without DIR, "gate PATH": connect to TARGET only once PATH exists,
 * so that a test can act while the accepted side waits (bounded: 30 s).
 *
 * Records are parsed by their SC1 header (SC1.md section 2: u8 type,
 * u16 length), on the bytes as received. With -f, connection number i
 * (counting accepted connections from 0) takes its operation from line i+1
 * of OPSFILE, read at accept time; a missing file or line means the
 * command-line operation, or none.
 *
 * When a connection ends, one line on standard output:
 *   conn I op="..." applied=0|1 hit="..." c2s=BYTES c2s_data=OFF
 *       s2c=BYTES s2c_data=OFF reset=0|1
 * (BYTES received in that direction, OFF the offset of its first
 * application-data record or -1). For flip, hit says which part of the
 * record the byte was in: "type altered", "length altered" or "body
 * altered". -v also lists every record as
 *   conn I DIR record K type 0xTT len L at OFF
 * An end of stream is passed on as an end of stream, a reset as a reset.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum opkind { OP_NONE, OP_FLIP, OP_DUP, OP_DROP, OP_SWAP, OP_INJECT, OP_JOIN,
              OP_CUT, OP_GATE, OP_HOLD };

struct op {
    enum opkind kind;
    int dir;                    /* 0: c2s, 1: s2c */
    uint64_t n;                 /* offset or record number */
    uint8_t mask;
    uint8_t inject[256];
    size_t inject_len;
    char gate[512];
    char text[600];
};

struct buf {
    uint8_t *p;
    size_t len, cap;
};

struct conn;

/* One direction of a relayed connection. */
struct dir {
    struct conn *c;
    int idx;                    /* 0: c2s, 1: s2c */
    int src, dst;
    const struct op *op;        /* NULL unless this direction is altered */
    uint64_t in;                /* bytes received */
    uint8_t hdr[3];
    size_t hlen, body_left;
    uint64_t rec;               /* record being parsed, from 1 */
    uint64_t rec_start;
    long long first_data;
    struct buf out, held, saved;
    int holding;
    int joined;                 /* OP_JOIN done */
    uint64_t data_recs;         /* application-data records seen */
    int cut_now;                /* OP_CUT: its record has been passed on */
    int released;               /* OP_HOLD: the gate opened */
};

struct conn {
    unsigned long id;
    int fd[2];                  /* accepted, target */
    struct op op;
    struct dir d[2];
    int reset;
    int cut;                    /* OP_CUT done: discard, end cleanly */
    int applied;
    char hit[128];
    pthread_mutex_t lock;
};

static struct addrinfo *target;
static const char *opsfile;
static struct op default_op;
static int verbose;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const dir_name[2] = { "c2s", "s2c" };

static int buf_add(struct buf *b, const uint8_t *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        uint8_t *np;

        while (cap < b->len + n)
            cap *= 2;
        if ((np = realloc(b->p, cap)) == NULL)
            return -1;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    return 0;
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;

    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    *v = strtoull(s, &end, 0);
    return errno != 0 || *end != '\0' ? -1 : 0;
}

/* Parse "DIR OP ARG..." from argv-style words; 0 on success. */
static int op_parse(struct op *op, int argc, char **argv)
{
    uint64_t v;
    size_t i, len = 0;

    memset(op, 0, sizeof(*op));
    for (int k = 0; k < argc && len < sizeof(op->text); k++)
        len += (size_t)snprintf(op->text + len, sizeof(op->text) - len,
                                "%s%s", k ? " " : "", argv[k]);
    if (argc == 0 || (argc == 1 && strcmp(argv[0], "none") == 0))
        return 0;
    if (argc < 2)
        return -1;
    if (strcmp(argv[0], "gate") == 0) {
        op->kind = OP_GATE;
        if (argc != 2 || strlen(argv[1]) >= sizeof(op->gate))
            return -1;
        memcpy(op->gate, argv[1], strlen(argv[1]) + 1);
        return 0;
    }
    if (strcmp(argv[0], "c2s") == 0)
        op->dir = 0;
    else if (strcmp(argv[0], "s2c") == 0)
        op->dir = 1;
    else
        return -1;
    if (strcmp(argv[1], "none") == 0)
        return argc == 2 ? 0 : -1;
    if (strcmp(argv[1], "hold") == 0) {
        op->kind = OP_HOLD;
        if (argc != 3 || strlen(argv[2]) >= sizeof(op->gate))
            return -1;
        memcpy(op->gate, argv[2], strlen(argv[2]) + 1);
        return 0;
    }
    if (argc < 3 || parse_u64(argv[2], &op->n) != 0)
        return -1;
    if (strcmp(argv[1], "flip") == 0) {
        op->kind = OP_FLIP;
        op->mask = (uint8_t)(1u << (op->n % 8));
        if (argc == 4) {
            if (parse_u64(argv[3], &v) != 0 || v == 0 || v > 255)
                return -1;
            op->mask = (uint8_t)v;
        }
        return argc <= 4 ? 0 : -1;
    }
    if (strcmp(argv[1], "inject") == 0) {
        const char *h = argc == 4 ? argv[3] : "";

        op->kind = OP_INJECT;
        if (strlen(h) % 2 != 0 || strlen(h) / 2 > sizeof(op->inject) ||
            strlen(h) == 0)
            return -1;
        for (i = 0; h[2 * i] != '\0'; i++) {
            int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);

            if (hi < 0 || lo < 0)
                return -1;
            op->inject[i] = (uint8_t)(hi << 4 | lo);
        }
        op->inject_len = i;
        return 0;
    }
    if (argc != 3 || op->n == 0)
        return -1;
    if (strcmp(argv[1], "dup") == 0)
        op->kind = OP_DUP;
    else if (strcmp(argv[1], "drop") == 0)
        op->kind = OP_DROP;
    else if (strcmp(argv[1], "swap") == 0)
        op->kind = OP_SWAP;
    else if (strcmp(argv[1], "join") == 0)
        op->kind = OP_JOIN;
    else if (strcmp(argv[1], "cut") == 0)
        op->kind = OP_CUT;
    else
        return -1;
    return 0;
}

/* The operation of connection `id`: its line of the ops file, if any. */
static void op_for(unsigned long id, struct op *op)
{
    char line[1200], *words[8], *save = NULL, *w;
    unsigned long i = 0;
    int n = 0;
    FILE *f;

    *op = default_op;
    if (opsfile == NULL || (f = fopen(opsfile, "r")) == NULL)
        return;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (i++ != id)
            continue;
        line[strcspn(line, "\r\n")] = '\0';
        for (w = strtok_r(line, " \t", &save); w != NULL && n < 8;
             w = strtok_r(NULL, " \t", &save))
            words[n++] = w;
        if (op_parse(op, n, words) != 0) {
            fprintf(stderr, "modrelay: connection %lu: bad operation\n", id);
            *op = default_op;
        }
        break;
    }
    fclose(f);
}

static void mark_applied(struct dir *d, const char *what, uint64_t rec,
                         unsigned type)
{
    pthread_mutex_lock(&d->c->lock);
    d->c->applied = 1;
    snprintf(d->c->hit, sizeof(d->c->hit), "record %llu type 0x%02x %s",
             (unsigned long long)rec, type, what);
    pthread_mutex_unlock(&d->c->lock);
}

/* The bytes of a finished record go out, are held, or are dropped. */
static int record_done(struct dir *d)
{
    const struct op *op = d->op;
    unsigned type = d->hdr[0];

    if (verbose) {
        pthread_mutex_lock(&out_lock);
        printf("conn %lu %s record %llu type 0x%02x len %u at %llu\n",
               d->c->id, dir_name[d->idx], (unsigned long long)d->rec, type,
               (unsigned)(d->hdr[1] << 8 | d->hdr[2]),
               (unsigned long long)d->rec_start);
        fflush(stdout);
        pthread_mutex_unlock(&out_lock);
    }
    if (!d->holding)
        return 0;
    d->holding = 0;
    switch (op->kind) {
    case OP_JOIN:
        if (type != 0x17)
            return 0;            /* keep holding */
        if (buf_add(&d->out, d->held.p, d->held.len) != 0)
            return -1;
        d->joined = 1;
        mark_applied(d, "sent in one write with the records held before it",
                     d->rec, type);
        break;
    case OP_DUP:
        if (buf_add(&d->out, d->held.p, d->held.len) != 0 ||
            buf_add(&d->out, d->held.p, d->held.len) != 0)
            return -1;
        mark_applied(d, "duplicated", d->rec, type);
        break;
    case OP_DROP:
        mark_applied(d, "dropped", d->rec, type);
        break;
    case OP_SWAP:
        if (d->rec == op->n) {
            /* Keep it until the next record is complete. */
            struct buf t = d->saved;

            d->saved = d->held;
            d->held = t;
            break;
        }
        if (buf_add(&d->out, d->held.p, d->held.len) != 0 ||
            buf_add(&d->out, d->saved.p, d->saved.len) != 0)
            return -1;
        d->saved.len = 0;
        mark_applied(d, "sent before the previous one", d->rec, type);
        break;
    default:
        break;
    }
    d->held.len = 0;
    return 0;
}

/* Run received bytes through the parser and the operation into d->out. */
static int process(struct dir *d, const uint8_t *p, size_t n)
{
    const struct op *op = d->op;

    for (size_t i = 0; i < n; i++, d->in++) {
        uint8_t b = p[i];
        uint8_t orig = b;

        /* The record this byte belongs to, and its type. */
        uint64_t rec = d->rec + (d->hlen == 0);
        unsigned type = d->hlen == 0 ? orig : d->hdr[0];

        if (op != NULL && op->kind == OP_INJECT && d->in == op->n) {
            if (buf_add(&d->out, op->inject, op->inject_len) != 0)
                return -1;
            mark_applied(d, "bytes injected before it", rec, type);
        }
        if (op != NULL && op->kind == OP_FLIP && d->in == op->n) {
            b ^= op->mask;
            mark_applied(d, d->hlen == 0 ? "type altered" :
                         d->hlen < 3 ? "length altered" : "body altered",
                         rec, type);
        }
        if (d->hlen < 3) {
            if (d->hlen == 0) {
                d->rec++;
                d->rec_start = d->in;
                d->holding = op != NULL &&
                    ((op->kind == OP_DUP || op->kind == OP_DROP) ?
                     d->rec == op->n :
                     op->kind == OP_JOIN ? !d->joined && d->rec >= op->n :
                     op->kind == OP_SWAP &&
                     (d->rec == op->n || d->rec == op->n + 1));
            }
            d->hdr[d->hlen++] = orig;
            if (d->hlen == 3) {
                d->body_left = (size_t)(d->hdr[1] << 8 | d->hdr[2]);
                if (d->hdr[0] == 0x17 && d->first_data < 0)
                    d->first_data = (long long)d->rec_start;
            }
        } else {
            d->body_left--;
        }
        if (buf_add(d->holding ? &d->held : &d->out, &b, 1) != 0)
            return -1;
        if (d->hlen == 3 && d->body_left == 0) {
            if (record_done(d) != 0)
                return -1;
            d->hlen = 0;
            if (op != NULL && op->kind == OP_CUT && type == 0x17 &&
                ++d->data_recs == op->n) {
                mark_applied(d, "passed on, then both directions ended",
                             d->rec, type);
                d->cut_now = 1;
                return 0;       /* the rest is never sent */
            }
        }
    }
    return 0;
}

static int send_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void set_reset(struct conn *c)
{
    struct linger lg = { 1, 0 };

    pthread_mutex_lock(&c->lock);
    if (!c->reset) {
        c->reset = 1;
        /* Close both with RST later; wake the other direction now. */
        for (int i = 0; i < 2; i++) {
            setsockopt(c->fd[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
            shutdown(c->fd[i], SHUT_RD);
        }
    }
    pthread_mutex_unlock(&c->lock);
}

/* OP_CUT: a clean end of stream both ways, in the middle of the session. */
static void set_cut(struct conn *c)
{
    pthread_mutex_lock(&c->lock);
    if (!c->cut && !c->reset) {
        c->cut = 1;
        shutdown(c->fd[0], SHUT_WR);
        shutdown(c->fd[1], SHUT_WR);
    }
    pthread_mutex_unlock(&c->lock);
}

static int is_cut(struct conn *c)
{
    int cut;

    pthread_mutex_lock(&c->lock);
    cut = c->cut;
    pthread_mutex_unlock(&c->lock);
    return cut;
}

static void wait_gate(const char *path);

/* Send out; OP_HOLD: what precedes the first application-data record goes
 * at once, the rest once the gate opens. `n` bytes were just processed. */
static int send_out(struct dir *d, size_t n)
{
    uint64_t start = d->in - n;
    size_t pre;

    if (d->op == NULL || d->op->kind != OP_HOLD || d->released || d->first_data < 0)
        return send_all(d->dst, d->out.p, d->out.len);
    pre = (uint64_t)d->first_data > start ? (size_t)((uint64_t)d->first_data - start) : 0;
    if (send_all(d->dst, d->out.p, pre) != 0)
        return -1;
    mark_applied(d, "held until the gate opened", d->rec, 0x17);
    wait_gate(d->op->gate);
    d->released = 1;
    return send_all(d->dst, d->out.p + pre, d->out.len - pre);
}

static void *relay_dir(void *arg)
{
    struct dir *d = arg;
    uint8_t buf[65536];
    ssize_t n;

    for (;;) {
        n = recv(d->src, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && is_cut(d->c))
            return NULL;        /* the peer's answer to the cut */
        if (n < 0) {
            set_reset(d->c);
            return NULL;
        }
        if (n == 0)
            break;
        if (is_cut(d->c))
            continue;           /* after the cut: read and discard */
        d->out.len = 0;
        if (process(d, buf, (size_t)n) != 0 || send_out(d, (size_t)n) != 0) {
            if (!is_cut(d->c))
                set_reset(d->c);
            return NULL;
        }
        if (d->cut_now)
            set_cut(d->c);
    }
    pthread_mutex_lock(&d->c->lock);
    n = d->c->reset || d->c->cut;
    pthread_mutex_unlock(&d->c->lock);
    if (!n) {
        /* End of stream: what was held back goes out, then the end. */
        send_all(d->dst, d->saved.p, d->saved.len);
        send_all(d->dst, d->held.p, d->held.len);
        shutdown(d->dst, SHUT_WR);
    }
    return NULL;
}

static int connect_target(void)
{
    int fd = socket(target->ai_family, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    if (connect(fd, target->ai_addr, target->ai_addrlen) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* "gate PATH": wait (bounded) for PATH to exist. */
static void wait_gate(const char *path)
{
    struct timespec ts = { 0, 10 * 1000 * 1000 };

    for (int i = 0; i < 3000 && access(path, F_OK) != 0; i++)
        nanosleep(&ts, NULL);
}

static void *relay_conn(void *arg)
{
    struct conn *c = arg;
    pthread_t t[2];
    int started[2] = { 0, 0 };

    if (c->op.kind == OP_GATE)
        wait_gate(c->op.gate);
    if ((c->fd[1] = connect_target()) < 0) {
        struct linger lg = { 1, 0 };

        /* The target refused: the client sees a reset too. */
        setsockopt(c->fd[0], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        close(c->fd[0]);
        pthread_mutex_lock(&out_lock);
        printf("conn %lu connect failed: %s\n", c->id, strerror(errno));
        fflush(stdout);
        pthread_mutex_unlock(&out_lock);
        pthread_mutex_destroy(&c->lock);
        free(c);
        return NULL;
    }

    for (int i = 0; i < 2; i++) {
        struct dir *d = &c->d[i];

        d->c = c;
        d->idx = i;
        d->src = c->fd[i];
        d->dst = c->fd[1 - i];
        d->op = c->op.kind != OP_NONE && c->op.kind != OP_GATE &&
                c->op.dir == i ? &c->op : NULL;
        d->first_data = -1;
    }
    for (int i = 0; i < 2; i++)
        started[i] = pthread_create(&t[i], NULL, relay_dir, &c->d[i]) == 0;
    if (!started[0] || !started[1])
        set_reset(c);
    for (int i = 0; i < 2; i++)
        if (started[i])
            pthread_join(t[i], NULL);
    close(c->fd[0]);
    close(c->fd[1]);
    pthread_mutex_lock(&out_lock);
    printf("conn %lu op=\"%s\" applied=%d hit=\"%s\" c2s=%llu c2s_data=%lld "
           "s2c=%llu s2c_data=%lld reset=%d\n", c->id, c->op.text, c->applied,
           c->hit, (unsigned long long)c->d[0].in, c->d[0].first_data,
           (unsigned long long)c->d[1].in, c->d[1].first_data, c->reset);
    fflush(stdout);
    pthread_mutex_unlock(&out_lock);
    for (int i = 0; i < 2; i++) {
        free(c->d[i].out.p);
        free(c->d[i].held.p);
        free(c->d[i].saved.p);
    }
    pthread_mutex_destroy(&c->lock);
    free(c);
    return NULL;
}

static int resolve(const char *addr)
{
    struct addrinfo hints;
    char host[256];
    const char *port = strrchr(addr, ':');

    if (port == NULL || (size_t)(port - addr) >= sizeof(host))
        return -1;
    snprintf(host, sizeof(host), "%.*s", (int)(port - addr), addr);
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    return getaddrinfo(host, port + 1, &hints, &target) == 0 ? 0 : -1;
}

static int usage(void)
{
    fprintf(stderr, "usage: modrelay [-v] [-f OPSFILE] TARGET "
            "[c2s|s2c none|flip N [MASK]|dup K|drop K|swap K|inject N HEX|"
            "join K|cut K|hold PATH] [gate PATH]\n");
    return 2;
}

int main(int argc, char **argv)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    unsigned long id = 0;
    int opt, lfd, fd;

    while ((opt = getopt(argc, argv, "vf:")) != -1) {
        if (opt == 'v')
            verbose = 1;
        else if (opt == 'f')
            opsfile = optarg;
        else
            return usage();
    }
    if (optind >= argc)
        return usage();
    if (resolve(argv[optind]) != 0) {
        fprintf(stderr, "modrelay: cannot resolve %s\n", argv[optind]);
        return 2;
    }
    if (op_parse(&default_op, argc - optind - 1, argv + optind + 1) != 0)
        return usage();
    signal(SIGPIPE, SIG_IGN);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
        bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
        listen(lfd, 128) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sin, &len) != 0) {
        perror("modrelay: listen");
        return 1;
    }
    printf("modrelay listening on 127.0.0.1:%u\n", ntohs(sin.sin_port));
    fflush(stdout);
    for (;;) {
        struct conn *c;
        pthread_t t;

        if ((fd = accept(lfd, NULL, NULL)) < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("modrelay: accept");
            return 1;
        }
        if ((c = calloc(1, sizeof(*c))) == NULL) {
            close(fd);
            continue;
        }
        c->id = id;
        c->fd[0] = fd;
        c->fd[1] = -1;
        pthread_mutex_init(&c->lock, NULL);
        op_for(id++, &c->op);
        if (pthread_create(&t, NULL, relay_conn, c) != 0) {
            close(fd);
            pthread_mutex_destroy(&c->lock);
            free(c);
            continue;
        }
        pthread_detach(t);
    }
}
