/* Log sink: stderr, syslog or an append-only file reopened on SIGUSR1. */
#define _GNU_SOURCE
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

enum sink { SINK_STDERR, SINK_SYSLOG, SINK_FILE };

static enum sink sink = SINK_STDERR;
static int log_fd = 2;
static char *log_path;
static volatile int level = LVL_NOTICE;

static const int syslog_prio[] = { LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG };

/* Opened as root at start: a symbolic link put in place of the file by
 * whoever can write to its directory must not lead our lines into a file
 * of their choosing, so the last component is never followed (ELOOP). */
static int open_file(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0640);
}

static char *absolute(const char *path)
{
    char cwd[PATH_MAX], *abs;

    if (path[0] == '/')
        return strdup(path);
    if (getcwd(cwd, sizeof(cwd)) == NULL)
        return NULL;
    if (asprintf(&abs, "%s/%s", cwd, path) < 0)
        return NULL;
    return abs;
}

int log_open(const char *where)
{
    int fd;

    if (where == NULL || strcmp(where, "stderr") == 0) {
        sink = SINK_STDERR;
        log_fd = 2;
        return 0;
    }
    if (strcmp(where, "syslog") == 0) {
        openlog("sctunnel", LOG_PID | LOG_NDELAY, LOG_DAEMON);
        sink = SINK_SYSLOG;
        return 0;
    }
    if ((fd = open_file(where)) < 0)
        return -1;
    free(log_path);
    /* Opened before detaching: SIGUSR1 must find it after chdir("/"). */
    if ((log_path = absolute(where)) == NULL) {
        close(fd);
        return -1;
    }
    if (sink == SINK_FILE && log_fd > 2)
        close(log_fd);
    sink = SINK_FILE;
    log_fd = fd;
    return 0;
}

int log_reopen(void)
{
    int fd;

    if (sink != SINK_FILE)
        return 0;
    if ((fd = open_file(log_path)) < 0)
        return -1;
    /* dup2 swaps the file under writers in other threads atomically. */
    if (dup2(fd, log_fd) < 0) {
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

void log_close(void)
{
    if (sink == SINK_SYSLOG)
        closelog();
    if (sink == SINK_FILE && log_fd > 2)
        close(log_fd);
    free(log_path);
    log_path = NULL;
    sink = SINK_STDERR;
    log_fd = 2;
}

void log_set_level(int l)
{
    level = l;
}

int log_get_level(void)
{
    return level;
}

int log_enabled(int l)
{
    return l <= level;
}

void log_msg(int l, const char *fmt, ...)
{
    static const char *const names[] = { "error", "warning", "notice", "info", "debug" };
    char line[2048];
    struct timespec ts;
    struct tm tm;
    va_list ap;
    size_t n = 0;
    int r;

    if (l > level)
        return;
    if (sink == SINK_SYSLOG) {
        va_start(ap, fmt);
        vsnprintf(line, sizeof(line), fmt, ap);
        va_end(ap);
        syslog(syslog_prio[l], "%s", line);
        return;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
    r = snprintf(line + n, sizeof(line) - n, ".%03ldZ sctunnel[%ld]: %s: ", ts.tv_nsec / 1000000,
                 (long)getpid(), names[l]);
    if (r > 0)
        n += (size_t)r;
    va_start(ap, fmt);
    r = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
    va_end(ap);
    if (r > 0)
        n += (size_t)r < sizeof(line) - n - 1 ? (size_t)r : sizeof(line) - n - 2;
    line[n++] = '\n';
    while (write(log_fd, line, n) < 0 && errno == EINTR)
        ;
}
