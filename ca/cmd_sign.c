/*
 * scca sign DIR server|client REQ.csr [--days N] [--out PREFIX] [--san LIST]
 *     [--force] [--passphrase-file F] [--not-before T --not-after T]
 *
 * Certifies the key of an external CSR (PEM or DER).  The CSR must carry a
 * valid self-signature and exactly one common name, which becomes the NAME;
 * its subject is kept, its requested SANs too unless --san is given, and
 * every other extension it asks for is ignored: the kind decides them.
 * Every subject attribute and SAN is printed before the CA signs them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "keytypes.h"
#include "leaf.h"
#include "report.h"
#include "sans.h"
#include "x509util.h"

static const struct opts_spec sign_spec = {
	"sign", "DIR server|client REQ.csr",
	OPTS_BIT(OPT_SAN) | OPTS_BIT(OPT_DAYS) | OPTS_BIT(OPT_OUT) |
	OPTS_BIT(OPT_FORCE) | OPTS_BIT(OPT_PASSPHRASE_FILE) |
	OPTS_BIT(OPT_NOT_BEFORE) | OPTS_BIT(OPT_NOT_AFTER),
	3, 3
};

static int
sign_read_csr(const struct scca_env *env, const char *path, X509_REQ **req)
{
	BIO *bio = BIO_new_file(path, "rb");

	if (bio == NULL)
		return report_ssl(SCCA_EUSAGE, "cannot read %s", path);
	if ((*req = X509_REQ_new_ex(env->libctx, env->propq)) == NULL) {
		BIO_free(bio);
		return report_ssl(SCCA_EFAIL, "out of memory");
	}
	if (PEM_read_bio_X509_REQ(bio, req, NULL, NULL) == NULL) {
		ERR_clear_error();
		(void)BIO_reset(bio);
		if (d2i_X509_REQ_bio(bio, req) == NULL) {
			X509_REQ_free(*req);
			*req = NULL;
			BIO_free(bio);
			return report_ssl(SCCA_EUSAGE, "%s holds no CSR", path);
		}
	}
	BIO_free(bio);
	return SCCA_OK;
}

/* The CSR's key, checked: a supported type and a valid self-signature. */
static int
sign_check_csr(const struct scca_env *env, X509_REQ *csr, const char *path,
    char *cn, size_t cnlen)
{
	EVP_PKEY *pub = X509_REQ_get0_pubkey(csr);
	const X509_NAME *subj;
	char words[64];
	int len, i;

	if (pub == NULL)
		return report_ssl(SCCA_EUSAGE, "%s: unreadable public key", path);
	if (!keytypes_describe(pub, words, sizeof(words)))
		return report_msg(SCCA_EUSAGE, "%s: unsupported key type %s",
		    path, words);
	if (X509_REQ_verify_ex(csr, pub, env->libctx, env->propq) != 1)
		return report_ssl(SCCA_EUSAGE, "%s: the CSR signature does "
		    "not verify", path);
	/* One CN, one holder: NAME, the index, `list` and sctunnel's log and
	 * `allow` rules all take the certificate for its CN. */
	subj = X509_REQ_get_subject_name(csr);
	if ((i = X509_NAME_get_index_by_NID(subj, NID_commonName, -1)) >= 0 &&
	    X509_NAME_get_index_by_NID(subj, NID_commonName, i) >= 0)
		return report_msg(SCCA_EUSAGE, "%s: the CSR's subject holds "
		    "more than one common name; a certificate names one",
		    path);
	len = X509_NAME_get_text_by_NID(subj, NID_commonName, cn, (int)cnlen);
	if (len <= 0 || (size_t)len >= cnlen - 1 || strlen(cn) != (size_t)len)
		return report_msg(SCCA_EUSAGE, "%s: the CSR needs a common "
		    "name of 1 to 64 characters", path);
	return SCCA_OK;
}

/* "certifying subject CN=x", one line per attribute, escaped as RFC 2253
 * does (controls and non-ASCII bytes too), then one line per SAN. */
static int
sign_print(const struct leaf_request *req)
{
	const X509_NAME_ENTRY *ne;
	const ASN1_OBJECT *obj;
	BIO *bio;
	char attr[80], name[1024];
	char *text;
	long len;
	int i, nid;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return report_ssl(SCCA_EFAIL, "out of memory");
	for (i = 0; i < X509_NAME_entry_count(req->subject); i++) {
		ne = X509_NAME_get_entry(req->subject, i);
		obj = X509_NAME_ENTRY_get_object(ne);
		nid = OBJ_obj2nid(obj);
		(void)BIO_reset(bio);
		if (nid != NID_undef)
			snprintf(attr, sizeof(attr), "%s", OBJ_nid2sn(nid));
		else if (OBJ_obj2txt(attr, sizeof(attr), obj, 1) <= 0)
			attr[0] = '\0';
		if (attr[0] == '\0' ||
		    ASN1_STRING_print_ex(bio, X509_NAME_ENTRY_get_data(ne),
		    ASN1_STRFLGS_RFC2253) < 0) {
			BIO_free(bio);
			return report_ssl(SCCA_EFAIL, "cannot print the subject");
		}
		len = BIO_get_mem_data(bio, &text);
		printf("certifying subject %s=%.*s\n", attr, (int)len, text);
	}
	BIO_free(bio);
	for (i = 0; i < sk_GENERAL_NAME_num(req->sans); i++) {
		name[0] = '\0';
		sans_format_one(sk_GENERAL_NAME_value(req->sans, i), name,
		    sizeof(name));
		printf("certifying SAN %s\n", name);
	}
	return SCCA_OK;
}

static GENERAL_NAMES *
sign_requested_sans(X509_REQ *csr)
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(csr);
	GENERAL_NAMES *sans;

	sans = X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return sans;
}

int
cmd_sign(const struct scca_env *env, int argc, char **argv)
{
	struct opts o;
	struct leaf_request req;
	struct cadir *ca = NULL;
	X509_REQ *csr = NULL;
	GENERAL_NAMES *requested = NULL;
	char *prefix = NULL, serial[64], cn[CAINDEX_NAME_MAX + 2];
	X509 *cert = NULL;
	int rc;

	if ((rc = opts_parse(&sign_spec, argc, argv, &o)) != 0)
		return rc == OPTS_HELP_SHOWN ? SCCA_OK : rc;
	memset(&req, 0, sizeof(req));
	req.kind = o.pos[1];
	req.not_before = o.val[OPT_NOT_BEFORE];
	req.not_after = o.val[OPT_NOT_AFTER];
	if ((rc = leaf_check_kind(req.kind)) != SCCA_OK ||
	    (rc = opts_days(&o, LEAF_DEFAULT_DAYS, &req.days)) != SCCA_OK)
		return rc;
	if ((rc = sign_read_csr(env, o.pos[2], &csr)) != SCCA_OK ||
	    (rc = sign_check_csr(env, csr, o.pos[2], cn, sizeof(cn))) !=
	    SCCA_OK)
		goto out;
	req.name = cn;
	req.subject = X509_REQ_get_subject_name(csr);
	req.pubkey = X509_REQ_get0_pubkey(csr);
	requested = sign_requested_sans(csr);
	if ((rc = leaf_check_name(req.name)) != SCCA_OK ||
	    (rc = leaf_sans(&o, req.kind, req.name, requested, &req.sans)) !=
	    SCCA_OK)
		goto out;
	if ((rc = cadir_open(env, o.pos[0], 1, &ca)) != SCCA_OK ||
	    (rc = leaf_check_duplicate(ca, req.kind, req.name)) != SCCA_OK ||
	    (rc = leaf_prefix(ca, &o, req.name, 0, &prefix)) != SCCA_OK ||
	    (rc = cadir_load_key(env, ca, o.val[OPT_PASSPHRASE_FILE])) !=
	    SCCA_OK ||
	    (rc = sign_print(&req)) != SCCA_OK ||
	    (rc = leaf_issue(env, ca, &req, &cert)) != SCCA_OK ||
	    (rc = leaf_write_cert(cert, prefix, o.val[OPT_FORCE] != NULL)) !=
	    SCCA_OK)
		goto out;
	if (!x509util_serial_hex(X509_get0_serialNumber(cert), serial,
	    sizeof(serial)))
		snprintf(serial, sizeof(serial), "?");
	printf("signed %s certificate '%s', serial %s: %s.crt\n", req.kind,
	    req.name, serial, prefix);
out:
	GENERAL_NAMES_free(requested);
	GENERAL_NAMES_free(req.sans);
	X509_free(cert);
	X509_REQ_free(csr);
	free(prefix);
	cadir_close(ca);
	return rc;
}
