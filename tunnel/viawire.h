/*
 * The messages of the proxy exchange a client runs before SC1 when it
 * reaches its server through `connect_via`: an HTTP/1.1 CONNECT request
 * and its answer (RFC 9110 section 9.3.6), and SOCKS5 (RFC 1928) with its
 * username/password sub-negotiation (RFC 1929). Encoders and parsers only,
 * no I/O: via.c drives them over the connection to the proxy.
 *
 * Every parser reads bytes the proxy sent through a checked reader, is
 * bounded, and returns 1 when its message is complete (with *used, so
 * that bytes behind it are kept: they are the server's), 0 when more bytes
 * are needed, and -1 with a reason when the message is malformed.
 */
#ifndef TUNNEL_VIAWIRE_H
#define TUNNEL_VIAWIRE_H

#include <stddef.h>
#include <stdint.h>

/* The longest answer head(s) a CONNECT may get, interim 1xx heads included. */
#define VIAWIRE_HTTP_MAX 8192
/* Room for any request this file writes: a CONNECT with the longest host
 * (255 bytes, as SOCKS allows) and credentials of 255 bytes each. */
#define VIAWIRE_REQUEST_MAX 1024
/* The longest SOCKS5 answer: 4 + 1 + 255 (a domain name) + 2. */
#define VIAWIRE_SOCKS_ANSWER_MAX 262

/* SOCKS5 methods (RFC 1928 section 3). */
#define VIAWIRE_SOCKS_NOAUTH 0x00
#define VIAWIRE_SOCKS_USERPASS 0x02
#define VIAWIRE_SOCKS_NONE_ACCEPTABLE 0xff

/* The final answer to a CONNECT: its status and, for logs, its reason
 * phrase and Proxy-Authenticate challenge (cut short, unprintable bytes
 * replaced). */
struct viawire_http {
    int status;
    char reason[64];
    char challenge[64];
};

/* The address a SOCKS5 proxy bound for the connection (BND.ADDR, BND.PORT). */
struct viawire_bound {
    int atyp;       /* 1 IPv4, 3 domain name, 4 IPv6 */
    char host[260]; /* as text: an IPv6 address in brackets */
    unsigned port;
};

/*
 * "CONNECT host:port HTTP/1.1" with its Host field and, when user is not
 * NULL, Proxy-Authorization: Basic (RFC 7617). host is an IPv6 address
 * without brackets, a name or an IPv4 address. Returns the length, 0 if it
 * does not fit in cap. The request holds the credentials: wipe it.
 */
size_t viawire_http_request(char *out, size_t cap, const char *host, unsigned port,
                            const char *user, const char *pass);

/* The answer to a CONNECT: interim 1xx heads are skipped (RFC 9110 section
 * 15.2); the final head fills *a. *used covers every head. */
int viawire_http_answer(const uint8_t *p, size_t len, size_t *used, struct viawire_http *a,
                        char *err, size_t errlen);

/* The method offer: no authentication, and username/password too when
 * with_auth. Returns its length (out holds 4 bytes). */
size_t viawire_socks_hello(uint8_t *out, int with_auth);
/* The method the proxy chose (it must be one offered, or 0xff: none);
 * with_auth as offered. 2 bytes when complete. */
int viawire_socks_choice(const uint8_t *p, size_t len, int with_auth, int *method, char *err,
                         size_t errlen);

/* RFC 1929 request. 0 if user or pass is empty or longer than 255 bytes. */
size_t viawire_socks_auth(uint8_t *out, size_t cap, const char *user, const char *pass);
/* RFC 1929 answer: *status 0 means accepted. 2 bytes when complete. */
int viawire_socks_auth_answer(const uint8_t *p, size_t len, int *status, char *err, size_t errlen);

/* The CONNECT request for host:port: an IPv4 or IPv6 literal as such
 * (ATYP 1, 4), anything else as a domain name the proxy resolves (ATYP 3).
 * 0 if the name is empty or longer than 255 bytes or cap is short. */
size_t viawire_socks_request(uint8_t *out, size_t cap, const char *host, unsigned port);
/*
 * The answer to it. *rep is the reply code (0 succeeded). A refusal is
 * complete as soon as its code is known (the rest of it does not matter,
 * and a proxy may close right behind it): *used is then 2 and *b empty.
 * A success is complete with its bound address, which *b holds.
 */
int viawire_socks_answer(const uint8_t *p, size_t len, size_t *used, int *rep,
                         struct viawire_bound *b, char *err, size_t errlen);
/* RFC 1928 section 6's name for a reply code ("connection refused"). */
const char *viawire_socks_reply_name(int rep);

#endif
