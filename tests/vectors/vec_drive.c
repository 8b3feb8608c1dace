/*
 * Playing one role of a known-answer case (see vec_drive.h).
 *
 * The vectors list every record in wire order, so the order itself says
 * when each of our records must have left: before the next peer record is
 * fed (section 1: a party answers a flight before it gets the next one) and
 * right after the script step that makes it. Output arriving in between is
 * compared as it comes, so a wrong byte is reported with the record it
 * belongs to.
 */
#include "vec_drive.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sovchain_testing.h"

const char *vec_role_name(int is_server)
{
    return is_server ? "server" : "client";
}

const char *vec_mode_name(vec_feed_mode mode)
{
    switch (mode) {
    case VEC_FEED_RECORD: return "record";
    case VEC_FEED_BYTE:   return "byte";
    case VEC_FEED_FLIGHT: return "flight";
    }
    return "?";
}

void vec_fail(vec_run *r, const char *fmt, ...)
{
    va_list ap;

    r->failed = 1;
    printf("  %s: ", r->tag);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

void vec_print_hex(const vec_run *r, const char *what, const uint8_t *p,
                   size_t n)
{
    char *h = vec_hex(p, n);

    printf("  %s:     %-9s %s%s(%zu bytes)\n", r->tag, what,
           h != NULL ? h : "?", n > 0 ? " " : "", n);
    free(h);
    fflush(stdout);
}

void vec_describe_record(const vec_record *rec, char *out, size_t outlen)
{
    if (rec->seq >= 0)
        snprintf(out, outlen, "record %zu (%s %s, %s seq %ld)", rec->index,
                 rec->c2s ? "c2s" : "s2c", rec->type_name, rec->key,
                 rec->seq);
    else
        snprintf(out, outlen, "record %zu (%s %s, %s)", rec->index,
                 rec->c2s ? "c2s" : "s2c", rec->type_name, rec->key);
}

void vec_print_engine_state(vec_run *r)
{
    const char *detail = sc_conn_error_detail(r->conn);
    int err = sc_conn_error(r->conn);

    printf("  %s:     engine: state %d, error %d (%s), detail \"%s\", "
           "alert sent %d, alert received %d, last step %d\n", r->tag,
           (int)sc_conn_state(r->conn), err, sc_strerror(err),
           detail != NULL ? detail : "(null)", sc_conn_alert_sent(r->conn),
           sc_conn_alert_received(r->conn), sc_conn_last_step(r->conn));
    fflush(stdout);
}

static int is_own(const vec_run *r, size_t i)
{
    return r->vc->records[i].c2s != r->is_server;
}

static size_t next_own(const vec_run *r, size_t from)
{
    while (from < r->vc->n_records && !is_own(r, from))
        from++;
    return from;
}

/* ---- output */

static int compare_output(vec_run *r, const uint8_t *out, size_t len)
{
    char desc[160];

    while (len > 0) {
        const vec_record *rec;
        size_t left, k, i;

        if (r->own_rec >= r->vc->n_records) {
            vec_fail(r, "unexpected output %s: %zu bytes after our last "
                     "record", r->step, len);
            vec_print_hex(r, "got", out, len);
            return -1;
        }
        rec = &r->vc->records[r->own_rec];
        left = rec->wire.n - r->own_off;
        k = len < left ? len : left;
        if (memcmp(out, rec->wire.p + r->own_off, k) != 0) {
            uint8_t *got;
            size_t got_n = r->own_off + k;

            for (i = 0; out[i] == rec->wire.p[r->own_off + i]; i++)
                ;
            vec_describe_record(rec, desc, sizeof(desc));
            vec_fail(r, "%s differs at byte %zu (output %s)", desc,
                     r->own_off + i, r->step);
            got = malloc(got_n + 1);
            if (got != NULL) {
                memcpy(got, rec->wire.p, r->own_off);
                memcpy(got + r->own_off, out, k);
                vec_print_hex(r, "expected", rec->wire.p, rec->wire.n);
                vec_print_hex(r, "got", got, got_n);
                free(got);
            }
            if (len > k)
                printf("  %s:     (then %zu more bytes of output)\n", r->tag,
                       len - k);
            vec_print_engine_state(r);
            return -1;
        }
        r->own_off += k;
        out += k;
        len -= k;
        if (r->own_off == rec->wire.n) {
            r->own_off = 0;
            r->own_rec = next_own(r, r->own_rec + 1);
        }
    }
    return 0;
}

int vec_run_collect(vec_run *r)
{
    size_t len = 0;
    const uint8_t *out = sc_conn_output(r->conn, &len);
    int rc = 0;

    if (len == 0)
        return 0;
    if (out == NULL) {
        vec_fail(r, "sc_conn_output returned NULL with length %zu %s", len,
                 r->step);
        return -1;
    }
    if (r->capture) {
        uint8_t *grown = realloc(r->cap, r->cap_len + len);

        if (grown == NULL) {
            vec_fail(r, "out of memory");
            return -1;
        }
        r->cap = grown;
        memcpy(r->cap + r->cap_len, out, len);
        r->cap_len += len;
    } else {
        rc = compare_output(r, out, len);
    }
    sc_conn_output_consume(r->conn, len);
    return rc;
}

/* All our records before `upto` must have been output by now. */
static int sync_own(vec_run *r, size_t upto)
{
    char desc[160];

    if (r->own_rec >= upto)
        return 0;
    vec_describe_record(&r->vc->records[r->own_rec], desc, sizeof(desc));
    if (upto < r->vc->n_records)
        vec_fail(r, "%s was not output before record %zu is fed (last: %s; "
                 "got %zu of its %zu bytes)", desc, upto, r->step,
                 r->own_off, r->vc->records[r->own_rec].wire.n);
    else
        vec_fail(r, "%s was never output (last: %s; got %zu of its %zu "
                 "bytes)", desc, r->step, r->own_off,
                 r->vc->records[r->own_rec].wire.n);
    vec_print_hex(r, "expected", r->vc->records[r->own_rec].wire.p,
                  r->vc->records[r->own_rec].wire.n);
    vec_print_engine_state(r);
    return -1;
}

/* ---- application data in */

static const char *rx_step_name(const vec_run *r, size_t off)
{
    size_t i, pos = 0;

    for (i = 0; i < r->vc->n_script; i++) {
        const vec_action *a = &r->vc->script[i];

        if (a->kind != VEC_ACT_DATA || a->c2s != r->is_server)
            continue;
        if (off < pos + a->data.n)
            return a->action;
        pos += a->data.n;
    }
    return "(beyond the script)";
}

static int read_data(vec_run *r)
{
    uint8_t buf[4096];

    for (;;) {
        size_t n = 0;
        int rc;

        if (!sc_conn_handshake_done(r->conn) &&
            sc_conn_pending_read(r->conn) == 0)
            return 0;
        if (sc_conn_state(r->conn) == SC_STATE_FAILED)
            return 0;
        rc = sc_conn_read(r->conn, buf, sizeof(buf), &n);
        if (rc == SC_ERR_CLOSED) {
            r->peer_closed = 1;
            return 0;
        }
        if (rc != SC_OK) {
            if (r->capture)
                return 0;
            vec_fail(r, "sc_conn_read: %d (%s) %s", rc, sc_strerror(rc),
                     r->step);
            vec_print_engine_state(r);
            return -1;
        }
        if (n == 0)
            return 0;
        if (n > sizeof(buf)) {
            vec_fail(r, "sc_conn_read set n=%zu > cap %zu", n, sizeof(buf));
            return -1;
        }
        if (r->rx_len + n > r->rx_expect_len ||
            memcmp(buf, r->rx_expect + r->rx_len, n) != 0) {
            size_t i = 0, cmp = r->rx_expect_len - r->rx_len;

            if (cmp > n)
                cmp = n;
            while (i < cmp && buf[i] == r->rx_expect[r->rx_len + i])
                i++;
            vec_fail(r, "application data read %s differs at byte %zu of "
                     "the peer's data (script step \"%s\")", r->step,
                     r->rx_len + i, rx_step_name(r, r->rx_len + i));
            vec_print_hex(r, "expected", r->rx_expect + r->rx_len,
                          r->rx_expect_len - r->rx_len < n
                              ? r->rx_expect_len - r->rx_len : n);
            vec_print_hex(r, "got", buf, n);
            return -1;
        }
        memcpy(r->rx + r->rx_len, buf, n);
        r->rx_len += n;
    }
}

/* ---- feeding */

int vec_run_feed(vec_run *r, const uint8_t *p, size_t n)
{
    while (n > 0) {
        size_t consumed = 0, before = r->rx_len;
        int rc = sc_conn_feed(r->conn, p, n, &consumed);

        if (consumed > n) {
            vec_fail(r, "sc_conn_feed consumed %zu of %zu bytes", consumed,
                     n);
            return VEC_RUN_STALLED;
        }
        p += consumed;
        n -= consumed;
        if (vec_run_collect(r) != 0)
            return VEC_RUN_STALLED;
        if (rc != SC_OK) {
            if (!r->capture) {
                vec_fail(r, "sc_conn_feed failed %s: %d (%s), %zu bytes "
                         "left unfed", r->step, rc, sc_strerror(rc), n);
                vec_print_engine_state(r);
            }
            return rc;
        }
        if (read_data(r) != 0)
            return VEC_RUN_STALLED;
        if (consumed == 0 && r->rx_len == before) {
            vec_fail(r, "sc_conn_feed took none of %zu bytes %s and no "
                     "application data was waiting", n, r->step);
            vec_print_engine_state(r);
            return VEC_RUN_STALLED;
        }
    }
    return SC_OK;
}

static int feed_records(vec_run *r, size_t from, size_t to)
{
    const vec_record *recs = r->vc->records;
    char desc[160];
    size_t i, total = 0, off = 0;
    uint8_t *cat;
    int rc;

    if (r->mode == VEC_FEED_FLIGHT && to - from > 1) {
        for (i = from; i < to; i++)
            total += recs[i].wire.n;
        cat = malloc(total);
        if (cat == NULL) {
            vec_fail(r, "out of memory");
            return -1;
        }
        for (i = from; i < to; i++) {
            memcpy(cat + off, recs[i].wire.p, recs[i].wire.n);
            off += recs[i].wire.n;
        }
        snprintf(r->step, sizeof(r->step), "after feeding records %zu..%zu "
                 "in one call", from, to - 1);
        rc = vec_run_feed(r, cat, total);
        free(cat);
        return rc == SC_OK ? 0 : -1;
    }
    for (i = from; i < to; i++) {
        vec_describe_record(&recs[i], desc, sizeof(desc));
        if (r->mode == VEC_FEED_BYTE) {
            size_t b;

            for (b = 0; b < recs[i].wire.n; b++) {
                snprintf(r->step, sizeof(r->step), "after feeding byte %zu "
                         "of %s", b, desc);
                if (vec_run_feed(r, recs[i].wire.p + b, 1) != SC_OK)
                    return -1;
            }
        } else {
            snprintf(r->step, sizeof(r->step), "after feeding %s", desc);
            if (vec_run_feed(r, recs[i].wire.p, recs[i].wire.n) != SC_OK)
                return -1;
        }
    }
    return 0;
}

/* ---- our script steps */

static int write_all(vec_run *r, const vec_action *a)
{
    size_t off = 0;
    int stalls = 0;

    while (off < a->data.n) {
        size_t consumed = 0;
        int rc = sc_conn_write(r->conn, a->data.p + off, a->data.n - off,
                               &consumed);

        if (rc != SC_OK) {
            vec_fail(r, "sc_conn_write (\"%s\"): %d (%s)", a->action, rc,
                     sc_strerror(rc));
            vec_print_engine_state(r);
            return -1;
        }
        if (consumed > a->data.n - off) {
            vec_fail(r, "sc_conn_write consumed %zu of %zu bytes", consumed,
                     a->data.n - off);
            return -1;
        }
        off += consumed;
        if (vec_run_collect(r) != 0)
            return -1;
        if (consumed == 0 && ++stalls > 1) {
            vec_fail(r, "sc_conn_write takes no bytes (\"%s\")", a->action);
            return -1;
        }
    }
    return 0;
}

static int run_action(vec_run *r, size_t idx)
{
    const vec_action *a = &r->vc->script[r->action_of[idx]];
    int rc = SC_OK;

    snprintf(r->step, sizeof(r->step), "after script step %ld (\"%s\")",
             r->action_of[idx], a->action);
    switch (a->kind) {
    case VEC_ACT_DATA:
        return write_all(r, a);
    case VEC_ACT_KEY_UPDATE:
        rc = sc_conn_key_update(r->conn, a->request);
        break;
    case VEC_ACT_CLOSE:
        rc = sc_conn_close(r->conn);
        break;
    case VEC_ACT_OPEN:
        rc = sc_conn_open(r->conn);
        break;
    }
    if (rc != SC_OK) {
        vec_fail(r, "script step %ld (\"%s\"): %d (%s)", r->action_of[idx],
                 a->action, rc, sc_strerror(rc));
        vec_print_engine_state(r);
        return -1;
    }
    return vec_run_collect(r);
}

/* Each script step makes the next record of its direction and type. */
static int map_script(vec_run *r)
{
    const vec_case *vc = r->vc;
    size_t cursor[2] = { 0, 0 }, k, i;

    for (i = 0; i < vc->n_records; i++)
        r->action_of[i] = -1;
    for (k = 0; k < vc->n_script; k++) {
        const vec_action *a = &vc->script[k];
        int type = a->kind == VEC_ACT_DATA || a->kind == VEC_ACT_OPEN ? 0x17 :
                   a->kind == VEC_ACT_KEY_UPDATE ? 0x18 : 0x15;

        for (i = cursor[a->c2s]; i < vc->n_records; i++)
            if (vc->records[i].c2s == a->c2s && vc->records[i].type == type)
                break;
        if (i == vc->n_records) {
            vec_fail(r, "script step %zu (\"%s\") has no record of type "
                     "0x%02x in its direction", k, a->action, type);
            return -1;
        }
        r->action_of[i] = (long)k;
        cursor[a->c2s] = i + 1;
    }
    return 0;
}

static int build_rx_expect(vec_run *r)
{
    size_t k, total = 0;

    for (k = 0; k < r->vc->n_script; k++)
        if (r->vc->script[k].kind == VEC_ACT_DATA &&
            r->vc->script[k].c2s == r->is_server)
            total += r->vc->script[k].data.n;
    r->rx_expect = malloc(total + 1);
    r->rx = malloc(total + 1);
    if (r->rx_expect == NULL || r->rx == NULL)
        return -1;
    for (k = 0; k < r->vc->n_script; k++) {
        const vec_action *a = &r->vc->script[k];

        if (a->kind == VEC_ACT_DATA && a->c2s == r->is_server) {
            memcpy(r->rx_expect + r->rx_expect_len, a->data.p, a->data.n);
            r->rx_expect_len += a->data.n;
        }
    }
    return 0;
}

/* ---- set-up */

static char *pki_path(const vec_case *vc, const char *rel)
{
    size_t n = strlen(vc->dir) + strlen(rel) + 2;
    char *p = malloc(n);

    if (p != NULL)
        snprintf(p, n, "%s/%s", vc->dir, rel);
    return p;
}

/* ':'-joined names of the codes the API can name; *unnamed counts the rest. */
static void code_list(const uint16_t *codes, size_t n,
                      const char *(*name)(uint16_t), char *out, size_t outlen,
                      size_t *unnamed)
{
    size_t i, used = 0;

    out[0] = '\0';
    for (i = 0; i < n; i++) {
        const char *s = name(codes[i]);

        if (s == NULL) {
            (*unnamed)++;
            continue;
        }
        used += (size_t)snprintf(out + used, outlen - used, "%s%s",
                                 used ? ":" : "", s);
        if (used >= outlen)
            used = outlen - 1;
    }
}

static int check_rc(vec_run *r, int rc, const char *call, const char *arg)
{
    if (rc == SC_OK)
        return 0;
    vec_fail(r, "%s(%s): %d (%s)", call, arg != NULL ? arg : "", rc,
             sc_strerror(rc));
    return -1;
}

static int load_credentials(vec_run *r, const vec_side *side)
{
    char *path;
    int rc;

    if (side->certificate != NULL) {
        path = pki_path(r->vc, side->certificate);
        rc = path != NULL ? sc_ctx_load_cert_chain(r->ctx, path) : SC_ERR_NOMEM;
        free(path);
        if (check_rc(r, rc, "sc_ctx_load_cert_chain", side->certificate))
            return -1;
    }
    if (side->private_key != NULL) {
        path = pki_path(r->vc, side->private_key);
        rc = path != NULL ? sc_ctx_load_private_key(r->ctx, path, NULL)
                          : SC_ERR_NOMEM;
        free(path);
        if (check_rc(r, rc, "sc_ctx_load_private_key", side->private_key))
            return -1;
    }
    path = pki_path(r->vc, side->trust_anchor);
    rc = path != NULL ? sc_ctx_load_trust(r->ctx, path, NULL) : SC_ERR_NOMEM;
    free(path);
    return check_rc(r, rc, "sc_ctx_load_trust", side->trust_anchor);
}

static int configure_ctx(vec_run *r, const vec_side *side, size_t *unnamed)
{
    char list[256];
    int rc;

    sc_ctx_set_verify_time(r->ctx, r->vc->verify_time);
    if (load_credentials(r, side) != 0)
        return -1;
    code_list(side->suites, side->n_suites, vec_suite_name, list,
              sizeof(list), unnamed);
    if (list[0] != '\0' &&
        check_rc(r, sc_ctx_set_suites(r->ctx, list), "sc_ctx_set_suites",
                 list))
        return -1;
    code_list(side->groups, side->n_groups, vec_group_name, list,
              sizeof(list), unnamed);
    if (list[0] != '\0' &&
        check_rc(r, sc_ctx_set_groups(r->ctx, list), "sc_ctx_set_groups",
                 list))
        return -1;
    if (r->is_server) {
        rc = sc_ctx_set_verify_mode(r->ctx,
                                    (sc_verify_mode)side->client_cert_mode);
        if (check_rc(r, rc, "sc_ctx_set_verify_mode", NULL))
            return -1;
    }
    return 0;
}

/*
 * The extensions a side sends: deferred_open (type 0x0001, empty) is one
 * the engine knows, so it is turned on through the API, which also makes
 * the engine expect or give the answer; anything else goes out as raw
 * bytes through the testing hook.
 */
static int set_extensions(vec_run *r, const vec_side *side)
{
    const uint8_t *p = side->extensions.p;
    size_t n = side->extensions.n, i = 0, len, rest = 0;
    uint8_t *raw = malloc(n);
    int rc = 0;

    if (raw == NULL)
        return -1;
    while (i + 4 <= n) {
        len = (size_t)(p[i + 2] << 8 | p[i + 3]);
        if (i + 4 + len > n)
            break;
        if ((p[i] << 8 | p[i + 1]) == 0x0001 && len == 0) {
            if (check_rc(r, sc_conn_set_deferred_open(r->conn, 1),
                         "sc_conn_set_deferred_open", NULL))
                rc = -1;
        } else {
            memcpy(raw + rest, p + i, 4 + len);
            rest += 4 + len;
        }
        i += 4 + len;
    }
    if (rc == 0 && rest > 0 &&
        check_rc(r, sc_testing_set_extensions(r->conn, raw, rest),
                 "sc_testing_set_extensions", NULL))
        rc = -1;
    free(raw);
    return rc;
}

static int configure_conn(vec_run *r, const vec_side *side, size_t unnamed)
{
    sc_testing_random rnd;

    if (!r->is_server &&
        check_rc(r, sc_conn_set_server_name(r->conn, side->server_name,
                                            side->server_name_sent[0] != '\0'),
                 "sc_conn_set_server_name", side->server_name))
        return -1;
    memset(&rnd, 0, sizeof(rnd));
    rnd.nonce = side->nonce.p;
    rnd.nonce_len = side->nonce.n;
    rnd.x25519_priv = side->x25519_priv.p;
    rnd.x25519_priv_len = side->x25519_priv.n;
    rnd.kx_priv = side->kx_priv.n > 0 ? side->kx_priv.p : NULL;
    rnd.kx_priv_len = side->kx_priv.n;
    if (check_rc(r, sc_testing_inject_random(r->conn, &rnd),
                 "sc_testing_inject_random", NULL))
        return -1;
    if (side->extensions.n > 0 && set_extensions(r, side) != 0)
        return -1;
    /* Codes the list setters cannot name (case f offers suite 0x1234 and
     * group 0x9999) must still go out byte for byte in ClientHello. */
    if (unnamed > 0 &&
        check_rc(r, sc_testing_set_offer(r->conn, side->suites,
                                         side->n_suites, side->groups,
                                         side->n_groups),
                 "sc_testing_set_offer", NULL))
        return -1;
    return 0;
}

int vec_run_open(vec_run *r, const vec_case *vc, int is_server,
                 vec_feed_mode mode)
{
    const vec_side *side = is_server ? &vc->server : &vc->client;
    size_t unnamed = 0;
    int err = SC_OK;

    memset(r, 0, sizeof(*r));
    r->vc = vc;
    r->is_server = is_server;
    r->mode = mode;
    snprintf(r->tag, sizeof(r->tag), "%s %s [%s]", vc->name,
             vec_role_name(is_server), vec_mode_name(mode));
    snprintf(r->step, sizeof(r->step), "during set-up");
    r->own_rec = next_own(r, 0);
    r->action_of = calloc(vc->n_records + 1, sizeof(*r->action_of));
    if (r->action_of == NULL || build_rx_expect(r) != 0) {
        vec_fail(r, "out of memory");
        return -1;
    }
    if (map_script(r) != 0)
        return -1;
    r->ctx = sc_ctx_new(NULL, NULL, is_server ? SC_ROLE_SERVER
                                              : SC_ROLE_CLIENT, &err);
    if (r->ctx == NULL) {
        vec_fail(r, "sc_ctx_new: %d (%s)", err, sc_strerror(err));
        return -1;
    }
    if (configure_ctx(r, side, &unnamed) != 0)
        return -1;
    r->conn = sc_conn_new(r->ctx);
    if (r->conn == NULL) {
        vec_fail(r, "sc_conn_new returned NULL");
        return -1;
    }
    if (configure_conn(r, side, unnamed) != 0)
        return -1;
    snprintf(r->step, sizeof(r->step), "after sc_conn_start");
    if (check_rc(r, sc_conn_start(r->conn), "sc_conn_start", NULL))
        return -1;
    return vec_run_collect(r);
}

/* ---- the run */

int vec_run_until(vec_run *r, size_t stop)
{
    const vec_case *vc = r->vc;

    if (stop > vc->n_records)
        stop = vc->n_records;
    while (r->next < stop) {
        size_t i = r->next, j;

        if (sync_own(r, i) != 0)
            return -1;
        if (is_own(r, i)) {
            if (r->action_of[i] >= 0 && run_action(r, i) != 0)
                return -1;
            /* Made by the step (or earlier): it must be out now. */
            if (sync_own(r, i + 1) != 0)
                return -1;
            r->next = i + 1;
            continue;
        }
        j = i + 1;
        if (r->mode == VEC_FEED_FLIGHT)
            while (j < stop && !is_own(r, j))
                j++;
        if (feed_records(r, i, j) != 0)
            return -1;
        r->next = j;
    }
    return sync_own(r, stop);
}

int vec_run_finish(vec_run *r)
{
    if (vec_run_until(r, r->vc->n_records) != 0)
        return -1;
    if (vec_run_collect(r) != 0)
        return -1;
    if (r->rx_len != r->rx_expect_len) {
        vec_fail(r, "read %zu of the peer's %zu bytes of application data "
                 "(missing from script step \"%s\")", r->rx_len,
                 r->rx_expect_len, rx_step_name(r, r->rx_len));
        return -1;
    }
    if (!r->peer_closed) {
        vec_fail(r, "sc_conn_read never reported SC_ERR_CLOSED after the "
                 "peer's close_notify");
        vec_print_engine_state(r);
        return -1;
    }
    if (sc_conn_state(r->conn) != SC_STATE_CLOSED ||
        sc_conn_error(r->conn) != SC_OK) {
        vec_fail(r, "state after both close_notify is %d, expected "
                 "SC_STATE_CLOSED (%d) without error",
                 (int)sc_conn_state(r->conn), (int)SC_STATE_CLOSED);
        vec_print_engine_state(r);
        return -1;
    }
    return 0;
}

void vec_run_close(vec_run *r)
{
    if (r->conn != NULL)
        sc_conn_free(r->conn);
    if (r->ctx != NULL)
        sc_ctx_free(r->ctx);
    free(r->action_of);
    free(r->rx_expect);
    free(r->rx);
    free(r->cap);
    r->conn = NULL;
    r->ctx = NULL;
    r->action_of = NULL;
    r->rx_expect = NULL;
    r->rx = NULL;
    r->cap = NULL;
}
