/*
 * The PROXY protocol (HAProxy's proxy-protocol.txt), versions 1 and 2:
 * building the header a server tunnel sends its plaintext service before
 * any data (`proxy_protocol`), and parsing the one an L4 load balancer
 * sends ahead of SC1 (`accept_proxy`).
 */
#ifndef TUNNEL_PROXYPROTO_H
#define TUNNEL_PROXYPROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Version 1's longest line (the spec's 107 bytes, CRLF included). */
#define PROXYPROTO_V1_MAX 107
/* Version 2: the fixed part, and the longest header we accept. */
#define PROXYPROTO_V2_FIXED 16
#define PROXYPROTO_V2_MAX (PROXYPROTO_V2_FIXED + 4096)

/* TLV types of version 2 (section 2.2 of the spec). */
#define PP2_TYPE_ALPN 0x01
#define PP2_TYPE_AUTHORITY 0x02
#define PP2_TYPE_CRC32C 0x03
#define PP2_TYPE_NOOP 0x04
#define PP2_TYPE_UNIQUE_ID 0x05
#define PP2_TYPE_SSL 0x20
#define PP2_SUBTYPE_SSL_VERSION 0x21
#define PP2_SUBTYPE_SSL_CN 0x22
#define PP2_SUBTYPE_SSL_CIPHER 0x23
#define PP2_SUBTYPE_SSL_SIG_ALG 0x24
#define PP2_SUBTYPE_SSL_KEY_ALG 0x25
#define PP2_SUBTYPE_SSL_CLIENT_CERT 0x28
#define PP2_CLIENT_SSL 0x01
#define PP2_CLIENT_CERT_CONN 0x02
#define PP2_CLIENT_CERT_SESS 0x04
/* The spec's limit for PP2_TYPE_UNIQUE_ID. */
#define PP2_UNIQUE_ID_MAX 128

/* The connection's two ends; `local` = none to tell (v1 UNKNOWN, v2
 * LOCAL or AF_UNSPEC, or a Unix-socket peer when building). */
struct proxyproto_addrs {
    int local;
    struct sockaddr_storage src, dst;
    socklen_t srclen, dstlen;
};

/* What version 2 tells about the SC1 session; NULL / 0 for absent. */
struct proxyproto_session {
    const char *authority; /* the server name the client sent */
    const uint8_t *unique_id;
    size_t unique_id_len; /* at most PP2_UNIQUE_ID_MAX */
    int client_cert;      /* the client sent a certificate */
    const char *version, *cn, *cipher, *sig_alg, *key_alg;
    const uint8_t *cert_der; /* PP2_SUBTYPE_SSL_CLIENT_CERT */
    size_t cert_der_len;
    int crc32c; /* add a PP2_TYPE_CRC32C */
};

/* The addresses of a connected socket: src = the peer, dst = ours. */
int proxyproto_addrs_of(int fd, struct proxyproto_addrs *a);

/* Build a header into out; return its length, or -1 if it does not fit
 * in cap (or a field is too long for its TLV). */
ssize_t proxyproto_build_v1(const struct proxyproto_addrs *a, uint8_t *out, size_t cap);
ssize_t proxyproto_build_v2(const struct proxyproto_addrs *a, const struct proxyproto_session *s,
                            uint8_t *out, size_t cap);
/* An upper bound of proxyproto_build_v2's length. */
size_t proxyproto_v2_size(const struct proxyproto_session *s);

/*
 * Parse a header (v1 or v2) at the start of p. Returns 1 with *used set
 * when a whole valid header is there, 0 when more bytes are needed (a
 * prefix of a header so far), -1 with a reason in err when the bytes are
 * no valid PROXY header.
 */
int proxyproto_parse(const uint8_t *p, size_t len, struct proxyproto_addrs *a, size_t *used,
                     char *err, size_t errlen);

/* CRC32C (Castagnoli), as the PP2_TYPE_CRC32C TLV carries it. */
uint32_t proxyproto_crc32c(const uint8_t *p, size_t len);

#endif
