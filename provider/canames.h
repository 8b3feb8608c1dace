/* ClientCertRequest's CA names (SC1.md section 4, message 4):
 * concatenated DER X.509 Names. */
#ifndef SC_CANAMES_H
#define SC_CANAMES_H

#include "attr.h"

#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>

#include "record.h"

/* The most names message 4 can carry: its body (u8 mode, u16 names_len,
 * names) is one record, at most REC_MAX_PLAIN bytes (section 2). */
#define CANAMES_MAX (REC_MAX_PLAIN - 3)

/* The subjects of `anchors` in order, whole, while they fit in `cap`
 * bytes: the names of the first *n_names anchors, *len bytes in *out
 * (freed with OPENSSL_free; NULL when empty). */
SC_WUR int canames_encode(STACK_OF(X509) * anchors, size_t cap, uint8_t **out, size_t *len,
                          size_t *n_names);
/* SC_OK if `names` is a well-formed concatenation of DER Names
 * (empty is fine); SC_ERR_PROTOCOL otherwise (decode_error). */
SC_WUR int canames_check(const uint8_t *names, size_t len);

#endif
