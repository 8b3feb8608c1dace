/*
 * SC1 over WebSocket on a connection (link_int.h): the HTTP upgrade on
 * either side, then the frames (wsconn.h) between the socket and the
 * engine. Private to link.c and relay.c.
 */
#ifndef TUNNEL_WSLINK_H
#define TUNNEL_WSLINK_H

struct link;

/* What follows a completed upgrade (the SC1 handshake); -1 if it dropped
 * the connection. */
typedef int (*wslink_done)(struct link *c);

/*
 * Client: send the upgrade request on the SC1 socket, already connected
 * (directly or through a proxy's tunnel); `done` runs once the 101 answer
 * is verified. Phase PH_UPGRADE until then. -1 if the connection was
 * dropped.
 */
int wslink_client_start(struct link *c, wslink_done done);
/* Server: wait for the first bytes; an HTTP request goes through the
 * upgrade, anything else is SC1 as on a plain port. `done` runs then. */
void wslink_server_start(struct link *c, wslink_done done);
/* In PH_UPGRADE, after reading: 1 upgrade over (done has run), 0 waiting,
 * -1 the connection was dropped. */
int wslink_step(struct link *c);

/* Received frames into the engine's input; -1 if a protocol error
 * dropped the connection. */
int wslink_unframe(struct link *c);
/* Our end of the WebSocket: a close frame after what is pending, written
 * as far as the socket takes it. -1 if the connection was dropped. */
int wslink_close(struct link *c, int code);
void wslink_free(struct link *c);

#endif
