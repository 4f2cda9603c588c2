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
	int stats_fd, errors_fd, fw2_fd, listeners_fd;
	int listeners_prog_fd, reconcile_prog_fd;
	int ncpus;
	void *percpu;		/* ncpus values of the largest map */
};

static int bpf_probe(void)
{
	return collector_loaded() ? 0 : -ENOENT;
}

static int get(const char *path, int *fd)
{
	*fd = bpf_obj_get(path);
	if (*fd < 0) {
		int err = -errno;

		warnx_("cannot open %s: %s", path, strerror(errno));
		return err;
	}
	return 0;
}

static void bpf_close(struct ts_source *src)
{
	struct bpf_src *b = src->priv;

	if (!b)
		return;
	int *fds[] = { &b->stats_fd, &b->errors_fd, &b->fw2_fd, &b->listeners_fd,
		       &b->listeners_prog_fd, &b->reconcile_prog_fd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	free(b->percpu);
	free(b);
	src->priv = NULL;
}

static int bpf_open(struct ts_source *src)
{
	struct bpf_src *b;
	int err;

	if (!collector_loaded())
		return -ENOENT;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->stats_fd = b->errors_fd = b->fw2_fd = b->listeners_fd = -1;
	b->listeners_prog_fd = b->reconcile_prog_fd = -1;
	src->priv = b;
	err = get(PIN_MAP("netns_stats"), &b->stats_fd) ?:
	      get(PIN_MAP("errors"), &b->errors_fd) ?:
	      get(PIN_MAP("fw2_pending"), &b->fw2_fd) ?:
	      get(PIN_MAP("listeners"), &b->listeners_fd) ?:
	      get(PIN_PROG("listeners_read"), &b->listeners_prog_fd) ?:
	      get(PIN_PROG("fw2_reconcile"), &b->reconcile_prog_fd);
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

/*
 * From the attached programs: events the kernel skipped because the
 * program was already running on that CPU, and how long it has counted.
 */
static void prog_stats(struct ts_snapshot *snap)
{
	static const char *const links[] = {
		PIN_LINK("set_state"), PIN_LINK("timer_start"), PIN_LINK("timer_cancel"),
	};
	struct timespec now;

	clock_gettime(CLOCK_BOOTTIME, &now);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		struct bpf_link_info li = {};
		struct bpf_prog_info pi = {};
		__u32 len = sizeof(li);
		int fd = bpf_obj_get(links[i]), pfd;

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &li, &len)) {
			pfd = bpf_prog_get_fd_by_id(li.prog_id);
			len = sizeof(pi);
			if (pfd >= 0 && !bpf_obj_get_info_by_fd(pfd, &pi, &len))
				snap->events_missed += pi.recursion_misses;
			if (pfd >= 0 && i == 0 && pi.load_time)
				snap->counting_ns = (__u64)now.tv_sec * 1000000000ULL +
						    now.tv_nsec - pi.load_time;
			if (pfd >= 0)
				close(pfd);
		}
		close(fd);
	}
}

static int bpf_read(struct ts_source *src, struct ts_snapshot *snap,
		    unsigned int flags)
{
	struct bpf_src *b = src->priv;
	struct listener_acc acc = { .snap = snap, .all = flags & TS_READ_ALL_NETNS };
	struct tcpstate_errors *errs = b->percpu;
	__u32 key, next, *prev = NULL;
	struct timespec ts;
	int err;

	err = netns_self(&acc.self);
	if (err)
		return err;
	err = run_map_iter(b->reconcile_prog_fd, b->fw2_fd, 1, NULL, NULL);
	if (err) {
		warnx_("cannot re-read FIN_WAIT2 timewait sockets: %s", strerror(-err));
		return err;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snap->taken_ns = (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;

	while (!bpf_map_get_next_key(b->stats_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!acc.all && key != acc.self)
			continue;
		if (bpf_map_lookup_elem(b->stats_fd, &key, b->percpu))
			continue;	/* deleted meanwhile */
		struct ts_netns *ns = snapshot_get(snap, key);

		if (!ns)
			return -ENOMEM;
		sum_stats(&ns->st, b->percpu, b->ncpus);
	}
	err = run_map_iter(b->listeners_prog_fd, b->listeners_fd,
			   sizeof(struct tcpstate_listener), add_listener, &acc);
	if (err || acc.err) {
		err = err ?: acc.err;
		warnx_("cannot read the listeners' request sockets: %s",
		       strerror(-err));
		return err;
	}
	key = 0;
	if (!bpf_map_lookup_elem(b->errors_fd, &key, errs))
		for (int c = 0; c < b->ncpus; c++)
			for (int i = 0; i < TCPSTATE_NERRORS; i++)
				snap->errors.count[i] += errs[c].count[i];
	prog_stats(snap);
	return 0;
}

const struct ts_source_ops ts_source_bpf = {
	.name = "bpf",
	.probe = bpf_probe,
	.open = bpf_open,
	.read = bpf_read,
	.close = bpf_close,
};
