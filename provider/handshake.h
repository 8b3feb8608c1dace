/* The table-driven handshake (SC1.md sections 1, 4 and 7). */
#ifndef SC_HANDSHAKE_H
#define SC_HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"

/* Name of step 1..12 ("ClientHello"), for logs. */
const char *hs_step_name(int step);
/* The client's first flight. */
int hs_start(sc_conn *c);
/* A handshake record (type 1..12) opened or read in the clear: check it is
 * the step expected now, run its handler, then send our next flight. */
int hs_receive(sc_conn *c, uint8_t type, const uint8_t *body, size_t len);
int hs_done(const sc_conn *c);
void hs_state_free(sc_conn *c);

/* Key schedule steps (section 7), used by the message handlers. */
int ks_install_handshake_keys(sc_conn *c);   /* from dh and TH2 */
int ks_derive_master(sc_conn *c);            /* ms and confirm keys, TH7 */
int ks_install_application_keys(sc_conn *c); /* c_ap, s_ap, s_ack from TH11 */
int ks_finish(sc_conn *c);                   /* exp from TH12; frees hs state */

#endif
