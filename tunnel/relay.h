/* The data path of one connection (see relay.c). */
#ifndef TUNNEL_RELAY_H
#define TUNNEL_RELAY_H

#include <stddef.h>
#include <sys/types.h>

struct link;

/* Move everything that can move; -1 if the connection was dropped. */
int relay_pump(struct link *c);

/* Move the engine's pending output (handshake, alerts, key updates) into
 * the SC1 stream's buffer: all of it, or (all = 0) only while that buffer
 * is under its watermark. */
void relay_flush_engine(struct link *c, int all);

/* The SC1 side's outgoing byte stream, whatever carries it (raw TCP, or
 * WebSocket frames): where its records go, what still waits to be
 * written, and writing it (framing first). */
struct evbuffer *relay_net_out(struct link *c);
size_t relay_net_pending(struct link *c);
ssize_t relay_net_flush(struct link *c);

#endif
