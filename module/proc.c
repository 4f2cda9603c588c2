// SPDX-License-Identifier: GPL-2.0
/*
 * proc.c - /proc/net/tcpstate, one per network namespace.
 *
 * DOC: /proc/net/tcpstate
 *
 * The layout of /proc/net/netstat: a version line "tcpstate 1", then each
 * table as a row of column names and a row of values, both opening with
 * the table's name and a colon. Documentation/module.rst lists every table.
 * No kernel address is ever printed. Beside it, /proc/net/tcpstate_ctl
 * takes root's commands (check.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <net/inet_connection_sock.h>
#include <net/inet_hashtables.h>
#include <net/request_sock.h>
#include <net/tcp.h>

#include "tcpstate.h"

struct tcpstate_name {
	int index;
	const char *name;
};

#define TCPSTATE_NAME(i, n, ss) { i, n },
static const struct tcpstate_name tcpstate_live_names[] = {
	TCPSTATE_FOR_EACH_STATE(TCPSTATE_NAME)
	{ -1, NULL }
};

/**
 * tcpstate_state_lookup() - a live state by its name in the Live table
 * @name: the name, e.g. "time_wait"
 *
 * Return: the state's number, or -1.
 */
int tcpstate_state_lookup(const char *name)
{
	const struct tcpstate_name *a;

	for (a = tcpstate_live_names; a->name; a++)
		if (!strcmp(a->name, name))
			return a->index;
	return -1;
}

static const struct tcpstate_name tcpstate_all_names[] = {
	TCPSTATE_FOR_EACH_STATE(TCPSTATE_NAME)
	TCPSTATE_FOR_EACH_OTHER_STATE(TCPSTATE_NAME)
	{ -1, NULL }
};

#undef TCPSTATE_NAME

#define TCPSTATE_ERR_NAME(i, n, desc) { i, n },
static const struct tcpstate_name tcpstate_error_names[] = {
	TCPSTATE_FOR_EACH_ERROR(TCPSTATE_ERR_NAME)
	{ -1, NULL }
};

#undef TCPSTATE_ERR_NAME

/* Request sockets: the sum of the namespace's listeners' queues. */
static u64 tcpstate_request_socks(struct net *net)
{
	struct inet_hashinfo *h = net->ipv4.tcp_death_row.hashinfo;
	struct hlist_nulls_node *node;
	unsigned int i;
	struct sock *sk;
	u64 n = 0;

	rcu_read_lock();
	for (i = 0; i <= h->lhash2_mask; i++) {
		sk_nulls_for_each_rcu(sk, node, &h->lhash2[i].nulls_head) {
			if (net_eq(sock_net(sk), net))
				n += reqsk_queue_len(&inet_csk(sk)->icsk_accept_queue);
		}
	}
	rcu_read_unlock();
	return n;
}

static void tcpstate_fold(struct tcpstate_net *tn, struct tcpstate_stats *sum)
{
	int cpu;

	for_each_possible_cpu(cpu)
		tcpstate_stats_add(sum, per_cpu_ptr(tn->stats, cpu));
}

static void tcpstate_show_hist(struct seq_file *seq, const char *table,
			       const char *state, const u64 *slots)
{
	unsigned int j;

	seq_printf(seq, "%s%s:", table, state);
	for (j = 0; j < TCPSTATE_HIST_SLOTS; j++)
		seq_printf(seq, " %c%u", TCPSTATE_PROC_SLOT, j);
	seq_printf(seq, "\n%s%s:", table, state);
	for (j = 0; j < TCPSTATE_HIST_SLOTS; j++)
		seq_printf(seq, " %llu", slots[j]);
	seq_putc(seq, '\n');
}

static const char *const tcpstate_probe_names[TCPSTATE_NPROBES] = {
	[TCPSTATE_PROBE_SET_STATE] = "set_state",
	[TCPSTATE_PROBE_TIMER_START] = "timer_start",
	[TCPSTATE_PROBE_TIMER_CANCEL] = "timer_cancel",
	[TCPSTATE_PROBE_TIMER_EXPIRE] = "timer_expire",
};

/* probe_stats=1: runs and nanoseconds per probe, all CPUs, global. */
static void tcpstate_show_probe_cost(struct seq_file *seq)
{
	u64 runs[TCPSTATE_NPROBES] = {}, ns[TCPSTATE_NPROBES] = {};
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct tcpstate_probe_cost *c = per_cpu_ptr(&tcpstate_probe_cost, cpu);

		for (i = 0; i < TCPSTATE_NPROBES; i++) {
			runs[i] += READ_ONCE(c->runs[i]);
			ns[i] += READ_ONCE(c->ns[i]);
		}
	}
	seq_puts(seq, TCPSTATE_PROC_PROBE_COST ":");
	for (i = 0; i < TCPSTATE_NPROBES; i++)
		seq_printf(seq, " %s_runs %s_ns", tcpstate_probe_names[i],
			   tcpstate_probe_names[i]);
	seq_puts(seq, "\n" TCPSTATE_PROC_PROBE_COST ":");
	for (i = 0; i < TCPSTATE_NPROBES; i++)
		seq_printf(seq, " %llu %llu", runs[i], ns[i]);
	seq_putc(seq, '\n');
}

static int tcpstate_proc_show(struct seq_file *seq, void *v)
{
	struct net *net = seq->private;
	struct tcpstate_net *tn = tcpstate_pernet(net);
	const struct tcpstate_name *a, *b;
	struct tcpstate_stats *sum;
	u64 errs[TCPSTATE_NERRORS] = {};
	unsigned int i;
	int cpu;

	sum = kzalloc(sizeof(*sum), GFP_KERNEL);
	if (!sum)
		return -ENOMEM;
	tcpstate_tw_resolve_all();
	tcpstate_tw_reconcile(tn);
	tcpstate_fold(tn, sum);
	sum->live[TCP_SYN_RECV] += tcpstate_request_socks(net);
	for_each_possible_cpu(cpu)
		for (i = 0; i < TCPSTATE_NERRORS; i++)
			errs[i] += READ_ONCE(per_cpu_ptr(tcpstate_errors, cpu)->count[i]);

	seq_printf(seq, TCPSTATE_PROC_MAGIC " %d\n", TCPSTATE_PROC_VERSION);
	seq_printf(seq, TCPSTATE_PROC_NETNS ": " TCPSTATE_PROC_INUM "\n"
		   TCPSTATE_PROC_NETNS ": %u\n", tn->inum);

	seq_puts(seq, TCPSTATE_PROC_LIVE ":");
	for (a = tcpstate_live_names; a->name; a++)
		seq_printf(seq, " %s", a->name);
	seq_puts(seq, "\n" TCPSTATE_PROC_LIVE ":");
	for (a = tcpstate_live_names; a->name; a++)
		seq_printf(seq, " %lld", sum->live[a->index]);
	seq_putc(seq, '\n');
	tcpstate_check_show(seq, net, tn);

	seq_puts(seq, TCPSTATE_PROC_TRANSITIONS ":");
	for (a = tcpstate_all_names; a->name; a++)
		for (b = tcpstate_all_names; b->name; b++)
			seq_printf(seq, " %s%c%s", a->name, TCPSTATE_PROC_TRANS_SEP,
				   b->name);
	seq_puts(seq, "\n" TCPSTATE_PROC_TRANSITIONS ":");
	for (a = tcpstate_all_names; a->name; a++)
		for (b = tcpstate_all_names; b->name; b++)
			seq_printf(seq, " %llu", sum->transitions[a->index][b->index]);
	seq_putc(seq, '\n');

	for (a = tcpstate_live_names; a->name; a++)
		tcpstate_show_hist(seq, TCPSTATE_PROC_DURATION, a->name,
				   sum->duration[a->index]);
	tcpstate_show_hist(seq, TCPSTATE_PROC_LIFETIME, "", sum->lifetime);

	seq_puts(seq, TCPSTATE_PROC_ERRORS ":");
	for (a = tcpstate_error_names; a->name; a++)
		seq_printf(seq, " %s", a->name);
	seq_puts(seq, "\n" TCPSTATE_PROC_ERRORS ":");
	for (a = tcpstate_error_names; a->name; a++)
		seq_printf(seq, " %llu", errs[a->index]);
	seq_putc(seq, '\n');

	seq_puts(seq, TCPSTATE_PROC_COLLECTOR ": " TCPSTATE_PROC_RECORDS " "
		 TCPSTATE_PROC_RECORDS_MAX "\n");
	seq_printf(seq, TCPSTATE_PROC_COLLECTOR ": %u %lu\n", tcpstate_table_used(),
		   roundup_pow_of_two(tcpstate_max_sockets));
	if (tcpstate_probe_stats)
		tcpstate_show_probe_cost(seq);
	kfree(sum);
	return 0;
}

/**
 * tcpstate_proc_init() - create /proc/net/tcpstate and tcpstate_ctl
 * @net: the namespace
 *
 * Return: 0 or -ENOMEM.
 */
int tcpstate_proc_init(struct net *net)
{
	if (!proc_create_net_single(TCPSTATE_PROC_FILE, 0444, net->proc_net,
				    tcpstate_proc_show, NULL))
		return -ENOMEM;
	/* Root's commands (check.c); readers need none of them. */
	if (!proc_create_net_single_write(TCPSTATE_PROC_CTL, 0200, net->proc_net,
					  tcpstate_ctl_show, tcpstate_ctl_write,
					  NULL)) {
		remove_proc_entry(TCPSTATE_PROC_FILE, net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

/**
 * tcpstate_proc_exit() - remove /proc/net/tcpstate and tcpstate_ctl
 * @net: the namespace
 */
void tcpstate_proc_exit(struct net *net)
{
	remove_proc_entry(TCPSTATE_PROC_CTL, net->proc_net);
	remove_proc_entry(TCPSTATE_PROC_FILE, net->proc_net);
}
