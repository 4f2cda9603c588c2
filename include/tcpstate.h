/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tcpstate.h - the contract shared by the BPF collector (bpf/), the kernel
 * module (module/) and user space (user/).
 *
 * Only #defines and plain structs live here: no vmlinux.h, no libc, no
 * kernel headers, so each of the three can include it in its own world.
 * Every layout that crosses a boundary (a map value, an iterator record,
 * a /proc/net/tcpstate table) is defined here and nowhere else.
 */
#ifndef __TCPSTATE_H
#define __TCPSTATE_H

/*
 * TCP states. The index of a state is the kernel's own TCP_* number
 * (include/net/tcp_states.h), so a value read from sk_state indexes the
 * tables directly. TCPSTATE_NSTATES leaves room for states newer kernels
 * add (TCP_BOUND_INACTIVE is 13); every lookup is bounds-checked against it.
 */
#define TCPSTATE_ST_ESTABLISHED		1
#define TCPSTATE_ST_SYN_SENT		2
#define TCPSTATE_ST_SYN_RECV		3
#define TCPSTATE_ST_FIN_WAIT1		4
#define TCPSTATE_ST_FIN_WAIT2		5
#define TCPSTATE_ST_TIME_WAIT		6
#define TCPSTATE_ST_CLOSE		7
#define TCPSTATE_ST_CLOSE_WAIT		8
#define TCPSTATE_ST_LAST_ACK		9
#define TCPSTATE_ST_LISTEN		10
#define TCPSTATE_ST_CLOSING		11
#define TCPSTATE_ST_NEW_SYN_RECV	12
#define TCPSTATE_ST_BOUND_INACTIVE	13
#define TCPSTATE_NSTATES		16	/* a power of two: see _STATE_MASK */
#define TCPSTATE_STATE_MASK		(TCPSTATE_NSTATES - 1)

/*
 * The states an operator sees, in the order tables print them:
 * X(index, metric/JSON name, ss name). CLOSE, NEW_SYN_RECV and
 * BOUND_INACTIVE are not live states: request sockets count as syn_recv,
 * as ss shows them.
 */
#define TCPSTATE_FOR_EACH_STATE(X)					\
	X(TCPSTATE_ST_ESTABLISHED, "established", "ESTAB")		\
	X(TCPSTATE_ST_SYN_SENT, "syn_sent", "SYN-SENT")			\
	X(TCPSTATE_ST_SYN_RECV, "syn_recv", "SYN-RECV")			\
	X(TCPSTATE_ST_FIN_WAIT1, "fin_wait1", "FIN-WAIT-1")		\
	X(TCPSTATE_ST_FIN_WAIT2, "fin_wait2", "FIN-WAIT-2")		\
	X(TCPSTATE_ST_TIME_WAIT, "time_wait", "TIME-WAIT")		\
	X(TCPSTATE_ST_CLOSE_WAIT, "close_wait", "CLOSE-WAIT")		\
	X(TCPSTATE_ST_LAST_ACK, "last_ack", "LAST-ACK")			\
	X(TCPSTATE_ST_LISTEN, "listen", "LISTEN")			\
	X(TCPSTATE_ST_CLOSING, "closing", "CLOSING")

/* The kernel states that are never live, for naming transitions. */
#define TCPSTATE_FOR_EACH_OTHER_STATE(X)				\
	X(TCPSTATE_ST_CLOSE, "close", "CLOSE")				\
	X(TCPSTATE_ST_NEW_SYN_RECV, "new_syn_recv", "NEW-SYN-RECV")	\
	X(TCPSTATE_ST_BOUND_INACTIVE, "bound_inactive", "BOUND-INACTIVE")

/*
 * The live-state predicate, derived from the table above: a state is live
 * when TCPSTATE_FOR_EACH_STATE lists it. Usable in all three worlds.
 */
#define TCPSTATE__LIVE_BIT(idx, name, ss)	| (1u << (idx))
#define TCPSTATE_LIVE_MASK	(0u TCPSTATE_FOR_EACH_STATE(TCPSTATE__LIVE_BIT))
#define TCPSTATE_IS_LIVE(s)						\
	((unsigned int)(s) < TCPSTATE_NSTATES &&			\
	 ((TCPSTATE_LIVE_MASK >> (unsigned int)(s)) & 1u))

/*
 * Time-in-state histograms: log2 buckets of microseconds.
 * Slot 0 holds durations under 1 us; slot i (1 <= i < SLOTS - 1) holds
 * [2^(i-1), 2^i) us; the last slot holds everything from 2^(SLOTS-2) us
 * (about 4.8 hours) up. Slot of d us: d == 0 ? 0 : min(fls64(d), SLOTS - 1).
 */
#define TCPSTATE_HIST_SLOTS		36
#define TCPSTATE_HIST_SLOT_MASK		63	/* bounds a slot for the verifier */

/*
 * The slot of a duration of ns nanoseconds, without dividing by 1000 (a
 * 64-bit division costs tens of cycles on every event): with b the bit
 * length of ns, ns / 1000 has bit length b - 10 or b - 9, and which one
 * is settled by one comparison, since 1000 << k <= ns exactly when
 * ns / 1000 >= 1 << k. Equal to min(fls64(ns / 1000), SLOTS - 1) for every
 * ns (selftests/unit/hist_test.c checks it). Plain C, no loop: usable in
 * BPF, the module and user space alike.
 */
static inline unsigned int tcpstate_hist_slot_ns(__u64 ns)
{
	__u64 v = ns;
	unsigned int b = 0, s;

	s = (v > 0xFFFFFFFFULL) << 5; v >>= s; b |= s;
	s = (v > 0xFFFF) << 4; v >>= s; b |= s;
	s = (v > 0xFF) << 3; v >>= s; b |= s;
	s = (v > 0xF) << 2; v >>= s; b |= s;
	s = (v > 0x3) << 1; v >>= s; b |= s;
	b |= (unsigned int)(v >> 1);
	b += 1;				/* the bit length of ns (ns >= 1) */
	if (ns < 1000)
		return 0;
	/* ns >= 1000, so b >= 10: ns / 1000 has bit length b - 10 or b - 9 */
	s = ns >= (1000ULL << (b - 10)) ? b - 9 : b - 10;
	return s < TCPSTATE_HIST_SLOTS ? s : TCPSTATE_HIST_SLOTS - 1;
}

/*
 * A network namespace: its net_cookie (never reused) and inode number
 * (what users see; reused once the namespace is gone). The BPF collector
 * keys its statistics by both, so a new namespace that gets a dead one's
 * inode number starts from zero.
 */
struct tcpstate_netns_key {
	__u64 cookie;
	__u32 inum;
	__u32 pad;
};

/*
 * BPF only: the owner of a preallocated namespace slot (netns_slot_owner)
 * whose namespace is gone, until user space zeroes and frees it. No
 * namespace has this cookie (the kernel counts cookies up from 1).
 */
#define TCPSTATE_NETNS_RETIRED		(~0ULL)

/*
 * A namespace's preallocated slot among nslots (a power of two; 0: none;
 * bpf/maps.bpf.h): its cookie's low bits, free on every event. Cookies
 * made one after another take distinct slots; the kernel hands them out
 * in per-CPU batches of one counter, which a mount namespace draws from
 * too on this project's 6.18 host (network namespaces made with an "ip
 * netns exec" between each came two apart), and cookies 2^k apart reach
 * only one slot in 2^k. A hash spreads any spacing, at a cost on every
 * event: Documentation/architecture.rst, "Per network namespace", has
 * what was measured.
 */
static inline __u32 tcpstate_netns_slot(__u64 cookie, __u32 nslots)
{
	return nslots ? (__u32)(cookie & (nslots - 1)) : 0;
}

/*
 * Per network namespace statistics, one per CPU in both collectors; a
 * reader sums the CPUs. live[] entries are per-CPU deltas (an increment on
 * one CPU may be undone on another), so only the sum is meaningful and a
 * single CPU's value may be negative.
 *
 * BPF only: live counts are kept in one of two buffers, live[] for even
 * generations and live_alt[] for odd ones, so that a namespace can be
 * re-counted from its sockets while events go on (user/repair.c,
 * Documentation/architecture.rst): every socket and timewait record
 * carries the generation it is counted in, and epoch (the same in every
 * CPU's copy) is the generation new sockets join. The module uses live[]
 * and timewait[0] only (it re-counts under stop_machine(), module/check.c).
 * timewait[] is the part of each buffer that is timewait sockets
 * (fin_wait2 and time_wait), to compare with /proc/net/sockstat.
 */
struct tcpstate_stats {
	__s64 live[TCPSTATE_NSTATES];
	__s64 live_alt[TCPSTATE_NSTATES];
	__s64 timewait[2];
	__u64 transitions[TCPSTATE_NSTATES][TCPSTATE_NSTATES];	/* [old][new] */
	__u64 duration[TCPSTATE_NSTATES][TCPSTATE_HIST_SLOTS];	/* time in state */
	__u64 lifetime[TCPSTATE_HIST_SLOTS];	/* SYN_SENT/SYN_RECV to CLOSE */
	__u32 epoch;
	__u32 pad;
};

/*
 * A namespace's comparison with the kernel's own counters
 * (/proc/net/sockstat) and its re-counts: for the BPF collector written
 * by user space in the "netns_check" map keyed like the statistics; for
 * the module kept in the kernel per namespace (module/check.c). Both
 * judge it with tcpstate_drift_judge() below.
 */
struct tcpstate_check {
	__s64 pending_full;	/* drift of the last clean sample: full sockets */
	__s64 pending_tw;	/* and timewait sockets */
	__u64 pending_ns;	/* CLOCK_MONOTONIC of that sample; 0: none */
	__u64 drifts;		/* persistent drifts found */
	__s64 last_full;	/* the last of them: full sockets, tcpstate - kernel */
	__s64 last_tw;		/* and timewait sockets */
	__u64 repairs;		/* re-counts done */
	__u32 epoch;		/* the generation whose buffer readers read */
	__u32 repairing;	/* BPF: a re-count is under way: read both buffers */
};

/*
 * The persistent-drift rule, one home for both collectors (user/drift.h
 * for the BPF collector's reader, module/check.c for the module).
 *
 * A sample brackets the kernel's read between two reads of the
 * collector's totals. It is clean when both reads agree: then nothing the
 * collector counts changed while the kernel's figures were read, and the
 * difference is the collector's drift plus only what is in flight inside
 * the kernel between a state event and the hash update it belongs to (a
 * few microseconds: tcp_set_state() before inet_hash_connect(), the
 * timewait hash-dance before tcp_done()). Drift is persistent when two
 * clean samples at least TCPSTATE_DRIFT_HOLD_NS apart show the same
 * difference, to the socket: in-flight differences last microseconds and
 * would have to recur, of the same size, at both samples.
 *
 * One in-flight difference is long enough to recur: a connect() is
 * counted in SYN_SENT by its state event before inet_hash_connect() has
 * chosen its port and hashed it (what sockstat counts), and choosing a
 * port can take long where many are held (a million sockets, half of them
 * TIME_WAIT). So a sample whose full-socket surplus is no more than the
 * SYN_SENT sockets the collector counts, the timewait sockets equal, is
 * taken as in flight: UNCLEAR, the pending difference kept. A drift of
 * that size is found at a sample with no connect under way.
 */
#define TCPSTATE_DRIFT_HOLD_NS		1000000000ULL

#define TCPSTATE_DRIFT_NONE		0	/* clean and equal */
#define TCPSTATE_DRIFT_UNCLEAR		1	/* the collector moved meanwhile */
#define TCPSTATE_DRIFT_PENDING		2	/* a difference, not yet persistent */
#define TCPSTATE_DRIFT_PERSISTENT	3	/* the same for _HOLD_NS: repair */

struct tcpstate_drift_sample {
	__s64 full_a, tw_a;		/* the collector, before */
	__s64 kern_full, kern_tw;	/* the kernel: TCP+TCP6 inuse, tw */
	__s64 full_b, tw_b;		/* the collector, after */
	__s64 syn_sent;			/* the collector's SYN_SENT sockets, before */
	__u64 now_ns;			/* CLOCK_MONOTONIC */
};

/*
 * Judges one sample against what c remembers (pending_*) and updates c:
 * the pending difference, and drifts and last_* when persistent.
 * Returns a TCPSTATE_DRIFT_* verdict.
 */
static inline int tcpstate_drift_judge(struct tcpstate_check *c,
				       const struct tcpstate_drift_sample *s)
{
	__s64 d_full, d_tw;

	if (s->full_a != s->full_b || s->tw_a != s->tw_b)
		return TCPSTATE_DRIFT_UNCLEAR;
	d_full = s->full_a - s->kern_full;
	d_tw = s->tw_a - s->kern_tw;
	if (d_full > 0 && d_full <= s->syn_sent && !d_tw)
		return TCPSTATE_DRIFT_UNCLEAR;	/* connects not yet hashed */
	if (!d_full && !d_tw) {
		c->pending_ns = 0;
		c->pending_full = 0;
		c->pending_tw = 0;
		return TCPSTATE_DRIFT_NONE;
	}
	if (c->pending_ns && c->pending_full == d_full && c->pending_tw == d_tw) {
		if (s->now_ns - c->pending_ns < TCPSTATE_DRIFT_HOLD_NS)
			return TCPSTATE_DRIFT_PENDING;
		c->pending_ns = 0;
		c->pending_full = 0;
		c->pending_tw = 0;
		c->last_full = d_full;
		c->last_tw = d_tw;
		c->drifts++;
		return TCPSTATE_DRIFT_PERSISTENT;
	}
	c->pending_full = d_full;
	c->pending_tw = d_tw;
	c->pending_ns = s->now_ns ? s->now_ns : 1;
	return TCPSTATE_DRIFT_PENDING;
}

/* The context of the repair_begin and repair_end programs. */
struct tcpstate_repair_ctx {
	struct tcpstate_netns_key key;
	__u32 epoch;		/* the new generation */
	__u32 pad;
};

/* A timewait record's generation once its death is accounted. */
#define TCPSTATE_GEN_DEAD	0xffffffffu

/*
 * Collector health counters, global (not per namespace), one per CPU.
 * Every entry is something that would otherwise be silently wrong.
 */
#define TCPSTATE_FOR_EACH_ERROR(X)					\
	X(TCPSTATE_ERR_NETNS_FULL, "netns_full",			\
	  "namespace table full or out of memory: events of a new namespace dropped")	\
	X(TCPSTATE_ERR_SK_STORAGE, "sk_storage_failed",			\
	  "per-socket storage unavailable: socket counted without history") \
	X(TCPSTATE_ERR_TW_FULL, "timewait_table_full",			\
	  "TIME_WAIT table full: socket counted without key or age")	\
	X(TCPSTATE_ERR_TW_UNTRACKED, "timewait_untracked",		\
	  "TIME_WAIT socket ended that was never recorded")		\
	X(TCPSTATE_ERR_LISTENER_FULL, "listener_table_full",		\
	  "listener table full: request sockets of a listener not counted") \
	X(TCPSTATE_ERR_UNTRACKED, "untracked_transition",		\
	  "transition of a socket the collector had not counted")	\
	X(TCPSTATE_ERR_BAD_STATE, "bad_state",				\
	  "state number out of range")					\
	X(TCPSTATE_ERR_MISSED_EVENT, "missed_event",			\
	  "an event's old state was not the one recorded for its socket: " \
	  "an earlier event was missed, the live counts followed the socket") \
	X(TCPSTATE_ERR_CLOSE_UNSEEN, "close_unseen",			\
	  "a socket was destroyed, or its record found by a new socket at " \
	  "its address, while counted in a live state: its close was " \
	  "missed, and it was uncounted then")				\
	X(TCPSTATE_ERR_MAP_OP, "map_op_failed",				\
	  "a timewait record could not be deleted (lock contention): the " \
	  "dead record was found and replaced later")				\
	X(TCPSTATE_ERR_TW_UNREADABLE, "timewait_unreadable",		\
	  "BPF: a timewait socket could not be read: its birth was not " \
	  "counted, or its substate change at death was lost")

/* The error numbers, in the order of the table above. */
#define TCPSTATE__ERR_ENUM(e, name, desc)	e,
enum tcpstate_error {
	TCPSTATE_FOR_EACH_ERROR(TCPSTATE__ERR_ENUM)
	TCPSTATE_NERRORS
};

struct tcpstate_errors {
	__u64 count[TCPSTATE_NERRORS];
};

/*
 * BPF only: inet_sock_set_state events its first program missed because
 * it was already running on that CPU, and which its twin program applied
 * instead (bpf/nest.bpf.h): per CPU.
 */
struct tcpstate_nesting {
	__u64 handled;
};

/*
 * A timewait socket's timer is re-armed (tcp_timewait_state_process() ->
 * inet_twsk_reschedule()) while it holds at least this many references:
 * bhash, ehash, the timer, and the caller's lookup. A new timewait socket
 * arms its first timer with 0 (6.1: before inet_twsk_hashdance()) or 3
 * (6.12 and later). Both collectors tell a re-arm from a birth by it.
 */
#define TCPSTATE_TW_REARM_REFS		4

/* Limits (defaults; the BPF loader can change the map sizes at load). */
#define TCPSTATE_MAX_NETNS		4096
#define TCPSTATE_MAX_TIMEWAIT		(1 << 20)
#define TCPSTATE_MAX_LISTENERS		65536	/* the most tcpstate load --listeners takes */
/*
 * Timewait sockets in substate FIN_WAIT2 that each read re-checks by
 * name (fw2_pending); beyond, reads re-check the whole timewait table.
 * A read walks every bucket of the map: 2^16 of them, not 2^20.
 */
#define TCPSTATE_MAX_FW2_PENDING	65536
#define TCPSTATE_TASK_COMM_LEN		16

/*
 * One TIME_WAIT socket (an inet_timewait_sock), keyed by its address in
 * the BPF collector's "timewait" map. Times are CLOCK_MONOTONIC ns; 0 means
 * unknown (the socket existed before the collector loaded).
 */
struct tcpstate_tw {
	__u64 netns_cookie;
	__u64 born_ns;		/* the timewait socket was created */
	__u64 entered_ns;	/* it entered the state it is counted in */
	__u64 conn_born_ns;	/* the connection's SYN_SENT/SYN_RECV */
	__u8 daddr[16];		/* peer address, IPv4 in the first 4 bytes */
	__u32 netns;		/* network namespace inode number */
	__u32 tgid;		/* owner of the full socket, 0 if unknown */
	__u32 gen;		/* BPF: generation counted in, or TCPSTATE_GEN_DEAD */
	__u16 sport;		/* host byte order */
	__u16 dport;		/* host byte order */
	__u16 family;		/* AF_INET or AF_INET6 */
	__u16 port_bucket;	/* BPF: its port_use counter + 1; 0: none */
	__u8 substate;		/* TCPSTATE_ST_FIN_WAIT2 or _TIME_WAIT, as counted */
	__u8 pad;
	char comm[TCPSTATE_TASK_COMM_LEN];
};

/*
 * BPF only: ports held toward each destination, bounded from above in
 * O(1) (the "port_use" per-CPU array). A socket that connects (close ->
 * syn_sent), or one found at load that is not a listener's, is counted
 * in one of TCPSTATE_PORT_BUCKETS counters, chosen by a hash of its
 * namespace, local address, peer address and peer port (the port-use
 * alert's destination), until it gives its port back (its close, or its
 * timewait socket's death). Destinations that share a counter add up,
 * so the largest counter, summed over CPUs, is at least the ports any
 * one destination holds: while it stays below what an alert needs, no
 * socket lookup is needed to know that none fires (user/model_alerts.h).
 */
#define TCPSTATE_PORT_BUCKETS		4096

/*
 * One listening socket, the value of the BPF "listeners" map (keyed by the
 * socket's address). The tracepoint fills the identity at LISTEN; the
 * listeners_refresh program fills the queue figures in place before each
 * read: its request sockets (SYN_RECV minisockets) and accept queue.
 */
struct tcpstate_listener {
	__u64 netns_cookie;
	__u32 netns;
	__u32 syn_recv;		/* icsk_accept_queue.qlen: request sockets */
	__u32 accept_queue;	/* sk_ack_backlog */
	__u32 accept_max;	/* sk_max_ack_backlog */
	__u16 port;		/* host byte order */
	__u16 family;
	__u32 pad;
};

/*
 * /proc/net/tcpstate (module/proc.c writes it, user/proc_parse.c reads
 * it): the line "tcpstate <version>", then tables in the layout of
 * /proc/net/netstat, a row of column names and a row of values, each row
 * opening with "<Table>:". Readers find columns by name and skip tables and
 * columns they do not know.
 */
#define TCPSTATE_PROC_FILE		"tcpstate"
#define TCPSTATE_PROC_MAGIC		"tcpstate"	/* first word of line 1 */
#define TCPSTATE_PROC_VERSION		1
#define TCPSTATE_PROC_NETNS		"Netns"		/* column TCPSTATE_PROC_INUM */
#define TCPSTATE_PROC_INUM		"inum"
#define TCPSTATE_PROC_LIVE		"Live"		/* a column per live state */
#define TCPSTATE_PROC_TRANSITIONS	"Transitions"	/* columns <old>-<new> */
#define TCPSTATE_PROC_TRANS_SEP		'-'
#define TCPSTATE_PROC_DURATION		"Duration_"	/* + a live state's name */
#define TCPSTATE_PROC_LIFETIME		"Lifetime"
#define TCPSTATE_PROC_SLOT		's'		/* histogram columns s<slot> */
#define TCPSTATE_PROC_ERRORS		"Errors"	/* a column per error */
#define TCPSTATE_PROC_COLLECTOR		"Collector"	/* records records_max */
#define TCPSTATE_PROC_RECORDS		"records"
#define TCPSTATE_PROC_RECORDS_MAX	"records_max"
#define TCPSTATE_PROC_PROBE_COST	"Probe_cost"	/* probe_stats=1 only */

/*
 * The Check table (module only; readers treat it as optional, an older
 * module has none): the namespace against the kernel's own counters on
 * this read, X(index, column). Values are signed decimal; verdict is a
 * TCPSTATE_DRIFT_* number, generation the number of re-counts begun
 * (the epoch sockets are counted in).
 */
#define TCPSTATE_PROC_CHECK		"Check"
#define TCPSTATE_FOR_EACH_CHECK_COL(X)					\
	X(TCPSTATE_CHECK_SOCKETS, "sockets")				\
	X(TCPSTATE_CHECK_KERNEL_SOCKETS, "kernel_sockets")		\
	X(TCPSTATE_CHECK_TIMEWAIT, "timewait")				\
	X(TCPSTATE_CHECK_KERNEL_TIMEWAIT, "kernel_timewait")		\
	X(TCPSTATE_CHECK_VERDICT, "verdict")				\
	X(TCPSTATE_CHECK_DRIFTS, "drifts")				\
	X(TCPSTATE_CHECK_LAST_SOCKETS, "last_drift_sockets")		\
	X(TCPSTATE_CHECK_LAST_TIMEWAIT, "last_drift_timewait")		\
	X(TCPSTATE_CHECK_REPAIRS, "repairs")				\
	X(TCPSTATE_CHECK_GENERATION, "generation")

#define TCPSTATE__CHECK_ENUM(i, name)	i,
enum tcpstate_check_col {
	TCPSTATE_FOR_EACH_CHECK_COL(TCPSTATE__CHECK_ENUM)
	TCPSTATE_CHECK_NCOLS
};

/*
 * /proc/net/tcpstate_ctl (module only): write-only, root only (mode 0200
 * and CAP_SYS_ADMIN), one command per write, applying to the namespace
 * whose /proc/net it is in:
 *   "repair"                      re-count the namespace from its sockets
 *   "skew <state> <delta> [<tw>]" add delta to live[<state>] and tw to the
 *                                 timewait sockets; only with the module
 *                                 parameter test_skew=1 (fault injection
 *                                 for selftests/repair.sh)
 */
#define TCPSTATE_PROC_CTL		"tcpstate_ctl"
#define TCPSTATE_CTL_REPAIR		"repair"
#define TCPSTATE_CTL_SKEW		"skew"

/*
 * Adds one CPU's (or one map entry's) statistics into a sum: the one
 * function both readers use, so a new field cannot be left out of either.
 * TCPSTATE_LOAD reads a field that may be written meanwhile (the module
 * defines it as READ_ONCE); plain loads elsewhere.
 */
#ifndef TCPSTATE_LOAD
#define TCPSTATE_LOAD(x)	(x)
#endif
static inline void tcpstate_stats_add(struct tcpstate_stats *sum,
				      const struct tcpstate_stats *st)
{
	unsigned int i, j;

	for (i = 0; i < 2; i++)
		sum->timewait[i] += TCPSTATE_LOAD(st->timewait[i]);
	for (i = 0; i < TCPSTATE_NSTATES; i++) {
		sum->live[i] += TCPSTATE_LOAD(st->live[i]);
		sum->live_alt[i] += TCPSTATE_LOAD(st->live_alt[i]);
		for (j = 0; j < TCPSTATE_NSTATES; j++)
			sum->transitions[i][j] += TCPSTATE_LOAD(st->transitions[i][j]);
		for (j = 0; j < TCPSTATE_HIST_SLOTS; j++)
			sum->duration[i][j] += TCPSTATE_LOAD(st->duration[i][j]);
	}
	for (j = 0; j < TCPSTATE_HIST_SLOTS; j++)
		sum->lifetime[j] += TCPSTATE_LOAD(st->lifetime[j]);
}

/* Masks and bounds follow from the counts; these break the build first. */
_Static_assert((TCPSTATE_NSTATES & TCPSTATE_STATE_MASK) == 0,
	       "TCPSTATE_NSTATES must be a power of two");
_Static_assert(TCPSTATE_ST_BOUND_INACTIVE < TCPSTATE_NSTATES,
	       "a state number does not fit the tables");
_Static_assert(TCPSTATE_NSTATES <= 32, "TCPSTATE_LIVE_MASK is 32 bits");
_Static_assert(TCPSTATE_HIST_SLOTS <= TCPSTATE_HIST_SLOT_MASK + 1 &&
	       ((TCPSTATE_HIST_SLOT_MASK + 1) & TCPSTATE_HIST_SLOT_MASK) == 0,
	       "TCPSTATE_HIST_SLOT_MASK must cover every slot");

#endif /* __TCPSTATE_H */
