/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * maps.bpf.h - every map of the BPF collector, and the load-time knobs.
 * Value layouts shared with user space are in include/tcpstate.h.
 */
#ifndef __TCPSTATE_MAPS_BPF_H
#define __TCPSTATE_MAPS_BPF_H

#define AF_INET		2
#define AF_INET6	10
#define IPPROTO_TCP	6
#define NSEC_PER_SEC	1000000000ULL
#define TW_LEN_SEC	60	/* TCP_TIMEWAIT_LEN */
#define EEXIST		17
#define ENOENT		2

/* Set by the loader before load. */
const volatile __u64 targ_tw_timer_fn;	/* address of tw_timer_handler */
const volatile bool targ_sk_storage;	/* tp_btf: per-socket data in sk_storage */
const volatile __u32 targ_sk_slots;	/* sk_slots entries, a power of two; 0: none */
const volatile __u32 targ_netns_slots;	/* netns_slots entries, a power of two; 0: none */

extern int CONFIG_HZ __kconfig __weak;

/*
 * What each full socket carries between events. state is the state the
 * socket is counted in: 0 when the collector has never seen it, TCP_CLOSE
 * once it has closed (counted nowhere).
 */
struct sk_info {
	__u64 entered_ns;	/* entered the recorded state; 0: unknown */
	__u64 born_ns;		/* SYN_SENT/SYN_RECV; 0: unknown */
	__u64 netns_cookie;	/* the namespace counted in, with netns */
	__u32 netns;
	__u32 tgid;
	__u32 gen;		/* generation counted in (tcpstate_stats.epoch) */
	__u8 state;
	__u8 pad;
	__u16 port_bucket;	/* its port_use counter + 1 (ports.bpf.h); 0: none */
	char comm[TCPSTATE_TASK_COMM_LEN];
};

/*
 * A full socket's record in the preallocated sk_slots array (sk.bpf.h):
 * sk is the socket's address while the slot is its, 0 while free.
 */
struct sk_slot {
	__u64 sk;
	struct sk_info info;
};

/* What ties a timewait socket to its full socket and its re-arms. */
struct tw_ident {
	__u32 hash;
	__u32 ports;
};

/*
 * A timewait birth waiting for its full socket's CLOSE on the same CPU
 * (tcp_time_wait(), then tcp_done()). Matched by netns and tuple, not by
 * time: a vCPU paused between the two would outlast any window.
 */
struct tw_handoff {
	__u64 tw;
	struct tw_ident id;
	__u32 netns;
	__u32 pad;
};

/*
 * Births kept for their CLOSE, in a slot chosen by the tuple's hash: not
 * only the last one, because tcp_time_wait() re-enables bottom halves
 * between the two, and where it runs from a socket's backlog (process
 * context) a softirq can run there, and its batch of packets can give
 * birth to many timewait sockets on the same CPU first. Two births meet
 * in a slot only when their hashes agree in the low bits.
 */
#define TW_HANDOFFS	256
_Static_assert((TW_HANDOFFS & (TW_HANDOFFS - 1)) == 0, "TW_HANDOFFS: a power of two");

/* Per-CPU scratch that links consecutive timer and state events. */
struct tw_scratch {
	/* Last timewait death on this CPU, undone if its timer re-arms. */
	__u64 rearm_tw;
	struct tw_ident rearm_id;
	struct tcpstate_tw rearm;
	__s32 rearm_dur_slot;
	__s32 rearm_life_slot;
	/* Timewait births not yet handed over, by hash & (TW_HANDOFFS - 1). */
	struct tw_handoff handoff[TW_HANDOFFS];
};

/*
 * The statistics of most namespaces, preallocated at load (the loader
 * sizes both arrays to targ_netns_slots): a namespace's slot is the low
 * bits of its cookie (tcpstate_netns_slot(), include/tcpstate.h), its while
 * netns_slot_owner holds the cookie, so the common event finds its
 * namespace with two array lookups the verifier inlines, not a hash
 * lookup (stats.bpf.h). A namespace whose slot another holds keeps its
 * statistics in netns_stats below. A slot's owner is its cookie; 0 while
 * free, TCPSTATE_NETNS_RETIRED once user space has found its namespace
 * gone (user/prune.c zeroes and frees it a round later, when no event
 * can still be writing to it).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcpstate_stats);
} netns_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcpstate_netns_key);
} netns_slot_owner SEC(".maps");

/* Per namespace statistics, one value per CPU: namespaces without a slot. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TCPSTATE_MAX_NETNS);
	__type(key, struct tcpstate_netns_key);
	__type(value, struct tcpstate_stats);
} netns_stats SEC(".maps");

/*
 * A new namespace's per-CPU entry is allocated from the per-CPU allocator's
 * atomic pool, which a burst of new namespaces can leave empty until its
 * refill work runs: then its events go to a shared entry here (kmalloc'd,
 * atomic adds), and readers add the two. Nothing is dropped unless both
 * allocations fail.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TCPSTATE_MAX_NETNS);
	__type(key, struct tcpstate_netns_key);
	__type(value, struct tcpstate_stats);
} netns_spill SEC(".maps");

/* A zeroed value to create entries from (too large for the stack). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcpstate_stats);
} zero_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcpstate_errors);
} errors SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sk_info);
} sk_storage SEC(".maps");

/*
 * The records of most sockets, preallocated at load (the loader sizes it
 * to targ_sk_slots): a socket's slot is found from its address, so the
 * common event neither allocates nor hashes. Sockets whose slot is taken
 * keep their record in sk_storage (or sk_table) as before.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sk_slot);
} sk_slots SEC(".maps");

/* The same, keyed by socket address, where sk_storage is not usable. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1 << 21);
	__type(key, __u64);
	__type(value, struct sk_info);
} sk_table SEC(".maps");

/* Timewait sockets, keyed by address. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TCPSTATE_MAX_TIMEWAIT);
	__type(key, __u64);
	__type(value, struct tcpstate_tw);
} timewait SEC(".maps");

/* Timewait sockets counted in substate FIN_WAIT2, to re-check at read. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TCPSTATE_MAX_FW2_PENDING);
	__type(key, __u64);
	__type(value, __u8);
} fw2_pending SEC(".maps");

/*
 * Timewait sockets fw2_pending had no room for since the last whole-table
 * re-check: while not 0, fw2_reconcile re-checks every timewait record.
 */
__u64 fw2_overflow;

/*
 * Entries in fw2_pending (tw.bpf.h keeps it: one more at each insertion,
 * one less at each deletion that finds its entry): a read skips the walk
 * of its buckets while it is 0.
 */
__u64 fw2_count;

/* Listening sockets, keyed by address. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TCPSTATE_MAX_LISTENERS);
	__type(key, __u64);
	__type(value, struct tcpstate_listener);
} listeners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tw_scratch);
} scratch SEC(".maps");

/* A namespace's comparison with the kernel and its re-counts (user/). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TCPSTATE_MAX_NETNS);
	__type(key, struct tcpstate_netns_key);
	__type(value, struct tcpstate_check);
} netns_check SEC(".maps");

/* Ports held toward each destination, bounded (ports.bpf.h): per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TCPSTATE_PORT_BUCKETS);
	__type(key, __u32);
	__type(value, __s64);
} port_use SEC(".maps");

/* set_state events the twin applied because the first program was skipped. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcpstate_nesting);
} nesting SEC(".maps");

static __always_inline struct tw_scratch *scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

#endif /* __TCPSTATE_MAPS_BPF_H */
