/* The testing entry points: injected randomness and recorded secrets, so a
 * connection can reproduce the known-answer vectors byte for byte. Nothing
 * here is active unless a sc_testing_* function was called. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "certcache.h"
#include "conn.h"
#include "kdf.h"
#include "sovchain_testing.h"

#define LOG_ENTRIES 64
#define INJECT_MAX 128

struct testing_log {
    uint8_t nonce[SC_NONCE_LEN];
    uint8_t x25519[SC_X25519_LEN];
    uint8_t kx[INJECT_MAX];
    size_t kx_len;
    int have_nonce, have_x25519;
    struct {
        char name[24];
        uint8_t v[64];
        size_t len;
    } entry[LOG_ENTRIES];
    size_t n;
};

static testing_log *log_of(sc_conn *c)
{
    if (c->testing == NULL)
        c->testing = calloc(1, sizeof(*c->testing));
    return c->testing;
}

int sc_testing_inject_random(sc_conn *c, const sc_testing_random *r)
{
    testing_log *t;

    if (c == NULL || r == NULL || c->step > 0 || r->kx_priv_len > INJECT_MAX
        || (r->nonce && r->nonce_len != SC_NONCE_LEN)
        || (r->x25519_priv && r->x25519_priv_len != SC_X25519_LEN))
        return SC_ERR_ARG;
    if ((t = log_of(c)) == NULL)
        return SC_ERR_NOMEM;
    if (r->nonce) {
        memcpy(t->nonce, r->nonce, SC_NONCE_LEN);
        t->have_nonce = 1;
    }
    if (r->x25519_priv) {
        memcpy(t->x25519, r->x25519_priv, SC_X25519_LEN);
        t->have_x25519 = 1;
    }
    if (r->kx_priv && r->kx_priv_len) {
        memcpy(t->kx, r->kx_priv, r->kx_priv_len);
        t->kx_len = r->kx_priv_len;
    }
    return SC_OK;
}

int sc_testing_set_extensions(sc_conn *c, const uint8_t *ext, size_t len)
{
    uint8_t *copy;

    if (c == NULL || c->hs == NULL || c->step > 1 || len > 0xFFFF || (ext == NULL && len))
        return SC_ERR_ARG;
    if ((copy = malloc(len ? len : 1)) == NULL)
        return SC_ERR_NOMEM;
    if (len)
        memcpy(copy, ext, len);
    free(c->hs->ext);
    c->hs->ext = copy;
    c->hs->ext_len = len;
    return SC_OK;
}

static int copy_codes(uint16_t **dst, size_t *n, const uint16_t *src, size_t len)
{
    uint16_t *copy;

    if (len == 0 || len > SC_MAX_OFFER)
        return SC_ERR_ARG;
    if ((copy = malloc(len * sizeof(*copy))) == NULL)
        return SC_ERR_NOMEM;
    memcpy(copy, src, len * sizeof(*copy));
    free(*dst);
    *dst = copy;
    *n = len;
    return SC_OK;
}

int sc_testing_set_offer(sc_conn *c, const uint16_t *suites, size_t n_suites,
                         const uint16_t *groups, size_t n_groups)
{
    int rc = SC_OK;

    if (c == NULL || c->step > 0)
        return SC_ERR_ARG;
    if (suites)
        rc = copy_codes(&c->offer_suites, &c->n_offer_suites, suites, n_suites);
    if (rc == SC_OK && groups)
        rc = copy_codes(&c->offer_groups, &c->n_offer_groups, groups, n_groups);
    return rc;
}

void testing_record(sc_conn *c, const char *name, const uint8_t *v, size_t len)
{
    testing_log *t = c->testing;

    if (t == NULL || t->n == LOG_ENTRIES || len > sizeof(t->entry[0].v))
        return;
    snprintf(t->entry[t->n].name, sizeof(t->entry[0].name), "%s", name);
    memcpy(t->entry[t->n].v, v, len);
    t->entry[t->n].len = len;
    t->n++;
}

void testing_record_traffic(sc_conn *c, const char *name, const record_dir *d)
{
    char label[32];
    uint8_t key[32], iv[SC_IV_LEN];
    size_t key_len = algs_suites[d->suite].key_len;
    kdf_ctx k;

    if (c->testing == NULL)
        return;
    testing_record(c, name, d->secret, SC_HASH_LEN);
    if (kdf_init(&k, &c->ctx->algs) == SC_OK
        && kdf_expand_label(&k, d->secret, "key", 3, NULL, 0, key, key_len) == SC_OK
        && kdf_expand_label(&k, d->secret, "iv", 2, NULL, 0, iv, sizeof(iv)) == SC_OK) {
        snprintf(label, sizeof(label), "%s.key", name);
        testing_record(c, label, key, key_len);
        snprintf(label, sizeof(label), "%s.iv", name);
        testing_record(c, label, iv, sizeof(iv));
    }
    kdf_clear(&k);
    OPENSSL_cleanse(key, sizeof(key));
}

int sc_testing_get_secret(const sc_conn *c, const char *name, uint8_t *out, size_t cap, size_t *len)
{
    const testing_log *t;

    if (c == NULL || name == NULL || (t = c->testing) == NULL)
        return SC_ERR_STATE;
    /* The latest recording wins (a key may be re-derived). */
    for (size_t i = t->n; i-- > 0;)
        if (strcmp(t->entry[i].name, name) == 0) {
            if (cap < t->entry[i].len)
                return SC_ERR_ARG;
            memcpy(out, t->entry[i].v, t->entry[i].len);
            *len = t->entry[i].len;
            return SC_OK;
        }
    return SC_ERR_ARG;
}

void testing_free(sc_conn *c)
{
    if (c->testing) {
        OPENSSL_cleanse(c->testing, sizeof(*c->testing));
        free(c->testing);
        c->testing = NULL;
    }
}

const uint8_t *testing_nonce(const sc_conn *c)
{
    return c->testing && c->testing->have_nonce ? c->testing->nonce : NULL;
}

const uint8_t *testing_x25519(const sc_conn *c)
{
    return c->testing && c->testing->have_x25519 ? c->testing->x25519 : NULL;
}

const uint8_t *testing_kx(const sc_conn *c, size_t *len)
{
    *len = c->testing ? c->testing->kx_len : 0;
    return *len ? c->testing->kx : NULL;
}

int sc_testing_send_record(sc_conn *c, uint8_t type, const uint8_t *body, size_t len)
{
    if (c == NULL || (body == NULL && len > 0))
        return SC_ERR_ARG;
    if (!sc_conn_can_write(c))
        return SC_ERR_STATE;
    return conn_send_record(c, type, body, len);
}

int sc_testing_cache_stats(const sc_ctx *ctx, uint64_t *hits, uint64_t *misses)
{
    if (ctx == NULL || hits == NULL || misses == NULL)
        return SC_ERR_ARG;
    cert_cache_stats(ctx->cache, hits, misses);
    return SC_OK;
}
