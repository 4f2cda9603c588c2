// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * prom_render.c - prints a struct prom_model in the Prometheus text
 * exposition format (version 0.0.4): # HELP and # TYPE once per family,
 * before its first sample (a family with no sample is left out), label
 * values escaped, no timestamps. Nothing is computed here beyond
 * formatting; model_prom.c holds the computations.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include "model_prom.h"
#include "states.h"

struct family {
	const char *name, *type, *help;
	bool started;
};

#define FAMILY(n, t, h)	{ .name = (n), .type = (t), .help = (h) }

/* The text after # HELP: backslash and newline escaped. */
static void put_help(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* A label value: backslash, double quote and newline escaped. */
static void put_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/*
 * Starts a sample of fam: its header first if this is its first sample,
 * then the name (with suffix) and labels, given as NULL-ended
 * name, value pairs. The caller prints the value and the newline.
 */
static void sample(FILE *f, struct family *fam, const char *suffix,
		   const char *const *labels)
{
	if (!fam->started) {
		fprintf(f, "# HELP %s ", fam->name);
		put_help(f, fam->help);
		fprintf(f, "\n# TYPE %s %s\n", fam->name, fam->type);
		fam->started = true;
	}
	fprintf(f, "%s%s", fam->name, suffix ? suffix : "");
	if (!labels || !labels[0]) {
		fputc(' ', f);
		return;
	}
	fputc('{', f);
	for (size_t i = 0; labels[i]; i += 2) {
		fprintf(f, "%s%s=\"", i ? "," : "", labels[i]);
		put_value(f, labels[i + 1]);
		fputc('"', f);
	}
	fputs("} ", f);
}

static void u64_sample(FILE *f, struct family *fam, const char *const *labels, __u64 v)
{
	sample(f, fam, NULL, labels);
	fprintf(f, "%" PRIu64 "\n", (uint64_t)v);
}

static void s64_sample(FILE *f, struct family *fam, const char *const *labels, __s64 v)
{
	sample(f, fam, NULL, labels);
	fprintf(f, "%" PRId64 "\n", (int64_t)v);
}

/*
 * One histogram: labels are the series' own, with a free pair at the
 * end for le (labels[nr] = "le", labels[nr + 1] = bound, then NULL).
 */
static void histogram(FILE *f, struct family *fam, const struct prom_model *m,
		      const struct prom_hist *h, const char **labels, size_t nr)
{
	labels[nr] = "le";
	labels[nr + 2] = NULL;
	for (size_t k = 0; k < PROM_NR_LE; k++) {
		labels[nr + 1] = m->le[k];
		sample(f, fam, "_bucket", labels);
		fprintf(f, "%" PRIu64 "\n", (uint64_t)h->cum[k]);
	}
	labels[nr + 1] = "+Inf";
	sample(f, fam, "_bucket", labels);
	fprintf(f, "%" PRIu64 "\n", (uint64_t)h->count);
	labels[nr] = NULL;
	sample(f, fam, "_sum", labels);
	fprintf(f, "%.15g\n", h->sum_s);
	sample(f, fam, "_count", labels);
	fprintf(f, "%" PRIu64 "\n", (uint64_t)h->count);
}

static void render_netns(FILE *f, const struct prom_model *m)
{
	struct family sockets = FAMILY("tcpstate_sockets", "gauge",
		"TCP sockets in each state (request sockets in syn_recv), per network namespace.");
	struct family trans = FAMILY("tcpstate_transitions_total", "counter",
		"TCP state transitions from one state to another since the collector started.");
	struct family dur = FAMILY("tcpstate_state_duration_seconds", "histogram",
		"Time sockets spent in a state, observed when they left it (log2 buckets; _sum estimated).");
	struct family life = FAMILY("tcpstate_connection_duration_seconds", "histogram",
		"Connection lifetime from SYN_SENT/SYN_RECV to CLOSE (log2 buckets; _sum estimated).");
	const char *l[8];

	for (size_t i = 0; i < m->nr_netns; i++)
		for (size_t s = 0; s < m->netns[i].nr_states; s++) {
			const char *lv[] = { "netns", m->netns[i].netns,
					     "state", m->netns[i].states[s].name, NULL };

			s64_sample(f, &sockets, lv, m->netns[i].states[s].sockets);
		}
	for (size_t i = 0; i < m->nr_transitions; i++) {
		const struct prom_transition *t = &m->transitions[i];
		const char *lv[] = { "netns", m->netns[t->ns].netns, "from", t->from,
				     "to", t->to, NULL };

		u64_sample(f, &trans, lv, t->count);
	}
	for (size_t i = 0; i < m->nr_netns; i++)
		for (size_t s = 0; s < m->netns[i].nr_states; s++) {
			if (!m->netns[i].states[s].duration.count)
				continue;	/* never left: no series */
			l[0] = "netns";
			l[1] = m->netns[i].netns;
			l[2] = "state";
			l[3] = m->netns[i].states[s].name;
			histogram(f, &dur, m, &m->netns[i].states[s].duration, l, 4);
		}
	for (size_t i = 0; i < m->nr_netns; i++) {
		l[0] = "netns";
		l[1] = m->netns[i].netns;
		histogram(f, &life, m, &m->netns[i].lifetime, l, 2);
	}
}

static void render_check(FILE *f, const struct prom_model *m)
{
	struct family drifts = FAMILY("tcpstate_kernel_check_drifts_total", "counter",
		"Persistent differences found between the collector's counts and /proc/net/sockstat.");
	struct family repairs = FAMILY("tcpstate_kernel_check_repairs_total", "counter",
		"Re-counts of a namespace from its sockets after a drift.");
	struct family kern = FAMILY("tcpstate_kernel_sockets", "gauge",
		"The kernel's own TCP socket counts (/proc/net/sockstat: full = TCP+TCP6 inuse, timewait = tw), as compared on this read.");

	for (size_t i = 0; i < m->nr_netns; i++) {
		const struct prom_netns *n = &m->netns[i];
		const char *lv[] = { "netns", n->netns, NULL };

		if (!n->check_done)
			continue;
		u64_sample(f, &drifts, lv, n->drifts);
	}
	for (size_t i = 0; i < m->nr_netns; i++) {
		const struct prom_netns *n = &m->netns[i];
		const char *lv[] = { "netns", n->netns, NULL };

		if (n->check_done)
			u64_sample(f, &repairs, lv, n->repairs);
	}
	for (size_t i = 0; i < m->nr_netns; i++) {
		const struct prom_netns *n = &m->netns[i];
		const char *full[] = { "netns", n->netns, "kind", "full", NULL };
		const char *tw[] = { "netns", n->netns, "kind", "timewait", NULL };

		if (!n->check_done)
			continue;
		s64_sample(f, &kern, full, n->kern_full);
		s64_sample(f, &kern, tw, n->kern_tw);
	}
}

static void render_limits(FILE *f, const struct prom_model *m)
{
	struct family ports = FAMILY("tcpstate_limit_local_ports", "gauge",
		"Size of net.ipv4.ip_local_port_range in the namespace (hi - lo + 1).");
	struct family tw = FAMILY("tcpstate_limit_max_tw_buckets", "gauge",
		"net.ipv4.tcp_max_tw_buckets in the namespace.");
	struct family fin = FAMILY("tcpstate_limit_fin_timeout_seconds", "gauge",
		"net.ipv4.tcp_fin_timeout in the namespace.");

	for (size_t i = 0; i < m->nr_netns; i++) {
		const char *lv[] = { "netns", m->netns[i].netns, NULL };

		if (m->netns[i].limits_known)
			u64_sample(f, &ports, lv, m->netns[i].local_ports);
	}
	for (size_t i = 0; i < m->nr_netns; i++) {
		const char *lv[] = { "netns", m->netns[i].netns, NULL };

		if (m->netns[i].limits_known)
			u64_sample(f, &tw, lv, m->netns[i].max_tw_buckets);
	}
	for (size_t i = 0; i < m->nr_netns; i++) {
		const char *lv[] = { "netns", m->netns[i].netns, NULL };

		if (m->netns[i].limits_known)
			u64_sample(f, &fin, lv, m->netns[i].fin_timeout_s);
	}
}

static void render_health(FILE *f, const struct prom_model *m)
{
	struct family errors = FAMILY("tcpstate_collector_errors_total", "counter",
		"Collector faults by kind (each something that would otherwise be silently wrong).");
	struct family missed = FAMILY("tcpstate_events_missed_total", "counter",
		"State-change events the kernel did not deliver to the collector.");
	struct family recovered = FAMILY("tcpstate_events_recovered_total", "counter",
		"BPF: state events skipped by the first program and applied by its twin.");
	struct family neg = FAMILY("tcpstate_negative_counts", "gauge",
		"Live counts that summed below zero on this read (a collector fault), exported as 0.");
	struct family counting = FAMILY("tcpstate_collector_counting_seconds", "gauge",
		"How long the collector has been counting.");
	struct family nsdrop = FAMILY("tcpstate_export_netns_dropped", "gauge",
		"Network namespaces left out of this export by the namespace cap.");
	struct family trdrop = FAMILY("tcpstate_export_transitions_dropped", "gauge",
		"tcpstate_transitions_total series left out of this export by the transition cap.");
	struct family build = FAMILY("tcpstate_build_info", "gauge",
		"The tcpstate version that wrote these metrics and the collector read; always 1.");

	for (int e = 0; e < TCPSTATE_NERRORS; e++) {
		const char *lv[] = { "error", error_name(e), NULL };

		u64_sample(f, &errors, lv, m->errors[e]);
	}
	u64_sample(f, &missed, NULL, m->events_missed);
	u64_sample(f, &recovered, NULL, m->events_recovered);
	u64_sample(f, &neg, NULL, m->negative_counts);
	if (m->counting_known) {
		sample(f, &counting, NULL, NULL);
		fprintf(f, "%.3f\n", m->counting_s);
	}
	render_check(f, m);
	render_limits(f, m);
	u64_sample(f, &nsdrop, NULL, m->netns_dropped);
	u64_sample(f, &trdrop, NULL, m->transitions_dropped);
	{
		const char *lv[] = { "version", m->version, "source", m->source, NULL };

		u64_sample(f, &build, lv, 1);
	}
}

int prom_render_model(FILE *f, const struct prom_model *m)
{
	errno = 0;
	render_netns(f, m);
	render_health(f, m);
	if (ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}

int prom_render(FILE *f, const struct ts_snapshot *snap, const struct prom_opts *o)
{
	struct prom_model m;
	int err;

	err = prom_model_build(&m, snap, o);
	if (err)
		return err;
	err = prom_render_model(f, &m);
	prom_model_free(&m);
	return err;
}

int prom_render_alerts(FILE *f, const struct prom_alert *a, size_t n, __u64 dropped)
{
	struct family active = FAMILY("tcpstate_alert_active", "gauge",
		"1 for each alert in force (tcpstate alerts), by alert, namespace, subject "
		"(a listener or a destination, empty for the namespace) and level.");
	struct family drop = FAMILY("tcpstate_alert_series_dropped", "gauge",
		"Alerts in force left out of tcpstate_alert_active (over max_series).");

	for (size_t i = 0; i < n; i++) {
		const char *labels[] = { "alert", a[i].alert, "netns", a[i].netns,
					 "netns_name", a[i].netns_name, "subject", a[i].subject,
					 "level", a[i].level, NULL };

		u64_sample(f, &active, labels, 1);
	}
	u64_sample(f, &drop, NULL, dropped);
	return ferror(f) ? -EIO : 0;
}
