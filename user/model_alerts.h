/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * model_alerts.h - alert rules: observations -> alert levels, with
 * hysteresis and hold times. Pure: no I/O, no clock (the caller passes
 * now), unit-tested (selftests/unit/alerts_test.c).
 *
 * An observation is one figure of one subject: a namespace's TIME_WAIT
 * count, a listener's accept-queue ratio, a destination's share of the
 * port range. The figures that come from the snapshot are made here
 * (alerts_observe_netns(), O(1) of the socket count); those that need
 * sockets (listeners, destinations, the oldest CLOSE_WAIT) are made by the
 * caller from sock_diag rows and passed in.
 */
#ifndef __TCPSTATE_MODEL_ALERTS_H
#define __TCPSTATE_MODEL_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "source.h"

enum alert_kind {
	ALERT_TIME_WAIT_COUNT,
	ALERT_TIME_WAIT_GROWTH,
	ALERT_CLOSE_WAIT_COUNT,
	ALERT_CLOSE_WAIT_AGE,
	ALERT_ACCEPT_QUEUE,
	ALERT_PORT_USE,
	ALERT_NKINDS
};

enum alert_level {
	ALERT_OK,
	ALERT_WARNING,
	ALERT_CRITICAL,
};

/* "time_wait_count", ... (the config key and the metric's alert label). */
const char *alert_kind_name(int kind);
/* "ok", "warning", "critical". */
const char *alert_level_name(int level);

/* A threshold pair; a warning of 0 turns the alert off. */
struct alert_threshold {
	double warning, critical;	/* critical 0: no critical level */
};

struct alert_rules {
	struct alert_threshold th[ALERT_NKINDS];
	/*
	 * A fired level holds until the value falls below
	 * threshold * (1 - hysteresis).
	 */
	double hysteresis;
	/* A change of level must hold this long (seconds) to be taken. */
	double hold_s;
	/* time_wait_growth: the window its rate is measured over (seconds). */
	double growth_window_s;
};

#define ALERT_SUBJECT_LEN	96

/* One figure of one subject. */
struct alert_obs {
	int kind;			/* enum alert_kind */
	__u32 netns;			/* inode of the namespace */
	char subject[ALERT_SUBJECT_LEN];	/* "" for the namespace itself */
	double value;			/* compared with the thresholds */
	double count;			/* the sockets behind it */
	double limit;			/* what value divides by (0: none) */
	double at;			/* when it was measured, if before now (0: now) */
};

#define ALERT_HISTORY	64	/* samples kept for the growth window */

/* One subject's alert state. */
struct alert_state {
	struct alert_obs obs;		/* the last observation */
	int level;			/* the level in force */
	int pending;			/* the level waiting out the hold time */
	double pending_since;
	double since;			/* when level was taken */
	double seen;			/* last observed (s) */
	double rate;			/* count per second, last two observations */
	double eta_s;			/* port_use: seconds to the limit; -1: never */
	double prev_count, prev_t;	/* the observation before */
	bool prev_valid;
};

/* What changed on an update. */
struct alert_event {
	struct alert_state st;		/* after the change */
	int old_level;
};

struct alert_table;

/* At most max subjects are tracked (further ones are counted, dropped). */
struct alert_table *alert_table_new(size_t max);
void alert_table_free(struct alert_table *t);

/*
 * Applies one round of observations at now (seconds, monotonic). A
 * subject tracked but not observed in the round is observed as 0 (its
 * sockets are gone). Fills ev (at most max_ev) with the level changes;
 * returns their number. A subject at ok is tracked only within the
 * hysteresis band of its warning (port use: from half of it, for its
 * rate); back at ok and out of it, it is forgotten.
 */
int alert_table_update(struct alert_table *t, const struct alert_rules *r,
		       const struct alert_obs *obs, size_t nobs, double now,
		       struct alert_event *ev, size_t max_ev);

/* The subjects at warning or critical, in table order. */
size_t alert_table_active(const struct alert_table *t, const struct alert_state **out,
			  size_t max);
/* Observations dropped because the table was full, since it was made. */
__u64 alert_table_dropped(const struct alert_table *t);

/*
 * The namespace-wide observations of one snapshot entry: time_wait_count,
 * close_wait_count, and time_wait_growth, for which hist keeps the
 * namespace's TIME_WAIT counts over the window (the caller keeps one per
 * namespace, zeroed at first). Returns how many were written to obs
 * (at most 3).
 */
struct alert_growth {
	__u32 netns;
	size_t n, head;
	double t[ALERT_HISTORY];
	double v[ALERT_HISTORY];
};
size_t alerts_observe_netns(const struct ts_netns *ns, const struct alert_rules *r,
			    struct alert_growth *hist, double now, struct alert_obs *obs);

/* Sockets of a namespace that hold a local port (all live but LISTEN). */
__u64 alerts_port_holders(const struct ts_netns *ns);
/* Size of the namespace's ephemeral range (0 when unknown). */
__u32 alerts_port_range(const struct ts_limits *lim);

/*
 * What a namespace's last port lookup found: when, what it cost (seconds
 * of wall time), the most ports one destination held, the ephemeral
 * range then, and the namespace's opens then (alerts_port_opens).
 */
struct alert_ports_seen {
	bool valid;
	double at, cost;
	double max;
	__u32 range;
	__u64 opens;
};

/* Connections that took a port: close -> syn_sent and listen -> syn_recv. */
__u64 alerts_port_opens(const struct ts_netns *ns);

/*
 * A namespace's sockets are looked up for an alert (its port holders, its
 * CLOSE_WAIT sockets) no more often than makes each kind of lookup
 * ALERT_LOOKUP_SHARE of the time (a lookup of 300 ms, a million sockets,
 * stands for 60 s), and at least every ALERT_LOOKUP_MAX_AGE; by tcpstated
 * and top. `tcpstate alerts` measures its two rounds.
 */
#define ALERT_LOOKUP_SHARE	0.005
#define ALERT_LOOKUP_MAX_AGE	60.0
/*
 * The culprits named for an alert in force stand likewise, for at least
 * alert_culprit_refresh and at most this (user/alert_cache.h).
 */
#define ALERT_CULPRIT_MAX_AGE	300.0

/*
 * Whether a lookup made at `at` that cost `cost` seconds stands at now:
 * younger than cost / share, and than ALERT_LOOKUP_MAX_AGE (share 0:
 * never). No when the clock went back.
 */
bool alerts_lookup_stands(double at, double cost, double now, double share);

/*
 * Whether the port observations of the lookup seen may stand for a new
 * one at now: while younger than its cost allows (share of the time, 0:
 * not by age;
 * kept observations carry their time, so rates are made from measurements
 * only), and at any age while no destination can have come within reach
 * of the table (half the warning, where port use is tracked for its
 * rate): each open takes at most one port, so a destination holds at
 * most seen->max plus the opens since. No when the range changed, the
 * counters went back or the clock did.
 */
bool alerts_ports_still_valid(const struct alert_ports_seen *seen,
			      const struct ts_netns *ns, const struct alert_rules *r,
			      double now, double share);

/*
 * Whether a namespace needs a socket lookup for an alert: there can be
 * no listener or destination over the threshold (with hysteresis) when
 * the counts of the snapshot say so. O(1). For port use, bound is the
 * snapshot's port_bound (-1: none): while it is below half the warning,
 * no destination can be where its use is tracked (observe_ports).
 */
bool alerts_need_port_lookup(const struct ts_netns *ns, const struct alert_rules *r,
			     bool active, __s64 bound);
/*
 * Whether the namespace's port holders (all of them, as if one
 * destination held them) reach the port warning: only then can a bound
 * on the ports per destination spare a lookup.
 */
bool alerts_port_holders_may_warn(const struct ts_netns *ns, const struct alert_rules *r);
bool alerts_need_close_wait_lookup(const struct ts_netns *ns, const struct alert_rules *r);

/*
 * The latest moment all of a namespace's CLOSE_WAIT sockets were known: a
 * complete lookup of them (oldest: the largest age among them, seconds)
 * or a snapshot that counted none (oldest 0).
 */
struct alert_cw_ref {
	bool valid;
	double at, oldest;
};

/*
 * Whether no CLOSE_WAIT socket of the namespace can be old enough for the
 * age alert at now (its warning, less hysteresis), so that no lookup is
 * needed: a socket's age is the time since the last ACK it received
 * (sock_diag's tcpi_last_ack_recv), and the segment that brought its FIN
 * carried one (tcp_ack() stamps every ACK that is not older than
 * snd_una), so it ages at most as fast as time passes and is at most the
 * time since it entered CLOSE_WAIT. One in CLOSE_WAIT at ref->at is now
 * at most ref->oldest plus the time since; one that entered since, at
 * most the time since.
 */
bool alerts_close_wait_young(const struct alert_cw_ref *ref, const struct alert_rules *r,
			     double now);

/* The one-line hints for an alert kind, NULL-terminated. */
const char *const *alert_hints(int kind);

#endif /* __TCPSTATE_MODEL_ALERTS_H */
