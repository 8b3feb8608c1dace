/*
 * The `allow` policy of a server: which verified client identities are
 * admitted. Patterns are "CN:glob", "DNS:glob", "URI:glob" (shell globs, DNS
 * case-insensitive) and "IP:addr" or "IP:addr/prefix".
 */
#ifndef TUNNEL_ALLOW_H
#define TUNNEL_ALLOW_H

#include <openssl/x509.h>

#include "conf.h"

/* 1 if the leaf matches one of the patterns (or there are none), else 0. */
int allow_match(const struct strv *patterns, X509 *leaf);

#endif
