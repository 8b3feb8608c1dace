/* Messages 8 KeyConfirm1, 9 KeyConfirm2 and 12 SecureAck: HMACs over the
 * transcript, compared in constant time (SC1.md section 4). */
#include <openssl/crypto.h>

#include "kdf.h"
#include "msg.h"

static int put_mac(sc_conn *c, sc_buf *b, const uint8_t *key, int th)
{
    uint8_t mac[SC_HASH_LEN];
    int rc = kdf_hmac(&c->hs->kdf, key, c->hs->tr.th[th], SC_HASH_LEN, mac);

    if (rc == SC_OK && buf_put(b, mac, sizeof(mac)) != 0)
        rc = SC_ERR_NOMEM;
    return rc;
}

static int check_mac(sc_conn *c, const char *msg, const uint8_t *body, size_t len,
                     const uint8_t *key, int th)
{
    uint8_t mac[SC_HASH_LEN];
    int rc;

    if (len != SC_HASH_LEN)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "%s length %zu, expected 32", msg, len);
    if ((rc = kdf_hmac(&c->hs->kdf, key, c->hs->tr.th[th], SC_HASH_LEN, mac)) != SC_OK)
        return rc;
    if (CRYPTO_memcmp(mac, body, SC_HASH_LEN) != 0)
        return conn_reject(c, SC_ALERT_DECRYPT_ERROR, "%s does not verify", msg);
    return SC_OK;
}

int msg_confirm1_build(sc_conn *c, sc_buf *b)
{
    return put_mac(c, b, c->hs->c_confirm, MSG_KEY_EXCHANGE2);
}

int msg_confirm1_handle(sc_conn *c, const uint8_t *body, size_t len)
{
    return check_mac(c, "KeyConfirm1", body, len, c->hs->c_confirm, MSG_KEY_EXCHANGE2);
}

int msg_confirm2_build(sc_conn *c, sc_buf *b)
{
    return put_mac(c, b, c->hs->s_confirm, MSG_KEY_CONFIRM1);
}

int msg_confirm2_handle(sc_conn *c, const uint8_t *body, size_t len)
{
    return check_mac(c, "KeyConfirm2", body, len, c->hs->s_confirm, MSG_KEY_CONFIRM1);
}

int msg_secure_ack_build(sc_conn *c, sc_buf *b)
{
    return put_mac(c, b, c->hs->s_ack, MSG_SERVER_AUTH);
}

int msg_secure_ack_handle(sc_conn *c, const uint8_t *body, size_t len)
{
    return check_mac(c, "SecureAck", body, len, c->hs->s_ack, MSG_SERVER_AUTH);
}
