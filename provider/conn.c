/* sc_conn_*: the connection object, its record processing (SC1.md
 * sections 2 and 10) and application data. */
#include "conn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "deferred.h"
#include "handshake.h"
#include "keysched.h"
#include "msg.h"

#define OUTPUT_LIMIT (64 * 1024)

sc_conn *sc_conn_new(sc_ctx *ctx)
{
    sc_conn *c;

    if (ctx == NULL || (c = calloc(1, sizeof(*c))) == NULL)
        return NULL;
    sc_ctx_up_ref(ctx);
    c->ctx = ctx;
    c->role = ctx->role;
    c->suite = c->group = -1;
    c->alert_sent = c->alert_recv = -1;
    record_init(&c->rd);
    record_init(&c->wr);
    c->disclose_name = ctx->disclose_name;
    c->deferred_want = ctx->deferred_open;
    if ((ctx->server_name && (c->server_name = strdup(ctx->server_name)) == NULL)
        || (c->hs = calloc(1, sizeof(*c->hs))) == NULL
        || transcript_init(&c->hs->tr, &ctx->algs) != SC_OK
        || kdf_init(&c->hs->kdf, &ctx->algs) != SC_OK) {
        sc_conn_free(c);
        return NULL;
    }
    return c;
}

void sc_conn_free(sc_conn *c)
{
    if (c == NULL)
        return;
    record_clear(&c->rd);
    record_clear(&c->wr);
    buf_free(&c->in);
    buf_free(&c->out);
    buf_free(&c->app);
    handshake_state_free(c);
    sk_X509_pop_free(c->peer_chain, X509_free);
    free(c->server_name);
    testing_free(c);
    free(c->offer_suites);
    free(c->offer_groups);
    sc_ctx_free(c->ctx);
    OPENSSL_cleanse(c, sizeof(*c));
    free(c);
}

void sc_conn_set_step_cb(sc_conn *c, sc_step_cb cb, void *arg)
{
    c->step_cb = cb;
    c->step_arg = arg;
}

int sc_conn_set_server_name(sc_conn *c, const char *name, int disclose)
{
    char *copy = NULL;

    if (c == NULL || c->step > 0 || (name && strlen(name) > 255))
        return SC_ERR_ARG;
    if (name && (copy = strdup(name)) == NULL)
        return SC_ERR_NOMEM;
    free(c->server_name);
    c->server_name = copy;
    c->disclose_name = disclose;
    return SC_OK;
}

int conn_fail(sc_conn *c, int err, int alert, const char *fmt, ...)
{
    va_list ap;

    if (c->failed)
        return c->err;
    c->failed = 1;
    c->err = err;
    va_start(ap, fmt);
    vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
    va_end(ap);
    if (alert >= 0) {
        uint8_t code = (uint8_t)alert;
        /* Already failing: an alert that cannot be queued is not sent. */
        c->alert_sent =
            record_seal(&c->wr, REC_TYPE_ALERT, &code, 1, &c->out) == SC_OK ? alert : -1;
    }
    /* Nothing more will be opened: drop what is half-received. */
    buf_free(&c->in);
    return err;
}

int conn_send_record(sc_conn *c, uint8_t type, const uint8_t *body, size_t len)
{
    return record_seal(&c->wr, type, body, len, &c->out);
}

size_t conn_suites(const sc_conn *c, const uint16_t **codes)
{
    if (c->offer_suites) {
        *codes = c->offer_suites;
        return c->n_offer_suites;
    }
    *codes = c->ctx->suites;
    return c->ctx->n_suites;
}

size_t conn_groups(const sc_conn *c, const uint16_t **codes)
{
    if (c->offer_groups) {
        *codes = c->offer_groups;
        return c->n_offer_groups;
    }
    *codes = c->ctx->groups;
    return c->ctx->n_groups;
}

int sc_conn_start(sc_conn *c)
{
    if (c == NULL)
        return SC_ERR_ARG;
    if (c->failed)
        return c->err;
    if (c->role == SC_ROLE_SERVER) {
        if (c->ctx->chain == NULL || c->ctx->key == NULL)
            return SC_ERR_CONFIG;
        return SC_OK;
    }
    /* A client always checks a name (section 4.1) and needs anchors. */
    if (c->server_name == NULL || c->server_name[0] == '\0' || !c->ctx->have_trust)
        return SC_ERR_CONFIG;
    return handshake_start(c);
}

/* ---- Receiving. */

static int send_key_update(sc_conn *c, uint8_t request)
{
    int rc = conn_send_record(c, REC_TYPE_KEY_UPDATE, &request, 1);

    if (rc == SC_OK)
        rc = keysched_update(&c->ctx->algs, &c->wr, 1);
    if (rc == SC_OK && c->testing) {
        char name[16];
        record_name(&c->wr, name, sizeof(name));
        testing_record_traffic(c, name, &c->wr);
    }
    return rc == SC_OK ? rc : conn_fail(c, rc, -1, "key update failed");
}

static int on_alert(sc_conn *c, const uint8_t *body, size_t len)
{
    if (len != 1)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "alert length %zu", len);
    if (body[0] != SC_ALERT_CLOSE_NOTIFY) {
        c->alert_recv = body[0];
        return conn_fail(c, deferred_alert_error(c, body[0]), -1, "peer sent alert %s",
                         sc_alert_name(body[0]));
    }
    if (!handshake_done(c)) {
        c->alert_recv = 0;
        return conn_fail(c, SC_ERR_PEER_ALERT, -1, "close_notify before the handshake completed");
    }
    if (c->peer_closed)
        return conn_reject(c, SC_ALERT_UNEXPECTED_MESSAGE, "second close_notify");
    c->peer_closed = 1;
    c->alert_recv = 0;
    return SC_OK;
}

static int on_key_update(sc_conn *c, const uint8_t *body, size_t len)
{
    int rc;

    if (!handshake_done(c))
        return conn_reject(c, SC_ALERT_UNEXPECTED_MESSAGE,
                           "key_update before the handshake completed");
    if (len != 1)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "key update length %zu", len);
    if (body[0] > 1)
        return conn_reject(c, SC_ALERT_ILLEGAL_PARAMETER, "key update request %u", body[0]);
    if ((rc = keysched_update(&c->ctx->algs, &c->rd, 0)) != SC_OK)
        return conn_fail(c, rc, SC_ALERT_INTERNAL_ERROR, "key update failed");
    if (c->testing) {
        char name[16];
        record_name(&c->rd, name, sizeof(name));
        testing_record_traffic(c, name, &c->rd);
    }
    /* Section 4: answer a request, unless our direction is closed. One
     * update of our write secret answers every request that arrives before
     * it leaves, so a peer that floods requests and reads nothing queues
     * one reply, not one per request. */
    if (body[0] == 1 && !c->we_closed && !c->ku_reply_queued) {
        if ((rc = send_key_update(c, 0)) != SC_OK)
            return rc;
        c->ku_reply_queued = 1;
    }
    return SC_OK;
}

/* A record's body, opened or clear: dispatch on its type (section 10). */
static int on_record(sc_conn *c, uint8_t type, const uint8_t *body, size_t len)
{
    if (c->peer_closed && type != REC_TYPE_ALERT)
        return conn_reject(c, SC_ALERT_UNEXPECTED_MESSAGE, "record type 0x%02x after close_notify",
                           type);
    switch (type) {
    case REC_TYPE_ALERT:
        return on_alert(c, body, len);
    case REC_TYPE_KEY_UPDATE:
        return on_key_update(c, body, len);
    case REC_TYPE_APPDATA:
        if (!handshake_done(c))
            return conn_reject(c, SC_ALERT_UNEXPECTED_MESSAGE,
                               "application_data before the handshake completed");
        deferred_data_received(c);
        c->bytes_recv += len;
        return SC_OK;
    default:
        return handshake_receive(c, type, body, len);
    }
}

static int type_known(uint8_t type)
{
    return (type >= MSG_FIRST && type <= MSG_LAST) || type == REC_TYPE_ALERT
        || type == REC_TYPE_APPDATA || type == REC_TYPE_KEY_UPDATE;
}

/* Section 10, first the header alone: type, then length. */
static int check_header(sc_conn *c, const uint8_t hdr[REC_HDR_LEN], size_t *frag)
{
    size_t max = record_keyed(&c->rd) ? REC_MAX_CIPHER : REC_MAX_PLAIN;

    *frag = (size_t)hdr[1] << 8 | hdr[2];
    if (!type_known(hdr[0]))
        return conn_reject(c, SC_ALERT_UNEXPECTED_MESSAGE, "record type 0x%02x", hdr[0]);
    if (*frag > max)
        return conn_reject(c, SC_ALERT_RECORD_OVERFLOW, "record length %zu > %zu", *frag, max);
    return SC_OK;
}

static int open_record(sc_conn *c, const uint8_t *rec, size_t frag)
{
    uint8_t type = rec[0];
    uint8_t *pt;
    char name[16];
    int rc;

    record_name(&c->rd, name, sizeof(name));
    if (frag < SC_TAG_LEN) {
        if (type == REC_TYPE_ALERT)
            return conn_fail(
                c, SC_ERR_PROTOCOL, -1,
                "alert record cannot be opened: encrypted record shorter than the tag");
        return conn_reject(c, SC_ALERT_BAD_RECORD_MAC, "record shorter than the tag (%s seq %llu)",
                           name, (unsigned long long)c->rd.seq);
    }
    /* Opened application data lands in the caller's buffer when it fits
     * (sc_conn_feed_into), else where sc_conn_read takes it from; that
     * buffer is empty here (feeding stops while it holds data). */
    int direct = type == REC_TYPE_APPDATA && c->direct != NULL
        && frag - SC_TAG_LEN <= c->direct_cap - c->direct_len;
    if (direct)
        pt = c->direct + c->direct_len;
    else if ((pt = buf_reserve(&c->app, frag)) == NULL)
        return conn_fail(c, SC_ERR_NOMEM, SC_ALERT_INTERNAL_ERROR, "out of memory");
    if (record_open(&c->rd, rec, rec + REC_HDR_LEN, frag, pt) != 0) {
        if (!direct)
            buf_free(&c->app);
        if (type == REC_TYPE_ALERT)
            return conn_fail(c, SC_ERR_PROTOCOL, -1, "alert record cannot be opened (%s seq %llu)",
                             name, (unsigned long long)c->rd.seq);
        return conn_reject(c, SC_ALERT_BAD_RECORD_MAC, "record tag does not verify (%s seq %llu)",
                           name, (unsigned long long)c->rd.seq);
    }
    c->opened_any = 1;
    rc = on_record(c, type, pt, frag - SC_TAG_LEN);
    if (rc == SC_OK && direct)
        c->direct_len += frag - SC_TAG_LEN;
    else if (rc == SC_OK && type == REC_TYPE_APPDATA)
        buf_commit(&c->app, frag - SC_TAG_LEN);
    else if (buf_len(&c->app) == 0)
        buf_free(&c->app);
    return rc;
}

static int process_record(sc_conn *c, const uint8_t *rec, size_t frag)
{
    if (!record_keyed(&c->rd))
        return on_record(c, rec[0], rec + REC_HDR_LEN, frag);
    /* Section 2: a server that sent 2 and opened nothing yet takes a clear
     * one-byte alert: the client's rejection of 2. */
    if (c->role == SC_ROLE_SERVER && !c->opened_any && rec[0] == REC_TYPE_ALERT && frag == 1)
        return on_record(c, rec[0], rec + REC_HDR_LEN, frag);
    return open_record(c, rec, frag);
}

/* A record's outcome: every failure below ends the connection through
 * conn_fail; one that did not (a status passed up without it) ends it
 * here, so feeding never goes on past an error. */
static int record_done(sc_conn *c, int rc)
{
    if (rc != SC_OK && !c->failed)
        return conn_fail(c, rc, SC_ALERT_INTERNAL_ERROR, "record processing failed: %s",
                         sc_strerror(rc));
    return rc;
}

int sc_conn_feed(sc_conn *c, const uint8_t *in, size_t len, size_t *consumed)
{
    size_t used = 0, frag;
    int rc;

    *consumed = 0;
    if (c == NULL || (in == NULL && len > 0))
        return SC_ERR_ARG;
    /* Stop while decrypted data waits to be read, and while our own
     * output waits to be sent: a peer that sends and never reads must not
     * make us queue without bound (key-update replies, alerts). */
    while (!c->failed && buf_len(&c->app) == 0 && !sc_conn_output_full(c)) {
        size_t have = buf_len(&c->in), avail = len - used;

        if (have == 0 && avail >= REC_HDR_LEN) {
            /* Fast path: a whole record in the caller's bytes. */
            if (check_header(c, in + used, &frag) != SC_OK)
                break;
            if (avail >= REC_HDR_LEN + frag) {
                used += REC_HDR_LEN + frag;
                if (record_done(c, process_record(c, in + used - REC_HDR_LEN - frag, frag))
                    != SC_OK)
                    break;
                continue;
            }
        }
        if (avail == 0)
            break;
        /* Slow path: gather a partial record, header first. */
        size_t want = REC_HDR_LEN;
        if (have >= REC_HDR_LEN)
            want += ((size_t)buf_data(&c->in)[1] << 8) | buf_data(&c->in)[2];
        size_t take = want - have < avail ? want - have : avail;
        if (buf_put(&c->in, in + used, take) != SC_OK
            && conn_fail(c, SC_ERR_NOMEM, SC_ALERT_INTERNAL_ERROR, "out of memory") != SC_OK)
            break;
        used += take;
        have += take;
        if (have == REC_HDR_LEN && want == REC_HDR_LEN) {
            if (check_header(c, buf_data(&c->in), &frag) != SC_OK)
                break;
            want += frag;
            (void)buf_reserve(&c->in, frag); /* one allocation per record */
        }
        if (have == want) {
            sc_buf rec = c->in;
            memset(&c->in, 0, sizeof(c->in));
            rc = record_done(c, process_record(c, buf_data(&rec), want - REC_HDR_LEN));
            buf_free(&rec);
            if (rc != SC_OK)
                break;
        }
    }
    *consumed = used;
    return c->failed ? c->err : SC_OK;
}

int sc_conn_feed_into(sc_conn *c, const uint8_t *in, size_t len, size_t *consumed, uint8_t *out,
                      size_t cap, size_t *n)
{
    int rc;

    *consumed = *n = 0;
    if (c == NULL || out == NULL)
        return SC_ERR_ARG;
    /* Data already opened goes first, to keep the order. */
    if (buf_len(&c->app) > 0) {
        rc = sc_conn_read(c, out, cap, n);
        if (rc != SC_OK || buf_len(&c->app) > 0)
            return rc;
    }
    c->direct = out;
    c->direct_cap = cap;
    c->direct_len = *n;
    rc = sc_conn_feed(c, in, len, consumed);
    *n = c->direct_len;
    c->direct = NULL;
    return rc;
}

int sc_conn_feed_eof(sc_conn *c)
{
    if (c == NULL)
        return SC_ERR_ARG;
    if (c->failed)
        return c->err;
    if (c->peer_closed && buf_len(&c->in) == 0)
        return SC_OK;
    return conn_fail(c, SC_ERR_TRUNCATED, -1, "truncation: end of stream without close_notify%s",
                     buf_len(&c->in) ? " (partial record)" : "");
}

/* ---- Sending. */

const uint8_t *sc_conn_output(sc_conn *c, size_t *len)
{
    *len = buf_len(&c->out);
    return buf_data(&c->out);
}

/* Output leaves the engine here: a queued key-update reply has left too
 * once the buffer is empty. */
static void output_consumed(sc_conn *c, size_t n)
{
    buf_consume(&c->out, n);
    if (buf_len(&c->out) == 0)
        c->ku_reply_queued = 0;
}

void sc_conn_output_consume(sc_conn *c, size_t n)
{
    output_consumed(c, n);
}

size_t sc_conn_take_output(sc_conn *c, uint8_t *out, size_t cap)
{
    size_t n = buf_len(&c->out) < cap ? buf_len(&c->out) : cap;

    if (n) {
        memcpy(out, buf_data(&c->out), n);
        output_consumed(c, n);
    }
    return n;
}

size_t sc_conn_output_limit(const sc_conn *c)
{
    (void)c;
    return OUTPUT_LIMIT;
}

int sc_conn_output_full(const sc_conn *c)
{
    return c != NULL && buf_len(&c->out) >= OUTPUT_LIMIT;
}

/* Section 4, key update: keep every secret under its byte and record
 * limits, the update record itself included: a secret seals at most
 * ku_bytes - 1 bytes of data, and its last byte is the update's. Returns
 * how many of the next `want` bytes the current secret may still seal,
 * after updating it if it is spent. */
static int rekey_if_due(sc_conn *c, size_t want, size_t *allowed)
{
    uint64_t max_rec = c->ctx->ku_records, room;
    int rc;

    if (algs_suites[c->suite].max_records < max_rec)
        max_rec = algs_suites[c->suite].max_records;
    if (c->wr.bytes + 1 >= c->ctx->ku_bytes || c->wr.seq + 2 > max_rec)
        if ((rc = send_key_update(c, 0)) != SC_OK)
            return rc;
    room = c->ctx->ku_bytes - 1 - c->wr.bytes;
    *allowed = room < want ? (size_t)room : want;
    return SC_OK;
}

static int check_writable(const sc_conn *c)
{
    if (c == NULL)
        return SC_ERR_ARG;
    if (c->failed)
        return c->err;
    if (!handshake_done(c))
        return SC_ERR_STATE;
    if (c->we_closed)
        return SC_ERR_CLOSED;
    return SC_OK;
}

/* Application data: also not before a deferred server session opened. */
static int check_data_writable(const sc_conn *c)
{
    int rc = check_writable(c);

    return rc == SC_OK && !deferred_may_seal_data(c) ? SC_ERR_STATE : rc;
}

int sc_conn_write(sc_conn *c, const uint8_t *data, size_t len, size_t *consumed)
{
    int rc = check_data_writable(c);

    *consumed = 0;
    if (rc != SC_OK)
        return rc;
    while (*consumed < len && buf_len(&c->out) < OUTPUT_LIMIT) {
        size_t n = len - *consumed < REC_MAX_PLAIN ? len - *consumed : REC_MAX_PLAIN;
        if ((rc = rekey_if_due(c, n, &n)) != SC_OK)
            return rc;
        if ((rc = conn_send_record(c, REC_TYPE_APPDATA, data + *consumed, n)) != SC_OK)
            return conn_fail(c, rc, -1, "cannot seal application data: %s", sc_strerror(rc));
        *consumed += n;
        c->bytes_sent += n;
        deferred_data_sent(c);
    }
    return SC_OK;
}

size_t sc_conn_sealed_size(size_t len)
{
    size_t records = len / REC_MAX_PLAIN + (len % REC_MAX_PLAIN != 0);

    /* Plus one key update record that may have to come first. */
    return len + records * (REC_HDR_LEN + SC_TAG_LEN) + REC_HDR_LEN + 1 + SC_TAG_LEN;
}

/* Move pending engine output (handshake, alerts, key updates) into out. */
static size_t move_output(sc_conn *c, uint8_t *out, size_t cap)
{
    return sc_conn_take_output(c, out, cap);
}

int sc_conn_write_into(sc_conn *c, const uint8_t *data, size_t len, size_t *consumed, uint8_t *out,
                       size_t cap, size_t *written)
{
    int rc = check_data_writable(c);

    *consumed = *written = 0;
    if (rc != SC_OK)
        return rc;
    if (out == NULL || (data == NULL && len))
        return SC_ERR_ARG;
    *written = move_output(c, out, cap);
    while (*consumed < len && buf_len(&c->out) == 0) {
        size_t n = len - *consumed < REC_MAX_PLAIN ? len - *consumed : REC_MAX_PLAIN;
        if ((rc = rekey_if_due(c, n, &n)) != SC_OK)
            return rc;
        *written += move_output(c, out + *written, cap - *written);
        if (buf_len(&c->out) > 0)
            break; /* the key update did not fit: send what we have */
        size_t room = cap - *written;
        if (room < record_sealed_len(&c->wr, 1))
            break;
        if (record_sealed_len(&c->wr, n) > room)
            n = room - record_sealed_len(&c->wr, 0);
        if ((rc = record_seal_to(&c->wr, REC_TYPE_APPDATA, data + *consumed, n, out + *written))
            != SC_OK)
            return conn_fail(c, rc, -1, "cannot seal application data: %s", sc_strerror(rc));
        *written += record_sealed_len(&c->wr, n);
        *consumed += n;
        c->bytes_sent += n;
        deferred_data_sent(c);
    }
    return SC_OK;
}

int sc_conn_read(sc_conn *c, uint8_t *out, size_t cap, size_t *n)
{
    size_t have;

    *n = 0;
    if (c == NULL)
        return SC_ERR_ARG;
    have = buf_len(&c->app);
    if (have > 0) {
        *n = have < cap ? have : cap;
        memcpy(out, buf_data(&c->app), *n);
        buf_consume(&c->app, *n);
        return SC_OK;
    }
    if (c->failed)
        return c->err;
    return c->peer_closed ? SC_ERR_CLOSED : SC_OK;
}

size_t sc_conn_pending_read(const sc_conn *c)
{
    return buf_len(&c->app);
}

int sc_conn_close(sc_conn *c)
{
    uint8_t code = SC_ALERT_CLOSE_NOTIFY;
    int rc;

    if (c == NULL)
        return SC_ERR_ARG;
    if (c->failed)
        return c->err;
    if (c->we_closed)
        return SC_OK;
    if (!handshake_done(c))
        return conn_fail(c, SC_ERR_CLOSED, SC_ALERT_CLOSE_NOTIFY,
                         "closed before the handshake completed");
    if ((rc = conn_send_record(c, REC_TYPE_ALERT, &code, 1)) != SC_OK)
        return conn_fail(c, rc, -1, "cannot send close_notify");
    c->we_closed = 1;
    return SC_OK;
}

int sc_conn_key_update(sc_conn *c, int request)
{
    int rc = check_writable(c);

    if (rc != SC_OK)
        return rc;
    if (request != 0 && request != 1)
        return SC_ERR_ARG;
    return send_key_update(c, (uint8_t)request);
}

/* ---- Queries. */

sc_state sc_conn_state(const sc_conn *c)
{
    if (c->failed)
        return SC_STATE_FAILED;
    if (c->peer_closed && c->we_closed)
        return SC_STATE_CLOSED;
    return handshake_done(c) ? SC_STATE_OPEN : SC_STATE_HANDSHAKE;
}

int sc_conn_handshake_done(const sc_conn *c)
{
    return handshake_done(c);
}
int sc_conn_can_write(const sc_conn *c)
{
    return check_writable(c) == SC_OK;
}
int sc_conn_peer_closed(const sc_conn *c)
{
    return c->peer_closed;
}
int sc_conn_write_closed(const sc_conn *c)
{
    return c->we_closed;
}
int sc_conn_last_step(const sc_conn *c)
{
    return c->step;
}
sc_role sc_conn_role(const sc_conn *c)
{
    return c->role;
}
int sc_conn_error(const sc_conn *c)
{
    return c->failed ? c->err : SC_OK;
}
const char *sc_conn_error_detail(const sc_conn *c)
{
    return c->failed ? c->detail : "";
}
int sc_conn_alert_sent(const sc_conn *c)
{
    return c->alert_sent;
}
int sc_conn_alert_received(const sc_conn *c)
{
    return c->alert_recv;
}
uint64_t sc_conn_bytes_sent(const sc_conn *c)
{
    return c->bytes_sent;
}
uint64_t sc_conn_bytes_received(const sc_conn *c)
{
    return c->bytes_recv;
}

const char *sc_conn_suite(const sc_conn *c)
{
    return c->suite >= 0 ? algs_suites[c->suite].name : NULL;
}

const char *sc_conn_group(const sc_conn *c)
{
    return c->group >= 0 ? kx_groups[c->group].name : NULL;
}

X509 *sc_conn_peer_cert(const sc_conn *c)
{
    return c->peer_chain ? sk_X509_value(c->peer_chain, 0) : NULL;
}

const char *sc_conn_peer_identity(const sc_conn *c)
{
    return c->identity;
}

const char *sc_conn_server_name(const sc_conn *c)
{
    return c->name_sent;
}
