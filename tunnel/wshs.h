/*
 * The HTTP/1.1 upgrade that starts SC1 over WebSocket (RFC 6455 section 4,
 * PROTOCOL.md Appendix A): the client's request, the server's checks and
 * answer (101, or an HTTP error saying why), the client's checks of the
 * answer. Pure functions over parsed heads (httphead.h), so the same code
 * is unit-tested and fuzzed.
 */
#ifndef TUNNEL_WSHS_H
#define TUNNEL_WSHS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "httphead.h"
#include "ws.h"

/* The subprotocol SC1 is carried as. */
#define WSHS_PROTOCOL "sc1"
/* Room for any request or answer this file writes. */
#define WSHS_OUT_MAX 1024

/*
 * What a server's first bytes are: 1 an HTTP request (a method and a
 * space), 0 too few bytes to tell, -1 something else (SC1, or bytes the
 * engine will refuse as not SC1).
 */
int wshs_sniff(const uint8_t *p, size_t n);

/* The Host field for a connect address "host:port" or "[v6]:port": the
 * port is left out when it is 80, HTTP's default (RFC 7230 5.4). */
void wshs_host(char *out, size_t outlen, const char *addr);

/* The client's upgrade request with a fresh random key, kept in key for
 * checking the answer. Its length, or -1 if the request does not fit or
 * no random bytes are available. */
int wshs_request(OSSL_LIB_CTX *libctx, char *out, size_t outlen, const char *path, const char *host,
                 char key[WS_KEY_LEN + 1]);

/*
 * Check a request for `path` (the query part ignored); `sha1` (fetched
 * once, from the services' library context) makes the accept value. Returns 101 with
 * the answer in out, or the HTTP status of the refusal (400, 404, 405,
 * 426) with the refusal in out and the reason in err.
 */
int wshs_answer(const EVP_MD *sha1, const struct httphead *h, const char *path, char *out,
                size_t outlen, char *err, size_t errlen);

/* Check the server's answer to a request made with `key`: 0, or -1 with
 * the reason in err. */
int wshs_check_answer(const EVP_MD *sha1, const struct httphead *h, const char *key, char *err,
                      size_t errlen);

#endif
