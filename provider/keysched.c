/*
 * The key schedule (SC1.md section 7):
 *
 *   s0  = Extract(0, 0)                      per context (keysched_constants)
 *   hs  = Extract(Derive-Secret(s0, "derived", ""), dh)       after 2
 *         c_hs, s_hs = Derive-Secret(hs, "c hs" / "s hs", TH2)
 *   ms  = Extract(Derive-Secret(hs, "derived", ""), kx)       after 7
 *         c_confirm, s_confirm = Derive-Secret(ms, ..., TH7)
 *   c_ap, s_ap, s_ack = Derive-Secret(ms, ..., TH11)          11 parsed
 *   exp = Derive-Secret(ms, "exporter", TH12)                 after 12
 *
 * The handshake table says at which step each point runs; each point
 * wipes what no later one reads.
 */
#include "keysched.h"

#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>

#include "conn.h"
#include "handshake.h"
#include "kdf.h"
#include "msg.h"

int keysched_constants(sc_algs *a)
{
    static const uint8_t zero[SC_HASH_LEN];
    kdf_ctx k;
    int rc = kdf_init(&k, a);

    if (rc == SC_OK)
        rc = kdf_extract(&k, zero, zero, sizeof(zero), a->s0);
    if (rc == SC_OK)
        rc = kdf_derive_secret(&k, a->s0, "derived", NULL, 0, a->derived_hs);
    kdf_clear(&k);
    return rc;
}

/* Install a client/server pair as our write and read keys. */
static int install_pair(sc_conn *c, const uint8_t cs[SC_HASH_LEN], const uint8_t ss[SC_HASH_LEN],
                        const char *cname, const char *sname)
{
    kdf_ctx *k = &c->hs->kdf;
    int is_client = c->role == SC_ROLE_CLIENT;
    int rc;

    rc = record_install(&c->wr, k, c->suite, 1, is_client ? cs : ss);
    if (rc == SC_OK)
        rc = record_install(&c->rd, k, c->suite, 0, is_client ? ss : cs);
    c->wr.base = is_client ? cname : sname;
    c->rd.base = is_client ? sname : cname;
    c->wr.gen = c->rd.gen = 0;
    if (rc == SC_OK && c->testing) {
        testing_record_traffic(c, is_client ? cname : sname, &c->wr);
        testing_record_traffic(c, is_client ? sname : cname, &c->rd);
    }
    return rc;
}

static int handshake_keys(sc_conn *c)
{
    const sc_algs *a = &c->ctx->algs;
    hs_state *h = c->hs;
    kdf_ctx *k = &h->kdf;
    const uint8_t *th2 = h->tr.th[MSG_SERVER_HELLO];
    uint8_t hs[SC_HASH_LEN], cs[SC_HASH_LEN], ss[SC_HASH_LEN];
    int rc;

    /* hs is used here only: its "derived" secret for ms is taken now. */
    rc = kdf_extract(k, a->derived_hs, h->dh, sizeof(h->dh), hs);
    if (rc == SC_OK)
        rc = kdf_derive_secret(k, hs, "c hs", th2, SC_HASH_LEN, cs);
    if (rc == SC_OK)
        rc = kdf_derive_secret(k, hs, "s hs", th2, SC_HASH_LEN, ss);
    if (rc == SC_OK)
        rc = kdf_derive_secret(k, hs, "derived", NULL, 0, h->derived_ms);
    if (rc == SC_OK && c->testing) {
        testing_record(c, "dh", h->dh, sizeof(h->dh));
        testing_record(c, "s0", a->s0, sizeof(a->s0));
        testing_record(c, "derived_for_hs", a->derived_hs, sizeof(a->derived_hs));
        testing_record(c, "hs", hs, sizeof(hs));
        testing_record(c, "c_hs", cs, sizeof(cs));
        testing_record(c, "s_hs", ss, sizeof(ss));
    }
    if (rc == SC_OK)
        rc = install_pair(c, cs, ss, "c_hs", "s_hs");
    OPENSSL_cleanse(hs, sizeof(hs));
    OPENSSL_cleanse(cs, sizeof(cs));
    OPENSSL_cleanse(ss, sizeof(ss));
    OPENSSL_cleanse(h->dh, sizeof(h->dh));
    return rc;
}

static int master_secret(sc_conn *c)
{
    hs_state *h = c->hs;
    kdf_ctx *k = &h->kdf;
    const uint8_t *th7 = h->tr.th[MSG_KEY_EXCHANGE2];
    int rc;

    rc = kdf_extract(k, h->derived_ms, h->kx, h->kx_len, h->ms);
    if (rc == SC_OK)
        rc = kdf_derive_secret(k, h->ms, "c confirm", th7, SC_HASH_LEN, h->c_confirm);
    if (rc == SC_OK)
        rc = kdf_derive_secret(k, h->ms, "s confirm", th7, SC_HASH_LEN, h->s_confirm);
    if (rc == SC_OK && c->testing) {
        testing_record(c, "derived_for_ms", h->derived_ms, sizeof(h->derived_ms));
        testing_record(c, "kx", h->kx, h->kx_len);
        testing_record(c, "ms", h->ms, sizeof(h->ms));
        testing_record(c, "c_confirm", h->c_confirm, sizeof(h->c_confirm));
        testing_record(c, "s_confirm", h->s_confirm, sizeof(h->s_confirm));
    }
    OPENSSL_cleanse(h->derived_ms, sizeof(h->derived_ms));
    OPENSSL_cleanse(h->kx, sizeof(h->kx));
    return rc;
}

static int application_keys(sc_conn *c)
{
    hs_state *h = c->hs;
    kdf_ctx *k = &h->kdf;
    const uint8_t *th11 = h->tr.th[MSG_SERVER_AUTH];
    uint8_t cs[SC_HASH_LEN], ss[SC_HASH_LEN];
    int rc;

    rc = kdf_derive_secret(k, h->ms, "c ap", th11, SC_HASH_LEN, cs);
    if (rc == SC_OK)
        rc = kdf_derive_secret(k, h->ms, "s ap", th11, SC_HASH_LEN, ss);
    if (rc == SC_OK)
        rc = kdf_derive_secret(k, h->ms, "s ack", th11, SC_HASH_LEN, h->s_ack);
    if (rc == SC_OK && c->testing) {
        testing_record(c, "c_ap", cs, sizeof(cs));
        testing_record(c, "s_ap", ss, sizeof(ss));
        testing_record(c, "s_ack", h->s_ack, sizeof(h->s_ack));
    }
    if (rc == SC_OK)
        rc = install_pair(c, cs, ss, "c_ap", "s_ap");
    OPENSSL_cleanse(cs, sizeof(cs));
    OPENSSL_cleanse(ss, sizeof(ss));
    return rc;
}

/* The last point: exp, then the handshake state (ms with it) is wiped. */
static int exporter_secret(sc_conn *c)
{
    hs_state *h = c->hs;
    const uint8_t *th12 = h->tr.th[MSG_SECURE_ACK];
    int rc = kdf_derive_secret(&h->kdf, h->ms, "exporter", th12, SC_HASH_LEN, c->exp);

    if (rc == SC_OK && c->testing) {
        testing_record(c, "TH12", th12, SC_HASH_LEN);
        testing_record(c, "exp", c->exp, sizeof(c->exp));
    }
    handshake_state_free(c);
    return rc;
}

/* One row per point (s2n's key_schedules[] has the same shape). */
static const struct {
    const char *name;
    int (*run)(sc_conn *c);
} points[] = {
    [KEYSCHED_NONE] = { "none", NULL },
    [KEYSCHED_HANDSHAKE] = { "handshake keys", handshake_keys },
    [KEYSCHED_MASTER] = { "master secret", master_secret },
    [KEYSCHED_APPLICATION] = { "application keys", application_keys },
    [KEYSCHED_EXPORTER] = { "exporter secret", exporter_secret },
};

const char *keysched_point_name(keysched_point p)
{
    return (size_t)p < sizeof(points) / sizeof(points[0]) ? points[p].name : "?";
}

int keysched_advance(sc_conn *c, keysched_point p)
{
    if (p == KEYSCHED_NONE)
        return SC_OK;
    if ((size_t)p >= sizeof(points) / sizeof(points[0]) || c->hs == NULL)
        return SC_ERR_STATE;
    return points[p].run(c);
}

/* The handshake's HMAC context is gone by now: a temporary one (updates
 * are rare, connections many). */
int keysched_update(const sc_algs *a, record_dir *d, int encrypt)
{
    uint8_t next[SC_HASH_LEN];
    kdf_ctx k;
    int rc = kdf_init(&k, a);

    if (rc == SC_OK)
        rc = kdf_expand_label(&k, d->secret, "upd", 3, NULL, 0, next, SC_HASH_LEN);
    if (rc == SC_OK)
        rc = record_install(d, &k, d->suite, encrypt, next);
    OPENSSL_cleanse(next, sizeof(next));
    kdf_clear(&k);
    d->gen++;
    return rc;
}

/* Export(label, context, L) = Expand-Label(Derive-Secret(exp, label, ""),
 * "export", SHA-256(context), L)  (section 7). */
int sc_conn_export(const sc_conn *c, const char *label, const uint8_t *context, size_t context_len,
                   uint8_t *out, size_t out_len)
{
    uint8_t secret[SC_HASH_LEN], hash[SC_HASH_LEN];
    kdf_ctx k;
    int rc;

    if (c == NULL || label == NULL || out == NULL || strlen(label) > 251
        || out_len > 255 * SC_HASH_LEN || (context == NULL && context_len))
        return SC_ERR_ARG;
    if (c->failed || !handshake_done(c))
        return SC_ERR_STATE;
    rc = kdf_init(&k, &c->ctx->algs);
    if (rc == SC_OK)
        rc = kdf_derive_secret(&k, c->exp, label, NULL, 0, secret);
    if (rc == SC_OK)
        rc = kdf_hash(k.a, context ? context : (const uint8_t *)"", context_len, hash);
    if (rc == SC_OK)
        rc = kdf_expand_label(&k, secret, "export", 6, hash, sizeof(hash), out, out_len);
    kdf_clear(&k);
    OPENSSL_cleanse(secret, sizeof(secret));
    return rc;
}
