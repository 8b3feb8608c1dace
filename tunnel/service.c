/* Services: contexts built from the configuration, listeners, reload. */
#define _GNU_SOURCE
#include "service.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "allow.h"
#include "certinfo.h"
#include "log.h"
#include "systemd.h"

struct conf_ref *service_conf_ref_new(struct config *c)
{
    struct conf_ref *cr = calloc(1, sizeof(*cr));

    if (cr == NULL)
        return NULL;
    atomic_init(&cr->refs, 1);
    cr->conf = *c;
    memset(c, 0, sizeof(*c));
    return cr;
}

void service_conf_ref_put(struct conf_ref *cr)
{
    if (cr == NULL || atomic_fetch_sub(&cr->refs, 1) != 1)
        return;
    conf_free(&cr->conf);
    free(cr);
}

void service_gen_put(struct svc_gen *g)
{
    if (g == NULL || atomic_fetch_sub(&g->refs, 1) != 1)
        return;
    sc_ctx_free(g->ctx);
    viaurl_cred_free(&g->via_cred);
    service_conf_ref_put(g->cr);
    free(g);
}

struct svc_gen *service_gen_get(struct service *s)
{
    struct svc_gen *g;

    pthread_mutex_lock(&s->lock);
    g = s->gen;
    atomic_fetch_add(&g->refs, 1);
    pthread_mutex_unlock(&s->lock);
    return g;
}

/* Section 4, step 10: which verified clients are admitted is local policy. */
static int identity_cb(void *arg, X509 *leaf, const char *identity)
{
    const struct svc_cfg *cfg = arg;
    const char *why;

    if (allow_match(&cfg->allow, leaf, &why))
        return 1;
    log_notice("[%s] client %s not in allow list%s%s", cfg->name,
               leaf == NULL                                  ? "(no certificate)"
                   : identity == NULL || identity[0] == '\0' ? "(no identity)"
                                                             : identity,
               why != NULL ? ": " : "", why != NULL ? why : "");
    return 0;
}

/* "file:line: [svc] opt: what failed: engine error (openssl reason)" */
static void load_error(const struct config *c, const struct svc_cfg *s, const char *opt,
                       const char *what, int rc, struct cfg_err *err)
{
    char ossl[256] = "";
    unsigned long e = ERR_peek_last_error();

    if (e != 0) {
        ossl[0] = ' ';
        ossl[1] = '(';
        ERR_error_string_n(e, ossl + 2, sizeof(ossl) - 4);
        strcat(ossl, ")");
    }
    ERR_clear_error();
    conf_error(c, opt != NULL ? conf_svc_line(s, opt) : s->line, err, "[%s] %s%s%s: %s%s", s->name,
               opt != NULL ? opt : "", opt != NULL ? ": " : "", what, sc_strerror(rc), ossl);
}

static const sc_verify_mode verify_modes[] = {
    [VERIFY_REQUIRED] = SC_VERIFY_REQUIRED,
    [VERIFY_OPTIONAL] = SC_VERIFY_OPTIONAL,
    [VERIFY_NONE] = SC_VERIFY_NONE,
};

/* Like ssh, say so when a private key file is open to group or others;
 * checked at each load (start, -t, SIGHUP), as the mode may change. The
 * loader reports a file it cannot read. */
static void check_key_mode(const struct svc_cfg *s)
{
    const char *path = conf_file_path(s->key);
    struct stat st;

    if (path == NULL || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        log_warning("[%s] key %s: mode %04o gives group or others access to "
                    "a private key; make it 0600 or stricter",
                    s->name, path, (unsigned)(st.st_mode & 07777));
}

static int configure_ctx(const struct config *c, const struct svc_cfg *s, sc_ctx *ctx,
                         struct cfg_err *err)
{
    struct stat st;
    int rc;

    if (s->cert != NULL && (rc = sc_ctx_load_cert_chain(ctx, s->cert)) != SC_OK) {
        load_error(c, s, "cert", s->cert, rc, err);
        return -1;
    }
    if (s->key != NULL)
        check_key_mode(s);
    if (s->key != NULL && (rc = sc_ctx_load_private_key(ctx, s->key, NULL)) != SC_OK) {
        load_error(c, s, "key", s->key, rc, err);
        return -1;
    }
    if (stat(s->ca, &st) == 0 && S_ISDIR(st.st_mode))
        rc = sc_ctx_load_trust(ctx, NULL, s->ca);
    else
        rc = sc_ctx_load_trust(ctx, s->ca, NULL);
    if (rc != SC_OK) {
        load_error(c, s, "ca", s->ca, rc, err);
        return -1;
    }
    /* The CA names of message 4 are cut to what one handshake message
     * holds: said once per load, the handshakes themselves are fine. */
    if (s->mode == MODE_SERVER && s->verify != VERIFY_NONE) {
        size_t total, sent = sc_ctx_ca_names_sent(ctx, &total);

        if (sent < total)
            log_warning("[%s] ca %s: only the first %zu of %zu CA names fit "
                        "in the hint sent to clients; the rest are trusted "
                        "but not named",
                        s->name, s->ca, sent, total);
    }
    if (s->crl != NULL && (rc = sc_ctx_load_crl(ctx, s->crl)) != SC_OK) {
        load_error(c, s, "crl", s->crl, rc, err);
        return -1;
    }
    if (s->ciphers != NULL && (rc = sc_ctx_set_suites(ctx, s->ciphers)) != SC_OK) {
        load_error(c, s, "ciphers", s->ciphers, rc, err);
        return -1;
    }
    if (s->groups != NULL && (rc = sc_ctx_set_groups(ctx, s->groups)) != SC_OK) {
        load_error(c, s, "groups", s->groups, rc, err);
        return -1;
    }
    if ((rc = sc_ctx_set_key_update_limits(ctx, s->rekey_bytes, 0)) != SC_OK) {
        load_error(c, s, "rekey_bytes", "limit", rc, err);
        return -1;
    }
    if (s->mode == MODE_SERVER) {
        if ((rc = sc_ctx_set_verify_mode(ctx, verify_modes[s->verify])) != SC_OK) {
            load_error(c, s, "verify", "mode", rc, err);
            return -1;
        }
        if (s->allow.n > 0)
            sc_ctx_set_identity_cb(ctx, identity_cb, (void *)s);
        sc_ctx_set_deferred_open(ctx, s->deferred_open);
    } else if ((rc = sc_ctx_set_server_name(ctx, s->server_name, 1)) != SC_OK) {
        load_error(c, s, "server_name", s->server_name, rc, err);
        return -1;
    }
    return 0;
}

/* The proxy credentials of connect_via_auth, read at each load (start,
 * -t, SIGHUP) like the other credentials, so a changed file is taken up. */
static int load_via_auth(const struct config *c, const struct svc_cfg *s, struct svc_gen *g,
                         struct cfg_err *err)
{
    char why[400];

    if (s->via == NULL || s->connect_via_auth == NULL)
        return 0;
    if (viaurl_read_auth(&g->via_cred, s->connect_via_auth, s->via->scheme, why, sizeof(why))
        != 0) {
        conf_error(c, conf_svc_line(s, "connect_via_auth"), err, "[%s] connect_via_auth: %s",
                   s->name, why);
        return -1;
    }
    return 0;
}

/* WebSocket needs SHA-1 for its upgrade (RFC 6455's accept value): said
 * at load, not at every connection, when the providers have none. */
static int check_ws_sha1(const struct runtime *rt, const struct config *c, const struct svc_cfg *s,
                         struct cfg_err *err)
{
    const char *opt = s->websocket ? "websocket" : "transport";

    if ((!s->websocket && s->transport != TRANSPORT_WEBSOCKET) || rt->ws_sha1 != NULL)
        return 0;
    conf_error(c, conf_svc_line(s, opt), err,
               "[%s] %s: WebSocket needs SHA-1 for its upgrade and the configured providers "
               "offer none",
               s->name, opt);
    return -1;
}

static struct svc_gen *build_gen(struct runtime *rt, struct conf_ref *cr, const struct svc_cfg *s,
                                 struct cfg_err *err)
{
    struct svc_gen *g = calloc(1, sizeof(*g));
    int rc = SC_OK;

    if (g == NULL) {
        conf_error(&cr->conf, s->line, err, "out of memory");
        return NULL;
    }
    atomic_init(&g->refs, 1);
    g->cfg = s;
    g->ctx = sc_ctx_new(rt->libctx, rt->propq,
                        s->mode == MODE_SERVER ? SC_ROLE_SERVER : SC_ROLE_CLIENT, &rc);
    if (g->ctx == NULL) {
        load_error(&cr->conf, s, NULL, "context", rc, err);
        free(g);
        return NULL;
    }
    if (configure_ctx(&cr->conf, s, g->ctx, err) != 0 || load_via_auth(&cr->conf, s, g, err) != 0
        || check_ws_sha1(rt, &cr->conf, s, err) != 0) {
        sc_ctx_free(g->ctx);
        free(g);
        return NULL;
    }
    /* Said at every load (start, -t, reload), so that it is seen. */
    g->cert_expiry = certinfo_not_after(s->cert, 0);
    g->ca_expiry = certinfo_not_after(s->ca, 1);
    certinfo_warn(s->name, "cert", s->cert, g->cert_expiry);
    certinfo_warn(s->name, "ca", s->ca, g->ca_expiry);
    atomic_fetch_add(&cr->refs, 1);
    g->cr = cr;
    return g;
}

int service_runtime_init(struct runtime *rt, const struct global_cfg *g, struct cfg_err *err)
{
    char *list, *name, *save = NULL;

    memset(rt, 0, sizeof(*rt));
    if (g->propquery != NULL && (rt->propq = strdup(g->propquery)) == NULL)
        goto nomem;
    if (g->providers == NULL)
        goto fetch;
    if ((rt->libctx = OSSL_LIB_CTX_new()) == NULL)
        goto nomem;
    if ((list = strdup(g->providers)) == NULL)
        goto nomem;
    for (name = strtok_r(list, ", ", &save); name != NULL; name = strtok_r(NULL, ", ", &save)) {
        OSSL_PROVIDER **np = realloc(rt->provs, (rt->nprov + 1) * sizeof(*np));

        if (np == NULL) {
            free(list);
            goto nomem;
        }
        rt->provs = np;
        if ((rt->provs[rt->nprov] = OSSL_PROVIDER_load(rt->libctx, name)) == NULL) {
            snprintf(err->msg, sizeof(err->msg),
                     "sctunnel: providers: cannot load OpenSSL provider '%s'", name);
            free(list);
            ERR_clear_error();
            service_runtime_close(rt);
            return -1;
        }
        rt->nprov++;
    }
    free(list);
fetch:
    if ((rt->ws_sha1 = EVP_MD_fetch(rt->libctx, "SHA1", rt->propq)) == NULL)
        ERR_clear_error();
    return 0;
nomem:
    snprintf(err->msg, sizeof(err->msg), "sctunnel: out of memory");
    service_runtime_close(rt);
    return -1;
}

static struct svc_gen **build_all(struct runtime *rt, struct conf_ref *cr, struct cfg_err *err)
{
    struct svc_gen **gens = calloc(cr->conf.nsvc + 1, sizeof(*gens));
    size_t i;

    if (gens == NULL) {
        snprintf(err->msg, sizeof(err->msg), "sctunnel: out of memory");
        return NULL;
    }
    for (i = 0; i < cr->conf.nsvc; i++) {
        if ((gens[i] = build_gen(rt, cr, &cr->conf.svc[i], err)) == NULL) {
            while (i-- > 0)
                service_gen_put(gens[i]);
            free(gens);
            return NULL;
        }
    }
    return gens;
}

/* A client's plaintext side taken from systemd: the address rule of
 * conf_validate(), now that the address is known. */
static int check_passed_plain(const struct service *sv, const struct svc_cfg *s)
{
    struct addr local;

    memset(&local, 0, sizeof(local));
    local.salen = sizeof(local.sa);
    if (s->mode != MODE_CLIENT || s->allow_public_plaintext
        || getsockname(sv->fd, (struct sockaddr *)&local.sa, &local.salen) != 0)
        return 0;
    return addr_is_local(&local) ? 0 : -1;
}

static int listen_service(struct service *sv, const struct svc_cfg *s, const struct config *c,
                          int listen, struct cfg_err *err)
{
    const char *sdname = addr_systemd_name(&s->accept);
    char why[256];

    if (sdname != NULL) {
        sv->fd = systemd_listen_fd(sdname, why, sizeof(why));
        sv->inherited = 1;
        if (sv->fd == -2 && listen == SERVICE_CHECK) {
            /* sctunnel -t outside systemd: the rest can still be checked. */
            snprintf(sv->bound, sizeof(sv->bound), "%s", s->accept.text);
            sv->fd = -1;
            return 0;
        }
        if (sv->fd < 0) {
            conf_error(c, conf_svc_line(s, "accept"), err, "[%s] accept %s: %s", s->name,
                       s->accept.text, why);
            return -1;
        }
        addr_format_local(sv->fd, sv->bound, sizeof(sv->bound));
        if (check_passed_plain(sv, s) != 0) {
            conf_error(c, conf_svc_line(s, "accept"), err,
                       "[%s] plaintext address %s (%s) is not loopback or a Unix socket (set "
                       "allow_public_plaintext = yes)",
                       s->name, sv->bound, s->accept.text);
            return -1;
        }
        return 0;
    }
    if ((sv->fd = addr_listen(&s->accept)) < 0) {
        conf_error(c, conf_svc_line(s, "accept"), err, "[%s] accept %s: %s", s->name,
                   s->accept.text, strerror(errno));
        return -1;
    }
    addr_format_local(sv->fd, sv->bound, sizeof(sv->bound));
    if (addr_is_unix(&s->accept)) {
        const struct sockaddr_un *un = (const struct sockaddr_un *)&s->accept.sa;

        sv->unix_path = strdup(un->sun_path);
    }
    return 0;
}

int service_runtime_open(struct runtime *rt, struct conf_ref *cr, int listen, struct cfg_err *err)
{
    struct svc_gen **gens = build_all(rt, cr, err);
    size_t i, n = cr->conf.nsvc;

    if (gens == NULL)
        return -1;
    if ((rt->svc = calloc(n, sizeof(*rt->svc))) == NULL) {
        snprintf(err->msg, sizeof(err->msg), "sctunnel: out of memory");
        for (i = 0; i < n; i++)
            service_gen_put(gens[i]);
        free(gens);
        return -1;
    }
    for (i = 0; i < n; i++) {
        struct service *sv = &rt->svc[i];

        sv->fd = -1;
        sv->gen = gens[i];
        pthread_mutex_init(&sv->lock, NULL);
        atomic_init(&sv->live, 0);
        rt->nsvc++;
        if ((sv->name = strdup(gens[i]->cfg->name)) == NULL
            || (listen != SERVICE_NO_LISTEN
                && listen_service(sv, gens[i]->cfg, &cr->conf, listen, err) != 0)) {
            int bind_failed = sv->name != NULL;

            if (sv->name == NULL)
                snprintf(err->msg, sizeof(err->msg), "sctunnel: out of memory");
            while (++i < n)
                service_gen_put(gens[i]);
            free(gens);
            service_runtime_close(rt);
            return bind_failed ? -2 : -1;
        }
    }
    free(gens);
    return 0;
}

int service_runtime_reload(struct runtime *rt, struct conf_ref *cr, struct cfg_err *err)
{
    struct svc_gen **gens = build_all(rt, cr, err);
    size_t i, j;

    if (gens == NULL)
        return -1;
    for (i = 0; i < cr->conf.nsvc; i++) {
        const struct svc_cfg *s = gens[i]->cfg;
        struct svc_gen *old = NULL;

        for (j = 0; j < rt->nsvc; j++)
            if (strcmp(rt->svc[j].name, s->name) == 0)
                break;
        if (j == rt->nsvc) {
            log_warning("reload: new service [%s] needs a restart", s->name);
            service_gen_put(gens[i]);
            continue;
        }
        if (strcmp(rt->svc[j].gen->cfg->accept.text ? rt->svc[j].gen->cfg->accept.text : "",
                   s->accept.text ? s->accept.text : "")
            != 0)
            log_warning("reload: [%s] a new accept address needs a restart; "
                        "still listening on %s",
                        s->name, rt->svc[j].bound);
        pthread_mutex_lock(&rt->svc[j].lock);
        old = rt->svc[j].gen;
        rt->svc[j].gen = gens[i];
        pthread_mutex_unlock(&rt->svc[j].lock);
        service_gen_put(old);
    }
    free(gens);
    return 0;
}

void service_runtime_close(struct runtime *rt)
{
    size_t i;

    for (i = 0; i < rt->nsvc; i++) {
        struct service *sv = &rt->svc[i];

        if (sv->fd >= 0)
            close(sv->fd);
        if (sv->unix_path != NULL)
            unlink(sv->unix_path);
        free(sv->unix_path);
        free(sv->name);
        service_gen_put(sv->gen);
        pthread_mutex_destroy(&sv->lock);
    }
    free(rt->svc);
    for (i = 0; i < rt->nprov; i++)
        OSSL_PROVIDER_unload(rt->provs[i]);
    free(rt->provs);
    EVP_MD_free(rt->ws_sha1);
    OSSL_LIB_CTX_free(rt->libctx);
    free(rt->propq);
    memset(rt, 0, sizeof(*rt));
}
