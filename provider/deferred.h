/* Deferred sessions (SC1.md section 4, Extensions): what the record layer
 * asks and tells as application data passes. */
#ifndef SC_DEFERRED_H
#define SC_DEFERRED_H

#include "attr.h"

#include <stdint.h>

#include "conn.h"

/* 0 while this side may not seal application data: an unopened server. */
int deferred_may_seal_data(const sc_conn *c);
/* We sealed application data: a deferred client's session is open. */
void deferred_data_sent(sc_conn *c);
/* We opened an application-data record: a deferred server's session is
 * open. */
void deferred_data_received(sc_conn *c);
/* The error a fatal alert from the peer ends the connection with. */
int deferred_alert_error(const sc_conn *c, uint8_t alert);

#endif
