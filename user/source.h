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

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "tcpstate.h"

/* The totals of one network namespace, summed over CPUs. */
struct ts_netns {
	__u32 inum;			/* inode of the namespace (ls -iL /proc/self/ns/net) */
	struct tcpstate_stats st;	/* live[] is the live count, request sockets included */
};

struct ts_snapshot {
	const char *source;		/* "bpf" or "module" */
	__u64 taken_ns;			/* CLOCK_MONOTONIC when read */
	__u64 counting_ns;		/* how long the collector has counted; 0: unknown */
	size_t nr_netns;
	struct ts_netns *netns;		/* sorted by inum */
	struct tcpstate_errors errors;	/* collector health, summed over CPUs */
	__u64 events_missed;		/* events the kernel did not deliver (recursion) */
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
	void (*close)(struct ts_source *src);
};

struct ts_source {
	const struct ts_source_ops *ops;
	void *priv;
};

extern const struct ts_source_ops ts_source_bpf;
extern const struct ts_source_ops ts_source_module;

/* Name is "bpf", "module" or "auto" (module if /proc/net/tcpstate exists). */
int ts_source_open(struct ts_source *src, const char *name);
void ts_source_close(struct ts_source *src);
int ts_source_read(struct ts_source *src, struct ts_snapshot *snap, unsigned int flags);

/* Returns the entry for inum, or NULL. */
const struct ts_netns *ts_snapshot_find(const struct ts_snapshot *snap, __u32 inum);
void ts_snapshot_free(struct ts_snapshot *snap);

#endif /* __TCPSTATE_SOURCE_H */
