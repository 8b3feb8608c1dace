/*
 * scca: the certificate authority tool.  Shared definitions for the
 * subcommands: the exit statuses the interface promises and the OpenSSL
 * library context every crypto call goes through.
 */
#ifndef SCCA_H
#define SCCA_H

#include <openssl/types.h>

/* "exit 2 for bad input / usage, 1 for other failures" */
enum {
	SCCA_OK = 0,
	SCCA_EFAIL = 1,
	SCCA_EUSAGE = 2
};

struct scca_env {
	OSSL_LIB_CTX *libctx;
	const char *propq;
};

/* One function per subcommand, each in its own cmd_<name>.c. */
int cmd_init(const struct scca_env *env, int argc, char **argv);
int cmd_issue(const struct scca_env *env, int argc, char **argv);
int cmd_sign(const struct scca_env *env, int argc, char **argv);
int cmd_revoke(const struct scca_env *env, int argc, char **argv);
int cmd_crl(const struct scca_env *env, int argc, char **argv);
int cmd_list(const struct scca_env *env, int argc, char **argv);
int cmd_show(const struct scca_env *env, int argc, char **argv);

#endif
