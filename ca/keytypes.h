/*
 * The key types scca makes and accepts, one table row each: the --key-type
 * name, how to generate it, how to describe it, and the digest a signature
 * by such a key uses (none for EdDSA, which hashes internally).
 */
#ifndef KEYTYPES_H
#define KEYTYPES_H

#include <stddef.h>

#include <openssl/types.h>

#include "scca.h"

#define KEYTYPES_DEFAULT "ed25519"

/* 1 if name is a --key-type value scca knows. */
int keytypes_known(const char *name);

/* A new key of a known type, or NULL (reported). */
EVP_PKEY *keytypes_generate(const struct scca_env *env, const char *name);

/*
 * Describe pkey in plain words ("Ed25519", "ECDSA P-256", "RSA 3072 bits")
 * into buf; returns 1 if it is a type scca supports, 0 otherwise (buf then
 * holds OpenSSL's name for it).
 */
int keytypes_describe(const EVP_PKEY *pkey, char *buf, size_t len);

/* Digest name for signatures by pkey (a supported type), or NULL. */
const char *keytypes_digest(const EVP_PKEY *pkey);

#endif
