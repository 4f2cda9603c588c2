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

#include <linux/tracepoint.h>
#include <linux/timer.h>
#include <linux/version.h>
#include <net/sock.h>
#include <net/tcp_states.h>

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

static void tcpstate_set_state(void *data, const struct sock *csk,
			       const int oldstate, const int newstate)
{
	struct sock *sk = (struct sock *)csk;
	struct tcpstate_stats __percpu *st;
	struct tcpstate_net *tn;
	struct tcpstate_rec *rec;
	u64 now;

	if (!READ_ONCE(tcpstate_armed) || sk->sk_protocol != IPPROTO_TCP)
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
	if (tcpstate_is_live(oldstate))
		this_cpu_dec(st->live[oldstate]);

	if (newstate == TCP_CLOSE && !tcpstate_tw_fn_known() &&
	    (oldstate == TCP_FIN_WAIT1 || oldstate == TCP_FIN_WAIT2 ||
	     oldstate == TCP_CLOSING))
		tcpstate_tw_learn(sk, now);
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
	} else if (rec) {
		rec->entered_ns = now;
	} else {
		/* From now on the socket is tracked, without its history. */
		rec = tcpstate_rec_insert(sk, TCPSTATE_REC_SK);
		if (rec)
			rec->entered_ns = now;
	}
out_unlock:
	rcu_read_unlock();
}

/**
 * tcpstate_sk_walked() - count a full or listening socket found at insmod
 * @sk: the socket, in the ehash or the listening hash
 *
 * Called under stop_machine() with the hooks disarmed; its entry time is
 * unknown, so its time in this state is not recorded.
 */
void tcpstate_sk_walked(struct sock *sk)
{
	struct tcpstate_net *tn = tcpstate_pernet(sock_net(sk));
	int state = READ_ONCE(sk->sk_state);

	if (sk->sk_protocol != IPPROTO_TCP || !tcpstate_is_live(state) ||
	    tcpstate_rec_find(sk, TCPSTATE_REC_SK))
		return;
	if (!tcpstate_rec_insert(sk, TCPSTATE_REC_SK))
		tcpstate_error(TCPSTATE_ERR_SK_STORAGE);
	this_cpu_inc(tn->stats->live[state]);
}

/*
 * Only the timer is used; the trailing arguments changed in 6.10
 * (timer_start lost expires and flags for bucket_expiry). This module is
 * built out of tree for several kernels, hence the version test.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
static void tcpstate_probe_timer_start(void *data, struct timer_list *timer,
				       unsigned long bucket_expiry)
#else
static void tcpstate_probe_timer_start(void *data, struct timer_list *timer,
				       unsigned long expires, unsigned int flags)
#endif
{
	if (READ_ONCE(tcpstate_armed))
		tcpstate_timer_start(data, timer);
}

static void tcpstate_probe_timer_cancel(void *data, struct timer_list *timer)
{
	if (READ_ONCE(tcpstate_armed))
		tcpstate_timer_cancel(data, timer);
}

static void tcpstate_probe_timer_expire(void *data, struct timer_list *timer,
					unsigned long baseclk)
{
	if (READ_ONCE(tcpstate_armed))
		tcpstate_timer_expire(data, timer);
}

struct tcpstate_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool registered;
};

static struct tcpstate_tp tcpstate_tps[] = {
	{ .name = "inet_sock_set_state", .probe = tcpstate_set_state },
	{ .name = "timer_start", .probe = tcpstate_probe_timer_start },
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
