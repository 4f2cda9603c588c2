/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tw_owner.h - who owned the timewait sockets toward a destination: the
 * BPF collector records the owner of the full socket (tgid, comm) when
 * its timewait socket is born (struct tcpstate_tw). A TIME_WAIT socket
 * holds no file, so sock_diag and /proc cannot name it; this can, while
 * the owner is known (not for sockets older than the collector). And the
 * listeners' accept queues from its "listeners" map, without a sock_diag
 * query per namespace. Nothing here prints.
 */
#ifndef __TCPSTATE_TW_OWNER_H
#define __TCPSTATE_TW_OWNER_H

#include <stddef.h>
#include <linux/types.h>
#include "culprit.h"

/*
 * Walks the collector's "timewait" map (map_fd), at most max_entries
 * entries (the cap), and counts the owners of the live entries toward d.
 * out (max_out) receives the owners, most sockets first; *nr their number,
 * *examined the entries read. 0 or -errno.
 */
int tw_owners(int map_fd, const struct tw_dest *d, size_t max_entries,
	      struct tw_owner *out, size_t max_out, size_t *nr, size_t *examined);

/*
 * Reads every entry of the collector's "listeners" map (map_fd; its
 * accept_queue/accept_max are those of the last listeners_refresh run,
 * which every snapshot read runs), at most max. *out is allocated (free
 * it). 0 or -errno.
 */
int tw_listeners(int map_fd, size_t max, struct tcpstate_listener **out, size_t *nr);

#endif /* __TCPSTATE_TW_OWNER_H */
