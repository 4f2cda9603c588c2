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
 * when the first ran, and does it when the first was skipped. The counts
 * never depend on telling the two cases apart.
 *
 * The second program applies every event again, whatever it finds: work
 * already done is left alone. Only the health figure asks whether the
 * first program ran, and it can be told exactly, because events on one
 * CPU nest in one way only. Probes run with preemption off, and TCP's
 * state events and timers fire in task context (a system call, a
 * release_sock() backlog, ksoftirqd) or in a softirq, never in a hardirq
 * or NMI; a softirq does not nest in a softirq. So on a CPU at most two
 * events are under way at once: one in task context and one in a softirq
 * that interrupted it. The level tells them apart: the softirq runs on
 * the CPU's irq stack (do_softirq_own_stack(), or straight from
 * irq_exit()), task context on the task's stack (nest_level(): where the
 * kernel put the event's arguments). The first
 * program writes the event's object (socket, timer) in its level's slot
 * of a per-CPU array; the second reads and clears it: its object there
 * means the first ran. Nothing between the two programs of one event
 * writes that slot (an event of the same level would have to nest), and a
 * first program is skipped only when it is active on the CPU, which is a
 * task-context event under a softirq one: the softirq event's second
 * program then finds its slot empty (or another object) and counts the
 * event in handled[]. An event is lost only when both its programs are
 * skipped, which would need a third level; user space reports
 * recursion_misses of the first programs on the socket tracepoints
 * (whose events all concern us) less handled[] and stale[] as
 * events_missed. A slot left written (a softirq event whose second
 * program was skipped, because it fired inside a task-context second
 * program or in the kernel's epilogue after it) is overwritten by the
 * next event of that level; only a later event of the same object and
 * level whose first program was skipped can match it; its second
 * program, finding the work still to do, does it and counts it in
 * stale[], which user space counts as handled. The timer tracepoints
 * fire with interrupts off under the timer base lock, so their programs
 * are never skipped; a timewait event lost anyway would show as
 * timewait_untracked or as drift. What a lost event breaks is caught
 * besides: missed_event, close_unseen, timewait_untracked, and the
 * comparison with the kernel's counters.
 *
 * (Two earlier versions kept a stack per CPU instead of the two levels.
 * The first trusted it for the work itself and searched it as a ring:
 * entries left above the top by second programs that were skipped were
 * found again, and a later event of the same socket whose first program
 * was skipped was taken as done and lost: a socket left in FIN_WAIT1, its
 * timewait socket missing. The second only counted with it, but a
 * softirq that runs in the kernel's epilogue after a task-context second
 * program leaves an entry for each of its events, so the stack filled
 * and dropped pushes, and handled[] exceeded recursion_misses by 356 in
 * 15 netns_burst.sh runs: events_missed, clamped at zero, could not have
 * shown a real loss.)
 */
#ifndef __TCPSTATE_NEST_BPF_H
#define __TCPSTATE_NEST_BPF_H

#define NEST_LEVELS	2	/* task context, and a softirq on top of it */
#define NEST_STACK_MAX	0x8000	/* above any THREAD_SIZE of x86-64 */

struct nest_slots {
	__u64 obj[TCPSTATE_NEST_MAX][NEST_LEVELS];	/* 0: none */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nest_slots);
} nest_seen SEC(".maps");

static __always_inline struct nest_slots *nest_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&nest_seen, &zero);
}

/*
 * 0 in task context, 1 in a softirq: whether the event's arguments lie
 * within the current task's kernel stack. ctx is the array the kernel's
 * bpf_trace_run*() builds on the stack the tracepoint fired on; the
 * program's own frame is no guide (x86-64 runs tracing programs on a
 * per-CPU private stack since 6.13, and every frame there looks like a
 * softirq's). The low 32 bits of both addresses are enough (the verifier
 * lets a pointer be copied to a 32-bit scalar, not shifted): an irq
 * stack is not within 32 KiB above a task stack.
 */
static __always_inline __u32 nest_level(const void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 args, stack;

	asm volatile("%0 = %1" : "=w"(args) : "w"((__u32)(unsigned long)ctx));
	asm volatile("%0 = %1" : "=w"(stack) : "w"((__u32)(unsigned long)task->stack));
	return args - stack < NEST_STACK_MAX ? 0 : 1;
}

/* The first program: this event's programs are running. */
static __always_inline void nest_push(const void *ctx, int idx, __u64 obj)
{
	struct nest_slots *n = nest_get();

	if (n)
		n->obj[idx & (TCPSTATE_NEST_MAX - 1)][nest_level(ctx) & 1] = obj;
}

/* The second program: true when the first ran for this event. */
static __always_inline bool nest_pop(const void *ctx, int idx, __u64 obj)
{
	struct nest_slots *n = nest_get();
	__u64 *slot;

	if (!n)
		return false;
	slot = &n->obj[idx & (TCPSTATE_NEST_MAX - 1)][nest_level(ctx) & 1];
	if (*slot != obj)
		return false;
	*slot = 0;
	return true;
}

/* Counts one event of tracepoint idx in handled[] or stale[]. */
static __always_inline void nest_count(int idx, bool stale)
{
	struct tcpstate_nesting *n;
	__u32 zero = 0;

	n = bpf_map_lookup_elem(&nesting, &zero);
	if (!n || (unsigned int)idx >= TCPSTATE_NEST_MAX)
		return;
	__sync_fetch_and_add(stale ? &n->stale[idx] : &n->handled[idx], 1);
}

/*
 * Two tp_btf programs on tracepoint tp: name_btf and name_nest. obj: the
 * event's object (socket, timer); filter: the event concerns us; call:
 * applies it (idempotent; twin tells which program runs it).
 */
#define TWIN_PROGS(tp, name, idx, proto, obj, filter, call)		\
SEC("tp_btf/" #tp)							\
int BPF_PROG(name##_btf, proto)						\
{									\
	const bool twin __attribute__((unused)) = false;		\
									\
	if (!(filter))							\
		return 0;						\
	nest_push(ctx, idx, (__u64)(obj));				\
	call;								\
	return 0;							\
}									\
									\
SEC("tp_btf/" #tp)							\
int BPF_PROG(name##_nest, proto)					\
{									\
	const bool twin __attribute__((unused)) = true;			\
	bool first_ran;							\
									\
	if (!(filter))							\
		return 0;						\
	first_ran = nest_pop(ctx, idx, (__u64)(obj));			\
	if (!first_ran)							\
		nest_count(idx, false);					\
	/* Whatever the slot says: applying is idempotent. */		\
	if ((call) && first_ran)					\
		nest_count(idx, true);					\
	return 0;							\
}

#define COMMA ,

#endif /* __TCPSTATE_NEST_BPF_H */
