/* Detaching, pid file and privilege dropping. */
#define _GNU_SOURCE
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int daemon_detach(void)
{
    pid_t pid;
    int fd;

    if ((pid = fork()) < 0)
        return -1;
    if (pid > 0)
        _exit(0);
    if (setsid() < 0)
        return -1;
    /* A second fork: the daemon can never reacquire a terminal. */
    if ((pid = fork()) < 0)
        return -1;
    if (pid > 0)
        _exit(0);
    if (chdir("/") != 0)
        return -1;
    if ((fd = open("/dev/null", O_RDWR)) < 0)
        return -1;
    dup2(fd, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    if (fd > 2)
        close(fd);
    return 0;
}

int pidfile_write(const char *path)
{
    char buf[32];
    int fd, n, saved;

    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
    if (write(fd, buf, (size_t)n) != n) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return close(fd);
}

int drop_privileges(const char *user, const char *group, const char *dir,
                    char *err, size_t errlen)
{
    struct passwd *pw = NULL;
    struct group *gr = NULL;
    gid_t gid;

    /* Look the names up before chroot hides /etc. */
    if (user != NULL && (pw = getpwnam(user)) == NULL) {
        snprintf(err, errlen, "user: unknown user '%s'", user);
        return -1;
    }
    if (group != NULL && (gr = getgrnam(group)) == NULL) {
        snprintf(err, errlen, "group: unknown group '%s'", group);
        return -1;
    }
    if (dir != NULL && (chroot(dir) != 0 || chdir("/") != 0)) {
        snprintf(err, errlen, "chroot %s: %s", dir, strerror(errno));
        return -1;
    }
    if (gr != NULL || pw != NULL) {
        gid = gr != NULL ? gr->gr_gid : pw->pw_gid;
        if (setgroups(1, &gid) != 0 || setgid(gid) != 0) {
            snprintf(err, errlen, "group: cannot switch to %ld: %s",
                     (long)gid, strerror(errno));
            return -1;
        }
    }
    if (pw != NULL && setuid(pw->pw_uid) != 0) {
        snprintf(err, errlen, "user: cannot switch to '%s': %s", user,
                 strerror(errno));
        return -1;
    }
    /* Make sure the switch cannot be undone. */
    if (pw != NULL && pw->pw_uid != 0 && setuid(0) == 0) {
        snprintf(err, errlen, "user: could regain root after switching");
        return -1;
    }
    return 0;
}
