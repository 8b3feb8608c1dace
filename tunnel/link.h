/*
 * A link: one relayed connection, an SC1 session on one TCP connection
 * relayed stream to stream (stream.h) with the engine driven in between.
 *
 * Memory per connection is bounded: each of the four stream buffers stops
 * growing at LINK_WATERMARK (64 KiB) plus one record (16 KiB), and reads
 * stop at the watermark, so a connection holds at most about 320 KiB of
 * data plus the engine's own buffers (one record in, and
 * sc_conn_output_limit() plus one record out). A side whose destination is
 * full is not read, so a fast side never outruns a slow one.
 */
#ifndef TUNNEL_LINK_H
#define TUNNEL_LINK_H

#include <sys/socket.h>

#include "service.h"
#include "worker.h"

#define LINK_WATERMARK (64 * 1024)

/* A socket accepted on a service's listener: the SC1 side for a server,
 * the plaintext side for a client. Takes ownership of fd. */
void link_accept(struct worker *w, struct service *svc, int fd);

/* --stdio: one client connection whose plaintext side is in_fd/out_fd. */
int link_stdio(struct worker *w, struct service *svc, int in_fd, int out_fd);

/* End every connection of a worker now (grace period over). */
void link_drop_all(struct worker *w, const char *why);

#endif
