/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sk.bpf.h - full sockets: sock:inet_sock_set_state and tcp:tcp_destroy_sock.
 *
 * Each socket records the state it is counted in (struct sk_info). An
 * event moves the socket from its recorded state, not from the event's
 * oldstate, so the live counts are a function of the recorded states: a
 * missed event costs a transition count (counted as missed_event when the
 * next event's oldstate disagrees), never a live count. Applying an event
 * is idempotent (a socket already recorded in the event's new state is
 * left alone), so the twin programs (nest.bpf.h) can both run it. A socket
 * destroyed while still recorded live had its close missed: it is
 * uncounted then (close_unseen).
 */
#ifndef __TCPSTATE_SK_BPF_H
#define __TCPSTATE_SK_BPF_H

/*
 * A field of a socket. btf: the pointer is a BTF one (tp_btf, iterators),
 * read with a plain load; otherwise with a probe read. btf is a constant
 * in each caller, so only one of the two is compiled in.
 */
#define SK_READ(btf, sk, field) ((btf) ? (sk)->field : BPF_CORE_READ(sk, field))

/*
 * Both ports, network order. Not skc_portpair: skc_num is already zero
 * when a socket that released its port reports CLOSE.
 */
static __always_inline __u32 ports_of(__u16 sport, __u16 dport)
{
	return (__u32)sport << 16 | dport;
}

static __always_inline __u32 netns_of_sk(const struct sock *sk, const bool btf)
{
	if (btf)
		return sk->__sk_common.skc_net.net->ns.inum;
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

static __always_inline __u64 cookie_of_sk(const struct sock *sk, const bool btf)
{
	if (btf)
		return sk->__sk_common.skc_net.net->net_cookie;
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, net_cookie);
}

/* The socket's record in sk_storage or sk_table; created (zeroed) if create. */
static __always_inline struct sk_info *sk_store_get(struct sock *sk, bool create)
{
	struct sk_info zero = {};
	__u64 key = (__u64)sk;
	struct sk_info *info;

	if (targ_sk_storage)
		return bpf_sk_storage_get(&sk_storage, sk, NULL,
					  create ? BPF_SK_STORAGE_GET_F_CREATE : 0);
	info = bpf_map_lookup_elem(&sk_table, &key);
	if (info || !create)
		return info;
	bpf_map_update_elem(&sk_table, &key, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&sk_table, &key);
}

/*
 * The socket's slot in sk_slots: a multiplicative hash of its address
 * (sockets are cache-line aligned; the low bits say nothing). Of its low
 * 32 bits: the verifier lets a pointer be copied to a 32-bit scalar, not
 * shifted.
 */
static __always_inline struct sk_slot *sk_slot_of(const struct sock *sk)
{
	__u32 lo, idx;

	asm volatile("%0 = %1" : "=w"(lo) : "w"((__u32)(unsigned long)sk));
	idx = (__u32)(((__u64)(lo >> 6) * 0x9E3779B97F4A7C15ULL) >> 32);
	idx &= targ_sk_slots - 1;
	return bpf_map_lookup_elem(&sk_slots, &idx);
}

/*
 * The socket's record; created (zeroed) when create and missing. Its slot
 * when the slot is its; else its record in socket storage, if it has one
 * (made while another socket held the slot); else the slot, when free,
 * taken by compare-and-swap (sockets of other CPUs race for it); else a
 * new record in socket storage. A socket's own events are serialised by
 * its lock, so only the taking races. With a BTF pointer, a socket with
 * no storage of any map at all is seen without calling the helper: its
 * first event, in the common case.
 */
static __always_inline struct sk_info *sk_info_get(struct sock *sk, bool create,
						   const bool btf)
{
	struct sk_slot *slot = NULL;
	struct sk_info *info = NULL;

	if (targ_sk_slots) {
		slot = sk_slot_of(sk);
		if (slot && slot->sk == (__u64)sk)
			return &slot->info;
	}
	if (!btf || !targ_sk_storage || sk->sk_bpf_storage)
		info = sk_store_get(sk, false);
	if (info || !create)
		return info;
	if (slot && !slot->sk &&
	    !__sync_val_compare_and_swap(&slot->sk, 0, (__u64)sk)) {
		__builtin_memset(&slot->info, 0, sizeof(slot->info));
		return &slot->info;
	}
	return sk_store_get(sk, true);
}

/*
 * The socket's slot is free again: at its destruction, or after the last
 * program of its CLOSE event. Compare-and-swap: ordered after every write
 * of the record, before another socket takes the slot and zeroes it.
 */
static __always_inline void sk_slot_release(const struct sock *sk)
{
	struct sk_slot *slot;

	if (!targ_sk_slots)
		return;
	slot = sk_slot_of(sk);
	if (slot && slot->sk == (__u64)sk)
		__sync_val_compare_and_swap(&slot->sk, (__u64)sk, 0);
}

/* Socket storage goes with the socket; the fallback table is emptied here. */
static __always_inline void sk_info_forget(struct sock *sk)
{
	__u64 key = (__u64)sk;

	if (!targ_sk_storage)
		bpf_map_delete_elem(&sk_table, &key);
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
 * The generation a socket is counted in from now on: the current one
 * (st->epoch) for a socket not counted anywhere yet; a socket still
 * counted in an older generation (one a re-count has not reached yet, see
 * user/repair.c) is moved to the current one first.
 */
static __always_inline __u32 sk_join_epoch(struct tcpstate_stats *st,
					   struct sk_info *info)
{
	__u32 epoch = st->epoch;

	if (TCPSTATE_IS_LIVE(info->state) && info->gen != epoch)
		live_move(st, info->gen, epoch, info->state);
	info->gen = epoch;
	return epoch;
}

/* From now on the record is counted in this namespace. */
static __always_inline void sk_count_in(struct sk_info *info, __u32 netns,
					__u64 cookie)
{
	info->netns = netns;
	info->netns_cookie = cookie;
}

/*
 * A live record found by a socket leaving CLOSE (connect(), listen(), a
 * new child), or by a socket of another namespace: that of a socket whose
 * close and destruction were both missed (sk_slots: its memory is this
 * socket's now, its slot never given back; or this very socket's close).
 * Uncounted where it is counted (st, for the namespace of cookie; else
 * the dead socket's, if it still has statistics), and forgotten.
 */
static __always_inline void sk_drop_stale(struct sk_info *info,
					  struct tcpstate_stats *st, __u64 cookie)
{
	struct tcpstate_stats *old = st;

	if (info->netns_cookie != cookie)
		old = stats_find(info->netns, info->netns_cookie);
	count_error(TCPSTATE_ERR_CLOSE_UNSEEN);
	if (old && gen_counted(old, info->gen))
		live_add(old, info->gen, info->state, -1);
	port_release(&info->port_bucket);
	__builtin_memset(info, 0, sizeof(*info));
}

/* tw.bpf.h: the full socket's CLOSE that hands over to its timewait socket. */
static __always_inline bool timewait_handoff(struct sock *sk, __u32 netns,
					     struct tcpstate_stats *st,
					     struct sk_info *info, int oldstate,
					     __u64 now, const bool btf);

/*
 * One state event. Returns true when this call applied it to the socket's
 * record; false when it was applied already (by this event's first
 * program: the twin's test, nest.bpf.h) or could not be.
 */
static __always_inline bool apply_set_state(struct sock *sk, int oldstate,
					    int newstate, const bool btf,
					    const bool twin)
{
	struct tcpstate_stats *st;
	struct sk_info *info;
	__u64 now, cookie;
	__u32 netns, gen;
	int recorded;

	/* Callers pass TCP sockets only. */
	if (!state_ok(oldstate) || !state_ok(newstate)) {
		if (!twin)
			count_error(TCPSTATE_ERR_BAD_STATE);
		return false;
	}
	info = sk_info_get(sk, true, btf);
	recorded = info ? info->state : 0;
	cookie = cookie_of_sk(sk, btf);
	/* Applied already (idempotent), unless by a socket of another namespace. */
	if (info && recorded == newstate && info->netns_cookie == cookie)
		return false;

	/* The record's, when it is this namespace's: struct net's inode is cold. */
	netns = info && info->netns_cookie == cookie ? info->netns : 0;
	barrier_var(netns);	/* two loads, not one from either pointer */
	if (!netns)
		netns = netns_of_sk(sk, btf);
	st = stats_of(netns, cookie);
	if (!st)
		return false;
	now = bpf_ktime_get_ns();
	if (oldstate == TCP_LISTEN || newstate == TCP_LISTEN)
		listener_track(sk, netns, cookie, oldstate, newstate, btf);

	if (!info) {
		/* The first program counted it blindly, if it ran. */
		if (twin)
			return false;
		/* No history: count the move blindly and say so. */
		count_error(TCPSTATE_ERR_SK_STORAGE);
		transition_add(st, oldstate, newstate, 1);
		if (old_was_counted(oldstate, newstate))
			live_add(st, st->epoch, oldstate, -1);
		live_add(st, st->epoch, newstate, 1);
		return true;
	}

	if (TCPSTATE_IS_LIVE(recorded) &&
	    (!old_was_counted(oldstate, newstate) || info->netns_cookie != cookie)) {
		sk_drop_stale(info, st, cookie);
		recorded = 0;
	} else if (!recorded) {
		/* Older than the collector and not yet seen by the baseline. */
		if (old_was_counted(oldstate, newstate))
			count_error(TCPSTATE_ERR_UNTRACKED);
	} else if (recorded != oldstate && old_was_counted(oldstate, newstate)) {
		/* An event of this socket between the two was missed. */
		count_error(TCPSTATE_ERR_MISSED_EVENT);
	}
	gen = sk_join_epoch(st, info);
	live_add(st, gen, recorded, -1);

	if (newstate == TCP_CLOSE && TCPSTATE_IS_LIVE(recorded) &&
	    timewait_handoff(sk, netns, st, info, oldstate, now, btf)) {
		info->state = TCP_CLOSE;
		sk_info_forget(sk);
		return true;
	}

	transition_add(st, oldstate, newstate, 1);
	duration_add(st, recorded, info->entered_ns, now);

	if ((oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT) ||
	    (oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV))
		info->born_ns = now;
	/* Where the owner is the current task: connect(), listen(), close(). */
	if (newstate == TCP_SYN_SENT || newstate == TCP_LISTEN ||
	    (!info->tgid && (newstate == TCP_FIN_WAIT1 || newstate == TCP_LAST_ACK)))
		remember_owner(info, btf);

	/* Ports per destination: with a BTF pointer, which reads the addresses. */
	if (btf && oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT)
		port_hold(&info->port_bucket, port_bucket_sk(sk, cookie));
	if (newstate == TCP_CLOSE) {
		lifetime_add(st, info->born_ns, now);
		port_release(&info->port_bucket);
		/*
		 * Its namespace too, for the twin's test above: a socket
		 * first seen closing (older than the collector, never
		 * counted) has none yet, and the twin would apply the
		 * close again.
		 */
		sk_count_in(info, netns, cookie);
		info->state = TCP_CLOSE;
		info->born_ns = 0;
		sk_info_forget(sk);
		return true;
	}
	live_add(st, gen, newstate, 1);
	sk_count_in(info, netns, cookie);
	info->state = newstate;
	info->entered_ns = now;
	return true;
}

/*
 * One state event, applied by each of its programs. After the last one (the
 * twin, or the only one with classic tracepoints) a closed socket's slot is
 * free: no program of this event looks for its record again, and a socket
 * that leaves CLOSE later starts a new record (what the record of a closed
 * socket says, only this event's other program needs).
 */
static __always_inline bool on_set_state(struct sock *sk, int oldstate,
					 int newstate, const bool btf,
					 const bool twin)
{
	bool done = apply_set_state(sk, oldstate, newstate, btf, twin);

	if (newstate == TCP_CLOSE && (twin || !btf))
		sk_slot_release(sk);
	return done;
}

/*
 * tcp_v4_destroy_sock() (IPv6 too): the socket is in CLOSE. Still recorded
 * live, it missed its close: uncount it. Returns whether it did anything.
 */
static __always_inline bool on_destroy(struct sock *sk, const bool btf)
{
	struct tcpstate_stats *st;
	struct sk_info *info;
	int recorded;

	info = sk_info_get(sk, false, btf);
	if (!info)
		return false;
	recorded = info->state;
	if (!TCPSTATE_IS_LIVE(recorded)) {
		sk_slot_release(sk);
		return false;
	}
	info->state = TCP_CLOSE;
	count_error(TCPSTATE_ERR_CLOSE_UNSEEN);
	/* Where it is counted: this socket's namespace, or a dead socket's. */
	st = stats_find(info->netns, info->netns_cookie);
	if (st && gen_counted(st, info->gen))
		live_add(st, info->gen, recorded, -1);
	port_release(&info->port_bucket);
	sk_info_forget(sk);
	sk_slot_release(sk);
	return true;
}

#endif /* __TCPSTATE_SK_BPF_H */
