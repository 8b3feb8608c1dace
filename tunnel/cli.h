/* The command line: the config-file form and the one-service forms. */
#ifndef TUNNEL_CLI_H
#define TUNNEL_CLI_H

#include "conf.h"

struct cli {
    const char *config_file; /* config-file form; NULL for one service */
    int test;                /* -t: check and exit */
    int verbose;             /* -v count */
    int foreground;          /* -f given */
    int daemon;              /* --daemon given */
    int stdio;               /* --stdio given */
    int help, version;
};

/*
 * Parse argv. For the one-service forms, fills `conf` (initialised here)
 * through the option table; for the file form, only `cli`. Returns 0, or -1
 * with a message in err (exit status 2).
 */
int cli_parse(int argc, char **argv, struct cli *cli, struct config *conf, struct cfg_err *err);
void cli_usage(FILE *out);

#endif
