// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * textfile.c - atomic textfile writes (textfile.h): temp file in the same
 * directory, fsync, rename(2), fsync of the directory, as node_exporter's
 * README ("Textfile Collector") asks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "textfile.h"

static int fail(char *err, size_t errlen, int e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Puts "<what>: <strerror>" in err and returns -e. */
static int fail(char *err, size_t errlen, int e, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err && errlen) {
		va_start(ap, fmt);
		n = vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < errlen)
			snprintf(err + n, errlen - n, ": %s", strerror(e));
	}
	return -e;
}

int textfile_write(const char *dir, const char *name,
		   int (*fill)(FILE *f, void *arg), void *arg,
		   char *err, size_t errlen)
{
	char tmp[4096], dst[4096];
	FILE *f = NULL;
	int fd = -1, dfd = -1, ret = 0, e;

	if (err && errlen)
		err[0] = '\0';
	if (!dir || !*dir || !name || !*name || strchr(name, '/') ||
	    !strcmp(name, ".") || !strcmp(name, ".."))
		return fail(err, errlen, EINVAL, "textfile name '%s' in '%s'",
			    name ? name : "", dir ? dir : "");
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp.%ld", dir, name,
			     (long)getpid()) >= sizeof(tmp) ||
	    (size_t)snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= sizeof(dst))
		return fail(err, errlen, ENAMETOOLONG, "%s/%s", dir, name);

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return fail(err, errlen, errno, "opening directory %s", dir);
	/* A temp file left by a killed writer of this pid is ours to replace. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST && !unlink(tmp))
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = fail(err, errlen, errno, "creating %s", tmp);
		close(dfd);
		return ret;
	}
	/* The umask must not make it unreadable to node_exporter. */
	if (fchmod(fd, 0644)) {
		ret = fail(err, errlen, errno, "chmod %s", tmp);
		goto cleanup;
	}
	f = fdopen(fd, "w");
	if (!f) {
		ret = fail(err, errlen, errno, "fdopen %s", tmp);
		goto cleanup;
	}
	fd = -1;	/* f owns it */
	ret = fill(f, arg);
	if (ret) {
		ret = fail(err, errlen, -ret, "writing %s", tmp);
		goto cleanup;
	}
	errno = 0;
	if (fflush(f) || ferror(f)) {
		ret = fail(err, errlen, errno ? errno : EIO, "writing %s", tmp);
		goto cleanup;
	}
	if (fsync(fileno(f))) {
		ret = fail(err, errlen, errno, "fsync %s", tmp);
		goto cleanup;
	}
	e = fclose(f);
	f = NULL;
	if (e) {
		ret = fail(err, errlen, errno, "closing %s", tmp);
		goto cleanup;
	}
	if (rename(tmp, dst)) {
		ret = fail(err, errlen, errno, "renaming %s to %s", tmp, dst);
		goto cleanup;
	}
	/* The rename itself made durable; the new file is in place already. */
	if (fsync(dfd) && errno != EINVAL)	/* EINVAL: no fsync of directories */
		ret = fail(err, errlen, errno, "fsync directory %s", dir);
	close(dfd);
	return ret;

cleanup:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	close(dfd);
	return ret;
}
