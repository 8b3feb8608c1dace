/*
 * Private keys on disk: PKCS#8 PEM, encrypted with AES-256-CBC when a
 * passphrase is given, and the passphrase files that unlock them.
 */
#ifndef KEYFILE_H
#define KEYFILE_H

#include <openssl/types.h>

#include "scca.h"

/*
 * Write pkey as PKCS#8 PEM to path (mode 0600, atomically, replacing only
 * if replace), encrypted under pass when pass is not NULL.  Returns an exit
 * status; errors are reported.
 */
int keyfile_write(const struct scca_env *env, EVP_PKEY *pkey, const char *pass,
    const char *path, int replace);

/*
 * Load the private key at path.  An encrypted key needs pass; a missing or
 * wrong passphrase is bad input (SCCA_EUSAGE).  Errors are reported.
 */
int keyfile_load(const struct scca_env *env, const char *path,
    const char *pass, EVP_PKEY **pkey);

/*
 * Read a passphrase: the first line of path, without its line end.  An
 * empty or unreadable file is bad input.  Free with keyfile_free_pass.
 */
int keyfile_read_pass(const char *path, char **pass);
void keyfile_free_pass(char *pass);

#endif
