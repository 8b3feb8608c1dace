/*
 * Building and signing certificates and CRLs: extensions from their
 * OpenSSL configuration strings, signatures with the digest the key type
 * wants, random serials, and times in the forms scca prints and stores.
 */
#ifndef X509UTIL_H
#define X509UTIL_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "scca.h"

/*
 * Add the extension nid with value (e.g. "critical,CA:FALSE") to x, whose
 * issuer is issuer (x itself for a self-signed certificate; issuer_key is
 * then its key, used for the authority key identifier).  Reported.
 */
int x509util_add_ext(X509 *x, X509 *issuer, EVP_PKEY *issuer_key, int nid,
    const char *value);

/* Sign a certificate or a CRL with key.  Reported. */
int x509util_sign(const struct scca_env *env, X509 *x, EVP_PKEY *key);
int x509util_sign_crl(const struct scca_env *env, X509_CRL *crl,
    EVP_PKEY *key);

/* A fresh random positive 128-bit serial. Reported. */
int x509util_random_serial(const struct scca_env *env, BIGNUM **serial);

/* Upper-case hex of an ASN1_INTEGER serial into buf. */
int x509util_serial_hex(const ASN1_INTEGER *serial, char *buf, size_t len);

/* t as "YYYY-MM-DD HH:MM:SS UTC" / "YYYYMMDDHHMMSSZ"; 0 on failure. */
int x509util_time_words(const ASN1_TIME *t, char *buf, size_t len);
int x509util_time_compact(const ASN1_TIME *t, char *buf, size_t len);

/* The current time as "YYYYMMDDHHMMSSZ". */
void x509util_now_compact(char *buf, size_t len);

/*
 * Parse "YYYYMMDDHHMMSSZ" into an X.509 time (UTCTime before 2050, as
 * RFC 5280 requires).  Bad input is reported.
 */
int x509util_parse_time(const char *opt, const char *s, ASN1_TIME **t);

/* PEM of x in a fresh allocation.  Reported. */
int x509util_cert_pem(X509 *x, char **pem, size_t *len);

/* Read a certificate in PEM or DER.  Bad input is reported. */
int x509util_read_cert(const struct scca_env *env, const char *path,
    X509 **x);

#endif
