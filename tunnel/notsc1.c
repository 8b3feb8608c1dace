/* What a peer's first bytes say about it when they are not SC1: kept as
 * they arrive (link_note_first) and named in the log line that ends the
 * connection (link_not_sc1). */
#include <stdio.h>
#include <string.h>

#include "link_int.h"

/*
 * A peer that does not speak SC1 at all (a TLS or HTTP client, an SSH
 * server, a port scanner): say what its first bytes look like, so that the
 * log shows the misdirected connection for what it is. Only before the
 * peer's first valid record, and only when the engine says its first bytes
 * cannot begin SC1 (sc_record_looks_sc1): an SC1 peer with a fault gets
 * the engine's own explanation alone.
 */
const char *link_not_sc1(const struct link *c, char *out, size_t outlen)
{
    static const char *const methods[] = { "GET ",     "HEAD ",    "POST ",  "PUT ",   "DELETE ",
                                           "OPTIONS ", "CONNECT ", "PATCH ", "TRACE ", "HTTP/" };
    const uint8_t *b = c->first;
    size_t n = c->first_len, i, len;
    const char *what = "unknown bytes";
    char hex[3 * sizeof(c->first) + 1];

    if (n == 0 || sc_conn_last_step(c->sc) > (c->client ? 1 : 0)
        || sc_record_looks_sc1(b, n, c->client ? SC_ROLE_CLIENT : SC_ROLE_SERVER))
        return NULL;
    if (n >= 2 && b[0] == 0x16 && b[1] == 0x03)
        what = "TLS";
    else if (n >= 4 && memcmp(b, "SSH-", 4) == 0)
        what = "SSH";
    for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        len = strlen(methods[i]);
        /* The first bytes may hold only the start of a long method. */
        if (memcmp(b, methods[i], n < len ? n : len) == 0 && n >= 4)
            what = "HTTP";
    }
    for (i = 0; i < n; i++)
        snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02x ", b[i]);
    hex[3 * n - 1] = '\0';
    snprintf(out, outlen, "not SC1: %s%s (first bytes %s); ",
             strcmp(what, "unknown bytes") == 0 ? "" : "looks like ", what, hex);
    return out;
}

/* Keep the peer's first bytes for link_not_sc1(): `p` starts at stream offset
 * net_in. */
void link_note_first(struct link *c, const uint8_t *p, size_t len)
{
    size_t n;

    if (c->net_in >= sizeof(c->first))
        return;
    n = sizeof(c->first) - (size_t)c->net_in;
    if (n > len)
        n = len;
    memcpy(c->first + c->net_in, p, n);
    if (c->net_in + n > c->first_len)
        c->first_len = (size_t)c->net_in + n;
}
