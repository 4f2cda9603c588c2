/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * textfile.h - atomic writes of a node_exporter textfile.
 *
 * The content goes to a temp file in the target directory
 * (<dir>/.<name>.tmp.<pid>, created O_CREAT|O_EXCL|O_NOFOLLOW, mode 0644),
 * is flushed and fsync()ed, then rename(2)d over <dir>/<name>, and the
 * directory is fsync()ed. A reader sees the old file or the new one,
 * never a part of either.
 */
#ifndef __TCPSTATE_TEXTFILE_H
#define __TCPSTATE_TEXTFILE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Writes <dir>/<name> atomically with what fill() writes to f; fill
 * returns 0 or -errno. name must be a plain file name (no '/').
 *
 * Returns 0, or -errno with a message in err (errlen bytes, may be 0):
 * then the temp file is removed and the previous <dir>/<name>, if any,
 * is left as it was. The one exception: a failed fsync of the directory,
 * after the rename, is returned with the new file already in place.
 * Never prints.
 */
int textfile_write(const char *dir, const char *name,
		   int (*fill)(FILE *f, void *arg), void *arg,
		   char *err, size_t errlen);

#endif /* __TCPSTATE_TEXTFILE_H */
