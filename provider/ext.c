/* Extension blocks of messages 1 and 2 (SC1.md section 4, Extensions):
 * u16 type, u16 len, data, repeated to fill the block. One table row per
 * extension this engine knows; everything else is ignored, as are
 * repeats of a type after its first appearance (section 4, message 1). */
#include <string.h>

#include "ext.h"
#include "msg.h"

typedef struct {
    uint16_t type;
    const char *name;
    size_t data_len; /* the only length its data may have */
    /* Ours to send: the client offers, the server answers. */
    int (*wanted)(const sc_conn *c);
    /* The peer sent it (in 1) or answered it (in 2). */
    void (*seen)(sc_conn *c);
} ext_row;

static int deferred_wanted(const sc_conn *c)
{
    return c->role == SC_ROLE_CLIENT ? c->deferred_want : c->deferred;
}

/* In 1: the server agrees if it allows deferred sessions. In 2: the
 * client offered it (checked by the caller), so the session is deferred. */
static void deferred_seen(sc_conn *c)
{
    c->deferred = c->role == SC_ROLE_CLIENT || c->deferred_want;
}

static const ext_row ext_rows[] = {
    { EXT_DEFERRED_OPEN, "deferred_open", 0, deferred_wanted, deferred_seen },
};
#define N_EXT (sizeof(ext_rows) / sizeof(ext_rows[0]))

int ext_build(const sc_conn *c, sc_buf *b)
{
    size_t len = c->hs->ext_len;

    for (size_t i = 0; i < N_EXT; i++)
        if (ext_rows[i].wanted(c))
            len += 4 + ext_rows[i].data_len;
    if (len > 0xffff || buf_u16(b, (uint16_t)len) != 0)
        return SC_ERR_NOMEM;
    for (size_t i = 0; i < N_EXT; i++) {
        if (!ext_rows[i].wanted(c))
            continue;
        /* No extension we know carries data yet: data_len is 0. */
        if (buf_u16(b, ext_rows[i].type) != 0 || buf_u16(b, (uint16_t)ext_rows[i].data_len) != 0)
            return SC_ERR_NOMEM;
    }
    if (buf_put(b, c->hs->ext, c->hs->ext_len) != 0)
        return SC_ERR_NOMEM;
    return SC_OK;
}

int ext_handle(sc_conn *c, const char *msg, const uint8_t *p, size_t len)
{
    int in_server_hello = c->role == SC_ROLE_CLIENT;
    int seen[N_EXT] = { 0 };
    sc_cur cur;
    uint16_t type;
    const uint8_t *data;
    size_t dlen;

    /* Layout first (decode_error), for the whole block. */
    buf_cur_init(&cur, p, len);
    while (cur.left > 0)
        if (buf_cur_u16(&cur, &type) != 0 || buf_cur_vec16(&cur, &data, &dlen) != 0)
            return conn_reject(c, SC_ALERT_DECODE_ERROR, "%s extensions truncated", msg);
    buf_cur_init(&cur, p, len);
    while (cur.left > 0) {
        if (buf_cur_u16(&cur, &type) != 0 || buf_cur_vec16(&cur, &data, &dlen) != 0)
            return conn_reject(c, SC_ALERT_DECODE_ERROR, "%s extensions truncated", msg);
        for (size_t i = 0; i < N_EXT; i++) {
            const ext_row *r = &ext_rows[i];
            if (r->type != type || seen[i]++)
                continue;
            if (dlen != r->data_len)
                return conn_reject(c, SC_ALERT_DECODE_ERROR, "%s %s with %zu bytes of data", msg,
                                   r->name, dlen);
            if (in_server_hello && !r->wanted(c))
                return conn_reject(c, SC_ALERT_ILLEGAL_PARAMETER, "%s %s, not offered", msg,
                                   r->name);
            r->seen(c);
        }
    }
    return SC_OK;
}
