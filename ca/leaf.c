#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/x509v3.h>

#include "atomicfile.h"
#include "caindex.h"
#include "leaf.h"
#include "report.h"
#include "sans.h"
#include "x509util.h"

/* Clocks disagree: start validity a little in the past. */
#define LEAF_BACKDATE_SECONDS (5 * 60)

int
leaf_check_kind(const char *kind)
{
	if (strcmp(kind, "server") == 0 || strcmp(kind, "client") == 0)
		return SCCA_OK;
	return report_msg(SCCA_EUSAGE,
	    "unknown kind '%s': want server or client", kind);
}

int
leaf_check_name(const char *name)
{
	static const char *const suffix[2] = { ".crt", ".key" };
	char file[CAINDEX_NAME_MAX + 8];
	size_t i, len = strlen(name);

	/* The name is a CN (at most 64 characters, RFC 5280) and, by
	 * default, a file name in DIR: printable ASCII, no '/'. */
	if (len == 0 || len > CAINDEX_NAME_MAX)
		return report_msg(SCCA_EUSAGE,
		    "a name has 1 to %d characters", CAINDEX_NAME_MAX);
	for (i = 0; i < len; i++)
		if (name[i] < 0x20 || name[i] > 0x7e || name[i] == '/' ||
		    name[i] == '\\')
			return report_msg(SCCA_EUSAGE, "bad name '%s': use "
			    "printable ASCII without '/' or '\\'", name);
	if (name[0] == '.' || name[0] == '-' || name[0] == ' ')
		return report_msg(SCCA_EUSAGE,
		    "bad name '%s': it may not start with '.', '-' or a space",
		    name);
	/* DIR/NAME.crt and DIR/NAME.key, the default files, must not be the
	 * CA's own: "ca" would replace ca.crt and ca.key, --force or not. */
	for (i = 0; i < 2; i++) {
		snprintf(file, sizeof(file), "%s%s", name, suffix[i]);
		if (cadir_own_name(file))
			return report_msg(SCCA_EUSAGE, "bad name '%s': %s is "
			    "the CA's own file", name, file);
	}
	return SCCA_OK;
}

int
leaf_check_duplicate(const struct cadir *ca, const char *kind,
    const char *name)
{
	char now[CAINDEX_TIME_LEN + 1];
	size_t i;
	const struct caindex_entry *e;

	x509util_now_compact(now, sizeof(now));
	for (i = 0; i < ca->index.n; i++) {
		e = &ca->index.e[i];
		/* Same-format UTC times compare as strings. */
		if (e->status == 'V' && strcmp(e->kind, kind) == 0 &&
		    strcmp(e->name, name) == 0 && strcmp(e->not_after, now) > 0)
			return report_msg(SCCA_EUSAGE, "duplicate name: %s "
			    "certificate '%s' exists (serial %s); revoke it "
			    "first", kind, name, e->serial);
	}
	return SCCA_OK;
}

int
leaf_sans(const struct opts *o, const char *kind, const char *name,
    const GENERAL_NAMES *requested, GENERAL_NAMES **sans)
{
	*sans = NULL;
	if (o->nsan > 0)
		return sans_parse(o->san, o->nsan, sans);
	if (requested != NULL && sk_GENERAL_NAME_num(requested) > 0) {
		if (sans_check(requested) != SCCA_OK)
			return SCCA_EUSAGE;
		*sans = sk_GENERAL_NAME_deep_copy(requested, GENERAL_NAME_dup,
		    GENERAL_NAME_free);
		return *sans != NULL ? SCCA_OK :
		    report_msg(SCCA_EFAIL, "out of memory");
	}
	/* "the NAME as a DNS SAN unless --san says otherwise"; a client gets
	 * its name as CN only. */
	if (strcmp(kind, "server") == 0)
		return sans_for_name(name, sans);
	return SCCA_OK;
}

static char *
leaf_suffixed(const char *prefix, const char *suffix)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	char *p = malloc(pl + sl + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, prefix, pl);
	memcpy(p + pl, suffix, sl + 1);
	return p;
}

int
leaf_prefix(const struct cadir *ca, const struct opts *o, const char *name,
    int with_key, char **prefix)
{
	const char *suffix[2] = { ".crt", ".key" };
	char *path;
	int i, rc = SCCA_OK;

	if (o->val[OPT_OUT] != NULL) {
		if (o->val[OPT_OUT][0] == '\0')
			return report_msg(SCCA_EUSAGE, "--out is empty");
		*prefix = strdup(o->val[OPT_OUT]);
	} else {
		*prefix = atomicfile_join(ca->dir, name);
	}
	if (*prefix == NULL)
		return report_msg(SCCA_EFAIL, "out of memory");
	/* Refuse before anything is issued; atomicfile checks again.  The
	 * CA's own files are never replaced, not even with --force. */
	for (i = 0; i < 1 + with_key; i++) {
		if ((path = leaf_suffixed(*prefix, suffix[i])) == NULL) {
			free(*prefix);
			*prefix = NULL;
			return report_msg(SCCA_EFAIL, "out of memory");
		}
		if (cadir_own_path(ca, path))
			rc = report_msg(SCCA_EUSAGE, "%s is the CA's own file "
			    "(choose another --out)", path);
		else if (o->val[OPT_FORCE] == NULL && atomicfile_exists(path))
			rc = report_msg(SCCA_EUSAGE,
			    "%s exists (use --force to replace it)", path);
		free(path);
		if (rc != SCCA_OK) {
			free(*prefix);
			*prefix = NULL;
			return rc;
		}
	}
	return SCCA_OK;
}

/* notBefore / notAfter: the testing override, or now and now + days. */
static int
leaf_validity(X509 *x, const X509 *ca_cert, const struct leaf_request *req)
{
	ASN1_TIME *t = NULL;
	int rc;

	if (req->not_before != NULL) {
		if ((rc = x509util_parse_time("not-before", req->not_before,
		    &t)) != SCCA_OK)
			return rc;
		rc = X509_set1_notBefore(x, t);
		ASN1_TIME_free(t);
		t = NULL;
	} else {
		rc = X509_gmtime_adj(X509_getm_notBefore(x),
		    -LEAF_BACKDATE_SECONDS) != NULL;
	}
	if (!rc)
		return report_ssl(SCCA_EFAIL, "cannot set validity");
	if (req->not_after != NULL) {
		if ((rc = x509util_parse_time("not-after", req->not_after,
		    &t)) != SCCA_OK)
			return rc;
		rc = X509_set1_notAfter(x, t);
		ASN1_TIME_free(t);
		if (!rc)
			return report_ssl(SCCA_EFAIL, "cannot set validity");
		if (ASN1_TIME_compare(X509_get0_notBefore(x),
		    X509_get0_notAfter(x)) >= 0)
			return report_msg(SCCA_EUSAGE,
			    "--not-after must come after the start of validity");
		return SCCA_OK;
	}
	if (X509_time_adj_ex(X509_getm_notAfter(x), (int)req->days, 0,
	    NULL) == NULL)
		return report_ssl(SCCA_EFAIL, "cannot set validity");
	/* A leaf never outlives its CA: the chain would stop verifying. */
	if (ASN1_TIME_compare(X509_get0_notAfter(x),
	    X509_get0_notAfter(ca_cert)) > 0 &&
	    !X509_set1_notAfter(x, X509_get0_notAfter(ca_cert)))
		return report_ssl(SCCA_EFAIL, "cannot set validity");
	return SCCA_OK;
}

static int
leaf_subject(X509 *x, const struct leaf_request *req)
{
	X509_NAME *n;
	int ok;

	if (req->subject != NULL)
		return X509_set_subject_name(x, req->subject) ? SCCA_OK :
		    report_ssl(SCCA_EFAIL, "cannot set the subject");
	if ((n = X509_NAME_new()) == NULL)
		return report_msg(SCCA_EFAIL, "out of memory");
	ok = X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8,
	    (const unsigned char *)req->name, -1, -1, 0) &&
	    X509_set_subject_name(x, n);
	X509_NAME_free(n);
	return ok ? SCCA_OK : report_ssl(SCCA_EFAIL, "cannot set the subject");
}

/* Every leaf: CA:FALSE, digitalSignature, the EKU of its kind, SKI/AKI. */
static int
leaf_extensions(X509 *x, X509 *ca_cert, const struct leaf_request *req)
{
	int server = strcmp(req->kind, "server") == 0, rc;

	if ((rc = x509util_add_ext(x, ca_cert, NULL, NID_basic_constraints,
	    "critical,CA:FALSE")) != SCCA_OK ||
	    (rc = x509util_add_ext(x, ca_cert, NULL, NID_key_usage,
	    "critical,digitalSignature")) != SCCA_OK ||
	    (rc = x509util_add_ext(x, ca_cert, NULL, NID_ext_key_usage,
	    server ? "serverAuth" : "clientAuth")) != SCCA_OK ||
	    (rc = x509util_add_ext(x, ca_cert, NULL,
	    NID_subject_key_identifier, "hash")) != SCCA_OK ||
	    (rc = x509util_add_ext(x, ca_cert, NULL,
	    NID_authority_key_identifier, "keyid:always")) != SCCA_OK)
		return rc;
	if (req->sans != NULL && sk_GENERAL_NAME_num(req->sans) > 0 &&
	    !X509_add1_ext_i2d(x, NID_subject_alt_name, req->sans, 0,
	    X509V3_ADD_REPLACE))
		return report_ssl(SCCA_EFAIL, "cannot add the SANs");
	return SCCA_OK;
}

static int
leaf_build(const struct scca_env *env, struct cadir *ca,
    const struct leaf_request *req, X509 *x)
{
	BIGNUM *serial = NULL;
	int rc;

	if ((rc = cadir_new_serial(env, ca, &serial)) != SCCA_OK)
		return rc;
	rc = BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) != NULL;
	BN_free(serial);
	if (!rc || !X509_set_version(x, X509_VERSION_3) ||
	    !X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) ||
	    !X509_set_pubkey(x, req->pubkey))
		return report_ssl(SCCA_EFAIL, "cannot build the certificate");
	if ((rc = leaf_validity(x, ca->cert, req)) != SCCA_OK ||
	    (rc = leaf_subject(x, req)) != SCCA_OK ||
	    (rc = leaf_extensions(x, ca->cert, req)) != SCCA_OK)
		return rc;
	return x509util_sign(env, x, ca->key);
}

/*
 * Record x: first its copy in DIR/certs, then the index line.  Once the
 * index names a serial, the certificate exists and can be revoked; a run
 * cut before that leaves at most an unlisted copy, never an unknown leaf.
 */
static int
leaf_record(struct cadir *ca, const struct leaf_request *req, X509 *x)
{
	struct caindex_entry e;
	char file[CAINDEX_SERIAL_MAX + 16], *path = NULL, *pem = NULL;
	size_t len = 0;
	int rc;

	memset(&e, 0, sizeof(e));
	e.status = 'V';
	if (!x509util_serial_hex(X509_get0_serialNumber(x), e.serial,
	    sizeof(e.serial)) ||
	    !x509util_time_compact(X509_get0_notAfter(x), e.not_after,
	    sizeof(e.not_after)))
		return report_ssl(SCCA_EFAIL, "cannot record the certificate");
	snprintf(e.kind, sizeof(e.kind), "%s", req->kind);
	snprintf(e.revoked_at, sizeof(e.revoked_at), "-");
	snprintf(e.reason, sizeof(e.reason), "-");
	snprintf(e.name, sizeof(e.name), "%s", req->name);
	snprintf(file, sizeof(file), "certs/%s.pem", e.serial);
	if ((path = cadir_path(ca, "certs")) == NULL)
		return SCCA_EFAIL;
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		rc = report_sys(SCCA_EFAIL, "cannot create %s", path);
		goto out;
	}
	free(path);
	if ((path = cadir_path(ca, file)) == NULL)
		return SCCA_EFAIL;
	if ((rc = x509util_cert_pem(x, &pem, &len)) != SCCA_OK ||
	    (rc = atomicfile_write(path, pem, len, 0644, 0)) != SCCA_OK)
		goto out;
	if (caindex_add(&ca->index, &e) != 0) {
		rc = report_msg(SCCA_EFAIL, "out of memory");
		goto out;
	}
	rc = cadir_save_index(ca);
out:
	free(pem);
	free(path);
	return rc;
}

int
leaf_issue(const struct scca_env *env, struct cadir *ca,
    const struct leaf_request *req, X509 **cert)
{
	X509 *x = X509_new_ex(env->libctx, env->propq);
	int rc;

	if (x == NULL)
		return report_ssl(SCCA_EFAIL, "out of memory");
	if ((rc = leaf_build(env, ca, req, x)) != SCCA_OK ||
	    (rc = leaf_record(ca, req, x)) != SCCA_OK) {
		X509_free(x);
		return rc;
	}
	*cert = x;
	return SCCA_OK;
}

int
leaf_write_cert(X509 *x, const char *prefix, int force)
{
	char *path = leaf_suffixed(prefix, ".crt"), *pem = NULL;
	size_t len = 0;
	int rc;

	if (path == NULL)
		return report_msg(SCCA_EFAIL, "out of memory");
	if ((rc = x509util_cert_pem(x, &pem, &len)) == SCCA_OK)
		rc = atomicfile_write(path, pem, len, 0644, force);
	free(pem);
	free(path);
	return rc;
}
