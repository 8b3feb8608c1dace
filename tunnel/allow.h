/*
 * The `allow` policy of a server: which verified client identities are
 * admitted. Patterns are "CN:glob", "DNS:glob", "URI:glob" (shell globs, DNS
 * case-insensitive) and "IP:addr" or "IP:addr/prefix".
 */
#ifndef TUNNEL_ALLOW_H
#define TUNNEL_ALLOW_H

#include <openssl/x509.h>

#include "conf.h"

/*
 * 1 if the leaf matches one of the patterns (or there are none), else 0.
 * A CN rule matches the subject's CN only when the subject holds exactly
 * one, as the identity in the log does (provider/certname.h). On a refusal
 * *why is NULL, or a reason worth logging beside the identity.
 */
int allow_match(const struct strv *patterns, X509 *leaf, const char **why);

#endif
