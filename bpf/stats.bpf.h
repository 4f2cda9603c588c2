/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * stats.bpf.h - per network namespace statistics and health counters:
 * finding a namespace's entry, and the adds every event makes.
 */
#ifndef __TCPSTATE_STATS_BPF_H
#define __TCPSTATE_STATS_BPF_H

static __always_inline void count_error(enum tcpstate_error which)
{
	__u32 zero = 0;
	struct tcpstate_errors *e = bpf_map_lookup_elem(&errors, &zero);

	if (e && (unsigned int)which < TCPSTATE_NERRORS)
		__sync_fetch_and_add(&e->count[which], 1);
}

/*
 * The entry of key in map; when missing, created zeroed if create, else
 * NULL. NULL too when it cannot be created.
 */
static __always_inline struct tcpstate_stats *
stats_entry(void *map, struct tcpstate_netns_key *key, const bool create)
{
	struct tcpstate_stats *st;
	__u32 zero = 0;
	void *init;

	st = bpf_map_lookup_elem(map, key);
	if (st || !create)
		return st;
	init = bpf_map_lookup_elem(&zero_stats, &zero);
	if (!init)
		return NULL;
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

/*
 * A namespace's preallocated slot (maps.bpf.h): its own, or, when create,
 * a free one it takes by compare-and-swap, unless the namespace already
 * has statistics in netns_stats (a namespace counted in both would be
 * added by readers all the same, but its generations must move together,
 * and a slot found free later cannot know them). NULL otherwise.
 */
static __always_inline struct tcpstate_stats *
stats_slot(struct tcpstate_netns_key *key, const bool create)
{
	struct tcpstate_netns_key *owner;
	__u64 was;
	__u32 idx;

	if (!targ_netns_slots)
		return NULL;
	idx = tcpstate_netns_slot(key->cookie, targ_netns_slots);
	owner = bpf_map_lookup_elem(&netns_slot_owner, &idx);
	if (!owner)
		return NULL;
	if (owner->cookie != key->cookie) {
		if (!create || owner->cookie ||
		    bpf_map_lookup_elem(&netns_stats, key) ||
		    bpf_map_lookup_elem(&netns_spill, key))
			return NULL;
		/* Zeroed by user space before it was freed (user/prune.c). */
		was = __sync_val_compare_and_swap(&owner->cookie, 0, key->cookie);
		if (!was)
			owner->inum = key->inum;
		else if (was != key->cookie)
			return NULL;	/* another namespace took it first */
	}
	return bpf_map_lookup_elem(&netns_slots, &idx);
}

/*
 * A namespace's statistics: its slot, else per CPU in netns_stats, or in
 * the shared spill when that is full.
 */
static __always_inline struct tcpstate_stats *
stats_get(__u32 inum, __u64 cookie, const bool create)
{
	struct tcpstate_netns_key key = { .cookie = cookie, .inum = inum };
	struct tcpstate_stats *st;

	st = stats_slot(&key, create);
	if (st)
		return st;
	st = stats_entry(&netns_stats, &key, create);
	if (st)
		return st;
	st = stats_entry(&netns_spill, &key, create);
	if (!st && create)
		count_error(TCPSTATE_ERR_NETNS_FULL);
	return st;
}

/* The statistics of a namespace, created on first use. */
static __always_inline struct tcpstate_stats *stats_of(__u32 inum, __u64 cookie)
{
	return stats_get(inum, cookie, true);
}

/* The statistics of a namespace that has them; NULL otherwise. */
static __always_inline struct tcpstate_stats *stats_find(__u32 inum, __u64 cookie)
{
	return stats_get(inum, cookie, false);
}

static __always_inline bool state_ok(int s)
{
	return s > 0 && s < TCPSTATE_NSTATES;
}

/*
 * A state as an index the verifier can see is bounded (clang would drop a
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

/*
 * Live counts exist for live states only (TCPSTATE_IS_LIVE), in the
 * buffer of the generation the socket is counted in.
 */
static __always_inline void live_add(struct tcpstate_stats *st, __u32 gen,
				     int s, __s64 d)
{
	__s64 *live = gen & 1 ? st->live_alt : st->live;

	if (TCPSTATE_IS_LIVE(s))
		__sync_fetch_and_add(&live[sidx(s)], d);
}

/* A timewait socket counted in substate s, of generation gen. */
static __always_inline void tw_live_add(struct tcpstate_stats *st, __u32 gen,
					int s, __s64 d)
{
	live_add(st, gen, s, d);
	__sync_fetch_and_add(&st->timewait[gen & 1], d);
}

static __always_inline void transition_add(struct tcpstate_stats *st, int from,
					   int to, __s64 d)
{
	if (state_ok(from) && state_ok(to))
		__sync_fetch_and_add(&st->transitions[sidx(from)][sidx(to)], d);
}

/*
 * Whether a socket of generation gen is in a buffer at all: its own
 * generation's, or one of the other parity. An older generation of the
 * current one's parity shared its buffer, emptied when the current one
 * began; such a socket (one a re-count missed, see user/repair.h) counts
 * nowhere until its next event moves it (live_move()).
 */
static __always_inline bool gen_counted(const struct tcpstate_stats *st, __u32 gen)
{
	return gen == st->epoch || ((gen ^ st->epoch) & 1);
}

/*
 * Moves a count of state s from generation gen into generation epoch
 * (gen != epoch). A generation of epoch's parity shared its buffer, which
 * was emptied when epoch began: nothing of it is left to take away.
 */
static __always_inline void live_move(struct tcpstate_stats *st, __u32 gen,
				      __u32 epoch, int s)
{
	if ((gen ^ epoch) & 1)
		live_add(st, gen, s, -1);
	live_add(st, epoch, s, 1);
}

static __always_inline void tw_live_move(struct tcpstate_stats *st, __u32 gen,
					 __u32 epoch, int s)
{
	if ((gen ^ epoch) & 1)
		tw_live_add(st, gen, s, -1);
	tw_live_add(st, epoch, s, 1);
}

/* Records time spent in live state s; returns the slot used, -1 when unknown. */
static __always_inline int duration_add(struct tcpstate_stats *st, int s,
					__u64 since, __u64 now)
{
	__u32 slot;

	if (!since || now < since || !TCPSTATE_IS_LIVE(s))
		return -1;
	slot = tcpstate_hist_slot_ns(now - since);
	__sync_fetch_and_add(&st->duration[sidx(s)][slotidx(slot)], 1);
	return slot;
}

static __always_inline int lifetime_add(struct tcpstate_stats *st, __u64 born,
					__u64 now)
{
	__u32 slot;

	if (!born || now < born)
		return -1;
	slot = tcpstate_hist_slot_ns(now - born);
	__sync_fetch_and_add(&st->lifetime[slotidx(slot)], 1);
	return slot;
}

/* Undoes duration_add()/lifetime_add() of a slot they returned. */
static __always_inline void duration_undo(struct tcpstate_stats *st, int s, int slot)
{
	if (slot >= 0 && slot < TCPSTATE_HIST_SLOTS && TCPSTATE_IS_LIVE(s))
		__sync_fetch_and_add(&st->duration[sidx(s)][slotidx(slot)], -1);
}

static __always_inline void lifetime_undo(struct tcpstate_stats *st, int slot)
{
	if (slot >= 0 && slot < TCPSTATE_HIST_SLOTS)
		__sync_fetch_and_add(&st->lifetime[slotidx(slot)], -1);
}

#endif /* __TCPSTATE_STATS_BPF_H */
