/*
 * Addresses: ADDR is "host:port", "[v6addr]:port", "unix:/path" or, to
 * listen only, "systemd:NAME" (a socket systemd passes, by its
 * FileDescriptorName). Host names are resolved once, when the
 * configuration is loaded.
 */
#ifndef TUNNEL_ADDR_H
#define TUNNEL_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

struct addr {
    char *text;                 /* as written */
    struct sockaddr_storage sa; /* resolved */
    socklen_t salen;            /* 0: not resolved (yet) */
    unsigned line;              /* where it was configured, for later errors */
};

struct addrv {
    struct addr *v;
    size_t n;
};

/* Longest text addr_format writes, with its terminator. */
#define ADDR_TEXT_MAX 128

/* Parse and resolve `text`. 0 on success; -1 with a message in err. */
int addr_parse(struct addr *a, const char *text, char *err, size_t errlen);
/* The same in two steps: the syntax first, the name later (a client that
 * reaches its server through a proxy never resolves the server's name:
 * the proxy does). addr_resolve() keeps an address resolved already. */
int addr_parse_name(struct addr *a, const char *text, char *err, size_t errlen);
int addr_resolve(struct addr *a, char *err, size_t errlen);
/* The host (an IPv6 address without its brackets) and port of
 * "host:port" or "[v6addr]:port". 0, or -1 with a message in err. */
int addr_split(const char *text, char *host, size_t hostlen, unsigned *port, char *err,
               size_t errlen);
void addr_clear(struct addr *a);
int addr_copy(struct addr *dst, const struct addr *src);

int addr_is_unix(const struct addr *a);
/* "systemd:NAME": NAME, else NULL. */
const char *addr_systemd_name(const struct addr *a);
/* A loopback address or a Unix socket: a safe place for plaintext. */
int addr_is_local(const struct addr *a);

/* "127.0.0.1:80", "[::1]:80", "unix:/path" */
void addr_format(const struct sockaddr *sa, socklen_t len, char *out, size_t outlen);
/* The address a socket is bound to, formatted (the real port after :0). */
void addr_format_local(int fd, char *out, size_t outlen);
/* The peer of a connected socket, formatted. */
void addr_format_peer(int fd, char *out, size_t outlen);

/* A non-blocking, close-on-exec listening socket. -1 with errno set. */
int addr_listen(const struct addr *a);
/* A non-blocking, close-on-exec socket of the address's family. */
int addr_socket(const struct addr *a);

/* Abortive close: the peer sees a reset, not an end of stream. */
void addr_close_reset(int fd);

#endif
