/*
 * Whole-file writes that are never seen half done: the bytes go to a
 * temporary file in the same directory, are flushed to disk, and only then
 * take the final name.  Without "replace" the final step refuses to take a
 * name that exists, atomically (link(2) fails with EEXIST).
 */
#ifndef ATOMICFILE_H
#define ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Returns SCCA_OK, SCCA_EUSAGE if path exists and replace is 0, or
 * SCCA_EFAIL; both errors are reported.
 */
int atomicfile_write(const char *path, const void *buf, size_t len,
    mode_t mode, int replace);

/*
 * Read a whole regular file of at most max bytes into a NUL-terminated
 * buffer.  Returns 0, or -1 with errno set (EFBIG when too large); nothing is
 * reported.
 */
int atomicfile_read(const char *path, size_t max, char **buf, size_t *len);

/* 1 if something exists at path, 0 if not. */
int atomicfile_exists(const char *path);

/* Make "dir/name" in a fresh allocation, or NULL when out of memory. */
char *atomicfile_join(const char *dir, const char *name);

#endif
