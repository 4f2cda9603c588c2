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
#include "loader.h"
#include "netns.h"
#include "snapshot.h"
#include "source.h"

struct bpf_src {
	struct collector_fds fds;
	int ncpus;
	void *percpu;		/* ncpus values of the largest map */
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
	b->percpu = calloc(b->ncpus, sizeof(struct tcpstate_stats));
	if (!b->percpu) {
		err = -ENOMEM;
		goto fail;
	}
	return 0;
fail:
	bpf_close(src);
	return err;
}

/* Runs a map-element iterator; calls rec() for every whole record. */
static int run_map_iter(int prog_fd, int map_fd, size_t rec_size,
			void (*rec)(const void *r, void *arg), void *arg)
{
	union bpf_iter_link_info linfo = { .map.map_fd = map_fd };
	LIBBPF_OPTS(bpf_link_create_opts, opts, .iter_info = &linfo,
		    .iter_info_len = sizeof(linfo));
	char buf[4096];
	size_t have = 0;
	int link, fd, err = 0;
	ssize_t n;

	link = bpf_link_create(prog_fd, 0, BPF_TRACE_ITER, &opts);
	if (link < 0)
		return -errno;
	fd = bpf_iter_create(link);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	while ((n = read(fd, buf + have, sizeof(buf) - have)) > 0) {
		size_t off = 0;

		have += n;
		if (rec)
			for (; have - off >= rec_size; off += rec_size)
				rec(buf + off, arg);
		else
			off = have;
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	if (n < 0)
		err = -errno;
	else if (have)
		err = -EBADMSG;	/* a torn record */
	close(fd);
out:
	close(link);
	return err;
}

struct listener_acc {
	struct ts_snapshot *snap;
	__u32 self;
	bool all;
	int err;
};

static void add_listener(const void *r, void *arg)
{
	struct tcpstate_listener l;
	struct listener_acc *acc = arg;
	struct ts_netns *ns;

	memcpy(&l, r, sizeof(l));
	if (!acc->all && l.netns != acc->self)
		return;
	ns = snapshot_get(acc->snap, l.netns);
	if (!ns) {
		acc->err = -ENOMEM;
		return;
	}
	ns->st.live[TCPSTATE_ST_SYN_RECV] += l.syn_recv;
}

static void sum_stats(struct tcpstate_stats *dst, const struct tcpstate_stats *v,
		      int ncpus)
{
	for (int c = 0; c < ncpus; c++) {
		const struct tcpstate_stats *s = &v[c];

		for (int i = 0; i < TCPSTATE_NSTATES; i++) {
			dst->live[i] += s->live[i];
			for (int j = 0; j < TCPSTATE_NSTATES; j++)
				dst->transitions[i][j] += s->transitions[i][j];
			for (int k = 0; k < TCPSTATE_HIST_SLOTS; k++)
				dst->duration[i][k] += s->duration[i][k];
		}
		for (int k = 0; k < TCPSTATE_HIST_SLOTS; k++)
			dst->lifetime[k] += s->lifetime[k];
	}
}

/* The cookie of every live namespace by inode number, for --all-netns. */
static int live_cookies(struct netns_info **ns, size_t *nr, __u64 **cookies)
{
	int err = netns_list(ns, nr), saved;

	if (err)
		return err;
	*cookies = calloc(*nr ? *nr : 1, sizeof(**cookies));
	if (!*cookies)
		return -ENOMEM;
	for (size_t i = 0; i < *nr; i++) {
		if (netns_enter((*ns)[i].path, &saved))
			continue;	/* gone meanwhile */
		netns_cookie(&(*cookies)[i]);
		if (netns_restore(saved))
			return -EIO;
	}
	return 0;
}

/*
 * From the attached programs: events the kernel skipped because the
 * program was already running on that CPU, and how long it has counted.
 */
static void prog_stats(const struct collector_fds *fds, struct ts_snapshot *snap)
{
	const int progs[] = { fds->set_state, fds->timer_start, fds->timer_cancel };
	struct timespec now;

	clock_gettime(CLOCK_BOOTTIME, &now);
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		struct bpf_prog_info pi = {};
		__u32 len = sizeof(pi);

		if (progs[i] < 0 || bpf_obj_get_info_by_fd(progs[i], &pi, &len))
			continue;
		snap->events_missed += pi.recursion_misses;	/* less handled[], below */
		if (i == 0 && pi.load_time)
			snap->counting_ns = (__u64)now.tv_sec * 1000000000ULL +
					    now.tv_nsec - pi.load_time;
	}
}

static int bpf_read(struct ts_source *src, struct ts_snapshot *snap,
		    unsigned int flags)
{
	struct bpf_src *b = src->priv;
	struct listener_acc acc = { .snap = snap, .all = flags & TS_READ_ALL_NETNS };
	struct tcpstate_errors *errs = b->percpu;
	struct tcpstate_netns_key nkey, nnext, *nprev = NULL;
	__u32 key;
	struct timespec ts;
	int err;

	struct netns_info *live = NULL;
	__u64 self_cookie = 0, *cookies = NULL;
	size_t nr_live = 0;

	err = netns_self(&acc.self) ?: netns_cookie(&self_cookie);
	if (err)
		return err;
	if (acc.all) {
		err = live_cookies(&live, &nr_live, &cookies);
		if (err) {
			free(live);
			free(cookies);
			return err;
		}
	}
	err = run_map_iter(b->fds.fw2_reconcile, b->fds.fw2_pending, 1, NULL, NULL);
	if (err) {
		warnx_("cannot re-read FIN_WAIT2 timewait sockets: %s", strerror(-err));
		return err;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snap->taken_ns = (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;

	while (!bpf_map_get_next_key(b->fds.netns_stats, nprev, &nnext)) {
		bool alive = !acc.all && nnext.cookie == self_cookie;
		struct ts_netns *ns;

		nkey = nnext;
		nprev = &nkey;
		/* Entries of dead namespaces stay; an inode may be reused. */
		for (size_t i = 0; acc.all && i < nr_live; i++)
			if (live[i].inum == nkey.inum && cookies[i] == nkey.cookie)
				alive = true;
		if (!alive || bpf_map_lookup_elem(b->fds.netns_stats, &nkey, b->percpu))
			continue;
		ns = snapshot_get(snap, nkey.inum);
		if (!ns) {
			err = -ENOMEM;
			break;
		}
		sum_stats(&ns->st, b->percpu, b->ncpus);
	}
	free(live);
	free(cookies);
	if (err)
		return err;
	err = run_map_iter(b->fds.listeners_read, b->fds.listeners,
			   sizeof(struct tcpstate_listener), add_listener, &acc);
	if (err || acc.err) {
		err = err ?: acc.err;
		warnx_("cannot read the listeners' request sockets: %s",
		       strerror(-err));
		return err;
	}
	key = 0;
	if (!bpf_map_lookup_elem(b->fds.errors, &key, errs))
		for (int c = 0; c < b->ncpus; c++)
			for (int i = 0; i < TCPSTATE_NERRORS; i++)
				snap->errors.count[i] += errs[c].count[i];
	prog_stats(&b->fds, snap);
	key = 0;
	if (b->fds.nesting >= 0 && !bpf_map_lookup_elem(b->fds.nesting, &key, b->percpu)) {
		const struct tcpstate_nesting *n = b->percpu;
		__u64 handled = 0;

		for (int c = 0; c < b->ncpus; c++)
			for (int i = 0; i < TCPSTATE_NEST_MAX; i++)
				handled += n[c].handled[i];
		/* Read after the misses: never more, unless torn; clamp. */
		snap->events_missed = snap->events_missed > handled ?
				      snap->events_missed - handled : 0;
	}
	return 0;
}

const struct ts_source_ops ts_source_bpf = {
	.name = "bpf",
	.probe = bpf_probe,
	.open = bpf_open,
	.read = bpf_read,
	.close = bpf_close,
};
