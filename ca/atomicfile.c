#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "report.h"
#include "scca.h"

char *
atomicfile_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	char *p;

	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	if ((p = malloc(dl + 1 + nl + 1)) == NULL)
		return NULL;
	memcpy(p, dir, dl);
	p[dl] = '/';
	memcpy(p + dl + 1, name, nl + 1);
	return p;
}

int
atomicfile_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Flush the directory holding path so the new name survives a crash. */
static void
atomicfile_sync_dir(const char *path)
{
	char *dir = strdup(path), *slash;
	int fd;

	if (dir == NULL)
		return;
	slash = strrchr(dir, '/');
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

static int
atomicfile_write_all(int fd, const unsigned char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Move tmp to path; without replace, never over an existing name. */
static int
atomicfile_commit(const char *tmp, const char *path, int replace)
{
	if (replace)
		return rename(tmp, path);
	if (link(tmp, path) == 0) {
		(void)unlink(tmp);
		return 0;
	}
	if (errno == EEXIST)
		return -1;
	/* File systems without hard links: check, then rename. */
	if (errno == EPERM || errno == EOPNOTSUPP || errno == ENOSYS) {
		if (atomicfile_exists(path)) {
			errno = EEXIST;
			return -1;
		}
		return rename(tmp, path);
	}
	return -1;
}

int
atomicfile_write(const char *path, const void *buf, size_t len, mode_t mode,
    int replace)
{
	char *tmp;
	int fd, saved;
	size_t pl = strlen(path);

	if (!replace && atomicfile_exists(path))
		return report_msg(SCCA_EUSAGE,
		    "%s exists (use --force to replace it)", path);
	if ((tmp = malloc(pl + sizeof(".tmp-XXXXXX"))) == NULL)
		return report_msg(SCCA_EFAIL, "out of memory");
	memcpy(tmp, path, pl);
	memcpy(tmp + pl, ".tmp-XXXXXX", sizeof(".tmp-XXXXXX"));
	/* mkstemp creates the file with mode 0600: a key is never readable. */
	if ((fd = mkstemp(tmp)) < 0) {
		report_sys(SCCA_EFAIL, "cannot create a file next to %s", path);
		free(tmp);
		return SCCA_EFAIL;
	}
	if (fchmod(fd, mode) != 0 || atomicfile_write_all(fd, buf, len) != 0 ||
	    fsync(fd) != 0) {
		saved = errno;
		close(fd);
		(void)unlink(tmp);
		free(tmp);
		errno = saved;
		return report_sys(SCCA_EFAIL, "cannot write %s", path);
	}
	if (close(fd) != 0 || atomicfile_commit(tmp, path, replace) != 0) {
		saved = errno;
		(void)unlink(tmp);
		free(tmp);
		errno = saved;
		if (errno == EEXIST)
			return report_msg(SCCA_EUSAGE,
			    "%s exists (use --force to replace it)", path);
		return report_sys(SCCA_EFAIL, "cannot write %s", path);
	}
	free(tmp);
	atomicfile_sync_dir(path);
	return SCCA_OK;
}

int
atomicfile_read(const char *path, size_t max, char **buf, size_t *len)
{
	int fd, saved;
	struct stat st;
	char *p = NULL;
	size_t got = 0;
	ssize_t n;

	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	if (fstat(fd, &st) != 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if ((size_t)st.st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	/* Read what fstat saw; a file growing meanwhile is cut there. */
	max = (size_t)st.st_size;
	if ((p = malloc(max + 1)) == NULL)
		goto fail;
	while (got < max && (n = read(fd, p + got, max - got)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		got += (size_t)n;
	}
	close(fd);
	p[got] = '\0';
	*buf = p;
	*len = got;
	return 0;
fail:
	saved = errno;
	free(p);
	close(fd);
	errno = saved;
	return -1;
}
