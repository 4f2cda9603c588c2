/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * proc_parse.h - reading one /proc/net/tcpstate (module/proc.c writes it),
 * with the names of include/tcpstate.h. A pure function: it reads a FILE,
 * fills a namespace's totals and the error counters, and prints nothing.
 */
#ifndef __TCPSTATE_PROC_PARSE_H
#define __TCPSTATE_PROC_PARSE_H

#include <stddef.h>
#include <stdio.h>
#include "source.h"

/* The longest line accepted, newline excluded. */
#define TCPSTATE_PROC_LINE_MAX	65536

/*
 * tcpstate_proc_parse() - parse one /proc/net/tcpstate
 * @f:      the open file, read to its end
 * @path:   its name, for messages
 * @ns:     filled with the namespace's inode number and totals
 * @errs:   filled with the collector's error counters
 * @msg:    on failure, "<path>: line N: what" (may be NULL)
 * @msglen: the size of msg
 *
 * Line 1 is "tcpstate <version>". Then tables, each a row of column names
 * and a row of values, both opening with "<Table>:". Columns are found by
 * name; tables and columns this reader does not know are skipped, as are
 * columns it knows that are missing (left 0). Every table it knows is
 * required but Check (an older module has none; then ns->check.done is
 * false), so a file cut short at a line boundary is an error too. A
 * table or a known column that appears twice is an error. Live counts
 * are signed and kept as read, negative ones included (a collector fault
 * the caller reports); every other value is an unsigned 64-bit count.
 *
 * Return: 0; -EBADMSG for a malformed file; -EPROTO for a version other
 * than TCPSTATE_PROC_VERSION; -ENOMEM; -errno of a failed read. On
 * failure *ns and *errs are left as they were.
 */
int tcpstate_proc_parse(FILE *f, const char *path, struct ts_netns *ns,
			struct tcpstate_errors *errs, char *msg, size_t msglen);

#endif /* __TCPSTATE_PROC_PARSE_H */
