/* sc_ctx_*: context creation, credentials and preferences. */
#include "ctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "buf.h"
#include "canames.h"
#include "certload.h"
#include "sig.h"

/* Section 4: fewer than 2^30 bytes under one secret, the update included. */
#define KU_MAX_BYTES (((uint64_t)1 << 30) - 1)
/* One byte of data and the update's own byte. */
#define KU_MIN_BYTES 2
#define KU_MAX_RECORDS ((uint64_t)1 << 24)
#define CERT_CACHE_SLOTS 1024

static void set_list_text(char *out, size_t cap, const uint16_t *codes, size_t n, int suites)
{
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int row = suites ? algs_suite_by_code(codes[i]) : algs_group_by_code(codes[i]);
        const char *name = row < 0 ? "?" : suites ? algs_suites[row].name : kx_groups[row].name;
        int w = snprintf(out + used, cap - used, "%s%s", i ? ":" : "", name);
        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
    }
}

static void default_lists(sc_ctx *ctx)
{
    uint16_t avail[SC_MAX_OFFER];
    size_t n = 0;

    ctx->n_suites = 0;
    for (size_t i = 0; i < algs_suite_count; i++)
        if (ctx->algs.cipher[i] != NULL)
            ctx->suites[ctx->n_suites++] = algs_suites[i].code;
    /* Section "Defaults": ML-KEM-768 when offered, then none (the rows
     * of kx_groups marked by_default, in its order). */
    ctx->n_groups = 0;
    for (size_t i = 0; i < kx_group_count; i++) {
        uint16_t code = kx_groups[i].code;
        if (ctx->algs.group[i] == NULL)
            continue;
        avail[n++] = code;
        if (kx_groups[i].by_default)
            ctx->groups[ctx->n_groups++] = code;
    }
    set_list_text(ctx->list_text[0], sizeof(ctx->list_text[0]), ctx->suites, ctx->n_suites, 1);
    set_list_text(ctx->list_text[1], sizeof(ctx->list_text[1]), ctx->groups, ctx->n_groups, 0);
    set_list_text(ctx->list_text[2], sizeof(ctx->list_text[2]), ctx->suites, ctx->n_suites, 1);
    set_list_text(ctx->list_text[3], sizeof(ctx->list_text[3]), avail, n, 0);
}

sc_ctx *sc_ctx_new(OSSL_LIB_CTX *libctx, const char *propq, sc_role role, int *err)
{
    sc_ctx *ctx = calloc(1, sizeof(*ctx));
    int rc = SC_ERR_NOMEM;

    if (ctx == NULL)
        goto fail;
    ctx->refs = 1;
    ctx->role = role;
    ctx->verify_mode = SC_VERIFY_REQUIRED;
    ctx->ku_bytes = KU_MAX_BYTES;
    ctx->ku_records = KU_MAX_RECORDS;
    if ((rc = algs_fetch(&ctx->algs, libctx, propq)) != SC_OK)
        goto fail;
    rc = SC_ERR_NOMEM;
    if ((ctx->store = X509_STORE_new()) == NULL || (ctx->anchors = sk_X509_new_null()) == NULL
        || (ctx->cache = cert_cache_new(CERT_CACHE_SLOTS)) == NULL)
        goto fail;
    default_lists(ctx);
    if (err)
        *err = SC_OK;
    return ctx;
fail:
    sc_ctx_free(ctx);
    if (err)
        *err = rc;
    return NULL;
}

int sc_ctx_up_ref(sc_ctx *ctx)
{
    if (ctx == NULL)
        return SC_ERR_ARG;
    __atomic_add_fetch(&ctx->refs, 1, __ATOMIC_RELAXED);
    return SC_OK;
}

void sc_ctx_free(sc_ctx *ctx)
{
    if (ctx == NULL || __atomic_sub_fetch(&ctx->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    sk_X509_pop_free(ctx->chain, X509_free);
    free(ctx->chain_body);
    OPENSSL_free(ctx->ca_names);
    cert_cache_free(ctx->cache);
    EVP_PKEY_free(ctx->key);
    EVP_MD_CTX_free(ctx->signer);
    X509_STORE_free(ctx->store);
    sk_X509_pop_free(ctx->anchors, X509_free);
    free(ctx->server_name);
    algs_release(&ctx->algs);
    free(ctx);
}

/* Message 3 / 5 body: u8 n_certs, then u16 len || der each (section 4). */
static int encode_chain(STACK_OF(X509) * chain, uint8_t **out, size_t *out_len)
{
    sc_buf b = { 0 };
    int n = sk_X509_num(chain);

    if (n < 1 || n > 8 || buf_u8(&b, (uint8_t)n) != 0)
        goto fail;
    for (int i = 0; i < n; i++) {
        int len = i2d_X509(sk_X509_value(chain, i), NULL);
        uint8_t *w;
        if (len <= 0 || len > 0xFFFF || buf_u16(&b, (uint16_t)len) != 0
            || (w = buf_reserve(&b, (size_t)len)) == NULL
            || i2d_X509(sk_X509_value(chain, i), &w) != len)
            goto fail;
        buf_commit(&b, (size_t)len);
    }
    if (buf_len(&b) > 16384 || (*out = malloc(buf_len(&b))) == NULL)
        goto fail;
    memcpy(*out, buf_data(&b), buf_len(&b));
    *out_len = buf_len(&b);
    buf_free(&b);
    return SC_OK;
fail:
    buf_free(&b);
    return SC_ERR_LOAD;
}

int sc_ctx_load_cert_chain(sc_ctx *ctx, const char *source)
{
    uint8_t *body = NULL;
    size_t body_len = 0;
    STACK_OF(X509) *chain = NULL;
    int rc;

    if (ctx == NULL || source == NULL)
        return SC_ERR_ARG;
    rc = certload_chain(ctx->algs.libctx, ctx->algs.propq, source, &chain);
    if (rc != SC_OK)
        return rc;
    if ((ctx->key != NULL && !certload_key_matches(sk_X509_value(chain, 0), ctx->key))
        || encode_chain(chain, &body, &body_len) != SC_OK) {
        sk_X509_pop_free(chain, X509_free);
        return SC_ERR_LOAD;
    }
    sk_X509_pop_free(ctx->chain, X509_free);
    free(ctx->chain_body);
    ctx->chain = chain;
    ctx->chain_body = body;
    ctx->chain_body_len = body_len;
    return SC_OK;
}

int sc_ctx_load_private_key(sc_ctx *ctx, const char *source, const char *pass)
{
    EVP_PKEY *key = NULL;
    EVP_MD_CTX *signer = NULL;
    int rc;

    if (ctx == NULL || source == NULL)
        return SC_ERR_ARG;
    rc = certload_key(ctx->algs.libctx, ctx->algs.propq, source, pass, &key);
    if (rc != SC_OK)
        return rc;
    if (ctx->chain != NULL && !certload_key_matches(sk_X509_value(ctx->chain, 0), key)) {
        EVP_PKEY_free(key);
        return SC_ERR_LOAD;
    }
    /* Handshakes sign with copies of one prepared context. A key type
     * section 8 does not allow fails its handshakes, as before. */
    rc = sig_signer_new(ctx->algs.libctx, ctx->algs.propq, key, &signer);
    if (rc != SC_OK && rc != SC_ERR_UNSUPPORTED) {
        EVP_PKEY_free(key);
        return rc;
    }
    EVP_PKEY_free(ctx->key);
    EVP_MD_CTX_free(ctx->signer);
    ctx->key = key;
    ctx->signer = signer;
    return SC_OK;
}

int sc_ctx_load_trust(sc_ctx *ctx, const char *cafile, const char *capath)
{
    int rc;

    if (ctx == NULL || (cafile == NULL && capath == NULL))
        return SC_ERR_ARG;
    rc =
        certload_trust(ctx->algs.libctx, ctx->algs.propq, ctx->store, ctx->anchors, cafile, capath);
    if (rc == SC_OK) {
        uint8_t *names = NULL;
        size_t len = 0, n = 0;
        ctx->have_trust = 1;
        /* Section 4, message 4: only a hint, cut to what the message holds
         * (sc_ctx_ca_names_sent tells how many made it). */
        rc = canames_encode(ctx->anchors, CANAMES_MAX, &names, &len, &n);
        if (rc == SC_OK) {
            OPENSSL_free(ctx->ca_names);
            ctx->ca_names = names;
            ctx->ca_names_len = len;
            ctx->ca_names_n = n;
        }
    }
    ctx_trust_changed(ctx);
    return rc;
}

size_t sc_ctx_ca_names_sent(const sc_ctx *ctx, size_t *total)
{
    if (total != NULL)
        *total = ctx != NULL ? (size_t)sk_X509_num(ctx->anchors) : 0;
    return ctx != NULL ? ctx->ca_names_n : 0;
}

int sc_ctx_load_crl(sc_ctx *ctx, const char *crlfile)
{
    int rc;

    if (ctx == NULL || crlfile == NULL)
        return SC_ERR_ARG;
    rc = certload_crl(ctx->algs.libctx, ctx->algs.propq, ctx->store, crlfile);
    if (rc == SC_OK)
        ctx->have_crl = 1;
    ctx_trust_changed(ctx);
    return rc;
}

int sc_ctx_set_verify_mode(sc_ctx *ctx, sc_verify_mode mode)
{
    if (ctx == NULL || mode < SC_VERIFY_NONE || mode > SC_VERIFY_REQUIRED)
        return SC_ERR_ARG;
    ctx->verify_mode = mode;
    return SC_OK;
}

/* Parse "A:B,C" into codes, each a row the providers offer. */
static int parse_list(const sc_ctx *ctx, const char *list, int suites, uint16_t *codes, size_t *n)
{
    const char *p = list;

    *n = 0;
    if (list == NULL)
        return SC_ERR_ARG;
    while (*p) {
        size_t len = strcspn(p, ":, ");
        if (len > 0) {
            int row = suites ? algs_suite_by_name(p, len) : algs_group_by_name(p, len);
            int ok =
                row >= 0 && (suites ? ctx->algs.cipher[row] != NULL : ctx->algs.group[row] != NULL);
            if (!ok)
                return SC_ERR_UNSUPPORTED;
            uint16_t code = suites ? algs_suites[row].code : kx_groups[row].code;
            int dup = 0;
            for (size_t i = 0; i < *n; i++)
                dup |= codes[i] == code;
            if (!dup) {
                if (*n == SC_MAX_OFFER)
                    return SC_ERR_ARG;
                codes[(*n)++] = code;
            }
        }
        p += len;
        if (*p)
            p++;
    }
    return *n ? SC_OK : SC_ERR_ARG;
}

int sc_ctx_set_suites(sc_ctx *ctx, const char *list)
{
    uint16_t codes[SC_MAX_OFFER];
    size_t n;
    int rc;

    if (ctx == NULL)
        return SC_ERR_ARG;
    if ((rc = parse_list(ctx, list, 1, codes, &n)) != SC_OK)
        return rc;
    memcpy(ctx->suites, codes, n * sizeof(codes[0]));
    ctx->n_suites = n;
    set_list_text(ctx->list_text[0], sizeof(ctx->list_text[0]), codes, n, 1);
    return SC_OK;
}

int sc_ctx_set_groups(sc_ctx *ctx, const char *list)
{
    uint16_t codes[SC_MAX_OFFER];
    size_t n;
    int rc;

    if (ctx == NULL)
        return SC_ERR_ARG;
    if ((rc = parse_list(ctx, list, 0, codes, &n)) != SC_OK)
        return rc;
    memcpy(ctx->groups, codes, n * sizeof(codes[0]));
    ctx->n_groups = n;
    set_list_text(ctx->list_text[1], sizeof(ctx->list_text[1]), codes, n, 0);
    return SC_OK;
}

const char *sc_ctx_get_suites(const sc_ctx *ctx)
{
    return ctx->list_text[0];
}
const char *sc_ctx_get_groups(const sc_ctx *ctx)
{
    return ctx->list_text[1];
}
const char *sc_ctx_available_suites(const sc_ctx *ctx)
{
    return ctx->list_text[2];
}
const char *sc_ctx_available_groups(const sc_ctx *ctx)
{
    return ctx->list_text[3];
}

int sc_ctx_set_server_name(sc_ctx *ctx, const char *name, int disclose)
{
    char *copy = NULL;

    if (ctx == NULL)
        return SC_ERR_ARG;
    if (name != NULL && (strlen(name) > 255 || (copy = strdup(name)) == NULL))
        return name && strlen(name) > 255 ? SC_ERR_ARG : SC_ERR_NOMEM;
    free(ctx->server_name);
    ctx->server_name = copy;
    ctx->disclose_name = disclose;
    return SC_OK;
}

void sc_ctx_set_identity_cb(sc_ctx *ctx, sc_identity_cb cb, void *arg)
{
    ctx->identity_cb = cb;
    ctx->identity_arg = arg;
}

int sc_ctx_set_key_update_limits(sc_ctx *ctx, uint64_t bytes, uint64_t records)
{
    if (ctx == NULL)
        return SC_ERR_ARG;
    ctx->ku_bytes = bytes == 0 || bytes > KU_MAX_BYTES ? KU_MAX_BYTES : bytes;
    if (ctx->ku_bytes < KU_MIN_BYTES)
        ctx->ku_bytes = KU_MIN_BYTES;
    ctx->ku_records = records == 0 || records > KU_MAX_RECORDS ? KU_MAX_RECORDS : records;
    return SC_OK;
}

void sc_ctx_set_verify_time(sc_ctx *ctx, time_t t)
{
    ctx->verify_time = t;
    ctx_trust_changed(ctx);
}

/* Configuration comes before use (sovchain.h), so no connection holds a
 * cached chain while this runs. */
void ctx_trust_changed(sc_ctx *ctx)
{
    cert_cache_free(ctx->cache);
    ctx->cache = cert_cache_new(CERT_CACHE_SLOTS); /* NULL: no caching */
}

int ctx_offers_suite(const sc_ctx *ctx, uint16_t code)
{
    for (size_t i = 0; i < ctx->n_suites; i++)
        if (ctx->suites[i] == code)
            return 1;
    return 0;
}

int ctx_offers_group(const sc_ctx *ctx, uint16_t code)
{
    for (size_t i = 0; i < ctx->n_groups; i++)
        if (ctx->groups[i] == code)
            return 1;
    return 0;
}
