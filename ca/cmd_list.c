/*
 * scca list DIR
 *
 * One line per issued certificate: serial, kind, name, expiry, status
 * (valid, expired, or revoked with its time and reason), and the
 * subjectAltNames of the copy kept in DIR/certs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "cadir.h"
#include "opts.h"
#include "sans.h"
#include "x509util.h"

static const struct opts_spec list_spec = { "list", "DIR", 0, 1, 1 };

/* "YYYYMMDDHHMMSSZ" as "YYYY-MM-DD HH:MM". */
static void
list_time(const char *t, char *buf, size_t len)
{
	snprintf(buf, len, "%.4s-%.2s-%.2s %.2s:%.2s", t, t + 4, t + 6, t + 8,
	    t + 10);
}

static void
list_status(const struct caindex_entry *e, const char *now, char *buf,
    size_t len)
{
	char revoked[32];

	if (e->status == 'R') {
		list_time(e->revoked_at, revoked, sizeof(revoked));
		snprintf(buf, len, "revoked %s (%s)", revoked, e->reason);
	} else if (strcmp(e->not_after, now) <= 0) {
		snprintf(buf, len, "expired");
	} else {
		snprintf(buf, len, "valid");
	}
}

/*
 * The SANs of DIR/certs/SERIAL.pem, "-" when it has none.  A copy that is
 * missing or unreadable is said so on the line: list goes on.
 */
static void
list_sans(const struct scca_env *env, const struct cadir *ca,
    const struct caindex_entry *e, char *buf, size_t len)
{
	char file[CAINDEX_SERIAL_MAX + 16], *path;
	GENERAL_NAMES *sans = NULL;
	BIO *bio = NULL;
	X509 *x = NULL;

	snprintf(file, sizeof(file), "certs/%s.pem", e->serial);
	snprintf(buf, len, "(no copy in certs/)");
	if ((path = cadir_path(ca, file)) == NULL)
		return;
	if ((bio = BIO_new_file(path, "r")) != NULL &&
	    (x = X509_new_ex(env->libctx, env->propq)) != NULL &&
	    PEM_read_bio_X509(bio, &x, NULL, NULL) != NULL) {
		sans = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
		buf[0] = '\0';
		sans_format(sans, buf, len);
		if (buf[0] == '\0')
			snprintf(buf, len, "-");
	}
	ERR_clear_error();
	GENERAL_NAMES_free(sans);
	X509_free(x);
	BIO_free(bio);
	free(path);
}

int
cmd_list(const struct scca_env *env, int argc, char **argv)
{
	struct opts o;
	struct cadir *ca = NULL;
	const struct caindex_entry *e;
	char now[CAINDEX_TIME_LEN + 1], expiry[32], status[96], names[1024];
	size_t i;
	int rc, width = (int)strlen("STATUS");

	if ((rc = opts_parse(&list_spec, argc, argv, &o)) != 0)
		return rc == OPTS_HELP_SHOWN ? SCCA_OK : rc;
	if ((rc = cadir_open(env, o.pos[0], 0, &ca)) != SCCA_OK)
		return rc;
	x509util_now_compact(now, sizeof(now));
	/* The status column is as wide as its widest entry. */
	for (i = 0; i < ca->index.n; i++) {
		list_status(&ca->index.e[i], now, status, sizeof(status));
		if ((int)strlen(status) > width)
			width = (int)strlen(status);
	}
	printf("%-32s  %-6s  %-24s  %-16s  %-*s  %s\n", "SERIAL", "KIND",
	    "NAME", "EXPIRES (UTC)", width, "STATUS", "SUBJECTALTNAMES");
	for (i = 0; i < ca->index.n; i++) {
		e = &ca->index.e[i];
		list_time(e->not_after, expiry, sizeof(expiry));
		list_status(e, now, status, sizeof(status));
		list_sans(env, ca, e, names, sizeof(names));
		printf("%-32s  %-6s  %-24s  %-16s  %-*s  %s\n", e->serial,
		    e->kind, e->name, expiry, width, status, names);
	}
	cadir_close(ca);
	return SCCA_OK;
}
