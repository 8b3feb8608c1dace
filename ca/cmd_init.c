/*
 * scca init DIR [--name CN] [--days N] [--key-type T] [--passphrase-file F]
 *
 * A self-signed CA: CA:TRUE critical, keyUsage keyCertSign+cRLSign
 * critical, SKI and AKI.  A new DIR is built under a temporary name and
 * renamed into place, so it appears whole or not at all; in an existing DIR
 * ca.crt is written last, and only its presence makes DIR a CA.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/x509v3.h>

#include "atomicfile.h"
#include "cadir.h"
#include "keyfile.h"
#include "keytypes.h"
#include "opts.h"
#include "report.h"
#include "x509util.h"

#define INIT_DEFAULT_DAYS 3650
#define INIT_DEFAULT_NAME "scca root CA"
/* Like leaves (leaf.c): tolerate clocks a little behind this one. */
#define INIT_BACKDATE_SECONDS (5 * 60)

static const struct opts_spec init_spec = {
	"init", "DIR",
	OPTS_BIT(OPT_NAME) | OPTS_BIT(OPT_DAYS) | OPTS_BIT(OPT_KEY_TYPE) |
	OPTS_BIT(OPT_PASSPHRASE_FILE) | OPTS_BIT(OPT_FORCE),
	1, 1
};

static int
init_cert(const struct scca_env *env, EVP_PKEY *key, const char *cn,
    long days, X509 **out)
{
	X509 *x = X509_new_ex(env->libctx, env->propq);
	X509_NAME *n = X509_NAME_new();
	BIGNUM *serial = NULL;
	int rc = SCCA_EFAIL;

	if (x == NULL || n == NULL) {
		report_msg(SCCA_EFAIL, "out of memory");
		goto out;
	}
	if ((rc = x509util_random_serial(env, &serial)) != SCCA_OK)
		goto out;
	if (BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) == NULL ||
	    !X509_set_version(x, X509_VERSION_3) ||
	    !X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) ||
	    !X509_set_subject_name(x, n) || !X509_set_issuer_name(x, n) ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -INIT_BACKDATE_SECONDS) ==
	    NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL) ==
	    NULL || !X509_set_pubkey(x, key)) {
		rc = report_ssl(SCCA_EFAIL, "cannot build the CA certificate");
		goto out;
	}
	if ((rc = x509util_add_ext(x, x, key, NID_basic_constraints,
	    "critical,CA:TRUE")) != SCCA_OK ||
	    (rc = x509util_add_ext(x, x, key, NID_key_usage,
	    "critical,keyCertSign,cRLSign")) != SCCA_OK ||
	    (rc = x509util_add_ext(x, x, key, NID_subject_key_identifier,
	    "hash")) != SCCA_OK ||
	    (rc = x509util_add_ext(x, x, key, NID_authority_key_identifier,
	    "keyid:always")) != SCCA_OK ||
	    (rc = x509util_sign(env, x, key)) != SCCA_OK)
		goto out;
	*out = x;
	x = NULL;
out:
	BN_free(serial);
	X509_NAME_free(n);
	X509_free(x);
	return rc;
}

/* Write the CA's files into dir; ca.crt last, as the commit. */
static int
init_write(const struct scca_env *env, const char *dir, EVP_PKEY *key,
    const char *pass, X509 *cert, int force)
{
	char *path = NULL, *pem = NULL;
	size_t len = 0;
	int rc;

	if ((path = atomicfile_join(dir, "certs")) == NULL)
		return report_msg(SCCA_EFAIL, "out of memory");
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		rc = report_sys(SCCA_EFAIL, "cannot create %s", path);
		goto out;
	}
	free(path);
	if ((path = atomicfile_join(dir, "ca.key")) == NULL)
		return report_msg(SCCA_EFAIL, "out of memory");
	if ((rc = keyfile_write(env, key, pass, path, force)) != SCCA_OK)
		goto out;
	free(path);
	/* A new CA has issued nothing yet. */
	if ((path = atomicfile_join(dir, "index.txt")) == NULL)
		return report_msg(SCCA_EFAIL, "out of memory");
	if ((rc = atomicfile_write(path, "", 0, 0644, force)) != SCCA_OK)
		goto out;
	free(path);
	if ((path = atomicfile_join(dir, "ca.crt")) == NULL)
		return report_msg(SCCA_EFAIL, "out of memory");
	if ((rc = x509util_cert_pem(cert, &pem, &len)) != SCCA_OK)
		goto out;
	rc = atomicfile_write(path, pem, len, 0644, force);
out:
	free(pem);
	free(path);
	return rc;
}

/* A new DIR: build it as DIR.new-XXXXXX, then rename it into place. */
static int
init_new_dir(const struct scca_env *env, const char *dir, EVP_PKEY *key,
    const char *pass, X509 *cert)
{
	size_t dl = strlen(dir);
	char *tmp = malloc(dl + sizeof(".new-XXXXXX")), *final;
	int rc, lock_fd = -1;

	if (tmp == NULL)
		return report_msg(SCCA_EFAIL, "out of memory");
	/* "DIR/" names DIR: the temporary sibling goes next to it. */
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	memcpy(tmp, dir, dl);
	memcpy(tmp + dl, ".new-XXXXXX", sizeof(".new-XXXXXX"));
	if ((final = strdup(tmp)) == NULL) {
		free(tmp);
		return report_msg(SCCA_EFAIL, "out of memory");
	}
	final[dl] = '\0';
	if (mkdtemp(tmp) == NULL) {
		rc = report_sys(SCCA_EFAIL, "cannot create a directory next "
		    "to %s", dir);
		free(final);
		free(tmp);
		return rc;
	}
	if ((rc = cadir_lock(tmp, 1, &lock_fd)) == SCCA_OK &&
	    (rc = init_write(env, tmp, key, pass, cert, 0)) == SCCA_OK &&
	    rename(tmp, final) != 0)
		rc = report_sys(errno == EEXIST || errno == ENOTEMPTY ?
		    SCCA_EUSAGE : SCCA_EFAIL, "cannot create %s", dir);
	if (lock_fd >= 0)
		close(lock_fd);
	if (rc != SCCA_OK) {
		/* Remove what was written under the temporary name. */
		const char *names[] = { "ca.crt", "index.txt", "ca.key",
		    ".lock", "certs" };
		size_t i;
		char *p;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if ((p = atomicfile_join(tmp, names[i])) != NULL) {
				(void)(i == 4 ? rmdir(p) : unlink(p));
				free(p);
			}
		(void)rmdir(tmp);
	}
	free(final);
	free(tmp);
	return rc;
}

/* An existing DIR: refuse to replace a CA without --force. */
static int
init_existing_dir(const struct scca_env *env, const char *dir, EVP_PKEY *key,
    const char *pass, X509 *cert, int force)
{
	const char *names[] = { "ca.crt", "ca.key", "index.txt" };
	char *p;
	size_t i;
	int rc, lock_fd, exists;

	if ((rc = cadir_lock(dir, 1, &lock_fd)) != SCCA_OK)
		return rc;
	for (i = 0; !force && i < sizeof(names) / sizeof(names[0]); i++) {
		if ((p = atomicfile_join(dir, names[i])) == NULL) {
			close(lock_fd);
			return report_msg(SCCA_EFAIL, "out of memory");
		}
		exists = atomicfile_exists(p);
		free(p);
		if (exists) {
			close(lock_fd);
			return report_msg(SCCA_EUSAGE, "%s already holds a CA "
			    "(%s exists; use --force to replace it)", dir,
			    names[i]);
		}
	}
	rc = init_write(env, dir, key, pass, cert, force);
	close(lock_fd);
	return rc;
}

int
cmd_init(const struct scca_env *env, int argc, char **argv)
{
	struct opts o;
	const char *dir, *cn, *type;
	char *pass = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	struct stat st;
	long days;
	int rc;

	if ((rc = opts_parse(&init_spec, argc, argv, &o)) != 0)
		return rc == OPTS_HELP_SHOWN ? SCCA_OK : rc;
	dir = o.pos[0];
	cn = o.val[OPT_NAME] != NULL ? o.val[OPT_NAME] : INIT_DEFAULT_NAME;
	type = o.val[OPT_KEY_TYPE] != NULL ? o.val[OPT_KEY_TYPE] :
	    KEYTYPES_DEFAULT;
	if (dir[0] == '\0')
		return report_msg(SCCA_EUSAGE, "init: DIR is empty");
	if (cn[0] == '\0' || strlen(cn) > 64)
		return report_msg(SCCA_EUSAGE, "--name has 1 to 64 characters");
	if (!keytypes_known(type))
		return report_msg(SCCA_EUSAGE, "unknown key type '%s': want "
		    "ed25519, ed448, p256, p384 or rsa3072", type);
	if ((rc = opts_days(&o, INIT_DEFAULT_DAYS, &days)) != SCCA_OK)
		return rc;
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
		return report_msg(SCCA_EUSAGE, "%s is not a directory", dir);
	if (o.val[OPT_PASSPHRASE_FILE] != NULL &&
	    (rc = keyfile_read_pass(o.val[OPT_PASSPHRASE_FILE], &pass)) !=
	    SCCA_OK)
		return rc;
	if ((key = keytypes_generate(env, type)) == NULL) {
		rc = SCCA_EFAIL;
		goto out;
	}
	if ((rc = init_cert(env, key, cn, days, &cert)) != SCCA_OK)
		goto out;
	if (stat(dir, &st) != 0)
		rc = init_new_dir(env, dir, key, pass, cert);
	else
		rc = init_existing_dir(env, dir, key, pass, cert,
		    o.val[OPT_FORCE] != NULL);
	if (rc == SCCA_OK)
		printf("created CA '%s' in %s\n", cn, dir);
out:
	keyfile_free_pass(pass);
	EVP_PKEY_free(key);
	X509_free(cert);
	return rc;
}
