// SPDX-License-Identifier: GPL-2.0
/*
 * tp.c - the inet_sock_set_state hook and tracepoint registration.
 *
 * DOC: full sockets
 *
 * sock:inet_sock_set_state has no EXPORT_TRACEPOINT_SYMBOL, and neither do
 * the timer tracepoints, so they are found by name with
 * for_each_kernel_tracepoint() and attached with tracepoint_probe_register().
 *
 * A full socket is counted in live[sk_state]. An event old -> new moves it;
 * a socket that comes from CLOSE (or an accepted child, LISTEN -> SYN_RECV
 * with the listener's state as old) is new and gets a record. On leaving a
 * state the time spent in it goes to duration[old]; on CLOSE the time since
 * SYN_SENT/SYN_RECV goes to lifetime, unless tcp_time_wait() has just handed
 * the connection to a timewait socket (see tw.c), which then carries it on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jump_label.h>
#include <linux/sched/clock.h>
#include <linux/tracepoint.h>
#include <linux/timer.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include <trace/events/sock.h>
#include <trace/events/timer.h>

#include "tcpstate.h"

/**
 * tcpstate_leave() - record the time a socket spent in a state
 * @st: the namespace's per-CPU statistics
 * @state: the state it leaves
 * @entered_ns: when it entered it, 0 if unknown (then nothing is recorded)
 * @now: now, CLOCK_MONOTONIC ns
 */
void tcpstate_leave(struct tcpstate_stats __percpu *st, int state,
		    u64 entered_ns, u64 now)
{
	if (!entered_ns || !tcpstate_is_live(state) || now < entered_ns)
		return;
	this_cpu_inc(st->duration[state][tcpstate_slot(now - entered_ns)]);
}

DEFINE_STATIC_KEY_FALSE(tcpstate_timing);
DEFINE_PER_CPU(struct tcpstate_probe_cost, tcpstate_probe_cost);

/* probe_stats=1: what kernel.bpf_stats_enabled does for BPF programs. */
static __always_inline u64 tcpstate_timed_begin(void)
{
	return static_branch_unlikely(&tcpstate_timing) ? sched_clock() : 0;
}

static __always_inline void tcpstate_timed_end(unsigned int probe, u64 t0)
{
	if (static_branch_unlikely(&tcpstate_timing)) {
		this_cpu_add(tcpstate_probe_cost.ns[probe], sched_clock() - t0);
		this_cpu_inc(tcpstate_probe_cost.runs[probe]);
	}
}

/* A full socket's record says it is counted at the namespace's epoch. */
static void tcpstate_sk_stamp(struct tcpstate_rec *rec, unsigned int epoch)
{
	atomic_set(&rec->tw, (atomic_read(&rec->tw) & ~TCPSTATE_SK_EPOCH) |
			     (epoch & TCPSTATE_SK_EPOCH));
}

/*
 * Whether the socket of rec is in the live counts: it is unless a re-count
 * began since its last event and its walk did not find it (check.c).
 */
static bool tcpstate_sk_counted(const struct tcpstate_rec *rec,
				unsigned int epoch)
{
	return !rec || ((atomic_read(&rec->tw) ^ epoch) & TCPSTATE_SK_EPOCH) == 0;
}

static void tcpstate_set_state(const struct sock *csk, const int oldstate,
			       const int newstate)
{
	struct sock *sk = (struct sock *)csk;
	struct tcpstate_stats __percpu *st;
	struct tcpstate_net *tn;
	struct tcpstate_rec *rec;
	unsigned int epoch;
	u64 now;

	if (sk->sk_protocol != IPPROTO_TCP)
		return;
	if ((unsigned int)oldstate >= TCPSTATE_NSTATES ||
	    (unsigned int)newstate >= TCPSTATE_NSTATES) {
		tcpstate_error(TCPSTATE_ERR_BAD_STATE);
		return;
	}
	now = ktime_get_ns();
	/* A timer cancel parked on this CPU was not a re-arm. */
	tcpstate_tw_flush_local();

	rcu_read_lock();
	tn = tcpstate_pernet(sock_net(sk));
	if (READ_ONCE(tn->dead))
		goto out_unlock;
	st = tn->stats;
	epoch = READ_ONCE(tn->epoch);
	rec = tcpstate_rec_find(sk, TCPSTATE_REC_SK);

	if (oldstate == TCP_CLOSE ||
	    (oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV)) {
		/* A new socket; a record left by a freed one is reused. */
		if (!rec)
			rec = tcpstate_rec_insert(sk, TCPSTATE_REC_SK);
		if (rec) {
			rec->entered_ns = now;
			rec->born_ns = (newstate == TCP_SYN_SENT ||
					newstate == TCP_SYN_RECV) ? now : 0;
			tcpstate_sk_stamp(rec, epoch);
		} else {
			tcpstate_error(TCPSTATE_ERR_SK_STORAGE);
		}
		if (tcpstate_is_live(newstate))
			this_cpu_inc(st->live[newstate]);
		this_cpu_inc(st->transitions[oldstate][newstate]);
		goto out_unlock;
	}

	if (!rec)
		tcpstate_error(TCPSTATE_ERR_UNTRACKED);
	/* A socket a re-count's walk missed is counted from here on. */
	if (tcpstate_is_live(oldstate) && tcpstate_sk_counted(rec, epoch))
		this_cpu_dec(st->live[oldstate]);

	if (newstate == TCP_CLOSE &&
	    tcpstate_tw_born_close(sk, oldstate, rec, now)) {
		/* tcp_time_wait(): tw.c accounted the hand-over. */
	} else {
		if (rec)
			tcpstate_leave(st, oldstate, rec->entered_ns, now);
		this_cpu_inc(st->transitions[oldstate][newstate]);
		if (tcpstate_is_live(newstate))
			this_cpu_inc(st->live[newstate]);
		if (newstate == TCP_CLOSE && rec && rec->born_ns &&
		    now >= rec->born_ns)
			this_cpu_inc(st->lifetime[tcpstate_slot(now - rec->born_ns)]);
	}

	if (newstate == TCP_CLOSE) {
		if (rec)
			tcpstate_rec_delete(rec);
		goto out_unlock;
	}
	if (!rec) {
		/* From now on the socket is tracked, without its history. */
		rec = tcpstate_rec_insert(sk, TCPSTATE_REC_SK);
		if (!rec)
			goto out_unlock;
	}
	rec->entered_ns = now;
	tcpstate_sk_stamp(rec, epoch);
out_unlock:
	rcu_read_unlock();
}

/**
 * tcpstate_sk_walked() - count a full or listening socket found by a walk
 * @sk: the socket, in the ehash or the listening hash
 *
 * Called under stop_machine(), at insmod (the hooks disarmed) or by a
 * re-count of its namespace (check.c), whose live counts were zeroed
 * before the walk. The socket is counted in its state and its record is
 * stamped with the namespace's epoch. A socket new to the table has an
 * unknown entry time, so its time in this state is not recorded.
 */
void tcpstate_sk_walked(struct sock *sk)
{
	struct tcpstate_net *tn = tcpstate_pernet(sock_net(sk));
	int state = READ_ONCE(sk->sk_state);
	struct tcpstate_rec *rec;

	if (sk->sk_protocol != IPPROTO_TCP || !tcpstate_is_live(state))
		return;
	rec = tcpstate_rec_find(sk, TCPSTATE_REC_SK);
	if (!rec)
		rec = tcpstate_rec_insert(sk, TCPSTATE_REC_SK);
	if (rec)
		tcpstate_sk_stamp(rec, tn->epoch);
	else
		tcpstate_error(TCPSTATE_ERR_SK_STORAGE);
	this_cpu_inc(tn->stats->live[state]);
}

static void tcpstate_probe_set_state(void *data, const struct sock *sk,
				     const int oldstate, const int newstate)
{
	u64 t0 = tcpstate_timed_begin();

	if (READ_ONCE(tcpstate_armed))
		tcpstate_set_state(sk, oldstate, newstate);
	tcpstate_timed_end(TCPSTATE_PROBE_SET_STATE, t0);
}

static __always_inline void tcpstate_probe_timer(unsigned int probe,
						 struct timer_list *timer)
{
	u64 t0 = tcpstate_timed_begin();

	if (READ_ONCE(tcpstate_armed)) {
		if (probe == TCPSTATE_PROBE_TIMER_START)
			tcpstate_timer_start(timer);
		else if (probe == TCPSTATE_PROBE_TIMER_CANCEL)
			tcpstate_timer_cancel(timer);
		else
			tcpstate_timer_expire(timer);
	}
	tcpstate_timed_end(probe, t0);
}

/*
 * Only the timer is used. timer:timer_start lost its expires and flags
 * arguments for bucket_expiry in Linux 6.10: the tracepoint's declaration
 * (__traceiter_timer_start) says which prototype this kernel calls, and
 * the probe of that prototype is the one registered.
 */
static void tcpstate_probe_timer_start_v1(void *data, struct timer_list *timer,
					  unsigned long expires,
					  unsigned int flags)
{
	tcpstate_probe_timer(TCPSTATE_PROBE_TIMER_START, timer);
}

static void tcpstate_probe_timer_start_v2(void *data, struct timer_list *timer,
					  unsigned long bucket_expiry)
{
	tcpstate_probe_timer(TCPSTATE_PROBE_TIMER_START, timer);
}

/* Whether tracepoint tp calls its probes with these arguments. */
#define TCPSTATE_TP_PROTO(tp, ...)					\
	__builtin_types_compatible_p(typeof(__traceiter_##tp),		\
				     int (void *, __VA_ARGS__))

#define TCPSTATE_TIMER_START_V2						\
	TCPSTATE_TP_PROTO(timer_start, struct timer_list *, unsigned long)

static void tcpstate_probe_timer_cancel(void *data, struct timer_list *timer)
{
	tcpstate_probe_timer(TCPSTATE_PROBE_TIMER_CANCEL, timer);
}

static void tcpstate_probe_timer_expire(void *data, struct timer_list *timer,
					unsigned long baseclk)
{
	tcpstate_probe_timer(TCPSTATE_PROBE_TIMER_EXPIRE, timer);
}

struct tcpstate_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool registered;
};

static struct tcpstate_tp tcpstate_tps[] = {
	{ .name = "inet_sock_set_state", .probe = tcpstate_probe_set_state },
	{ .name = "timer_start",
	  .probe = __builtin_choose_expr(TCPSTATE_TIMER_START_V2,
					 tcpstate_probe_timer_start_v2,
					 tcpstate_probe_timer_start_v1) },
	{ .name = "timer_cancel", .probe = tcpstate_probe_timer_cancel },
	{ .name = "timer_expire_entry", .probe = tcpstate_probe_timer_expire },
};

static void tcpstate_tp_lookup(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tcpstate_tps); i++)
		if (!strcmp(tp->name, tcpstate_tps[i].name))
			tcpstate_tps[i].tp = tp;
}

/**
 * tcpstate_tp_unregister() - detach every probe and wait for running ones
 *
 * After it returns no probe is running or will run again, so what they
 * use may be freed.
 */
void tcpstate_tp_unregister(void)
{
	unsigned int i;

	for (i = ARRAY_SIZE(tcpstate_tps); i-- > 0;) {
		struct tcpstate_tp *t = &tcpstate_tps[i];

		if (!t->registered)
			continue;
		WARN_ON_ONCE(tracepoint_probe_unregister(t->tp, t->probe, NULL));
		t->registered = false;
	}
	tracepoint_synchronize_unregister();
}

/**
 * tcpstate_tp_register() - attach the probes (disarmed until the walk)
 *
 * Return: 0, -ENOENT if a tracepoint is missing, or the registration error.
 */
int tcpstate_tp_register(void)
{
	unsigned int i;
	int err;

	/* The probes above take these tracepoints' arguments. */
	BUILD_BUG_ON(!TCPSTATE_TP_PROTO(inet_sock_set_state,
					const struct sock *, int, int));
	BUILD_BUG_ON(!TCPSTATE_TP_PROTO(timer_cancel, struct timer_list *));
	BUILD_BUG_ON(!TCPSTATE_TP_PROTO(timer_expire_entry, struct timer_list *,
					unsigned long));

	for_each_kernel_tracepoint(tcpstate_tp_lookup, NULL);
	for (i = 0; i < ARRAY_SIZE(tcpstate_tps); i++) {
		struct tcpstate_tp *t = &tcpstate_tps[i];

		if (!t->tp) {
			pr_err("tracepoint %s not found\n", t->name);
			err = -ENOENT;
			goto out_unregister;
		}
		err = tracepoint_probe_register(t->tp, t->probe, NULL);
		if (err) {
			pr_err("cannot attach to %s: %d\n", t->name, err);
			goto out_unregister;
		}
		t->registered = true;
	}
	return 0;

out_unregister:
	tcpstate_tp_unregister();
	return err;
}
