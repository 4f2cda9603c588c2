// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcpstate.bpf.c - per network namespace TCP state accounting: the
 * programs. What they do is in the headers beside this file, one per
 * concern, read side by side with module/:
 *
 *   maps.bpf.h   the maps and load-time knobs
 *   stats.bpf.h  per-namespace statistics, health counters
 *   ports.bpf.h  ports held toward each destination, bounded
 *   sk.bpf.h     full sockets (inet_sock_set_state, tcp_destroy_sock)
 *   tw.bpf.h     timewait sockets (timer_start, timer_cancel)
 *   nest.bpf.h   set_state's twin, for the events the kernel skips
 *
 * Three kinds of socket make up what ss shows: full sockets (their state
 * events), timewait sockets (their timers) and request sockets (each
 * listener's accept-queue qlen, read by listeners_refresh at read time).
 * Everything is summed per CPU into one struct tcpstate_stats per netns;
 * nothing crosses to user space per event.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "tcpstate.h"
#include "maps.bpf.h"
#include "stats.bpf.h"
#include "ports.bpf.h"
#include "sk.bpf.h"
#include "tw.bpf.h"
#include "nest.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* ---- events: tp_btf, and the classic tracepoint fallback --------------- */

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(set_state_btf, struct sock *sk, int oldstate, int newstate)
{
	if (sk->sk_protocol == IPPROTO_TCP)
		on_set_state(sk, oldstate, newstate, true, false);
	return 0;
}

/* The twin (nest.bpf.h): attached after set_state_btf, run after it. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(set_state_nest, struct sock *sk, int oldstate, int newstate)
{
	if (sk->sk_protocol == IPPROTO_TCP &&
	    on_set_state(sk, oldstate, newstate, true, true))
		nest_handled();
	return 0;
}

SEC("tp_btf/tcp_destroy_sock")
int BPF_PROG(destroy_btf, struct sock *sk)
{
	on_destroy(sk, true);
	return 0;
}

SEC("tp_btf/timer_start")
int BPF_PROG(timer_start_btf, struct timer_list *timer)
{
	if (is_tw_timer(timer->function))
		tw_born(timer);
	return 0;
}

SEC("tp_btf/timer_cancel")
int BPF_PROG(timer_cancel_btf, struct timer_list *timer)
{
	if (is_tw_timer(timer->function))
		tw_died(timer);
	return 0;
}

SEC("tracepoint/sock/inet_sock_set_state")
int set_state_tp(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	on_set_state((struct sock *)ctx->skaddr, ctx->oldstate, ctx->newstate,
		     false, false);
	return 0;
}

SEC("tracepoint/tcp/tcp_destroy_sock")
int destroy_tp(struct trace_event_raw_tcp_event_sk *ctx)
{
	on_destroy((struct sock *)ctx->skaddr, false);
	return 0;
}

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

/* ---- run from user space -------------------------------------------- */

/*
 * Counts the sockets of the iterator's namespace into the namespace's
 * current generation (tcpstate_stats.epoch of this CPU's copy; all copies
 * agree while this runs). Run once per namespace at load (the baseline:
 * sockets older than the collector) and by a re-count (user/repair.c).
 * For a full socket the iterator holds the socket lock, which orders it
 * against that socket's state changes: a socket already counted in this
 * generation, in its actual state, is left alone; any other is moved into
 * this generation's buffer in its actual state (a recorded state that
 * differs means a missed event). A timewait record changes generation by
 * compare-and-swap, against its death on another CPU.
 */
static __always_inline void count_timewait(struct sock_common *skc,
					   struct tcpstate_stats *st, __u32 epoch)
{
	struct tcp_timewait_sock *ttw = bpf_skc_to_tcp_timewait_sock(skc);
	struct inet_timewait_sock *tw;
	struct tcpstate_tw e = {}, *cur;
	struct tw_view v;
	__u32 gen;
	__u64 key;

	if (!ttw)
		return;
	tw = &ttw->tw_sk;
	key = (__u64)tw;
	/* Its timer already cancelled: dying, not to be counted. */
	if (!BPF_CORE_READ(tw, tw_timer.entry.pprev))
		return;
	cur = bpf_map_lookup_elem(&timewait, &key);
	if (cur && cur->gen == TCPSTATE_GEN_DEAD) {
		/* A dead socket's record left by a failed delete (tw_born()). */
		bpf_map_delete_elem(&timewait, &key);
		cur = NULL;
	}
	if (cur) {
		gen = cur->gen;
		if (gen == epoch ||
		    __sync_val_compare_and_swap(&cur->gen, gen, epoch) != gen)
			return;
		tw_live_move(st, gen, epoch, cur->substate);
		return;
	}
	if (!tw_view_of(tw, &v)) {
		count_error(TCPSTATE_ERR_TW_UNREADABLE);
		return;
	}
	tw_fill(&e, &v);
	e.gen = epoch;
	/* Its port, held since before its full socket's close was seen. */
	e.port_bucket = tw_port_bucket(&v);
	if (bpf_map_update_elem(&timewait, &key, &e, BPF_NOEXIST))
		return;	/* born meanwhile, or the table is full */
	port_add(e.port_bucket, 1);
	if (e.substate == TCP_FIN_WAIT2)
		fw2_track(key, &e.substate);
	tw_live_add(st, epoch, e.substate, 1);
}

SEC("iter/tcp")
int count_sockets(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcpstate_stats *st;
	struct sk_info *info;
	struct tcp_sock *tp;
	__u32 netns, epoch;
	__u64 cookie;
	int state;

	if (!skc)
		return 0;
	state = skc->skc_state;
	netns = skc->skc_net.net->ns.inum;
	cookie = skc->skc_net.net->net_cookie;
	st = stats_of(netns, cookie);
	if (!st)
		return 0;
	epoch = st->epoch;

	if (state == TCP_TIME_WAIT) {
		count_timewait(skc, st, epoch);
		return 0;
	}
	if (state == TCP_NEW_SYN_RECV)
		return 0;	/* counted through the listener's qlen */

	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0;
	info = sk_info_get((struct sock *)tp, true, true);
	if (!info) {
		count_error(TCPSTATE_ERR_SK_STORAGE);
		return 0;
	}
	if (!TCPSTATE_IS_LIVE(state) ||
	    (info->gen == epoch && info->state == state &&
	     info->netns_cookie == cookie))
		return 0;
	/* A dead socket's record of another namespace (sk.bpf.h). */
	if (TCPSTATE_IS_LIVE(info->state) && info->netns_cookie != cookie)
		sk_drop_stale(info, st, cookie);
	if (TCPSTATE_IS_LIVE(info->state)) {
		/*
		 * Out of its buffer, in its recorded state: unless that was
		 * an older generation of epoch's parity, emptied already.
		 */
		if (gen_counted(st, info->gen))
			live_add(st, info->gen, info->state, -1);
		if (info->state != state) {
			count_error(TCPSTATE_ERR_MISSED_EVENT);
			info->entered_ns = 0;
		}
	}
	info->state = state;
	info->gen = epoch;
	sk_count_in(info, netns, cookie);
	live_add(st, epoch, state, 1);
	/*
	 * At load (generation 0), the ports of sockets older than the
	 * collector: every one but a listener's or one not yet accepted.
	 */
	if (!epoch && state != TCP_LISTEN && state != TCP_SYN_RECV)
		port_hold(&info->port_bucket, port_bucket_sk((struct sock *)tp, cookie));
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
	if (!e || e->gen == TCPSTATE_GEN_DEAD) {
		fw2_untrack(key);
		return 0;
	}
	tw_reconcile(key, e, bpf_ktime_get_ns(), -1);
	return 0;
}

/* The whole-table re-check: every record, fw2_pending's or not. */
static long fw2_scan(struct bpf_map *map, __u64 *k, struct tcpstate_tw *e,
		     void *ctx)
{
	__u64 key = *k;

	if (e->substate != TCP_FIN_WAIT2 || e->gen == TCPSTATE_GEN_DEAD)
		return 0;
	tw_reconcile(key, e, bpf_ktime_get_ns(), -1);
	/* Still FIN_WAIT2: by name from now on, if there is room. */
	if (e->substate == TCP_FIN_WAIT2)
		fw2_track(key, &e->substate);
	return 0;
}

/*
 * Re-reads the substate of timewait sockets counted as FIN_WAIT2: those
 * of fw2_pending, or every one while some had no room there. The flag is
 * cleared only if nothing overflowed during the walk (each overflow is
 * counted after its record is in the table, so the walk saw it).
 */
SEC("syscall")
int fw2_reconcile(void *ctx)
{
	__u64 overflow = fw2_overflow;

	if (overflow) {
		bpf_for_each_map_elem(&timewait, fw2_scan, NULL, 0);
		__sync_val_compare_and_swap(&fw2_overflow, overflow, 0);
	}
	if (fw2_count)	/* an empty table's buckets are not walked */
		bpf_for_each_map_elem(&fw2_pending, fw2_check, NULL, 0);
	return 0;
}

#define MAX_CPUS	1024	/* bounds the loop over CPUs; the helper ends it */

/* A namespace's statistics entry starts generation epoch: empty buffer. */
static __always_inline void start_epoch(struct tcpstate_stats *st, __u32 epoch)
{
	__s64 *live = epoch & 1 ? st->live_alt : st->live;

	for (int i = 0; i < TCPSTATE_NSTATES; i++)
		live[i] = 0;
	st->timewait[epoch & 1] = 0;
	st->epoch = epoch;
}

/*
 * A re-count of ctx->key begins: every CPU's copy of its statistics (and
 * the shared entry) starts generation ctx->epoch, so new sockets join it
 * and count_sockets moves the others into it.
 */
SEC("syscall")
int repair_begin(struct tcpstate_repair_ctx *ctx)
{
	struct tcpstate_netns_key key = ctx->key, *owner;
	__u32 idx = tcpstate_netns_slot(key.cookie, targ_netns_slots);
	struct tcpstate_check *c;
	struct tcpstate_stats *st;
	__u32 epoch = ctx->epoch;

	/* Readers add both buffers from now until user space says it ended. */
	c = bpf_map_lookup_elem(&netns_check, &key);
	if (c)
		c->repairing = 1;
	/* A namespace with no statistics yet gets them, to count into. */
	stats_of(key.inum, key.cookie);
	owner = targ_netns_slots ? bpf_map_lookup_elem(&netns_slot_owner, &idx) : NULL;
	for (__u32 cpu = 0; owner && owner->cookie == key.cookie && cpu < MAX_CPUS; cpu++) {
		st = bpf_map_lookup_percpu_elem(&netns_slots, &idx, cpu);
		if (!st)
			break;
		start_epoch(st, epoch);
	}
	for (__u32 cpu = 0; cpu < MAX_CPUS; cpu++) {
		st = bpf_map_lookup_percpu_elem(&netns_stats, &key, cpu);
		if (!st)
			break;
		start_epoch(st, epoch);
	}
	st = bpf_map_lookup_elem(&netns_spill, &key);
	if (st)
		start_epoch(st, epoch);
	return 0;
}

struct repair_end_arg {
	struct tcpstate_netns_key key;
	__u32 epoch;
	__u32 dropped;
};

static long drop_stale_tw(struct bpf_map *map, __u64 *k, struct tcpstate_tw *e,
			  struct repair_end_arg *a)
{
	__u64 key = *k;

	if (e->netns != a->key.inum || e->netns_cookie != a->key.cookie ||
	    e->gen == a->epoch || e->gen == TCPSTATE_GEN_DEAD)
		return 0;
	/* Not found by the re-count: its socket is gone, its death missed. */
	fw2_untrack(key);
	port_add(e->port_bucket, -1);
	bpf_map_delete_elem(&timewait, &key);
	a->dropped++;
	return 0;
}

/*
 * A slot still held, live, in an older generation: its socket's close and
 * destruction were both missed (sk.bpf.h, sk_drop_stale()). Given back
 * now rather than when its address is reused, perhaps much later. Not
 * uncounted: its generation is no longer read. Records in socket storage
 * go with their sockets.
 */
static long drop_stale_slot(struct bpf_map *map, __u32 *k, struct sk_slot *s,
			    struct repair_end_arg *a)
{
	__u64 sk = s->sk;

	if (!sk || s->info.netns != a->key.inum ||
	    s->info.netns_cookie != a->key.cookie || s->info.gen == a->epoch ||
	    !TCPSTATE_IS_LIVE(s->info.state))
		return 0;
	if (__sync_val_compare_and_swap(&s->sk, sk, 0) == sk) {
		port_add(s->info.port_bucket, -1);
		count_error(TCPSTATE_ERR_CLOSE_UNSEEN);
		a->dropped++;
	}
	return 0;
}

/*
 * A re-count of ctx->key ended: timewait records and slots of older
 * generations belong to sockets the walk did not find. Returns how many
 * were dropped.
 */
SEC("syscall")
int repair_end(struct tcpstate_repair_ctx *ctx)
{
	struct repair_end_arg a = { .key = ctx->key, .epoch = ctx->epoch };

	bpf_for_each_map_elem(&timewait, drop_stale_tw, &a, 0);
	if (targ_sk_slots)
		bpf_for_each_map_elem(&sk_slots, drop_stale_slot, &a, 0);
	return a.dropped;
}
