/* proxyproto_*: PROXY protocol v1 and v2 headers (proxyproto.h). */
#include "proxyproto.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "cursor.h"

static const uint8_t v2_sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                    0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };
static const char v1_sig[] = "PROXY ";

int proxyproto_addrs_of(int fd, struct proxyproto_addrs *a)
{
    memset(a, 0, sizeof(*a));
    a->srclen = sizeof(a->src);
    a->dstlen = sizeof(a->dst);
    if (getpeername(fd, (struct sockaddr *)&a->src, &a->srclen) != 0
        || getsockname(fd, (struct sockaddr *)&a->dst, &a->dstlen) != 0)
        return -1;
    a->local = a->src.ss_family != a->dst.ss_family
        || (a->src.ss_family != AF_INET && a->src.ss_family != AF_INET6);
    return 0;
}

/* ---- Building. */

static uint16_t port_of(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)ss)->sin_port);
    return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

static const void *ip_of(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return &((const struct sockaddr_in *)ss)->sin_addr;
    return &((const struct sockaddr_in6 *)ss)->sin6_addr;
}

ssize_t proxyproto_build_v1(const struct proxyproto_addrs *a, uint8_t *out, size_t cap)
{
    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
    int n, v6;

    if (a->local)
        n = snprintf((char *)out, cap, "PROXY UNKNOWN\r\n");
    else {
        v6 = a->src.ss_family == AF_INET6;
        if (inet_ntop(a->src.ss_family, ip_of(&a->src), src, sizeof(src)) == NULL
            || inet_ntop(a->dst.ss_family, ip_of(&a->dst), dst, sizeof(dst)) == NULL)
            return -1;
        n = snprintf((char *)out, cap, "PROXY %s %s %s %u %u\r\n", v6 ? "TCP6" : "TCP4", src, dst,
                     port_of(&a->src), port_of(&a->dst));
    }
    if (n < 0 || (size_t)n >= cap)
        return -1;
    return n;
}

/* A growing header; `bad` once something did not fit. */
struct wbuf {
    uint8_t *p;
    size_t len, cap;
    int bad;
};

static void put(struct wbuf *w, const void *d, size_t n)
{
    if (w->bad || n > w->cap - w->len) {
        w->bad = 1;
        return;
    }
    if (n > 0)
        memcpy(w->p + w->len, d, n);
    w->len += n;
}

static void put_u8(struct wbuf *w, uint8_t v)
{
    put(w, &v, 1);
}

static void put_u16(struct wbuf *w, size_t v)
{
    uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

    if (v > 0xffff)
        w->bad = 1;
    put(w, b, 2);
}

static void put_tlv(struct wbuf *w, uint8_t type, const void *d, size_t n)
{
    put_u8(w, type);
    put_u16(w, n);
    put(w, d, n);
}

static void put_str_tlv(struct wbuf *w, uint8_t type, const char *s)
{
    if (s != NULL && s[0] != '\0')
        put_tlv(w, type, s, strlen(s));
}

static size_t str_tlv_size(const char *s)
{
    return s != NULL ? 3 + strlen(s) : 0;
}

size_t proxyproto_v2_size(const struct proxyproto_session *s)
{
    size_t n = PROXYPROTO_V2_FIXED + 36;

    if (s == NULL)
        return n;
    n += str_tlv_size(s->authority) + 3 + s->unique_id_len;
    n += 3 + 5 + str_tlv_size(s->version) + str_tlv_size(s->cn) + str_tlv_size(s->cipher)
        + str_tlv_size(s->sig_alg) + str_tlv_size(s->key_alg) + 3 + s->cert_der_len;
    return n + 7; /* CRC32C */
}

/* The SSL TLV: client flags, verify (0: the chain was verified), sub-TLVs. */
static void put_ssl(struct wbuf *w, const struct proxyproto_session *s)
{
    size_t at, len;
    uint8_t client = PP2_CLIENT_SSL;
    static const uint8_t verify_ok[4] = { 0, 0, 0, 0 };

    if (s->client_cert)
        client |= PP2_CLIENT_CERT_CONN | PP2_CLIENT_CERT_SESS;
    put_u8(w, PP2_TYPE_SSL);
    at = w->len;
    put_u16(w, 0); /* length, set below */
    put_u8(w, client);
    put(w, verify_ok, sizeof(verify_ok));
    put_str_tlv(w, PP2_SUBTYPE_SSL_VERSION, s->version);
    if (s->client_cert)
        put_str_tlv(w, PP2_SUBTYPE_SSL_CN, s->cn);
    put_str_tlv(w, PP2_SUBTYPE_SSL_CIPHER, s->cipher);
    put_str_tlv(w, PP2_SUBTYPE_SSL_SIG_ALG, s->sig_alg);
    put_str_tlv(w, PP2_SUBTYPE_SSL_KEY_ALG, s->key_alg);
    if (s->cert_der != NULL && s->cert_der_len > 0)
        put_tlv(w, PP2_SUBTYPE_SSL_CLIENT_CERT, s->cert_der, s->cert_der_len);
    if (w->bad)
        return;
    len = w->len - at - 2;
    if (len > 0xffff) {
        w->bad = 1;
        return;
    }
    w->p[at] = (uint8_t)(len >> 8);
    w->p[at + 1] = (uint8_t)len;
}

ssize_t proxyproto_build_v2(const struct proxyproto_addrs *a, const struct proxyproto_session *s,
                            uint8_t *out, size_t cap)
{
    struct wbuf w = { out, 0, cap, 0 };
    size_t crc_at = 0;
    uint16_t sp, dp;

    put(&w, v2_sig, sizeof(v2_sig));
    if (a->local) {
        put_u8(&w, 0x20); /* version 2, LOCAL */
        put_u8(&w, 0x00); /* AF_UNSPEC */
    } else {
        put_u8(&w, 0x21);                                       /* version 2, PROXY */
        put_u8(&w, a->src.ss_family == AF_INET6 ? 0x21 : 0x11); /* TCP over IPv6 / IPv4 */
    }
    put_u16(&w, 0); /* length, set below */
    if (!a->local) {
        size_t alen = a->src.ss_family == AF_INET6 ? 16 : 4;

        put(&w, ip_of(&a->src), alen);
        put(&w, ip_of(&a->dst), alen);
        sp = port_of(&a->src);
        dp = port_of(&a->dst);
        put_u16(&w, sp);
        put_u16(&w, dp);
    }
    if (s != NULL) {
        put_str_tlv(&w, PP2_TYPE_AUTHORITY, s->authority);
        if (s->unique_id_len > PP2_UNIQUE_ID_MAX)
            return -1;
        if (s->unique_id != NULL && s->unique_id_len > 0)
            put_tlv(&w, PP2_TYPE_UNIQUE_ID, s->unique_id, s->unique_id_len);
        put_ssl(&w, s);
        if (s->crc32c) {
            static const uint8_t zero[4] = { 0, 0, 0, 0 };

            put_u8(&w, PP2_TYPE_CRC32C);
            put_u16(&w, 4);
            crc_at = w.len;
            put(&w, zero, 4);
        }
    }
    if (w.bad || w.len - PROXYPROTO_V2_FIXED > 0xffff)
        return -1;
    out[14] = (uint8_t)((w.len - PROXYPROTO_V2_FIXED) >> 8);
    out[15] = (uint8_t)(w.len - PROXYPROTO_V2_FIXED);
    if (crc_at) {
        uint32_t crc = proxyproto_crc32c(out, w.len);

        out[crc_at] = (uint8_t)(crc >> 24);
        out[crc_at + 1] = (uint8_t)(crc >> 16);
        out[crc_at + 2] = (uint8_t)(crc >> 8);
        out[crc_at + 3] = (uint8_t)crc;
    }
    return (ssize_t)w.len;
}

uint32_t proxyproto_crc32c(const uint8_t *p, size_t len)
{
    uint32_t crc = 0xffffffffu;

    /* Bitwise (the headers are short): reflected polynomial 0x82f63b78. */
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* ---- Parsing. */

#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -1)

/* v1: "PROXY TCP4|TCP6 src dst sport dport\r\n" or "PROXY UNKNOWN...\r\n". */
static int parse_port(const char *s, uint16_t *port)
{
    unsigned long v = 0;
    size_t n = strlen(s);

    if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

static int set_addr(struct sockaddr_storage *ss, socklen_t *sl, int af, const char *ip,
                    const char *port)
{
    uint16_t p;

    memset(ss, 0, sizeof(*ss));
    if (parse_port(port, &p) != 0)
        return -1;
    if (af == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;

        in->sin_family = AF_INET;
        in->sin_port = htons(p);
        *sl = sizeof(*in);
        return inet_pton(AF_INET, ip, &in->sin_addr) == 1 ? 0 : -1;
    }
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(p);
    *sl = sizeof(*in6);
    return inet_pton(AF_INET6, ip, &in6->sin6_addr) == 1 ? 0 : -1;
}

static int parse_v1(const uint8_t *p, size_t len, struct proxyproto_addrs *a, size_t *used,
                    char *err, size_t errlen)
{
    char line[PROXYPROTO_V1_MAX + 1], *f[6], *save = NULL;
    size_t end, n = 0;
    int af;

    for (end = 0; end + 1 < len && end + 2 <= PROXYPROTO_V1_MAX; end++)
        if (p[end] == '\r' && p[end + 1] == '\n')
            break;
    if (end + 1 >= len || !(p[end] == '\r' && p[end + 1] == '\n')) {
        if (len < PROXYPROTO_V1_MAX)
            return 0;
        return FAIL("PROXY v1 line longer than %d bytes", PROXYPROTO_V1_MAX);
    }
    for (size_t i = 0; i < end; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            return FAIL("PROXY v1 line holds byte 0x%02x", p[i]);
    memcpy(line, p, end);
    line[end] = '\0';
    *used = end + 2;
    memset(a, 0, sizeof(*a));
    if (strncmp(line, "PROXY UNKNOWN", 13) == 0 && (line[13] == '\0' || line[13] == ' ')) {
        a->local = 1; /* the rest of the line is ignored (spec 2.1) */
        return 1;
    }
    /* Single spaces only: strtok would fold runs of them. */
    for (char *s = line; *s; s++)
        if (s[0] == ' ' && (s[1] == ' ' || s[1] == '\0'))
            return FAIL("PROXY v1 line has an empty field");
    for (char *t = strtok_r(line, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save)) {
        if (n == 6)
            return FAIL("PROXY v1 line has more than six fields");
        f[n++] = t;
    }
    if (n != 6)
        return FAIL("PROXY v1 line has %zu fields, not six", n);
    if (strcmp(f[1], "TCP4") == 0)
        af = AF_INET;
    else if (strcmp(f[1], "TCP6") == 0)
        af = AF_INET6;
    else
        return FAIL("PROXY v1 protocol \"%s\" is not TCP4, TCP6 or UNKNOWN", f[1]);
    if (set_addr(&a->src, &a->srclen, af, f[2], f[4]) != 0
        || set_addr(&a->dst, &a->dstlen, af, f[3], f[5]) != 0)
        return FAIL("PROXY v1 addresses or ports are invalid");
    return 1;
}

/* v2 TLVs: each within the header; a CRC32C one must match. */
static int check_tlvs(struct cursor *c, const uint8_t *hdr, size_t hlen, char *err, size_t errlen)
{
    uint8_t type;
    uint16_t len;
    struct cursor v;

    while (cursor_left(c) > 0) {
        if (cursor_u8(c, &type) != 0 || cursor_u16(c, &len) != 0 || cursor_sub(c, len, &v) != 0)
            return FAIL("PROXY v2 TLV runs past the header");
        if (type == PP2_TYPE_CRC32C) {
            uint8_t copy[PROXYPROTO_V2_MAX];
            uint32_t want;
            size_t at = (size_t)(v.p - hdr);

            if (len != 4 || cursor_u32(&v, &want) != 0)
                return FAIL("PROXY v2 CRC32C TLV of length %u", len);
            memcpy(copy, hdr, hlen);
            memset(copy + at, 0, 4);
            if (proxyproto_crc32c(copy, hlen) != want)
                return FAIL("PROXY v2 CRC32C does not match");
        }
    }
    return 0;
}

static int parse_v2(const uint8_t *p, size_t len, struct proxyproto_addrs *a, size_t *used,
                    char *err, size_t errlen)
{
    struct cursor c, body;
    uint8_t vc, fam;
    uint16_t blen, sp, dp;
    size_t alen;

    if (len < PROXYPROTO_V2_FIXED)
        return 0;
    cursor_init(&c, p + sizeof(v2_sig), len - sizeof(v2_sig));
    (void)cursor_u8(&c, &vc);
    (void)cursor_u8(&c, &fam);
    (void)cursor_u16(&c, &blen);
    if (vc >> 4 != 2)
        return FAIL("PROXY v2 version %u", vc >> 4);
    if ((vc & 0x0f) > 1)
        return FAIL("PROXY v2 command %u", vc & 0x0f);
    if ((size_t)PROXYPROTO_V2_FIXED + blen > PROXYPROTO_V2_MAX)
        return FAIL("PROXY v2 header of %u bytes (at most %d)", blen,
                    PROXYPROTO_V2_MAX - PROXYPROTO_V2_FIXED);
    if (cursor_left(&c) < blen)
        return 0;
    (void)cursor_sub(&c, blen, &body);
    *used = PROXYPROTO_V2_FIXED + blen;
    memset(a, 0, sizeof(*a));
    if ((vc & 0x0f) == 0 || fam == 0x00) {
        /* LOCAL, or UNSPEC: the connection's own addresses stand (the
         * body is skipped, spec 2.2). */
        a->local = 1;
        return 1;
    }
    if (fam == 0x11)
        alen = 4;
    else if (fam == 0x21)
        alen = 16;
    else
        return FAIL("PROXY v2 family/protocol 0x%02x is not TCP over IPv4 or IPv6", fam);
    int af = alen == 4 ? AF_INET : AF_INET6;
    uint8_t src[16], dst[16];

    if (cursor_bytes(&body, src, alen) != 0 || cursor_bytes(&body, dst, alen) != 0
        || cursor_u16(&body, &sp) != 0 || cursor_u16(&body, &dp) != 0)
        return FAIL("PROXY v2 header too short for its addresses");
    if (af == AF_INET) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&a->src, *d4 = (struct sockaddr_in *)&a->dst;

        s4->sin_family = d4->sin_family = AF_INET;
        memcpy(&s4->sin_addr, src, 4);
        memcpy(&d4->sin_addr, dst, 4);
        s4->sin_port = htons(sp);
        d4->sin_port = htons(dp);
        a->srclen = a->dstlen = sizeof(struct sockaddr_in);
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->src,
                            *d6 = (struct sockaddr_in6 *)&a->dst;

        s6->sin6_family = d6->sin6_family = AF_INET6;
        memcpy(&s6->sin6_addr, src, 16);
        memcpy(&d6->sin6_addr, dst, 16);
        s6->sin6_port = htons(sp);
        d6->sin6_port = htons(dp);
        a->srclen = a->dstlen = sizeof(struct sockaddr_in6);
    }
    return check_tlvs(&body, p, *used, err, errlen) == 0 ? 1 : -1;
}

int proxyproto_parse(const uint8_t *p, size_t len, struct proxyproto_addrs *a, size_t *used,
                     char *err, size_t errlen)
{
    size_t n;

    *used = 0;
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    n = len < sizeof(v2_sig) ? len : sizeof(v2_sig);
    if (memcmp(p, v2_sig, n) == 0)
        return n < sizeof(v2_sig) ? 0 : parse_v2(p, len, a, used, err, errlen);
    n = len < sizeof(v1_sig) - 1 ? len : sizeof(v1_sig) - 1;
    if (memcmp(p, v1_sig, n) == 0)
        return n < sizeof(v1_sig) - 1 ? 0 : parse_v1(p, len, a, used, err, errlen);
    return FAIL("no PROXY header (first byte 0x%02x)", len > 0 ? p[0] : 0);
}
