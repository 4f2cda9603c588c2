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
 * /proc/sys/net/ipv4, so call it after netns_enter()). lim->known is set
 * on success. Returns 0 or -errno.
 */
int netns_limits_read(struct ts_limits *lim);

/*
 * Fills snap->netns[i].limits for every namespace of snap that can be
 * entered, listing them for this once (a reader that goes on keeps a
 * netns_table instead), restoring the caller's namespace. Namespaces not
 * found or not enterable stay unknown. Returns 0, or the first -errno
 * that left the caller outside its own namespace (fatal).
 */
int netns_limits_fill_all(struct ts_snapshot *snap);

#endif /* __TCPSTATE_NETNS_LIMITS_H */
