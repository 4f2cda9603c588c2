/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * netns_table.h - the network namespaces a long-running reader (tcpstated,
 * tcpstate top) keeps from one read to the next: the path that enters
 * each, its cookie, its /run/netns name and its limits.
 *
 * Listing the namespaces means resolving every process's ns/net link and
 * entering each namespace for its cookie; reading a namespace's sysctls
 * costs a path lookup that grows with the number of namespaces (the
 * dcache holds one /proc/sys/net entry per namespace under one name).
 * Done every interval, both grow with the host: the table lists again
 * only when its view may be out of date (netns_table_update()), and
 * re-reads the limits of a few namespaces a read, each within
 * NETNS_LIMITS_MAX_AGE_S.
 */
#ifndef __TCPSTATE_NETNS_TABLE_H
#define __TCPSTATE_NETNS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <linux/types.h>
#include "netns.h"
#include "source.h"

/* A namespace with neither a name nor a new collector entry is found within this. */
#define NETNS_TABLE_RESCAN_S	10.0
/* A sysctl changed in a namespace is seen within this. */
#define NETNS_LIMITS_MAX_AGE_S	60.0

struct netns_entry {
	/* path is "" for the caller's own namespace (never entered). */
	struct netns_info info;
	__u64 cookie;			/* 0: not learnt (could not be entered) */
	struct ts_limits limits;	/* known false until read */
	double limits_at;		/* when read (monotonic seconds) */
};

struct netns_table {
	struct netns_entry *v;		/* sorted by inum */
	size_t nr;
	__u32 self;
	bool scanned;			/* listed at least once */
	double scanned_at;
	bool have_run_netns;		/* /run/netns existed at the listing */
	struct timespec run_netns_mtime;
	double limits_read_at;		/* the last netns_table_fill_limits() */
	size_t limits_cursor;		/* where its round-robin goes on */
	__u64 scans;			/* listings since the table was made */
};

/*
 * Lists the namespaces again when the table is empty, older than
 * NETNS_TABLE_RESCAN_S, /run/netns changed (ip netns add, del), or a kept
 * path no longer leads to its namespace (a namespace gone, or the process
 * that led to it). now: monotonic seconds. Returns 0, or -errno: from the
 * listing (the table is left as it was), or -EIO when the caller's own
 * namespace could not be restored (fatal).
 */
int netns_table_update(struct netns_table *t, double now);

/*
 * The table a read goes by: kept, which its owner keeps up to date, or,
 * when kept is NULL, once, listed now (netns_table_free() it after the
 * read). 0 or -errno, as netns_table_update().
 */
int netns_table_for_read(struct netns_table *kept, struct netns_table *once,
			 struct netns_table **t);

/* The entry of inum, or NULL. */
const struct netns_entry *netns_table_find(const struct netns_table *t, __u32 inum);

/*
 * Fills snap->netns[i].limits from the table: those never read are read,
 * and of the others as many as keeps each within NETNS_LIMITS_MAX_AGE_S,
 * in turn. A namespace the table does not hold, or holds under another
 * cookie, stays unknown. Returns 0, -errno when the caller's namespace
 * cannot be opened to come back to, or -EIO as netns_table_update().
 */
int netns_table_fill_limits(struct netns_table *t, struct ts_snapshot *snap, double now);

void netns_table_free(struct netns_table *t);

#endif /* __TCPSTATE_NETNS_TABLE_H */
