/* viaurl_*: the `connect_via` URL and its credentials (viaurl.h). */
#define _GNU_SOURCE
#include "viaurl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -1)

/* The longest credentials file: one line of user:password. */
#define AUTH_FILE_MAX 1024

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* RFC 3986 section 2.1: %XX is the byte XX. NULL on a bad escape or %00. */
static char *pct_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    size_t i, o = 0;

    if (out == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        if (s[i] != '%') {
            out[o++] = s[i];
            continue;
        }
        if (i + 2 >= n || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0
            || (hexval(s[i + 1]) == 0 && hexval(s[i + 2]) == 0)) {
            OPENSSL_cleanse(out, n + 1);
            free(out);
            return NULL;
        }
        out[o++] = (char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
        i += 2;
    }
    out[o] = '\0';
    return out;
}

static void wipe_free(char *s)
{
    if (s != NULL) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

void viaurl_cred_free(struct viacred *cr)
{
    wipe_free(cr->user);
    wipe_free(cr->pass);
    cr->user = cr->pass = NULL;
}

static int has_control(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/* What each protocol can carry: RFC 7617 section 2 (no colon in the
 * user-id, no control characters), RFC 1929 section 2 (1 to 255 bytes). */
static int check_cred(const struct viacred *cr, int scheme, char *err, size_t errlen)
{
    size_t ul = strlen(cr->user), pl = strlen(cr->pass);

    if (ul == 0)
        return FAIL("empty proxy user name");
    if (has_control(cr->user) || has_control(cr->pass))
        return FAIL("control characters in the proxy credentials");
    if (scheme == VIAURL_HTTP && strchr(cr->user, ':') != NULL)
        return FAIL("an HTTP proxy user name cannot hold ':' (RFC 7617)");
    if (scheme == VIAURL_SOCKS5 && (ul > 255 || pl == 0 || pl > 255))
        return FAIL("SOCKS5 user name and password must each be 1 to 255 bytes (RFC 1929)");
    if (scheme == VIAURL_HTTP && ul + 1 + pl > 512)
        return FAIL("proxy credentials longer than 512 bytes");
    return 0;
}

int viaurl_target_ok(const char *host)
{
    size_t n = strlen(host);

    if (n == 0 || n > 255)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)host[i];

        /* Letters, digits, '-', '.', '_' for names; ':' for IPv6. */
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
              || c == '.' || c == '_' || c == ':'))
            return 0;
    }
    return 1;
}

/* user[:password] of the URL's userinfo. */
static int parse_userinfo(struct viaurl *u, const char *s, size_t n, char *err, size_t errlen)
{
    const char *colon = memchr(s, ':', n);
    size_t ul = colon != NULL ? (size_t)(colon - s) : n;

    u->cred.user = pct_decode(s, ul);
    u->cred.pass = colon != NULL ? pct_decode(colon + 1, n - ul - 1) : strdup("");
    if (u->cred.user == NULL || u->cred.pass == NULL) {
        viaurl_cred_free(&u->cred);
        return FAIL("bad percent-encoding in the proxy credentials (write %%XX for a "
                    "byte, never %%00)");
    }
    return check_cred(&u->cred, u->scheme, err, errlen);
}

int viaurl_parse(struct viaurl *u, const char *text, char *err, size_t errlen)
{
    const char *sep = strstr(text, "://"), *rest, *at, *hp, *close;
    char hostport[280], host[260], norm[280], aerr[256];
    size_t n, len;
    unsigned port;

    memset(u, 0, sizeof(*u));
    if (sep == NULL)
        return FAIL("expected http://host:port or socks5://host:port");
    n = (size_t)(sep - text);
    if (n == 4 && strncasecmp(text, "http", 4) == 0) {
        u->scheme = VIAURL_HTTP;
    } else if (n == 6 && strncasecmp(text, "socks5", 6) == 0) {
        u->scheme = VIAURL_SOCKS5;
    } else if (n == 5 && strncasecmp(text, "https", 5) == 0) {
        return FAIL("https:// proxies (TLS to the proxy) are not supported: use http://");
    } else {
        return FAIL("unknown scheme '%.*s' (expected http or socks5)", n > 16 ? 16 : (int)n, text);
    }
    rest = sep + 3;
    len = strlen(rest);
    if (len > 0 && rest[len - 1] == '/')
        len--; /* "http://proxy:3128/" names the same proxy */
    /* Only an authority: userinfo (up to the last '@') and host:port. */
    at = NULL;
    for (size_t i = 0; i < len; i++)
        if (rest[i] == '@')
            at = rest + i;
    hp = at != NULL ? at + 1 : rest;
    n = len - (size_t)(hp - rest);
    if (n == 0)
        return FAIL("missing proxy host");
    if (n >= sizeof(hostport))
        return FAIL("proxy host too long");
    memcpy(hostport, hp, n);
    hostport[n] = '\0';
    if (strpbrk(hostport, "/?#") != NULL)
        return FAIL("a proxy URL is scheme://host:port, without a path");
    close = hostport[0] == '[' ? strchr(hostport, ']') : hostport;
    if (close == NULL || strchr(close, ':') == NULL)
        return FAIL("missing port in %s://%s", u->scheme == VIAURL_HTTP ? "http" : "socks5",
                    hostport);
    if (addr_split(hostport, host, sizeof(host), &port, aerr, sizeof(aerr)) != 0)
        return FAIL("%s", aerr);
    if (port == 0)
        return FAIL("bad port 0 in %s", hostport);
    snprintf(norm, sizeof(norm), strchr(host, ':') != NULL ? "[%s]:%u" : "%s:%u", host, port);
    snprintf(u->label, sizeof(u->label), "%s://%s", u->scheme == VIAURL_HTTP ? "http" : "socks5",
             norm);
    if (at != NULL && parse_userinfo(u, rest, (size_t)(at - rest), err, errlen) != 0) {
        viaurl_free(u);
        return -1;
    }
    if (addr_parse(&u->addr, norm, aerr, sizeof(aerr)) != 0) {
        viaurl_free(u);
        return FAIL("%s", aerr);
    }
    return 0;
}

void viaurl_free(struct viaurl *u)
{
    viaurl_cred_free(&u->cred);
    addr_clear(&u->addr);
}

/* The file's one line, split at its first ':'. */
static int parse_auth_line(struct viacred *cr, char *buf, size_t n, char *err, size_t errlen)
{
    char *nl = memchr(buf, '\n', n), *colon;

    if (memchr(buf, '\0', n) != NULL)
        return FAIL("holds a NUL byte");
    buf[n] = '\0';
    if (nl != NULL) {
        /* Nothing but an empty end after the line. */
        if (strspn(nl, "\r\n") != strlen(nl))
            return FAIL("holds more than one line (expected user:password)");
        *nl = '\0';
        if (nl > buf && nl[-1] == '\r')
            nl[-1] = '\0';
    }
    if ((colon = strchr(buf, ':')) == NULL)
        return FAIL("expected one line user:password");
    *colon = '\0';
    if ((cr->user = strdup(buf)) == NULL || (cr->pass = strdup(colon + 1)) == NULL) {
        viaurl_cred_free(cr);
        return FAIL("out of memory");
    }
    return 0;
}

/* Why the file cannot hold credentials, or NULL: it must be a regular
 * file of ours that no one else may read or write. */
static const char *unsafe_file(const struct stat *st, char *why, size_t whylen)
{
    if (!S_ISREG(st->st_mode))
        return "not a regular file";
    if (st->st_uid != geteuid()) {
        snprintf(why, whylen, "owned by uid %u, not by the user sctunnel runs as (uid %u)",
                 (unsigned)st->st_uid, (unsigned)geteuid());
        return why;
    }
    if ((st->st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        snprintf(why, whylen,
                 "mode %04o gives group or others access to the proxy credentials; make "
                 "it 0600 or stricter",
                 (unsigned)(st->st_mode & 07777));
        return why;
    }
    return NULL;
}

int viaurl_read_auth(struct viacred *cr, const char *path, int scheme, char *err, size_t errlen)
{
    char buf[AUTH_FILE_MAX + 1], why[200];
    const char *bad;
    struct stat st;
    ssize_t n = -1;
    int fd;

    memset(cr, 0, sizeof(*cr));
    /* Non-blocking: a FIFO must not hang the load; it is refused below. */
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
        return FAIL("%s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0)
        bad = strerror(errno);
    else if ((bad = unsafe_file(&st, why, sizeof(why))) == NULL
             && (n = read(fd, buf, sizeof(buf))) < 0)
        bad = strerror(errno);
    else if (bad == NULL && (size_t)n > AUTH_FILE_MAX - 1)
        bad = "longer than one line of user:password";
    else if (bad == NULL
             && (parse_auth_line(cr, buf, (size_t)n, why, sizeof(why)) != 0
                 || check_cred(cr, scheme, why, sizeof(why)) != 0))
        bad = why;
    close(fd);
    OPENSSL_cleanse(buf, sizeof(buf));
    if (bad == NULL)
        return 0;
    viaurl_cred_free(cr);
    return FAIL("%s: %s", path, bad);
}
