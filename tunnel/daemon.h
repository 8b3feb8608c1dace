/* Process matters: detaching, the pid file, dropping privileges. */
#ifndef TUNNEL_DAEMON_H
#define TUNNEL_DAEMON_H

#include <stddef.h>

/* Fork into the background, new session, standard streams on /dev/null.
 * Returns in the child only; 0, or -1 with errno set. */
int daemon_detach(void);

/*
 * The pid file. Opened (created if need be) before detaching and before
 * privileges are dropped, without following a symbolic link; anything but
 * a regular file of ours with a single link is refused, and nothing is
 * truncated before that check. NULL, with a message naming the path in err.
 */
struct pidfile *daemon_pidfile_open(const char *path, char *err, size_t errlen);
/* Write our pid (once detached). 0, or -1 with errno set. */
int daemon_pidfile_write(struct pidfile *pf);
/* Before dropping privileges: fork a process that keeps them for one job,
 * removing the file once we have ended, since we may no longer be allowed
 * to. 0, or -1 with errno set. */
int daemon_pidfile_keep(struct pidfile *pf);
/* At exit: remove the file we wrote (if it is still that file), directly
 * or through the keeper, and free. NULL is a no-op. */
void daemon_pidfile_close(struct pidfile *pf);

/* Switch to user/group and chroot into dir (each may be NULL), after the
 * sockets are bound. 0, or -1 with a message in err. */
int daemon_drop_privileges(const char *user, const char *group, const char *dir, char *err,
                           size_t errlen);

#endif
