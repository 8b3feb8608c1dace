/*
 * The head of an HTTP/1.1 message from outside: a WebSocket upgrade
 * request (server side), a 101 answer (client side), an HTTP proxy's
 * answer to CONNECT. Bounded: at most HTTPHEAD_MAX bytes and
 * HTTPHEAD_FIELDS header fields; anything else is refused with a reason.
 */
#ifndef TUNNEL_HTTPHEAD_H
#define TUNNEL_HTTPHEAD_H

#include <stddef.h>
#include <stdint.h>

#define HTTPHEAD_MAX 8192
#define HTTPHEAD_FIELDS 64

struct httphead_field {
    const char *name, *value; /* NUL-terminated, inside the head's copy */
};

struct httphead {
    char buf[HTTPHEAD_MAX + 1];
    /* A request: method and target; an answer: status and reason. */
    const char *method, *target, *reason;
    int status; /* 0 for a request */
    int minor;  /* HTTP/1.x */
    struct httphead_field field[HTTPHEAD_FIELDS];
    size_t nfields;
};

/*
 * Parse the head at the start of p (up to and including the empty line).
 * want_request: 1 for a request line, 0 for a status line. Returns 1 with
 * *used set when the whole head is there, 0 when more bytes are needed,
 * -1 with a reason in err otherwise (too long, too many fields, a bad line).
 */
int httphead_parse(struct httphead *h, const uint8_t *p, size_t len, int want_request, size_t *used,
                   char *err, size_t errlen);

/* A field's value by name (case-insensitive), NULL if absent. With more
 * than one, the first. */
const char *httphead_get(const struct httphead *h, const char *name);
/* Whether a comma-separated field holds `token` (case-insensitive), as
 * "Connection: keep-alive, Upgrade" holds "upgrade". */
int httphead_has_token(const struct httphead *h, const char *name, const char *token);

#endif
