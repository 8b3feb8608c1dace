/* The data path of one connection (see relay.c). */
#ifndef TUNNEL_RELAY_H
#define TUNNEL_RELAY_H

struct conn;

/* Move everything that can move; -1 if the connection was dropped. */
int relay_pump(struct conn *c);

#endif
