/* Runs one in-memory SC1 handshake between a client and a server configured
 * from files, then exchanges a line each way. Prints "ok SUITE GROUP
 * client=ID server=ID" or "fail: <side> sent <alert>: <detail>" and exits
 * 0 / 1 (2 for bad usage or files). For scripts testing certificates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>

#include "sovchain.h"

struct opts {
    const char *server_cert, *server_key, *client_cert, *client_key;
    const char *ca, *crl, *name;
    int mode;
    long repeat;
};

static sc_ctx *make_ctx(sc_role role, const struct opts *o)
{
    const char *cert = role == SC_ROLE_SERVER ? o->server_cert : o->client_cert;
    const char *key = role == SC_ROLE_SERVER ? o->server_key : o->client_key;
    int err = SC_OK;
    sc_ctx *ctx = sc_ctx_new(NULL, NULL, role, &err);

    if (ctx == NULL) {
        fprintf(stderr, "handshake_check: context: %s\n", sc_strerror(err));
        return NULL;
    }
    if ((cert && (err = sc_ctx_load_cert_chain(ctx, cert)) != SC_OK)
        || (key && (err = sc_ctx_load_private_key(ctx, key, NULL)) != SC_OK)
        || (err = sc_ctx_load_trust(ctx, o->ca, NULL)) != SC_OK
        || (o->crl && (err = sc_ctx_load_crl(ctx, o->crl)) != SC_OK)
        || (role == SC_ROLE_SERVER && (err = sc_ctx_set_verify_mode(ctx, o->mode)) != SC_OK)
        || (role == SC_ROLE_CLIENT && (err = sc_ctx_set_server_name(ctx, o->name, 1)) != SC_OK)) {
        fprintf(stderr, "handshake_check: %s side: %s\n",
                role == SC_ROLE_SERVER ? "server" : "client", sc_strerror(err));
        sc_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

/* Move everything one side has to send into the other. */
static int pump(sc_conn *from, sc_conn *to)
{
    size_t len, used;
    const uint8_t *p = sc_conn_output(from, &len);
    int moved = len > 0;

    while (len > 0) {
        if (sc_conn_feed(to, p, len, &used) != SC_OK) {
            sc_conn_output_consume(from, len);   /* the receiver is gone */
            break;
        }
        sc_conn_output_consume(from, used);
        p = sc_conn_output(from, &len);
        if (used == 0) {
            uint8_t sink[16384];
            size_t n;
            if (sc_conn_read(to, sink, sizeof(sink), &n) != SC_OK || n == 0)
                break;
        }
    }
    return moved;
}

static int report_failure(sc_conn *c, sc_conn *s)
{
    sc_conn *failed = sc_conn_state(c) == SC_STATE_FAILED && sc_conn_alert_sent(c) >= 0 ? c
        : sc_conn_state(s) == SC_STATE_FAILED && sc_conn_alert_sent(s) >= 0 ? s
        : sc_conn_state(c) == SC_STATE_FAILED ? c : s;
    const char *side = failed == c ? "client" : "server";

    if (sc_conn_alert_sent(failed) >= 0)
        printf("fail: %s sent %s: %s\n", side, sc_alert_name(sc_conn_alert_sent(failed)),
               sc_conn_error_detail(failed));
    else
        printf("fail: %s: %s\n", side, sc_conn_error_detail(failed));
    return 1;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "server-cert", required_argument, NULL, 'a' },
        { "server-key", required_argument, NULL, 'b' },
        { "client-cert", required_argument, NULL, 'c' },
        { "client-key", required_argument, NULL, 'd' },
        { "ca", required_argument, NULL, 'e' },
        { "crl", required_argument, NULL, 'f' },
        { "name", required_argument, NULL, 'g' },
        { "verify", required_argument, NULL, 'h' },
        { "repeat", required_argument, NULL, 'i' },
        { NULL, 0, NULL, 0 },
    };
    struct opts o = { .mode = SC_VERIFY_REQUIRED, .repeat = 1 };
    sc_ctx *cctx = NULL, *sctx = NULL;
    sc_conn *c = NULL, *s = NULL;
    int ch, rc = 2;

    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'a': o.server_cert = optarg; break;
        case 'b': o.server_key = optarg; break;
        case 'c': o.client_cert = optarg; break;
        case 'd': o.client_key = optarg; break;
        case 'e': o.ca = optarg; break;
        case 'f': o.crl = optarg; break;
        case 'g': o.name = optarg; break;
        case 'h': o.mode = atoi(optarg); break;
        case 'i': o.repeat = atol(optarg); break;
        default: return 2;
        }
    }
    if (!o.server_cert || !o.server_key || !o.ca || !o.name) {
        fprintf(stderr, "usage: handshake_check --server-cert F --server-key F "
                "[--client-cert F --client-key F] --ca F [--crl F] --name NAME [--verify 0|1|2] [--repeat N]\n");
        return 2;
    }
    if ((sctx = make_ctx(SC_ROLE_SERVER, &o)) == NULL || (cctx = make_ctx(SC_ROLE_CLIENT, &o)) == NULL)
        goto out;
    /* --repeat N: N handshakes over the same contexts (for profiling). */
    for (long i = 0; i < o.repeat; i++) {
        sc_conn_free(c);
        sc_conn_free(s);
        if ((c = sc_conn_new(cctx)) == NULL || (s = sc_conn_new(sctx)) == NULL
            || sc_conn_start(c) != SC_OK || sc_conn_start(s) != SC_OK)
            goto out;
        while (pump(c, s) | pump(s, c))
            ;
    }
    rc = 1;
    if (!sc_conn_handshake_done(c) || !sc_conn_handshake_done(s)) {
        report_failure(c, s);
        goto out;
    }
    printf("ok %s %s client=%s server=%s\n", sc_conn_suite(c), sc_conn_group(c),
           sc_conn_peer_identity(s)[0] ? sc_conn_peer_identity(s) : "(none)",
           sc_conn_peer_identity(c));
    rc = 0;
out:
    sc_conn_free(c);
    sc_conn_free(s);
    sc_ctx_free(cctx);
    sc_ctx_free(sctx);
    return rc;
}
