/* ClientCertRequest's CA names (PROTOCOL.md section 4, message 4):
 * concatenated DER X.509 Names. */
#ifndef SC_CANAMES_H
#define SC_CANAMES_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>

/* The subjects of `anchors` in order; *out is freed with OPENSSL_free. */
int canames_encode(STACK_OF(X509) *anchors, uint8_t **out, size_t *len);
/* SC_OK if `names` is a well-formed concatenation of DER Names
 * (empty is fine); SC_ERR_PROTOCOL otherwise (decode_error). */
int canames_check(const uint8_t *names, size_t len);

#endif
