/*
 * CRL reason codes (RFC 5280 section 5.3.1) by the names scca uses on the
 * command line and in the index.
 */
#ifndef REVOCATION_H
#define REVOCATION_H

/* The reason code for name, or -1 when unknown. */
int revocation_code(const char *name);

/* All the names, comma-separated, for messages. */
#define REVOCATION_NAMES "unspecified, keyCompromise, cACompromise, " \
	"affiliationChanged, superseded, cessationOfOperation, " \
	"privilegeWithdrawn"

#endif
