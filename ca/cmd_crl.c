/*
 * scca crl DIR [--days N] [--passphrase-file F]
 *
 * Writes DIR/crl.pem: a v2 CRL signed by the CA key, listing every revoked
 * serial with its revocation time and reason, nextUpdate = now + days, an
 * authority key identifier and a CRL number.  The number is stored in
 * DIR/crlnumber and advanced before the CRL is written, so no two CRLs
 * share one.  crl.pem is replaced each time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "atomicfile.h"
#include "cadir.h"
#include "opts.h"
#include "report.h"
#include "revocation.h"
#include "x509util.h"

#define CRL_DEFAULT_DAYS 30

static const struct opts_spec crl_spec = {
	"crl", "DIR", OPTS_BIT(OPT_DAYS) | OPTS_BIT(OPT_PASSPHRASE_FILE), 1, 1
};

/* The next CRL number from DIR/crlnumber (1 when absent), stored + 1. */
static int
crl_next_number(struct cadir *ca, unsigned long long *number)
{
	char *path = cadir_path(ca, "crlnumber"), *text = NULL, *end, buf[32];
	size_t len;
	int rc = SCCA_EFAIL;

	if (path == NULL)
		return SCCA_EFAIL;
	*number = 1;
	if (atomicfile_read(path, 32, &text, &len) == 0) {
		errno = 0;
		*number = strtoull(text, &end, 10);
		if (errno != 0 || end == text || strcmp(end, "\n") != 0 ||
		    *number == 0 || *number > 1ULL << 62) {
			rc = report_msg(SCCA_EFAIL, "%s is malformed", path);
			goto out;
		}
	} else if (errno != ENOENT) {
		rc = report_sys(SCCA_EFAIL, "cannot read %s", path);
		goto out;
	}
	snprintf(buf, sizeof(buf), "%llu\n", *number + 1);
	rc = atomicfile_write(path, buf, strlen(buf), 0644, 1);
out:
	free(text);
	free(path);
	return rc;
}

static int
crl_add_revoked(X509_CRL *crl, const struct caindex_entry *e)
{
	X509_REVOKED *rev = X509_REVOKED_new();
	BIGNUM *bn = NULL;
	ASN1_INTEGER *serial = NULL;
	ASN1_TIME *when = ASN1_TIME_new();
	ASN1_ENUMERATED *reason = ASN1_ENUMERATED_new();
	int code = revocation_code(e->reason), ok = 0;

	if (rev == NULL || when == NULL || reason == NULL ||
	    !BN_hex2bn(&bn, e->serial) ||
	    (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    !X509_REVOKED_set_serialNumber(rev, serial) ||
	    !ASN1_TIME_set_string_X509(when, e->revoked_at) ||
	    !X509_REVOKED_set_revocationDate(rev, when))
		goto out;
	/* RFC 5280 5.3.1: reasonCode unspecified SHOULD be absent. */
	if (code > 0 && (!ASN1_ENUMERATED_set(reason, code) ||
	    !X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, reason, 0, 0)))
		goto out;
	if (!X509_CRL_add0_revoked(crl, rev))
		goto out;
	rev = NULL;
	ok = 1;
out:
	X509_REVOKED_free(rev);
	BN_free(bn);
	ASN1_INTEGER_free(serial);
	ASN1_TIME_free(when);
	ASN1_ENUMERATED_free(reason);
	return ok ? SCCA_OK : report_ssl(SCCA_EFAIL,
	    "cannot list serial %s in the CRL", e->serial);
}

static int
crl_build(const struct scca_env *env, struct cadir *ca, long days,
    unsigned long long number, X509_CRL *crl)
{
	ASN1_TIME *last = X509_time_adj_ex(NULL, 0, 0, NULL);
	ASN1_TIME *next = X509_time_adj_ex(NULL, (int)days, 0, NULL);
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	X509V3_CTX v3;
	X509_EXTENSION *akid = NULL;
	size_t i;
	int rc = SCCA_EFAIL;

	if (last == NULL || next == NULL || num == NULL ||
	    !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert)) ||
	    !X509_CRL_set1_lastUpdate(crl, last) ||
	    !X509_CRL_set1_nextUpdate(crl, next) ||
	    !ASN1_INTEGER_set_uint64(num, number) ||
	    !X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0)) {
		report_ssl(SCCA_EFAIL, "cannot build the CRL");
		goto out;
	}
	X509V3_set_ctx(&v3, ca->cert, NULL, NULL, crl, 0);
	if ((akid = X509V3_EXT_conf_nid(NULL, &v3,
	    NID_authority_key_identifier, "keyid:always")) == NULL ||
	    !X509_CRL_add_ext(crl, akid, -1)) {
		report_ssl(SCCA_EFAIL, "cannot add the CRL key identifier");
		goto out;
	}
	for (i = 0; i < ca->index.n; i++)
		if (ca->index.e[i].status == 'R' &&
		    (rc = crl_add_revoked(crl, &ca->index.e[i])) != SCCA_OK)
			goto out;
	if (!X509_CRL_sort(crl)) {
		rc = report_ssl(SCCA_EFAIL, "cannot sort the CRL");
		goto out;
	}
	rc = x509util_sign_crl(env, crl, ca->key);
out:
	X509_EXTENSION_free(akid);
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	ASN1_INTEGER_free(num);
	return rc;
}

static int
crl_write(struct cadir *ca, X509_CRL *crl)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *path = NULL, *data;
	long n;
	int rc;

	if (bio == NULL || !PEM_write_bio_X509_CRL(bio, crl) ||
	    (n = BIO_get_mem_data(bio, &data)) <= 0) {
		BIO_free(bio);
		return report_ssl(SCCA_EFAIL, "cannot encode the CRL");
	}
	if ((path = cadir_path(ca, "crl.pem")) == NULL)
		rc = SCCA_EFAIL;
	else
		rc = atomicfile_write(path, data, (size_t)n, 0644, 1);
	free(path);
	BIO_free(bio);
	return rc;
}

int
cmd_crl(const struct scca_env *env, int argc, char **argv)
{
	struct opts o;
	struct cadir *ca = NULL;
	X509_CRL *crl = NULL;
	unsigned long long number = 0;
	long days;
	size_t i, revoked = 0;
	int rc;

	if ((rc = opts_parse(&crl_spec, argc, argv, &o)) != 0)
		return rc == OPTS_HELP_SHOWN ? SCCA_OK : rc;
	if ((rc = opts_days(&o, CRL_DEFAULT_DAYS, &days)) != SCCA_OK)
		return rc;
	if ((rc = cadir_open(env, o.pos[0], 1, &ca)) != SCCA_OK ||
	    (rc = cadir_load_key(env, ca, o.val[OPT_PASSPHRASE_FILE])) !=
	    SCCA_OK)
		goto out;
	if ((crl = X509_CRL_new_ex(env->libctx, env->propq)) == NULL) {
		rc = report_ssl(SCCA_EFAIL, "out of memory");
		goto out;
	}
	if ((rc = crl_next_number(ca, &number)) != SCCA_OK ||
	    (rc = crl_build(env, ca, days, number, crl)) != SCCA_OK ||
	    (rc = crl_write(ca, crl)) != SCCA_OK)
		goto out;
	for (i = 0; i < ca->index.n; i++)
		revoked += ca->index.e[i].status == 'R';
	printf("wrote CRL number %llu with %zu revoked certificate%s, valid "
	    "for %ld days\n", number, revoked, revoked == 1 ? "" : "s", days);
out:
	X509_CRL_free(crl);
	cadir_close(ca);
	return rc;
}
