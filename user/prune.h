/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * prune.h - removing the BPF collector's statistics of namespaces that no
 * longer exist (netns_stats, netns_spill, netns_check), so that a host
 * that starts and stops containers for months does not fill the maps
 * (TCPSTATE_MAX_NETNS entries each).
 *
 * A namespace is alive when netns_list() finds its inode and, entered,
 * its net cookie equals the key's (inodes are reused, cookies are not).
 * The keys are listed before the namespaces, so a namespace born during
 * a prune is never taken for dead. A namespace that cannot be entered is
 * kept. One that only a file descriptor or a socket keeps alive (no
 * process, no /run/netns name) is not seen and is pruned: its counters
 * restart if it has events again.
 *
 * A namespace's teardown (cleanup_net, run later from a workqueue) still
 * closes its sockets after the namespace is gone from every list; an
 * entry deleted then would be re-created by those events and go below
 * zero. So a key is deleted only when it was found dead by the previous
 * prune too (N intervals earlier) and is still dead. A preallocated slot
 * (netns_slots) is retired then, and zeroed and freed by the prune after.
 */
#ifndef __TCPSTATE_PRUNE_H
#define __TCPSTATE_PRUNE_H

#include <stddef.h>
#include "loader.h"

/* The keys found dead by the last prune, not yet deleted. */
struct prune_state {
	struct tcpstate_netns_key *dead;
	size_t nr;
};

void prune_state_free(struct prune_state *st);

/*
 * Deletes the entries of namespaces dead now and at the last prune (st)
 * from f's three maps; *pruned is the number of namespaces removed. 0 or -errno (err says what failed);
 * never prints.
 */
int prune_dead_netns(const struct collector_fds *f, struct prune_state *st,
		     size_t *pruned, char *err, size_t errlen);

#endif /* __TCPSTATE_PRUNE_H */
