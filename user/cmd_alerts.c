// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_alerts.c - `tcpstate alerts`: evaluate the alert rules once, print
 * them with their culprits, exit as a monitoring plugin does: 0 nothing
 * fires, 1 a warning, 2 critical, 3 cannot tell (no collector, ...).
 *
 * One evaluation has no history, so it takes two rounds SAMPLE_S apart:
 * the first seeds the rates (TIME_WAIT growth, a destination's port use),
 * the second decides. No hold time applies (there is nothing to hold
 * over).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "clock.h"
#include "alerts.h"
#include "cli.h"
#include "config.h"
#include "loader.h"
#include "netns_table.h"
#include "render_alerts.h"
#include "snapshot.h"
#include "source.h"

#define EXIT_UNKNOWN	3	/* the monitoring-plugin convention */
#define SAMPLE_S	1.0
#define MAX_OVERRIDES	64

static const char usage[] =
"Usage: tcpstate alerts [OPTIONS]\n"
"Evaluates the alert rules once over every network namespace and prints\n"
"each alert with its culprit (process, port, peer, namespace, age), the\n"
"sysctls that matter and what to change. Takes about a second (two\n"
"samples, for rates). Exit status: 0 nothing fires, 1 warning, 2 critical,\n"
"3 cannot evaluate, 64 usage.\n"
"\n"
"  -j, --json             one JSON object\n"
"  -c, --config FILE      the daemon's configuration (default " CONFIG_DEFAULT_PATH ",\n"
"                         optional unless given)\n"
"  -o, --set KEY=VALUE    override one configuration key (repeatable)\n"
"  -n, --netns NAME       only this namespace (a name of ip netns, or an\n"
"                         inode number; repeatable); default: all\n"
"  -v, --verbose          say more on stderr\n"
"  -h, --help             this help\n"
"\n"
"Examples:\n"
"  tcpstate alerts                              # as a cron job or Nagios check\n"
"  tcpstate alerts --json | jq '.alerts[].culprits'\n"
"  tcpstate alerts -o close_wait_count=100 -o port_use_ratio=0.5\n"
"  tcpstate alerts -n web                       # the namespace 'web' only\n";

struct alerts_opts {
	bool json;
	const char *config;
	bool config_explicit;
	const char *set[MAX_OVERRIDES];
	size_t nset;
	__u32 only[MAX_OVERRIDES];	/* namespaces to evaluate; none: all */
	size_t nonly;
};

/* A name under /run/netns, or an inode number. */
static int netns_arg(const char *s, __u32 *inum)
{
	char path[NETNS_PATH_MAX];
	struct stat st;
	unsigned long n;

	if (s[0] >= '1' && s[0] <= '9' && strspn(s, "0123456789") == strlen(s)) {
		if (parse_ulong(s, "--netns", 1, 0xffffffffu, &n))
			return -1;
		*inum = (__u32)n;
		return 0;
	}
	if (!*s || strchr(s, '/') || s[0] == '.' ||
	    snprintf(path, sizeof(path), "/run/netns/%s", s) >= (int)sizeof(path) ||
	    stat(path, &st)) {
		warnx_("--netns: '%s' is not a namespace of ip netns", s);
		return -1;
	}
	*inum = (__u32)st.st_ino;
	return 0;
}

static int parse_args(int argc, char **argv, struct alerts_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "config", required_argument, NULL, 'c' },
		{ "set", required_argument, NULL, 'o' },
		{ "netns", required_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	while ((c = getopt_long(argc, argv, "+jc:o:n:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o->json = true; break;
		case 'c': o->config = optarg; o->config_explicit = true; break;
		case 'o':
			if (o->nset == MAX_OVERRIDES) {
				warnx_("-o: at most %d overrides", MAX_OVERRIDES);
				return EXIT_USAGE;
			}
			if (!strchr(optarg, '=')) {
				warnx_("-o: '%s' is not KEY=VALUE", optarg);
				return EXIT_USAGE;
			}
			o->set[o->nset++] = optarg;
			break;
		case 'n':
			if (o->nonly == MAX_OVERRIDES) {
				warnx_("--netns: at most %d", MAX_OVERRIDES);
				return EXIT_USAGE;
			}
			if (netns_arg(optarg, &o->only[o->nonly]))
				return EXIT_USAGE;
			o->nonly++;
			break;
		case 'v': verbose = true; break;
		case 'h': fputs(usage, stdout); return -1;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		warnx_("alerts: unexpected argument '%s'", argv[optind]);
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	return 0;
}

static int load_config(const struct alerts_opts *o, struct tsd_config *cfg)
{
	char err[512], key[128];
	int ret;

	config_defaults(cfg);
	ret = config_load(o->config, cfg, err, sizeof(err));
	if (ret == -ENOENT && !o->config_explicit)
		ret = 0;
	if (ret) {
		warnx_("%s", err);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < o->nset; i++) {
		const char *eq = strchr(o->set[i], '=');
		size_t kl = (size_t)(eq - o->set[i]);

		if (kl >= sizeof(key)) {
			warnx_("-o %s: unknown key", o->set[i]);
			return EXIT_USAGE;
		}
		memcpy(key, o->set[i], kl);
		key[kl] = '\0';
		if (config_set(cfg, key, eq + 1, err, sizeof(err))) {
			warnx_("-o %s: %s", o->set[i], err);
			return EXIT_USAGE;
		}
	}
	/* One evaluation: nothing to hold over. */
	cfg->alerts.hold_s = 0;
	return 0;
}

/* Keeps only the namespaces asked for (present even before a socket). */
static int keep_only(struct ts_snapshot *snap, const struct alerts_opts *o)
{
	size_t w = 0;

	if (!o->nonly)
		return 0;
	for (size_t i = 0; i < o->nonly; i++)
		if (!snapshot_get(snap, o->only[i]))
			return -ENOMEM;
	for (size_t i = 0; i < snap->nr_netns; i++) {
		bool keep = false;

		for (size_t k = 0; k < o->nonly; k++)
			keep |= snap->netns[i].inum == o->only[k];
		if (keep)
			snap->netns[w++] = snap->netns[i];
	}
	snap->nr_netns = w;
	return 0;
}

/* src->netns and a->netns: the rounds' table, listed again only if out of date. */
static int one_round(struct ts_source *src, const struct alerts_opts *o, struct alerts *a,
		     struct alert_report **rep, size_t *nrep)
{
	struct netns_table *t = src->netns;
	struct ts_snapshot snap = {};
	__u32 self;
	int err;

	err = netns_table_update(t, mono_s());
	if (err) {
		warnx_("cannot list the network namespaces: %s", strerror(-err));
		return err;
	}
	err = ts_source_read(src, &snap, TS_READ_ALL_NETNS);
	if (err) {
		warnx_("reading the %s collector failed: %s", src->ops->name, strerror(-err));
		goto out;
	}
	err = netns_self(&self);
	if (!err && !o->nonly && !snapshot_get(&snap, self))
		err = -ENOMEM;
	if (!err)
		err = keep_only(&snap, o);
	if (!err)
		err = netns_table_fill_limits(t, &snap, mono_s());
	if (err) {
		warnx_("reading the namespaces' limits failed: %s", strerror(-err));
		goto out;
	}
	if (alerts_need_port_bound(a, &snap)) {
		err = ts_source_port_bound(src, &snap);
		if (err && err != -ENOENT)	/* without it, lookups decide */
			warnx_("cannot read the ports per destination: %s", strerror(-err));
	}
	err = alerts_round(a, &snap, mono_s(), rep, nrep);
	if (err)
		warnx_("evaluating the alerts failed: %s", strerror(-err));
out:
	ts_snapshot_free(&snap);
	return err;
}

int cmd_alerts(int argc, char **argv)
{
	struct alerts_opts o = { .config = CONFIG_DEFAULT_PATH };
	struct alert_report *rep = NULL;
	struct tsd_config cfg;
	struct ts_source src = {};
	struct netns_table netns = {};	/* both rounds' namespaces */
	struct alerts a = {};
	struct collector_fds fds;
	bool have_fds = false;
	size_t nrep = 0;
	int err, ret = EXIT_UNKNOWN, worst;
	struct timespec pause = { .tv_sec = (time_t)SAMPLE_S,
				  .tv_nsec = (long)((SAMPLE_S - (time_t)SAMPLE_S) * 1e9) };

	err = parse_args(argc, argv, &o);
	if (err)
		return err < 0 ? 0 : err;
	err = load_config(&o, &cfg);
	if (err)
		return err;
	if (geteuid() != 0) {
		warnx_("alerts needs root (every namespace, /proc/PID/fd of every process)");
		return EXIT_UNKNOWN;
	}
	err = ts_source_open(&src, cfg.source);
	if (err) {
		if (err == -ENOENT)
			warnx_("no collector is loaded (%s): run 'tcpstate load' for the "
			       "BPF collector, or insmod tcpstate.ko", cfg.source);
		else
			warnx_("cannot open the %s collector: %s", cfg.source, strerror(-err));
		return EXIT_UNKNOWN;
	}
	if (alerts_init(&a, &cfg)) {
		warnx_("out of memory");
		goto cleanup;
	}
	/* Two rounds a second apart make the rates: both measure. */
	a.lookup_share = 0;
	src.netns = &netns;
	a.netns = &netns;
	/* The BPF collector knows who owned the TIME_WAIT sockets. */
	if (src.ops == &ts_source_bpf && !collector_open(&fds)) {
		have_fds = true;
		a.tw_map_fd = fds.timewait;
		a.listeners_map_fd = fds.listeners;
	}
	if (one_round(&src, &o, &a, &rep, &nrep))
		goto cleanup;
	free(rep);
	rep = NULL;
	nanosleep(&pause, NULL);
	if (one_round(&src, &o, &a, &rep, &nrep))
		goto cleanup;
	worst = alerts_worst(rep, nrep);
	err = o.json ? render_alerts_json(stdout, rep, nrep, worst) :
		       render_alerts_text(stdout, rep, nrep);
	if (!err && (fflush(stdout) || ferror(stdout)))
		err = -EIO;
	if (err) {
		warnx_("writing to stdout failed: %s", strerror(-err));
		goto cleanup;
	}
	{
		struct culprit_map_stats ms;

		culprit_map_stats(a.map, &ms);
		info("sock_diag: %llu queries, %.1f ms in the last round; TIME_WAIT owners: "
		     "%.1f ms; inode map: "
		     "%llu walks of /proc/PID/fd, the last %.1f ms (%llu fds, %zu sockets, "
		     "%llu processes of other namespaces skipped%s)",
		     (unsigned long long)a.lookups, a.last_lookup_s * 1e3,
		     a.last_owner_s * 1e3, (unsigned long long)ms.rebuilds, ms.last_walk_ns / 1e6,
		     (unsigned long long)ms.fds_seen, ms.entries,
		     (unsigned long long)ms.procs_skipped,
		     ms.truncated ? ", truncated" : "");
	}
	ret = worst == ALERT_CRITICAL ? 2 : worst == ALERT_WARNING ? 1 : 0;
cleanup:
	free(rep);
	alerts_free(&a);
	if (have_fds)
		collector_close(&fds);
	ts_source_close(&src);
	netns_table_free(&netns);
	return ret;
}
