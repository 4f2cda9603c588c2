/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcpstate.h - internal to tcpstate.ko; nothing in user space includes it.
 */
#ifndef __TCPSTATE_MODULE_H
#define __TCPSTATE_MODULE_H

#include <linux/atomic.h>
#include <linux/llist.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/bitops.h>
#include <linux/jump_label.h>
#include <linux/mutex.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

struct file;
struct seq_file;
struct sock;
struct timer_list;

/* Statistics are folded while other CPUs write them. */
#define TCPSTATE_LOAD(x)	READ_ONCE(x)
#include "../include/tcpstate.h"	/* the shared contract */

/**
 * struct tcpstate_net - per network namespace state
 * @stats: per-CPU statistics, folded over possible CPUs when read
 * @fw2: timewait records counted as FIN_WAIT2, re-read at /proc read time
 * @node: on tcpstate_nets, for the reconcile work
 * @check: the comparison with the kernel's counters and its re-counts
 * @check_lock: serialises @check and the re-counts
 * @latched_full: the persistent drift still reported, full sockets
 * @latched_tw: and timewait sockets
 * @latched: a persistent drift is reported until re-counted (check.c)
 * @inum: the namespace's inode number, for /proc/net/tcpstate
 * @epoch: re-counts begun; a full socket whose record carries another
 *	   (TCPSTATE_SK_EPOCH bits) was not counted by the last re-count
 * @dead: the namespace is being dismantled; hooks ignore its events
 */
struct tcpstate_net {
	struct tcpstate_stats __percpu *stats;
	struct llist_head fw2;
	struct list_head node;
	struct tcpstate_check check;
	struct mutex check_lock;	/* serialises check, re-counts */
	s64 latched_full;
	s64 latched_tw;
	bool latched;
	unsigned int inum;
	unsigned int epoch;
	bool dead;
};

/*
 * Bits of tcpstate_rec.tw: the substate a timewait socket is counted in
 * (TCP_FIN_WAIT2 or TCP_TIME_WAIT), three flags, and a generation that
 * grows each time the record is released, so that a parked cancel that
 * another CPU resolved first cannot touch the record's next owner.
 */
#define TCPSTATE_TW_SUB		0x0f
#define TCPSTATE_TW_ON_LIST	0x10	/* linked on tcpstate_net.fw2 */
#define TCPSTATE_TW_CANCELLED	0x20	/* timer cancelled: dying or re-armed */
#define TCPSTATE_TW_DEAD	0x40	/* death accounted */
#define TCPSTATE_TW_SEEN	0x80	/* found by the walk under way (check.c) */
#define TCPSTATE_TW_GEN		0x7fffff00
#define TCPSTATE_TW_GEN_ONE	0x100

/*
 * A full socket's record keeps in the same word, where a timewait record
 * keeps its substate, the low bits of the namespace's epoch at which the
 * socket was last counted (by an event, or by the walk of a re-count).
 */
#define TCPSTATE_SK_EPOCH	0x0f

/**
 * struct tcpstate_rec - what the module remembers about one socket
 * @entered_ns: CLOCK_MONOTONIC time it entered its current state, 0 unknown
 * @born_ns: time of its connection's SYN_SENT/SYN_RECV, 0 unknown
 * @tn: the namespace (timewait sockets only)
 * @fw2_node: on @tn->fw2 while counted as FIN_WAIT2 (timewait sockets only)
 * @tw: TCPSTATE_TW_* bits (timewait sockets only)
 * @kind: TCPSTATE_REC_SK or TCPSTATE_REC_TW
 */
struct tcpstate_rec {
	u64 entered_ns;
	u64 born_ns;
	struct tcpstate_net *tn;
	struct llist_node fw2_node;
	atomic_t tw;
	int kind;
};

/*
 * A freed socket's memory is reused at once (SLAB_TYPESAFE_BY_RCU), so an
 * address may have a record of the other kind, or a dead timewait record
 * still waiting on an fw2 list: lookups match the kind and skip the dead.
 */
#define TCPSTATE_REC_SK		1
#define TCPSTATE_REC_TW		2

/*
 * probe_stats=1 times every probe run with sched_clock(), as
 * kernel.bpf_stats_enabled does for BPF programs (tp.c).
 */
enum {
	TCPSTATE_PROBE_SET_STATE,
	TCPSTATE_PROBE_TIMER_START,
	TCPSTATE_PROBE_TIMER_CANCEL,
	TCPSTATE_PROBE_TIMER_EXPIRE,
	TCPSTATE_NPROBES
};

/**
 * struct tcpstate_probe_cost - per-CPU probe timing
 * @runs: probe runs, per TCPSTATE_PROBE_*
 * @ns: sched_clock() nanoseconds spent in them
 */
struct tcpstate_probe_cost {
	u64 runs[TCPSTATE_NPROBES];
	u64 ns[TCPSTATE_NPROBES];
};

DECLARE_STATIC_KEY_FALSE(tcpstate_timing);
DECLARE_PER_CPU(struct tcpstate_probe_cost, tcpstate_probe_cost);

/* Module parameters, main.c. */
extern unsigned int tcpstate_max_sockets;
extern bool tcpstate_probe_stats;
extern bool tcpstate_test_skew;

extern unsigned int tcpstate_net_id;
extern struct tcpstate_errors __percpu *tcpstate_errors;
extern bool tcpstate_armed;

static inline struct tcpstate_net *tcpstate_pernet(const struct net *net)
{
	return net_generic(net, tcpstate_net_id);
}

static inline void tcpstate_error(unsigned int err)
{
	this_cpu_inc(tcpstate_errors->count[err]);
}

/* log2 microseconds: the bucket scheme and its one computation, in include/tcpstate.h. */
static inline unsigned int tcpstate_slot(u64 ns)
{
	return tcpstate_hist_slot_ns(ns);
}

static inline bool tcpstate_is_live(int state)
{
	return TCPSTATE_IS_LIVE(state);
}

void tcpstate_leave(struct tcpstate_stats __percpu *st, int state,
		    u64 entered_ns, u64 now);

/* table.c */
int tcpstate_table_init(unsigned int entries);
void tcpstate_table_exit(void);
struct tcpstate_rec *tcpstate_rec_find(const void *obj, int kind);
struct tcpstate_rec *tcpstate_rec_insert(const void *obj, int kind);
void tcpstate_rec_delete(struct tcpstate_rec *rec);
const void *tcpstate_rec_key(const struct tcpstate_rec *rec);
unsigned int tcpstate_table_used(void);
void tcpstate_table_for_each(void (*fn)(struct tcpstate_rec *rec, void *data),
			     void *data);

/* tp.c */
int tcpstate_tp_register(void);
void tcpstate_tp_unregister(void);
void tcpstate_sk_walked(struct sock *sk);

/* tw.c */
int tcpstate_tw_init(void);
void tcpstate_tw_walked(struct sock *sk);
void tcpstate_tw_sweep(struct tcpstate_net *tn);
void tcpstate_tw_flush_stopped(void);
void tcpstate_tw_resolve_all(void);
void tcpstate_tw_flush_local(void);
void tcpstate_tw_reconcile(struct tcpstate_net *tn);
void tcpstate_tw_net_exit(struct tcpstate_net *tn);
bool tcpstate_tw_born_close(struct sock *sk, int oldstate,
			    struct tcpstate_rec *skrec, u64 now);
void tcpstate_timer_start(struct timer_list *timer);
void tcpstate_timer_cancel(struct timer_list *timer);
void tcpstate_timer_expire(struct timer_list *timer);

/* walk.c */
int tcpstate_walk(void);
unsigned int tcpstate_walk_net(struct net *net);

/* check.c */
void tcpstate_check_show(struct seq_file *seq, struct net *net,
			 struct tcpstate_net *tn);
int tcpstate_ctl_show(struct seq_file *seq, void *v);
int tcpstate_ctl_write(struct file *file, char *buf, size_t size);

/* proc.c */
int tcpstate_state_lookup(const char *name);
int tcpstate_proc_init(struct net *net);
void tcpstate_proc_exit(struct net *net);

#endif /* __TCPSTATE_MODULE_H */
