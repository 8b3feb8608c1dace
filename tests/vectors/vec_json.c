/*
 * Loading the SC1 known-answer vectors with jansson, field by field through
 * vec_read.c. A field that is missing, of the wrong type or not strict hex
 * makes the whole file fail to load, so a test never runs against half a
 * case.
 */
#include "vec_json.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vec_read.h"

char *vec_hex(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *s = malloc(2 * n + 1);
    size_t i;

    if (s == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 15];
    }
    s[2 * n] = '\0';
    return s;
}

static int get_ext_block(json_t *obj, vec_bytes *out, const char *where,
                         char *err, size_t errlen)
{
    json_t *arr = vec_read_field(obj, "extensions_sent", JSON_ARRAY, where,
                                 err, errlen), *e;
    size_t i, total = 0;

    out->p = NULL;
    out->n = 0;
    if (arr == NULL)
        return -1;
    out->p = malloc(1);
    if (out->p == NULL)
        return -1;
    json_array_foreach(arr, i, e) {
        char *type_s = NULL;
        uint16_t type;
        vec_bytes data;
        uint8_t *grown;

        if (vec_read_str(e, "type", &type_s, 0, where, err, errlen) != 0)
            return -1;
        if (vec_read_code(type_s, &type) != 0) {
            vec_read_err(err, errlen, "%s: extension type '%s' is not a code",
                         where, type_s);
            free(type_s);
            return -1;
        }
        free(type_s);
        if (vec_read_hex(e, "data", &data, where, err, errlen) != 0)
            return -1;
        grown = realloc(out->p, total + 4 + data.n + 1);
        if (grown == NULL || data.n > 0xffff) {
            vec_read_bytes_free(&data);
            vec_read_err(err, errlen, "%s: extension too large", where);
            return -1;
        }
        out->p = grown;
        out->p[total] = (uint8_t)(type >> 8);
        out->p[total + 1] = (uint8_t)type;
        out->p[total + 2] = (uint8_t)(data.n >> 8);
        out->p[total + 3] = (uint8_t)data.n;
        memcpy(out->p + total + 4, data.p, data.n);
        total += 4 + data.n;
        vec_read_bytes_free(&data);
    }
    out->n = total;
    return 0;
}

static int load_side(json_t *inputs, const char *role, vec_side *s,
                     char *err, size_t errlen)
{
    json_t *o = vec_read_field(inputs, role, JSON_OBJECT, "inputs", err,
                               errlen);
    json_t *rnd;
    long mode;
    int is_client = strcmp(role, "client") == 0;

    if (o == NULL)
        return -1;
    if (vec_read_codes(o, "suites_offered_in_preference_order", s->suites,
                       &s->n_suites, role, err, errlen) != 0 ||
        vec_read_codes(o, "groups_offered_in_preference_order", s->groups,
                       &s->n_groups, role, err, errlen) != 0)
        return -1;
    rnd = vec_read_field(o, "random", JSON_OBJECT, role, err, errlen);
    if (rnd == NULL ||
        vec_read_hex(rnd, is_client ? "nonce_c" : "nonce_s", &s->nonce, role,
                     err, errlen) != 0 ||
        vec_read_hex(rnd, "x25519_private", &s->x25519_priv, role, err,
                     errlen) != 0 ||
        vec_read_hex(rnd, "kx_private", &s->kx_priv, role, err, errlen) != 0)
        return -1;
    if (is_client &&
        (vec_read_str(o, "server_name", &s->server_name, 0, role, err,
                      errlen) != 0 ||
         vec_read_str(o, "server_name_sent", &s->server_name_sent, 0, role,
                      err, errlen) != 0))
        return -1;
    if (vec_read_str(o, "certificate", &s->certificate, 1, role, err,
                     errlen) != 0 ||
        vec_read_str(o, "private_key", &s->private_key, 1, role, err,
                     errlen) != 0 ||
        vec_read_str(o, "trust_anchor", &s->trust_anchor, 0, role, err,
                     errlen) != 0)
        return -1;
    if (vec_read_int(o, "client_cert_mode", &mode, 1, role, err, errlen) != 0)
        return -1;
    s->client_cert_mode = (int)mode;
    if (!is_client && mode < 0) {
        vec_read_err(err, errlen, "server: client_cert_mode missing");
        return -1;
    }
    return get_ext_block(o, &s->extensions, role, err, errlen);
}

static void side_free(vec_side *s)
{
    vec_read_bytes_free(&s->nonce);
    vec_read_bytes_free(&s->x25519_priv);
    vec_read_bytes_free(&s->kx_priv);
    free(s->server_name);
    free(s->server_name_sent);
    free(s->certificate);
    free(s->private_key);
    free(s->trust_anchor);
    vec_read_bytes_free(&s->extensions);
}

static int load_records(json_t *root, vec_case *vc, char *err, size_t errlen)
{
    json_t *arr = vec_read_field(root, "records", JSON_ARRAY, vc->name, err,
                                 errlen);
    json_t *r;
    size_t i;

    if (arr == NULL)
        return -1;
    vc->records = calloc(json_array_size(arr) + 1, sizeof(*vc->records));
    if (vc->records == NULL)
        return -1;
    json_array_foreach(arr, i, r) {
        vec_record *rec = &vc->records[i];
        char where[64];
        long v;

        snprintf(where, sizeof(where), "records[%zu]", i);
        vc->n_records = i + 1;
        if (vec_read_int(r, "index", &v, 0, where, err, errlen) != 0)
            return -1;
        if (v != (long)i) {
            vec_read_err(err, errlen, "%s: index %ld out of order", where, v);
            return -1;
        }
        rec->index = i;
        if (vec_read_dir(r, &rec->c2s, where, err, errlen) != 0 ||
            vec_read_int(r, "type", &v, 0, where, err, errlen) != 0)
            return -1;
        rec->type = (int)v;
        if (vec_read_str(r, "type_name", &rec->type_name, 0, where, err,
                         errlen) != 0 ||
            vec_read_str(r, "key", &rec->key, 0, where, err, errlen) != 0 ||
            vec_read_int(r, "seq", &rec->seq, 1, where, err, errlen) != 0 ||
            vec_read_hex(r, "wire", &rec->wire, where, err, errlen) != 0)
            return -1;
    }
    return 0;
}

static int load_script(json_t *root, vec_case *vc, char *err, size_t errlen)
{
    json_t *arr = vec_read_field(root, "application_script", JSON_ARRAY,
                                 vc->name, err, errlen);
    json_t *a;
    size_t i;

    if (arr == NULL)
        return -1;
    vc->script = calloc(json_array_size(arr) + 1, sizeof(*vc->script));
    if (vc->script == NULL)
        return -1;
    json_array_foreach(arr, i, a) {
        vec_action *act = &vc->script[i];
        json_t *data = json_object_get(a, "data_hex");
        char where[64];
        const char *kr;

        snprintf(where, sizeof(where), "application_script[%zu]", i);
        vc->n_script = i + 1;
        if (vec_read_dir(a, &act->c2s, where, err, errlen) != 0 ||
            vec_read_str(a, "action", &act->action, 0, where, err,
                         errlen) != 0)
            return -1;
        if (strncmp(act->action, "open:", 5) == 0) {
            act->kind = VEC_ACT_OPEN;
        } else if (data != NULL && json_is_string(data)) {
            act->kind = VEC_ACT_DATA;
            if (vec_read_hex(a, "data_hex", &act->data, where, err,
                             errlen) != 0)
                return -1;
        } else if (strncmp(act->action, "key_update", 10) == 0) {
            act->kind = VEC_ACT_KEY_UPDATE;
            kr = strstr(act->action, "request=");
            if (kr == NULL || (kr[8] != '0' && kr[8] != '1')) {
                vec_read_err(err, errlen,
                             "%s: key_update without request=0/1", where);
                return -1;
            }
            act->request = kr[8] - '0';
        } else if (strncmp(act->action, "close_notify", 12) == 0) {
            act->kind = VEC_ACT_CLOSE;
        } else {
            vec_read_err(err, errlen, "%s: unknown action '%s'", where,
                         act->action);
            return -1;
        }
    }
    return 0;
}

static int add_expect(vec_case *vc, size_t *cap, const char *name,
                      json_t *hexv, char *err, size_t errlen)
{
    vec_named *e;

    if (!json_is_string(hexv)) {
        vec_read_err(err, errlen,
                     "%s: expected value of '%s' is not a string", vc->name,
                     name);
        return -1;
    }
    if (vc->n_expect == *cap) {
        size_t ncap = *cap ? 2 * *cap : 32;
        vec_named *grown = realloc(vc->expect, ncap * sizeof(*grown));

        if (grown == NULL)
            return -1;
        vc->expect = grown;
        *cap = ncap;
    }
    e = &vc->expect[vc->n_expect];
    e->name = vec_read_strdup(name);
    if (e->name == NULL)
        return -1;
    if (vec_read_hexdec(json_string_value(hexv), &e->value) != 0) {
        free(e->name);
        vec_read_err(err, errlen, "%s: expected value of '%s' is not hex",
                     vc->name, name);
        return -1;
    }
    vc->n_expect++;
    return 0;
}

/* transcript TH1..TH12, secrets, then traffic_keys as "<secret>.key/.iv". */
static int load_expect(json_t *root, vec_case *vc, char *err, size_t errlen)
{
    static const char *const groups[] = { "transcript", "secrets" };
    json_t *obj, *v, *tk;
    const char *key;
    size_t cap = 0, g;
    char name[96];

    for (g = 0; g < 2; g++) {
        obj = vec_read_field(root, groups[g], JSON_OBJECT, vc->name, err,
                             errlen);
        if (obj == NULL)
            return -1;
        json_object_foreach(obj, key, v) {
            if (add_expect(vc, &cap, key, v, err, errlen) != 0)
                return -1;
        }
    }
    obj = vec_read_field(root, "traffic_keys", JSON_OBJECT, vc->name, err,
                         errlen);
    if (obj == NULL)
        return -1;
    json_object_foreach(obj, key, tk) {
        static const char *const parts[] = { "key", "iv" };
        size_t p;

        for (p = 0; p < 2; p++) {
            v = json_object_get(tk, parts[p]);
            snprintf(name, sizeof(name), "%s.%s", key, parts[p]);
            if (add_expect(vc, &cap, name, v, err, errlen) != 0)
                return -1;
        }
    }
    return 0;
}

int vec_file_has_records(const char *dir, const char *file)
{
    json_t *root = vec_read_root(dir, file, NULL, 0);
    int has;

    if (root == NULL)
        return -1;
    has = json_object_get(root, "records") != NULL;
    json_decref(root);
    return has;
}

int vec_case_load(const char *dir, const char *file, vec_case *vc,
                  char *err, size_t errlen)
{
    json_t *root, *inputs, *chosen;
    char *s = NULL;
    int rc = -1;

    memset(vc, 0, sizeof(*vc));
    root = vec_read_root(dir, file, err, errlen);
    if (root == NULL)
        return -1;
    vc->dir = vec_read_strdup(dir);
    if (vc->dir == NULL || vec_read_str(root, "name", &vc->name, 0, file, err,
                                        errlen) != 0)
        goto out;
    if (vec_read_str(root, "verify_time", &s, 0, file, err, errlen) != 0)
        goto out;
    if (vec_read_utc(s, &vc->verify_time) != 0) {
        vec_read_err(err, errlen, "%s: verify_time '%s' not understood",
                     file, s);
        goto out;
    }
    inputs = vec_read_field(root, "inputs", JSON_OBJECT, file, err, errlen);
    if (inputs == NULL ||
        load_side(inputs, "client", &vc->client, err, errlen) != 0 ||
        load_side(inputs, "server", &vc->server, err, errlen) != 0)
        goto out;
    chosen = vec_read_field(root, "chosen", JSON_OBJECT, file, err, errlen);
    if (chosen == NULL)
        goto out;
    free(s);
    s = NULL;
    if (vec_read_str(chosen, "suite", &s, 0, "chosen", err, errlen) != 0 ||
        vec_read_code(s, &vc->chosen_suite) != 0)
        goto out;
    free(s);
    s = NULL;
    if (vec_read_str(chosen, "group", &s, 0, "chosen", err, errlen) != 0 ||
        vec_read_code(s, &vc->chosen_group) != 0)
        goto out;
    if (load_records(root, vc, err, errlen) != 0 ||
        load_script(root, vc, err, errlen) != 0 ||
        load_expect(root, vc, err, errlen) != 0)
        goto out;
    if (json_object_get(root, "withdrawn") != NULL &&
        vec_read_hex(json_object_get(root, "withdrawn"), "wire",
                     &vc->withdrawn, "withdrawn", err, errlen) != 0)
        goto out;
    rc = 0;
out:
    free(s);
    json_decref(root);
    if (rc != 0)
        vec_case_free(vc);
    return rc;
}

void vec_case_free(vec_case *vc)
{
    size_t i;

    for (i = 0; vc->records != NULL && i < vc->n_records; i++) {
        free(vc->records[i].type_name);
        free(vc->records[i].key);
        vec_read_bytes_free(&vc->records[i].wire);
    }
    vec_read_bytes_free(&vc->withdrawn);
    for (i = 0; vc->script != NULL && i < vc->n_script; i++) {
        free(vc->script[i].action);
        vec_read_bytes_free(&vc->script[i].data);
    }
    for (i = 0; i < vc->n_expect; i++) {
        free(vc->expect[i].name);
        vec_read_bytes_free(&vc->expect[i].value);
    }
    free(vc->records);
    free(vc->script);
    free(vc->expect);
    side_free(&vc->client);
    side_free(&vc->server);
    free(vc->name);
    free(vc->dir);
    memset(vc, 0, sizeof(*vc));
}

static int load_export_row(json_t *o, const char *ctx_key, vec_export *row,
                           const char *where, char *err, size_t errlen)
{
    long len;

    if (vec_read_str(o, "label", &row->label, 0, where, err, errlen) != 0 ||
        vec_read_hex(o, ctx_key, &row->context, where, err, errlen) != 0 ||
        vec_read_int(o, "length", &len, 0, where, err, errlen) != 0 ||
        vec_read_hex(o, "output", &row->output, where, err, errlen) != 0)
        return -1;
    if (len < 0 || (size_t)len != row->output.n) {
        vec_read_err(err, errlen, "%s: length %ld but output has %zu bytes",
                     where, len, row->output.n);
        return -1;
    }
    row->length = (size_t)len;
    return 0;
}

int vec_exporter_load(const char *dir, const char *file, vec_exporter *ve,
                      char *err, size_t errlen)
{
    json_t *root, *more, *m;
    size_t i;
    int rc = -1;

    memset(ve, 0, sizeof(*ve));
    root = vec_read_root(dir, file, err, errlen);
    if (root == NULL)
        return -1;
    if (vec_read_str(root, "name", &ve->name, 0, file, err, errlen) != 0 ||
        vec_read_str(root, "base_case", &ve->base_case, 0, file, err,
                     errlen) != 0)
        goto out;
    more = vec_read_field(root, "more", JSON_ARRAY, file, err, errlen);
    if (more == NULL)
        goto out;
    ve->rows = calloc(json_array_size(more) + 1, sizeof(*ve->rows));
    if (ve->rows == NULL)
        goto out;
    /* The top-level Export(label, context, length) is row 0. */
    ve->n_rows = 1;
    if (load_export_row(root, "context_hex", &ve->rows[0], file, err,
                        errlen) != 0)
        goto out;
    json_array_foreach(more, i, m) {
        char where[64];

        snprintf(where, sizeof(where), "more[%zu]", i);
        ve->n_rows = i + 2;
        if (load_export_row(m, "context_hex", &ve->rows[i + 1], where, err,
                            errlen) != 0)
            goto out;
    }
    rc = 0;
out:
    json_decref(root);
    if (rc != 0)
        vec_exporter_free(ve);
    return rc;
}

void vec_exporter_free(vec_exporter *ve)
{
    size_t i;

    for (i = 0; ve->rows != NULL && i < ve->n_rows; i++) {
        free(ve->rows[i].label);
        vec_read_bytes_free(&ve->rows[i].context);
        vec_read_bytes_free(&ve->rows[i].output);
    }
    free(ve->rows);
    free(ve->name);
    free(ve->base_case);
    memset(ve, 0, sizeof(*ve));
}

static int load_negative(json_t *c, vec_negative *n, char *err,
                         size_t errlen)
{
    json_t *v;
    long idx, alert;
    char *recv = NULL;
    const char *where;

    if (vec_read_str(c, "id", &n->id, 0, "negative case", err, errlen) != 0)
        return -1;
    where = n->id;
    if (vec_read_str(c, "description", &n->description, 0, where, err,
                     errlen) != 0 ||
        vec_read_int(c, "record_index", &idx, 0, where, err, errlen) != 0 ||
        vec_read_dir(c, &n->c2s, where, err, errlen) != 0 ||
        vec_read_str(c, "receiver", &recv, 0, where, err, errlen) != 0)
        return -1;
    if (idx < 0) {
        free(recv);
        vec_read_err(err, errlen, "%s: negative record_index", where);
        return -1;
    }
    n->record_index = (size_t)idx;
    n->receiver_is_server = strcmp(recv, "server") == 0;
    if (!n->receiver_is_server && strcmp(recv, "client") != 0) {
        vec_read_err(err, errlen, "%s: receiver '%s'", where, recv);
        free(recv);
        return -1;
    }
    free(recv);
    v = json_object_get(c, "mutated_wire");
    if (v != NULL && !json_is_null(v)) {
        n->has_mutated = 1;
        if (vec_read_hex(c, "mutated_wire", &n->mutated, where, err,
                         errlen) != 0)
            return -1;
    }
    v = json_object_get(c, "then_eof");
    n->then_eof = v != NULL && json_is_true(v);
    if (vec_read_str(c, "receiver_error", &n->receiver_error, 1, where, err,
                     errlen) != 0 ||
        vec_read_int(c, "expected_alert", &alert, 1, where, err, errlen) != 0)
        return -1;
    n->expected_alert = (int)alert;
    v = json_object_get(c, "expected_alert_record");
    if (v != NULL && !json_is_null(v) &&
        vec_read_hex(c, "expected_alert_record", &n->expected_alert_record,
                     where, err, errlen) != 0)
        return -1;
    if ((n->expected_alert >= 0) != (n->expected_alert_record.p != NULL)) {
        vec_read_err(err, errlen, "%s: expected_alert and "
                     "expected_alert_record disagree on null", where);
        return -1;
    }
    if (vec_read_int(c, "received_alert", &alert, 1, where, err, errlen) != 0)
        return -1;
    n->received_alert = (int)alert;
    return 0;
}

int vec_negative_load(const char *dir, const char *file, vec_negative_set *vn,
                      char *err, size_t errlen)
{
    json_t *root, *cases, *c;
    size_t i;
    int rc = -1;

    memset(vn, 0, sizeof(*vn));
    root = vec_read_root(dir, file, err, errlen);
    if (root == NULL)
        return -1;
    /* A set names one base case, or each case names its own. */
    if (json_object_get(root, "base_case") != NULL &&
        vec_read_str(root, "base_case", &vn->base_case, 0, file, err,
                     errlen) != 0)
        goto out;
    cases = vec_read_field(root, "cases", JSON_ARRAY, file, err, errlen);
    if (cases == NULL)
        goto out;
    vn->cases = calloc(json_array_size(cases) + 1, sizeof(*vn->cases));
    if (vn->cases == NULL)
        goto out;
    json_array_foreach(cases, i, c) {
        vn->n_cases = i + 1;
        if (load_negative(c, &vn->cases[i], err, errlen) != 0)
            goto out;
        if (json_object_get(c, "base_case") != NULL &&
            vec_read_str(c, "base_case", &vn->cases[i].base_case, 0,
                         vn->cases[i].id, err, errlen) != 0)
            goto out;
        if (vn->base_case == NULL && vn->cases[i].base_case == NULL) {
            vec_read_err(err, errlen, "%s: no base_case", vn->cases[i].id);
            goto out;
        }
    }
    rc = 0;
out:
    json_decref(root);
    if (rc != 0)
        vec_negative_free(vn);
    return rc;
}

void vec_negative_free(vec_negative_set *vn)
{
    size_t i;

    for (i = 0; vn->cases != NULL && i < vn->n_cases; i++) {
        vec_negative *n = &vn->cases[i];

        free(n->id);
        free(n->description);
        vec_read_bytes_free(&n->mutated);
        free(n->receiver_error);
        vec_read_bytes_free(&n->expected_alert_record);
        free(n->base_case);
    }
    free(vn->cases);
    free(vn->base_case);
    memset(vn, 0, sizeof(*vn));
}

const char *vec_suite_name(uint16_t code)
{
    switch (code) {
    case 0x0001: return "CHACHA20-POLY1305";
    case 0x0002: return "AES-256-GCM";
    case 0x0003: return "AES-128-GCM";
    default:     return NULL;
    }
}

const char *vec_group_name(uint16_t code)
{
    switch (code) {
    case 0x0000: return "none";
    case 0x001e: return "X448";
    case 0x0017: return "P-256";
    case 0x0018: return "P-384";
    case 0x0201: return "ML-KEM-768";
    default:     return NULL;
    }
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int vec_list_json(const char *dir, char ***names, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **list = NULL;
    size_t cnt = 0, cap = 0;

    *names = NULL;
    *n = 0;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);

        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        if (cnt == cap) {
            char **grown;

            cap = cap ? 2 * cap : 16;
            grown = realloc(list, cap * sizeof(*grown));
            if (grown == NULL)
                goto fail;
            list = grown;
        }
        list[cnt] = vec_read_strdup(e->d_name);
        if (list[cnt] == NULL)
            goto fail;
        cnt++;
    }
    closedir(d);
    if (cnt > 0)
        qsort(list, cnt, sizeof(*list), cmp_names);
    *names = list;
    *n = cnt;
    return 0;
fail:
    while (cnt > 0)
        free(list[--cnt]);
    free(list);
    closedir(d);
    return -1;
}
