/* A received certificate chain (SC1.md section 4, messages 3 and 5). */
#ifndef SC_CERTCHAIN_H
#define SC_CERTCHAIN_H

#include "attr.h"

#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>
#include <openssl/x509.h>

/*
 * Parse DER certificates (leaf first) into *chain. A DER blob that does not
 * parse (or has trailing bytes) is SC_ERR_PROTOCOL with *alert =
 * bad_certificate and a sentence in `detail`.
 */
SC_WUR int certchain_parse(const uint8_t *const *der, const size_t *der_len, size_t n,
                           OSSL_LIB_CTX *libctx, const char *propq, STACK_OF(X509) * *chain,
                           uint8_t *alert, char *detail, size_t detail_cap);

#endif
