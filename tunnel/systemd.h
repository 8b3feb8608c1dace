/*
 * systemd integration, through libsystemd when the build has it
 * (HAVE_SYSTEMD): readiness and state notifications (Type=notify), the
 * watchdog, and listening sockets passed by socket activation. Without
 * it, or when not started by systemd, notifications do nothing.
 */
#ifndef TUNNEL_SYSTEMD_H
#define TUNNEL_SYSTEMD_H

#include <stddef.h>
#include <stdint.h>

/* Send a state ("READY=1", "STATUS=...") to the service manager, if any. */
void systemd_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* RELOADING=1 with MONOTONIC_USEC, as sd_notify(3) asks of Type=notify-reload. */
void systemd_notify_reloading(void);

/* The watchdog interval systemd expects pings within (WatchdogSec), in
 * microseconds; 0 when not enabled. */
uint64_t systemd_watchdog_usec(void);

/*
 * The passed socket named `name` (FileDescriptorName=), checked to be a
 * listening stream socket, made non-blocking and close-on-exec. -1 with a
 * message in err; -2 when no socket was passed at all (so that `sctunnel
 * -t`, run outside systemd, can still check the rest).
 */
int systemd_listen_fd(const char *name, char *err, size_t errlen);

#endif
