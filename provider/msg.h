/* One codec per handshake message: `build` writes the body we send,
 * `handle` parses and checks a received body. The body has already been
 * added to the transcript, so th[n-1] and th[n] are available. */
#ifndef SC_MSG_H
#define SC_MSG_H

#include "buf.h"
#include "conn.h"

#define SC_VERSION 0x0001

int client_hello_build(sc_conn *c, sc_buf *b);
int client_hello_handle(sc_conn *c, const uint8_t *body, size_t len);
int server_hello_build(sc_conn *c, sc_buf *b);
int server_hello_handle(sc_conn *c, const uint8_t *body, size_t len);
int cert_chain_build(sc_conn *c, sc_buf *b);                 /* 3 and 5 */
int server_cert_handle(sc_conn *c, const uint8_t *body, size_t len);
int client_cert_handle(sc_conn *c, const uint8_t *body, size_t len);
int cert_request_build(sc_conn *c, sc_buf *b);
int cert_request_handle(sc_conn *c, const uint8_t *body, size_t len);
int kx1_build(sc_conn *c, sc_buf *b);
int kx1_handle(sc_conn *c, const uint8_t *body, size_t len);
int kx2_build(sc_conn *c, sc_buf *b);
int kx2_handle(sc_conn *c, const uint8_t *body, size_t len);
int confirm1_build(sc_conn *c, sc_buf *b);
int confirm1_handle(sc_conn *c, const uint8_t *body, size_t len);
int confirm2_build(sc_conn *c, sc_buf *b);
int confirm2_handle(sc_conn *c, const uint8_t *body, size_t len);
int client_auth_build(sc_conn *c, sc_buf *b);
int client_auth_handle(sc_conn *c, const uint8_t *body, size_t len);
int server_auth_build(sc_conn *c, sc_buf *b);
int server_auth_handle(sc_conn *c, const uint8_t *body, size_t len);
int secure_ack_build(sc_conn *c, sc_buf *b);
int secure_ack_handle(sc_conn *c, const uint8_t *body, size_t len);

/* After sending: server-side key schedule points. */
int after_server_hello_sent(sc_conn *c);
int after_kx2_sent(sc_conn *c);
int after_server_auth_sent(sc_conn *c);
int after_secure_ack_sent(sc_conn *c);

#endif
