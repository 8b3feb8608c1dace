#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "report.h"
#include "scca.h"

static const struct opts_row {
	const char *name;
	int takes_value;
	const char *arg;
	const char *help;
} opts_table[OPT_COUNT] = {
	[OPT_NAME] = { "name", 1, "CN", "common name of the CA certificate" },
	[OPT_DAYS] = { "days", 1, "N", "validity in days" },
	[OPT_KEY_TYPE] = { "key-type", 1, "TYPE",
	    "ed25519 (default), ed448, p256, p384 or rsa3072" },
	[OPT_SAN] = { "san", 1, "LIST",
	    "subjectAltNames: DNS:host,IP:addr,URI:uri (repeatable)" },
	[OPT_OUT] = { "out", 1, "PREFIX",
	    "write PREFIX.crt (and PREFIX.key); default DIR/NAME" },
	[OPT_REASON] = { "reason", 1, "R",
	    "unspecified, keyCompromise, cACompromise, affiliationChanged,\n"
	    "\t\t\tsuperseded, cessationOfOperation, privilegeWithdrawn" },
	[OPT_PASSPHRASE_FILE] = { "passphrase-file", 1, "FILE",
	    "first line of FILE is the CA key passphrase" },
	[OPT_FORCE] = { "force", 0, NULL, "replace files that already exist" },
	[OPT_NOT_BEFORE] = { "not-before", 1, "YYYYMMDDHHMMSSZ",
	    "for testing: explicit start of validity" },
	[OPT_NOT_AFTER] = { "not-after", 1, "YYYYMMDDHHMMSSZ",
	    "for testing: explicit end of validity" },
	[OPT_HELP] = { "help", 0, NULL, "show this help" },
};

static void
opts_help(const struct opts_spec *spec)
{
	size_t i;
	char left[64];

	printf("usage: scca %s %s [options]\noptions:\n", spec->cmd,
	    spec->usage);
	for (i = 0; i < OPT_COUNT; i++) {
		const struct opts_row *r = &opts_table[i];

		if ((spec->allowed & OPTS_BIT(i)) == 0 && i != OPT_HELP)
			continue;
		snprintf(left, sizeof(left), "--%s%s%s", r->name,
		    r->takes_value ? " " : "", r->takes_value ? r->arg : "");
		printf("  %-22s %s\n", left, r->help);
	}
}

/* Find the row for "--name" or "--name=value"; *eq points at '=' or NULL. */
static int
opts_lookup(const char *arg, const char **eq)
{
	const char *name = arg + 2;
	size_t len;
	int i;

	*eq = strchr(name, '=');
	len = *eq != NULL ? (size_t)(*eq - name) : strlen(name);
	for (i = 0; i < OPT_COUNT; i++)
		if (strlen(opts_table[i].name) == len &&
		    strncmp(opts_table[i].name, name, len) == 0)
			return i;
	return -1;
}

int
opts_parse(const struct opts_spec *spec, int argc, char **argv,
    struct opts *o)
{
	int i, id, only_pos = 0;
	const char *eq, *value;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		eq = NULL;
		if (!only_pos && strcmp(a, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (only_pos || a[0] != '-' || a[1] == '\0') {
			if (o->npos == spec->max_pos)
				return report_msg(SCCA_EUSAGE,
				    "%s: unexpected argument '%s' (see "
				    "scca %s --help)", spec->cmd, a, spec->cmd);
			o->pos[o->npos++] = a;
			continue;
		}
		if (a[1] != '-' || (id = opts_lookup(a, &eq)) < 0 ||
		    (id != OPT_HELP && (spec->allowed & OPTS_BIT(id)) == 0)) {
			if (eq != NULL && a[1] == '-')
				return report_msg(SCCA_EUSAGE,
				    "%s: unknown option '%.*s'", spec->cmd,
				    (int)(eq - a), a);
			return report_msg(SCCA_EUSAGE,
			    "%s: unknown option '%s'", spec->cmd, a);
		}
		if (id == OPT_HELP) {
			opts_help(spec);
			return OPTS_HELP_SHOWN;
		}
		if (!opts_table[id].takes_value) {
			if (eq != NULL)
				return report_msg(SCCA_EUSAGE,
				    "%s: option --%s takes no value",
				    spec->cmd, opts_table[id].name);
			o->val[id] = "";
			continue;
		}
		if (eq != NULL)
			value = eq + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		else
			return report_msg(SCCA_EUSAGE,
			    "%s: option --%s needs a value", spec->cmd,
			    opts_table[id].name);
		if (id == OPT_SAN) {
			if (o->nsan == OPTS_MAX_SAN)
				return report_msg(SCCA_EUSAGE,
				    "%s: too many --san options", spec->cmd);
			o->san[o->nsan++] = value;
		}
		o->val[id] = value;
	}
	if (o->npos < spec->min_pos)
		return report_msg(SCCA_EUSAGE, "%s: missing arguments; usage: "
		    "scca %s %s", spec->cmd, spec->cmd, spec->usage);
	return 0;
}

int
opts_days(const struct opts *o, long def, long *days)
{
	const char *s = o->val[OPT_DAYS];
	char *end;
	long v;

	if (s == NULL) {
		*days = def;
		return SCCA_OK;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	/* A century is plenty; more would overflow time arithmetic somewhere. */
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > 36500)
		return report_msg(SCCA_EUSAGE,
		    "--days must be a whole number from 1 to 36500, not '%s'",
		    s);
	*days = v;
	return SCCA_OK;
}
