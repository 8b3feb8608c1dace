/*
 * scca show FILE
 *
 * A certificate (PEM or DER) in plain words: subject, issuer, serial,
 * validity, key type, what it is for (CA, server, client), names, and its
 * SHA-256 fingerprint.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "keytypes.h"
#include "opts.h"
#include "report.h"
#include "sans.h"
#include "x509util.h"

static const struct opts_spec show_spec = { "show", "FILE", 0, 1, 1 };

/* RFC 2253 text of a name; control characters shown escaped. */
static void
show_name(const char *label, const X509_NAME *n)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL;
	long len = 0;

	if (bio != NULL && X509_NAME_print_ex(bio, n, 0,
	    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
		len = BIO_get_mem_data(bio, &data);
	printf("%-13s %.*s\n", label, (int)len, len > 0 ? data : "(empty)");
	BIO_free(bio);
}

/* What the certificate is for, from basicConstraints and EKU. */
static void
show_role(X509 *x)
{
	uint32_t xku = X509_get_extended_key_usage(x);
	int has_eku = X509_get_extension_flags(x) & EXFLAG_XKUSAGE;
	const char *ca = X509_check_ca(x) ? "certificate authority" : NULL;
	int server = (xku & XKU_SSL_SERVER) != 0, client =
	    (xku & XKU_SSL_CLIENT) != 0;

	if (ca != NULL)
		printf("%-13s %s\n", "Role:", ca);
	else if (!has_eku)
		printf("%-13s %s\n", "Role:", "leaf, any use (no extended key "
		    "usage)");
	else if (server && client)
		printf("%-13s %s\n", "Role:", "server and client");
	else if (server || client)
		printf("%-13s %s\n", "Role:", server ? "server" : "client");
	else
		printf("%-13s %s\n", "Role:", "neither server nor client");
}

static void
show_key_usage(X509 *x)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} ku[] = {
		{ KU_DIGITAL_SIGNATURE, "digitalSignature" },
		{ KU_NON_REPUDIATION, "nonRepudiation" },
		{ KU_KEY_ENCIPHERMENT, "keyEncipherment" },
		{ KU_DATA_ENCIPHERMENT, "dataEncipherment" },
		{ KU_KEY_AGREEMENT, "keyAgreement" },
		{ KU_KEY_CERT_SIGN, "keyCertSign" },
		{ KU_CRL_SIGN, "cRLSign" },
	};
	uint32_t have = X509_get_key_usage(x);
	char buf[256] = "";
	size_t i, used;

	/* UINT32_MAX: no keyUsage extension, any use allowed. */
	if (have == UINT32_MAX)
		return;
	for (i = 0; i < sizeof(ku) / sizeof(ku[0]); i++)
		if (have & ku[i].bit) {
			used = strlen(buf);
			snprintf(buf + used, sizeof(buf) - used, "%s%s",
			    used > 0 ? ", " : "", ku[i].name);
		}
	printf("%-13s %s\n", "Key usage:", buf);
}

static void
show_usages(X509 *x)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL,
	    NULL);
	char buf[512] = "";
	size_t used;
	int i;

	for (i = 0; eku != NULL && i < sk_ASN1_OBJECT_num(eku); i++) {
		int nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i));

		used = strlen(buf);
		snprintf(buf + used, sizeof(buf) - used, "%s%s",
		    used > 0 ? ", " : "",
		    nid != NID_undef ? OBJ_nid2sn(nid) : "(other)");
	}
	if (eku != NULL)
		printf("%-13s %s\n", "Extended use:", buf);
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
}

static int
show_fingerprint(const struct scca_env *env, X509 *x)
{
	EVP_MD *md = EVP_MD_fetch(env->libctx, "SHA256", env->propq);
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (md == NULL || !X509_digest(x, md, d, &n)) {
		EVP_MD_free(md);
		return report_ssl(SCCA_EFAIL, "cannot compute the fingerprint");
	}
	EVP_MD_free(md);
	printf("%-13s ", "SHA-256:");
	for (i = 0; i < n; i++)
		printf("%02X%s", d[i], i + 1 < n ? ":" : "\n");
	return SCCA_OK;
}

static int
show_cert(const struct scca_env *env, X509 *x)
{
	char serial[64], from[40], until[40], key[64], names[1024] = "";
	const char *state = "";
	GENERAL_NAMES *sans;
	EVP_PKEY *pub = X509_get0_pubkey(x);

	if (!x509util_serial_hex(X509_get0_serialNumber(x), serial,
	    sizeof(serial)))
		snprintf(serial, sizeof(serial), "(unreadable)");
	if (!x509util_time_words(X509_get0_notBefore(x), from, sizeof(from)))
		snprintf(from, sizeof(from), "(unreadable)");
	if (!x509util_time_words(X509_get0_notAfter(x), until, sizeof(until)))
		snprintf(until, sizeof(until), "(unreadable)");
	if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0)
		state = " (expired)";
	else if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0)
		state = " (not yet valid)";
	if (pub == NULL)
		snprintf(key, sizeof(key), "(unreadable)");
	else if (!keytypes_describe(pub, key, sizeof(key)))
		strncat(key, " (not supported by SC1)",
		    sizeof(key) - strlen(key) - 1);
	show_name("Subject:", X509_get_subject_name(x));
	show_name("Issuer:", X509_get_issuer_name(x));
	printf("%-13s %s\n", "Serial:", serial);
	printf("%-13s %s\n", "Valid from:", from);
	printf("%-13s %s%s\n", "Valid until:", until, state);
	printf("%-13s %s\n", "Key:", key);
	show_role(x);
	sans = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	if (sans != NULL) {
		sans_format(sans, names, sizeof(names));
		printf("%-13s %s\n", "Names:", names);
	}
	GENERAL_NAMES_free(sans);
	show_key_usage(x);
	show_usages(x);
	if (X509_check_issued(x, x) == X509_V_OK)
		printf("%-13s %s\n", "Issued by:", "itself (self-signed)");
	return show_fingerprint(env, x);
}

int
cmd_show(const struct scca_env *env, int argc, char **argv)
{
	struct opts o;
	X509 *x = NULL;
	int rc;

	if ((rc = opts_parse(&show_spec, argc, argv, &o)) != 0)
		return rc == OPTS_HELP_SHOWN ? SCCA_OK : rc;
	if ((rc = x509util_read_cert(env, o.pos[0], &x)) != SCCA_OK)
		return rc;
	rc = show_cert(env, x);
	X509_free(x);
	return rc;
}
