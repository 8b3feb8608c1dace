/*
 * scca issue DIR server|client NAME [--san LIST]... [--days N]
 *     [--key-type T] [--out PREFIX] [--force] [--passphrase-file F]
 *     [--not-before T --not-after T]
 *
 * Makes a key and its certificate: PREFIX.key (PKCS#8, mode 0600) and
 * PREFIX.crt, PREFIX defaulting to DIR/NAME.  Input is checked in full
 * before anything is generated or written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "keyfile.h"
#include "keytypes.h"
#include "leaf.h"
#include "report.h"
#include "x509util.h"

static const struct opts_spec issue_spec = {
	"issue", "DIR server|client NAME",
	OPTS_BIT(OPT_SAN) | OPTS_BIT(OPT_DAYS) | OPTS_BIT(OPT_KEY_TYPE) |
	OPTS_BIT(OPT_OUT) | OPTS_BIT(OPT_FORCE) |
	OPTS_BIT(OPT_PASSPHRASE_FILE) | OPTS_BIT(OPT_NOT_BEFORE) |
	OPTS_BIT(OPT_NOT_AFTER),
	3, 3
};

static int
issue_write(const struct scca_env *env, EVP_PKEY *key, X509 *cert,
    const char *prefix, int force)
{
	size_t pl = strlen(prefix);
	char *path = malloc(pl + sizeof(".key"));
	int rc;

	if (path == NULL)
		return report_msg(SCCA_EFAIL, "out of memory");
	memcpy(path, prefix, pl);
	memcpy(path + pl, ".key", sizeof(".key"));
	/* The key first: a certificate without its key is of no use. */
	rc = keyfile_write(env, key, NULL, path, force);
	free(path);
	if (rc != SCCA_OK)
		return rc;
	return leaf_write_cert(cert, prefix, force);
}

int
cmd_issue(const struct scca_env *env, int argc, char **argv)
{
	struct opts o;
	struct leaf_request req;
	struct cadir *ca = NULL;
	const char *type;
	char *prefix = NULL, serial[64];
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int rc;

	if ((rc = opts_parse(&issue_spec, argc, argv, &o)) != 0)
		return rc == OPTS_HELP_SHOWN ? SCCA_OK : rc;
	memset(&req, 0, sizeof(req));
	req.kind = o.pos[1];
	req.name = o.pos[2];
	req.not_before = o.val[OPT_NOT_BEFORE];
	req.not_after = o.val[OPT_NOT_AFTER];
	type = o.val[OPT_KEY_TYPE] != NULL ? o.val[OPT_KEY_TYPE] :
	    KEYTYPES_DEFAULT;
	if ((rc = leaf_check_kind(req.kind)) != SCCA_OK ||
	    (rc = leaf_check_name(req.name)) != SCCA_OK ||
	    (rc = opts_days(&o, LEAF_DEFAULT_DAYS, &req.days)) != SCCA_OK)
		return rc;
	if (!keytypes_known(type))
		return report_msg(SCCA_EUSAGE, "unknown key type '%s': want "
		    "ed25519, ed448, p256, p384 or rsa3072", type);
	if ((rc = leaf_sans(&o, req.kind, req.name, NULL, &req.sans)) !=
	    SCCA_OK)
		goto out;
	if ((rc = cadir_open(env, o.pos[0], 1, &ca)) != SCCA_OK ||
	    (rc = leaf_check_duplicate(ca, req.kind, req.name)) != SCCA_OK ||
	    (rc = leaf_prefix(ca, &o, req.name, 1, &prefix)) != SCCA_OK ||
	    (rc = cadir_load_key(env, ca, o.val[OPT_PASSPHRASE_FILE])) !=
	    SCCA_OK)
		goto out;
	if ((key = keytypes_generate(env, type)) == NULL) {
		rc = SCCA_EFAIL;
		goto out;
	}
	req.pubkey = key;
	if ((rc = leaf_issue(env, ca, &req, &cert)) != SCCA_OK ||
	    (rc = issue_write(env, key, cert, prefix,
	    o.val[OPT_FORCE] != NULL)) != SCCA_OK)
		goto out;
	if (!x509util_serial_hex(X509_get0_serialNumber(cert), serial,
	    sizeof(serial)))
		snprintf(serial, sizeof(serial), "?");
	printf("issued %s certificate '%s', serial %s: %s.crt %s.key\n",
	    req.kind, req.name, serial, prefix, prefix);
out:
	GENERAL_NAMES_free(req.sans);
	X509_free(cert);
	EVP_PKEY_free(key);
	free(prefix);
	cadir_close(ca);
	return rc;
}
