/*
 * Leaf certificates, shared by "issue" (scca makes the key) and "sign" (the
 * key comes from a CSR): checks on the request, building and signing the
 * certificate, recording it in the CA directory, writing it out.
 */
#ifndef LEAF_H
#define LEAF_H

#include <openssl/x509v3.h>

#include "cadir.h"
#include "opts.h"
#include "scca.h"

/* Leaf lifetime unless --days says otherwise. */
#define LEAF_DEFAULT_DAYS 825

struct leaf_request {
	const char *kind;		/* "server" or "client" */
	const char *name;		/* index name and default CN */
	const X509_NAME *subject;	/* NULL: CN=name */
	EVP_PKEY *pubkey;
	GENERAL_NAMES *sans;		/* NULL or empty: none */
	long days;
	const char *not_before, *not_after;	/* testing override, or NULL */
};

/* "server" or "client"; anything else is bad input.  Reported. */
int leaf_check_kind(const char *kind);

/*
 * A name scca can store and use as a file name, whose default files
 * (NAME.crt, NAME.key) are not the CA's own (cadir.h).  Reported.
 */
int leaf_check_name(const char *name);

/* Bad input if a valid, unexpired certificate of kind has this name. */
int leaf_check_duplicate(const struct cadir *ca, const char *kind,
    const char *name);

/*
 * The SANs of a request: --san lists if given, else the CSR's (may be NULL),
 * else for a server the name itself.  Reported.
 */
int leaf_sans(const struct opts *o, const char *kind, const char *name,
    const GENERAL_NAMES *requested, GENERAL_NAMES **sans);

/*
 * The output prefix: --out, or DIR/NAME.  Refuses (bad input) when
 * PREFIX.crt, or PREFIX.key if with_key, is one of the CA's own files
 * (force or not), or exists and force is 0.
 */
int leaf_prefix(const struct cadir *ca, const struct opts *o,
    const char *name, int with_key, char **prefix);

/*
 * Build and sign the certificate, keep a copy in DIR/certs and record it
 * in the index.  The CA key must be loaded.  Reported.
 */
int leaf_issue(const struct scca_env *env, struct cadir *ca,
    const struct leaf_request *req, X509 **cert);

/* Write x to PREFIX.crt.  Reported. */
int leaf_write_cert(X509 *x, const char *prefix, int force);

#endif
