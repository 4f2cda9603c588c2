/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tw.bpf.h - timewait sockets (struct inet_timewait_sock).
 *
 * They never pass through inet_sock_set_state; their timer does. The first
 * timer_start of a tw_timer_handler timer is the birth, a timer_cancel not
 * followed on the same CPU by a timer_start of the same timer is the death
 * (a re-arm across timer-wheel buckets is cancel then start under the
 * timer base lock). Each is recorded in the timewait map; a death that
 * finds no record takes nothing away, so a missed birth can never drive a
 * count below zero. The substate change FIN_WAIT2 -> TIME_WAIT fires
 * nothing (the FIN's re-arm mostly stays in the timer's wheel bucket); it
 * is reconciled by fw2_reconcile at read time and at death.
 */
#ifndef __TCPSTATE_TW_BPF_H
#define __TCPSTATE_TW_BPF_H

static __always_inline struct inet_timewait_sock *tw_of_timer(void *timer)
{
	return (void *)timer - bpf_core_field_offset(struct inet_timewait_sock,
						     tw_timer);
}

/*
 * What the timewait programs need of a timewait socket. The timer's BTF
 * pointer cannot be turned into its socket's, so the socket is read with
 * bpf_probe_read_kernel(): its struct sock_common and the fields after
 * it up to tw_sport in one copy, and its namespace's two fields, three
 * calls instead of one for each of eleven fields.
 */
struct tw_view {
	__u64 netns_cookie;
	__u32 daddr[4];		/* IPv4 in the first word */
	__u32 laddr[4];		/* likewise */
	struct tw_ident id;
	__u32 netns;
	__u32 refs;		/* skc_refcnt */
	__u16 family;
	__u16 sport;		/* host byte order */
	__u16 dport;		/* host byte order */
	__u8 substate;
};

#define TW_COPY_MAX	24	/* u64 words: above any kernel's end of tw_sport */
#define TW_OFF(f)	bpf_core_field_offset(struct inet_timewait_sock, f)
#define TW_AT(buf, type, f)	(*(type *)((void *)(buf) + TW_OFF(f)))

static __always_inline bool tw_view_of(struct inet_timewait_sock *tw,
				       struct tw_view *v)
{
	__u64 buf[TW_COPY_MAX];
	__u32 end = TW_OFF(tw_sport) + sizeof(__u16);
	struct net *net;

	if (end > sizeof(buf) || bpf_probe_read_kernel(buf, end, tw))
		return false;
	net = TW_AT(buf, struct net *, __tw_common.skc_net.net);
	v->netns = BPF_CORE_READ(net, ns.inum);
	v->netns_cookie = BPF_CORE_READ(net, net_cookie);
	v->substate = TW_AT(buf, __u8, tw_substate);
	v->family = TW_AT(buf, __u16, __tw_common.skc_family);
	v->sport = TW_AT(buf, __u16, __tw_common.skc_num);
	v->dport = bpf_ntohs(TW_AT(buf, __u16, __tw_common.skc_dport));
	v->refs = TW_AT(buf, __u32, __tw_common.skc_refcnt);
	v->id.hash = TW_AT(buf, __u32, __tw_common.skc_hash);
	v->id.ports = ports_of(TW_AT(buf, __u16, tw_sport),
			       TW_AT(buf, __u16, __tw_common.skc_dport));
	if (v->family == AF_INET6) {
		__builtin_memcpy(v->daddr, &TW_AT(buf, __u64, __tw_common.skc_v6_daddr), 8);
		__builtin_memcpy(&v->daddr[2],
				 (void *)&TW_AT(buf, __u64, __tw_common.skc_v6_daddr) + 8, 8);
		__builtin_memcpy(v->laddr, &TW_AT(buf, __u64, __tw_common.skc_v6_rcv_saddr), 8);
		__builtin_memcpy(&v->laddr[2],
				 (void *)&TW_AT(buf, __u64, __tw_common.skc_v6_rcv_saddr) + 8, 8);
	} else {
		/* All of both: a record copies the whole of daddr. */
		__builtin_memset(v->daddr, 0, sizeof(v->daddr));
		__builtin_memset(v->laddr, 0, sizeof(v->laddr));
		v->daddr[0] = TW_AT(buf, __u32, __tw_common.skc_daddr);
		v->laddr[0] = TW_AT(buf, __u32, __tw_common.skc_rcv_saddr);
	}
	return true;
}

/* A new record of the socket v shows. */
static __always_inline void tw_fill(struct tcpstate_tw *e, const struct tw_view *v)
{
	e->netns = v->netns;
	e->netns_cookie = v->netns_cookie;
	e->substate = v->substate;
	e->family = v->family;
	e->sport = v->sport;
	e->dport = v->dport;
	__builtin_memcpy(e->daddr, v->daddr, sizeof(e->daddr));
}

/* The counter + 1 of the timewait socket's destination (ports.bpf.h). */
static __always_inline __u16 tw_port_bucket(const struct tw_view *v)
{
	return port_bucket_of(v->netns_cookie, v->family, v->laddr, v->daddr,
			      bpf_htons(v->dport));
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

/*
 * A timewait socket counted in substate FIN_WAIT2, for fw2_reconcile to
 * re-check: by name in fw2_pending, or, with no room there, in the
 * whole-table re-check that fw2_overflow asks for.
 */
static __always_inline void fw2_track(__u64 key, __u8 *substate)
{
	int err = bpf_map_update_elem(&fw2_pending, &key, substate, BPF_NOEXIST);

	if (!err)
		__sync_fetch_and_add(&fw2_count, 1);
	else if (err != -EEXIST)
		__sync_fetch_and_add(&fw2_overflow, 1);
}

/* No longer to re-check by name. */
static __always_inline void fw2_untrack(__u64 key)
{
	if (!bpf_map_delete_elem(&fw2_pending, &key))
		__sync_fetch_and_add(&fw2_count, -1);
}

/*
 * Moves a timewait socket counted FIN_WAIT2 to TIME_WAIT if it is now
 * (substate: its substate if the caller has read it, else -1).
 */
static __always_inline void tw_reconcile(__u64 key, struct tcpstate_tw *e,
					 __u64 now, int substate)
{
	struct inet_timewait_sock *tw = (void *)key;
	struct tcpstate_stats *st;
	__u64 changed;

	if (e->substate != TCP_FIN_WAIT2 || e->gen == TCPSTATE_GEN_DEAD)
		return;
	if (substate < 0)	/* not read yet */
		substate = BPF_CORE_READ(tw, tw_substate);
	if (substate != TCP_TIME_WAIT)
		return;
	fw2_untrack(key);
	st = stats_of(e->netns, e->netns_cookie);
	if (!st)
		return;
	changed = tw_substate_changed_ns(tw, e->entered_ns, now);
	if (gen_counted(st, e->gen)) {
		live_add(st, e->gen, TCP_FIN_WAIT2, -1);
		live_add(st, e->gen, TCP_TIME_WAIT, 1);
	}
	transition_add(st, TCP_FIN_WAIT2, TCP_TIME_WAIT, 1);
	duration_add(st, TCP_FIN_WAIT2, e->entered_ns, changed);
	e->substate = TCP_TIME_WAIT;
	e->entered_ns = changed;
}

/* A timer_start of a timewait timer. */
static __always_inline void tw_born(void *timer)
{
	struct inet_timewait_sock *tw = tw_of_timer(timer);
	struct tcpstate_stats *st;
	struct tw_scratch *s;
	struct tw_handoff *h;
	struct tcpstate_tw e = {};
	__u64 key = (__u64)tw;
	__u64 now = bpf_ktime_get_ns();
	struct tcpstate_tw *cur;
	struct tw_view v;
	int err;

	s = scratch_get();
	if (!s)
		return;
	if (!tw_view_of(tw, &v)) {
		count_error(TCPSTATE_ERR_TW_UNREADABLE);
		return;
	}
	/*
	 * A re-arm is cancel then start of the same timer back to back on one
	 * CPU, under the timer base lock. A new timewait socket may reuse a
	 * dead one's memory, even with its tuple, so the address does not say
	 * it: the reference count does. No time window is involved, so a vCPU
	 * paused between the two events changes nothing.
	 */
	if (s->rearm_tw == key && v.refs >= TCPSTATE_TW_REARM_REFS &&
	    s->rearm_id.hash == v.id.hash && s->rearm_id.ports == v.id.ports) {
		/* Cancel then start: a re-arm, not a death. Undo it. */
		s->rearm_tw = 0;
		st = stats_of(s->rearm.netns, s->rearm.netns_cookie);
		if (!st)
			return;
		if (bpf_map_update_elem(&timewait, &key, &s->rearm, BPF_NOEXIST)) {
			/* Dropped from the table: leave it uncounted. */
			count_error(TCPSTATE_ERR_TW_FULL);
			return;
		}
		if (s->rearm.substate == TCP_FIN_WAIT2)
			fw2_track(key, &s->rearm.substate);
		if (gen_counted(st, s->rearm.gen))
			tw_live_add(st, s->rearm.gen, s->rearm.substate, 1);
		transition_add(st, s->rearm.substate, TCP_CLOSE, -1);
		duration_undo(st, s->rearm.substate, s->rearm_dur_slot);
		lifetime_undo(st, s->rearm_life_slot);
		port_add(s->rearm.port_bucket, 1);	/* its port was not given back */
		return;
	}
	cur = bpf_map_lookup_elem(&timewait, &key);
	if (cur) {
		if (cur->gen != TCPSTATE_GEN_DEAD)
			return;	/* counted already, by the baseline */
		/*
		 * A dead socket's record whose delete failed (the map's
		 * bucket lock can time out): this is a new socket in its
		 * memory. Counted when the delete failed.
		 */
		bpf_map_delete_elem(&timewait, &key);
	}
	s->rearm_tw = 0;

	tw_fill(&e, &v);
	e.born_ns = now;
	e.entered_ns = now;
	st = stats_of(e.netns, e.netns_cookie);
	if (!st)
		return;
	e.gen = st->epoch;
	err = bpf_map_update_elem(&timewait, &key, &e, BPF_NOEXIST);
	if (err == -EEXIST)
		return;
	if (err) {
		/*
		 * Not recorded, so not counted: its death will find no
		 * record and take nothing away. Counts stay exact but short
		 * by the sockets the table could not hold, and say so.
		 */
		count_error(TCPSTATE_ERR_TW_FULL);
		return;
	}
	if (e.substate == TCP_FIN_WAIT2)
		fw2_track(key, &e.substate);
	tw_live_add(st, e.gen, e.substate, 1);

	h = &s->handoff[v.id.hash & (TW_HANDOFFS - 1)];
	h->tw = key;
	h->netns = e.netns;
	h->id = v.id;
}

/* A timer_cancel of a timewait timer. */
static __always_inline void tw_died(void *timer)
{
	struct inet_timewait_sock *tw = tw_of_timer(timer);
	struct tcpstate_stats *st;
	struct tcpstate_tw *e;
	struct tw_scratch *s;
	__u64 key = (__u64)tw;
	__u64 now = bpf_ktime_get_ns();
	struct tw_view v;
	__u32 gen;
	int err;

	s = scratch_get();
	if (!s)
		return;
	e = bpf_map_lookup_elem(&timewait, &key);
	if (!e) {
		/*
		 * Never recorded: its birth was missed, or the table was
		 * full then. Either way it was never counted.
		 */
		count_error(TCPSTATE_ERR_TW_UNTRACKED);
		return;
	}
	if (!tw_view_of(tw, &v)) {
		/* Counted as it is; its substate change, if any, is lost. */
		count_error(TCPSTATE_ERR_TW_UNREADABLE);
		v.substate = e->substate;
		v.id.hash = 0;
		v.id.ports = 0;
	}
	tw_reconcile(key, e, now, v.substate);
	st = stats_of(e->netns, e->netns_cookie);
	if (!st)
		return;
	/* Atomic against a re-count moving the record (user/repair.c). */
	gen = __sync_lock_test_and_set(&e->gen, TCPSTATE_GEN_DEAD);
	if (gen == TCPSTATE_GEN_DEAD)
		return;
	if (gen_counted(st, gen))
		tw_live_add(st, gen, e->substate, -1);
	transition_add(st, e->substate, TCP_CLOSE, 1);
	s->rearm = *e;
	s->rearm.gen = gen;
	port_add(e->port_bucket, -1);	/* the copy keeps it, for a re-arm */
	s->rearm_dur_slot = duration_add(st, e->substate, e->entered_ns, now);
	s->rearm_life_slot = lifetime_add(st, e->conn_born_ns, now);
	s->rearm_tw = key;
	s->rearm_id = v.id;
	if (s->handoff[s->rearm_id.hash & (TW_HANDOFFS - 1)].tw == key)
		s->handoff[s->rearm_id.hash & (TW_HANDOFFS - 1)].tw = 0;
	if (e->substate == TCP_FIN_WAIT2)
		fw2_untrack(key);
	err = bpf_map_delete_elem(&timewait, &key);
	if (err && err != -ENOENT)
		count_error(TCPSTATE_ERR_MAP_OP);	/* marked dead: see tw_born() */
}


static __always_inline bool is_tw_timer(void *fn)
{
	return targ_tw_timer_fn && (__u64)fn == targ_tw_timer_fn;
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
	struct tw_handoff *h;
	__u32 hash;
	__u64 key;

	if (!s)
		return false;
	hash = SK_READ(btf, sk, __sk_common.skc_hash);
	h = &s->handoff[hash & (TW_HANDOFFS - 1)];
	if (!h->tw || h->netns != netns || h->id.hash != hash ||
	    h->id.ports != ports_of(BPF_CORE_READ((struct inet_sock *)sk, inet_sport),
				    SK_READ(btf, sk, __sk_common.skc_dport)))
		return false;
	key = h->tw;
	h->tw = 0;
	tw = bpf_map_lookup_elem(&timewait, &key);
	if (!tw || tw->gen == TCPSTATE_GEN_DEAD)
		return false;
	tw->conn_born_ns = info->born_ns;
	/* The port stays held: by the timewait socket now. */
	tw->port_bucket = info->port_bucket;
	info->port_bucket = 0;
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

#endif /* __TCPSTATE_TW_BPF_H */
