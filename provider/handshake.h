/* The table-driven handshake (SC1.md sections 1, 4 and 7). */
#ifndef SC_HANDSHAKE_H
#define SC_HANDSHAKE_H

#include "attr.h"

#include <stddef.h>
#include <stdint.h>

#include "conn.h"

/* Name of step 1..12 ("ClientHello"), for logs. */
const char *handshake_step_name(int step);
/* The client's first flight. */
SC_WUR int handshake_start(sc_conn *c);
/* A handshake record (type 1..12) opened or read in the clear: check it is
 * the step expected now, run its handler, then send our next flight. */
SC_WUR int handshake_receive(sc_conn *c, uint8_t type, const uint8_t *body, size_t len);
/* What handshake_receive does once the step is known to be the expected
 * one and its body is in the transcript: the row's handler, the key
 * schedule point of the step, the row's check. Nothing is sent. */
SC_WUR int handshake_handle(sc_conn *c, int step, const uint8_t *body, size_t len);
int handshake_done(const sc_conn *c);
void handshake_state_free(sc_conn *c);

#endif
