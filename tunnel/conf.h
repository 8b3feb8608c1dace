/*
 * Configuration: global settings and one section per service, read from an
 * INI file or built from the command line through the same option table.
 * Errors carry "file:line: message" (or "--option: message").
 */
#ifndef TUNNEL_CONF_H
#define TUNNEL_CONF_H

#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "options.h"
#include "viaurl.h"

struct strv {
    char **v;
    size_t n;
};

enum svc_mode { MODE_SERVER = 0, MODE_CLIENT = 1 };
enum svc_transport { TRANSPORT_TCP = 0, TRANSPORT_WEBSOCKET = 1 };
enum svc_pp { PP_NONE = 0, PP_V1 = 1, PP_V2 = 2 };
enum svc_verify { VERIFY_REQUIRED = 0, VERIFY_OPTIONAL = 1, VERIFY_NONE = 2 };
/* Indexes into opt_level_choices, most severe first. */
enum log_level { LVL_ERROR = 0, LVL_WARNING, LVL_NOTICE, LVL_INFO, LVL_DEBUG };

struct global_cfg {
    int foreground;
    char *pid;
    char *log; /* "stderr", "syslog" or a file path */
    int log_level;
    unsigned workers; /* 0: one per core */
    char *user, *group, *chroot;
    char *providers; /* comma-separated OpenSSL provider names */
    char *propquery;
    unsigned shutdown_timeout; /* ms */
    struct addr metrics;       /* text NULL: none */
    int allow_public_metrics;
    unsigned reload_interval; /* ms, 0 = never */
    unsigned *lines;          /* per option: line it was set on, 0 = default */
};

struct svc_cfg {
    char *name;
    unsigned line; /* of the [name] header */
    int mode;
    struct addr accept;
    struct addrv connect;
    char *cert, *key, *ca, *crl;
    int verify;
    struct strv allow;
    char *server_name;
    char *ciphers, *groups;
    unsigned connect_timeout, handshake_timeout, idle_timeout; /* ms, 0 = none */
    unsigned max_connections;                                  /* 0: no limit */
    uint64_t rekey_bytes;
    unsigned rekey_seconds;    /* ms, 0 = none */
    unsigned pool;             /* client: ready sessions kept */
    unsigned pool_max_age;     /* ms */
    int deferred_open;         /* server: answer deferred_open */
    unsigned unopened_timeout; /* ms, 0 = none */
    int allow_public_plaintext;
    char *connect_via;       /* the proxy URL, as written */
    char *connect_via_auth;  /* a file of user:password */
    struct viaurl *via;      /* connect_via parsed by conf_validate, or NULL */
    int transport;           /* client: enum svc_transport */
    int websocket;           /* server: WebSocket upgrades accepted too */
    char *ws_path, *ws_host; /* the upgrade's path and Host field */
    int proxy_protocol;      /* server: enum svc_pp, the header sent to the service */
    int proxy_protocol_cert; /* server, v2: the client's leaf in the header */
    int accept_proxy;        /* server: a PROXY header precedes SC1 */
    unsigned *lines;
};

struct config {
    char *file; /* NULL when built from the command line */
    struct global_cfg g;
    struct svc_cfg *svc;
    size_t nsvc;
};

struct cfg_err {
    char msg[512]; /* "file:line: message", ready to print */
};

/* An empty configuration holding the defaults of the global options. */
int conf_init(struct config *c, const char *file);
void conf_free(struct config *c);

/* Add a service with its defaults; returns it or NULL. */
struct svc_cfg *conf_add_service(struct config *c, const char *name, unsigned line);

/*
 * Set one option. `svc` NULL means the global part. `where` prefixes error
 * messages ("file:12" or "--accept"). 0, or -1 with err filled.
 */
int conf_set(struct config *c, struct svc_cfg *svc, const char *name, const char *value,
             unsigned line, const char *where, struct cfg_err *err);

/* Read an INI file: global keys, then [name] sections. 0 or -1. */
int conf_load_file(struct config *c, const char *path, struct cfg_err *err);
/* The same from an open stream; error lines name c->file. */
int conf_load_stream(struct config *c, FILE *f, struct cfg_err *err);

/* Check required keys, mode-specific keys, the plaintext address rule and
 * that files exist. 0 or -1 with err filled. */
int conf_validate(struct config *c, struct cfg_err *err);

/* Format "file:line: " (or "sctunnel: " for the command line) + message. */
void conf_error(const struct config *c, unsigned line, struct cfg_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The file a credential option names: the path itself, or the path of a
 * "file:" URI; NULL for another store URI (such as "pkcs11:"). */
const char *conf_file_path(const char *source);

/* Line on which a service option was set (section line when unset). */
unsigned conf_svc_line(const struct svc_cfg *s, const char *name);

/* Value parsers, exposed for unit tests. */
int conf_parse_msec(const char *s, unsigned *out);
int conf_parse_size(const char *s, uint64_t *out);
int conf_parse_bool(const char *s, int *out);

#endif
