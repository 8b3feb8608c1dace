/*
 * Services at run time: a listening socket each, and the current
 * generation of settings and SC1 context that new connections take.
 * SIGHUP builds a complete new set of generations and swaps them in only if
 * every one of them loaded; live connections keep the generation they took.
 */
#ifndef TUNNEL_SERVICE_H
#define TUNNEL_SERVICE_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <openssl/types.h>

#include "conf.h"
#include "sovchain.h"
#include "viaurl.h"

/* A whole configuration, shared by the generations built from it. */
struct conf_ref {
    atomic_int refs;
    struct config conf;
};

struct svc_gen {
    atomic_int refs;
    struct conf_ref *cr;
    const struct svc_cfg *cfg; /* inside cr->conf */
    sc_ctx *ctx;
    time_t cert_expiry, ca_expiry; /* notAfter, 0 when not known */
    struct viacred via_cred;       /* from connect_via_auth, read at each load */
};

struct service {
    char *name;
    int fd;                    /* listening socket, -1 for --stdio */
    int inherited;             /* fd came from systemd (accept = systemd:NAME) */
    char bound[ADDR_TEXT_MAX]; /* real address, port included */
    char *unix_path;           /* to unlink at exit */
    pthread_mutex_t lock;      /* guards gen */
    struct svc_gen *gen;
    atomic_uint live;    /* connections, for max_connections */
    atomic_int pool_off; /* client: the server does not answer deferred_open */
};

struct runtime {
    OSSL_LIB_CTX *libctx; /* NULL: the default library context */
    OSSL_PROVIDER **provs;
    size_t nprov;
    char *propq;
    /* SHA-1 for RFC 6455's Sec-WebSocket-Accept, fetched once here; NULL
     * if the providers have none (an upgrade then fails, saying so). */
    EVP_MD *ws_sha1;
    struct service *svc;
    size_t nsvc;
};

/* Take ownership of a loaded configuration. NULL on allocation failure. */
struct conf_ref *service_conf_ref_new(struct config *c);
void service_conf_ref_put(struct conf_ref *cr);

/* Load the providers of the global options. 0 or -1 with err filled. */
int service_runtime_init(struct runtime *rt, const struct global_cfg *g, struct cfg_err *err);
/* service_runtime_open's `listen`: no sockets (--stdio), sockets, or
 * sockets where they can be had (-t: a socket systemd would pass is not
 * required). */
enum { SERVICE_NO_LISTEN = 0, SERVICE_LISTEN = 1, SERVICE_CHECK = 2 };

/* Build every service's context and bind its socket as `listen` says.
 * Nothing is left open on failure: -1 for a context that did not load
 * (a configuration error), -2 for a socket that could not be bound. */
int service_runtime_open(struct runtime *rt, struct conf_ref *cr, int listen, struct cfg_err *err);
/* Reload: new contexts for services of the same name; all or nothing. */
int service_runtime_reload(struct runtime *rt, struct conf_ref *cr, struct cfg_err *err);
void service_runtime_close(struct runtime *rt);

/* The current generation, referenced; release with service_gen_put. */
struct svc_gen *service_gen_get(struct service *s);
void service_gen_put(struct svc_gen *g);

#endif
