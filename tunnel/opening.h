/* Deferred sessions in the tunnel: see opening.c. */
#ifndef TUNNEL_OPENING_H
#define TUNNEL_OPENING_H

#include <stddef.h>
#include <stdint.h>

struct link;
struct service;
struct stream;
struct worker;

/* A client session made for the pool (pool.c); NULL when refused. */
struct link *opening_new_pooled(struct worker *w, struct service *svc);
/* Client: a local connection (plaintext stream `s`) on a ready session
 * taken from the pool. 0, or -1 if the connection was dropped. */
int opening_take_pooled(struct link *c, struct stream *s);
/* Server: start the plaintext side once the session is open (at once when
 * it is not deferred), after applying the current access policy to a
 * deferred one. 0, or -1 if the connection was dropped. */
int opening_check(struct link *c);
/* Client: plaintext sent since the session opened, kept for a retry until
 * the server's first data or REPLAY_MAX bytes. */
void opening_keep_sent(struct link *c, const uint8_t *p, size_t len);
/* Client: the server withdrew the session. 1 if handled (retried, or a
 * ready session dropped), 0 to end the connection as a failure. */
int opening_withdrawn(struct link *c);
/* Server: end an unopened session with the alert withdrawn. */
void opening_withdraw(struct link *c, const char *why);
/* Server: withdraw every unopened session (SIGTERM). */
void opening_withdraw_all(struct worker *w);

#endif
