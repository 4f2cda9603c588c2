/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * culprit.h - who holds a socket: socket inode -> process, through
 * /proc/PID/fd, and the grouping of a namespace's culprit sockets
 * (sockdiag.h rows) into keys an alert can name.
 *
 * The inode map is a bounded cache: built by one walk of /proc/PID/fd
 * (every socket link of every process, up to max_entries; or, once the
 * caller has said which inodes it wants, only those), rebuilt on a miss
 * at most once per min_rebuild_ns, or at once when the miss is of an
 * inode wanted since the last walk. Socket inodes are unique on the host
 * (sockfs), so one map serves every namespace. Nothing here prints.
 */
#ifndef __TCPSTATE_CULPRIT_H
#define __TCPSTATE_CULPRIT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>
#include "sockdiag.h"
#include "tcpstate.h"

#define CULPRIT_COMM_LEN	16
#define CULPRIT_CMDLINE_LEN	256
#define CULPRIT_CGROUP_LEN	256
#define CULPRIT_CONTAINER_LEN	80

/* What /proc says of one process. */
struct culprit_proc {
	pid_t pid;
	char comm[CULPRIT_COMM_LEN];
	char cmdline[CULPRIT_CMDLINE_LEN];	/* argv joined by spaces, cut */
	char cgroup[CULPRIT_CGROUP_LEN];	/* cgroup v2 path ("0::" line), "" */
	char container[CULPRIT_CONTAINER_LEN];	/* culprit_container(); "" for none */
};

struct culprit_map;

struct culprit_map_stats {
	size_t entries;		/* socket inodes in the map */
	bool truncated;		/* the last walk stopped at max_entries */
	__u64 rebuilds;
	__u64 last_walk_ns;	/* how long the last walk took */
	__u64 fds_seen;		/* fd links read by the last walk */
	__u64 procs_skipped;	/* processes of other namespaces, last walk */
};

/* NULL on allocation failure. */
struct culprit_map *culprit_map_new(size_t max_entries, __u64 min_rebuild_ns);
void culprit_map_free(struct culprit_map *m);

/*
 * The pid holding the socket of inode (the lowest pid when several
 * share it). On a miss the map is rebuilt when the last walk is older
 * than min_rebuild_ns at now_ns (CLOCK_MONOTONIC). 0, -ENOENT when no
 * process holds it (or inode is 0), or the -errno of the walk.
 */
int culprit_map_lookup(struct culprit_map *m, __u32 inode, __u64 now_ns, pid_t *pid);
/*
 * Adds inodes (n; zeros skipped) to the set the next walks keep, so that
 * a host with more sockets than max_entries still maps these. At most
 * max_entries are kept (further ones are not wanted). culprit_map_unwant()
 * empties the set (the walks keep every socket again).
 */
void culprit_map_want(struct culprit_map *m, const __u32 *inodes, size_t n);
/*
 * Limits the walks to the processes in these network namespaces (inode
 * numbers; at most CULPRIT_MAX_NETNS, further ones lift the limit): the
 * cost of a walk is the file descriptors it reads, and a host may hold
 * far more in other namespaces. A socket belongs to the namespace it was
 * made in, so its holder is there, unless it moved (setns, fd passing).
 */
#define CULPRIT_MAX_NETNS	64
void culprit_map_want_netns(struct culprit_map *m, __u32 inum);
/* Empties the wanted inodes and namespaces. */
void culprit_map_unwant(struct culprit_map *m);
/* Rebuilds now, whatever the interval. 0 or -errno. */
int culprit_map_rebuild(struct culprit_map *m, __u64 now_ns);
void culprit_map_stats(const struct culprit_map *m, struct culprit_map_stats *st);

/* Reads /proc/PID/{comm,cmdline,cgroup}. 0, or -ENOENT when it exited. */
int culprit_proc_read(pid_t pid, struct culprit_proc *p);
/* Reads them under the /proc-like directory root (tests). */
int culprit_proc_read_at(const char *root, pid_t pid, struct culprit_proc *p);

/*
 * The container in a cgroup v2 path: a 64-hex-digit id (docker,
 * containerd, cri-o, podman: "docker-<id>.scope", ".../<id>",
 * "crio-<id>.scope", "libpod-<id>.scope"), cut to 12 digits as docker
 * prints it, else a systemd unit other than a session or user slice
 * ("nginx.service"), else "". Writes into buf; returns buf.
 */
const char *culprit_container(const char *cgroup, char *buf, size_t len);

/*
 * Parses the target of a /proc/PID/fd link: "socket:[12345]" -> 12345.
 * 0, or -EINVAL when it is not a socket. Exposed for the unit tests.
 */
int culprit_parse_socket_link(const char *target, __u32 *inode);

/* What a group key is made of (culprit_group()). */
#define CULPRIT_BY_LADDR	(1u << 0)
#define CULPRIT_BY_LPORT	(1u << 1)
#define CULPRIT_BY_PEER_ADDR	(1u << 2)
#define CULPRIT_BY_PEER_PORT	(1u << 3)
#define CULPRIT_BY_PID		(1u << 4)
#define CULPRIT_BY_STATE	(1u << 5)

/* One key; the fields not in the grouping are zero. */
struct culprit_key {
	__u8 laddr[16];
	__u8 peer[16];
	pid_t pid;		/* 0: no process found (timewait, orphan) */
	__u16 lport;
	__u16 pport;
	__u8 family;
	__u8 state;
};

struct culprit_group {
	struct culprit_key key;
	__u64 count;
	long long oldest_ms;	/* sockdiag_age_ms() of its oldest; -1 unknown */
	__u16 lport_min, lport_max;	/* local ports seen in the group */
	pid_t any_pid;			/* the first owner among its rows; 0: none */
	struct sockdiag_row sample;	/* the oldest socket (or the first) */
};

/*
 * Groups rows by the CULPRIT_BY_* fields of by; pids[i] is row i's owner
 * (0 for none; pids may be NULL: all 0). Every key is counted (rows sorted
 * by key: O(n log n)); the max_groups largest are kept, sorted by count,
 * then oldest first, and the rows of the others are counted in *dropped
 * (may be NULL). *out is NULL when no group is kept. 0 or -ENOMEM.
 */
int culprit_group(const struct sockdiag_row *rows, const pid_t *pids, size_t nr,
		  unsigned int by, size_t max_groups, struct culprit_group **out,
		  size_t *nr_out, size_t *dropped);

/*
 * TIME_WAIT owners: the BPF collector records, per timewait socket, the
 * owner of its full socket (struct tcpstate_tw); tw_owner.h reads them.
 */
struct tw_dest {
	__u32 netns;		/* namespace inode */
	__u8 family;
	__u8 daddr[16];		/* IPv4 in the first 4 bytes */
	__u16 dport;		/* host byte order */
	__u16 sport;		/* by_local: the local port instead of the peer */
	bool by_local;
};

struct tw_owner {
	__u32 tgid;		/* 0: not recorded */
	char comm[TCPSTATE_TASK_COMM_LEN];
	__u64 count;		/* its timewait sockets toward the destination */
};

/*
 * Counts the owners of the live entries of v (n) toward d into out (at
 * most max_out; *nr of them so far, updated); culprit_tw_sort() orders
 * them, most sockets first.
 */
void culprit_tw_fold(const struct tcpstate_tw *v, size_t n, const struct tw_dest *d,
		     struct tw_owner *out, size_t max_out, size_t *nr);
void culprit_tw_sort(struct tw_owner *out, size_t nr);

#endif /* __TCPSTATE_CULPRIT_H */
