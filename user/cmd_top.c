// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_top.c - `tcpstate top [INTERVAL]`: the live terminal view.
 *
 * Reads a snapshot every interval, feeds the model (model_top.h), lays it
 * out (render_top.h) and draws it (tui.h); keys go to the model. On a
 * terminal that cannot be driven (TERM=dumb) it prints plain frames every
 * interval; when stdout is not a terminal, or with --once, one plain frame
 * and exit.
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "clock.h"
#include "alerts.h"
#include "cli.h"
#include "config.h"
#include "loader.h"
#include "culprit.h"
#include "model_alerts.h"
#include "model_top.h"
#include "netns.h"
#include "netns_table.h"
#include "render_top.h"
#include "sockdiag.h"
#include "tw_owner.h"
#include "source.h"
#include "tui.h"

static const char usage[] =
"Usage: tcpstate top [OPTIONS] [INTERVAL]\n"
"The live view: per-state counts with their change and entries per second,\n"
"history, time in state, the busiest transitions, listeners' accept queues,\n"
"the collector's health. Keys: q quit, h help, s sort, n namespace, p pause,\n"
"+/- interval, r reset rates, Enter a row's detail.\n"
"\n"
"  INTERVAL            seconds between frames, 0.25 to 60 (default: 1)\n"
"      --once          print one plain frame and exit (also when stdout is\n"
"                      not a terminal)\n"
"  -A, --all-netns     every network namespace (n chooses one)\n"
"  -s, --source SRC    bpf, module or auto (default: auto)\n"
"  -c, --config FILE   the alert rules, as tcpstated's (default:\n"
"                      " CONFIG_DEFAULT_PATH " when it exists)\n"
"  -v, --verbose       say more on stderr\n"
"  -h, --help          this help\n"
"\n"
"Colour unless NO_COLOR is set or TERM=dumb.\n"
"\n"
"Examples:\n"
"  tcpstate top                  # this namespace, every second\n"
"  tcpstate top -A 2             # every namespace, every 2 s\n"
"  tcpstate top --once | less    # one frame, as text\n";

struct top_opts {
	bool once, all;
	const char *source;
	double interval;
};

static void clock_str(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	if (localtime_r(&t, &tm))
		strftime(buf, len, "%H:%M:%S", &tm);
	else
		snprintf(buf, len, "-");
}

/* The plain frame's width: $COLUMNS, the terminal's, else 120. */
static int plain_width(void)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");

	if (cols && atoi(cols) > 0)
		return atoi(cols);
	if (isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col)
		return ws.ws_col;
	return 120;
}

/* The namespaces: paths to enter, names, limits (netns_table.h). */
static struct netns_table top_netns;

static void name_of(__u32 inum, char *buf, size_t len)
{
	const struct netns_entry *e = netns_table_find(&top_netns, inum);

	snprintf(buf, len, "%s", e ? e->info.name : "");
}

/* Names of the namespaces the header and the picker show. */
static void name_namespaces(struct top_model *m)
{
	size_t limit = m->view == TOP_VIEW_NSPICK ? m->nr_ns : 0;

	if (m->scope && !m->scope_name[0])
		name_of(m->scope, m->scope_name, sizeof(m->scope_name));
	for (size_t i = 0; i < limit && i < 200; i++)
		if (!m->ns[i].name[0])
			name_of(m->ns[i].inum, m->ns[i].name, sizeof(m->ns[i].name));
}

/* ---------------------------------------------------------------- culprits */

/*
 * The culprit finder behind the TIME_WAIT and CLOSE_WAIT rows (sockdiag.h,
 * culprit.h): at most once per interval, only for the namespaces shown
 * (the scope; with every namespace in scope, the TOP_LOOKUP_NS with the
 * most such sockets), and at most TOP_LOOKUP_ROWS sockets each.
 * CLOSE_WAIT is grouped by local port and process, TIME_WAIT (which has
 * no process any more) by peer address and port.
 */
#define TOP_LOOKUP_NS		4
#define TOP_LOOKUP_ROWS		20000
#define TOP_LOOKUP_GROUPS	6	/* keys shown per state and namespace */
#define TOP_GROUP_KEYS		64	/* keys counted before the largest are chosen */
#define TOP_INODE_MAP		65536
#define TOP_INODE_REBUILD_NS	(2 * 1000000000ULL)	/* /proc/PID/fd walks at most this often */

struct finder {
	/* Walks only the namespaces and inodes a round wants (culprit.h). */
	struct culprit_map *map;
	__u64 last_ns;			/* the last lookup */
	__u32 last_scope;
	bool failed;			/* said once why lookups fail */
	struct top_culprit found[TOP_MAX_CULPRITS];
	size_t nr_found;
};

static struct finder finder;

/* The path that opens inum: NULL for the caller's own, "" when unknown. */
static const char *netns_path_of(__u32 inum, __u32 self)
{
	const struct netns_entry *e;

	if (inum == self)
		return NULL;
	e = netns_table_find(&top_netns, inum);
	return e ? e->info.path : "";
}

static void add_groups(const struct culprit_group *g, size_t ng, __u32 inum)
{
	for (size_t i = 0; i < ng && finder.nr_found < TOP_MAX_CULPRITS; i++) {
		struct top_culprit *c = &finder.found[finder.nr_found++];
		struct culprit_proc p;

		memset(c, 0, sizeof(*c));
		c->state = g[i].key.state;
		c->netns = inum;
		c->family = g[i].sample.family;
		c->lport = g[i].key.lport;
		c->rport = g[i].key.pport;
		memcpy(c->raddr, g[i].key.peer, sizeof(c->raddr));
		c->sockets = g[i].count > UINT32_MAX ? UINT32_MAX : (__u32)g[i].count;
		c->age_s = g[i].oldest_ms > 0 ? (__u64)g[i].oldest_ms / 1000 : 0;
		c->pid = g[i].any_pid > 0 ? (__u32)g[i].any_pid : 0;
		if (c->pid && !culprit_proc_read(g[i].any_pid, &p))
			snprintf(c->comm, sizeof(c->comm), "%s", p.comm);
	}
}

static int cmp_group_count(const void *a, const void *b)
{
	const struct culprit_group *x = a, *y = b;

	return x->count != y->count ? (x->count > y->count ? -1 : 1) : 0;
}

/*
 * A TIME_WAIT socket holds no file: the owner of the largest destination
 * key is the one the BPF collector recorded at close (tw_owner.h), read
 * from its timewait map, at most TOP_LOOKUP_ROWS entries, once per round.
 */
static int tw_map_fd(void);

static void tw_name_owner(size_t first, __u32 inum)
{
	struct top_culprit *c = NULL;
	struct tw_owner own[1];
	struct tcpstate_tw *tws = NULL;
	size_t n = 0, ntw = 0;
	struct tw_dest d = {};
	int fd = tw_map_fd();

	for (size_t i = first; i < finder.nr_found && !c; i++)
		if (finder.found[i].state == TCPSTATE_ST_TIME_WAIT && finder.found[i].rport)
			c = &finder.found[i];
	if (!c || fd < 0)
		return;
	d.netns = inum;
	d.family = (__u8)c->family;
	memcpy(d.daddr, c->raddr, sizeof(d.daddr));
	d.dport = c->rport;
	if (tw_read(fd, TOP_LOOKUP_ROWS, &tws, &ntw))
		return;
	culprit_tw_fold(tws, ntw, &d, own, 1, &n);
	free(tws);
	if (!n || !own[0].tgid)
		return;
	c->pid = own[0].tgid;
	snprintf(c->comm, sizeof(c->comm), "%s", own[0].comm);
}

/*
 * TIME_WAIT by local port (a server that closes first: its peers' ports
 * all differ) and, for the sockets left, by destination (peer address and
 * port: a client or crawler that closes first, each socket on its own
 * ephemeral port). A key of one socket only says "no pattern": keys of
 * two or more come first, the others only when there is nothing else.
 */
static int group_time_wait(struct sockdiag_row *tw, size_t ntw,
			   struct culprit_group **out, size_t *nout)
{
	struct culprit_group *byport = NULL, *bypeer = NULL, *all;
	size_t np = 0, nq = 0, n = 0, rest = 0;
	int err;

	err = culprit_group(tw, NULL, ntw, CULPRIT_BY_STATE | CULPRIT_BY_LPORT,
			    TOP_GROUP_KEYS, &byport, &np, NULL);
	if (err)
		return err;
	/* The sockets of no server port move to the front, for the peers. */
	for (size_t i = 0; i < ntw; i++) {
		bool served = false;

		for (size_t k = 0; k < np && !served; k++)
			served = byport[k].count > 1 && byport[k].key.lport == tw[i].sport;
		if (!served) {
			struct sockdiag_row t = tw[rest];

			tw[rest++] = tw[i];
			tw[i] = t;
		}
	}
	err = culprit_group(tw, NULL, rest,
			    CULPRIT_BY_STATE | CULPRIT_BY_PEER_ADDR | CULPRIT_BY_PEER_PORT,
			    TOP_GROUP_KEYS, &bypeer, &nq, NULL);
	all = err ? NULL : calloc(np + nq + 1, sizeof(*all));
	if (!all) {
		free(byport);
		free(bypeer);
		return err ? err : -ENOMEM;
	}
	for (size_t k = 0; k < np; k++)
		if (byport[k].count > 1)
			all[n++] = byport[k];
	for (size_t k = 0; k < nq; k++)
		if (bypeer[k].count > 1 || !n)
			all[n++] = bypeer[k];
	qsort(all, n, sizeof(*all), cmp_group_count);
	free(byport);
	free(bypeer);
	*out = all;
	*nout = n < TOP_LOOKUP_GROUPS ? n : TOP_LOOKUP_GROUPS;
	return 0;
}

/* One namespace's TIME_WAIT and CLOSE_WAIT sockets, grouped. */
static int lookup_netns(__u32 inum, const char *path)
{
	struct sockdiag_query q = {
		.states = SOCKDIAG_STATE(TCPSTATE_ST_TIME_WAIT) |
			  SOCKDIAG_STATE(TCPSTATE_ST_CLOSE_WAIT),
		.family = AF_UNSPEC, .want_info = true, .max_rows = TOP_LOOKUP_ROWS,
	};
	struct sockdiag_result res = {};
	struct sockdiag_row *cw = NULL, *tw = NULL;
	struct culprit_group *g = NULL;
	pid_t *pids = NULL;
	size_t ncw = 0, ntw = 0, ng = 0;
	__u64 now = mono_ns();
	__u32 *inodes = NULL;
	int err;

	err = sockdiag_query_netns(path, &q, &res);
	if (err)
		goto out;
	cw = calloc(res.nr + 1, sizeof(*cw));
	tw = calloc(res.nr + 1, sizeof(*tw));
	pids = calloc(res.nr + 1, sizeof(*pids));
	inodes = calloc(res.nr + 1, sizeof(*inodes));
	if (!cw || !tw || !pids || !inodes) {
		err = -ENOMEM;
		goto out;
	}
	/* A walk then keeps these and reads only this namespace's processes. */
	for (size_t i = 0; i < res.nr; i++)
		inodes[i] = res.rows[i].state == TCPSTATE_ST_CLOSE_WAIT ? res.rows[i].inode : 0;
	culprit_map_want(finder.map, inodes, res.nr);
	culprit_map_want_netns(finder.map, inum);
	for (size_t i = 0; i < res.nr; i++) {
		const struct sockdiag_row *r = &res.rows[i];

		if (r->state == TCPSTATE_ST_CLOSE_WAIT) {
			if (!r->inode ||
			    culprit_map_lookup(finder.map, r->inode, now, &pids[ncw]))
				pids[ncw] = 0;
			cw[ncw++] = *r;
		} else if (r->state == TCPSTATE_ST_TIME_WAIT) {
			tw[ntw++] = *r;
		}
	}
	err = culprit_group(cw, pids, ncw, CULPRIT_BY_STATE | CULPRIT_BY_LPORT | CULPRIT_BY_PID,
			    TOP_GROUP_KEYS, &g, &ng, NULL);
	if (err)
		goto out;
	if (ng > TOP_LOOKUP_GROUPS)
		ng = TOP_LOOKUP_GROUPS;
	add_groups(g, ng, inum);
	free(g);
	g = NULL;
	err = group_time_wait(tw, ntw, &g, &ng);
	if (!err) {
		size_t first = finder.nr_found;

		add_groups(g, ng, inum);
		tw_name_owner(first, inum);
	}
out:
	free(inodes);
	free(g);
	free(pids);
	free(cw);
	free(tw);
	sockdiag_result_free(&res);
	return err;
}

static __s64 held(const struct ts_netns *ns)
{
	return ns->st.live[TCPSTATE_ST_TIME_WAIT] + ns->st.live[TCPSTATE_ST_CLOSE_WAIT];
}

/* force: the scope changed or a detail opened, whatever the interval. */
static void find_culprits(struct top_model *m, const struct ts_snapshot *snap, bool force)
{
	const struct ts_netns *pick[TOP_LOOKUP_NS];
	size_t npick = 0;
	__u64 now = mono_ns();
	int err = 0;

	if (!force && finder.last_ns && m->scope == finder.last_scope &&
	    now - finder.last_ns < (__u64)(m->interval_s * 0.9e9))
		return;
	if (!finder.map)
		finder.map = culprit_map_new(TOP_INODE_MAP, TOP_INODE_REBUILD_NS);
	if (!finder.map)
		return;
	culprit_map_unwant(finder.map);
	finder.last_ns = now;
	finder.last_scope = m->scope;
	finder.nr_found = 0;
	/* The namespaces in scope with the most such sockets, largest first. */
	for (size_t i = 0; i < snap->nr_netns; i++) {
		const struct ts_netns *ns = &snap->netns[i];
		size_t pos;

		if ((m->scope && ns->inum != m->scope) || held(ns) <= 0)
			continue;
		pos = npick;
		while (pos > 0 && held(pick[pos - 1]) < held(ns))
			pos--;
		if (pos >= TOP_LOOKUP_NS)
			continue;
		if (npick < TOP_LOOKUP_NS)
			npick++;
		memmove(&pick[pos + 1], &pick[pos], (npick - 1 - pos) * sizeof(pick[0]));
		pick[pos] = ns;
	}
	for (size_t i = 0; i < npick; i++) {
		const char *path = netns_path_of(pick[i]->inum, m->self_inum);

		if (path && !path[0])
			continue;	/* gone, or not reachable from here */
		err = lookup_netns(pick[i]->inum, path);
		if (err && !finder.failed) {
			info("culprit lookup in netns %u failed: %s", pick[i]->inum,
			     strerror(-err));
			finder.failed = true;
		}
	}
	top_set_culprits(m, finder.found, finder.nr_found);
}

/* ---------------------------------------------------------------- alerts */

/*
 * The alerts tcpstated would raise: one round of alerts.h over each
 * snapshot (its gates decide which socket lookups run, capped at
 * alert_max_sockets), with the rules of its config file. The banner shows
 * those in force in the scope.
 */
static struct {
	struct tsd_config cfg;
	struct alerts a;
	bool open;
	struct collector_fds fds;	/* BPF: the timewait map, for TIME_WAIT owners */
	bool have_fds;
	__u64 t0;
} al;

static int tw_map_fd(void)
{
	return al.have_fds ? al.fds.timewait : -1;
}

static void word_alert(const struct alert_report *r, struct top_alert *a)
{
	const struct alert_state *st = &r->st;
	double limit = r->th ? (st->level == ALERT_CRITICAL ? r->th->critical :
				r->th->warning) : 0;
	int n;

	a->severity = st->level == ALERT_CRITICAL ? TOP_SEV_CRITICAL : TOP_SEV_WARNING;
	n = snprintf(a->text, sizeof(a->text), "%s netns %u%s%s%s%s: %.4g (over %.4g)",
		     alert_kind_name(st->obs.kind), st->obs.netns,
		     r->netns_name[0] ? " " : "", r->netns_name,
		     st->obs.subject[0] ? " " : "", st->obs.subject, st->obs.value, limit);
	if (r->nculprits && r->culprits[0].proc.pid && n > 0 && (size_t)n < sizeof(a->text))
		n += snprintf(a->text + n, sizeof(a->text) - n, "; %d/%s",
			      r->culprits[0].proc.pid, r->culprits[0].proc.comm);
}

static void find_alerts(struct top_model *m, struct ts_source *src, struct ts_snapshot *snap)
{
	struct top_alert out[TOP_MAX_ALERTS];
	struct alert_report *rep = NULL;
	size_t nrep = 0, n = 0;

	if (!al.open)
		return;
	if (netns_table_fill_limits(&top_netns, snap, mono_s()) == -EIO)
		return;		/* outside our own namespace: the next read fails */
	al.a.netns = &top_netns;
	if (alerts_need_port_bound(&al.a, snap))
		ts_source_port_bound(src, snap);	/* without it, lookups decide */
	if (alerts_round(&al.a, snap, (mono_ns() - al.t0) / 1e9, &rep, &nrep))
		return;
	for (size_t i = 0; i < nrep && n < TOP_MAX_ALERTS; i++) {
		if (rep[i].st.level == ALERT_OK)
			continue;
		if (m->scope && rep[i].st.obs.netns != m->scope)
			continue;
		word_alert(&rep[i], &out[n++]);
	}
	free(rep);
	top_set_alerts(m, out, n);
}

/* The daemon's config (its alert rules): path, or the default if it exists. */
static int alerts_open(const char *path, struct ts_source *src)
{
	char err[512] = "";
	int ret;

	config_defaults(&al.cfg);
	ret = config_load(path ? path : CONFIG_DEFAULT_PATH, &al.cfg, err, sizeof(err));
	if (ret == -ENOENT && !path)
		ret = 0;
	if (ret) {
		warnx_("%s", err[0] ? err : strerror(-ret));
		return ret;
	}
	ret = alerts_init(&al.a, &al.cfg);
	if (ret) {
		warnx_("out of memory");
		return ret;
	}
	al.open = true;
	if (src->ops == &ts_source_bpf && !collector_open(&al.fds)) {
		al.have_fds = true;
		al.a.tw_map_fd = al.fds.timewait;
		al.a.listeners_map_fd = al.fds.listeners;
	}
	al.t0 = mono_ns();
	return 0;
}

static void alerts_close(void)
{
	if (al.open)
		alerts_free(&al.a);
	al.open = false;
	if (al.have_fds)
		collector_close(&al.fds);
	al.have_fds = false;
	culprit_map_free(finder.map);
	finder.map = NULL;
	netns_table_free(&top_netns);
}

static int read_frame(struct ts_source *src, struct ts_snapshot *snap,
		      const struct top_opts *o, struct top_model *m)
{
	int err;

	ts_snapshot_free(snap);
	err = netns_table_update(&top_netns, mono_s());
	if (err == -EIO)
		return err;
	src->netns = &top_netns;	/* else: with the namespaces known so far */
	err = ts_source_read(src, snap, o->all ? TS_READ_ALL_NETNS : 0);
	if (err)
		return err;
	top_feed(m, snap);
	find_culprits(m, snap, false);
	find_alerts(m, src, snap);
	name_namespaces(m);
	return 0;
}

static int plain_frame(const struct top_model *m, bool clock)
{
	static struct top_screen scr;
	char clk[16];
	struct top_render_opts ro = { .width = plain_width(), .utf8 = false };

	if (clock) {
		clock_str(clk, sizeof(clk));
		ro.clock = clk;
	}
	top_render(m, &ro, &scr);
	return top_render_plain(stdout, &scr);
}

static void sleep_ns(__u64 until)
{
	struct timespec ts = { .tv_sec = until / 1000000000ULL,
			       .tv_nsec = until % 1000000000ULL };

	while (!exiting &&
	       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static __u64 interval_ns(double s)
{
	return (__u64)(s * 1e9 + 0.5);
}

/* TERM=dumb on a terminal: plain frames every interval, until Ctrl-C. */
static int run_plain(struct ts_source *src, struct ts_snapshot *snap,
		     const struct top_opts *o, struct top_model *m)
{
	__u64 next = mono_ns();
	int err;

	/* The first frame is read already. */
	while (!exiting) {
		err = plain_frame(m, true);
		if (err) {
			warnx_("writing the frame failed: %s", strerror(-err));
			return 1;
		}
		fputc('\n', stdout);
		next += interval_ns(m->interval_s);
		sleep_ns(next);
		if (exiting)
			break;
		err = read_frame(src, snap, o, m);
		if (err) {
			warnx_("reading the %s collector failed: %s", src->ops->name,
			       strerror(-err));
			return 1;
		}
	}
	return 0;
}

static int run_tui(struct ts_source *src, struct ts_snapshot *snap,
		   const struct top_opts *o, struct top_model *m, bool color)
{
	static struct top_screen scr;
	__u64 next;
	int err, ret = 0;

	err = tui_open(color);
	if (err) {
		warnx_("cannot drive this terminal (TERM=%s)", getenv("TERM") ? : "");
		return 1;
	}
	next = mono_ns() + interval_ns(m->interval_s);
	while (!exiting) {
		struct top_render_opts ro = { .utf8 = tui_utf8() };
		char clk[16];
		unsigned int act = 0;
		__u64 now;
		int key;

		clock_str(clk, sizeof(clk));
		ro.clock = clk;
		tui_size(&ro.width, &ro.height);
		top_render(m, &ro, &scr);
		tui_draw(&scr);

		now = mono_ns();
		key = tui_key(next > now ? (int)((next - now + 999999) / 1000000) : 0);
		if (exiting)
			break;
		if (key == TUI_RESIZE)
			continue;
		if (key == TUI_TIMEOUT) {
			if (mono_ns() < next)
				continue;	/* a signal ended the wait */
			next += interval_ns(m->interval_s);
			if (next < mono_ns())
				next = mono_ns() + interval_ns(m->interval_s);
			if (m->paused)
				continue;
			err = read_frame(src, snap, o, m);
			if (err) {
				tui_close();
				warnx_("reading the %s collector failed: %s", src->ops->name,
				       strerror(-err));
				ret = 1;
				break;
			}
			continue;
		}
		act = top_key(m, key);
		if (act & TOP_ACT_QUIT)
			break;
		if (act & TOP_ACT_REFEED) {
			/* A new scope: its first frame from the last snapshot. */
			top_feed(m, snap);
			find_culprits(m, snap, true);
		}
		if (act & TOP_ACT_CULPRITS)
			find_culprits(m, snap, true);
		if (act & TOP_ACT_INTERVAL)
			next = mono_ns() + interval_ns(m->interval_s);
		name_namespaces(m);
	}
	tui_close();
	return ret;
}

int cmd_top(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "all-netns", no_argument, NULL, 'A' },
		{ "source", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *config = NULL;
	struct top_opts o = { .source = "auto", .interval = 1 };
	struct ts_snapshot snap = {};
	struct ts_source src = {};
	static struct top_model m;
	const char *term = getenv("TERM");
	bool tty, dumb, color;
	struct utsname u;
	__u32 self;
	int c, err, ret;

	while ((c = getopt_long(argc, argv, "+As:c:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'o': o.once = true; break;
		case 'A': o.all = true; break;
		case 's': o.source = optarg; break;
		case 'v': verbose = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc &&
	    parse_seconds(argv[optind++], "INTERVAL", TOP_INTERVAL_MAX, &o.interval))
		return EXIT_USAGE;
	if (o.interval < TOP_INTERVAL_MIN) {
		warnx_("INTERVAL: %g is out of range (%g to %g)", o.interval,
		       TOP_INTERVAL_MIN, TOP_INTERVAL_MAX);
		return EXIT_USAGE;
	}
	if (optind < argc) {
		warnx_("unexpected argument '%s'", argv[optind]);
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	err = open_reader(&src, o.source, o.all, &self);
	if (err)
		return err;
	if (alerts_open(config, &src)) {
		alerts_close();
		ts_source_close(&src);
		return 1;
	}
	setlocale(LC_ALL, "");
	top_init(&m, o.interval, o.all, self);
	if (!uname(&u))
		snprintf(m.kernel, sizeof(m.kernel), "%.*s", (int)sizeof(m.kernel) - 1, u.release);

	tty = isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
	dumb = !term || !*term || !strcmp(term, "dumb");
	color = !getenv("NO_COLOR") && !dumb;
	install_exit_signals();
	err = read_frame(&src, &snap, &o, &m);
	if (err) {
		warnx_("reading the %s collector failed: %s", src.ops->name, strerror(-err));
		ret = 1;
	} else if (o.once || !tty) {
		err = plain_frame(&m, false);
		if (err)
			warnx_("writing the frame failed: %s", strerror(-err));
		ret = err ? 1 : 0;
	} else if (dumb) {
		ret = run_plain(&src, &snap, &o, &m);
	} else {
		ret = run_tui(&src, &snap, &o, &m, color);
	}
	ts_snapshot_free(&snap);
	ts_source_close(&src);
	alerts_close();
	return ret;
}
