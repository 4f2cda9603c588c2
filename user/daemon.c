// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * daemon.c - tcpstated's loop.
 *
 * Signals only set flags; the loop sleeps in ppoll() with them unblocked,
 * so none is missed between a check and the sleep. Every interval: read a
 * snapshot of every namespace, write <textfile_dir>/tcpstate.prom
 * (textfile_write: temp file, fsync, rename) with prom_render plus the
 * daemon's own families. A failed read, or a BPF collector replaced under
 * us (tcpstate unload; tcpstate load), closes the source; it is re-opened
 * with backoff and the gap is logged and counted. A failed write keeps
 * the previous file, is logged once per distinct error and counted.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <systemd/sd-daemon.h>
#include "clock.h"
#include "alerts.h"
#include "cli.h"
#include "config.h"
#include "daemon.h"
#include "hook.h"
#include "loader.h"
#include "log.h"
#include "model_prom.h"
#include "netns_table.h"
#include "prom.h"
#include "prune.h"
#include "render_alerts.h"
#include "sockdiag.h"
#include "source.h"
#include "textfile.h"
#include "version.h"

#define BACKOFF_MIN	0.25	/* seconds before the first re-open */
#define BACKOFF_MAX	30.0

static volatile sig_atomic_t reload_requested;

struct daemon {
	const struct daemon_opts *o;
	struct tsd_config cfg;
	struct ts_source src;
	bool connected;
	const char *src_name;		/* what src is: "bpf" or "module" */
	struct collector_fds fds;	/* BPF: identity and pruning */
	struct prune_state prune;	/* dead at the last prune */
	bool have_fds;
	__u32 prog_id;			/* BPF: the set_state program we read */
	struct ts_snapshot snap;
	bool have_snap;
	struct netns_table netns;	/* the namespaces, kept between reads */
	double next_retry, backoff, lost_at;
	char lost_why[128];
	unsigned long ticks;
	int last_write_err;		/* 0: the last write succeeded */
	bool ever_written, ready;
	bool can_prune, prune_warned;
	/* The daemon's own counters, exported with the snapshot. */
	uint64_t gaps, read_errors, open_errors, write_errors, writes;
	uint64_t reloads, reload_errors, pruned;
	/* Where the daemon's time went: re-counts, and alert lookups. */
	double recount_s, lookup_s;
	/* Alerts: the evaluation state, and the last round's reports. */
	struct alerts alerts;
	bool have_alerts;
	struct alert_report *areps;
	size_t nareps;
	uint64_t alert_fires, alert_resolves, hook_runs, hook_failures, alert_errors;
};

#define HOOKS_PER_ROUND	16	/* further changes are logged, not hooked */

static double min_d(double a, double b)
{
	return a < b ? a : b;
}

static void on_exit_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	reload_requested = 1;
}

/* Blocks the three signals (see wait_until()); *old is the mask to sleep with. */
static void setup_signals(sigset_t *old)
{
	struct sigaction sa = { .sa_handler = on_exit_signal };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, old);
}

/* Sleeps until the monotonic time t, or a signal. */
static void wait_until(double t, const sigset_t *mask)
{
	double d = t - mono_s();
	struct timespec ts;

	if (d <= 0)
		return;
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - ts.tv_sec) * 1e9);
	ppoll(NULL, 0, &ts, mask);
}

/* The file, then the command line over it. 0, or -errno with err. */
static int config_read(const struct daemon_opts *o, struct tsd_config *cfg,
		       char *err, size_t errlen)
{
	char msg[512];
	int ret;

	config_defaults(cfg);
	ret = config_load(o->config, cfg, err, errlen);
	if (ret == -ENOENT && !o->config_explicit)
		ret = 0;	/* the default file is optional */
	if (ret)
		return ret;
	for (size_t i = 0; i < o->nr_set; i++) {
		ret = config_set(cfg, o->set[i].key, o->set[i].value, msg, sizeof(msg));
		if (ret) {
			snprintf(err, errlen, "--%s", msg);
			for (char *p = err + 2; *p && *p != ':'; p++)
				if (*p == '_')
					*p = '-';
			return ret;
		}
	}
	return 0;
}

/* ---- the BPF collector's identity ------------------------------------ */

static __u32 prog_id_of(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

/* Whether some link still attaches program id (ours is not unloaded). */
static bool prog_attached(__u32 id)
{
	__u32 link_id = 0;

	while (!bpf_link_get_next_id(link_id, &link_id)) {
		struct bpf_link_info li = {};
		__u32 len = sizeof(li);
		int fd = bpf_link_get_fd_by_id(link_id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &li, &len) && li.prog_id == id) {
			close(fd);
			return true;
		}
		close(fd);
	}
	return false;
}

/* ---- connecting ------------------------------------------------------- */

static void disconnect(struct daemon *d, const char *why)
{
	if (d->have_fds)
		collector_close(&d->fds);
	d->have_fds = false;
	prune_state_free(&d->prune);
	if (d->connected)
		ts_source_close(&d->src);
	d->connected = false;
	d->gaps++;
	d->lost_at = mono_s();
	d->next_retry = d->lost_at;
	d->backoff = BACKOFF_MIN;
	snprintf(d->lost_why, sizeof(d->lost_why), "%s", why);
	log_warn("source %s lost (%s): the metrics have a gap; reconnecting",
		 d->src_name ? d->src_name : d->cfg.source, why);
}

static int connect_source(struct daemon *d)
{
	int err;

	err = ts_source_open(&d->src, d->cfg.source);
	if (err)
		return err;
	d->connected = true;
	d->src_name = d->src.ops->name;
	if (!strcmp(d->src_name, "bpf")) {
		err = collector_open(&d->fds);
		if (err) {
			ts_source_close(&d->src);
			d->connected = false;
			return err;
		}
		d->have_fds = true;
		d->prog_id = prog_id_of(d->fds.set_state);
	}
	return 0;
}

/* Tries to (re)connect when it is time; logs the first failure of a gap. */
static void try_connect(struct daemon *d)
{
	double t = mono_s();
	int err;

	if (d->connected || t < d->next_retry)
		return;
	/* The sources' own messages only on the first failure of a gap. */
	log_mute(d->backoff > BACKOFF_MIN);
	err = connect_source(d);
	log_mute(false);
	if (err) {
		if (d->backoff <= BACKOFF_MIN)
			log_err("cannot open source %s: %s; retrying with backoff "
				"(at most every %.0f s)", d->cfg.source, strerror(-err),
				BACKOFF_MAX);
		d->open_errors++;
		d->next_retry = t + d->backoff;
		d->backoff = min_d(d->backoff * 2, BACKOFF_MAX);
		return;
	}
	if (d->lost_at > 0)
		log_notice("source %s back after a gap of %.1f s (%s)", d->src_name,
			   t - d->lost_at, d->lost_why);
	else
		log_info("reading source %s", d->src_name);
	d->lost_at = 0;
	d->backoff = BACKOFF_MIN;
}

/* Loads the BPF collector when neither collector is there (at start only). */
static void ensure_collector(struct daemon *d)
{
	struct load_opts lo = { .mode = ATTACH_AUTO, .sk_slots = LOAD_SK_SLOTS_DEFAULT,
				.netns_slots = LOAD_NETNS_SLOTS_AUTO };
	int err;

	if (!strcmp(d->cfg.source, "module"))
		return;
	if (!strcmp(d->cfg.source, "auto") && !ts_source_module.probe())
		return;
	if (collector_loaded()) {
		log_info("reusing the loaded BPF collector");
		return;
	}
	err = collector_load(&lo);
	if (err && err != -EEXIST)
		log_err("cannot load the BPF collector: %s", strerror(-err));
	else if (!err)
		log_notice("loaded the BPF collector (%s), pinned at %s",
			   collector_attach_kind(), PIN_DIR);
}

/* ---- one interval ----------------------------------------------------- */

static void read_snapshot(struct daemon *d)
{
	int err;

	if (d->have_snap)
		ts_snapshot_free(&d->snap);
	d->have_snap = false;
	try_connect(d);
	if (!d->connected)
		return;
	if (d->have_fds && !prog_attached(d->prog_id)) {
		disconnect(d, "the BPF collector was unloaded or replaced");
		try_connect(d);
		if (!d->connected)
			return;
	}
	err = netns_table_update(&d->netns, mono_s());
	if (err == -EIO) {
		log_err("cannot return to the daemon's own namespace: stopping");
		exiting = 1;
		return;
	}
	if (err)	/* read with the namespaces known so far */
		log_warn("listing the namespaces: %s", strerror(-err));
	d->src.netns = &d->netns;
	err = ts_source_read(&d->src, &d->snap, TS_READ_ALL_NETNS);
	if (err) {
		char why[96];

		d->read_errors++;
		snprintf(why, sizeof(why), "read: %s", strerror(-err));
		disconnect(d, why);
		try_connect(d);
		if (!d->connected)
			return;
		d->src.netns = &d->netns;
		err = ts_source_read(&d->src, &d->snap, TS_READ_ALL_NETNS);
		if (err) {
			d->read_errors++;
			return;
		}
	}
	d->have_snap = true;
	for (size_t i = 0; i < d->snap.nr_netns; i++)
		d->recount_s += d->snap.netns[i].check.repair_s;
	err = netns_table_fill_limits(&d->netns, &d->snap, mono_s());
	if (err == -EIO) {
		log_err("cannot return to the daemon's own namespace: stopping");
		exiting = 1;
	}
	if (d->have_alerts && alerts_need_port_bound(&d->alerts, &d->snap)) {
		err = ts_source_port_bound(&d->src, &d->snap);
		if (err && err != -ENOENT)	/* without it, lookups decide */
			log_warn("reading the ports per destination: %s", strerror(-err));
	}
}

/* ---- alerts ---------------------------------------------------------- */

/* The hook's environment: the alert and its first culprit. */
static void run_hook(struct daemon *d, const struct alert_report *r, const char *line)
{
	const struct alert_culprit *c = r->nculprits ? &r->culprits[0] : NULL;
	char v[16][1100], *env[17];
	char peer[64] = "";
	size_t n = 0;
	int status, err;

#define ENV(...) snprintf(v[n], sizeof(v[n]), __VA_ARGS__), env[n] = v[n], n++
	ENV("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	ENV("TCPSTATE_ALERT=%s", alert_kind_name(r->st.obs.kind));
	ENV("TCPSTATE_ALERT_STATE=%s", r->st.level == ALERT_OK ? "resolved" : "firing");
	ENV("TCPSTATE_ALERT_LEVEL=%s", alert_level_name(r->st.level));
	ENV("TCPSTATE_ALERT_NETNS=%u", r->st.obs.netns);
	ENV("TCPSTATE_ALERT_NETNS_NAME=%s", r->netns_name);
	ENV("TCPSTATE_ALERT_SUBJECT=%s", r->st.obs.subject);
	ENV("TCPSTATE_ALERT_VALUE=%g", r->st.obs.value);
	ENV("TCPSTATE_ALERT_TEXT=%s", line);
	if (c) {
		sockdiag_addr_str(c->g.sample.family, c->g.sample.daddr, c->g.sample.dport,
				  peer, sizeof(peer));
		ENV("TCPSTATE_CULPRIT_PID=%d", (int)c->proc.pid);
		ENV("TCPSTATE_CULPRIT_COMM=%s", c->proc.comm);
		ENV("TCPSTATE_CULPRIT_CMDLINE=%s", c->proc.cmdline);
		ENV("TCPSTATE_CULPRIT_CGROUP=%s", c->proc.cgroup);
		ENV("TCPSTATE_CULPRIT_LOCAL_PORT=%u", c->g.sample.sport);
		ENV("TCPSTATE_CULPRIT_PEER=%s", peer);
		ENV("TCPSTATE_CULPRIT_AGE_SECONDS=%.0f",
		    c->g.oldest_ms >= 0 ? c->g.oldest_ms / 1000.0 : 0.0);
	}
#undef ENV
	env[n] = NULL;
	d->hook_runs++;
	err = hook_run(d->cfg.alert_hook, env, (unsigned int)d->cfg.alert_hook_timeout, &status);
	if (!err)
		return;
	d->hook_failures++;
	if (err == -ETIME)
		log_warn("alert hook %s killed after %lu s", d->cfg.alert_hook,
			 d->cfg.alert_hook_timeout);
	else if (err == -ECHILD)
		log_warn("alert hook %s failed (%s %d)", d->cfg.alert_hook,
			 WIFEXITED(status) ? "exit" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	else
		log_warn("alert hook %s cannot run: %s", d->cfg.alert_hook, strerror(-err));
}

static void evaluate_alerts(struct daemon *d)
{
	char line[1024];
	size_t hooks = 0;
	int err;

	free(d->areps);
	d->areps = NULL;
	d->nareps = 0;
	if (!d->have_snap || !d->have_alerts)
		return;
	d->alerts.tw_map_fd = d->have_fds ? d->fds.timewait : -1;
	d->alerts.listeners_map_fd = d->have_fds ? d->fds.listeners : -1;
	d->alerts.netns = &d->netns;
	err = alerts_round(&d->alerts, &d->snap, mono_s(), &d->areps, &d->nareps);
	d->lookup_s += d->alerts.last_lookup_s;
	if (err) {
		d->alert_errors++;
		log_err("evaluating the alerts: %s", strerror(-err));
		if (err == -ENOTRECOVERABLE)
			exiting = 1;	/* outside our own namespace: stop */
		return;
	}
	for (size_t i = 0; i < d->nareps; i++) {
		const struct alert_report *r = &d->areps[i];

		if (!r->changed)
			continue;
		render_alert_line(r, line, sizeof(line));
		log_warn("%s", line);
		if (r->st.level == ALERT_OK)
			d->alert_resolves++;
		else
			d->alert_fires++;
		if (d->cfg.alert_hook[0] && hooks++ < HOOKS_PER_ROUND)
			run_hook(d, r, line);
	}
}

static int fill_alerts(FILE *f, struct daemon *d)
{
	size_t n = 0, max = d->cfg.max_series;
	struct prom_alert *pa;
	__u64 dropped = 0;
	int err;

	pa = calloc(d->nareps ? d->nareps : 1, sizeof(*pa));
	if (!pa)
		return -ENOMEM;
	for (size_t i = 0; i < d->nareps; i++) {
		const struct alert_report *r = &d->areps[i];

		if (r->st.level == ALERT_OK)
			continue;
		if (n == max) {
			dropped++;
			continue;
		}
		pa[n].alert = alert_kind_name(r->st.obs.kind);
		snprintf(pa[n].netns, sizeof(pa[n].netns), "%u", r->st.obs.netns);
		pa[n].netns_name = r->netns_name;
		pa[n].subject = r->st.obs.subject;
		pa[n].level = alert_level_name(r->st.level);
		n++;
	}
	err = prom_render_alerts(f, pa, n, dropped);
	free(pa);
	return err;
}

#define METRIC(f, name, type, help, fmt, ...) \
	fprintf(f, "# HELP " name " " help "\n# TYPE " name " " type "\n" \
		name " " fmt "\n", __VA_ARGS__)

static int fill(FILE *f, void *arg)
{
	struct daemon *d = arg;
	struct prom_opts po = {
		.max_netns = d->cfg.max_netns,
		.max_transitions = d->cfg.max_series,
		.version = TCPSTATE_VERSION,
	};
	int err;

	if (d->have_snap) {
		err = prom_render(f, &d->snap, &po);
		if (err)
			return err;
	}
	err = fill_alerts(f, d);
	if (err)
		return err;
	METRIC(f, "tcpstate_alert_fires_total", "counter",
	       "Alerts that fired (or changed level), each logged once.", "%" PRIu64,
	       d->alert_fires);
	METRIC(f, "tcpstate_alert_resolves_total", "counter",
	       "Alerts that resolved, each logged once.", "%" PRIu64, d->alert_resolves);
	METRIC(f, "tcpstate_alert_lookups_total", "counter",
	       "sock_diag queries made to name culprits and read listeners.", "%" PRIu64,
	       (uint64_t)d->alerts.lookups);
	METRIC(f, "tcpstate_alert_lookup_errors_total", "counter",
	       "sock_diag queries that failed (the alert stayed without culprit).", "%" PRIu64,
	       (uint64_t)d->alerts.lookup_errors);
	METRIC(f, "tcpstate_alert_lookup_seconds", "gauge",
	       "Time the last evaluation spent in sock_diag queries.", "%.6f",
	       d->alerts.last_lookup_s);
	METRIC(f, "tcpstate_alert_lookup_seconds_total", "counter",
	       "Time all evaluations spent in sock_diag queries.", "%.6f", d->lookup_s);
	METRIC(f, "tcpstate_daemon_recount_seconds_total", "counter",
	       "CPU time spent re-counting namespaces whose counts drifted from the kernel's.",
	       "%.6f", d->recount_s);
	METRIC(f, "tcpstate_daemon_netns_listings_total", "counter",
	       "Times the namespaces were listed anew (at most every 10 s, or on a change).",
	       "%" PRIu64, (uint64_t)d->netns.scans);
	METRIC(f, "tcpstate_alert_hook_runs_total", "counter",
	       "Runs of the alert hook.", "%" PRIu64, d->hook_runs);
	METRIC(f, "tcpstate_alert_hook_failures_total", "counter",
	       "Runs of the alert hook that failed or were killed at the timeout.", "%" PRIu64,
	       d->hook_failures);
	METRIC(f, "tcpstate_daemon_source_up", "gauge",
	       "1 when this file holds a snapshot read this interval, 0 in a gap.",
	       "%d", d->have_snap);
	METRIC(f, "tcpstate_daemon_source_gaps_total", "counter",
	       "Times the source was lost (read failed, collector replaced or removed).",
	       "%" PRIu64, d->gaps);
	METRIC(f, "tcpstate_daemon_source_errors_total", "counter",
	       "Failed opens and reads of the source.",
	       "%" PRIu64, d->open_errors + d->read_errors);
	METRIC(f, "tcpstate_daemon_textfile_write_errors_total", "counter",
	       "Writes of this file that failed (the previous file was kept).",
	       "%" PRIu64, d->write_errors);
	METRIC(f, "tcpstate_daemon_config_reloads_total", "counter",
	       "SIGHUP re-reads of the configuration, refused ones included.",
	       "%" PRIu64, d->reloads);
	METRIC(f, "tcpstate_daemon_config_reload_errors_total", "counter",
	       "Re-reads refused (bad file): the running configuration was kept.",
	       "%" PRIu64, d->reload_errors);
	METRIC(f, "tcpstate_daemon_netns_pruned_total", "counter",
	       "Dead namespaces whose statistics were removed from the BPF collector.",
	       "%" PRIu64, d->pruned);
	METRIC(f, "tcpstate_daemon_interval_seconds", "gauge",
	       "Seconds between two writes of this file.", "%lu", d->cfg.interval);
	return ferror(f) ? -EIO : 0;
}

static int write_textfile(struct daemon *d)
{
	char err[256] = "";
	int ret;

	ret = textfile_write(d->cfg.textfile_dir, DAEMON_TEXTFILE, fill, d, err, sizeof(err));
	if (ret) {
		d->write_errors++;
		if (ret != d->last_write_err)
			log_err("cannot write %s/%s: %s (the previous file is kept; "
				"logged again only when the error changes)",
				d->cfg.textfile_dir, DAEMON_TEXTFILE,
				*err ? err : strerror(-ret));
		d->last_write_err = ret;
		return ret;
	}
	if (d->last_write_err)
		log_notice("writing %s/%s again", d->cfg.textfile_dir, DAEMON_TEXTFILE);
	else if (!d->ever_written)
		log_info("wrote %s/%s", d->cfg.textfile_dir, DAEMON_TEXTFILE);
	d->last_write_err = 0;
	d->ever_written = true;
	d->writes++;
	return 0;
}

static void prune(struct daemon *d)
{
	char err[256] = "";
	size_t n = 0;

	if (!d->cfg.prune_every || d->ticks % d->cfg.prune_every || !d->have_fds)
		return;
	if (!d->can_prune) {
		if (!d->prune_warned)
			log_warn("not pruning dead namespaces: without CAP_SYS_PTRACE the "
				 "namespaces of other processes cannot be seen");
		d->prune_warned = true;
		return;
	}
	if (prune_dead_netns(&d->fds, &d->prune, &n, err, sizeof(err))) {
		log_warn("pruning dead namespaces: %s", err);
		return;
	}
	d->pruned += n;
	if (n)
		log_info("pruned the statistics of %zu dead network namespace%s",
			 n, n == 1 ? "" : "s");
	else
		log_debug("pruned no namespace (none dead)");
}

/*
 * Whether capability cap is effective (/proc/self/status CapEff). Without
 * CAP_SYS_PTRACE the namespaces reached only through another process's
 * /proc/PID/ns/net are invisible (measured: Documentation/daemon.rst),
 * and pruning would take them for dead.
 */
static bool cap_effective(int cap)
{
	unsigned long long eff = 0;
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			found = true;
			break;
		}
	fclose(f);
	return found && (eff >> cap & 1);
}

/* ---- SIGHUP ----------------------------------------------------------- */

static void log_changes(const struct tsd_config *a, const struct tsd_config *b)
{
	char va[PATH_MAX], vb[PATH_MAX];
	const char *k;

	for (size_t i = 0; (k = config_key_name(i)); i++) {
		config_get(a, k, va, sizeof(va));
		config_get(b, k, vb, sizeof(vb));
		if (strcmp(va, vb))
			log_notice("config: %s %s -> %s", k, va, vb);
	}
}

static void reload(struct daemon *d, double *next_tick)
{
	struct tsd_config next;
	char err[1024] = "";

	reload_requested = 0;
	d->reloads++;
	sd_notifyf(0, "RELOADING=1\nSTATUS=Reloading %s", d->o->config);
	if (config_read(d->o, &next, err, sizeof(err))) {
		d->reload_errors++;
		log_err("reload refused, keeping the running configuration: %s", err);
	} else {
		log_changes(&d->cfg, &next);
		if (strcmp(next.source, d->cfg.source) && d->connected) {
			d->cfg = next;
			disconnect(d, "source changed by reload");
		}
		if (next.interval != d->cfg.interval)
			*next_tick = mono_s() + next.interval;
		d->cfg = next;
		log_set_level(d->cfg.log_level);
		log_info("configuration re-read from %s", d->o->config);
	}
	sd_notify(0, "READY=1\nSTATUS=Running");
}

int daemon_run(const struct daemon_opts *o)
{
	struct daemon d = { .o = o, .last_write_err = 0 };
	uint64_t wd_usec = 0;
	double next_tick;
	char err[1024] = "";
	sigset_t mask;
	int ret = 0;

	if (config_read(o, &d.cfg, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	log_set_level(d.cfg.log_level);
	setup_signals(&mask);
	log_notice("tcpstated %s: source %s, %s/%s every %lu s (config %s)",
		   TCPSTATE_VERSION, d.cfg.source, d.cfg.textfile_dir, DAEMON_TEXTFILE,
		   d.cfg.interval, o->config);
	if (sd_watchdog_enabled(0, &wd_usec) > 0 && d.cfg.interval * 1000000ULL >= wd_usec / 2)
		log_warn("interval %lu s is not below half the watchdog timeout (%.0f s)",
			 d.cfg.interval, wd_usec / 1e6);
	ensure_collector(&d);
	if (alerts_init(&d.alerts, &d.cfg))
		log_err("alerts off: out of memory");
	else
		d.have_alerts = true;
	d.can_prune = cap_effective(19 /* CAP_SYS_PTRACE */);
	d.backoff = BACKOFF_MIN;
	next_tick = mono_s();
	while (!exiting) {
		if (reload_requested)
			reload(&d, &next_tick);
		try_connect(&d);
		if (mono_s() >= next_tick) {
			d.ticks++;
			read_snapshot(&d);
			evaluate_alerts(&d);
			ret = write_textfile(&d);
			if (!ret && !d.ready) {
				sd_notify(0, "READY=1\nSTATUS=Running");
				d.ready = true;
			}
			if (wd_usec)
				sd_notify(0, "WATCHDOG=1");
			if (o->once)
				break;
			prune(&d);
			next_tick += d.cfg.interval;
			if (next_tick < mono_s())
				next_tick = mono_s() + d.cfg.interval;
		}
		wait_until(d.connected ? next_tick : min_d(next_tick, d.next_retry), &mask);
	}
	sd_notify(0, "STOPPING=1");
	if (!o->once)
		log_notice("exiting (%s); the collector stays loaded", "signal");
	if (d.have_snap)
		ts_snapshot_free(&d.snap);
	free(d.areps);
	if (d.have_alerts)
		alerts_free(&d.alerts);
	if (d.have_fds)
		collector_close(&d.fds);
	prune_state_free(&d.prune);
	netns_table_free(&d.netns);
	if (d.connected)
		ts_source_close(&d.src);
	if (o->once)
		return !ret && d.have_snap ? 0 : 1;
	return 0;
}
