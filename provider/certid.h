/* A peer certificate's names (SC1.md section 9). */
#ifndef SC_CERTID_H
#define SC_CERTID_H

#include "attr.h"

#include <stddef.h>
#include <openssl/x509.h>

/* Section 9 name rules: SAN only, wildcard as the whole left-most label with
 * at least two labels after it, IP literal only against iPAddress. 1/0. */
int certid_matches(X509 *leaf, const char *name);

/* The identity for logs and policy: for a server the first SAN, for a
 * client the subject CN when the subject has exactly one (else the first
 * SAN; see certname.h), as "CN:x", "DNS:x", "IP:x", "URI:x". Writes a
 * NUL-terminated string; SC_OK or SC_ERR_ARG. */
SC_WUR int certid_identity(X509 *leaf, int is_server, char *out, size_t cap);

#endif
