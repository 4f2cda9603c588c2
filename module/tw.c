// SPDX-License-Identifier: GPL-2.0
/*
 * tw.c - timewait sockets, seen only through their timer.
 *
 * DOC: timewait sockets
 *
 * A timewait socket (struct inet_timewait_sock) never passes through
 * inet_sock_set_state. Its timer, whose function is tw_timer_handler(), is
 * what the timer tracepoints show:
 *
 * - timer_start with no record: the socket is born. It is counted by its
 *   substate: FIN_WAIT2 for an orphaned FIN_WAIT2, TIME_WAIT otherwise, as
 *   ss shows it. A FIN_WAIT2 one is also linked on its namespace's fw2 list.
 * - timer_cancel: the socket dies, unless it is a re-arm: a re-arm that
 *   changes timer-wheel bucket is cancel + start of the same timer back to
 *   back on one CPU, under the timer base lock with interrupts off. The
 *   cancel is parked in a per-CPU slot; the next timer_start on that CPU
 *   is its re-arm if it is of the same timer and the socket is referenced
 *   by more than its hash chains and timer (tw_refcnt > 3: the only caller
 *   of inet_twsk_reschedule(), tcp_timewait_state_process(), holds the
 *   reference of its lookup; a new timewait socket in the memory of a dead
 *   one starts its timer with 0 (6.1) or 3 (6.12) references). Anything
 *   else resolves the parked cancel as a death: the next timer or state
 *   event of that CPU, timer_expire_entry, or, before every /proc read, a
 *   cross-CPU call to each CPU whose slot holds a parked cancel (and to no
 *   other: an idle reader loads no CPU). The call cannot land between the
 *   cancel and the start of a re-arm, so resolution by it is exact. No time
 *   window is involved, so a vCPU preempted by its hypervisor between the
 *   two events changes nothing.
 * - The reader tests each CPU's slot without a lock. The slot is written
 *   only by its CPU, with interrupts off. A cancel publishes it after
 *   filling it; a resolution counts the death first and then empties it
 *   with a release store, which the reader's acquire load pairs with. A
 *   reader that finds the slot empty therefore sees the death counted in
 *   the per-CPU statistics it folds next; one that finds it full calls
 *   that CPU and waits, and the call runs only once the CPU has left its
 *   interrupts-off section. A cancel that happened before the read (the
 *   socket left ss's view, a lock release later observed by the reader) is
 *   in the slot the reader loads, or has been resolved and counted; only a
 *   cancel concurrent with the read can be missed, as any event in flight.
 *   The freed memory can hold a new timewait socket, started on another
 *   CPU, before the dead one's parked cancel is resolved: a timer_start
 *   that finds a record still marked cancelled resolves that death itself,
 *   and the record's generation (bumped at every release) keeps the parked
 *   cancel from touching the record once it belongs to the new socket.
 * - The FIN_WAIT2 -> TIME_WAIT substate change (the peer's FIN) re-arms the
 *   timer, usually inside the same bucket, which emits nothing. It is seen
 *   at a cross-bucket re-arm, else when the fw2 list is re-read (before every
 *   /proc read and by the reconcile work), which costs O(timewait sockets in
 *   FIN_WAIT2), not O(sockets). The time of the change is then estimated as
 *   tw_timer.expires - TCP_TIMEWAIT_LEN.
 *
 * tw_timer_handler() is static and kallsyms_lookup_name() is not exported,
 * so tcpstate_tw_init() finds the handler the way the kernel sets it: it
 * has inet_twsk_alloc() build one timewait socket, which is never hashed
 * nor armed, reads its timer's function and frees it.
 *
 * When tcp_time_wait() replaces a full socket, the timewait socket's first
 * timer_start comes just before the full socket's CLOSE event on the same
 * CPU; tcpstate_tw_born_close() then counts old -> TIME_WAIT (or nothing for
 * FIN_WAIT2 -> FIN_WAIT2, whose entry time carries over, or old -> FIN_WAIT2)
 * instead of old -> CLOSE, and the connection's birth time carries over.
 * The death of the timewait socket counts <substate> -> CLOSE and the
 * connection's lifetime.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/timer.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/tcp.h>
#include <net/timewait_sock.h>

#include "tcpstate.h"

struct tcpstate_tw_cpu {
	struct tcpstate_rec *pending;	/* cancelled, not yet known dead */
	u64 pending_ns;			/* when it was cancelled */
	int pending_gen;		/* the record's generation then */
	struct tcpstate_rec *born;	/* born by tcp_time_wait() just now */
};

static DEFINE_PER_CPU(struct tcpstate_tw_cpu, tcpstate_tw_cpu);

/* tw_timer_handler(), found by tcpstate_tw_init() before any probe runs. */
static void (*tcpstate_tw_timer_fn)(struct timer_list *) __read_mostly;

static bool tcpstate_is_tw_timer(const struct timer_list *timer)
{
	return timer->function == tcpstate_tw_timer_fn;
}

/* Room for the one timewait socket tcpstate_tw_init() builds. */
static struct inet_timewait_death_row tcpstate_tw_dr __initdata = {
	.tw_refcount = REFCOUNT_INIT(1),
	.sysctl_max_tw_buckets = 1,
};

/**
 * tcpstate_tw_init() - learn the function of timewait sockets' timers
 *
 * inet_twsk_alloc() sets up a timewait socket's timer with
 * tw_timer_handler(). Build one from a kernel TCP socket that was never
 * connected (its release fires no state event), with a death row of our
 * own so that no namespace's tcp_max_tw_buckets can refuse it, read the
 * timer's function and free the socket: it was never hashed nor armed, so
 * nothing else can have seen it.
 *
 * Return: 0, or -errno if no socket could be created.
 */
int __init tcpstate_tw_init(void)
{
	struct inet_timewait_sock *tw;
	struct kmem_cache *slab;
	struct socket *sock;
	struct module *owner;
	int err;

	err = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &sock);
	if (err)
		return err;
	tw = inet_twsk_alloc(sock->sk, &tcpstate_tw_dr, TCP_TIME_WAIT);
	if (tw) {
		tcpstate_tw_timer_fn = tw->tw_timer.function;
		/* What inet_twsk_free() does, but no destructor: no keys. */
		slab = tw->tw_prot->twsk_prot->twsk_slab;
		owner = tw->tw_prot->owner;
		kmem_cache_free(slab, tw);
		module_put(owner);
	}
	sock_release(sock);
	if (!tcpstate_tw_timer_fn)
		return -ENOMEM;
	pr_debug("timewait sockets' timers run %ps\n", tcpstate_tw_timer_fn);
	return 0;
}

/*
 * Death of the timewait socket that held rec in generation gen: count
 * <substate> -> CLOSE, unless it was counted already or the record has
 * moved on to another socket.
 */
static void tcpstate_tw_die(struct tcpstate_rec *rec, int gen, u64 at)
{
	struct tcpstate_stats __percpu *st;
	int w, nw, sub;

	w = atomic_read(&rec->tw);
	do {
		if ((w & TCPSTATE_TW_GEN) != gen || (w & TCPSTATE_TW_DEAD))
			return;
		nw = w | TCPSTATE_TW_DEAD;
	} while (!atomic_try_cmpxchg(&rec->tw, &w, nw));

	sub = w & TCPSTATE_TW_SUB;
	if (!READ_ONCE(rec->tn->dead)) {
		st = rec->tn->stats;
		this_cpu_dec(st->live[sub]);
		this_cpu_dec(st->timewait[0]);
		this_cpu_inc(st->transitions[sub][TCP_CLOSE]);
		tcpstate_leave(st, sub, rec->entered_ns, at);
		if (rec->born_ns && at >= rec->born_ns)
			this_cpu_inc(st->lifetime[tcpstate_slot(at - rec->born_ns)]);
	}
	if (!(nw & TCPSTATE_TW_ON_LIST))
		tcpstate_rec_delete(rec);
	/* else the fw2 list's next reader releases it */
}

/* Mark dead without counting; released here unless an fw2 list holds it. */
static void tcpstate_tw_forget(struct tcpstate_rec *rec)
{
	int w = atomic_read(&rec->tw), nw;

	do {
		nw = w | TCPSTATE_TW_DEAD;
	} while (!atomic_try_cmpxchg(&rec->tw, &w, nw));
	if (!(w & TCPSTATE_TW_DEAD) && !(nw & TCPSTATE_TW_ON_LIST))
		tcpstate_rec_delete(rec);
}

/* Substate FIN_WAIT2 -> TIME_WAIT at time at; w is the expected word. */
static bool tcpstate_tw_change(struct tcpstate_rec *rec, int w, int nw, u64 at)
{
	struct tcpstate_stats __percpu *st = rec->tn->stats;

	if (!atomic_try_cmpxchg(&rec->tw, &w, nw))
		return false;
	if (READ_ONCE(rec->tn->dead))
		return true;
	this_cpu_dec(st->live[TCP_FIN_WAIT2]);
	this_cpu_inc(st->live[TCP_TIME_WAIT]);
	this_cpu_inc(st->transitions[TCP_FIN_WAIT2][TCP_TIME_WAIT]);
	tcpstate_leave(st, TCP_FIN_WAIT2, rec->entered_ns, at);
	rec->entered_ns = at;
	return true;
}

/* The timer of a live timewait socket was (re-)armed: re-read its substate. */
static void tcpstate_tw_check(struct tcpstate_rec *rec,
			      struct inet_timewait_sock *tw, u64 now)
{
	int w = atomic_read(&rec->tw);

	if ((w & (TCPSTATE_TW_SUB | TCPSTATE_TW_DEAD)) != TCP_FIN_WAIT2 ||
	    READ_ONCE(tw->tw_substate) != TCP_TIME_WAIT)
		return;
	/* Still on the list; its reader unlinks it. */
	tcpstate_tw_change(rec, w, (w & ~TCPSTATE_TW_SUB) | TCP_TIME_WAIT, now);
}

/* Count a timewait socket; entered_ns 0 means unknown. */
static struct tcpstate_rec *tcpstate_tw_birth(struct inet_timewait_sock *tw,
					      u64 entered_ns)
{
	struct tcpstate_net *tn = tcpstate_pernet(twsk_net(tw));
	struct tcpstate_rec *rec;
	int sub, gen;

	if (READ_ONCE(tn->dead))
		return NULL;
	sub = READ_ONCE(tw->tw_substate) == TCP_FIN_WAIT2 ?
		TCP_FIN_WAIT2 : TCP_TIME_WAIT;
	rec = tcpstate_rec_insert(tw, TCPSTATE_REC_TW);
	if (!rec) {
		tcpstate_error(TCPSTATE_ERR_TW_FULL);
		return NULL;
	}
	rec->tn = tn;
	rec->entered_ns = entered_ns;
	rec->born_ns = 0;
	gen = atomic_read(&rec->tw) & TCPSTATE_TW_GEN;
	if (sub == TCP_FIN_WAIT2) {
		atomic_set(&rec->tw, gen | sub | TCPSTATE_TW_ON_LIST);
		llist_add(&rec->fw2_node, &tn->fw2);
	} else {
		atomic_set(&rec->tw, gen | sub);
	}
	this_cpu_inc(tn->stats->live[sub]);
	this_cpu_inc(tn->stats->timewait[0]);
	return rec;
}

/* Called with interrupts off; resolves this CPU's parked cancel. */
static void tcpstate_tw_flush(struct tcpstate_tw_cpu *c)
{
	struct tcpstate_rec *rec = c->pending;

	if (rec) {
		tcpstate_tw_die(rec, c->pending_gen, c->pending_ns);
		/*
		 * Counted, then emptied: pairs with the acquire load in
		 * tcpstate_tw_pending(), so a reader that skips this CPU sees
		 * the death in the statistics.
		 */
		smp_store_release(&c->pending, NULL);
	}
}

/**
 * tcpstate_timer_start() - timer:timer_start
 * @timer: the timer being armed
 */
void tcpstate_timer_start(struct timer_list *timer)
{
	struct inet_timewait_sock *tw;
	struct tcpstate_tw_cpu *c;
	struct tcpstate_rec *rec;
	unsigned long flags;
	u64 now;

	if (!tcpstate_is_tw_timer(timer))
		return;
	tw = container_of(timer, struct inet_timewait_sock, tw_timer);
	now = ktime_get_ns();

	rcu_read_lock();
	local_irq_save(flags);
	c = this_cpu_ptr(&tcpstate_tw_cpu);
	rec = c->pending;
	if (rec && tcpstate_rec_key(rec) == tw &&
	    refcount_read(&tw->tw_refcnt) >= TCPSTATE_TW_REARM_REFS) {
		/* Re-armed into another bucket: not a death. */
		WRITE_ONCE(c->pending, NULL);
		atomic_andnot(TCPSTATE_TW_CANCELLED, &rec->tw);
		tcpstate_tw_check(rec, tw, now);
		goto out_unlock;
	}
	tcpstate_tw_flush(c);
	rec = tcpstate_rec_find(tw, TCPSTATE_REC_TW);
	if (rec) {
		int w = atomic_read(&rec->tw);

		if (!(w & TCPSTATE_TW_CANCELLED)) {
			tcpstate_tw_check(rec, tw, now);
			goto out_unlock;
		}
		/*
		 * The socket this memory held was cancelled on another CPU
		 * and freed; this is a new one. A re-arm's start runs on
		 * its cancel's CPU, which was handled above.
		 */
		tcpstate_tw_die(rec, w & TCPSTATE_TW_GEN, now);
	}
	c->born = tcpstate_tw_birth(tw, now);
out_unlock:
	local_irq_restore(flags);
	rcu_read_unlock();
}

/**
 * tcpstate_timer_cancel() - timer:timer_cancel
 * @timer: the timer being removed from the wheel
 */
void tcpstate_timer_cancel(struct timer_list *timer)
{
	struct inet_timewait_sock *tw;
	struct tcpstate_tw_cpu *c;
	struct tcpstate_rec *rec;
	unsigned long flags;

	if (!tcpstate_is_tw_timer(timer))
		return;
	tw = container_of(timer, struct inet_timewait_sock, tw_timer);

	rcu_read_lock();
	local_irq_save(flags);
	c = this_cpu_ptr(&tcpstate_tw_cpu);
	tcpstate_tw_flush(c);
	rec = tcpstate_rec_find(tw, TCPSTATE_REC_TW);
	if (!rec) {
		/* Never counted (table full, or born before the hooks). */
		goto out_unlock;
	}
	if (READ_ONCE(rec->tn->dead)) {
		/* Its namespace is going: forget it, count nothing. */
		tcpstate_tw_forget(rec);
		goto out_unlock;
	}
	c->pending_gen = atomic_fetch_or(TCPSTATE_TW_CANCELLED, &rec->tw) &
			 TCPSTATE_TW_GEN;
	c->pending_ns = ktime_get_ns();
	/* Published last: readers test it locklessly (see the DOC above). */
	WRITE_ONCE(c->pending, rec);
out_unlock:
	local_irq_restore(flags);
	rcu_read_unlock();
}

/**
 * tcpstate_timer_expire() - timer:timer_expire_entry
 * @timer: the expiring timer, cancelled just before on this CPU
 */
void tcpstate_timer_expire(struct timer_list *timer)
{
	unsigned long flags;

	if (!tcpstate_is_tw_timer(timer))
		return;
	rcu_read_lock();
	local_irq_save(flags);
	tcpstate_tw_flush(this_cpu_ptr(&tcpstate_tw_cpu));
	local_irq_restore(flags);
	rcu_read_unlock();
}

/**
 * tcpstate_tw_flush_local() - resolve this CPU's parked timer cancel
 *
 * Called at every inet_sock_set_state event: no re-arm is half done then.
 */
void tcpstate_tw_flush_local(void)
{
	struct tcpstate_tw_cpu *c;
	unsigned long flags;

	if (!this_cpu_read(tcpstate_tw_cpu.pending))
		return;
	rcu_read_lock();
	local_irq_save(flags);
	c = this_cpu_ptr(&tcpstate_tw_cpu);
	tcpstate_tw_flush(c);
	local_irq_restore(flags);
	rcu_read_unlock();
}

static void tcpstate_tw_flush_ipi(void *unused)
{
	rcu_read_lock();
	tcpstate_tw_flush(this_cpu_ptr(&tcpstate_tw_cpu));
	rcu_read_unlock();
}

/* Whether cpu has a parked cancel. */
static bool tcpstate_tw_pending(int cpu, void *unused)
{
	/* Pairs with the release in tcpstate_tw_flush(). */
	return smp_load_acquire(&per_cpu(tcpstate_tw_cpu, cpu).pending);
}

/**
 * tcpstate_tw_resolve_all() - resolve every CPU's parked timer cancel
 *
 * Calls only the CPUs whose slot holds a parked cancel (this one
 * included, directly), and waits: the call runs with interrupts off, where
 * no re-arm can be half done. A CPU whose slot is empty has counted every
 * death it parked before it emptied the slot (see the DOC above), so after
 * this returns every cancel that happened before the call is counted.
 */
void tcpstate_tw_resolve_all(void)
{
	on_each_cpu_cond(tcpstate_tw_pending, tcpstate_tw_flush_ipi, NULL, true);
}

/**
 * tcpstate_tw_born_close() - the CLOSE of a socket tcp_time_wait() replaced
 * @sk: the full socket going to CLOSE
 * @oldstate: its state before
 * @skrec: its record, or NULL
 * @now: now
 *
 * Return: true if a timewait socket was just born on this CPU for @sk and
 * the hand-over was counted; false for an ordinary CLOSE.
 */
bool tcpstate_tw_born_close(struct sock *sk, int oldstate,
			    struct tcpstate_rec *skrec, u64 now)
{
	struct tcpstate_stats __percpu *st;
	const struct inet_timewait_sock *tw;
	struct tcpstate_tw_cpu *c;
	struct tcpstate_rec *rec;
	int sub;

	c = get_cpu_ptr(&tcpstate_tw_cpu);
	rec = c->born;
	c->born = NULL;
	put_cpu_ptr(&tcpstate_tw_cpu);
	if (!rec)
		return false;
	tw = tcpstate_rec_key(rec);
	/*
	 * inet_put_port() has zeroed sk_num by the CLOSE event; the source
	 * port is still in inet_sport.
	 */
	if (tw->tw_family != sk->sk_family ||
	    tw->tw_sport != inet_sk(sk)->inet_sport ||
	    tw->tw_dport != sk->sk_dport || !net_eq(twsk_net(tw), sock_net(sk)))
		return false;

	st = rec->tn->stats;
	sub = atomic_read(&rec->tw) & TCPSTATE_TW_SUB;
	rec->born_ns = skrec ? skrec->born_ns : 0;
	if (sub == TCP_FIN_WAIT2 && oldstate == TCP_FIN_WAIT2) {
		/* ss sees it stay in FIN-WAIT-2. */
		rec->entered_ns = skrec ? skrec->entered_ns : 0;
		return true;
	}
	if (skrec)
		tcpstate_leave(st, oldstate, skrec->entered_ns, now);
	this_cpu_inc(st->transitions[oldstate][sub]);
	return true;
}

/*
 * A re-count found the timewait socket of rec: count it again, in its
 * actual substate. A record that says otherwise (only a corrupted one can:
 * the fw2 list was re-read just before) takes the socket's substate, with
 * its entry time unknown.
 */
static void tcpstate_tw_recount(struct tcpstate_rec *rec,
				struct inet_timewait_sock *tw)
{
	struct tcpstate_net *tn = rec->tn;
	int w = atomic_read(&rec->tw), sub, nw;

	sub = READ_ONCE(tw->tw_substate) == TCP_FIN_WAIT2 ?
		TCP_FIN_WAIT2 : TCP_TIME_WAIT;
	nw = (w & ~TCPSTATE_TW_SUB) | sub;
	if ((w & TCPSTATE_TW_SUB) != sub)
		rec->entered_ns = 0;
	if (sub == TCP_FIN_WAIT2 && !(w & TCPSTATE_TW_ON_LIST)) {
		atomic_set(&rec->tw, nw | TCPSTATE_TW_ON_LIST);
		llist_add(&rec->fw2_node, &tn->fw2);
	} else {
		atomic_set(&rec->tw, nw);
	}
	this_cpu_inc(tn->stats->live[sub]);
	this_cpu_inc(tn->stats->timewait[0]);
}

/**
 * tcpstate_tw_walked() - count a timewait socket found by a walk
 * @sk: the timewait socket, as found in the ehash
 *
 * Called under stop_machine(), at insmod (the hooks disarmed) or by a
 * re-count of its namespace (check.c), whose live counts were zeroed
 * before the walk and whose parked cancels were resolved. During a
 * re-count (the probes are armed; the insmod walk runs before they are)
 * the record is marked TCPSTATE_TW_SEEN for tcpstate_tw_sweep().
 */
void tcpstate_tw_walked(struct sock *sk)
{
	struct inet_timewait_sock *tw = inet_twsk(sk);
	struct tcpstate_rec *rec;

	/* A timer no longer pending is a socket already dying. */
	if (!timer_pending(&tw->tw_timer))
		return;
	rec = tcpstate_rec_find(tw, TCPSTATE_REC_TW);
	if (rec)
		tcpstate_tw_recount(rec, tw);
	else
		rec = tcpstate_tw_birth(tw, 0);
	if (rec && READ_ONCE(tcpstate_armed))
		atomic_or(TCPSTATE_TW_SEEN, &rec->tw);
}

static void tcpstate_tw_sweep_one(struct tcpstate_rec *rec, void *data)
{
	struct tcpstate_net *tn = data;
	int w;

	if (READ_ONCE(rec->kind) != TCPSTATE_REC_TW || rec->tn != tn)
		return;
	w = atomic_read(&rec->tw);
	if (w & TCPSTATE_TW_DEAD)
		return;
	if (w & TCPSTATE_TW_SEEN)
		atomic_andnot(TCPSTATE_TW_SEEN, &rec->tw);
	else
		tcpstate_tw_forget(rec);
}

/**
 * tcpstate_tw_sweep() - end a re-count: forget the timewait records it missed
 * @tn: the namespace re-counted
 *
 * Under stop_machine(), right after the walk. A live record the walk did
 * not find belongs to a socket that is gone (its death was missed): it is
 * released, counting nothing, since the walk's counts never had it. The
 * others lose their TCPSTATE_TW_SEEN mark. O(table size).
 */
void tcpstate_tw_sweep(struct tcpstate_net *tn)
{
	tcpstate_table_for_each(tcpstate_tw_sweep_one, tn);
}

/**
 * tcpstate_tw_flush_stopped() - resolve every CPU's parked cancel
 *
 * Under stop_machine() only, from the CPU that runs the callback: every
 * other CPU waits with interrupts off, outside any re-arm (a re-arm's
 * cancel and start are one interrupts-off section), so each parked cancel
 * is a death, counted here.
 */
void tcpstate_tw_flush_stopped(void)
{
	int cpu;

	rcu_read_lock();
	for_each_possible_cpu(cpu)
		tcpstate_tw_flush(per_cpu_ptr(&tcpstate_tw_cpu, cpu));
	rcu_read_unlock();
}

/**
 * tcpstate_tw_reconcile() - re-read the substate of FIN_WAIT2 timewait sockets
 * @tn: the namespace
 *
 * Counts the FIN_WAIT2 -> TIME_WAIT changes no tracepoint showed, and
 * releases the records of dead sockets left on the list.
 */
void tcpstate_tw_reconcile(struct tcpstate_net *tn)
{
	struct llist_node *batch = llist_del_all(&tn->fw2);
	struct tcpstate_rec *rec, *tmp;
	u64 now = ktime_get_ns();

	rcu_read_lock();
	llist_for_each_entry_safe(rec, tmp, batch, fw2_node) {
		struct inet_timewait_sock *tw;
		unsigned long expires;
		u64 at, ago;
		int w, nw;

		w = atomic_read(&rec->tw);
		if ((w & TCPSTATE_TW_SUB) != TCP_FIN_WAIT2 ||
		    (w & TCPSTATE_TW_DEAD)) {
			/* Leaving the list: whoever is last releases it. */
			do {
				nw = w & ~TCPSTATE_TW_ON_LIST;
			} while (!atomic_try_cmpxchg(&rec->tw, &w, nw));
			if (nw & TCPSTATE_TW_DEAD)
				tcpstate_rec_delete(rec);
			continue;
		}
		if (w & TCPSTATE_TW_CANCELLED)
			goto relink;
		/*
		 * The timewait slab is SLAB_TYPESAFE_BY_RCU: under RCU the
		 * memory is a timewait socket, and a socket freed since w
		 * was read has CANCELLED set, which fails the cmpxchg.
		 */
		tw = (struct inet_timewait_sock *)tcpstate_rec_key(rec);
		if (READ_ONCE(tw->tw_substate) != TCP_TIME_WAIT)
			goto relink;
		expires = READ_ONCE(tw->tw_timer.expires);
		at = now;
		if (time_after(jiffies, expires - TCP_TIMEWAIT_LEN)) {
			ago = jiffies_to_nsecs(jiffies - (expires - TCP_TIMEWAIT_LEN));
			if (ago < now)
				at = now - ago;
		}
		if (at < rec->entered_ns)
			at = rec->entered_ns;
		nw = (w & ~(TCPSTATE_TW_SUB | TCPSTATE_TW_ON_LIST)) | TCP_TIME_WAIT;
		if (tcpstate_tw_change(rec, w, nw, at))
			continue;
relink:
		llist_add(&rec->fw2_node, &tn->fw2);
	}
	rcu_read_unlock();
}

/**
 * tcpstate_tw_net_exit() - forget the timewait records of a dying namespace
 * @tn: the namespace, already marked dead
 *
 * Its remaining timewait sockets are purged after this; their cancels see
 * the namespace dead and release their records.
 */
void tcpstate_tw_net_exit(struct tcpstate_net *tn)
{
	struct llist_node *batch;
	struct tcpstate_rec *rec, *tmp;

	tcpstate_tw_resolve_all();
	batch = llist_del_all(&tn->fw2);
	llist_for_each_entry_safe(rec, tmp, batch, fw2_node) {
		int w = atomic_read(&rec->tw), nw;

		do {
			nw = w & ~TCPSTATE_TW_ON_LIST;
		} while (!atomic_try_cmpxchg(&rec->tw, &w, nw));
		if (nw & TCPSTATE_TW_DEAD)
			tcpstate_rec_delete(rec);
	}
}
