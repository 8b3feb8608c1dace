/*
 * reload_interval: the credential files of every service (cert, key, ca,
 * crl), remembered by a digest of their content, so that a rotation on
 * disk is seen whatever happened to the file's times.
 */
#ifndef TUNNEL_WATCH_H
#define TUNNEL_WATCH_H

#include <stddef.h>

#include "conf.h"

struct watch;

/* The files `c` names, digested now. NULL on allocation failure. */
struct watch *watch_new(const struct config *c);
void watch_free(struct watch *w);

/* Digest every file again: 1 if any differs from what was last seen
 * (which it then becomes), with the first such file named in `what`;
 * 0 if none. A file that cannot be read counts as content too. */
int watch_check(struct watch *w, char *what, size_t whatlen);

#endif
