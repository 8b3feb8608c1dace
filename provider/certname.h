/* The subject common name that stands for a certificate's holder. A
 * subject may hold several CN attributes, and a reader that takes the
 * first and one that takes any would each believe a different holder; so a
 * certificate names someone by CN only when its subject has exactly one.
 * The engine's identity (certid_identity) and sctunnel's `allow` rules both
 * read the CN through this function. */
#ifndef SC_CERTNAME_H
#define SC_CERTNAME_H

#include "attr.h"

#include <openssl/x509.h>

#define CERTNAME_NO_CN (-1)   /* the subject has no CN */
#define CERTNAME_MANY_CN (-2) /* the subject has more than one CN */
#define CERTNAME_BAD_CN (-3)  /* the CN does not convert to UTF-8 */

/* The subject's only CN as UTF-8 in a new allocation, NUL-terminated (free
 * it with OPENSSL_free), and its length, which counts any embedded NUL: the
 * caller decides what such a name matches. Otherwise one of the negative
 * codes above, and *utf8 is NULL. */
SC_WUR int certname_cn(X509 *x, unsigned char **utf8);

/* How many CN attributes the subject holds. */
int certname_cn_count(X509 *x);

#endif
