// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcpstate.bpf.c - per network namespace TCP state accounting.
 *
 * Three kinds of socket make up what ss shows, and each has its own path:
 *
 * - Full sockets: sock:inet_sock_set_state. Each socket remembers the
 *   state it is counted in (sk_info), so a socket is never counted twice,
 *   whether the live hook or the load-time baseline iterator saw it first.
 * - TIME_WAIT sockets (inet_timewait_sock) never pass through
 *   inet_sock_set_state. Their timer does: the first timer_start of a
 *   tw_timer_handler timer is the birth, a timer_cancel not followed on
 *   the same CPU by a timer_start of the same timer is the death (a re-arm
 *   across timer-wheel buckets is cancel then start under the timer base
 *   lock). The substate change FIN_WAIT2 -> TIME_WAIT fires nothing; it is
 *   reconciled by the fw2_reconcile iterator at read time and at death.
 * - Request sockets (SYN_RECV minisockets) fire nothing either; each
 *   listener's accept-queue qlen counts them, read by the listeners
 *   iterator at read time.
 *
 * Everything is summed per CPU into one struct tcpstate_stats per netns;
 * nothing crosses to user space per event.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "tcpstate.h"

#define AF_INET		2
#define AF_INET6	10
#define IPPROTO_TCP	6
#define NSEC_PER_SEC	1000000000ULL
#define TW_LEN_SEC	60	/* TCP_TIMEWAIT_LEN */

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader before load. */
const volatile __u64 targ_tw_timer_fn;	/* address of tw_timer_handler */
const volatile bool targ_sk_storage;	/* tp_btf: per-socket data in sk_storage */

extern int CONFIG_HZ __kconfig __weak;

/* What each full socket carries between events. */
struct sk_info {
	__u64 entered_ns;	/* entered the counted state; 0: unknown */
	__u64 born_ns;		/* SYN_SENT/SYN_RECV; 0: unknown */
	__u32 tgid;
	__u8 state;		/* the state it is counted in; 0: not counted */
	__u8 pad[3];
	char comm[TCPSTATE_TASK_COMM_LEN];
};

/* What ties a timewait socket to its full socket and its re-arms. */
struct tw_ident {
	__u32 hash;
	__u32 ports;
};

/* Per-CPU scratch that links consecutive timer and state events. */
struct tw_scratch {
	/* Last timewait death on this CPU, undone if its timer re-arms. */
	__u64 rearm_tw;
	struct tw_ident rearm_id;
	struct tcpstate_tw rearm;
	__s32 rearm_dur_slot;
	__s32 rearm_life_slot;
	/*
	 * Last timewait birth, matched to the full socket's CLOSE that
	 * follows it on this CPU (tcp_time_wait(), then tcp_done()). Matched
	 * by netns and tuple, not by time: a vCPU paused between the two
	 * would outlast any window.
	 */
	__u64 handoff_tw;
	struct tw_ident handoff_id;
	__u32 handoff_netns;
	__u32 pad;
};

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

/* The same, keyed by socket address, where sk_storage is not usable. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1 << 21);
	__type(key, __u64);
	__type(value, struct sk_info);
} sk_table SEC(".maps");

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
	__uint(max_entries, TCPSTATE_MAX_TIMEWAIT);
	__type(key, __u64);
	__type(value, __u8);
} fw2_pending SEC(".maps");

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

static __always_inline void count_error(int which)
{
	__u32 zero = 0;
	struct tcpstate_errors *e = bpf_map_lookup_elem(&errors, &zero);

	if (e && (unsigned int)which < TCPSTATE_NERRORS)
		__sync_fetch_and_add(&e->count[which], 1);
}

/* The statistics of a namespace, created on first use. */
/* The entry of key in map, created zeroed when missing; NULL if it cannot be. */
static __always_inline struct tcpstate_stats *
stats_entry(void *map, struct tcpstate_netns_key *key)
{
	struct tcpstate_stats *st;
	__u32 zero = 0;
	void *init;

	st = bpf_map_lookup_elem(map, key);
	if (st)
		return st;
	init = bpf_map_lookup_elem(&zero_stats, &zero);
	if (!init)
		return NULL;
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

static __always_inline struct tcpstate_stats *stats_of(__u32 inum, __u64 cookie)
{
	struct tcpstate_netns_key key = { .cookie = cookie, .inum = inum };
	struct tcpstate_stats *st;

	st = stats_entry(&netns_stats, &key);
	if (st)
		return st;
	st = stats_entry(&netns_spill, &key);
	if (!st)
		count_error(TCPSTATE_ERR_NETNS_FULL);
	return st;
}

/* Slot of a duration in ns: see TCPSTATE_HIST_SLOTS. */
static __always_inline __u32 hist_slot(__u64 ns)
{
	__u64 v = ns / 1000;
	__u32 r = 0, shift;

	if (!v)
		return 0;
	shift = (v > 0xFFFFFFFFULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xFFFF) << 4; v >>= shift; r |= shift;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	r += 1;		/* fls64 */
	return r < TCPSTATE_HIST_SLOTS ? r : TCPSTATE_HIST_SLOTS - 1;
}

static __always_inline bool state_ok(int s)
{
	return s > 0 && s < TCPSTATE_NSTATES;
}

/* A state as an index the verifier can see is bounded (clang would drop a
 * plain mask after state_ok()).
 */
static __always_inline __u64 sidx(int s)
{
	__u64 v = (__u32)s;

	asm volatile("%0 &= %1" : "+r"(v) : "i"(TCPSTATE_STATE_MASK));
	return v;
}

static __always_inline __u64 slotidx(int slot)
{
	__u64 v = (__u32)slot;

	asm volatile("%0 &= %1" : "+r"(v) : "i"(TCPSTATE_HIST_SLOT_MASK));
	return v < TCPSTATE_HIST_SLOTS ? v : TCPSTATE_HIST_SLOTS - 1;
}

static __always_inline void live_add(struct tcpstate_stats *st, int s, __s64 d)
{
	if (state_ok(s))
		__sync_fetch_and_add(&st->live[sidx(s)], d);
}

static __always_inline void transition_add(struct tcpstate_stats *st, int from,
					   int to, __s64 d)
{
	if (state_ok(from) && state_ok(to))
		__sync_fetch_and_add(&st->transitions[sidx(from)][sidx(to)], d);
}

/* Records time spent in s; returns the slot used, -1 when unknown. */
static __always_inline int duration_add(struct tcpstate_stats *st, int s,
					__u64 since, __u64 now)
{
	__u32 slot;

	if (!since || now < since || !state_ok(s))
		return -1;
	slot = hist_slot(now - since);
	__sync_fetch_and_add(&st->duration[sidx(s)][slotidx(slot)], 1);
	return slot;
}

static __always_inline int lifetime_add(struct tcpstate_stats *st, __u64 born,
					__u64 now)
{
	__u32 slot;

	if (!born || now < born)
		return -1;
	slot = hist_slot(now - born);
	__sync_fetch_and_add(&st->lifetime[slotidx(slot)], 1);
	return slot;
}

/*
 * Both ports, network order. Not skc_portpair: skc_num is already zero
 * when a socket that released its port reports CLOSE.
 */
static __always_inline __u32 ports_of(__u16 sport, __u16 dport)
{
	return (__u32)sport << 16 | dport;
}

static __always_inline struct tw_scratch *scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

/* ---- full sockets ---------------------------------------------------- */

static __always_inline struct sk_info *sk_info_get(struct sock *sk)
{
	struct sk_info zero = {};
	__u64 key = (__u64)sk;
	struct sk_info *info;

	if (targ_sk_storage)
		return bpf_sk_storage_get(&sk_storage, sk, NULL,
					  BPF_SK_STORAGE_GET_F_CREATE);
	info = bpf_map_lookup_elem(&sk_table, &key);
	if (info)
		return info;
	bpf_map_update_elem(&sk_table, &key, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&sk_table, &key);
}

static __always_inline void sk_info_forget(struct sock *sk)
{
	__u64 key = (__u64)sk;

	if (!targ_sk_storage)
		bpf_map_delete_elem(&sk_table, &key);
}

/*
 * A field of a socket. btf: the pointer is a BTF one (tp_btf, iterators),
 * read with a plain load; otherwise with a probe read. btf is a constant
 * in each caller, so only one of the two is compiled in.
 */
#define SK_READ(btf, sk, field) ((btf) ? (sk)->field : BPF_CORE_READ(sk, field))

static __always_inline __u32 netns_of_sk(const struct sock *sk, const bool btf)
{
	if (btf)
		return sk->__sk_common.skc_net.net->ns.inum;
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

/*
 * Whether an event's oldstate is one the socket was counted in. Not for a
 * socket leaving CLOSE, nor for the accepted child, whose event reports
 * the listener's LISTEN.
 */
static __always_inline bool old_was_counted(int oldstate, int newstate)
{
	return oldstate != TCP_CLOSE &&
	       !(oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV);
}

static __always_inline void remember_owner(struct sk_info *info, const bool btf)
{
	if (btf) {
		/* Plain loads from the task: no helper copies the name. */
		struct task_struct *task = bpf_get_current_task_btf();

		info->tgid = task->tgid;
		__builtin_memcpy(info->comm, task->comm, sizeof(info->comm));
		return;
	}
	info->tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(info->comm, sizeof(info->comm));
}

static __always_inline void listener_track(struct sock *sk, __u32 netns,
					   __u64 cookie, int oldstate, int newstate,
					   const bool btf)
{
	__u64 key = (__u64)sk;

	if (newstate == TCP_LISTEN) {
		struct tcpstate_listener l = {
			.netns_cookie = cookie,
			.netns = netns,
			.port = SK_READ(btf, sk, __sk_common.skc_num),
			.family = SK_READ(btf, sk, __sk_common.skc_family),
		};

		if (bpf_map_update_elem(&listeners, &key, &l, BPF_ANY))
			count_error(TCPSTATE_ERR_LISTENER_FULL);
	} else if (oldstate == TCP_LISTEN && newstate == TCP_CLOSE) {
		bpf_map_delete_elem(&listeners, &key);
	}
}

/*
 * The full socket is closing because tcp_time_wait() has just created a
 * timewait socket for it: hand its identity over, and record the
 * transition as ss sees it.
 */
static __always_inline bool timewait_handoff(struct sock *sk, __u32 netns,
					     struct tcpstate_stats *st,
					     struct sk_info *info, int oldstate,
					     __u64 now, const bool btf)
{
	struct tw_scratch *s = scratch_get();
	struct tcpstate_tw *tw;
	__u64 key;

	if (!s || !s->handoff_tw ||
	    s->handoff_netns != netns ||
	    s->handoff_id.hash != SK_READ(btf, sk, __sk_common.skc_hash) ||
	    s->handoff_id.ports != ports_of(BPF_CORE_READ((struct inet_sock *)sk, inet_sport),
					    SK_READ(btf, sk, __sk_common.skc_dport)))
		return false;
	key = s->handoff_tw;
	s->handoff_tw = 0;
	tw = bpf_map_lookup_elem(&timewait, &key);
	if (!tw)
		return false;
	tw->conn_born_ns = info->born_ns;
	tw->tgid = info->tgid;
	__builtin_memcpy(tw->comm, info->comm, sizeof(tw->comm));
	if (oldstate == TCP_FIN_WAIT2 && tw->substate == TCP_FIN_WAIT2) {
		/* Still FIN-WAIT-2 to ss: the time in it goes on. */
		tw->entered_ns = info->entered_ns;
	} else {
		transition_add(st, oldstate, tw->substate, 1);
		duration_add(st, oldstate, info->entered_ns, now);
	}
	return true;
}

static __always_inline void on_set_state(struct sock *sk, int oldstate,
					 int newstate, const bool btf)
{
	struct tcpstate_stats *st;
	struct sk_info *info;
	__u64 now, cookie;
	__u32 netns;
	int counted;

	/* Callers pass TCP sockets only. */
	if (!state_ok(oldstate) || !state_ok(newstate)) {
		count_error(TCPSTATE_ERR_BAD_STATE);
		return;
	}
	netns = netns_of_sk(sk, btf);
	cookie = btf ? sk->__sk_common.skc_net.net->net_cookie :
		       BPF_CORE_READ(sk, __sk_common.skc_net.net, net_cookie);
	st = stats_of(netns, cookie);
	if (!st)
		return;
	now = bpf_ktime_get_ns();
	if (oldstate == TCP_LISTEN || newstate == TCP_LISTEN)
		listener_track(sk, netns, cookie, oldstate, newstate, btf);

	info = sk_info_get(sk);
	if (!info) {
		/* No history: count the move blindly and say so. */
		count_error(TCPSTATE_ERR_SK_STORAGE);
		transition_add(st, oldstate, newstate, 1);
		if (old_was_counted(oldstate, newstate))
			live_add(st, oldstate, -1);
		if (newstate != TCP_CLOSE)
			live_add(st, newstate, 1);
		return;
	}

	counted = info->state;
	if (counted) {
		live_add(st, counted, -1);
	} else if (old_was_counted(oldstate, newstate)) {
		/* Older than the collector and not yet seen by the baseline. */
		count_error(TCPSTATE_ERR_UNTRACKED);
	}

	if (newstate == TCP_CLOSE && counted &&
	    timewait_handoff(sk, netns, st, info, oldstate, now, btf)) {
		info->state = 0;
		sk_info_forget(sk);
		return;
	}

	transition_add(st, oldstate, newstate, 1);
	if (counted)
		duration_add(st, counted, info->entered_ns, now);

	if ((oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT) ||
	    (oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV))
		info->born_ns = now;
	/* Where the owner is the current task: connect(), listen(), close(). */
	if (newstate == TCP_SYN_SENT || newstate == TCP_LISTEN ||
	    (!info->tgid && (newstate == TCP_FIN_WAIT1 || newstate == TCP_LAST_ACK)))
		remember_owner(info, btf);

	if (newstate == TCP_CLOSE) {
		lifetime_add(st, info->born_ns, now);
		info->state = 0;
		info->born_ns = 0;
		sk_info_forget(sk);
		return;
	}
	live_add(st, newstate, 1);
	info->state = newstate;
	info->entered_ns = now;
}

/*
 * Nesting. The kernel runs a tp_btf program at most once per CPU at a
 * time: an event that fires while the program is active (a softirq on top
 * of a process-context transition, even in the kernel's own prologue or
 * epilogue around the program) is skipped and only counted in the
 * program's recursion_misses. So each tracepoint has two programs, run in
 * turn for every event. The first does the work and pushes the event on a
 * small per-CPU stack; the second pops it from there, or, not finding it,
 * knows the first was skipped and does the work itself.
 *
 * Tracepoint probes run with preemption off, so events on one CPU nest
 * strictly: whatever fires between the two programs of an event, or inside
 * one of them, has finished before that event's second program runs. So
 * the event is on the stack under only entries of finished events, and
 * popping down to it empties those slots too. An entry stays behind when
 * its second program was skipped (it fired inside the second program of
 * an outer event); that outer second program drops it when it finishes,
 * except in the few instructions of its epilogue. Every slot above the
 * top is empty, so the search, which wraps around, sees only the stack. Only
 * an event that fires inside the second program's own nested run is lost;
 * handled[] lets user space report exactly those (misses - handled).
 */
#define SEEN_DEPTH 8	/* a power of 2; far above any nesting depth */

struct seen_stack {
	__u64 obj[TCPSTATE_NEST_MAX][SEEN_DEPTH];	/* socket or timer */
	__u32 what[TCPSTATE_NEST_MAX][SEEN_DEPTH];	/* old << 8 | new */
	__u32 top[TCPSTATE_NEST_MAX];	/* free-running; slot = top % depth */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcpstate_nesting);
} nesting SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct seen_stack);
} seen SEC(".maps");

static __always_inline struct seen_stack *seen_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&seen, &zero);
}

/* The first program: the event is being handled. */
static __always_inline void seen_push(int idx, __u64 obj, __u32 what)
{
	struct seen_stack *r = seen_get();
	__u32 h;

	if (!r)
		return;
	idx &= TCPSTATE_NEST_MAX - 1;
	h = r->top[idx]++ & (SEEN_DEPTH - 1);
	r->obj[idx][h] = obj;
	r->what[idx][h] = what;
}

/* Empties the n slots from the stack's top down, then lowers the top. */
static __always_inline void seen_drop(struct seen_stack *r, int idx, __u32 n)
{
	__u32 top;

	idx &= TCPSTATE_NEST_MAX - 1;
	top = r->top[idx];
	for (__u32 i = 1; i <= SEEN_DEPTH && i <= n; i++)
		r->obj[idx][(top - i) & (SEEN_DEPTH - 1)] = 0;
	r->top[idx] = top - n;
}

/*
 * The second program: true when the first one handled this event, which
 * is then popped with whatever finished events lie above it.
 */
static __always_inline bool seen_pop(struct seen_stack *r, int idx,
				     __u64 obj, __u32 what)
{
	__u32 top, h;

	idx &= TCPSTATE_NEST_MAX - 1;
	top = r->top[idx];
	for (__u32 i = 1; i <= SEEN_DEPTH; i++) {
		h = (top - i) & (SEEN_DEPTH - 1);
		if (r->obj[idx][h] == obj && r->what[idx][h] == what) {
			seen_drop(r, idx, i);
			return true;
		}
	}
	return false;
}

static __always_inline void nest_handled(int idx)
{
	struct tcpstate_nesting *n;
	__u32 zero = 0;

	n = bpf_map_lookup_elem(&nesting, &zero);
	if (n)
		__sync_fetch_and_add(&n->handled[idx & (TCPSTATE_NEST_MAX - 1)], 1);
}

/*
 * filter: the event concerns us; obj/what: its identity; call: the work.
 * The second program, doing the work itself, then drops what events that
 * fired during it pushed: they have finished, their second program skipped.
 */
#define NESTED_PAIR(tp, name, idx, proto, filter, obj, what, call)	\
SEC("tp_btf/" #tp)							\
int BPF_PROG(name##_btf, proto)						\
{									\
	if (!(filter))							\
		return 0;						\
	seen_push(idx, (__u64)(obj), (what));				\
	call;								\
	return 0;							\
}									\
									\
SEC("tp_btf/" #tp)							\
int BPF_PROG(name##_nest, proto)					\
{									\
	struct seen_stack *r;						\
	__u32 top;							\
									\
	if (!(filter))							\
		return 0;						\
	r = seen_get();							\
	if (!r || seen_pop(r, idx, (__u64)(obj), (what)))		\
		return 0;						\
	top = r->top[(idx) & (TCPSTATE_NEST_MAX - 1)];			\
	nest_handled(idx);						\
	call;								\
	seen_drop(r, idx, r->top[(idx) & (TCPSTATE_NEST_MAX - 1)] - top); \
	return 0;							\
}

#define COMMA ,
NESTED_PAIR(inet_sock_set_state, set_state, TCPSTATE_NEST_SET_STATE,
	    struct sock *sk COMMA int oldstate COMMA int newstate,
	    sk->sk_protocol == IPPROTO_TCP, sk, (__u32)oldstate << 8 | newstate,
	    on_set_state(sk, oldstate, newstate, true))

SEC("tracepoint/sock/inet_sock_set_state")
int set_state_tp(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	on_set_state((struct sock *)ctx->skaddr, ctx->oldstate, ctx->newstate, false);
	return 0;
}

/* ---- timewait sockets ------------------------------------------------ */

static __always_inline struct inet_timewait_sock *tw_of_timer(void *timer)
{
	return (void *)timer - bpf_core_field_offset(struct inet_timewait_sock,
						     tw_timer);
}

static __always_inline void tw_fill(struct tcpstate_tw *e,
				    struct inet_timewait_sock *tw)
{
	e->netns = BPF_CORE_READ(tw, __tw_common.skc_net.net, ns.inum);
	e->netns_cookie = BPF_CORE_READ(tw, __tw_common.skc_net.net, net_cookie);
	e->substate = BPF_CORE_READ(tw, tw_substate);
	e->family = BPF_CORE_READ(tw, __tw_common.skc_family);
	e->sport = BPF_CORE_READ(tw, __tw_common.skc_num);
	e->dport = bpf_ntohs(BPF_CORE_READ(tw, __tw_common.skc_dport));
	if (e->family == AF_INET6)
		BPF_CORE_READ_INTO(&e->daddr, tw, __tw_common.skc_v6_daddr.in6_u.u6_addr8);
	else
		BPF_CORE_READ_INTO(&e->daddr, tw, __tw_common.skc_daddr);
}

static __always_inline struct tw_ident tw_ident_of(struct inet_timewait_sock *tw)
{
	struct tw_ident id = {
		.hash = BPF_CORE_READ(tw, __tw_common.skc_hash),
		.ports = ports_of(BPF_CORE_READ(tw, tw_sport),
				  BPF_CORE_READ(tw, __tw_common.skc_dport)),
	};

	return id;
}

/* When a timewait socket left substate FIN_WAIT2 for TIME_WAIT. */
static __always_inline __u64 tw_substate_changed_ns(struct inet_timewait_sock *tw,
						    __u64 entered, __u64 now)
{
	__u64 hz = CONFIG_HZ, expires, jnow, changed, ago;

	/* The FIN re-armed the timer to TCP_TIMEWAIT_LEN from then. */
	if (!hz)
		return now;
	expires = BPF_CORE_READ(tw, tw_timer.expires);
	jnow = bpf_jiffies64();
	changed = expires - TW_LEN_SEC * hz;
	if ((__s64)(jnow - changed) < 0)
		return now;
	ago = (jnow - changed) * (NSEC_PER_SEC / hz);
	if (ago > now || now - ago < entered)
		return entered ? entered : now;
	return now - ago;
}

/* Moves a timewait socket counted FIN_WAIT2 to TIME_WAIT if it is now. */
static __always_inline void tw_reconcile(__u64 key, struct tcpstate_tw *e,
					 __u64 now)
{
	struct inet_timewait_sock *tw = (void *)key;
	struct tcpstate_stats *st;
	__u64 changed;

	if (e->substate != TCP_FIN_WAIT2 ||
	    BPF_CORE_READ(tw, tw_substate) != TCP_TIME_WAIT)
		return;
	bpf_map_delete_elem(&fw2_pending, &key);
	st = stats_of(e->netns, e->netns_cookie);
	if (!st)
		return;
	changed = tw_substate_changed_ns(tw, e->entered_ns, now);
	live_add(st, TCP_FIN_WAIT2, -1);
	live_add(st, TCP_TIME_WAIT, 1);
	transition_add(st, TCP_FIN_WAIT2, TCP_TIME_WAIT, 1);
	duration_add(st, TCP_FIN_WAIT2, e->entered_ns, changed);
	e->substate = TCP_TIME_WAIT;
	e->entered_ns = changed;
}

static __always_inline void tw_born(void *timer)
{
	struct inet_timewait_sock *tw = tw_of_timer(timer);
	struct tcpstate_stats *st;
	struct tw_scratch *s;
	struct tcpstate_tw e = {};
	__u64 key = (__u64)tw;
	__u64 now = bpf_ktime_get_ns();
	struct tw_ident id;
	int err;

	s = scratch_get();
	if (!s)
		return;
	id = tw_ident_of(tw);
	/*
	 * A re-arm is cancel then start of the same timer back to back on one
	 * CPU, under the timer base lock. A new timewait socket may reuse a
	 * dead one's memory, even with its tuple, so the address does not say
	 * it: the reference count does. No time window is involved, so a vCPU
	 * paused between the two events changes nothing.
	 */
	if (s->rearm_tw == key &&
	    BPF_CORE_READ(tw, __tw_common.skc_refcnt.refs.counter) >= TCPSTATE_TW_REARM_REFS &&
	    s->rearm_id.hash == id.hash && s->rearm_id.ports == id.ports) {
		/* Cancel then start: a re-arm, not a death. Undo it. */
		s->rearm_tw = 0;
		st = stats_of(s->rearm.netns, s->rearm.netns_cookie);
		if (!st)
			return;
		if (bpf_map_update_elem(&timewait, &key, &s->rearm, BPF_NOEXIST))
			count_error(TCPSTATE_ERR_TW_FULL);
		if (s->rearm.substate == TCP_FIN_WAIT2)
			bpf_map_update_elem(&fw2_pending, &key, &s->rearm.substate,
					    BPF_ANY);
		live_add(st, s->rearm.substate, 1);
		transition_add(st, s->rearm.substate, TCP_CLOSE, -1);
		if (s->rearm_dur_slot >= 0 && s->rearm_dur_slot < TCPSTATE_HIST_SLOTS &&
		    state_ok(s->rearm.substate))
			__sync_fetch_and_add(&st->duration[sidx(s->rearm.substate)]
							  [slotidx(s->rearm_dur_slot)], -1);
		if (s->rearm_life_slot >= 0 && s->rearm_life_slot < TCPSTATE_HIST_SLOTS)
			__sync_fetch_and_add(&st->lifetime[slotidx(s->rearm_life_slot)], -1);
		return;
	}
	s->rearm_tw = 0;
	if (bpf_map_lookup_elem(&timewait, &key))
		return;		/* already counted (baseline) */

	tw_fill(&e, tw);
	e.born_ns = now;
	e.entered_ns = now;
	st = stats_of(e.netns, e.netns_cookie);
	if (!st)
		return;
	err = bpf_map_update_elem(&timewait, &key, &e, BPF_NOEXIST);
	if (err == -17 /* EEXIST */)
		return;
	if (err)
		count_error(TCPSTATE_ERR_TW_FULL);
	if (e.substate == TCP_FIN_WAIT2 &&
	    bpf_map_update_elem(&fw2_pending, &key, &e.substate, BPF_ANY))
		count_error(TCPSTATE_ERR_FW2_FULL);
	live_add(st, e.substate, 1);

	s->handoff_tw = key;
	s->handoff_netns = e.netns;
	s->handoff_id = id;
}

static __always_inline void tw_died(void *timer)
{
	struct inet_timewait_sock *tw = tw_of_timer(timer);
	struct tcpstate_stats *st;
	struct tcpstate_tw *e;
	struct tw_scratch *s;
	__u64 key = (__u64)tw;
	__u64 now = bpf_ktime_get_ns();

	s = scratch_get();
	if (!s)
		return;
	e = bpf_map_lookup_elem(&timewait, &key);
	if (!e) {
		struct tcpstate_tw tmp = {};

		/* Never recorded (table full at birth): it was counted. */
		count_error(TCPSTATE_ERR_TW_UNTRACKED);
		tw_fill(&tmp, tw);
		st = stats_of(tmp.netns, tmp.netns_cookie);
		if (st)
			live_add(st, tmp.substate, -1);
		return;
	}
	tw_reconcile(key, e, now);
	st = stats_of(e->netns, e->netns_cookie);
	if (!st)
		return;
	live_add(st, e->substate, -1);
	transition_add(st, e->substate, TCP_CLOSE, 1);
	s->rearm = *e;
	s->rearm_dur_slot = duration_add(st, e->substate, e->entered_ns, now);
	s->rearm_life_slot = lifetime_add(st, e->conn_born_ns, now);
	s->rearm_tw = key;
	s->rearm_id = tw_ident_of(tw);
	if (s->handoff_tw == key)
		s->handoff_tw = 0;
	if (e->substate == TCP_FIN_WAIT2)
		bpf_map_delete_elem(&fw2_pending, &key);
	bpf_map_delete_elem(&timewait, &key);
}

static __always_inline bool is_tw_timer(void *fn)
{
	return targ_tw_timer_fn && (__u64)fn == targ_tw_timer_fn;
}

NESTED_PAIR(timer_start, timer_start, TCPSTATE_NEST_TIMER_START,
	    struct timer_list *timer, is_tw_timer(timer->function), timer, 0,
	    tw_born(timer))

NESTED_PAIR(timer_cancel, timer_cancel, TCPSTATE_NEST_TIMER_CANCEL,
	    struct timer_list *timer, is_tw_timer(timer->function), timer, 0,
	    tw_died(timer))

SEC("tracepoint/timer/timer_start")
int timer_start_tp(struct trace_event_raw_timer_start *ctx)
{
	if (is_tw_timer(ctx->function))
		tw_born(ctx->timer);
	return 0;
}

SEC("tracepoint/timer/timer_cancel")
int timer_cancel_tp(struct trace_event_raw_timer_class *ctx)
{
	struct timer_list *timer = ctx->timer;

	if (is_tw_timer(BPF_CORE_READ(timer, function)))
		tw_died(timer);
	return 0;
}

/* ---- iterators, run from user space ---------------------------------- */

/*
 * Baseline: counts the sockets of the iterator's netns that no event has
 * counted yet. For full sockets the iterator holds the socket lock, which
 * orders it against state changes; sk_info says whether a socket is
 * counted already.
 */
SEC("iter/tcp")
int baseline(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcpstate_stats *st;
	struct sk_info *info;
	struct tcp_sock *tp;
	__u64 cookie;
	__u32 netns;
	int state;

	if (!skc)
		return 0;
	state = skc->skc_state;
	netns = skc->skc_net.net->ns.inum;
	cookie = skc->skc_net.net->net_cookie;
	st = stats_of(netns, cookie);
	if (!st)
		return 0;

	if (state == TCP_TIME_WAIT) {
		struct tcp_timewait_sock *ttw = bpf_skc_to_tcp_timewait_sock(skc);
		struct inet_timewait_sock *tw;
		struct tcpstate_tw e = {};
		__u64 key;

		if (!ttw)
			return 0;
		tw = &ttw->tw_sk;
		key = (__u64)tw;
		/* Its timer already cancelled: dying, not to be counted. */
		if (!BPF_CORE_READ(tw, tw_timer.entry.pprev))
			return 0;
		tw_fill(&e, tw);
		if (bpf_map_update_elem(&timewait, &key, &e, BPF_NOEXIST))
			return 0;	/* counted by its birth, or full */
		if (e.substate == TCP_FIN_WAIT2)
			bpf_map_update_elem(&fw2_pending, &key, &e.substate, BPF_ANY);
		live_add(st, e.substate, 1);
		return 0;
	}
	if (state == TCP_NEW_SYN_RECV)
		return 0;	/* counted through the listener's qlen */

	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0;
	info = sk_info_get((struct sock *)tp);
	if (!info) {
		count_error(TCPSTATE_ERR_SK_STORAGE);
		return 0;
	}
	if (info->state || state == TCP_CLOSE || !state_ok(state))
		return 0;
	info->state = state;
	live_add(st, state, 1);
	if (state == TCP_LISTEN)
		listener_track((struct sock *)tp, netns, cookie, TCP_CLOSE,
			       TCP_LISTEN, true);
	return 0;
}

/*
 * Programs user space runs (BPF_PROG_TEST_RUN) before each read; they walk
 * only their own maps, O(entries), never the sockets.
 */

static long listener_refresh(struct bpf_map *map, __u64 *key,
			     struct tcpstate_listener *l, void *ctx)
{
	struct inet_connection_sock *icsk = (void *)*key;

	l->syn_recv = BPF_CORE_READ(icsk, icsk_accept_queue.qlen.counter);
	l->accept_queue = BPF_CORE_READ(icsk, icsk_inet.sk.sk_ack_backlog);
	l->accept_max = BPF_CORE_READ(icsk, icsk_inet.sk.sk_max_ack_backlog);
	return 0;
}

/* Every listener's request sockets and accept queue, written in place. */
SEC("syscall")
int listeners_refresh(void *ctx)
{
	bpf_for_each_map_elem(&listeners, listener_refresh, NULL, 0);
	return 0;
}

static long fw2_check(struct bpf_map *map, __u64 *k, __u8 *v, void *ctx)
{
	__u64 key = *k;
	struct tcpstate_tw *e;

	e = bpf_map_lookup_elem(&timewait, &key);
	if (!e) {
		bpf_map_delete_elem(&fw2_pending, &key);
		return 0;
	}
	tw_reconcile(key, e, bpf_ktime_get_ns());
	return 0;
}

/* Re-reads the substate of timewait sockets counted as FIN_WAIT2. */
SEC("syscall")
int fw2_reconcile(void *ctx)
{
	bpf_for_each_map_elem(&fw2_pending, fw2_check, NULL, 0);
	return 0;
}
