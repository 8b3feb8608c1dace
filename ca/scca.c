/*
 * scca: a private certificate authority for SC1 — a root, a certificate per
 * server and per client, revocation.  main() picks the subcommand from the
 * table below; each lives in its own cmd_<name>.c.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "report.h"
#include "scca.h"

static const struct scca_command {
	const char *name;
	int (*fn)(const struct scca_env *, int, char **);
	const char *summary;
} scca_commands[] = {
	{ "init", cmd_init, "create a CA in DIR" },
	{ "issue", cmd_issue, "make a key and a server or client certificate" },
	{ "sign", cmd_sign, "sign an external CSR as a server or client" },
	{ "revoke", cmd_revoke, "revoke a certificate by NAME or SERIAL" },
	{ "crl", cmd_crl, "write DIR/crl.pem" },
	{ "list", cmd_list, "serial, kind, name, expiry and status of each" },
	{ "show", cmd_show, "a certificate in plain words" },
};
#define SCCA_NCOMMANDS (sizeof(scca_commands) / sizeof(scca_commands[0]))

static void
scca_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: scca COMMAND [arguments] (scca COMMAND --help)\n"
	    "       scca --version\n"
	    "commands:\n");
	for (i = 0; i < SCCA_NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", scca_commands[i].name,
		    scca_commands[i].summary);
}

int
main(int argc, char **argv)
{
	struct scca_env env = { NULL, NULL };
	size_t i;
	int rc;

	if (argc < 2) {
		scca_usage(stderr);
		return SCCA_EUSAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		scca_usage(stdout);
		return SCCA_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("scca %s\n", PACKAGE_VERSION);
		return fflush(stdout) == 0 ? SCCA_OK : SCCA_EFAIL;
	}
	for (i = 0; i < SCCA_NCOMMANDS; i++)
		if (strcmp(argv[1], scca_commands[i].name) == 0)
			break;
	if (i == SCCA_NCOMMANDS)
		return report_msg(SCCA_EUSAGE,
		    "unknown command '%s' (see scca --help)", argv[1]);
	/* A library context of our own: nothing else in the process shares
	 * its providers or caches. */
	if ((env.libctx = OSSL_LIB_CTX_new()) == NULL)
		return report_ssl(SCCA_EFAIL, "cannot set up OpenSSL");
	rc = scca_commands[i].fn(&env, argc - 1, argv + 1);
	OSSL_LIB_CTX_free(env.libctx);
	if (fflush(stdout) != 0 && rc == SCCA_OK)
		rc = report_msg(SCCA_EFAIL, "cannot write to standard output");
	return rc;
}
