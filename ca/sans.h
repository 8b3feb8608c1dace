/*
 * subjectAltNames: parsing "--san DNS:host,IP:addr,URI:uri", checking names,
 * and printing them back in the same form.
 */
#ifndef SANS_H
#define SANS_H

#include <stddef.h>

#include <openssl/x509v3.h>

/*
 * Parse each of the n comma-separated lists into *out (appended; created if
 * NULL).  A malformed entry is bad input (reported, SCCA_EUSAGE).
 */
int sans_parse(const char *const *lists, size_t n, GENERAL_NAMES **out);

/*
 * The default SAN of a server called name: an IP SAN for an IP literal, a
 * DNS SAN otherwise.  A name that is neither is bad input (reported).
 */
int sans_for_name(const char *name, GENERAL_NAMES **out);

/* Check names a CSR asks for: DNS, IP and URI entries, well formed. */
int sans_check(const GENERAL_NAMES *names);

/*
 * Append "DNS:a, IP:b, ..." to buf (NUL-terminated; when truncated to len,
 * it ends in "...").  Control and non-ASCII bytes are shown as '?'.
 */
void sans_format(const GENERAL_NAMES *names, char *buf, size_t len);

/* The same for one name. */
void sans_format_one(const GENERAL_NAME *gn, char *buf, size_t len);

#endif
