/* Detaching, pid file and privilege dropping. */
#define _GNU_SOURCE
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

struct pidfile {
    char *base;    /* last component, opened in dirfd */
    int dirfd;     /* the directory, opened before any chroot */
    int fd;        /* the file, until written */
    dev_t dev;     /* what we created or checked, so that we remove */
    ino_t ino;     /* only that and never a replacement */
    int ours;      /* created or written by us: remove at exit */
    pid_t keeper;  /* process that removes it for us, or 0 */
    int keeper_fd; /* its pipe: our end closing tells it we are gone */
};

/* Refuse anything but a regular file of ours with one link: the file is
 * truncated by root, so a link placed by someone else must not lead to a
 * file of theirs or of the system. */
static int pidfile_check(const struct stat *st, const char *path, char *err, size_t errlen)
{
    if (!S_ISREG(st->st_mode)) {
        snprintf(err, errlen, "pid %s: not a regular file; refused", path);
        return -1;
    }
    if (st->st_uid != geteuid()) {
        snprintf(err, errlen,
                 "pid %s: owned by uid %ld, not by us (uid %ld); "
                 "refused",
                 path, (long)st->st_uid, (long)geteuid());
        return -1;
    }
    if (st->st_nlink > 1) {
        snprintf(err, errlen, "pid %s: has %ld hard links; refused", path, (long)st->st_nlink);
        return -1;
    }
    return 0;
}

struct pidfile *daemon_pidfile_open(const char *path, char *err, size_t errlen)
{
    struct pidfile *pf = calloc(1, sizeof(*pf));
    const char *slash = strrchr(path, '/');
    struct stat st;
    char *dir = NULL;
    int existed;

    if (pf == NULL) {
        snprintf(err, errlen, "pid %s: out of memory", path);
        return NULL;
    }
    pf->fd = pf->dirfd = -1;
    if (slash == NULL)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else
        dir = strndup(path, (size_t)(slash - path));
    pf->base = strdup(slash != NULL ? slash + 1 : path);
    if (dir == NULL || pf->base == NULL) {
        snprintf(err, errlen, "pid %s: out of memory", path);
        goto fail;
    }
    if (pf->base[0] == '\0') {
        snprintf(err, errlen, "pid %s: not a file name", path);
        goto fail;
    }
    if ((pf->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        snprintf(err, errlen, "pid %s: %s: %s", path, dir, strerror(errno));
        goto fail;
    }
    /* Look before opening: a FIFO or a device is not even opened. */
    existed = fstatat(pf->dirfd, pf->base, &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (existed && S_ISLNK(st.st_mode)) {
        snprintf(err, errlen, "pid %s: a symbolic link; refused", path);
        goto fail;
    }
    if (existed && pidfile_check(&st, path, err, errlen) != 0)
        goto fail;
    /* No O_TRUNC: nothing is truncated before fstat says what was opened. */
    pf->fd = openat(pf->dirfd, pf->base,
                    O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
    if (pf->fd < 0) {
        snprintf(err, errlen, "pid %s: %s", path,
                 errno == ELOOP ? "a symbolic link; refused" : strerror(errno));
        goto fail;
    }
    if (fstat(pf->fd, &st) != 0) {
        snprintf(err, errlen, "pid %s: %s", path, strerror(errno));
        goto fail;
    }
    if (pidfile_check(&st, path, err, errlen) != 0)
        goto fail;
    pf->dev = st.st_dev;
    pf->ino = st.st_ino;
    pf->ours = !existed;
    free(dir);
    return pf;
fail:
    free(dir);
    daemon_pidfile_close(pf);
    return NULL;
}

int daemon_pidfile_write(struct pidfile *pf)
{
    char buf[32];
    int n, rc, saved;

    n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
    pf->ours = 1;
    rc = ftruncate(pf->fd, 0) == 0 && pwrite(pf->fd, buf, (size_t)n, 0) == n ? 0 : -1;
    saved = errno;
    if (close(pf->fd) != 0 && rc == 0) {
        saved = errno;
        rc = -1;
    }
    pf->fd = -1;
    errno = saved;
    return rc;
}

/* Remove the file if it is still the one we wrote. */
static void pidfile_remove(const struct pidfile *pf)
{
    struct stat st;

    if (fstatat(pf->dirfd, pf->base, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == pf->dev
        && st.st_ino == pf->ino)
        unlinkat(pf->dirfd, pf->base, 0);
}

/* The keeper: with the privileges we had when writing the file, wait for
 * the daemon to end (its end of the pipe closes, however it ends), then
 * remove the file. It holds nothing else and reads nothing but the pipe. */
static void keeper_run(const struct pidfile *pf, int rfd)
{
    static const int ignore[] = { SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGPIPE };
    unsigned lo = (unsigned)(rfd < pf->dirfd ? rfd : pf->dirfd);
    unsigned hi = (unsigned)(rfd < pf->dirfd ? pf->dirfd : rfd);
    size_t i;
    char c;

    /* Signals meant for the daemon (a terminal's ^C, a stop sent to the
     * whole group) must not take the keeper before the daemon has gone. */
    for (i = 0; i < sizeof(ignore) / sizeof(ignore[0]); i++)
        signal(ignore[i], SIG_IGN);
    /* Listening sockets and the log stay with the daemon only. */
    if (lo > 3)
        close_range(3, lo - 1, 0);
    if (hi > lo + 1)
        close_range(lo + 1, hi - 1, 0);
    close_range(hi + 1, ~0U, 0);
    prctl(PR_SET_NAME, "sctunnel-pid", 0, 0, 0);
    while (read(rfd, &c, 1) < 0 && errno == EINTR)
        ;
    pidfile_remove(pf);
    _exit(0);
}

int daemon_pidfile_keep(struct pidfile *pf)
{
    int p[2], saved;
    pid_t pid;

    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    if ((pid = fork()) < 0) {
        saved = errno;
        close(p[0]);
        close(p[1]);
        errno = saved;
        return -1;
    }
    if (pid == 0) {
        close(p[1]);
        keeper_run(pf, p[0]);
    }
    close(p[0]);
    pf->keeper = pid;
    pf->keeper_fd = p[1];
    return 0;
}

void daemon_pidfile_close(struct pidfile *pf)
{
    if (pf == NULL)
        return;
    if (pf->fd >= 0)
        close(pf->fd);
    if (pf->keeper > 0) {
        /* It removes the file as soon as our end closes; waiting for it
         * means the file is gone by the time we have exited. */
        close(pf->keeper_fd);
        while (waitpid(pf->keeper, NULL, 0) < 0 && errno == EINTR)
            ;
    } else if (pf->ours) {
        pidfile_remove(pf);
    }
    if (pf->dirfd >= 0)
        close(pf->dirfd);
    free(pf->base);
    free(pf);
}

int daemon_drop_privileges(const char *user, const char *group, const char *dir, char *err,
                           size_t errlen)
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
            snprintf(err, errlen, "group: cannot switch to %ld: %s", (long)gid, strerror(errno));
            return -1;
        }
    }
    if (pw != NULL && setuid(pw->pw_uid) != 0) {
        snprintf(err, errlen, "user: cannot switch to '%s': %s", user, strerror(errno));
        return -1;
    }
    /* Make sure the switch cannot be undone. */
    if (pw != NULL && pw->pw_uid != 0 && setuid(0) == 0) {
        snprintf(err, errlen, "user: could regain root after switching");
        return -1;
    }
    return 0;
}
