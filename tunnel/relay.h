/* The data path of one connection (see relay.c). */
#ifndef TUNNEL_RELAY_H
#define TUNNEL_RELAY_H

struct link;

/* Move everything that can move; -1 if the connection was dropped. */
int relay_pump(struct link *c);

/* Move the engine's pending output (handshake, alerts, key updates) into
 * the SC1 stream's buffer: all of it, or (all = 0) only while that buffer
 * is under its watermark. */
void relay_flush_engine(struct link *c, int all);

#endif
