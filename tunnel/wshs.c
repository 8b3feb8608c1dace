/* wshs_*: the WebSocket upgrade exchange (wshs.h). */
#include "wshs.h"

#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -1)

int wshs_sniff(const uint8_t *p, size_t n)
{
    static const char *const methods[] = { "GET ",     "HEAD ",  "POST ",  "PUT ",    "DELETE ",
                                           "OPTIONS ", "PATCH ", "TRACE ", "CONNECT " };
    size_t i, len;
    int maybe = 0;

    for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        len = strlen(methods[i]);
        if (memcmp(p, methods[i], n < len ? n : len) != 0)
            continue;
        if (n >= len)
            return 1;
        maybe = 1;
    }
    return maybe && n > 0 ? 0 : -1;
}

void wshs_host(char *out, size_t outlen, const char *addr)
{
    const char *colon = strrchr(addr, ':');

    if (strncmp(addr, "unix:", 5) == 0 || colon == NULL)
        snprintf(out, outlen, "localhost");
    else if (strcmp(colon, ":80") == 0)
        snprintf(out, outlen, "%.*s", (int)(colon - addr), addr);
    else
        snprintf(out, outlen, "%s", addr);
}

int wshs_request(OSSL_LIB_CTX *libctx, char *out, size_t outlen, const char *path, const char *host,
                 char key[WS_KEY_LEN + 1])
{
    unsigned char raw[16];
    int n;

    /* RFC 6455 4.1: a nonce of 16 random bytes, base64. */
    if (RAND_bytes_ex(libctx, raw, sizeof(raw), 0) != 1
        || EVP_EncodeBlock((unsigned char *)key, raw, sizeof(raw)) != WS_KEY_LEN)
        return -1;
    key[WS_KEY_LEN] = '\0';
    n = snprintf(out, outlen,
                 "GET %s HTTP/1.1\r\n"
                 "Host: %s\r\n"
                 "Upgrade: websocket\r\n"
                 "Connection: Upgrade\r\n"
                 "Sec-WebSocket-Key: %s\r\n"
                 "Sec-WebSocket-Version: 13\r\n"
                 "Sec-WebSocket-Protocol: " WSHS_PROTOCOL "\r\n"
                 "\r\n",
                 path, host, key);
    return n > 0 && (size_t)n < outlen ? n : -1;
}

/* An HTTP refusal: a short text body saying why, then the end. */
static int refuse(char *out, size_t outlen, int status, const char *reason, const char *extra,
                  char *err, size_t errlen, const char *why)
{
    snprintf(err, errlen, "%s", why);
    snprintf(out, outlen,
             "HTTP/1.1 %d %s\r\n"
             "%s"
             "Content-Type: text/plain\r\n"
             "Content-Length: %zu\r\n"
             "Connection: close\r\n"
             "\r\n"
             "%s\n",
             status, reason, extra, strlen(why) + 1, why);
    return status;
}

int wshs_answer(const EVP_MD *sha1, const struct httphead *h, const char *path, char *out,
                size_t outlen, char *err, size_t errlen)
{
    const char *key = httphead_get(h, "Sec-WebSocket-Key");
    const char *version = httphead_get(h, "Sec-WebSocket-Version");
    char accept[WS_ACCEPT_LEN + 1], why[160];
    size_t plen = strcspn(h->target, "?");

    /* A plain HTTP request (a browser, a health check, a scanner): 400,
     * whatever its method or path; the codes below are for upgrades. */
    if (!httphead_has_token(h, "Upgrade", "websocket")
        || !httphead_has_token(h, "Connection", "upgrade"))
        return refuse(out, outlen, 400, "Bad Request", "", err, errlen,
                      "a plain HTTP request, not a WebSocket upgrade (this port serves SC1)");
    if (strcmp(h->method, "GET") != 0) {
        snprintf(why, sizeof(why), "method %.32s: only a GET upgrade is served", h->method);
        return refuse(out, outlen, 405, "Method Not Allowed", "Allow: GET\r\n", err, errlen, why);
    }
    if (h->minor < 1 || httphead_get(h, "Host") == NULL)
        return refuse(out, outlen, 400, "Bad Request", "", err, errlen,
                      "not an HTTP/1.1 request with a Host field");
    if (strlen(path) != plen || strncmp(h->target, path, plen) != 0) {
        snprintf(why, sizeof(why), "path %.64s is not served", h->target);
        return refuse(out, outlen, 404, "Not Found", "", err, errlen, why);
    }
    /* RFC 6455 4.4: an unsupported version is told the one supported. */
    if (version == NULL || strcmp(version, "13") != 0)
        return refuse(out, outlen, 426, "Upgrade Required", "Sec-WebSocket-Version: 13\r\n", err,
                      errlen, "Sec-WebSocket-Version is not 13");
    if (!ws_key_valid(key))
        return refuse(out, outlen, 400, "Bad Request", "", err, errlen,
                      "Sec-WebSocket-Key is not base64 of 16 bytes");
    if (!httphead_has_token(h, "Sec-WebSocket-Protocol", WSHS_PROTOCOL))
        return refuse(out, outlen, 400, "Bad Request", "", err, errlen,
                      "Sec-WebSocket-Protocol does not offer " WSHS_PROTOCOL);
    if (ws_accept_value(sha1, key, accept) != 0)
        return refuse(out, outlen, 500, "Internal Server Error", "", err, errlen,
                      "SHA-1 unavailable for Sec-WebSocket-Accept");
    snprintf(out, outlen,
             "HTTP/1.1 101 Switching Protocols\r\n"
             "Upgrade: websocket\r\n"
             "Connection: Upgrade\r\n"
             "Sec-WebSocket-Accept: %s\r\n"
             "Sec-WebSocket-Protocol: " WSHS_PROTOCOL "\r\n"
             "\r\n",
             accept);
    return 101;
}

int wshs_check_answer(const EVP_MD *sha1, const struct httphead *h, const char *key, char *err,
                      size_t errlen)
{
    const char *acc = httphead_get(h, "Sec-WebSocket-Accept");
    const char *proto = httphead_get(h, "Sec-WebSocket-Protocol");
    char want[WS_ACCEPT_LEN + 1];

    if (h->status != 101)
        return FAIL("WebSocket upgrade refused: HTTP %d %.80s", h->status, h->reason);
    if (!httphead_has_token(h, "Upgrade", "websocket")
        || !httphead_has_token(h, "Connection", "upgrade"))
        return FAIL("101 answer without Upgrade: websocket and Connection: Upgrade");
    if (ws_accept_value(sha1, key, want) != 0)
        return FAIL("SHA-1 unavailable for Sec-WebSocket-Accept");
    if (acc == NULL || strcmp(acc, want) != 0)
        return FAIL("Sec-WebSocket-Accept does not match the key sent");
    /* Section 4.1: a subprotocol not offered fails the connection; none
     * at all means the server does not speak SC1 over this path. */
    if (proto == NULL || strcmp(proto, WSHS_PROTOCOL) != 0)
        return FAIL("101 answer without Sec-WebSocket-Protocol: " WSHS_PROTOCOL);
    return 0;
}
