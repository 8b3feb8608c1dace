/*
 * Command line. Every option of the table is accepted as --name VALUE or
 * --name=VALUE, hyphens or underscores; yes/no options may omit the value.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

void cli_usage(FILE *out)
{
    fprintf(out,
            "usage: sctunnel [-f] [-t] [-v] [-c FILE]\n"
            "       sctunnel server --accept ADDR --connect ADDR --cert F "
            "--key F --ca F [OPTION...]\n"
            "       sctunnel client --accept ADDR --connect ADDR --cert F "
            "--key F --ca F\n"
            "                       --server-name NAME [OPTION...]\n"
            "       sctunnel client --stdio --connect ADDR ...\n"
            "\n"
            "  -c FILE    configuration file [%s/sctunnel.conf]\n"
            "  -f         stay in the foreground\n"
            "  -t         check the configuration and credentials, then exit\n"
            "  -v         log more (repeat for debug)\n"
            "  --daemon   one-service forms: detach into the background\n"
            "  --stdio    client: one connection over standard input/output\n"
            "\nADDR is host:port, [v6addr]:port or unix:/path.\n",
            SYSCONFDIR);
    options_print_help(out);
}

/* Flags shared by every form; 1 if `arg` was one. */
static int common_flag(const char *arg, struct cli *cli)
{
    if (strcmp(arg, "-f") == 0)
        cli->foreground = 1;
    else if (strcmp(arg, "-t") == 0)
        cli->test = 1;
    else if (strcmp(arg, "-v") == 0)
        cli->verbose++;
    else if (strcmp(arg, "-vv") == 0)
        cli->verbose += 2;
    else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
        cli->help = 1;
    else if (strcmp(arg, "--version") == 0)
        cli->version = 1;
    else
        return 0;
    return 1;
}

static int parse_file_form(int argc, char **argv, struct cli *cli, struct cfg_err *err)
{
    int i;

    cli->config_file = SYSCONFDIR "/sctunnel.conf";
    for (i = 1; i < argc; i++) {
        if (common_flag(argv[i], cli))
            continue;
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            cli->config_file = argv[++i];
            continue;
        }
        snprintf(err->msg, sizeof(err->msg), "sctunnel: unexpected argument '%s' (try --help)",
                 argv[i]);
        return -1;
    }
    return 0;
}

static int parse_service_form(int argc, char **argv, struct cli *cli, struct config *conf,
                              struct cfg_err *err)
{
    struct svc_cfg *svc;
    char name[128], where[140];
    int i;

    if ((svc = conf_add_service(conf, argv[1], 0)) == NULL
        || conf_set(conf, svc, "mode", argv[1], 0, NULL, err) != 0) {
        snprintf(err->msg, sizeof(err->msg), "sctunnel: out of memory");
        return -1;
    }
    for (i = 2; i < argc; i++) {
        const char *arg = argv[i], *eq, *value;
        const struct opt_row *row;
        int b;

        if (common_flag(arg, cli))
            continue;
        if (strcmp(arg, "--daemon") == 0) {
            cli->daemon = 1;
            continue;
        }
        if (strcmp(arg, "--stdio") == 0) {
            cli->stdio = 1;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            snprintf(err->msg, sizeof(err->msg), "sctunnel: unexpected argument '%s' (try --help)",
                     arg);
            return -1;
        }
        eq = strchr(arg, '=');
        snprintf(name, sizeof(name), "%.*s",
                 (int)(eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2)), arg + 2);
        snprintf(where, sizeof(where), "--%s", name);
        row = options_find(name);
        if (eq != NULL) {
            value = eq + 1;
        } else if (row != NULL && row->type == OPT_BOOL) {
            /* "--allow-public-plaintext" alone means yes. */
            value = "yes";
            if (i + 1 < argc && conf_parse_bool(argv[i + 1], &b) == 0)
                value = argv[++i];
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else if (row != NULL) {
            snprintf(err->msg, sizeof(err->msg), "sctunnel: %s: missing value", where);
            return -1;
        } else {
            value = "";
        }
        if (conf_set(conf, svc, name, value, 0, where, err) != 0)
            return -1;
    }
    if (cli->stdio && svc->mode != MODE_CLIENT) {
        snprintf(err->msg, sizeof(err->msg), "sctunnel: --stdio is for the client form");
        return -1;
    }
    if (cli->stdio && svc->accept.text != NULL) {
        snprintf(err->msg, sizeof(err->msg), "sctunnel: --stdio and --accept exclude each other");
        return -1;
    }
    if (!cli->stdio && svc->accept.text == NULL) {
        snprintf(err->msg, sizeof(err->msg), "sctunnel: missing --accept");
        return -1;
    }
    return 0;
}

int cli_parse(int argc, char **argv, struct cli *cli, struct config *conf, struct cfg_err *err)
{
    memset(cli, 0, sizeof(*cli));
    if (argc >= 2 && (strcmp(argv[1], "server") == 0 || strcmp(argv[1], "client") == 0)) {
        if (conf_init(conf, NULL) != 0) {
            snprintf(err->msg, sizeof(err->msg), "sctunnel: out of memory");
            return -1;
        }
        return parse_service_form(argc, argv, cli, conf, err);
    }
    return parse_file_form(argc, argv, cli, err);
}
