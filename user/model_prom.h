/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * model_prom.h - the Prometheus model: a snapshot as the series
 * prom_render.c prints, every computation done (cumulative buckets,
 * seconds, the series caps), nothing left but formatting.
 */
#ifndef __TCPSTATE_MODEL_PROM_H
#define __TCPSTATE_MODEL_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "prom.h"
#include "source.h"

/* Finite buckets: one per slot but the open-ended last, which is +Inf. */
#define PROM_NR_LE	(TCPSTATE_HIST_SLOTS - 1)
#define PROM_LABEL_MAX	24

/*
 * A classic histogram: cum[k] observations <= le[k] seconds (k <
 * PROM_NR_LE; the bounds are prom_model.le[]), count the +Inf bucket
 * and _count. sum_s estimates the
 * _sum from the log2 slots (Documentation/metrics.rst): every observation
 * at its slot's midpoint, those of the open-ended slot at its lower bound.
 */
struct prom_hist {
	__u64 cum[PROM_NR_LE];
	__u64 count;
	double sum_s;
};

struct prom_state {
	const char *name;		/* "time_wait" */
	__s64 sockets;
	/*
	 * Exported only once the state has been left (duration.count): a
	 * namespace has a duration series for each state with an
	 * observation, not ten.
	 */
	struct prom_hist duration;
};

struct prom_netns {
	char netns[PROM_LABEL_MAX];	/* the inode number, in decimal */
	size_t nr_states;
	struct prom_state states[TCPSTATE_NSTATES];
	struct prom_hist lifetime;
	bool check_done;		/* compared with the kernel on this read */
	__s64 kern_full, kern_tw;
	__u64 drifts, repairs;
	bool limits_known;
	__u64 local_ports;		/* ip_local_port_range: hi - lo + 1 */
	__u64 max_tw_buckets;
	__u64 fin_timeout_s;
};

struct prom_transition {
	size_t ns;			/* index into prom_model.netns */
	char from[PROM_LABEL_MAX], to[PROM_LABEL_MAX];
	__u64 count;
};

struct prom_model {
	const char *version, *source;
	char le[PROM_NR_LE][PROM_LABEL_MAX];	/* bucket bounds, exact seconds */
	size_t nr_netns;
	struct prom_netns *netns;
	size_t nr_transitions;
	struct prom_transition *transitions;
	__u64 errors[TCPSTATE_NERRORS];
	__u64 events_missed, events_recovered;
	__u64 negative_counts;
	bool counting_known;
	double counting_s;
	__u64 netns_dropped;		/* namespaces over max_netns */
	__u64 transitions_dropped;	/* transition series over max_transitions */
};

/* Builds m from snap; 0 or -ENOMEM. o may be NULL (the defaults). */
int prom_model_build(struct prom_model *m, const struct ts_snapshot *snap,
		     const struct prom_opts *o);
void prom_model_free(struct prom_model *m);

/*
 * One alert in force, as tcpstate_alert_active{alert,netns,netns_name,
 * subject,level} 1 (Documentation/alerts.rst).
 */
struct prom_alert {
	const char *alert;		/* "close_wait_count" */
	char netns[PROM_LABEL_MAX];	/* the inode number, in decimal */
	const char *netns_name;		/* "" when it has none */
	const char *subject;		/* "" for the namespace; a listener, a destination */
	const char *level;		/* "warning" or "critical" */
};

/*
 * Prints the alert families: n active alerts (the caller caps them; what
 * it left out is dropped, exported as tcpstate_alert_series_dropped).
 * 0, or -errno of a write error.
 */
int prom_render_alerts(FILE *f, const struct prom_alert *a, size_t n, __u64 dropped);

/* Prints m; 0, or -errno of a write error. */
int prom_render_model(FILE *f, const struct prom_model *m);

#endif /* __TCPSTATE_MODEL_PROM_H */
