/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * netns.h - finding and entering network namespaces.
 *
 * A namespace is known by the inode number of its nsfs file, the number
 * the collectors key their statistics by. Names are those of
 * `ip netns` (bind mounts under /run/netns).
 */
#ifndef __TCPSTATE_NETNS_H
#define __TCPSTATE_NETNS_H

#include <stddef.h>
#include <linux/types.h>

#define NETNS_NAME_MAX	64
#define NETNS_PATH_MAX	80
#define NETNS_RUN_DIR	"/run/netns"	/* where ip netns names them */

struct netns_info {
	__u32 inum;
	char name[NETNS_NAME_MAX];	/* from /run/netns, "" when it has none */
	char path[NETNS_PATH_MAX];	/* a path that opens it */
};

/* Every namespace with a process or a /run/netns name, sorted by inum. */
int netns_list(struct netns_info **out, size_t *nr);
/* The namespace path (a /proc/PID/ns/net link, a bind mount) leads to. */
int netns_inum_of(const char *path, __u32 *inum);
/* The caller's namespace. */
int netns_self(__u32 *inum);
/* Name of inum under /run/netns into buf ("" if none); 0 or -errno. */
int netns_name(__u32 inum, char *buf, size_t len);
/* The caller's namespace's net cookie (never reused, unlike inodes). */
int netns_cookie(__u64 *cookie);
/*
 * For a loop over namespaces: runs fn(arg) inside the namespace at path,
 * in place when path is "" (the caller's own). *home is the way back to
 * the caller's namespace, -1 before the loop, opened at the first entry
 * and kept for the next (netns_home_close() after the loop). Returns
 * fn's result; NETNS_GONE when path leads to no namespace one may enter
 * any more (fn not run); -errno when home cannot be opened; -EIO when
 * the caller's namespace could not be restored (fatal).
 */
#define NETNS_GONE	1
int netns_run_in(const char *path, int *home, int (*fn)(void *arg), void *arg);
void netns_home_close(int *home);
/* Enters the namespace at path; *saved is an fd of the old one. */
int netns_enter(const char *path, int *saved);
/* Returns to the namespace saved by netns_enter() and closes it. */
int netns_restore(int saved);

#endif /* __TCPSTATE_NETNS_H */
