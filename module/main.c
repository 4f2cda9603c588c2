// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - tcpstate.ko: TCP connection-state telemetry per network namespace.
 *
 * DOC: theory of operation
 *
 * The module counts, per network namespace, the TCP sockets in each state
 * the way ss -tan shows them, the transitions between states, the time
 * spent in each state and the lifetime of connections, and publishes them
 * in /proc/net/tcpstate. It gives the same numbers as the BPF collector;
 * the layout of the numbers is include/tcpstate.h.
 *
 * Every event updates per-CPU counters of its namespace with this_cpu
 * operations, which are safe against interrupts and need no lock; readers
 * fold them over the possible CPUs. Per-socket memory is a preallocated
 * table (table.c). Full sockets are followed through inet_sock_set_state
 * (tp.c), timewait sockets through their timer (tw.c), request sockets
 * through their listener's queue length at read time (proc.c), and the
 * sockets that exist at insmod through a walk of the hash tables (walk.c).
 * Every read compares the totals with the kernel's own counters, and root
 * can have a namespace re-counted from its sockets (check.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include "tcpstate.h"

unsigned int tcpstate_max_sockets __read_mostly = 1U << 18;
module_param_named(max_sockets, tcpstate_max_sockets, uint, 0444);
MODULE_PARM_DESC(max_sockets,
		 "Sockets with a history (full and timewait), rounded up to a power of two; 48 bytes each (default 262144)");

bool tcpstate_probe_stats __read_mostly;
module_param_named(probe_stats, tcpstate_probe_stats, bool, 0444);
MODULE_PARM_DESC(probe_stats,
		 "Time every probe run (two sched_clock() reads), shown in the Probe_cost table; like kernel.bpf_stats_enabled (default 0)");

bool tcpstate_test_skew __read_mostly;
module_param_named(test_skew, tcpstate_test_skew, bool, 0444);
MODULE_PARM_DESC(test_skew,
		 "Test only: let root corrupt a live count on purpose (\"skew\" in /proc/net/tcpstate_ctl) to test the self-check; never on a production host (default 0)");

static unsigned int tcpstate_reconcile_ms __read_mostly = 1000;
module_param_named(reconcile_ms, tcpstate_reconcile_ms, uint, 0444);
MODULE_PARM_DESC(reconcile_ms,
		 "Period of the timewait FIN_WAIT2 substate re-read in ms, 0 only at read time (default 1000)");

unsigned int tcpstate_net_id __read_mostly;
struct tcpstate_errors __percpu *tcpstate_errors;
bool tcpstate_armed;

static LIST_HEAD(tcpstate_nets);
static DEFINE_MUTEX(tcpstate_nets_lock);

static void tcpstate_reconcile_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(tcpstate_reconcile_work, tcpstate_reconcile_fn);

static void tcpstate_reconcile_fn(struct work_struct *work)
{
	struct tcpstate_net *tn;

	tcpstate_tw_resolve_all();
	mutex_lock(&tcpstate_nets_lock);
	list_for_each_entry(tn, &tcpstate_nets, node)
		tcpstate_tw_reconcile(tn);
	mutex_unlock(&tcpstate_nets_lock);
	if (tcpstate_reconcile_ms)
		schedule_delayed_work(&tcpstate_reconcile_work,
				      msecs_to_jiffies(tcpstate_reconcile_ms));
}

static int __net_init tcpstate_net_init(struct net *net)
{
	struct tcpstate_net *tn = tcpstate_pernet(net);
	int err;

	tn->stats = alloc_percpu(struct tcpstate_stats);
	if (!tn->stats)
		return -ENOMEM;
	init_llist_head(&tn->fw2);
	mutex_init(&tn->check_lock);
	tn->inum = net->ns.inum;
	err = tcpstate_proc_init(net);
	if (err)
		goto out_free_stats;
	mutex_lock(&tcpstate_nets_lock);
	list_add(&tn->node, &tcpstate_nets);
	mutex_unlock(&tcpstate_nets_lock);
	return 0;

out_free_stats:
	free_percpu(tn->stats);
	return err;
}

static void __net_exit tcpstate_net_pre_exit(struct net *net)
{
	struct tcpstate_net *tn = tcpstate_pernet(net);

	mutex_lock(&tcpstate_nets_lock);
	list_del(&tn->node);
	mutex_unlock(&tcpstate_nets_lock);
	/* The core waits for an RCU grace period before .exit. */
	WRITE_ONCE(tn->dead, true);
}

static void __net_exit tcpstate_net_exit(struct net *net)
{
	struct tcpstate_net *tn = tcpstate_pernet(net);

	tcpstate_proc_exit(net);
	tcpstate_tw_net_exit(tn);
	free_percpu(tn->stats);
}

static struct pernet_operations tcpstate_net_ops = {
	.init = tcpstate_net_init,
	.pre_exit = tcpstate_net_pre_exit,
	.exit = tcpstate_net_exit,
	.id = &tcpstate_net_id,
	.size = sizeof(struct tcpstate_net),
};

static int __init tcpstate_init(void)
{
	int err;

	tcpstate_errors = alloc_percpu(struct tcpstate_errors);
	if (!tcpstate_errors)
		return -ENOMEM;
	err = tcpstate_tw_init();
	if (err) {
		pr_err("cannot build a timewait socket to learn its timer: %d\n", err);
		goto out_free_errors;
	}
	err = tcpstate_table_init(tcpstate_max_sockets);
	if (err)
		goto out_free_errors;
	err = register_pernet_subsys(&tcpstate_net_ops);
	if (err)
		goto out_free_table;
	if (tcpstate_probe_stats)
		static_branch_enable(&tcpstate_timing);
	err = tcpstate_tp_register();
	if (err)
		goto out_unregister_pernet;
	err = tcpstate_walk();
	if (err)
		goto out_unregister_tp;
	schedule_delayed_work(&tcpstate_reconcile_work,
			      msecs_to_jiffies(tcpstate_reconcile_ms ?: 1000));
	return 0;

out_unregister_tp:
	tcpstate_tp_unregister();
out_unregister_pernet:
	unregister_pernet_subsys(&tcpstate_net_ops);
out_free_table:
	tcpstate_table_exit();
out_free_errors:
	free_percpu(tcpstate_errors);
	return err;
}

static void __exit tcpstate_exit(void)
{
	tcpstate_tp_unregister();
	/* Only now may the probes' memory go. */
	tcpstate_reconcile_ms = 0;
	cancel_delayed_work_sync(&tcpstate_reconcile_work);
	unregister_pernet_subsys(&tcpstate_net_ops);
	tcpstate_table_exit();
	free_percpu(tcpstate_errors);
}

module_init(tcpstate_init);
module_exit(tcpstate_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("tcpstate authors");
MODULE_DESCRIPTION("TCP connection-state telemetry per network namespace");
/* PACKAGE_VERSION of dkms.conf; modpost then adds a srcversion. */
MODULE_VERSION("1.0");
