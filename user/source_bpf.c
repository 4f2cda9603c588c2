// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * source_bpf.c - a snapshot from the pinned BPF collector.
 *
 * Before the counters are read, two iterators bring the parts no event
 * announces up to date: fw2_reconcile re-reads the substate of timewait
 * sockets counted as FIN_WAIT2, and listeners_read reports every
 * listener's request sockets. Both are O(their entries), not O(sockets).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "clock.h"
#include "drift.h"
#include "loader.h"
#include "repair.h"
#include "sockstat.h"
#include "netns.h"
#include "netns_table.h"
#include "snapshot.h"
#include "source.h"

struct bpf_src {
	struct collector_fds fds;
	int ncpus;
	__u32 nslots;		/* entries of netns_slots (a power of two) */
	bool ports_counted;	/* port_use is kept (tp_btf: bpf/ports.bpf.h) */
	__s64 *ports;		/* TCPSTATE_PORT_BUCKETS x ncpus, read in batches */
	void *percpu;		/* ncpus values of the largest map */
	struct tcpstate_stats *scratch;	/* one namespace's sum */
};

static int bpf_probe(void)
{
	return collector_loaded() ? 0 : -ENOENT;
}

static void bpf_close(struct ts_source *src)
{
	struct bpf_src *b = src->priv;

	if (!b)
		return;
	collector_close(&b->fds);
	free(b->percpu);
	free(b->scratch);
	free(b->ports);
	free(b);
	src->priv = NULL;
}

static int bpf_open(struct ts_source *src)
{
	struct bpf_src *b;
	int err;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	src->priv = b;
	err = collector_open(&b->fds);
	if (err)
		goto fail;
	b->ncpus = libbpf_num_possible_cpus();
	if (b->ncpus <= 0) {
		err = b->ncpus ? b->ncpus : -EINVAL;
		goto fail;
	}
	err = collector_map_entries(b->fds.netns_slot_owner, &b->nslots);
	if (err)
		goto fail;
	b->ports_counted = b->fds.port_use >= 0 && !strcmp(collector_attach_kind(), "tp_btf");
	b->percpu = calloc(b->ncpus, sizeof(struct tcpstate_stats));
	b->scratch = calloc(1, sizeof(*b->scratch));
	if (!b->percpu || !b->scratch) {
		err = -ENOMEM;
		goto fail;
	}
	return 0;
fail:
	bpf_close(src);
	return err;
}

/* The namespaces a read reports: the caller's, or every live one. */
struct wanted_ns {
	struct tcpstate_netns_key key;
	char path[NETNS_PATH_MAX];	/* "" for the caller's own */
};

struct wanted {
	struct wanted_ns *ns;
	size_t nr;
};

/*
 * By cookie too: a dead namespace's statistics may carry a live inode.
 * The wanted are sorted by inum (the table's order).
 */
static bool wanted_key(const struct wanted *w, const struct tcpstate_netns_key *k)
{
	size_t lo = 0, hi = w->nr;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (w->ns[mid].key.inum < k->inum)
			lo = mid + 1;
		else if (w->ns[mid].key.inum > k->inum)
			hi = mid;
		else
			return w->ns[mid].key.cookie == k->cookie;
	}
	return false;
}

/*
 * The caller's namespace, or every one the table holds with its cookie
 * (learnt with SO_NETNS_COOKIE inside each): the source's table, kept by
 * its owner, or one listed for this read.
 */
static int wanted_get(struct wanted *w, bool all, struct netns_table *table)
{
	struct netns_table once = {}, *t;
	int err;

	if (!all) {
		w->ns = calloc(1, sizeof(*w->ns));
		if (!w->ns)
			return -ENOMEM;
		w->nr = 1;
		return netns_self(&w->ns[0].key.inum) ?: netns_cookie(&w->ns[0].key.cookie);
	}
	err = netns_table_for_read(table, &once, &t);
	if (!err) {
		w->ns = calloc(t->nr ? t->nr : 1, sizeof(*w->ns));
		if (!w->ns)
			err = -ENOMEM;
	}
	for (size_t i = 0; !err && i < t->nr; i++) {
		const struct netns_entry *e = &t->v[i];
		struct wanted_ns *wn = &w->ns[w->nr];

		if (!e->cookie)
			continue;	/* could not be entered */
		wn->key.inum = e->info.inum;
		wn->key.cookie = e->cookie;
		snprintf(wn->path, sizeof(wn->path), "%s", e->info.path);
		w->nr++;
	}
	netns_table_free(&once);
	return err;
}

/*
 * Adds every wanted namespace's request sockets to its syn_recv, and
 * keeps each listener (its queues) in the snapshot.
 */
static int add_listeners(struct bpf_src *b, const struct wanted *wanted,
			 struct ts_snapshot *snap)
{
	__u64 key, next, *prev = NULL;
	struct tcpstate_listener l;
	size_t cap = 0;

	while (!bpf_map_get_next_key(b->fds.listeners, prev, &next)) {
		struct ts_netns *ns;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(b->fds.listeners, &key, &l))
			continue;	/* closed meanwhile */
		if (!wanted_key(wanted, &(struct tcpstate_netns_key){
				.cookie = l.netns_cookie, .inum = l.netns }))
			continue;
		ns = snapshot_get(snap, l.netns);
		if (!ns)
			return -ENOMEM;
		ns->st.live[TCPSTATE_ST_SYN_RECV] += l.syn_recv;
		if (snap->nr_listeners == cap) {
			struct tcpstate_listener *v;

			cap = cap ? cap * 2 : 16;
			v = realloc(snap->listeners, cap * sizeof(*v));
			if (!v)
				return -ENOMEM;
			snap->listeners = v;
		}
		snap->listeners[snap->nr_listeners++] = l;
	}
	snap->listeners_known = true;
	return 0;
}

static void sum_stats(struct tcpstate_stats *dst, const struct tcpstate_stats *v,
		      int ncpus)
{
	for (int c = 0; c < ncpus; c++)
		tcpstate_stats_add(dst, &v[c]);
}

/*
 * Folds the two live buffers into live[] and timewait[0], by the
 * namespace's check entry: the generation readers read, or both while a
 * re-count runs (repair.h).
 */
static void select_live(struct tcpstate_stats *st, const struct tcpstate_check *c)
{
	bool both = c && c->repairing, alt = c && (c->epoch & 1);

	for (int i = 0; i < TCPSTATE_NSTATES; i++) {
		if (both)
			st->live[i] += st->live_alt[i];
		else if (alt)
			st->live[i] = st->live_alt[i];
		st->live_alt[i] = 0;
	}
	if (both)
		st->timewait[0] += st->timewait[1];
	else if (alt)
		st->timewait[0] = st->timewait[1];
	st->timewait[1] = 0;
}

static bool check_get(struct bpf_src *b, const struct tcpstate_netns_key *key,
		      struct tcpstate_check *c)
{
	memset(c, 0, sizeof(*c));
	return !bpf_map_lookup_elem(b->fds.netns_check, key, c);
}

/*
 * Adds a namespace's preallocated slot, if it holds one (bpf/maps.bpf.h),
 * to st; true if it did.
 */
static bool add_slot(struct bpf_src *b, const struct tcpstate_netns_key *key,
		     struct tcpstate_stats *st)
{
	__u32 idx = tcpstate_netns_slot(key->cookie, b->nslots);
	struct tcpstate_netns_key owner;

	if (bpf_map_lookup_elem(b->fds.netns_slot_owner, &idx, &owner) ||
	    owner.cookie != key->cookie ||
	    bpf_map_lookup_elem(b->fds.netns_slots, &idx, b->percpu))
		return false;
	sum_stats(st, b->percpu, b->ncpus);
	return true;
}

/*
 * One namespace's live counts as readers see them, from its slot and
 * both maps; false when it has none.
 */
static bool netns_live(struct bpf_src *b, const struct tcpstate_netns_key *key,
		       const struct tcpstate_check *c, struct tcpstate_stats *st)
{
	bool have;

	memset(st, 0, sizeof(*st));
	have = add_slot(b, key, st);
	if (!bpf_map_lookup_elem(b->fds.netns_stats, key, b->percpu)) {
		sum_stats(st, b->percpu, b->ncpus);
		have = true;
	}
	if (!bpf_map_lookup_elem(b->fds.netns_spill, key, b->percpu)) {
		sum_stats(st, b->percpu, 1);
		have = true;
	}
	select_live(st, c);
	return have;
}

/* Full sockets (what sockstat's inuse counts) and timewait sockets. */
static void full_and_tw(const struct tcpstate_stats *st, __s64 *full, __s64 *tw)
{
	__s64 sum = 0;

	for (int i = 0; i < TCPSTATE_NSTATES; i++)
		if (TCPSTATE_IS_LIVE(i))
			sum += st->live[i];
	*tw = st->timewait[0];
	*full = sum - *tw;
}

/*
 * Compares one namespace (the calling thread's) with the kernel's own
 * counters, and re-counts it when they have drifted apart (drift.h).
 */
static int check_netns(struct bpf_src *b, const struct tcpstate_netns_key *key,
		       struct ts_snapshot *snap)
{
	struct tcpstate_stats *st = b->scratch;
	struct tcpstate_drift_sample smp = {};
	enum drift_verdict v;
	struct tcpstate_check c;
	struct sockstat k;
	struct ts_netns *ns;
	char msg[128];
	bool have, had_check;
	double t0, repair_s;
	int err;

	had_check = check_get(b, key, &c);
	have = netns_live(b, key, &c, st);
	full_and_tw(st, &smp.full_a, &smp.tw_a);
	smp.syn_sent = st->live[TCPSTATE_ST_SYN_SENT];
	err = sockstat_read(&k, msg, sizeof(msg));
	if (err) {
		warnx_("cannot compare with the kernel's counters: %s", msg);
		return err;
	}
	netns_live(b, key, &c, st);
	full_and_tw(st, &smp.full_b, &smp.tw_b);
	smp.kern_full = k.full;
	smp.kern_tw = k.tw;
	smp.now_ns = mono_ns();

	v = drift_judge(&c, &smp);
	ns = snapshot_find_mut(snap, key->inum);
	if (!ns && (have || k.full || k.tw)) {
		ns = snapshot_get(snap, key->inum);
		if (!ns)
			return -ENOMEM;
		ns->cookie = key->cookie;
	}
	if (v == DRIFT_PERSISTENT) {
		info("namespace %u: %lld full and %lld timewait sockets counted, the kernel "
		     "has %lld and %lld: re-counting it", key->inum,
		     (long long)smp.full_a, (long long)smp.tw_a,
		     (long long)k.full, (long long)k.tw);
		t0 = thread_cpu_s();
		err = repair_netns(&b->fds, key, &c);
		repair_s = thread_cpu_s() - t0;
		if (err) {
			warnx_("namespace %u: re-count failed: %s", key->inum,
			       strerror(-err));
			return err;
		}
		/* The snapshot shows the re-counted numbers. */
		netns_live(b, key, &c, st);
		if (ns) {
			memcpy(ns->st.live, st->live, sizeof(st->live));
			memcpy(ns->st.timewait, st->timewait, sizeof(st->timewait));
			ns->check.repaired = true;
			ns->check.repair_s = repair_s;
		}
		full_and_tw(st, &smp.full_a, &smp.tw_a);
	} else if ((had_check || v != DRIFT_NONE) &&
		   bpf_map_update_elem(b->fds.netns_check, key, &c, BPF_ANY)) {
		return -errno;
	}
	if (ns) {
		ns->check.done = true;
		ns->check.verdict = v;
		ns->check.full = smp.full_a;
		ns->check.tw = smp.tw_a;
		ns->check.kern_full = k.full;
		ns->check.kern_tw = k.tw;
		ns->check.drifts = c.drifts;
		ns->check.last_full = c.last_full;
		ns->check.last_tw = c.last_tw;
		ns->check.repairs = c.repairs;
		ns->check.generation = c.epoch;
	}
	return 0;
}

struct check_arg {
	struct bpf_src *b;
	const struct tcpstate_netns_key *key;
	struct ts_snapshot *snap;
};

static int check_here(void *arg)
{
	struct check_arg *a = arg;

	return check_netns(a->b, a->key, a->snap);
}

/* check_netns() for every wanted namespace, entering each in turn. */
static int check_all(struct bpf_src *b, const struct wanted *w,
		     struct ts_snapshot *snap)
{
	int err = 0, home = -1;

	for (size_t i = 0; i < w->nr && !err; i++) {
		struct check_arg a = { .b = b, .key = &w->ns[i].key, .snap = snap };

		err = netns_run_in(w->ns[i].path, &home, check_here, &a);
		if (err == NETNS_GONE)
			err = 0;	/* gone meanwhile */
		else if (err == -EIO)
			warnx_("cannot return to the original namespace");
	}
	netns_home_close(&home);
	return err;
}

/*
 * From the attached programs: how long the collector has counted, and the
 * events really lost: those the kernel skipped because the program was
 * already running on that CPU (recursion_misses) less those set_state's
 * twin applied instead (bpf/nest.bpf.h).
 */
static void prog_stats(struct bpf_src *b, struct ts_snapshot *snap)
{
	/*
	 * The first program of inet_sock_set_state: its twin's misses were
	 * run by the first; the timer programs never nest (and their misses
	 * would count other timers'); a skipped tcp_destroy_sock loses
	 * nothing (bpf/nest.bpf.h).
	 */
	const int progs[] = { b->fds.set_state };
	const struct tcpstate_nesting *n = b->percpu;
	__u64 misses = 0, handled = 0;
	struct timespec now;
	__u32 key = 0;

	clock_gettime(CLOCK_BOOTTIME, &now);
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		struct bpf_prog_info pi = {};
		__u32 len = sizeof(pi);

		if (progs[i] < 0 || bpf_obj_get_info_by_fd(progs[i], &pi, &len))
			continue;
		misses += pi.recursion_misses;
		if (progs[i] == b->fds.set_state && pi.load_time)
			snap->counting_ns = (__u64)now.tv_sec * 1000000000ULL +
					    now.tv_nsec - pi.load_time;
	}
	/* Read after the misses: never more, unless an event ran meanwhile. */
	if (b->fds.nesting >= 0 && !bpf_map_lookup_elem(b->fds.nesting, &key, b->percpu))
		for (int c = 0; c < b->ncpus; c++)
			handled += n[c].handled;
	snap->events_missed = misses > handled ? misses - handled : 0;
	snap->events_recovered = handled;
}

/*
 * The largest port_use counter, summed over CPUs: at least the ports any
 * one destination holds (include/tcpstate.h). O(TCPSTATE_PORT_BUCKETS x
 * CPUs), in batches; -errno, or -ENOENT when ports are not counted.
 */
static int bpf_port_bound(struct ts_source *src, __s64 *bound)
{
	enum { BATCH = 2048 };
	struct bpf_src *b = src->priv;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 keys[BATCH], out = 0, n;
	void *in = NULL;
	__s64 max = 0;
	int err;

	if (!b->ports_counted)
		return -ENOENT;
	if (!b->ports) {
		b->ports = calloc((size_t)BATCH * b->ncpus, sizeof(*b->ports));
		if (!b->ports)
			return -ENOMEM;
	}
	do {
		n = BATCH;
		err = bpf_map_lookup_batch(b->fds.port_use, in, &out, keys, b->ports, &n, &opts);
		if (err && errno != ENOENT)
			return -errno;
		for (__u32 i = 0; i < n; i++) {
			__s64 sum = 0;

			for (int c = 0; c < b->ncpus; c++)
				sum += b->ports[(size_t)i * b->ncpus + c];
			if (sum > max)
				max = sum;
		}
		in = &out;
	} while (!err);
	*bound = max;
	return 0;
}

/*
 * Every wanted namespace that has statistics: its slot and both maps, its
 * two buffers folded (netns_live()). The wanted are in inum order, so the
 * snapshot grows at its end.
 */
static int add_wanted(struct bpf_src *b, const struct wanted *wanted,
		      struct ts_snapshot *snap)
{
	struct tcpstate_stats *st = b->scratch;

	for (size_t i = 0; i < wanted->nr; i++) {
		const struct tcpstate_netns_key *key = &wanted->ns[i].key;
		struct tcpstate_check c;
		struct ts_netns *ns;

		if (!netns_live(b, key, check_get(b, key, &c) ? &c : NULL, st))
			continue;
		ns = snapshot_get(snap, key->inum);
		if (!ns)
			return -ENOMEM;
		ns->cookie = key->cookie;
		tcpstate_stats_add(&ns->st, st);
	}
	return 0;
}

static int bpf_read(struct ts_source *src, struct ts_snapshot *snap,
		    unsigned int flags)
{
	struct bpf_src *b = src->priv;
	struct wanted wanted = {};
	struct tcpstate_errors *errs = b->percpu;
	int err, lock;
	__u32 key;

	err = wanted_get(&wanted, flags & TS_READ_ALL_NETNS, src->netns);
	if (err) {
		warnx_("cannot tell the network namespaces apart: %s", strerror(-err));
		goto out;
	}
	lock = collector_lock();
	if (lock < 0)	/* read all the same: only a concurrent re-count races */
		info("cannot take the collector's lock: %s", strerror(-lock));
	err = collector_run(b->fds.fw2_reconcile, NULL, 0, NULL);
	if (err) {
		warnx_("cannot re-read FIN_WAIT2 timewait sockets: %s", strerror(-err));
		goto unlock;
	}
	snap->taken_ns = mono_ns();

	err = add_wanted(b, &wanted, snap);
	if (err)
		goto unlock;
	err = check_all(b, &wanted, snap);
	if (err)
		goto unlock;
	err = collector_run(b->fds.listeners_refresh, NULL, 0, NULL) ?: add_listeners(b, &wanted, snap);
	if (err) {
		warnx_("cannot read the listeners' request sockets: %s",
		       strerror(-err));
		goto unlock;
	}
	key = 0;
	if (!bpf_map_lookup_elem(b->fds.errors, &key, errs))
		for (int c = 0; c < b->ncpus; c++)
			for (int i = 0; i < TCPSTATE_NERRORS; i++)
				snap->errors.count[i] += errs[c].count[i];
	prog_stats(b, snap);
unlock:
	collector_unlock(lock);
out:
	free(wanted.ns);
	return err;
}

const struct ts_source_ops ts_source_bpf = {
	.name = "bpf",
	.probe = bpf_probe,
	.open = bpf_open,
	.read = bpf_read,
	.port_bound = bpf_port_bound,
	.close = bpf_close,
};
