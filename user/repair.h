/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * repair.h - re-counting one namespace of the BPF collector from its
 * sockets, exactly, while events go on.
 *
 * Every socket and timewait record carries the generation it is counted
 * in, and each generation has its own live buffer (include/tcpstate.h).
 * A re-count starts generation E+1 with an empty buffer on every CPU
 * (repair_begin), so sockets born from then on are counted in it; the
 * count_sockets iterator then visits every socket of the namespace under
 * its lock and moves it into generation E+1 in its actual state (a
 * timewait record by compare-and-swap against its death); any event of a
 * socket still in generation E moves it first. When the walk ends, every
 * socket that exists is in E+1, counted once in its actual state, and
 * kept there by its own events since; what made E wrong (a lost event, a
 * corrupted counter, a socket freed while still counted) stays in E's
 * buffer, which readers stop reading. repair_end drops timewait records
 * the walk did not find. While it runs, readers add both buffers.
 */
#ifndef __TCPSTATE_REPAIR_H
#define __TCPSTATE_REPAIR_H

#include <linux/types.h>
#include "tcpstate.h"
#include "loader.h"

/*
 * Re-counts key's namespace, which must be the calling thread's; updates
 * c (epoch, repairs) and writes it to the netns_check map. 0 or -errno.
 */
int repair_netns(const struct collector_fds *f, const struct tcpstate_netns_key *key,
		 struct tcpstate_check *c);

/*
 * Serialises the readers that change the collector's maps (the FIN_WAIT2
 * re-read, checks and re-counts) across processes. Returns an fd for
 * collector_unlock(), or -errno.
 */
int collector_lock(void);
void collector_unlock(int fd);

#endif /* __TCPSTATE_REPAIR_H */
