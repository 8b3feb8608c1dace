/* Messages 6 KeyExchange1 and 7 KeyExchange2 (SC1.md section 5). */
#include <stdlib.h>
#include <string.h>

#include "msg.h"

static const kx_alg *chosen(const sc_conn *c)
{
    return c->ctx->algs.group[c->group];
}

static int put_share(sc_conn *c, sc_buf *b)
{
    if (buf_u16(b, kx_groups[c->group].code) || buf_u16(b, (uint16_t)c->hs->kx_share_len)
        || buf_put(b, c->hs->kx_share, c->hs->kx_share_len))
        return SC_ERR_NOMEM;
    return SC_OK;
}

/* u16 group || u16 len || share; the group must be the one chosen in 2. */
static int parse_share(sc_conn *c, const char *msg, const uint8_t *body, size_t len, size_t expect,
                       const uint8_t **share, size_t *share_len)
{
    sc_cur cur;
    uint16_t group;

    buf_cur_init(&cur, body, len);
    if (buf_cur_u16(&cur, &group) || buf_cur_vec16(&cur, share, share_len))
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "%s truncated", msg);
    if (buf_cur_end(&cur) != 0)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "%s has %zu trailing bytes", msg, cur.left);
    if (group != kx_groups[c->group].code)
        return conn_reject(c, SC_ALERT_ILLEGAL_PARAMETER, "%s group 0x%04x != 0x%04x", msg, group,
                           kx_groups[c->group].code);
    if (*share_len != expect)
        return conn_reject(c, SC_ALERT_ILLEGAL_PARAMETER, "%s %s share length %zu, expected %zu",
                           msg, kx_groups[c->group].name, *share_len, expect);
    return SC_OK;
}

static int alloc_share(hs_state *h, size_t len)
{
    h->kx_share = malloc(len ? len : 1);
    return h->kx_share ? SC_OK : SC_ERR_NOMEM;
}

int msg_kx1_build(sc_conn *c, sc_buf *b)
{
    hs_state *h = c->hs;
    size_t kl, cap = kx_alg_client_share_len(chosen(c));
    const uint8_t *inj = testing_kx(c, &kl);
    int rc = alloc_share(h, cap);

    if (rc == SC_OK)
        rc = kx_keygen(chosen(c), inj, kl, &h->kx_priv, h->kx_share, cap, &h->kx_share_len);
    return rc == SC_OK ? put_share(c, b) : rc;
}

int msg_kx1_handle(sc_conn *c, const uint8_t *body, size_t len)
{
    hs_state *h = c->hs;
    const uint8_t *share, *inj;
    size_t share_len, kl, cap = kx_alg_server_share_len(chosen(c));
    int rc = parse_share(c, "KeyExchange1", body, len, kx_alg_client_share_len(chosen(c)), &share,
                         &share_len);

    if (rc != SC_OK)
        return rc;
    if ((rc = alloc_share(h, cap)) != SC_OK)
        return rc;
    inj = testing_kx(c, &kl);
    rc = kx_respond(chosen(c), share, share_len, inj, kl, h->kx_share, cap, &h->kx_share_len, h->kx,
                    sizeof(h->kx), &h->kx_len);
    if (rc == SC_ERR_PROTOCOL)
        return conn_reject(c, SC_ALERT_ILLEGAL_PARAMETER, "KeyExchange1 %s share is invalid",
                           kx_groups[c->group].name);
    return rc;
}

int msg_kx2_build(sc_conn *c, sc_buf *b)
{
    return put_share(c, b);
}

int msg_kx2_handle(sc_conn *c, const uint8_t *body, size_t len)
{
    hs_state *h = c->hs;
    const uint8_t *share;
    size_t share_len;
    int rc = parse_share(c, "KeyExchange2", body, len, kx_alg_server_share_len(chosen(c)), &share,
                         &share_len);

    if (rc != SC_OK)
        return rc;
    rc = kx_derive(chosen(c), h->kx_priv, share, share_len, h->kx, sizeof(h->kx), &h->kx_len);
    if (rc == SC_ERR_PROTOCOL)
        return conn_reject(c, SC_ALERT_ILLEGAL_PARAMETER, "KeyExchange2 %s share is invalid",
                           kx_groups[c->group].name);
    return rc;
}
