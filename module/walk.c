// SPDX-License-Identifier: GPL-2.0
/*
 * walk.c - count the sockets that exist when the module is inserted.
 *
 * DOC: sockets that predate the module
 *
 * The probes are registered first, disarmed. Then, under stop_machine(),
 * the TCP hash tables of every namespace are walked as inet_diag walks them
 * (the established hash holds full, timewait and request sockets; the
 * listening hash holds listeners) and the probes are armed before any CPU
 * runs again. No state change can run while every CPU is stopped, and a
 * state change is not preemptible between its tracepoint and its store on
 * non-PREEMPT kernels, so every socket is counted once: by the walk in the
 * state it is in, then by the probes. Request sockets are not walked; they
 * are counted from their listener's queue at read time. The walk holds the
 * machine for about 100 ns per socket (0.1 s at a million sockets).
 *
 * A re-count of one namespace (check.c) walks the same tables the same
 * way, for that namespace's sockets only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/stop_machine.h>
#include <net/inet_hashtables.h>
#include <net/tcp.h>

#include "tcpstate.h"

/* Whether a walk counts sk: of net (any live namespace if NULL). */
static bool tcpstate_walk_wants(const struct sock *sk, const struct net *net)
{
	struct tcpstate_net *tn;

	if (net)
		return net_eq(sock_net(sk), net);
	tn = tcpstate_pernet(sock_net(sk));
	return tn && !READ_ONCE(tn->dead);
}

static unsigned int tcpstate_walk_lhash(struct inet_hashinfo *h,
					const struct net *net)
{
	struct hlist_nulls_node *node;
	unsigned int i, n = 0;
	struct sock *sk;

	for (i = 0; i <= h->lhash2_mask; i++) {
		sk_nulls_for_each_rcu(sk, node, &h->lhash2[i].nulls_head) {
			if (!tcpstate_walk_wants(sk, net))
				continue;
			tcpstate_sk_walked(sk);
			n++;
		}
	}
	return n;
}

static unsigned int tcpstate_walk_ehash(struct inet_hashinfo *h,
					const struct net *net)
{
	struct hlist_nulls_node *node;
	unsigned int i, n = 0;
	struct sock *sk;

	for (i = 0; i <= h->ehash_mask; i++) {
		sk_nulls_for_each_rcu(sk, node, &h->ehash[i].chain) {
			if (!tcpstate_walk_wants(sk, net))
				continue;
			if (sk->sk_state == TCP_TIME_WAIT)
				tcpstate_tw_walked(sk);
			else if (sk->sk_state != TCP_NEW_SYN_RECV)
				tcpstate_sk_walked(sk);
			n++;
		}
	}
	return n;
}

/*
 * A namespace with its own established hash (net.ipv4.tcp_child_ehash_entries)
 * shares the listening hash of init_net's: each is walked once.
 */
static int tcpstate_walk_stopped(void *data)
{
	struct inet_hashinfo *global = init_net.ipv4.tcp_death_row.hashinfo;
	unsigned int *found = data;
	bool global_done = false;
	struct net *net;

	rcu_read_lock();
	for_each_net_rcu(net) {
		struct inet_hashinfo *h = net->ipv4.tcp_death_row.hashinfo;

		if (!h)
			continue;
		if (h == global) {
			if (global_done)
				continue;
			global_done = true;
		}
		if (h == global || h->lhash2 != global->lhash2)
			*found += tcpstate_walk_lhash(h, NULL);
		*found += tcpstate_walk_ehash(h, NULL);
	}
	rcu_read_unlock();
	WRITE_ONCE(tcpstate_armed, true);
	return 0;
}

/**
 * tcpstate_walk_net() - count the sockets of one namespace
 * @net: the namespace
 *
 * Under stop_machine() only (check.c), like the walk at insmod: full and
 * listening sockets through tcpstate_sk_walked(), timewait sockets through
 * tcpstate_tw_walked().
 *
 * Return: the number of sockets found.
 */
unsigned int tcpstate_walk_net(struct net *net)
{
	struct inet_hashinfo *h = net->ipv4.tcp_death_row.hashinfo;
	unsigned int n;

	rcu_read_lock();
	n = tcpstate_walk_lhash(h, net) + tcpstate_walk_ehash(h, net);
	rcu_read_unlock();
	return n;
}

/**
 * tcpstate_walk() - count existing sockets and arm the probes
 *
 * Return: 0 or the error of stop_machine().
 */
int tcpstate_walk(void)
{
	unsigned int found = 0;
	u64 t0 = ktime_get_ns();
	int err;

	err = stop_machine(tcpstate_walk_stopped, &found, NULL);
	if (!err)
		pr_info("counted %u existing sockets in %llu us\n", found,
			div_u64(ktime_get_ns() - t0, NSEC_PER_USEC));
	return err;
}
