/*
 * The option table: one row per option, shared by the configuration file
 * parser, the command line and --help (and checked against the man pages by
 * a test). Every option has the same name in the file (with underscores)
 * and on the command line (with hyphens; underscores accepted too).
 */
#ifndef TUNNEL_OPTIONS_H
#define TUNNEL_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

enum opt_type {
    OPT_BOOL,  /* int: yes|no|true|false|on|off|1|0 */
    OPT_UINT,  /* unsigned */
    OPT_MSEC,  /* unsigned milliseconds: 10, 10s, 250ms, 2m, 1h */
    OPT_SIZE,  /* uint64_t bytes: 1048576, 512K, 64M, 1G */
    OPT_STR,   /* char * */
    OPT_STRV,  /* struct strv: repeatable */
    OPT_ADDR,  /* struct addr */
    OPT_ADDRV, /* struct addrv: repeatable, tried in order */
    OPT_ENUM   /* int: index into the row's choices */
};

enum opt_scope { OPT_GLOBAL, OPT_SERVICE };

struct opt_row {
    const char *name; /* file spelling, with underscores */
    enum opt_type type;
    enum opt_scope scope;
    size_t offset;              /* into struct global_cfg or struct svc_cfg */
    const char *def;            /* default as text, NULL for none */
    const char *const *choices; /* OPT_ENUM values, NULL-terminated */
    const char *arg;            /* name of the value for --help */
    const char *help;
};

/* The rows, in --help order, and their number. */
extern const struct opt_row opt_table[];
extern const size_t opt_count;

/* The row for `name` (hyphens or underscores), or NULL. */
const struct opt_row *options_find(const char *name);
/* The row's index in opt_table. */
size_t options_index(const struct opt_row *row);

/* Print every option, one per line with its help, for --help. */
void options_print_help(FILE *out);

/* Choices of the enumerated options, indexed like their C enums. */
extern const char *const opt_mode_choices[];
extern const char *const opt_verify_choices[];
extern const char *const opt_level_choices[];
extern const char *const opt_transport_choices[];
extern const char *const opt_proxy_protocol_choices[];

#endif
