/*
 * The PROXY protocol header a server sends its plaintext service
 * (`proxy_protocol = v1|v2`): who the SC1 client is, and for v2 what the
 * session is. Private to link.c.
 */
#ifndef TUNNEL_PPSEND_H
#define TUNNEL_PPSEND_H

struct link;

/* Exporter label of the session's unique id (PP2_TYPE_UNIQUE_ID). */
#define PPSEND_ID_LABEL "sctunnel proxy unique id"
/* Bytes of exporter output in the id; the TLV and the log carry its hex. */
#define PPSEND_ID_LEN 16

/*
 * Queue the header on the plaintext side's output, just connected and
 * before any relayed byte; v2 also sets the connection's unique id (logged
 * on its close line). -1 if the connection was dropped.
 */
int ppsend_header(struct link *c);

#endif
