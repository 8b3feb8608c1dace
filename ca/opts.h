/*
 * Command-line options of the scca subcommands.  One table row per option
 * (name, whether it takes a value, help); each subcommand names the rows it
 * accepts, and the same table feeds the parser and "scca CMD --help".
 */
#ifndef OPTS_H
#define OPTS_H

#include <stddef.h>

enum opts_id {
	OPT_NAME,
	OPT_DAYS,
	OPT_KEY_TYPE,
	OPT_SAN,
	OPT_OUT,
	OPT_REASON,
	OPT_PASSPHRASE_FILE,
	OPT_FORCE,
	OPT_NOT_BEFORE,
	OPT_NOT_AFTER,
	OPT_HELP,
	OPT_COUNT
};

#define OPTS_BIT(id) (1u << (id))
#define OPTS_MAX_SAN 32
#define OPTS_MAX_POS 4

/* What a subcommand accepts. */
struct opts_spec {
	const char *cmd;
	const char *usage;	/* positional part, e.g. "DIR server|client NAME" */
	unsigned int allowed;	/* OPTS_BIT() of each accepted option */
	size_t min_pos, max_pos;
};

/* What the parser found: argv pointers, nothing allocated. */
struct opts {
	const char *val[OPT_COUNT];	/* last value; "" for a given flag */
	const char *san[OPTS_MAX_SAN];	/* every --san, in order */
	size_t nsan;
	const char *pos[OPTS_MAX_POS];
	size_t npos;
};

/* Returned by opts_parse after printing help: the command exits 0. */
#define OPTS_HELP_SHOWN (-1)

/*
 * Parse argv[1..argc-1] (argv[0] is the subcommand name).  Returns 0,
 * OPTS_HELP_SHOWN, or SCCA_EUSAGE after reporting the mistake.
 */
int opts_parse(const struct opts_spec *spec, int argc, char **argv,
    struct opts *o);

/* The --days value, or def when absent; SCCA_EUSAGE (reported) if bad. */
int opts_days(const struct opts *o, long def, long *days);

#endif
