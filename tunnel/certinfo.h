/* What the tunnel reports about its own certificates: when they expire. */
#ifndef TUNNEL_CERTINFO_H
#define TUNNEL_CERTINFO_H

#include <time.h>

/* Warn this long before a service's own certificate or a CA expires. */
#define CERTINFO_WARN_DAYS 30

/*
 * notAfter of the first certificate of `source` (a PEM or DER file, or a
 * "file:" URI), or with `earliest` the soonest of all its certificates.
 * 0 when there is nothing to read: a store URI, a directory, no
 * certificate. Never fails; the loader reports unreadable files.
 */
time_t certinfo_not_after(const char *source, int earliest);

/* Log a warning when `when` is within CERTINFO_WARN_DAYS of now, or past. */
void certinfo_warn(const char *svc, const char *opt, const char *source, time_t when);

#endif
