/* Process matters: detaching, the pid file, dropping privileges. */
#ifndef TUNNEL_DAEMON_H
#define TUNNEL_DAEMON_H

#include <stddef.h>

/* Fork into the background, new session, standard streams on /dev/null.
 * Returns in the child only; 0, or -1 with errno set. */
int daemon_detach(void);

/* Write our pid to `path` (0 or -1 with errno). */
int pidfile_write(const char *path);

/* Switch to user/group and chroot into dir (each may be NULL), after the
 * sockets are bound. 0, or -1 with a message in err. */
int drop_privileges(const char *user, const char *group, const char *dir,
                    char *err, size_t errlen);

#endif
