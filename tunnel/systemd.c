/* sd_notify(3) and sd_listen_fds_with_names(3), or nothing without libsystemd. */
#define _GNU_SOURCE
#include "config.h"

#include "systemd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

void systemd_notify(const char *fmt, ...)
{
#ifdef HAVE_SYSTEMD
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    (void)sd_notify(0, buf);
#else
    (void)fmt;
#endif
}

void systemd_notify_reloading(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    systemd_notify("RELOADING=1\nMONOTONIC_USEC=%llu",
                   (unsigned long long)ts.tv_sec * 1000000ULL
                       + (unsigned long long)ts.tv_nsec / 1000ULL);
}

uint64_t systemd_watchdog_usec(void)
{
#ifdef HAVE_SYSTEMD
    uint64_t usec = 0;

    if (sd_watchdog_enabled(0, &usec) > 0)
        return usec;
#endif
    return 0;
}

#ifdef HAVE_SYSTEMD
/* The passed sockets, read once: sd_listen_fds_with_names() clears the
 * environment it reads, so that children do not take them too. */
static int nfds = -1;
static char **fdnames;
static unsigned char *taken; /* one flag per socket */

static void load_fds(void)
{
    if (nfds >= 0)
        return;
    nfds = sd_listen_fds_with_names(1, &fdnames);
    if (nfds < 0 || (nfds > 0 && (taken = calloc((size_t)nfds, 1)) == NULL))
        nfds = 0;
}
#endif

int systemd_listen_fd(const char *name, char *err, size_t errlen)
{
#ifdef HAVE_SYSTEMD
    char names[256] = "";
    size_t used = 0;
    int i, fd, flags;

    load_fds();
    if (nfds == 0) {
        snprintf(err, errlen, "no socket passed by systemd (LISTEN_FDS)");
        return -2;
    }
    for (i = 0; i < nfds; i++) {
        const char *n = fdnames != NULL && fdnames[i] != NULL ? fdnames[i] : "unknown";

        if (strcmp(n, name) != 0) {
            int w = snprintf(names + used, sizeof(names) - used, "%s%s", used ? ", " : "", n);

            if (w > 0 && (size_t)w < sizeof(names) - used)
                used += (size_t)w;
            continue;
        }
        fd = SD_LISTEN_FDS_START + i;
        if (taken[i]) {
            snprintf(err, errlen, "the socket systemd passed as '%s' is already used", name);
            return -1;
        }
        if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0) {
            snprintf(err, errlen,
                     "the socket systemd passed as '%s' is not a listening stream socket "
                     "(ListenStream= in the .socket unit)",
                     name);
            return -1;
        }
        flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0
            || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
            snprintf(err, errlen, "socket '%s': %s", name, strerror(errno));
            return -1;
        }
        taken[i] = 1;
        return fd;
    }
    snprintf(err, errlen, "systemd passed no socket named '%s' (passed: %s)", name, names);
    return -1;
#else
    snprintf(err, errlen, "this sctunnel was built without systemd support");
    return -1;
#endif
}
