/*
 * The CA directory:
 *
 *   ca.crt      the CA certificate; its presence is what makes DIR a CA
 *   ca.key      the CA key, PKCS#8, mode 0600, maybe encrypted
 *   index.txt   every issued certificate and its status (caindex.h)
 *   certs/      a copy of every issued certificate, SERIAL.pem
 *   crlnumber   the number of the next CRL
 *   crl.pem     the latest CRL
 *   .lock       held (fcntl) by every scca run that reads or changes DIR
 */
#ifndef CADIR_H
#define CADIR_H

#include <openssl/types.h>

#include "caindex.h"
#include "scca.h"

struct cadir {
	char *dir;
	int lock_fd;
	X509 *cert;
	EVP_PKEY *key;		/* NULL until cadir_load_key */
	struct caindex index;
};

/*
 * Open DIR: take its lock (exclusive when it will change DIR), load ca.crt
 * and index.txt.  No CA there is bad input.  Reported.
 */
int cadir_open(const struct scca_env *env, const char *dir, int exclusive,
    struct cadir **ca);

/* Take the lock of dir into *fd.  Reported. */
int cadir_lock(const char *dir, int exclusive, int *fd);

/* Load ca.key, decrypting with the first line of passfile if not NULL. */
int cadir_load_key(const struct scca_env *env, struct cadir *ca,
    const char *passfile);

/* Replace index.txt with the index in memory, atomically. */
int cadir_save_index(struct cadir *ca);

/* A random serial not yet in the index. */
int cadir_new_serial(const struct scca_env *env, struct cadir *ca,
    BIGNUM **serial);

/* "DIR/name", or NULL (reported) when out of memory. */
char *cadir_path(const struct cadir *ca, const char *name);

/*
 * 1 if file, a name without directory, is one of the CA's own files above,
 * compared without regard to case as some file systems compare names.
 */
int cadir_own_name(const char *file);

/*
 * 1 if path exists and is one of the CA's own files (the same file, however
 * it is named), 0 if not.
 */
int cadir_own_path(const struct cadir *ca, const char *path);

void cadir_close(struct cadir *ca);

#endif
