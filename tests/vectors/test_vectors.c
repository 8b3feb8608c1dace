/*
 * SC1 known-answer tests: every positive case of the shared vectors, played
 * from both sides. The engine's output must equal the vector's records byte
 * for byte whether the peer's bytes arrive a record at a time, a byte at a
 * time or a whole flight at a time; the application data it reads must equal
 * the script's; and every transcript hash, secret and traffic key it records
 * must equal the vector's, so a mismatch points at the step that went wrong.
 * The exporter case checks Export() (SC1.md section 7) on case a.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sovchain.h"
#include "sovchain_testing.h"
#include "vec_drive.h"
#include "vec_json.h"

static int n_pass, n_fail;

static void verdict(int ok, const char *name, const char *role)
{
    printf("%s %s %s\n", ok ? "PASS" : "FAIL", name, role);
    fflush(stdout);
    if (ok)
        n_pass++;
    else
        n_fail++;
}

/* TH1..TH12, secrets, traffic keys: all recorded, all equal. */
static int check_secrets(vec_run *r)
{
    char missing[1024];
    size_t i, used = 0, n_missing = 0;
    int bad = 0;

    missing[0] = '\0';
    for (i = 0; i < r->vc->n_expect; i++) {
        const vec_named *e = &r->vc->expect[i];
        uint8_t out[128];
        size_t len = 0;
        int rc = sc_testing_get_secret(r->conn, e->name, out, sizeof(out),
                                       &len);

        if (rc != SC_OK) {
            n_missing++;
            if (used < sizeof(missing))
                used += (size_t)snprintf(missing + used,
                                         sizeof(missing) - used, "%s%s",
                                         used ? " " : "", e->name);
            continue;
        }
        if (len > sizeof(out) || len != e->value.n ||
            memcmp(out, e->value.p, len) != 0) {
            vec_fail(r, "secret \"%s\" differs", e->name);
            vec_print_hex(r, "expected", e->value.p, e->value.n);
            vec_print_hex(r, "got", out, len > sizeof(out) ? sizeof(out)
                                                            : len);
            bad = 1;
        }
    }
    if (n_missing > 0) {
        vec_fail(r, "%zu secrets not available from sc_testing_get_secret: "
                 "%s", n_missing, missing);
        bad = 1;
    }
    return bad ? -1 : 0;
}

static int check_chosen(vec_run *r)
{
    const char *want_s = vec_suite_name(r->vc->chosen_suite);
    const char *want_g = vec_group_name(r->vc->chosen_group);
    const char *got_s = sc_conn_suite(r->conn);
    const char *got_g = sc_conn_group(r->conn);

    if (want_s == NULL || want_g == NULL || got_s == NULL || got_g == NULL ||
        strcmp(want_s, got_s) != 0 || strcmp(want_g, got_g) != 0) {
        vec_fail(r, "negotiated %s / %s, the vector chose %s / %s",
                 got_s ? got_s : "(null)", got_g ? got_g : "(null)",
                 want_s ? want_s : "?", want_g ? want_g : "?");
        return -1;
    }
    return 0;
}

static int run_mode(const vec_case *vc, int is_server, vec_feed_mode mode)
{
    vec_run r;
    int ok = vec_run_open(&r, vc, is_server, mode) == 0 &&
             vec_run_finish(&r) == 0;

    /* One run is enough to compare values; do it even after a wire
     * mismatch, which is when they say the most. */
    if (mode == VEC_FEED_RECORD && r.conn != NULL) {
        if (check_secrets(&r) != 0)
            ok = 0;
        if (check_chosen(&r) != 0)
            ok = 0;
    }
    vec_run_close(&r);
    return ok && !r.failed;
}

/* deferred_open: the server withdraws the session right after 12, and
 * its alert record is the vector's byte for byte. */
static int run_withdrawn(const vec_case *vc)
{
    vec_run r;
    size_t first_app = 0, len = 0;
    const uint8_t *out = NULL;
    int ok, rc = SC_OK;

    while (first_app < vc->n_records && vc->records[first_app].type <= 12)
        first_app++;
    ok = vec_run_open(&r, vc, 1, VEC_FEED_RECORD) == 0;
    snprintf(r.tag, sizeof(r.tag), "%s server (withdrawn)", vc->name);
    ok = ok && vec_run_until(&r, first_app) == 0;
    if (ok) {
        rc = sc_conn_withdraw(r.conn);
        out = sc_conn_output(r.conn, &len);
        if (rc != SC_ERR_WITHDRAWN || len != vc->withdrawn.n ||
            memcmp(out, vc->withdrawn.p, len) != 0) {
            vec_fail(&r, "withdraw after 12: %d (%s)", rc, sc_strerror(rc));
            vec_print_hex(&r, "expected", vc->withdrawn.p, vc->withdrawn.n);
            vec_print_hex(&r, "got", out, len);
            ok = 0;
        }
    }
    vec_run_close(&r);
    return ok && !r.failed;
}

static void run_case(const vec_case *vc)
{
    int is_server;

    for (is_server = 0; is_server <= 1; is_server++) {
        int ok = run_mode(vc, is_server, VEC_FEED_RECORD);

        /* The other ways of cutting the input only matter once the plain
         * one works; their failures would repeat its messages. */
        if (ok)
            ok = run_mode(vc, is_server, VEC_FEED_BYTE) &
                 run_mode(vc, is_server, VEC_FEED_FLIGHT);
        verdict(ok, vc->name, vec_role_name(is_server));
    }
    if (vc->withdrawn.n > 0)
        verdict(run_withdrawn(vc), vc->name, "server (withdrawn)");
}

static int check_exports(vec_run *r, const vec_exporter *ve)
{
    size_t i;
    int bad = 0;

    if (!sc_conn_handshake_done(r->conn)) {
        vec_fail(r, "handshake not done after its last record");
        vec_print_engine_state(r);
        return -1;
    }
    for (i = 0; i < ve->n_rows; i++) {
        const vec_export *x = &ve->rows[i];
        uint8_t *out = calloc(1, x->length + 1);
        char *ctxhex = vec_hex(x->context.p, x->context.n);
        int rc;

        if (out == NULL || ctxhex == NULL) {
            free(out);
            free(ctxhex);
            vec_fail(r, "out of memory");
            return -1;
        }
        rc = sc_conn_export(r->conn, x->label, x->context.p, x->context.n,
                            out, x->length);
        if (rc != SC_OK) {
            vec_fail(r, "sc_conn_export(\"%s\", context %s, %zu): %d (%s)",
                     x->label, ctxhex, x->length, rc, sc_strerror(rc));
            bad = 1;
        } else if (memcmp(out, x->output.p, x->length) != 0) {
            vec_fail(r, "Export(\"%s\", context \"%s\", %zu) differs",
                     x->label, ctxhex, x->length);
            vec_print_hex(r, "expected", x->output.p, x->output.n);
            vec_print_hex(r, "got", out, x->length);
            bad = 1;
        }
        free(out);
        free(ctxhex);
    }
    return bad ? -1 : 0;
}

static void run_exporter(const char *dir, const vec_exporter *ve)
{
    vec_case base;
    char err[512];
    int is_server;

    if (vec_case_load(dir, ve->base_case, &base, err, sizeof(err)) != 0) {
        printf("  %s: cannot load its base case: %s\n", ve->name, err);
        verdict(0, ve->name, "client");
        verdict(0, ve->name, "server");
        return;
    }
    for (is_server = 0; is_server <= 1; is_server++) {
        vec_run r;
        size_t first_app = 0;
        int ok;

        /* Handshake records are types 1..12; export right after them. */
        while (first_app < base.n_records &&
               base.records[first_app].type <= 12)
            first_app++;
        ok = vec_run_open(&r, &base, is_server, VEC_FEED_RECORD) == 0;
        snprintf(r.tag, sizeof(r.tag), "%s %s", ve->name,
                 vec_role_name(is_server));
        ok = ok && vec_run_until(&r, first_app) == 0 &&
             check_exports(&r, ve) == 0;
        vec_run_close(&r);
        verdict(ok && !r.failed, ve->name, vec_role_name(is_server));
    }
    vec_case_free(&base);
}

static void run_file(const char *dir, const char *file)
{
    char err[512];
    int has = vec_file_has_records(dir, file);

    if (has == 1) {
        vec_case vc;

        if (vec_case_load(dir, file, &vc, err, sizeof(err)) != 0) {
            printf("  %s: cannot load: %s\n", file, err);
            verdict(0, file, "(load)");
            return;
        }
        run_case(&vc);
        vec_case_free(&vc);
    } else {
        vec_exporter ve;

        if (vec_exporter_load(dir, file, &ve, err, sizeof(err)) != 0) {
            printf("  %s: cannot load: %s\n", file, err);
            verdict(0, file, "(load)");
            return;
        }
        run_exporter(dir, &ve);
        vec_exporter_free(&ve);
    }
}

int main(void)
{
    const char *shared = getenv("SC_SHARED_DIR");
    char dir[4096], sub[4200];
    char **files;
    size_t n_files, i;
    struct stat st;

    if (shared == NULL || shared[0] == '\0') {
        printf("SKIP: SC_SHARED_DIR is not set (make check sets it to the "
               "directory holding vectors/)\n");
        return 77;
    }
    snprintf(dir, sizeof(dir), "%s/vectors", shared);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
        vec_list_json(dir, &files, &n_files) != 0 || n_files == 0) {
        printf("SKIP: no known-answer vectors in %s\n", dir);
        return 77;
    }
    for (i = 0; i < n_files; i++) {
        /* negative.json has its own test. */
        if (strcmp(files[i], "negative.json") != 0)
            run_file(dir, files[i]);
        free(files[i]);
    }
    free(files);
    /* deferred/ (deferred_open): cases named from the vectors directory,
     * whose pki/ they share. */
    snprintf(sub, sizeof(sub), "%s/deferred", dir);
    if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode) &&
        vec_list_json(sub, &files, &n_files) == 0) {
        for (i = 0; i < n_files; i++) {
            char name[512];

            snprintf(name, sizeof(name), "deferred/%s", files[i]);
            if (strcmp(files[i], "negative.json") != 0)
                run_file(dir, name);
            free(files[i]);
        }
        free(files);
    }
    printf("%d passed, %d failed\n", n_pass, n_fail);
    return n_fail == 0 ? 0 : 1;
}
