/* The key schedule (SC1.md section 7): every secret from s0 to the
 * exporter, the traffic keys each one installs, and the key update. The
 * handshake table (handshake.c) names the point of each step at which
 * keys switch; this file knows what each point derives. */
#ifndef SC_KEYSCHED_H
#define SC_KEYSCHED_H

#include "attr.h"

#include <stddef.h>
#include <stdint.h>

#include "algs.h"
#include "record.h"
#include "sovchain.h"

/* Where the schedule moves on, in handshake order (section 7). */
typedef enum {
    KEYSCHED_NONE = 0,
    KEYSCHED_HANDSHAKE,   /* after 2: c_hs and s_hs from dh and TH2 */
    KEYSCHED_MASTER,      /* after 7: ms and the confirm keys from kx, TH7 */
    KEYSCHED_APPLICATION, /* 11 parsed: c_ap, s_ap and s_ack from TH11 */
    KEYSCHED_EXPORTER,    /* after 12: exp from TH12; the handshake state goes */
} keysched_point;

/* s0 = Extract(0, 0) and Derive-Secret(s0, "derived", ""): the same for
 * every handshake, computed once per context into a->s0, a->derived_hs. */
SC_WUR int keysched_constants(sc_algs *a);

/* Run the derivations of point `p` for this connection and install the
 * traffic keys it yields (none for MASTER; none, and the handshake state
 * freed, for EXPORTER). */
SC_WUR int keysched_advance(sc_conn *c, keysched_point p);

/* Key update (section 4): the direction's secret becomes
 * Expand-Label(secret, "upd", "", 32), with its key and IV, seq 0. */
SC_WUR int keysched_update(const sc_algs *a, record_dir *d, int encrypt);

/* The point's name, for logs. */
const char *keysched_point_name(keysched_point p);

#endif
