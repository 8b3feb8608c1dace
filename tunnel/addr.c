/* ADDR parsing, formatting, listening sockets and the loopback check. */
#define _GNU_SOURCE
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int parse_unix(struct addr *a, const char *path, char *err, size_t errlen)
{
    struct sockaddr_un *un = (struct sockaddr_un *)&a->sa;

    if (path[0] == '\0') {
        snprintf(err, errlen, "empty Unix socket path");
        return -1;
    }
    if (strlen(path) >= sizeof(un->sun_path)) {
        snprintf(err, errlen, "Unix socket path too long");
        return -1;
    }
    memset(un, 0, sizeof(*un));
    un->sun_family = AF_UNIX;
    memcpy(un->sun_path, path, strlen(path));
    a->salen = (socklen_t)sizeof(*un);
    return 0;
}

/* Split "host:port" or "[v6]:port" into its parts (copied into host). */
static int split_host_port(const char *text, char *host, size_t hostlen, const char **port,
                           char *err, size_t errlen)
{
    const char *colon, *end;
    size_t n;

    if (text[0] == '[') {
        end = strchr(text, ']');
        if (end == NULL || end[1] != ':') {
            snprintf(err, errlen, "bad address '%s': expected [v6addr]:port", text);
            return -1;
        }
        n = (size_t)(end - text - 1);
        colon = end + 1;
        text++;
    } else {
        colon = strrchr(text, ':');
        if (colon == NULL) {
            snprintf(err, errlen, "bad address '%s': expected host:port", text);
            return -1;
        }
        if (memchr(text, ':', (size_t)(colon - text)) != NULL) {
            snprintf(err, errlen, "bad address '%s': put IPv6 addresses in brackets", text);
            return -1;
        }
        n = (size_t)(colon - text);
    }
    if (n == 0 || n >= hostlen) {
        snprintf(err, errlen, "bad address '%s': bad host", text);
        return -1;
    }
    memcpy(host, text, n);
    host[n] = '\0';
    *port = colon + 1;
    return 0;
}

static int parse_port(const char *s, char *err, size_t errlen)
{
    char *end;
    long v;

    if (s[0] < '0' || s[0] > '9') {
        snprintf(err, errlen, "bad port '%s'", s);
        return -1;
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < 0 || v > 65535) {
        snprintf(err, errlen, "bad port '%s'", s);
        return -1;
    }
    return (int)v;
}

int addr_split(const char *text, char *host, size_t hostlen, unsigned *port, char *err,
               size_t errlen)
{
    const char *portstr;
    int p;

    if (split_host_port(text, host, hostlen, &portstr, err, errlen) != 0)
        return -1;
    if ((p = parse_port(portstr, err, errlen)) < 0)
        return -1;
    *port = (unsigned)p;
    return 0;
}

int addr_parse_name(struct addr *a, const char *text, char *err, size_t errlen)
{
    char host[256];
    unsigned port;

    memset(a, 0, sizeof(*a));
    if (strncmp(text, "systemd:", 8) == 0) {
        /* Resolved at start, from the sockets systemd passes (AF_UNSPEC
         * until then). systemd.socket(5): FileDescriptorName is up to 255
         * ASCII characters, no control characters and no ':'. */
        size_t i, n = strlen(text + 8);

        for (i = 0; i < n; i++)
            if (text[8 + i] <= ' ' || text[8 + i] > '~' || text[8 + i] == ':')
                break;
        if (n == 0 || n > 255 || i < n) {
            snprintf(err, errlen,
                     "bad address '%s': expected systemd:NAME, the socket's "
                     "FileDescriptorName",
                     text);
            return -1;
        }
    } else if (strncmp(text, "unix:", 5) == 0) {
        if (parse_unix(a, text + 5, err, errlen) != 0)
            return -1;
    } else if (addr_split(text, host, sizeof(host), &port, err, errlen) != 0) {
        return -1;
    }
    if ((a->text = strdup(text)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int addr_resolve(struct addr *a, char *err, size_t errlen)
{
    char host[256];
    const char *portstr;
    struct addrinfo hints, *res = NULL;
    int rc;

    if (a->salen > 0 || addr_systemd_name(a) != NULL)
        return 0; /* a Unix socket, resolved already, or systemd's at start */
    if (split_host_port(a->text, host, sizeof(host), &portstr, err, errlen) != 0)
        return -1;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    if (strcmp(host, "*") == 0) {
        /* "*:port": every IPv4 address. */
        hints.ai_family = AF_INET;
        hints.ai_flags |= AI_PASSIVE;
        rc = getaddrinfo(NULL, portstr, &hints, &res);
    } else {
        rc = getaddrinfo(host, portstr, &hints, &res);
    }
    if (rc != 0 || res == NULL) {
        snprintf(err, errlen, "bad address '%s': %s", a->text,
                 rc != 0 ? gai_strerror(rc) : "no address");
        return -1;
    }
    memcpy(&a->sa, res->ai_addr, res->ai_addrlen);
    a->salen = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

int addr_parse(struct addr *a, const char *text, char *err, size_t errlen)
{
    if (addr_parse_name(a, text, err, errlen) != 0)
        return -1;
    if (addr_resolve(a, err, errlen) != 0) {
        addr_clear(a);
        return -1;
    }
    return 0;
}

void addr_clear(struct addr *a)
{
    free(a->text);
    memset(a, 0, sizeof(*a));
}

int addr_copy(struct addr *dst, const struct addr *src)
{
    *dst = *src;
    if (src->text != NULL && (dst->text = strdup(src->text)) == NULL)
        return -1;
    return 0;
}

int addr_is_unix(const struct addr *a)
{
    return a->sa.ss_family == AF_UNIX;
}

const char *addr_systemd_name(const struct addr *a)
{
    return a->text != NULL && a->sa.ss_family == AF_UNSPEC && strncmp(a->text, "systemd:", 8) == 0
        ? a->text + 8
        : NULL;
}

int addr_is_local(const struct addr *a)
{
    const struct sockaddr_in *in4 = (const struct sockaddr_in *)&a->sa;
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&a->sa;

    switch (a->sa.ss_family) {
    case AF_UNIX:
        return 1;
    case AF_INET:
        return (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
    case AF_INET6:
        if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
            return 1;
        return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127;
    default:
        return 0;
    }
}

void addr_format(const struct sockaddr *sa, socklen_t len, char *out, size_t outlen)
{
    char host[INET6_ADDRSTRLEN];
    const struct sockaddr_in *in4 = (const struct sockaddr_in *)sa;
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    const struct sockaddr_un *un = (const struct sockaddr_un *)sa;

    if (len == 0) {
        snprintf(out, outlen, "-");
        return;
    }
    switch (sa->sa_family) {
    case AF_INET:
        inet_ntop(AF_INET, &in4->sin_addr, host, sizeof(host));
        snprintf(out, outlen, "%s:%u", host, ntohs(in4->sin_port));
        break;
    case AF_INET6:
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        snprintf(out, outlen, "[%s]:%u", host, ntohs(in6->sin6_port));
        break;
    case AF_UNIX:
        if (len > offsetof(struct sockaddr_un, sun_path) && un->sun_path[0] != '\0')
            snprintf(out, outlen, "unix:%.*s", (int)(len - offsetof(struct sockaddr_un, sun_path)),
                     un->sun_path);
        else
            snprintf(out, outlen, "unix");
        break;
    default:
        snprintf(out, outlen, "?");
    }
}

void addr_format_local(int fd, char *out, size_t outlen)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        len = 0;
    addr_format((struct sockaddr *)&ss, len, out, outlen);
}

void addr_format_peer(int fd, char *out, size_t outlen)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
        len = 0;
    addr_format((struct sockaddr *)&ss, len, out, outlen);
}

int addr_socket(const struct addr *a)
{
    return socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

int addr_listen(const struct addr *a)
{
    const struct sockaddr_un *un = (const struct sockaddr_un *)&a->sa;
    struct stat st;
    int fd, one = 1, saved;

    if ((fd = addr_socket(a)) < 0)
        return -1;
    if (addr_is_unix(a)) {
        /* A socket file left by an earlier run would make bind fail. */
        if (lstat(un->sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
            unlink(un->sun_path);
    } else {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (a->sa.ss_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    }
    if (bind(fd, (const struct sockaddr *)&a->sa, a->salen) != 0 || listen(fd, 128) != 0) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

void addr_close_reset(int fd)
{
    struct linger lg = { 1, 0 };

    /* SO_LINGER with a zero timeout makes close() send RST. */
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(fd);
}
