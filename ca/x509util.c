#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "keytypes.h"
#include "report.h"
#include "x509util.h"

int
x509util_add_ext(X509 *x, X509 *issuer, EVP_PKEY *issuer_key, int nid,
    const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	if (issuer_key != NULL && !X509V3_set_issuer_pkey(&v3, issuer_key))
		return report_ssl(SCCA_EFAIL, "cannot set the issuer key");
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL)
		return report_ssl(SCCA_EFAIL, "cannot make extension %s",
		    OBJ_nid2sn(nid));
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (!ok)
		return report_ssl(SCCA_EFAIL, "cannot add extension %s",
		    OBJ_nid2sn(nid));
	return SCCA_OK;
}

/* A signing context for key: EdDSA takes no digest, others their own. */
static EVP_MD_CTX *
x509util_sign_ctx(const struct scca_env *env, EVP_PKEY *key)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();

	if (mctx == NULL)
		return NULL;
	if (!EVP_DigestSignInit_ex(mctx, NULL, keytypes_digest(key),
	    env->libctx, env->propq, key, NULL)) {
		EVP_MD_CTX_free(mctx);
		return NULL;
	}
	return mctx;
}

int
x509util_sign(const struct scca_env *env, X509 *x, EVP_PKEY *key)
{
	EVP_MD_CTX *mctx = x509util_sign_ctx(env, key);
	int ok = mctx != NULL && X509_sign_ctx(x, mctx) > 0;

	EVP_MD_CTX_free(mctx);
	return ok ? SCCA_OK : report_ssl(SCCA_EFAIL,
	    "cannot sign the certificate");
}

int
x509util_sign_crl(const struct scca_env *env, X509_CRL *crl, EVP_PKEY *key)
{
	EVP_MD_CTX *mctx = x509util_sign_ctx(env, key);
	int ok = mctx != NULL && X509_CRL_sign_ctx(crl, mctx) > 0;

	EVP_MD_CTX_free(mctx);
	return ok ? SCCA_OK : report_ssl(SCCA_EFAIL, "cannot sign the CRL");
}

int
x509util_random_serial(const struct scca_env *env, BIGNUM **serial)
{
	unsigned char b[16];

	/*
	 * "random 128-bit serial": 16 random bytes.  The top bit is cleared
	 * and the next one set so the number is positive and always 16 bytes
	 * long (RFC 5280 4.1.2.2: positive, at most 20 octets).
	 */
	if (RAND_bytes_ex(env->libctx, b, sizeof(b), 0) != 1)
		return report_ssl(SCCA_EFAIL, "no random serial");
	b[0] = (unsigned char)((b[0] & 0x7f) | 0x40);
	*serial = BN_bin2bn(b, sizeof(b), NULL);
	if (*serial == NULL)
		return report_ssl(SCCA_EFAIL, "no random serial");
	return SCCA_OK;
}

int
x509util_serial_hex(const ASN1_INTEGER *serial, char *buf, size_t len)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
	int ok = hex != NULL && strlen(hex) < len;

	if (ok)
		memcpy(buf, hex, strlen(hex) + 1);
	OPENSSL_free(hex);
	BN_free(bn);
	return ok;
}

int
x509util_time_words(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	return ASN1_TIME_to_tm(t, &tm) &&
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) != 0;
}

int
x509util_time_compact(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	return ASN1_TIME_to_tm(t, &tm) &&
	    strftime(buf, len, "%Y%m%d%H%M%SZ", &tm) != 0;
}

void
x509util_now_compact(char *buf, size_t len)
{
	ASN1_TIME *now = X509_time_adj_ex(NULL, 0, 0, NULL);

	if (now == NULL || !x509util_time_compact(now, buf, len))
		snprintf(buf, len, "00000000000000Z");
	ASN1_TIME_free(now);
}

int
x509util_parse_time(const char *opt, const char *s, ASN1_TIME **t)
{
	size_t i;

	for (i = 0; i < 14; i++)
		if (s[i] < '0' || s[i] > '9')
			break;
	if (i != 14 || strcmp(s + 14, "Z") != 0)
		goto bad;
	if ((*t = ASN1_TIME_new()) == NULL)
		return report_msg(SCCA_EFAIL, "out of memory");
	if (ASN1_TIME_set_string_X509(*t, s))
		return SCCA_OK;
	ASN1_TIME_free(*t);
	*t = NULL;
bad:
	ERR_clear_error();
	return report_msg(SCCA_EUSAGE, "--%s wants YYYYMMDDHHMMSSZ, not '%s'",
	    opt, s);
}

int
x509util_cert_pem(X509 *x, char **pem, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;

	if (bio == NULL || !PEM_write_bio_X509(bio, x) ||
	    (n = BIO_get_mem_data(bio, &data)) <= 0 ||
	    (*pem = malloc((size_t)n)) == NULL) {
		BIO_free(bio);
		return report_ssl(SCCA_EFAIL, "cannot encode the certificate");
	}
	memcpy(*pem, data, (size_t)n);
	*len = (size_t)n;
	BIO_free(bio);
	return SCCA_OK;
}

int
x509util_read_cert(const struct scca_env *env, const char *path, X509 **x)
{
	BIO *bio = BIO_new_file(path, "rb");

	if (bio == NULL)
		return report_ssl(SCCA_EUSAGE, "cannot read %s", path);
	if ((*x = X509_new_ex(env->libctx, env->propq)) == NULL) {
		BIO_free(bio);
		return report_ssl(SCCA_EFAIL, "out of memory");
	}
	if (PEM_read_bio_X509(bio, x, NULL, NULL) == NULL) {
		/* Not PEM: try DER from the start. */
		ERR_clear_error();
		(void)BIO_reset(bio);
		if (d2i_X509_bio(bio, x) == NULL) {
			X509_free(*x);
			*x = NULL;
			BIO_free(bio);
			return report_ssl(SCCA_EUSAGE,
			    "%s holds no certificate", path);
		}
	}
	BIO_free(bio);
	return SCCA_OK;
}
