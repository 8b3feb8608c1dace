/*
 * The proxy a client service goes out through (`connect_via`):
 * http://[user:password@]host:port or socks5://[user:password@]host:port,
 * and its credentials, from the URL or from the file `connect_via_auth`
 * names. Credentials are wiped when freed and never appear in any message
 * this file writes: `label` names the proxy for logs.
 */
#ifndef TUNNEL_VIAURL_H
#define TUNNEL_VIAURL_H

#include <stddef.h>

#include "addr.h"

enum viaurl_scheme { VIAURL_HTTP, VIAURL_SOCKS5 };

struct viacred {
    char *user, *pass; /* NULL: none */
};

struct viaurl {
    int scheme;
    struct addr addr;    /* the proxy, resolved when loaded */
    char label[300];     /* scheme://host:port, for logs */
    struct viacred cred; /* from the URL's userinfo, percent-decoded */
};

/* Parse (and resolve the proxy's host). 0, or -1 with a message in err
 * that never holds the credentials. */
int viaurl_parse(struct viaurl *u, const char *text, char *err, size_t errlen);
void viaurl_free(struct viaurl *u);

/*
 * Read `user:password` (one line) from path. The file must be a regular
 * file owned by the user sctunnel runs as, with no access for group or
 * others (0600 or stricter): credentials others can read, or replace,
 * are refused. 0, or -1 with a message in err.
 */
int viaurl_read_auth(struct viacred *cr, const char *path, int scheme, char *err, size_t errlen);
void viaurl_cred_free(struct viacred *cr);

/* Whether a connect target host may be sent to a proxy: a name or an IP
 * address, nothing that would change the request. */
int viaurl_target_ok(const char *host);

#endif
