/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * source.h - one snapshot type, produced by either collector.
 *
 * A source (the pinned BPF collector, or tcpstate.ko's /proc/net/tcpstate)
 * fills a struct ts_snapshot; everything that renders (summary, export,
 * top, the daemon) reads only the snapshot and never knows which source
 * produced it.
 */
#ifndef __TCPSTATE_SOURCE_H
#define __TCPSTATE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "tcpstate.h"

/*
 * The collector against the kernel's own counters (/proc/net/sockstat),
 * one namespace, on this read: see drift.h.
 */
struct ts_check {
	bool done;			/* compared on this read */
	int verdict;			/* enum drift_verdict */
	__s64 full, tw;			/* the collector: full, timewait sockets */
	__s64 kern_full, kern_tw;	/* the kernel: TCP+TCP6 inuse, tw */
	__u64 drifts;			/* persistent drifts found since load */
	__s64 last_full, last_tw;	/* the last one (tcpstate - kernel) */
	__u64 repairs;			/* re-counts since load */
	__u32 generation;		/* BPF: the generation read (repair.h) */
	bool repaired;			/* re-counted on this read */
	double repair_s;		/* BPF: CPU time that re-count took */
};

/*
 * The namespace's own limits an alert divides by (netns_limits.h); not
 * filled by the sources: known is false until netns_limits_read().
 */
struct ts_limits {
	bool known;
	__u32 port_range_lo, port_range_hi;	/* net.ipv4.ip_local_port_range */
	__u64 max_tw_buckets;			/* net.ipv4.tcp_max_tw_buckets */
	__u64 fin_timeout_s;			/* net.ipv4.tcp_fin_timeout */
	/* What alert texts quote (-1: not readable). */
	long long tw_reuse;			/* net.ipv4.tcp_tw_reuse */
	long long somaxconn;			/* net.core.somaxconn */
};

/* The totals of one network namespace, summed over CPUs. */
struct ts_netns {
	__u32 inum;			/* inode of the namespace (ls -iL /proc/self/ns/net) */
	__u64 cookie;			/* its net cookie, 0 when unknown */
	/*
	 * live[] is the live count, request sockets included; timewait[0]
	 * how many of them are timewait sockets. live_alt[] and timewait[1]
	 * are folded in by the source and read zero.
	 */
	struct tcpstate_stats st;
	struct ts_check check;
	struct ts_limits limits;
};

struct ts_snapshot {
	const char *source;		/* "bpf" or "module" */
	__u64 taken_ns;			/* CLOCK_MONOTONIC when read */
	__u64 counting_ns;		/* how long the collector has counted; 0: unknown */
	size_t nr_netns;
	struct ts_netns *netns;		/* sorted by inum */
	size_t cap_netns;		/* entries allocated (snapshot_get()) */
	struct tcpstate_errors errors;	/* collector health, summed over CPUs */
	__u64 events_missed;		/* events the kernel did not deliver (recursion) */
	__u64 events_recovered;		/* BPF: skipped by set_state_btf, run by its twin */
	/*
	 * Live counts that summed below zero (a collector fault): shown as
	 * zero, and counted here.
	 */
	__u64 negative_counts;
	/*
	 * The listeners of the namespaces read, with their queues (BPF
	 * collector: the "listeners" map, O(listeners)); listeners_known is
	 * false for a source that has none (the module).
	 */
	bool listeners_known;
	size_t nr_listeners;
	struct tcpstate_listener *listeners;
	/*
	 * At least the ports any one destination holds, host-wide (BPF
	 * collector: the largest port_use counter, include/tcpstate.h); -1
	 * until ts_source_port_bound() reads it, or when the source has none.
	 */
	__s64 port_bound;
};

/* Flags for ts_source_ops.read(). */
#define TS_READ_ALL_NETNS	(1u << 0)	/* every namespace, not only the caller's */

struct ts_source;

struct ts_source_ops {
	const char *name;
	/* 0 when this source is present on this host, -errno otherwise. */
	int (*probe)(void);
	int (*open)(struct ts_source *src);
	/* Fills snap (allocating snap->netns); 0 or -errno. */
	int (*read)(struct ts_source *src, struct ts_snapshot *snap, unsigned int flags);
	/* snap->port_bound; NULL where the source has no bound. 0 or -errno. */
	int (*port_bound)(struct ts_source *src, __s64 *bound);
	void (*close)(struct ts_source *src);
};

struct netns_table;

struct ts_source {
	const struct ts_source_ops *ops;
	void *priv;
	/*
	 * Where TS_READ_ALL_NETNS finds the namespaces: a table its owner
	 * keeps up to date (netns_table.h), or NULL to list them on each read.
	 */
	struct netns_table *netns;
};

extern const struct ts_source_ops ts_source_bpf;
extern const struct ts_source_ops ts_source_module;

/* Name is "bpf", "module" or "auto" (module if /proc/net/tcpstate exists). */
int ts_source_open(struct ts_source *src, const char *name);
void ts_source_close(struct ts_source *src);
int ts_source_read(struct ts_source *src, struct ts_snapshot *snap, unsigned int flags);
/*
 * Reads the bound on the ports per destination into snap->port_bound
 * (left -1 where the source has none: -ENOENT). O(port buckets x CPUs):
 * read when an alert round needs it (alerts_need_port_bound()).
 */
int ts_source_port_bound(struct ts_source *src, struct ts_snapshot *snap);

/* Returns the entry for inum, or NULL. */
const struct ts_netns *ts_snapshot_find(const struct ts_snapshot *snap, __u32 inum);
void ts_snapshot_free(struct ts_snapshot *snap);

#endif /* __TCPSTATE_SOURCE_H */
