/*
 * Logging: one line per event to stderr, syslog or a file. Lines are
 * written with one write(2) each so workers never interleave them.
 */
#ifndef TUNNEL_LOG_H
#define TUNNEL_LOG_H

#include "conf.h"

/* "stderr", "syslog" or a file path. 0, or -1 with errno set. */
int log_open(const char *where);
/* SIGUSR1: reopen the log file (after rotation). 0 or -1. */
int log_reopen(void);
void log_set_level(int level);
int log_get_level(void);
int log_enabled(int level);
void log_close(void);

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LVL_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LVL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LVL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LVL_DEBUG, __VA_ARGS__)

#endif
