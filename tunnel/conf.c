/*
 * The configuration file: INI with global keys first, then one [name]
 * section per service. Every value goes through conf_set(), which the
 * command line uses too, so both accept exactly the same options.
 */
#define _GNU_SOURCE
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longest line of the configuration file. */
#define LINE_MAX_LEN 4096

void conf_error(const struct config *c, unsigned line, struct cfg_err *err, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (c->file != NULL && line > 0)
        n = snprintf(err->msg, sizeof(err->msg), "%s:%u: ", c->file, line);
    else if (c->file != NULL)
        n = snprintf(err->msg, sizeof(err->msg), "%s: ", c->file);
    else
        n = snprintf(err->msg, sizeof(err->msg), "sctunnel: ");
    if (n < 0 || (size_t)n >= sizeof(err->msg))
        n = 0;
    va_start(ap, fmt);
    vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
    va_end(ap);
}

int conf_parse_bool(const char *s, int *out)
{
    static const char *const yes[] = { "yes", "true", "on", "1", NULL };
    static const char *const no[] = { "no", "false", "off", "0", NULL };
    size_t i;

    for (i = 0; yes[i] != NULL; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

/* Digits then an optional unit; the number must fit the unit's scale. */
static int parse_scaled(const char *s, const char *const *units, const uint64_t *scale,
                        uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;
    size_t i;

    if (!isdigit((unsigned char)s[0]))
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0)
        return -1;
    for (i = 0; units[i] != NULL; i++)
        if (strcasecmp(end, units[i]) == 0)
            break;
    if (units[i] == NULL)
        return -1;
    if (v != 0 && (uint64_t)v > max / scale[i])
        return -1;
    *out = (uint64_t)v * scale[i];
    return 0;
}

int conf_parse_msec(const char *s, unsigned *out)
{
    /* A bare number is seconds, the unit users think in. */
    static const char *const units[] = { "", "s", "ms", "m", "h", NULL };
    static const uint64_t scale[] = { 1000, 1000, 1, 60000, 3600000 };
    uint64_t v;

    if (parse_scaled(s, units, scale, 0xffffffffu, &v) != 0)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int conf_parse_size(const char *s, uint64_t *out)
{
    static const char *const units[] = { "", "K", "M", "G", "KiB", "MiB", "GiB", NULL };
    static const uint64_t scale[] = {
        1, 1u << 10, 1u << 20, 1u << 30, 1u << 10, 1u << 20, 1u << 30
    };

    return parse_scaled(s, units, scale, UINT64_MAX, out);
}

static int parse_uint(const char *s, unsigned *out)
{
    static const char *const units[] = { "", NULL };
    static const uint64_t scale[] = { 1 };
    uint64_t v;

    if (parse_scaled(s, units, scale, 0xffffffffu, &v) != 0)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int strv_add(struct strv *v, const char *s)
{
    char **nv = realloc(v->v, (v->n + 1) * sizeof(*nv));

    if (nv == NULL)
        return -1;
    v->v = nv;
    if ((v->v[v->n] = strdup(s)) == NULL)
        return -1;
    v->n++;
    return 0;
}

static void strv_free(struct strv *v)
{
    size_t i;

    for (i = 0; i < v->n; i++)
        free(v->v[i]);
    free(v->v);
    v->v = NULL;
    v->n = 0;
}

static int is_repeatable(const struct opt_row *r)
{
    return r->type == OPT_STRV || r->type == OPT_ADDRV;
}

/* Store `value` into the field the row points at. */
static int set_value(struct config *c, const struct opt_row *r, void *field, const char *value,
                     unsigned line, const char *where, struct cfg_err *err)
{
    char aerr[256];
    size_t i;

    switch (r->type) {
    case OPT_BOOL:
        if (conf_parse_bool(value, (int *)field) != 0)
            goto bad;
        return 0;
    case OPT_UINT:
        if (parse_uint(value, (unsigned *)field) != 0)
            goto bad;
        return 0;
    case OPT_MSEC:
        if (conf_parse_msec(value, (unsigned *)field) != 0)
            goto bad;
        return 0;
    case OPT_SIZE:
        if (conf_parse_size(value, (uint64_t *)field) != 0)
            goto bad;
        return 0;
    case OPT_STR:
        if (value[0] == '\0')
            goto bad;
        free(*(char **)field);
        if ((*(char **)field = strdup(value)) == NULL)
            goto nomem;
        return 0;
    case OPT_STRV:
        if (value[0] == '\0')
            goto bad;
        if (strv_add(field, value) != 0)
            goto nomem;
        return 0;
    case OPT_ADDR: {
        struct addr *a = field;

        addr_clear(a);
        if (addr_parse(a, value, aerr, sizeof(aerr)) != 0) {
            conf_error(c, line, err, "%s%s%s", where ? where : "", where ? ": " : "", aerr);
            return -1;
        }
        return 0;
    }
    case OPT_ADDRV: {
        struct addrv *v = field;
        struct addr *nv = realloc(v->v, (v->n + 1) * sizeof(*nv));

        if (nv == NULL)
            goto nomem;
        v->v = nv;
        /* Names are resolved by conf_validate, and not at all for a client
         * that goes through a proxy: the proxy resolves them. */
        if (addr_parse_name(&v->v[v->n], value, aerr, sizeof(aerr)) != 0) {
            conf_error(c, line, err, "%s%s%s", where ? where : "", where ? ": " : "", aerr);
            return -1;
        }
        v->v[v->n++].line = line;
        return 0;
    }
    case OPT_ENUM:
        for (i = 0; r->choices[i] != NULL; i++) {
            if (strcasecmp(value, r->choices[i]) == 0) {
                *(int *)field = (int)i;
                return 0;
            }
        }
        goto bad;
    }
bad:
    conf_error(c, line, err, "%s%sbad value '%s' for %s (expected %s)", where ? where : "",
               where ? ": " : "", value, r->name, r->arg);
    return -1;
nomem:
    conf_error(c, line, err, "out of memory");
    return -1;
}

int conf_set(struct config *c, struct svc_cfg *svc, const char *name, const char *value,
             unsigned line, const char *where, struct cfg_err *err)
{
    const struct opt_row *r = options_find(name);
    unsigned *lines;
    void *base;

    if (r == NULL) {
        conf_error(c, line, err, "%s%sunknown option '%s'", where ? where : "", where ? ": " : "",
                   name);
        return -1;
    }
    if (r->scope == OPT_SERVICE && svc == NULL) {
        conf_error(c, line, err, "%s%s'%s' is a service option: put it in a [section]",
                   where ? where : "", where ? ": " : "", r->name);
        return -1;
    }
    if (r->scope == OPT_GLOBAL && svc != NULL && c->file != NULL) {
        conf_error(c, line, err,
                   "'%s' is a global option: put it before the first "
                   "[section]",
                   r->name);
        return -1;
    }
    base = r->scope == OPT_GLOBAL ? (void *)&c->g : (void *)svc;
    lines = r->scope == OPT_GLOBAL ? c->g.lines : svc->lines;
    if (lines[options_index(r)] != 0 && !is_repeatable(r) && c->file != NULL) {
        conf_error(c, line, err, "'%s' already set on line %u", r->name, lines[options_index(r)]);
        return -1;
    }
    if (set_value(c, r, (char *)base + r->offset, value, line, where, err) != 0)
        return -1;
    /* The command line has no lines: remember that the option was given. */
    lines[options_index(r)] = line > 0 ? line : 1;
    return 0;
}

/* Apply the defaults of one scope to `base`. */
static int set_defaults(struct config *c, enum opt_scope scope, void *base)
{
    struct cfg_err err;
    size_t i;

    for (i = 0; i < opt_count; i++) {
        const struct opt_row *r = &opt_table[i];

        if (r->scope != scope || r->def == NULL)
            continue;
        if (set_value(c, r, (char *)base + r->offset, r->def, 0, NULL, &err) != 0)
            return -1;
    }
    return 0;
}

int conf_init(struct config *c, const char *file)
{
    memset(c, 0, sizeof(*c));
    if (file != NULL && (c->file = strdup(file)) == NULL)
        return -1;
    if ((c->g.lines = calloc(opt_count, sizeof(unsigned))) == NULL)
        return -1;
    return set_defaults(c, OPT_GLOBAL, &c->g);
}

struct svc_cfg *conf_add_service(struct config *c, const char *name, unsigned line)
{
    struct svc_cfg *nv = realloc(c->svc, (c->nsvc + 1) * sizeof(*nv));
    struct svc_cfg *s;

    if (nv == NULL)
        return NULL;
    c->svc = nv;
    s = &c->svc[c->nsvc];
    memset(s, 0, sizeof(*s));
    s->line = line;
    s->mode = -1;
    s->name = strdup(name);
    s->lines = calloc(opt_count, sizeof(unsigned));
    c->nsvc++;
    if (s->name == NULL || s->lines == NULL || set_defaults(c, OPT_SERVICE, s) != 0)
        return NULL;
    return s;
}

/* Free the heap fields a row describes. */
static void free_fields(enum opt_scope scope, void *base)
{
    size_t i, j;

    for (i = 0; i < opt_count; i++) {
        const struct opt_row *r = &opt_table[i];
        void *f = (char *)base + r->offset;

        if (r->scope != scope)
            continue;
        switch (r->type) {
        case OPT_STR:
            free(*(char **)f);
            break;
        case OPT_STRV:
            strv_free(f);
            break;
        case OPT_ADDR:
            addr_clear(f);
            break;
        case OPT_ADDRV: {
            struct addrv *v = f;

            for (j = 0; j < v->n; j++)
                addr_clear(&v->v[j]);
            free(v->v);
            break;
        }
        default:
            break;
        }
    }
}

void conf_free(struct config *c)
{
    size_t i;

    for (i = 0; i < c->nsvc; i++) {
        if (c->svc[i].via != NULL)
            viaurl_free(c->svc[i].via);
        free(c->svc[i].via);
        free_fields(OPT_SERVICE, &c->svc[i]);
        free(c->svc[i].name);
        free(c->svc[i].lines);
    }
    free(c->svc);
    free_fields(OPT_GLOBAL, &c->g);
    free(c->g.lines);
    free(c->file);
    memset(c, 0, sizeof(*c));
}

unsigned conf_svc_line(const struct svc_cfg *s, const char *name)
{
    const struct opt_row *r = options_find(name);
    unsigned l = r != NULL ? s->lines[options_index(r)] : 0;

    return l != 0 ? l : s->line;
}

static char *trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int valid_section_name(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++)
        if (!isalnum((unsigned char)*s) && strchr("-_.", *s) == NULL)
            return 0;
    return 1;
}

/* One line of the file: blank, comment, [section] or key = value. */
static int parse_line(struct config *c, struct svc_cfg **cur, char *raw, unsigned lineno,
                      struct cfg_err *err)
{
    char *s = trim(raw), *eq, *key, *val, *end;
    size_t i;

    if (*s == '\0' || *s == '#' || *s == ';')
        return 0;
    if (*s == '[') {
        end = strchr(s, ']');
        if (end == NULL || *trim(end + 1) != '\0') {
            conf_error(c, lineno, err, "bad section header");
            return -1;
        }
        *end = '\0';
        key = trim(s + 1);
        if (!valid_section_name(key)) {
            conf_error(c, lineno, err, "bad section name '%s'", key);
            return -1;
        }
        for (i = 0; i < c->nsvc; i++) {
            if (strcmp(c->svc[i].name, key) == 0) {
                conf_error(c, lineno, err, "service '%s' already defined on line %u", key,
                           c->svc[i].line);
                return -1;
            }
        }
        if ((*cur = conf_add_service(c, key, lineno)) == NULL) {
            conf_error(c, lineno, err, "out of memory");
            return -1;
        }
        return 0;
    }
    if ((eq = strchr(s, '=')) == NULL) {
        conf_error(c, lineno, err, "expected 'key = value'");
        return -1;
    }
    *eq = '\0';
    key = trim(s);
    val = trim(eq + 1);
    if (*key == '\0') {
        conf_error(c, lineno, err, "missing key before '='");
        return -1;
    }
    if (*val == '\0') {
        conf_error(c, lineno, err, "missing value for '%s'", key);
        return -1;
    }
    if (strchr(key, '-') != NULL) {
        /* The file spells options with underscores only. */
        conf_error(c, lineno, err, "unknown option '%s' (use underscores)", key);
        return -1;
    }
    return conf_set(c, *cur, key, val, lineno, NULL, err);
}

int conf_load_stream(struct config *c, FILE *f, struct cfg_err *err)
{
    char line[LINE_MAX_LEN + 2];
    struct svc_cfg *cur = NULL;
    unsigned lineno = 0;
    int rc = 0;

    while (fgets(line, sizeof(line), f) != NULL) {
        size_t n = strlen(line);

        lineno++;
        if (n > 0 && line[n - 1] != '\n' && !feof(f)) {
            conf_error(c, lineno, err, "line too long");
            rc = -1;
            break;
        }
        if (parse_line(c, &cur, line, lineno, err) != 0) {
            rc = -1;
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        conf_error(c, lineno, err, "read error");
        rc = -1;
    }
    if (rc == 0 && c->nsvc == 0) {
        conf_error(c, lineno, err, "no [service] section");
        rc = -1;
    }
    return rc;
}

int conf_load_file(struct config *c, const char *path, struct cfg_err *err)
{
    FILE *f;
    int rc;

    if ((f = fopen(path, "r")) == NULL) {
        conf_error(c, 0, err, "%s", strerror(errno));
        return -1;
    }
    rc = conf_load_stream(c, f, err);
    fclose(f);
    return rc;
}

const char *conf_file_path(const char *source)
{
    if (source == NULL
        || (strchr(source, ':') != NULL && source[0] != '/' && strncmp(source, "file:", 5) != 0))
        return NULL;
    return strncmp(source, "file:", 5) == 0 ? source + 5 : source;
}

/* Files must exist and be readable (a store URI such as "pkcs11:" is left
 * to the loader). */
static int check_file(struct config *c, const struct svc_cfg *s, const char *opt,
                      const char *source, struct cfg_err *err)
{
    const char *path = conf_file_path(source);

    if (path == NULL)
        return 0;
    if (access(path, R_OK) != 0) {
        conf_error(c, conf_svc_line(s, opt), err, "[%s] %s: %s: %s", s->name, opt, path,
                   strerror(errno));
        return -1;
    }
    return 0;
}

/* Options that mean something in one mode only: set in the other, they
 * would be silently ignored, so they are errors. */
static int mode_only(const struct config *c, const struct svc_cfg *s, struct cfg_err *err)
{
    static const struct {
        const char *name;
        int mode;
    } rows[] = {
        { "pool", MODE_CLIENT },
        { "pool_max_age", MODE_CLIENT },
        { "deferred_open", MODE_SERVER },
        { "unopened_timeout", MODE_SERVER },
        { "transport", MODE_CLIENT },
        { "ws_host", MODE_CLIENT },
        { "websocket", MODE_SERVER },
        { "proxy_protocol", MODE_SERVER },
        { "proxy_protocol_cert", MODE_SERVER },
        { "accept_proxy", MODE_SERVER },
    };
    size_t i;

    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (s->mode != rows[i].mode && s->lines[options_index(options_find(rows[i].name))] != 0) {
            conf_error(c, conf_svc_line(s, rows[i].name), err, "[%s] '%s' applies to %s only",
                       s->name, rows[i].name, rows[i].mode == MODE_CLIENT ? "clients" : "servers");
            return -1;
        }
    }
    if (s->proxy_protocol_cert && s->proxy_protocol != PP_V2) {
        conf_error(c, conf_svc_line(s, "proxy_protocol_cert"), err,
                   "[%s] 'proxy_protocol_cert' needs proxy_protocol = v2", s->name);
        return -1;
    }
    if (s->mode == MODE_CLIENT && s->pool > 0 && s->pool_max_age < 1000) {
        conf_error(c, conf_svc_line(s, "pool_max_age"), err,
                   "[%s] pool_max_age must be at least 1s", s->name);
        return -1;
    }
    return 0;
}

/* connect_via: a client's proxy, and what it can be asked for. */
static int validate_via(struct config *c, struct svc_cfg *s, struct cfg_err *err)
{
    char why[300], host[256];
    unsigned port;
    size_t i;

    if (s->via != NULL) { /* validated before */
        viaurl_free(s->via);
        free(s->via);
        s->via = NULL;
    }
    if (s->connect_via == NULL) {
        if (s->connect_via_auth == NULL)
            return 0;
        conf_error(c, conf_svc_line(s, "connect_via_auth"), err,
                   "[%s] 'connect_via_auth' without 'connect_via'", s->name);
        return -1;
    }
    if (s->mode != MODE_CLIENT) {
        conf_error(c, conf_svc_line(s, "connect_via"), err,
                   "[%s] 'connect_via' applies to clients only", s->name);
        return -1;
    }
    if ((s->via = calloc(1, sizeof(*s->via))) == NULL) {
        conf_error(c, conf_svc_line(s, "connect_via"), err, "out of memory");
        return -1;
    }
    if (viaurl_parse(s->via, s->connect_via, why, sizeof(why)) != 0) {
        free(s->via);
        s->via = NULL;
        conf_error(c, conf_svc_line(s, "connect_via"), err, "[%s] connect_via: %s", s->name, why);
        return -1;
    }
    /* One source of credentials: two would leave the reader guessing
     * which one the proxy gets. */
    if (s->via->cred.user != NULL && s->connect_via_auth != NULL) {
        conf_error(c, conf_svc_line(s, "connect_via_auth"), err,
                   "[%s] proxy credentials given twice: in the connect_via URL and in "
                   "connect_via_auth; keep one",
                   s->name);
        return -1;
    }
    for (i = 0; i < s->connect.n; i++) {
        const struct addr *a = &s->connect.v[i];

        if (addr_is_unix(a) || addr_split(a->text, host, sizeof(host), &port, why, sizeof(why)) != 0
            || !viaurl_target_ok(host) || port == 0) {
            conf_error(c, a->line, err,
                       "[%s] connect %s: a proxy is asked for host:port (a name or an IP "
                       "address), not this",
                       s->name, a->text);
            return -1;
        }
    }
    return 0;
}

/* Resolve the connect addresses, unless a proxy will. */
static int resolve_connect(struct config *c, struct svc_cfg *s, struct cfg_err *err)
{
    char why[300];
    size_t i;

    if (s->via != NULL)
        return 0;
    for (i = 0; i < s->connect.n; i++) {
        if (addr_resolve(&s->connect.v[i], why, sizeof(why)) != 0) {
            conf_error(c, s->connect.v[i].line, err, "%s%s", c->file == NULL ? "--connect: " : "",
                       why);
            return -1;
        }
    }
    return 0;
}

/* Visible ASCII only: the value goes into an HTTP request line or field. */
static int http_safe(const char *v)
{
    for (; *v != '\0'; v++)
        if ((unsigned char)*v <= 0x20 || (unsigned char)*v >= 0x7f)
            return 0;
    return 1;
}

/* The WebSocket values must be fit for an HTTP request. */
static int validate_websocket(struct config *c, const struct svc_cfg *s, struct cfg_err *err)
{
    if (s->ws_path[0] != '/' || !http_safe(s->ws_path) || strlen(s->ws_path) > 256) {
        conf_error(c, conf_svc_line(s, "ws_path"), err,
                   "[%s] ws_path '%s': expected an absolute path of at most 256 visible "
                   "characters",
                   s->name, s->ws_path);
        return -1;
    }
    if (s->ws_host != NULL && (!http_safe(s->ws_host) || strlen(s->ws_host) > 255)) {
        conf_error(c, conf_svc_line(s, "ws_host"), err,
                   "[%s] ws_host '%s': expected a host[:port] of at most 255 visible characters",
                   s->name, s->ws_host);
        return -1;
    }
    return 0;
}

static int validate_service(struct config *c, struct svc_cfg *s, struct cfg_err *err)
{
    static const char *const required[] = { "mode", "connect", "ca", NULL };
    const struct addr *plain;
    size_t i, nplain;

    for (i = 0; required[i] != NULL; i++) {
        if (s->lines[options_index(options_find(required[i]))] == 0) {
            conf_error(c, s->line, err, "[%s] missing '%s'", s->name, required[i]);
            return -1;
        }
    }
    /* A client may go without a certificate (to a server whose verify is
     * optional or none); a server always proves its identity. */
    if (s->mode == MODE_SERVER && (s->cert == NULL || s->key == NULL)) {
        conf_error(c, s->line, err, "[%s] missing '%s'", s->name, s->cert == NULL ? "cert" : "key");
        return -1;
    }
    if ((s->cert == NULL) != (s->key == NULL)) {
        conf_error(c, s->line, err, "[%s] 'cert' and 'key' go together", s->name);
        return -1;
    }
    if (s->accept.text == NULL && !(s->mode == MODE_CLIENT && c->file == NULL)) {
        conf_error(c, s->line, err, "[%s] missing 'accept'", s->name);
        return -1;
    }
    if (s->mode == MODE_CLIENT && s->server_name == NULL) {
        conf_error(c, s->line, err,
                   "[%s] a client needs 'server_name': the name the "
                   "server certificate must carry",
                   s->name);
        return -1;
    }
    if (s->mode == MODE_CLIENT
        && (s->lines[options_index(options_find("verify"))] != 0 || s->allow.n > 0)) {
        conf_error(c, conf_svc_line(s, s->allow.n > 0 ? "allow" : "verify"), err,
                   "[%s] 'verify' and 'allow' apply to servers only", s->name);
        return -1;
    }
    if (mode_only(c, s, err) != 0)
        return -1;
    if (validate_websocket(c, s, err) != 0)
        return -1;
    for (i = 0; i < s->allow.n; i++) {
        const char *p = s->allow.v[i];

        if (strncmp(p, "CN:", 3) != 0 && strncmp(p, "DNS:", 4) != 0 && strncmp(p, "URI:", 4) != 0
            && strncmp(p, "IP:", 3) != 0) {
            conf_error(c, conf_svc_line(s, "allow"), err,
                       "[%s] allow '%s': expected CN:, DNS:, URI: or IP:", s->name, p);
            return -1;
        }
    }
    for (i = 0; i < s->connect.n; i++) {
        if (addr_systemd_name(&s->connect.v[i]) != NULL) {
            conf_error(c, conf_svc_line(s, "connect"), err,
                       "[%s] connect %s: a socket from systemd can only be listened on", s->name,
                       s->connect.v[i].text);
            return -1;
        }
    }
    if (validate_via(c, s, err) != 0 || resolve_connect(c, s, err) != 0)
        return -1;
    /* The plaintext side: what a server connects to, what a client accepts. */
    if (s->mode == MODE_SERVER) {
        plain = s->connect.v;
        nplain = s->connect.n;
    } else {
        plain = &s->accept;
        nplain = s->accept.text != NULL;
    }
    for (i = 0; i < nplain && !s->allow_public_plaintext; i++) {
        /* A socket from systemd is checked once it is known (service.c). */
        if (!addr_is_local(&plain[i]) && addr_systemd_name(&plain[i]) == NULL) {
            conf_error(c, conf_svc_line(s, s->mode == MODE_SERVER ? "connect" : "accept"), err,
                       "[%s] plaintext address %s is not loopback or a "
                       "Unix socket (set allow_public_plaintext = yes)",
                       s->name, plain[i].text);
            return -1;
        }
    }
    if (check_file(c, s, "cert", s->cert, err) != 0 || check_file(c, s, "key", s->key, err) != 0
        || check_file(c, s, "ca", s->ca, err) != 0 || check_file(c, s, "crl", s->crl, err) != 0)
        return -1;
    return 0;
}

int conf_validate(struct config *c, struct cfg_err *err)
{
    size_t i;

    /* The metrics tell who connects and how much: like plaintext, kept to
     * this machine unless the operator says otherwise. */
    if (c->g.metrics.text != NULL && !c->g.allow_public_metrics && !addr_is_local(&c->g.metrics)
        && addr_systemd_name(&c->g.metrics) == NULL) {
        conf_error(c, c->g.lines[options_index(options_find("metrics"))], err,
                   "metrics address %s is not loopback or a Unix socket (set "
                   "allow_public_metrics = yes)",
                   c->g.metrics.text);
        return -1;
    }

    for (i = 0; i < c->nsvc; i++)
        if (validate_service(c, &c->svc[i], err) != 0)
            return -1;
    return 0;
}
