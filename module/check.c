// SPDX-License-Identifier: GPL-2.0
/*
 * check.c - the collector checks itself against the kernel's own counters,
 * and re-counts a namespace from its sockets on request.
 *
 * DOC: the self-check
 *
 * On every read of /proc/net/tcpstate the namespace's totals are compared
 * with the kernel's own per-namespace counters, those /proc/net/sockstat
 * and sockstat6 print: sock_prot_inuse_get() of tcp_prot and tcpv6_prot
 * (hashed full sockets, LISTEN included) against the sum of the live
 * counts less the timewait sockets, and the death row's tw_refcount - 1
 * against the timewait sockets (timewait[0]). A sample reads the module's
 * totals, the kernel's, then the module's again, within a few
 * microseconds and without leaving the kernel; tcpstate_drift_judge() of
 * include/tcpstate.h, the rule the BPF collector's reader applies too,
 * says whether a difference is persistent (and a persistent one stays
 * reported until it is re-counted). The state of the rule and the
 * counts of drifts and re-counts live in the namespace's tcpstate_net,
 * so every reader (a plain cat too) sees and advances the same check; the
 * Check table of the file shows it. The cost is two folds of the live
 * counts over the CPUs and three per-CPU sums of the kernel's: the same
 * at 100 sockets and at a million.
 *
 * The check lives here rather than in user space because here the sample
 * is tight (no system call between its three reads; in user space each of
 * the module's would be a whole read of /proc/net/tcpstate), its state
 * needs no interface for user space to write it back, and it is the same
 * for every reader, whichever tool.
 *
 * DOC: the re-count
 *
 * A re-count is requested by writing "repair" to /proc/net/tcpstate_ctl
 * (mode 0200, and CAP_SYS_ADMIN of the opener: it stops every CPU for a
 * moment, so a container's root may not). tcpstate does it when a read
 * says the drift is persistent. Under stop_machine(), with every other CPU
 * waiting with interrupts off and no state change, timer event or hash
 * update of any socket in progress, it
 *
 * 1. resolves every CPU's parked timer cancel (each is a death: a re-arm's
 *    cancel and start are one interrupts-off section) and re-reads the
 *    namespace's FIN_WAIT2 timewait sockets;
 * 2. zeroes the namespace's live and timewait counts on every CPU and
 *    begins a new epoch;
 * 3. walks the namespace's sockets in the established and listening
 *    hashes as the insmod walk does, counting each in its actual state
 *    and stamping its record with the new epoch (timewait records are
 *    marked seen, or created for a socket whose birth was missed);
 * 4. releases the timewait records the walk did not find: their sockets
 *    are gone, their deaths were missed.
 *
 * When the CPUs run again, every socket of the namespace in a hash table
 * is counted once, in its state, and its events move it from there (a
 * full socket's events leave its sk_state, a timewait socket's death its
 * record's substate). A full socket that is in no hash table at that
 * moment but was counted before (a connect() that has set SYN_SENT and
 * is between ports in __inet_hash_connect(), where cond_resched() may
 * let the stopper in) is not counted by the walk; its record still
 * carries the old epoch, so its next event adds it to its new state
 * without taking it from the old one. Events queued behind the stop are
 * applied to the re-counted numbers as they would have been to the old
 * ones. What made the old numbers wrong is gone with them. The machine
 * stops for the walk of the hash tables, about 100 ns per socket of all
 * namespaces (the listening and established hashes are shared) plus the
 * sweep of the record table, about 1 ms at the default max_sockets.
 *
 * The module parameter test_skew=1 (off by default) lets the same file
 * take "skew <state> <delta> [<tw>]", which adds to a live count behind
 * the collector's back: the fault the check must find (selftests/repair.sh).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/stop_machine.h>
#include <linux/string.h>
#include <net/inet_timewait_sock.h>
#include <linux/seq_file_net.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/transp_v6.h>

#include "tcpstate.h"

/* The module's totals: full sockets (what inuse counts) and timewait ones. */
static void tcpstate_check_totals(struct tcpstate_net *tn, s64 *full, s64 *tw)
{
	s64 sum = 0, t = 0;
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct tcpstate_stats *st = per_cpu_ptr(tn->stats, cpu);

		for (i = 0; i < TCPSTATE_NSTATES; i++)
			if (tcpstate_is_live(i))
				sum += READ_ONCE(st->live[i]);
		t += READ_ONCE(st->timewait[0]);
	}
	*full = sum - t;
	*tw = t;
}

/* The sockets counted in SYN_SENT, summed over CPUs (the drift rule's in-flight connects). */
static s64 tcpstate_check_syn_sent(struct tcpstate_net *tn)
{
	s64 n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += READ_ONCE(per_cpu_ptr(tn->stats, cpu)->live[TCPSTATE_ST_SYN_SENT]);
	return n;
}

/* What /proc/net/sockstat and sockstat6 print: TCP + TCP6 inuse, and tw. */
static void tcpstate_kernel_totals(struct net *net, s64 *full, s64 *tw)
{
	*full = sock_prot_inuse_get(net, &tcp_prot);
#if IS_ENABLED(CONFIG_IPV6)
	*full += sock_prot_inuse_get(net, &tcpv6_prot);
#endif
	*tw = refcount_read(&net->ipv4.tcp_death_row.tw_refcount) - 1;
}

/*
 * The rule of include/tcpstate.h, with one addition: a drift found
 * persistent stays reported, and is not counted again, on every clean
 * sample that shows the same difference, until a re-count or until the
 * difference changes. A read can take several samples (seq_file runs a
 * show() again when its output outgrows the buffer, and this one's does),
 * and a reader without the right to re-count must not hide a drift from
 * the next one who has it.
 */
static int tcpstate_check_judge(struct tcpstate_net *tn,
				const struct tcpstate_drift_sample *s)
{
	int verdict;

	if (tn->latched) {
		if (s->full_a != s->full_b || s->tw_a != s->tw_b)
			return TCPSTATE_DRIFT_UNCLEAR;
		if (s->full_a - s->kern_full == tn->latched_full &&
		    s->tw_a - s->kern_tw == tn->latched_tw)
			return TCPSTATE_DRIFT_PERSISTENT;
		tn->latched = false;
	}
	verdict = tcpstate_drift_judge(&tn->check, s);
	if (verdict == TCPSTATE_DRIFT_PERSISTENT) {
		tn->latched = true;
		tn->latched_full = tn->check.last_full;
		tn->latched_tw = tn->check.last_tw;
	}
	return verdict;
}

/* In the order of enum tcpstate_check_col, which the same list makes. */
#define TCPSTATE_CHECK_NAME(i, name) name,
static const char *const tcpstate_check_names[TCPSTATE_CHECK_NCOLS] = {
	TCPSTATE_FOR_EACH_CHECK_COL(TCPSTATE_CHECK_NAME)
};

#undef TCPSTATE_CHECK_NAME

/**
 * tcpstate_check_show() - compare with the kernel's counters, print Check
 * @seq: the /proc/net/tcpstate being shown
 * @net: its namespace
 * @tn: the namespace's state
 *
 * Takes one sample, judges it and prints the Check table.
 */
void tcpstate_check_show(struct seq_file *seq, struct net *net,
			 struct tcpstate_net *tn)
{
	struct tcpstate_drift_sample smp;
	s64 v[TCPSTATE_CHECK_NCOLS];
	struct tcpstate_check *c = &tn->check;
	unsigned int i;
	int verdict;

	mutex_lock(&tn->check_lock);
	tcpstate_check_totals(tn, &smp.full_a, &smp.tw_a);
	smp.syn_sent = tcpstate_check_syn_sent(tn);
	tcpstate_kernel_totals(net, &smp.kern_full, &smp.kern_tw);
	tcpstate_check_totals(tn, &smp.full_b, &smp.tw_b);
	smp.now_ns = ktime_get_ns();
	verdict = tcpstate_check_judge(tn, &smp);

	v[TCPSTATE_CHECK_SOCKETS] = smp.full_a;
	v[TCPSTATE_CHECK_KERNEL_SOCKETS] = smp.kern_full;
	v[TCPSTATE_CHECK_TIMEWAIT] = smp.tw_a;
	v[TCPSTATE_CHECK_KERNEL_TIMEWAIT] = smp.kern_tw;
	v[TCPSTATE_CHECK_VERDICT] = verdict;
	v[TCPSTATE_CHECK_DRIFTS] = c->drifts;
	v[TCPSTATE_CHECK_LAST_SOCKETS] = c->last_full;
	v[TCPSTATE_CHECK_LAST_TIMEWAIT] = c->last_tw;
	v[TCPSTATE_CHECK_REPAIRS] = c->repairs;
	v[TCPSTATE_CHECK_GENERATION] = c->epoch;
	mutex_unlock(&tn->check_lock);

	seq_puts(seq, TCPSTATE_PROC_CHECK ":");
	for (i = 0; i < TCPSTATE_CHECK_NCOLS; i++)
		seq_printf(seq, " %s", tcpstate_check_names[i]);
	seq_puts(seq, "\n" TCPSTATE_PROC_CHECK ":");
	for (i = 0; i < TCPSTATE_CHECK_NCOLS; i++)
		seq_printf(seq, " %lld", v[i]);
	seq_putc(seq, '\n');
}

struct tcpstate_repair {
	struct net *net;
	struct tcpstate_net *tn;
	unsigned int found;
};

static int tcpstate_repair_stopped(void *data)
{
	struct tcpstate_repair *r = data;
	struct tcpstate_net *tn = r->tn;
	int cpu;

	tcpstate_tw_flush_stopped();
	tcpstate_tw_reconcile(tn);
	for_each_possible_cpu(cpu) {
		struct tcpstate_stats *st = per_cpu_ptr(tn->stats, cpu);

		memset(st->live, 0, sizeof(st->live));
		memset(st->timewait, 0, sizeof(st->timewait));
	}
	WRITE_ONCE(tn->epoch, tn->epoch + 1);
	r->found = tcpstate_walk_net(r->net);
	tcpstate_tw_sweep(tn);
	return 0;
}

/* Re-counts net's sockets (see the DOC above); 0 or -errno. */
static int tcpstate_repair(struct net *net, struct tcpstate_net *tn)
{
	struct tcpstate_repair r = { .net = net, .tn = tn };
	u64 t0;
	int err;

	if (READ_ONCE(tn->dead))
		return -ENOENT;
	mutex_lock(&tn->check_lock);
	t0 = ktime_get_ns();
	err = stop_machine(tcpstate_repair_stopped, &r, NULL);
	if (!err) {
		tn->check.repairs++;
		tn->check.epoch = tn->epoch;
		/* The difference the rule was following is gone. */
		tn->latched = false;
		tn->check.pending_ns = 0;
		tn->check.pending_full = 0;
		tn->check.pending_tw = 0;
		pr_info("namespace %u re-counted: %u sockets in %llu us\n",
			tn->inum, r.found,
			div_u64(ktime_get_ns() - t0, NSEC_PER_USEC));
	}
	mutex_unlock(&tn->check_lock);
	return err;
}

/* "skew <state> <delta> [<tw>]": test_skew=1 only. */
static int tcpstate_skew(struct tcpstate_net *tn, char *args)
{
	char *name = strsep(&args, " "), *num;
	long long delta, tw = 0;
	int state;

	if (!tcpstate_test_skew)
		return -EPERM;
	state = tcpstate_state_lookup(name);
	if (state < 0)
		return -EINVAL;
	num = strsep(&args, " ");
	if (!num || kstrtoll(num, 10, &delta))
		return -EINVAL;
	num = strsep(&args, " ");
	if (num && kstrtoll(num, 10, &tw))
		return -EINVAL;
	if (args)
		return -EINVAL;
	this_cpu_add(tn->stats->live[state], delta);
	this_cpu_add(tn->stats->timewait[0], tw);
	pr_info("namespace %u: live %s %+lld, timewait %+lld (test_skew)\n",
		tn->inum, name, delta, tw);
	return 0;
}

/**
 * tcpstate_ctl_write() - a command written to /proc/net/tcpstate_ctl
 * @file: the open file; its opener must hold CAP_SYS_ADMIN
 * @buf: the command, NUL-terminated (proc copies it in)
 * @size: its length
 *
 * Return: 0, -EPERM, -EINVAL for an unknown command, or the re-count's
 * error.
 */
int tcpstate_ctl_write(struct file *file, char *buf, size_t size)
{
	struct net *net = seq_file_single_net(file->private_data);
	struct tcpstate_net *tn = tcpstate_pernet(net);
	char *cmd;

	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	buf = strim(buf);
	cmd = strsep(&buf, " ");
	if (!strcmp(cmd, TCPSTATE_CTL_REPAIR) && !buf)
		return tcpstate_repair(net, tn);
	if (!strcmp(cmd, TCPSTATE_CTL_SKEW) && buf)
		return tcpstate_skew(tn, buf);
	return -EINVAL;
}

/**
 * tcpstate_ctl_show() - what reading /proc/net/tcpstate_ctl shows
 * @seq: the file
 * @v: unused
 *
 * Only root can read a file of mode 0200: the commands it takes.
 *
 * Return: 0.
 */
int tcpstate_ctl_show(struct seq_file *seq, void *v)
{
	seq_puts(seq, TCPSTATE_CTL_REPAIR "\n");
	if (tcpstate_test_skew)
		seq_puts(seq, TCPSTATE_CTL_SKEW " <state> <delta> [<tw>]\n");
	return 0;
}
