/* viawire_*: HTTP CONNECT and SOCKS5 messages (viawire.h). */
#include "viawire.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cursor.h"
#include "httphead.h"

#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -1)

/* What a proxy wrote, fit for a log line: cut short, and any byte that is
 * not printable ASCII replaced (the head parser already refused controls,
 * but a reason phrase may hold any other byte). */
static void printable(char *out, size_t cap, const char *s)
{
    size_t i;

    for (i = 0; i + 1 < cap && s[i] != '\0'; i++)
        out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    out[i] = '\0';
}

/* A host as it may appear in a request: no spaces, controls or anything
 * that would end the request line early. */
static int host_ok(const char *host)
{
    size_t n = strlen(host);

    if (n == 0 || n > 255)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)host[i] <= 0x20 || (unsigned char)host[i] >= 0x7f
            || strchr("/?#@[]\\\"", host[i]) != NULL)
            return 0;
    return 1;
}

size_t viawire_http_request(char *out, size_t cap, const char *host, unsigned port,
                            const char *user, const char *pass)
{
    char authority[270];
    uint8_t pair[512];
    size_t n, ul, pl;
    int r;

    if (!host_ok(host) || port == 0 || port > 65535)
        return 0;
    /* RFC 9110 section 9.3.6: the target is authority-form, host:port, an
     * IPv6 address in brackets; Host carries the same. */
    snprintf(authority, sizeof(authority), strchr(host, ':') != NULL ? "[%s]:%u" : "%s:%u", host,
             port);
    r = snprintf(out, cap, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n", authority, authority);
    if (r < 0 || (size_t)r >= cap)
        return 0;
    n = (size_t)r;
    if (user != NULL) {
        /* RFC 7617: base64 of user-id ":" password. */
        ul = strlen(user);
        pl = strlen(pass);
        if (ul + 1 + pl > sizeof(pair)
            || n + sizeof("Proxy-Authorization: Basic \r\n") + 4 * ((ul + pl + 3) / 3) + 2 >= cap)
            return 0;
        memcpy(pair, user, ul);
        pair[ul] = ':';
        memcpy(pair + ul + 1, pass, pl);
        n += (size_t)snprintf(out + n, cap - n, "Proxy-Authorization: Basic ");
        n += (size_t)EVP_EncodeBlock((unsigned char *)out + n, pair, (int)(ul + 1 + pl));
        OPENSSL_cleanse(pair, sizeof(pair));
        memcpy(out + n, "\r\n", 2);
        n += 2;
    }
    if (n + 3 > cap)
        return 0;
    memcpy(out + n, "\r\n", 3);
    return n + 2;
}

int viawire_http_answer(const uint8_t *p, size_t len, size_t *used, struct viawire_http *a,
                        char *err, size_t errlen)
{
    struct httphead h;
    size_t off = 0, n;
    const char *challenge;
    int rc;

    *used = 0;
    memset(a, 0, sizeof(*a));
    /* The heads must end within the first VIAWIRE_HTTP_MAX bytes. */
    if (len > VIAWIRE_HTTP_MAX)
        len = VIAWIRE_HTTP_MAX;
    for (;;) {
        rc = httphead_parse(&h, p + off, len - off, 0, &n, err, errlen);
        if (rc == 0 && len == VIAWIRE_HTTP_MAX)
            return FAIL("answer longer than %d bytes", VIAWIRE_HTTP_MAX);
        if (rc != 1)
            return rc;
        off += n;
        /* RFC 9110 section 15.2: an interim answer comes before the final
         * one, which a client must wait for. 101 would switch protocols,
         * which a CONNECT does not ask for: final, and a failure. */
        if (h.status >= 200 || h.status == 101)
            break;
    }
    a->status = h.status;
    printable(a->reason, sizeof(a->reason), h.reason);
    if ((challenge = httphead_get(&h, "Proxy-Authenticate")) != NULL)
        printable(a->challenge, sizeof(a->challenge), challenge);
    *used = off;
    return 1;
}

size_t viawire_socks_hello(uint8_t *out, int with_auth)
{
    /* RFC 1928 section 3: VER, NMETHODS, METHODS. */
    out[0] = 5;
    out[1] = with_auth ? 2 : 1;
    out[2] = VIAWIRE_SOCKS_NOAUTH;
    out[3] = VIAWIRE_SOCKS_USERPASS;
    return with_auth ? 4 : 3;
}

int viawire_socks_choice(const uint8_t *p, size_t len, int with_auth, int *method, char *err,
                         size_t errlen)
{
    if (len >= 1 && p[0] != 5)
        return FAIL("SOCKS version %u in the method choice, expected 5", p[0]);
    if (len < 2)
        return 0;
    *method = p[1];
    if (p[1] == VIAWIRE_SOCKS_NOAUTH || p[1] == VIAWIRE_SOCKS_NONE_ACCEPTABLE
        || (p[1] == VIAWIRE_SOCKS_USERPASS && with_auth))
        return 1;
    return FAIL("SOCKS5 method 0x%02x chosen, which was not offered", p[1]);
}

size_t viawire_socks_auth(uint8_t *out, size_t cap, const char *user, const char *pass)
{
    size_t ul = strlen(user), pl = strlen(pass);

    /* RFC 1929 section 2: VER 1, ULEN, UNAME, PLEN, PASSWD; each 1-255. */
    if (ul == 0 || ul > 255 || pl == 0 || pl > 255 || 3 + ul + pl > cap)
        return 0;
    out[0] = 1;
    out[1] = (uint8_t)ul;
    memcpy(out + 2, user, ul);
    out[2 + ul] = (uint8_t)pl;
    memcpy(out + 3 + ul, pass, pl);
    return 3 + ul + pl;
}

int viawire_socks_auth_answer(const uint8_t *p, size_t len, int *status, char *err, size_t errlen)
{
    if (len >= 1 && p[0] != 1)
        return FAIL("username/password answer of version %u, expected 1", p[0]);
    if (len < 2)
        return 0;
    *status = p[1];
    return 1;
}

size_t viawire_socks_request(uint8_t *out, size_t cap, const char *host, unsigned port)
{
    size_t n = strlen(host), at;

    if (cap < 4 + 1 + 255 + 2 || port == 0 || port > 65535)
        return 0;
    /* RFC 1928 section 4: VER, CMD 1 (CONNECT), RSV, ATYP, DST.ADDR, DST.PORT. */
    out[0] = 5;
    out[1] = 1;
    out[2] = 0;
    if (inet_pton(AF_INET, host, out + 4) == 1) {
        out[3] = 1;
        at = 4 + 4;
    } else if (inet_pton(AF_INET6, host, out + 4) == 1) {
        out[3] = 4;
        at = 4 + 16;
    } else {
        /* A name: the proxy resolves it, in the network that can. */
        if (!host_ok(host))
            return 0;
        out[3] = 3;
        out[4] = (uint8_t)n;
        memcpy(out + 5, host, n);
        at = 5 + n;
    }
    out[at] = (uint8_t)(port >> 8);
    out[at + 1] = (uint8_t)port;
    return at + 2;
}

int viawire_socks_answer(const uint8_t *p, size_t len, size_t *used, int *rep,
                         struct viawire_bound *b, char *err, size_t errlen)
{
    struct cursor c;
    uint8_t ver, code, rsv, atyp, n, addr[16];
    uint16_t port;
    char text[INET6_ADDRSTRLEN];

    *used = 0;
    memset(b, 0, sizeof(*b));
    cursor_init(&c, p, len);
    if (cursor_u8(&c, &ver) != 0)
        return 0;
    if (ver != 5)
        return FAIL("SOCKS version %u in the answer, expected 5", ver);
    if (cursor_u8(&c, &code) != 0)
        return 0;
    *rep = code;
    if (code != 0) {
        *used = 2;
        return 1;
    }
    /* RSV is reserved: not checked, as RFC 1928 gives it no meaning. */
    if (cursor_u8(&c, &rsv) != 0 || cursor_u8(&c, &atyp) != 0)
        return 0;
    switch (atyp) {
    case 1:
    case 4:
        if (cursor_bytes(&c, addr, atyp == 1 ? 4 : 16) != 0)
            return 0;
        inet_ntop(atyp == 1 ? AF_INET : AF_INET6, addr, text, sizeof(text));
        snprintf(b->host, sizeof(b->host), atyp == 1 ? "%s" : "[%s]", text);
        break;
    case 3: {
        const uint8_t *name;
        char raw[256];

        if (cursor_u8(&c, &n) != 0 || (name = cursor_take(&c, n)) == NULL)
            return 0;
        memcpy(raw, name, n);
        raw[n] = '\0';
        printable(b->host, sizeof(b->host), raw);
        break;
    }
    default:
        return FAIL("SOCKS5 answer with address type %u", atyp);
    }
    if (cursor_u16(&c, &port) != 0)
        return 0;
    b->atyp = atyp;
    b->port = port;
    *used = len - cursor_left(&c);
    return 1;
}

const char *viawire_socks_reply_name(int rep)
{
    /* RFC 1928 section 6. */
    static const char *const names[] = {
        "succeeded",
        "general SOCKS server failure",
        "connection not allowed by ruleset",
        "network unreachable",
        "host unreachable",
        "connection refused",
        "TTL expired",
        "command not supported",
        "address type not supported",
    };

    if (rep >= 0 && (size_t)rep < sizeof(names) / sizeof(names[0]))
        return names[rep];
    return "unassigned reply code";
}
