/*
 * scca revoke DIR NAME|SERIAL [--reason R]
 *
 * Marks a certificate revoked in the index; "scca crl" then publishes it.
 * The argument is tried as a serial first, then as the name of exactly one
 * valid certificate (a server and a client may share a name: the serial
 * tells them apart).
 */
#include <stdio.h>
#include <string.h>

#include "cadir.h"
#include "opts.h"
#include "report.h"
#include "revocation.h"
#include "x509util.h"

static const struct opts_spec revoke_spec = {
	"revoke", "DIR NAME|SERIAL", OPTS_BIT(OPT_REASON), 2, 2
};

/* The entry that what names, or NULL (reported). */
static struct caindex_entry *
revoke_find(struct cadir *ca, const char *what, int *rc)
{
	struct caindex_entry *e = NULL, *hit;
	size_t i, n = 0;
	char hex[CAINDEX_SERIAL_MAX + 1];
	const char *p;

	/* Serials may be written with colons, as openssl prints them. */
	for (i = 0, p = what; *p != '\0' && i < sizeof(hex) - 1; p++)
		if (*p != ':')
			hex[i++] = *p;
	hex[i] = '\0';
	if (*p == '\0' && i > 0 &&
	    (hit = caindex_by_serial(&ca->index, hex)) != NULL)
		return hit;
	for (i = 0; i < ca->index.n; i++)
		if (ca->index.e[i].status == 'V' &&
		    strcmp(ca->index.e[i].name, what) == 0) {
			e = &ca->index.e[i];
			n++;
		}
	if (n == 1)
		return e;
	if (n > 1)
		*rc = report_msg(SCCA_EUSAGE, "'%s' names %zu valid "
		    "certificates: give the serial (see scca list)", what, n);
	else
		*rc = report_msg(SCCA_EUSAGE, "no valid certificate with "
		    "name or serial '%s'", what);
	return NULL;
}

int
cmd_revoke(const struct scca_env *env, int argc, char **argv)
{
	struct opts o;
	struct cadir *ca = NULL;
	struct caindex_entry *e;
	const char *reason;
	int rc;

	if ((rc = opts_parse(&revoke_spec, argc, argv, &o)) != 0)
		return rc == OPTS_HELP_SHOWN ? SCCA_OK : rc;
	reason = o.val[OPT_REASON] != NULL ? o.val[OPT_REASON] : "unspecified";
	if (revocation_code(reason) < 0)
		return report_msg(SCCA_EUSAGE, "unknown reason '%s': want one "
		    "of %s", reason, REVOCATION_NAMES);
	if ((rc = cadir_open(env, o.pos[0], 1, &ca)) != SCCA_OK)
		goto out;
	if ((e = revoke_find(ca, o.pos[1], &rc)) == NULL)
		goto out;
	if (e->status == 'R') {
		rc = report_msg(SCCA_EUSAGE, "serial %s is already revoked",
		    e->serial);
		goto out;
	}
	e->status = 'R';
	x509util_now_compact(e->revoked_at, sizeof(e->revoked_at));
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
	if ((rc = cadir_save_index(ca)) != SCCA_OK)
		goto out;
	printf("revoked %s certificate '%s', serial %s (%s); run scca crl "
	    "to publish it\n", e->kind, e->name, e->serial, reason);
out:
	cadir_close(ca);
	return rc;
}
