/* One codec per handshake message: `build` writes the body we send,
 * `handle` parses and checks a received body. The body has already been
 * added to the transcript, so th[n-1] and th[n] are available. */
#ifndef SC_MSG_H
#define SC_MSG_H

#include "attr.h"

#include "buf.h"
#include "conn.h"

#define SC_VERSION 0x0001

/* The twelve steps (SC1.md section 4); the value is the record type
 * and the transcript's n. */
enum msg_step {
    MSG_CLIENT_HELLO = 1,
    MSG_SERVER_HELLO = 2,
    MSG_SERVER_CERT = 3,
    MSG_CLIENT_CERT_REQUEST = 4,
    MSG_CLIENT_CERT = 5,
    MSG_KEY_EXCHANGE1 = 6,
    MSG_KEY_EXCHANGE2 = 7,
    MSG_KEY_CONFIRM1 = 8,
    MSG_KEY_CONFIRM2 = 9,
    MSG_CLIENT_AUTH = 10,
    MSG_SERVER_AUTH = 11,
    MSG_SECURE_ACK = 12,
};
#define MSG_FIRST MSG_CLIENT_HELLO
#define MSG_LAST MSG_SECURE_ACK

SC_WUR int msg_client_hello_build(sc_conn *c, sc_buf *b);
SC_WUR int msg_client_hello_handle(sc_conn *c, const uint8_t *body, size_t len);
SC_WUR int msg_server_hello_build(sc_conn *c, sc_buf *b);
SC_WUR int msg_server_hello_handle(sc_conn *c, const uint8_t *body, size_t len);
SC_WUR int msg_cert_chain_build(sc_conn *c, sc_buf *b); /* 3 and 5 */
SC_WUR int msg_server_cert_handle(sc_conn *c, const uint8_t *body, size_t len);
SC_WUR int msg_client_cert_handle(sc_conn *c, const uint8_t *body, size_t len);
SC_WUR int msg_cert_request_build(sc_conn *c, sc_buf *b);
SC_WUR int msg_cert_request_handle(sc_conn *c, const uint8_t *body, size_t len);
SC_WUR int msg_kx1_build(sc_conn *c, sc_buf *b);
SC_WUR int msg_kx1_handle(sc_conn *c, const uint8_t *body, size_t len);
SC_WUR int msg_kx2_build(sc_conn *c, sc_buf *b);
SC_WUR int msg_kx2_handle(sc_conn *c, const uint8_t *body, size_t len);
SC_WUR int msg_confirm1_build(sc_conn *c, sc_buf *b);
SC_WUR int msg_confirm1_handle(sc_conn *c, const uint8_t *body, size_t len);
SC_WUR int msg_confirm2_build(sc_conn *c, sc_buf *b);
SC_WUR int msg_confirm2_handle(sc_conn *c, const uint8_t *body, size_t len);
SC_WUR int msg_client_auth_build(sc_conn *c, sc_buf *b);
SC_WUR int msg_client_auth_handle(sc_conn *c, const uint8_t *body, size_t len);
SC_WUR int msg_server_auth_build(sc_conn *c, sc_buf *b);
/* 11 is handled in two halves: the keys switch once it is parsed, before
 * its signature is checked (section 2). */
SC_WUR int msg_server_auth_handle(sc_conn *c, const uint8_t *body, size_t len);
SC_WUR int msg_server_auth_check(sc_conn *c, const uint8_t *body, size_t len);
SC_WUR int msg_secure_ack_build(sc_conn *c, sc_buf *b);
SC_WUR int msg_secure_ack_handle(sc_conn *c, const uint8_t *body, size_t len);

#endif
