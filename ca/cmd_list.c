/*
 * scca list DIR
 *
 * One line per issued certificate: serial, kind, name, expiry, status
 * (valid, expired, or revoked with its time and reason).
 */
#include <stdio.h>
#include <string.h>

#include "cadir.h"
#include "opts.h"
#include "x509util.h"

static const struct opts_spec list_spec = { "list", "DIR", 0, 1, 1 };

/* "YYYYMMDDHHMMSSZ" as "YYYY-MM-DD HH:MM". */
static void
list_time(const char *t, char *buf, size_t len)
{
	snprintf(buf, len, "%.4s-%.2s-%.2s %.2s:%.2s", t, t + 4, t + 6, t + 8,
	    t + 10);
}

int
cmd_list(const struct scca_env *env, int argc, char **argv)
{
	struct opts o;
	struct cadir *ca = NULL;
	const struct caindex_entry *e;
	char now[CAINDEX_TIME_LEN + 1], expiry[32], revoked[32];
	size_t i;
	int rc;

	if ((rc = opts_parse(&list_spec, argc, argv, &o)) != 0)
		return rc == OPTS_HELP_SHOWN ? SCCA_OK : rc;
	if ((rc = cadir_open(env, o.pos[0], 0, &ca)) != SCCA_OK)
		return rc;
	x509util_now_compact(now, sizeof(now));
	printf("%-32s  %-6s  %-24s  %-16s  %s\n", "SERIAL", "KIND", "NAME",
	    "EXPIRES (UTC)", "STATUS");
	for (i = 0; i < ca->index.n; i++) {
		e = &ca->index.e[i];
		list_time(e->not_after, expiry, sizeof(expiry));
		printf("%-32s  %-6s  %-24s  %-16s  ", e->serial, e->kind,
		    e->name, expiry);
		if (e->status == 'R') {
			list_time(e->revoked_at, revoked, sizeof(revoked));
			printf("revoked %s (%s)\n", revoked, e->reason);
		} else if (strcmp(e->not_after, now) <= 0) {
			printf("expired\n");
		} else {
			printf("valid\n");
		}
	}
	cadir_close(ca);
	return SCCA_OK;
}
