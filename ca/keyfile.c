#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "atomicfile.h"
#include "keyfile.h"
#include "report.h"

/* Passphrase files are one short line; anything big is a mistake. */
#define KEYFILE_PASS_MAX 4096

int
keyfile_write(const struct scca_env *env, EVP_PKEY *pkey, const char *pass,
    const char *path, int replace)
{
	OSSL_ENCODER_CTX *ectx = NULL;
	unsigned char *data = NULL;
	size_t len = 0;
	int rc = SCCA_EFAIL;

	/* "PrivateKeyInfo" is PKCS#8; with a cipher set it is encrypted. */
	ectx = OSSL_ENCODER_CTX_new_for_pkey(pkey, OSSL_KEYMGMT_SELECT_KEYPAIR,
	    "PEM", "PrivateKeyInfo", env->propq);
	if (ectx == NULL || OSSL_ENCODER_CTX_get_num_encoders(ectx) == 0) {
		report_ssl(SCCA_EFAIL, "no PKCS#8 encoder for %s", path);
		goto out;
	}
	if (pass != NULL &&
	    (!OSSL_ENCODER_CTX_set_cipher(ectx, "AES-256-CBC", env->propq) ||
	    !OSSL_ENCODER_CTX_set_passphrase(ectx,
	    (const unsigned char *)pass, strlen(pass)))) {
		report_ssl(SCCA_EFAIL, "cannot set up encryption of %s", path);
		goto out;
	}
	if (!OSSL_ENCODER_to_data(ectx, &data, &len)) {
		report_ssl(SCCA_EFAIL, "cannot encode %s", path);
		goto out;
	}
	rc = atomicfile_write(path, data, len, 0600, replace);
out:
	if (data != NULL)
		OPENSSL_clear_free(data, len);
	OSSL_ENCODER_CTX_free(ectx);
	return rc;
}

struct keyfile_pw {
	const char *pass;
	int asked;
};

/* Hand over the passphrase; never prompt on a terminal. */
static int
keyfile_pw_cb(char *buf, int size, int rwflag, void *u)
{
	struct keyfile_pw *pw = u;
	size_t len;

	(void)rwflag;
	pw->asked = 1;
	if (pw->pass == NULL || size <= 0)
		return -1;
	len = strlen(pw->pass);
	if (len > (size_t)size)
		return -1;
	memcpy(buf, pw->pass, len);
	return (int)len;
}

int
keyfile_load(const struct scca_env *env, const char *path, const char *pass,
    EVP_PKEY **pkey)
{
	struct keyfile_pw pw = { pass, 0 };
	BIO *bio;

	if ((bio = BIO_new_file(path, "rb")) == NULL)
		return report_ssl(SCCA_EUSAGE, "cannot read %s", path);
	*pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, keyfile_pw_cb, &pw,
	    env->libctx, env->propq);
	BIO_free(bio);
	if (*pkey != NULL)
		return SCCA_OK;
	ERR_clear_error();
	if (pw.asked && pass == NULL)
		return report_msg(SCCA_EUSAGE,
		    "%s is encrypted: give --passphrase-file", path);
	if (pw.asked)
		return report_msg(SCCA_EUSAGE, "wrong passphrase for %s", path);
	return report_msg(SCCA_EUSAGE, "%s holds no private key", path);
}

int
keyfile_read_pass(const char *path, char **pass)
{
	char *buf;
	size_t len;

	if (atomicfile_read(path, KEYFILE_PASS_MAX, &buf, &len) != 0)
		return report_sys(SCCA_EUSAGE, "cannot read passphrase file %s",
		    path);
	/* Like openssl's "file:" source: the first line is the passphrase. */
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		keyfile_free_pass(buf);
		return report_msg(SCCA_EUSAGE,
		    "passphrase file %s has an empty first line", path);
	}
	if (strlen(buf) != len) {
		/* Wipe the remaining lines too. */
		OPENSSL_cleanse(buf + strlen(buf), len - strlen(buf));
	}
	*pass = buf;
	return SCCA_OK;
}

void
keyfile_free_pass(char *pass)
{
	if (pass != NULL)
		OPENSSL_clear_free(pass, strlen(pass));
}
