/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * nest.bpf.h - events the kernel skips because the program is running.
 *
 * The kernel runs a tp_btf program at most once per CPU at a time
 * (__bpf_trace_run() in kernel/trace/bpf_trace.c: prog->active): an event
 * that fires while the program is active on that CPU (a softirq on top of
 * a process-context transition, even in the kernel's own prologue or
 * epilogue around the program) is skipped and only counted in the
 * program's recursion_misses. So each tracepoint has two programs, run one
 * after the other for every event, both applying the event. Applying is
 * idempotent (sk.bpf.h, tw.bpf.h): the second program finds the work done
 * when the first ran, and does it when the first was skipped, counting
 * that in handled[]. An event is lost only when both are skipped (it fired
 * inside the second program of an event that itself fired inside the
 * first): recursion_misses of the first programs less handled[] counts
 * exactly those, and user space reports it as events_missed.
 */
#ifndef __TCPSTATE_NEST_BPF_H
#define __TCPSTATE_NEST_BPF_H

static __always_inline void nest_handled(int idx)
{
	struct tcpstate_nesting *n;
	__u32 zero = 0;

	n = bpf_map_lookup_elem(&nesting, &zero);
	if (n && (unsigned int)idx < TCPSTATE_NEST_MAX)
		__sync_fetch_and_add(&n->handled[idx], 1);
}

/*
 * Two tp_btf programs on tracepoint tp: name_btf and name_nest. filter:
 * the event concerns us; call(twin): applies it, true when that changed
 * anything.
 */
#define TWIN_PROGS(tp, name, idx, proto, filter, call)			\
SEC("tp_btf/" #tp)							\
int BPF_PROG(name##_btf, proto)						\
{									\
	const bool twin __attribute__((unused)) = false;	\
									\
	if (filter)							\
		call;							\
	return 0;							\
}									\
									\
SEC("tp_btf/" #tp)							\
int BPF_PROG(name##_nest, proto)					\
{									\
	const bool twin __attribute__((unused)) = true;	\
									\
	if ((filter) && (call))						\
		nest_handled(idx);					\
	return 0;							\
}

#define COMMA ,

#endif /* __TCPSTATE_NEST_BPF_H */
