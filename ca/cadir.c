#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "atomicfile.h"
#include "cadir.h"
#include "keyfile.h"
#include "report.h"
#include "x509util.h"

/* An index this big is a broken file, not a busy CA. */
#define CADIR_INDEX_MAX (64u * 1024 * 1024)

/* What DIR holds for the CA itself (cadir.h); no leaf may take these. */
static const char *const cadir_own[] = {
	"ca.crt", "ca.key", "index.txt", "certs", "crlnumber", "crl.pem",
	".lock",
};

int
cadir_own_name(const char *file)
{
	size_t i;

	for (i = 0; i < sizeof(cadir_own) / sizeof(cadir_own[0]); i++)
		if (strcasecmp(file, cadir_own[i]) == 0)
			return 1;
	return 0;
}

int
cadir_own_path(const struct cadir *ca, const char *path)
{
	struct stat want, own;
	char *p;
	size_t i;
	int same = 0;

	if (lstat(path, &want) != 0)
		return 0;
	for (i = 0; !same && i < sizeof(cadir_own) / sizeof(cadir_own[0]);
	    i++) {
		if ((p = atomicfile_join(ca->dir, cadir_own[i])) == NULL)
			return 1;	/* out of memory: refuse, do not guess */
		same = lstat(p, &own) == 0 && own.st_dev == want.st_dev &&
		    own.st_ino == want.st_ino;
		free(p);
	}
	return same;
}

char *
cadir_path(const struct cadir *ca, const char *name)
{
	char *p = atomicfile_join(ca->dir, name);

	if (p == NULL)
		report_msg(SCCA_EFAIL, "out of memory");
	return p;
}

int
cadir_lock(const char *dir, int exclusive, int *fd)
{
	char *path = atomicfile_join(dir, ".lock");
	struct flock fl;

	if (path == NULL)
		return report_msg(SCCA_EFAIL, "out of memory");
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0) {
		report_sys(SCCA_EFAIL, "cannot open %s", path);
		free(path);
		return SCCA_EFAIL;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = exclusive ? F_WRLCK : F_RDLCK;
	fl.l_whence = SEEK_SET;
	/* Wait for another scca run on the same CA to finish. */
	while (fcntl(*fd, F_SETLKW, &fl) != 0) {
		if (errno == EINTR)
			continue;
		report_sys(SCCA_EFAIL, "cannot lock %s", path);
		close(*fd);
		*fd = -1;
		free(path);
		return SCCA_EFAIL;
	}
	free(path);
	return SCCA_OK;
}

static int
cadir_load_index(struct cadir *ca)
{
	char *path = cadir_path(ca, "index.txt"), *text = NULL;
	size_t len = 0, bad = 0;
	int rc = SCCA_EFAIL;

	if (path == NULL)
		return SCCA_EFAIL;
	if (atomicfile_read(path, CADIR_INDEX_MAX, &text, &len) != 0) {
		if (errno == ENOENT) {
			/* No certificate issued yet. */
			rc = SCCA_OK;
		} else {
			report_sys(SCCA_EFAIL, "cannot read %s", path);
		}
		goto out;
	}
	if (caindex_parse(text, len, &ca->index, &bad) != 0) {
		if (bad == 0)
			report_msg(SCCA_EFAIL, "out of memory");
		else
			report_msg(SCCA_EFAIL, "%s line %zu is malformed", path,
			    bad);
		goto out;
	}
	rc = SCCA_OK;
out:
	free(text);
	free(path);
	return rc;
}

int
cadir_open(const struct scca_env *env, const char *dir, int exclusive,
    struct cadir **out)
{
	struct cadir *ca;
	char *crt = NULL;
	int rc;

	if ((ca = calloc(1, sizeof(*ca))) == NULL ||
	    (ca->dir = strdup(dir)) == NULL) {
		free(ca);
		return report_msg(SCCA_EFAIL, "out of memory");
	}
	ca->lock_fd = -1;
	if ((crt = cadir_path(ca, "ca.crt")) == NULL) {
		rc = SCCA_EFAIL;
		goto fail;
	}
	if (!atomicfile_exists(crt)) {
		rc = report_msg(SCCA_EUSAGE, "no CA in %s (missing ca.crt; "
		    "see scca init)", dir);
		goto fail;
	}
	if ((rc = cadir_lock(dir, exclusive, &ca->lock_fd)) != SCCA_OK ||
	    (rc = x509util_read_cert(env, crt, &ca->cert)) != SCCA_OK ||
	    (rc = cadir_load_index(ca)) != SCCA_OK)
		goto fail;
	free(crt);
	*out = ca;
	return SCCA_OK;
fail:
	free(crt);
	cadir_close(ca);
	return rc;
}

int
cadir_load_key(const struct scca_env *env, struct cadir *ca,
    const char *passfile)
{
	char *path, *pass = NULL;
	int rc;

	if (passfile != NULL &&
	    (rc = keyfile_read_pass(passfile, &pass)) != SCCA_OK)
		return rc;
	if ((path = cadir_path(ca, "ca.key")) == NULL) {
		keyfile_free_pass(pass);
		return SCCA_EFAIL;
	}
	rc = keyfile_load(env, path, pass, &ca->key);
	keyfile_free_pass(pass);
	if (rc == SCCA_OK && X509_check_private_key(ca->cert, ca->key) != 1)
		rc = report_ssl(SCCA_EUSAGE, "%s does not match ca.crt", path);
	free(path);
	return rc;
}

int
cadir_save_index(struct cadir *ca)
{
	char *path = cadir_path(ca, "index.txt"), *text;
	size_t len = 0;
	int rc;

	if (path == NULL)
		return SCCA_EFAIL;
	if ((text = caindex_format(&ca->index, &len)) == NULL) {
		free(path);
		return report_msg(SCCA_EFAIL, "out of memory");
	}
	rc = atomicfile_write(path, text, len, 0644, 1);
	free(text);
	free(path);
	return rc;
}

int
cadir_new_serial(const struct scca_env *env, struct cadir *ca,
    BIGNUM **serial)
{
	char *hex;
	int rc, tries;

	/* A clash among 2^126 values means a broken random source. */
	for (tries = 0; tries < 8; tries++) {
		if ((rc = x509util_random_serial(env, serial)) != SCCA_OK)
			return rc;
		if ((hex = BN_bn2hex(*serial)) == NULL)
			break;
		rc = caindex_by_serial(&ca->index, hex) == NULL;
		OPENSSL_free(hex);
		if (rc)
			return SCCA_OK;
		BN_free(*serial);
		*serial = NULL;
	}
	BN_free(*serial);
	*serial = NULL;
	return report_msg(SCCA_EFAIL, "cannot find a fresh serial");
}

void
cadir_close(struct cadir *ca)
{
	if (ca == NULL)
		return;
	if (ca->lock_fd >= 0)
		close(ca->lock_fd);
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	caindex_free(&ca->index);
	free(ca->dir);
	free(ca);
}
