/* Extension blocks of messages 1 and 2 (SC1.md section 4, Extensions). */
#ifndef SC_EXT_H
#define SC_EXT_H

#include "attr.h"

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "conn.h"

#define EXT_DEFERRED_OPEN 0x0001

/* Write the u16-prefixed extension block we send in 1 (client) or 2
 * (server): the extensions this side uses, then any testing bytes. */
SC_WUR int ext_build(const sc_conn *c, sc_buf *b);

/* Check a received block (`msg` names the message for errors): its
 * layout, the data of the types we know, and, in 2, that the server
 * answers only what we offered. Sets what the peer asked for or agreed
 * to. SC_OK, or the connection fails with the spec's alert. */
SC_WUR int ext_handle(sc_conn *c, const char *msg, const uint8_t *p, size_t len);

#endif
