/*
 * accept_proxy: a server's SC1 connections arrive through an L4 load
 * balancer that puts a PROXY protocol header (v1 or v2) before SC1. The
 * header is read and checked strictly before anything else; the original
 * client's address then stands for the connection's peer everywhere.
 * Private to link.c.
 */
#ifndef TUNNEL_PPACCEPT_H
#define TUNNEL_PPACCEPT_H

struct link;

/* Wait for the header on the accepted SC1 socket, within the service's
 * handshake_timeout. */
void ppaccept_start(struct link *c);
/* The SC1 socket is readable: read and parse; on a whole header go on
 * with SC1 (link_net_start). -1 if the connection was dropped. */
int ppaccept_step(struct link *c);
/* The wait is over: reset the connection. */
void ppaccept_timeout(struct link *c);

#endif
