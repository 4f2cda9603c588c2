/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * netns_limits.h - the per-namespace sysctls an alert divides by:
 * net.ipv4.ip_local_port_range, tcp_max_tw_buckets, tcp_fin_timeout, and
 * the tcp_tw_reuse and net.core.somaxconn an alert text quotes.
 */
#ifndef __TCPSTATE_NETNS_LIMITS_H
#define __TCPSTATE_NETNS_LIMITS_H

#include "source.h"

/*
 * Reads the limits of the calling thread's network namespace (its own
 * /proc/sys/net/ipv4, so call it inside the namespace: netns_run_in()). lim->known is set
 * on success. Returns 0 or -errno.
 */
int netns_limits_read(struct ts_limits *lim);

#endif /* __TCPSTATE_NETNS_LIMITS_H */
