/*
 * socketpair_demo: an SC1 client and server in one process, talking
 * over a socketpair(2). The engines never touch the sockets: this
 * program moves their output to the socket and what it reads from the
 * socket into them.
 *
 * usage: socketpair_demo ca.pem server.pem server.key
 *                        client.pem client.key [server-name]
 *
 * It prints the twelve handshake steps as each side sends and receives
 * them, the negotiated suite and group, each peer's identity, then sends
 * "hello server", reads the echo and closes both directions cleanly.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sovchain.h>

#define GREETING "hello server"

struct side {
    const char *name;        /* "client" or "server", for the log */
    int fd;
    sc_conn *conn;
    unsigned char in[32768]; /* read from the socket, not yet fed */
    size_t in_len;
    int announced;           /* handshake result printed */
    int greeted;             /* client: greeting written */
    char echo[64];           /* client: echo received so far */
    size_t echo_len;
    int shut;                /* our direction shut down on the socket */
    int eof;                 /* recv() saw the end of the peer's stream */
    int eof_fed;             /* ... and the engine was told */
};

static void on_step(void *arg, int step, const char *name, int sent)
{
    const struct side *s = arg;

    printf("%s: %s %d %s\n", s->name, sent ? "sent" : "received", step,
           name);
}

static int fail(const struct side *s, const char *what, int rc)
{
    int sent = sc_conn_alert_sent(s->conn);
    int received = sc_conn_alert_received(s->conn);

    fprintf(stderr, "%s: %s: %s", s->name, what, sc_strerror(rc));
    if (sc_conn_error(s->conn) != SC_OK)
        fprintf(stderr, " (%s)", sc_conn_error_detail(s->conn));
    if (sent >= 0)
        fprintf(stderr, ", sent alert %s", sc_alert_name(sent));
    if (received >= 0)
        fprintf(stderr, ", received alert %s", sc_alert_name(received));
    fprintf(stderr, "\n");
    return -1;
}

/* Write all of buf as application data. */
static int write_all(struct side *s, const char *buf, size_t len)
{
    const uint8_t *p = (const uint8_t *)buf;
    size_t done = 0, n;
    int rc;

    while (done < len) {
        rc = sc_conn_write(s->conn, p + done, len - done, &n);
        if (rc != SC_OK)
            return fail(s, "write", rc);
        if (n == 0) /* output full: cannot happen with these sizes */
            return fail(s, "write", SC_ERR_LIMIT);
        done += n;
    }
    return 0;
}

/* What the application does once the handshake is done. */
static int application(struct side *s)
{
    int client = sc_conn_role(s->conn) == SC_ROLE_CLIENT;
    char buf[4096];
    size_t n;
    int rc;

    if (!sc_conn_handshake_done(s->conn))
        return 0;
    if (!s->announced) {
        const char *who = sc_conn_peer_identity(s->conn);

        s->announced = 1;
        printf("%s: handshake done: suite %s, group %s\n", s->name,
               sc_conn_suite(s->conn), sc_conn_group(s->conn));
        printf("%s: peer identity %s\n", s->name,
               who[0] ? who : "(none)");
    }
    if (client && !s->greeted) {
        s->greeted = 1;
        printf("client: sending \"%s\"\n", GREETING);
        if (write_all(s, GREETING, strlen(GREETING)) != 0)
            return -1;
    }
    for (;;) {
        rc = sc_conn_read(s->conn, (uint8_t *)buf, sizeof(buf), &n);
        if (rc == SC_ERR_CLOSED) {
            /* The peer half-closed: close our direction too. */
            if (sc_conn_write_closed(s->conn))
                return 0;
            if ((rc = sc_conn_close(s->conn)) != SC_OK)
                return fail(s, "close", rc);
            return 0;
        }
        if (rc != SC_OK)
            return fail(s, "read", rc);
        if (n == 0)
            return 0;
        if (!client) {
            printf("server: echoing %zu bytes\n", n);
            if (write_all(s, buf, n) != 0)
                return -1;
            continue;
        }
        if (n > sizeof(s->echo) - 1 - s->echo_len) {
            fprintf(stderr, "client: echo longer than expected\n");
            return -1;
        }
        memcpy(s->echo + s->echo_len, buf, n);
        s->echo_len += n;
        if (s->echo_len == strlen(GREETING)) {
            s->echo[s->echo_len] = '\0';
            printf("client: received echo \"%s\"\n", s->echo);
            if ((rc = sc_conn_close(s->conn)) != SC_OK)
                return fail(s, "close", rc);
        }
    }
}

/*
 * One round for one side: send the engine's output, read the socket,
 * feed the engine. Sets *progress when anything moved.
 * Returns -1 on failure.
 */
static int pump(struct side *s, int *progress)
{
    const uint8_t *out;
    size_t len, used;
    ssize_t n;
    int rc;

    while ((out = sc_conn_output(s->conn, &len)) != NULL && len > 0) {
        n = send(s->fd, out, len, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0) {
            perror("send");
            return -1;
        }
        sc_conn_output_consume(s->conn, (size_t)n);
        *progress = 1;
    }
    if (sc_conn_state(s->conn) == SC_STATE_FAILED)
        return fail(s, "connection failed", sc_conn_error(s->conn));
    /* Once our close_notify is on the wire, end our half of the
     * stream. */
    if (sc_conn_write_closed(s->conn) && len == 0 && !s->shut) {
        shutdown(s->fd, SHUT_WR);
        s->shut = 1;
        *progress = 1;
    }
    if (!s->eof && s->in_len < sizeof(s->in)) {
        n = recv(s->fd, s->in + s->in_len, sizeof(s->in) - s->in_len, 0);
        if (n > 0) {
            s->in_len += (size_t)n;
            *progress = 1;
        } else if (n == 0) {
            s->eof = 1;
            *progress = 1;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
            perror("recv");
            return -1;
        }
    }
    /* Feeding stops while decrypted data waits: let the application
     * read it, then feed the rest. */
    do {
        rc = sc_conn_feed(s->conn, s->in, s->in_len, &used);
        memmove(s->in, s->in + used, s->in_len - used);
        s->in_len -= used;
        if (rc != SC_OK)
            return fail(s, "feed", rc);
        if (application(s) != 0)
            return -1;
    } while (used > 0 && s->in_len > 0);
    if (s->eof && s->in_len == 0 && !s->eof_fed) {
        /* SC_OK only after the peer's close_notify; else truncation. */
        if ((rc = sc_conn_feed_eof(s->conn)) != SC_OK)
            return fail(s, "end of stream", rc);
        s->eof_fed = 1;
    }
    return 0;
}

static int setup_ctx(sc_ctx *ctx, const char *ca, const char *cert,
                     const char *key)
{
    int rc;

    if ((rc = sc_ctx_load_cert_chain(ctx, cert)) != SC_OK
        || (rc = sc_ctx_load_private_key(ctx, key, NULL)) != SC_OK
        || (rc = sc_ctx_load_trust(ctx, ca, NULL)) != SC_OK)
        return rc;
    return SC_OK;
}

int main(int argc, char **argv)
{
    struct side client = { .name = "client" };
    struct side server = { .name = "server" };
    sc_ctx *cctx = NULL, *sctx = NULL;
    const char *name = argc > 6 ? argv[6] : "server.test";
    int fds[2] = { -1, -1 }, err, rc, ret = 1;

    if (argc < 6 || argc > 7) {
        fprintf(stderr, "usage: %s ca.pem server.pem server.key"
                " client.pem client.key [server-name]\n", argv[0]);
        return 2;
    }
    sctx = sc_ctx_new(NULL, NULL, SC_ROLE_SERVER, &err);
    if (sctx != NULL)
        cctx = sc_ctx_new(NULL, NULL, SC_ROLE_CLIENT, &err);
    if (cctx == NULL) {
        fprintf(stderr, "sc_ctx_new: %s\n", sc_strerror(err));
        goto out;
    }
    if ((rc = setup_ctx(sctx, argv[1], argv[2], argv[3])) != SC_OK
        || (rc = sc_ctx_set_verify_mode(sctx, SC_VERIFY_REQUIRED))
               != SC_OK) {
        fprintf(stderr, "server credentials: %s\n", sc_strerror(rc));
        goto out;
    }
    if ((rc = setup_ctx(cctx, argv[1], argv[4], argv[5])) != SC_OK
        || (rc = sc_ctx_set_server_name(cctx, name, 1)) != SC_OK) {
        fprintf(stderr, "client credentials: %s\n", sc_strerror(rc));
        goto out;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) {
        perror("socketpair");
        goto out;
    }
    client.fd = fds[0];
    server.fd = fds[1];
    if (fcntl(client.fd, F_SETFL, O_NONBLOCK) != 0
        || fcntl(server.fd, F_SETFL, O_NONBLOCK) != 0) {
        perror("fcntl");
        goto out;
    }
    /* Each connection holds a reference on its context. */
    client.conn = sc_conn_new(cctx);
    server.conn = sc_conn_new(sctx);
    if (client.conn == NULL || server.conn == NULL) {
        fprintf(stderr, "sc_conn_new: %s\n", sc_strerror(SC_ERR_NOMEM));
        goto out;
    }
    sc_conn_set_step_cb(client.conn, on_step, &client);
    sc_conn_set_step_cb(server.conn, on_step, &server);
    if ((rc = sc_conn_start(server.conn)) != SC_OK
        || (rc = sc_conn_start(client.conn)) != SC_OK) {
        fprintf(stderr, "sc_conn_start: %s\n", sc_strerror(rc));
        goto out;
    }
    /* Both ends live in this process, so a round in which neither side
     * moved a byte means each waits for the other: stop, do not spin. */
    while (!client.eof_fed || !server.eof_fed) {
        int progress = 0;

        if (pump(&client, &progress) != 0
            || pump(&server, &progress) != 0)
            goto out;
        if (!progress) {
            fprintf(stderr, "stalled: neither side can make progress\n");
            goto out;
        }
    }
    if (sc_conn_state(client.conn) != SC_STATE_CLOSED
        || sc_conn_state(server.conn) != SC_STATE_CLOSED) {
        fprintf(stderr, "connections did not close cleanly\n");
        goto out;
    }
    printf("client: sent %llu bytes, received %llu bytes, closed\n",
           (unsigned long long)sc_conn_bytes_sent(client.conn),
           (unsigned long long)sc_conn_bytes_received(client.conn));
    ret = 0;
out:
    sc_conn_free(client.conn);
    sc_conn_free(server.conn);
    sc_ctx_free(cctx);
    sc_ctx_free(sctx);
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    return ret;
}
