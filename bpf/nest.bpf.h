/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * nest.bpf.h - state events the kernel skips because the program is
 * running.
 *
 * The kernel runs a tp_btf program at most once per CPU at a time
 * (__bpf_trace_run() in kernel/trace/bpf_trace.c: prog->active): an event
 * that fires while the program is active on that CPU is skipped and only
 * counted in the program's recursion_misses. TCP's state events fire in
 * task context (a system call, a release_sock() backlog) or in a softirq,
 * and a softirq run on the way out of a hardirq can interrupt a
 * task-context program: its state events are then skipped. So
 * inet_sock_set_state has two programs, run one after the other for every
 * event (set_state_btf, then set_state_nest), both applying the event.
 * Applying is idempotent (sk.bpf.h: a socket already recorded in the
 * event's new state is left alone): the twin finds the work done when the
 * first program ran, and does it when the first was skipped. An event is
 * lost only when both are skipped, which needs a third level of nesting
 * that TCP's events do not have (a softirq does not nest in a softirq,
 * and no state event fires in a hardirq or NMI).
 *
 * The twin counts the events it applied itself in nesting.handled: they
 * are exactly those whose first program was skipped (a socket's events
 * are serialised by its lock, so between the two programs of one event
 * nothing else moves that socket's record), so user space reports
 * recursion_misses of set_state_btf less handled as events really lost.
 *
 * The other tracepoints need no twin. timer_start and timer_cancel fire
 * under the timer base lock with interrupts off: nothing can nest in
 * their programs. A tcp_destroy_sock skipped this way costs nothing:
 * the socket's CLOSE, which set_state's twin never misses, has already
 * uncounted it and given its slot back (its program is a safety net for
 * a close the kernel never showed, sk.bpf.h), so its misses are not
 * events lost. (Were the socket's close lost too, its record would be
 * found live at its address's next socket or by a re-count, and counted
 * as close_unseen then.)
 *
 * (Earlier versions told whether the first program ran by a per-CPU
 * stack, then by a slot per nesting level that the first program wrote
 * and the twin cleared: Documentation/architecture.rst, "Events the
 * kernel skips", tells what each got wrong. The twin's own result needs
 * neither, and costs two map lookups and a task read less per event.)
 */
#ifndef __TCPSTATE_NEST_BPF_H
#define __TCPSTATE_NEST_BPF_H

/* The twin applied an event its first program missed. */
static __always_inline void nest_handled(void)
{
	struct tcpstate_nesting *n;
	__u32 zero = 0;

	n = bpf_map_lookup_elem(&nesting, &zero);
	if (n)
		__sync_fetch_and_add(&n->handled, 1);
}

#endif /* __TCPSTATE_NEST_BPF_H */
