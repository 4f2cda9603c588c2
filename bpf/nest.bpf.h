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
 * first program ran. The first program pushes the event's object
 * (socket, timer) of every event that concerns us on a small per-CPU
 * stack (a timer tracepoint fires for every timer of the system: the
 * others cost only the filter); the second finds it on the
 * stack and pops it with whatever lies above (one read of the top, one
 * write), or, not finding it, knows the first was skipped and counts the
 * event in handled[]. Probes run with
 * preemption off, so events on one CPU nest strictly: an event that fires
 * between the two programs of another has pushed and popped its own entry
 * before the outer second program looks. An event that fires inside a
 * second program has its first program run (the first is not active
 * then) and its second skipped: its entry stays above, and the outer
 * second program, when it ends, lowers the top back to where it left it
 * (below its own entry, or as found when the first program was skipped).
 * An event is lost only when both programs are skipped (it fired inside
 * the second program of an event that itself fired inside the first);
 * user space reports recursion_misses of the first programs on the socket
 * tracepoints (whose events all concern us) less handled[] and stale[] as
 * events_missed. The timer tracepoints fire with interrupts off under the
 * timer base lock, so their programs are never skipped; a timewait event
 * lost anyway would show as timewait_untracked or as drift. Only an event in the few instructions
 * between that final lowering and the program's exit can leave an entry
 * behind, below the top; until it ages out (nest_push()) it can match a
 * later event of the same object whose first program was skipped; its
 * second program, finding the work still to do, does it and counts it in
 * stale[], which user space counts as handled.
 * What a lost event breaks is caught besides: missed_event, close_unseen,
 * timewait_untracked, and the comparison with the kernel's counters.
 *
 * (An earlier version trusted the stack for the work itself and searched
 * it as a ring: entries left above the top by second programs that were
 * skipped were found again, and a later event of the same socket whose
 * first program was skipped was taken as done and lost: a socket left in
 * FIN_WAIT1, its timewait socket missing.)
 */
#ifndef __TCPSTATE_NEST_BPF_H
#define __TCPSTATE_NEST_BPF_H

#define NEST_DEPTH	16	/* a power of two, far above any nesting depth */
#define NEST_STALE	(1u << 20)	/* events on a CPU: see nest_push() */

struct nest_stack {
	__u64 obj[TCPSTATE_NEST_MAX][NEST_DEPTH];
	__u32 seq[TCPSTATE_NEST_MAX][NEST_DEPTH];	/* when pushed */
	__u32 top[TCPSTATE_NEST_MAX];	/* entries in use, 0..NEST_DEPTH */
	__u32 now[TCPSTATE_NEST_MAX];	/* events seen on this CPU */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nest_stack);
} nest_seen SEC(".maps");

/*
 * A slot as an index the verifier can see is bounded: 6.1's does not carry
 * a bound checked on one register to its copy.
 */
static __always_inline __u32 nest_slot(__u32 v)
{
	asm volatile("%0 &= %1" : "+r"(v) : "i"(NEST_DEPTH - 1));
	return v;
}

static __always_inline struct nest_stack *nest_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&nest_seen, &zero);
}

/*
 * The first program: this event's programs are running. An entry left at
 * the bottom by an event whose second program never ran (see above) is
 * recognised by its age, NEST_STALE events of this tracepoint on this CPU
 * (far more than can fire between the two programs of one event), and the
 * stack is emptied.
 */
static __always_inline void nest_push(int idx, __u64 obj)
{
	struct nest_stack *n = nest_get();
	__u32 top, now;

	if (!n)
		return;
	idx &= TCPSTATE_NEST_MAX - 1;
	now = ++n->now[idx];
	top = n->top[idx];
	if (top && now - n->seq[idx][0] > NEST_STALE)
		top = 0;
	if (top >= NEST_DEPTH)
		return;	/* its second program counts it handled: errs low */
	n->obj[idx][nest_slot(top)] = obj;
	n->seq[idx][nest_slot(top)] = now;
	n->top[idx] = top + 1;
}

/*
 * The second program: true when the first ran for this event. Its entry
 * is on top, or under entries of events that fired inside this program
 * before it got here (their first programs ran, their second ones were
 * skipped): it is popped with them. Only entries below the top are
 * searched. The top is read once. *top gets the top this program leaves
 * when it ends (nest_restore()): below its entry when found, else the top
 * as found.
 */
static __always_inline bool nest_pop(struct nest_stack *n, int idx, __u64 obj,
				     __u32 *top)
{
	__u32 t;

	idx &= TCPSTATE_NEST_MAX - 1;
	t = n->top[idx];
	*top = t;
	for (__u32 i = 1; i <= NEST_DEPTH; i++) {
		__u32 slot = t - i;

		if (i > t)
			break;
		if (slot < NEST_DEPTH && n->obj[idx][nest_slot(slot)] == obj) {
			n->top[idx] = slot;
			*top = slot;
			return true;
		}
	}
	return false;
}

/*
 * Drops what events nested in this second program pushed: their second
 * programs were skipped (this one was running), so nothing pops them; left
 * there, an entry could later be taken for the first program of another
 * event of the same object having run, and that event, applied all the
 * same, would be counted missed.
 */
static __always_inline void nest_restore(struct nest_stack *n, int idx, __u32 top)
{
	n->top[idx & (TCPSTATE_NEST_MAX - 1)] = top;
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
	nest_push(idx, (__u64)(obj));					\
	call;								\
	return 0;							\
}									\
									\
SEC("tp_btf/" #tp)							\
int BPF_PROG(name##_nest, proto)					\
{									\
	const bool twin __attribute__((unused)) = true;			\
	struct nest_stack *n = nest_get();				\
	bool first_ran;							\
	__u32 top = 0;							\
									\
	if (!(filter))							\
		return 0;						\
	first_ran = n && nest_pop(n, idx, (__u64)(obj), &top);		\
	if (!first_ran)							\
		nest_count(idx, false);					\
	/* Whatever the stack says: applying is idempotent. */		\
	if ((call) && first_ran)					\
		nest_count(idx, true);					\
	if (n)								\
		nest_restore(n, idx, top);				\
	return 0;							\
}

#define COMMA ,

#endif /* __TCPSTATE_NEST_BPF_H */
