// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * model_alerts.c - alert levels from observations (model_alerts.h).
 *
 * Each subject moves between ok, warning and critical. A rise to a level
 * is taken once the value has been at or above that level's threshold for
 * hold_s; a fall once it has been below threshold * (1 - hysteresis) for
 * hold_s. A value that oscillates around a threshold therefore never
 * flaps: within the band it keeps the level in force, and a crossing must
 * last the hold time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model_alerts.h"

static const char *const kind_names[ALERT_NKINDS] = {
	[ALERT_TIME_WAIT_COUNT] = "time_wait_count",
	[ALERT_TIME_WAIT_GROWTH] = "time_wait_growth",
	[ALERT_CLOSE_WAIT_COUNT] = "close_wait_count",
	[ALERT_CLOSE_WAIT_AGE] = "close_wait_age_seconds",
	[ALERT_ACCEPT_QUEUE] = "accept_queue_ratio",
	[ALERT_PORT_USE] = "port_use_ratio",
};

const char *alert_kind_name(int kind)
{
	return kind >= 0 && kind < ALERT_NKINDS ? kind_names[kind] : "unknown";
}

const char *alert_level_name(int level)
{
	switch (level) {
	case ALERT_OK:
		return "ok";
	case ALERT_WARNING:
		return "warning";
	case ALERT_CRITICAL:
		return "critical";
	}
	return "unknown";
}

static const char *const hints_tw[] = {
	"reuse connections (HTTP keep-alive, connection pooling) instead of one connection per request",
	"the side that closes first holds TIME_WAIT: letting the server close (Connection: close) moves it there",
	"net.ipv4.tcp_tw_reuse=1 lets outgoing connections reuse TIME_WAIT ports (safe with timestamps)",
	"a wider net.ipv4.ip_local_port_range gives more ports per destination",
	"TIME_WAIT lasts 60 s (TCP_TIMEWAIT_LEN); tcp_fin_timeout governs orphaned FIN_WAIT2, not TIME_WAIT",
	"net.ipv4.tcp_tw_recycle no longer exists (removed in Linux 4.12)",
	NULL
};
static const char *const hints_cw[] = {
	"CLOSE_WAIT: the peer closed and the application has not called close(): a bug in the application",
	"find where the process stops reading at EOF (read() returning 0) without closing the socket",
	"no sysctl fixes CLOSE_WAIT; restarting the process frees the sockets",
	NULL
};
static const char *const hints_aq[] = {
	"the application is not calling accept() fast enough (blocked, overloaded, or stopped)",
	"the accept queue is min(listen() backlog, net.core.somaxconn); raise both only if the application keeps up",
	"overflows are counted in ListenOverflows/ListenDrops (nstat -az TcpExtListenOverflows)",
	NULL
};

const char *const *alert_hints(int kind)
{
	switch (kind) {
	case ALERT_TIME_WAIT_COUNT:
	case ALERT_TIME_WAIT_GROWTH:
	case ALERT_PORT_USE:
		return hints_tw;
	case ALERT_CLOSE_WAIT_COUNT:
	case ALERT_CLOSE_WAIT_AGE:
		return hints_cw;
	case ALERT_ACCEPT_QUEUE:
		return hints_aq;
	}
	return hints_cw + 3;	/* the NULL */
}

struct alert_table {
	struct alert_state *v;
	bool *seen;		/* observed in the current round */
	size_t nr, max;
	__u64 dropped;
};

struct alert_table *alert_table_new(size_t max)
{
	struct alert_table *t;

	if (!max)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->v = calloc(max, sizeof(*t->v));
	t->seen = calloc(max, sizeof(*t->seen));
	if (!t->v || !t->seen) {
		alert_table_free(t);
		return NULL;
	}
	t->max = max;
	return t;
}

void alert_table_free(struct alert_table *t)
{
	if (!t)
		return;
	free(t->v);
	free(t->seen);
	free(t);
}

__u64 alert_table_dropped(const struct alert_table *t)
{
	return t->dropped;
}

static bool same(const struct alert_obs *a, const struct alert_obs *b)
{
	return a->kind == b->kind && a->netns == b->netns && !strcmp(a->subject, b->subject);
}

/* The level of value with no history; and the level a fired one keeps. */
static int raw_level(const struct alert_threshold *th, double v, double scale)
{
	if (th->warning <= 0)
		return ALERT_OK;
	if (th->critical > 0 && v >= th->critical * scale)
		return ALERT_CRITICAL;
	if (v >= th->warning * scale)
		return ALERT_WARNING;
	return ALERT_OK;
}

/*
 * Whether a subject at ok is worth a slot: it is within the hysteresis
 * band of its warning, or (port use) at half of it, so that its rate, and
 * so its time to exhaustion, is known by the time it fires.
 */
static bool worth_tracking(const struct alert_rules *r, const struct alert_obs *o)
{
	double w = r->th[o->kind].warning;

	if (w <= 0)
		return false;
	if (o->kind == ALERT_PORT_USE)
		return o->value >= w * 0.5;
	return o->value >= w * (1.0 - r->hysteresis);
}

static void apply(struct alert_state *s, const struct alert_rules *r,
		  const struct alert_obs *o, double now)
{
	const struct alert_threshold *th = &r->th[o->kind];
	int up = raw_level(th, o->value, 1.0);
	int keep = raw_level(th, o->value, 1.0 - r->hysteresis);
	int target = s->level;

	double t = o->at > 0 && o->at <= now ? o->at : now;

	/* The same measurement again (kept from an earlier round): its rate stands. */
	if (!s->prev_valid || t != s->prev_t) {
		if (s->prev_valid && t > s->prev_t)
			s->rate = (o->count - s->prev_count) / (t - s->prev_t);
		else
			s->rate = 0;
		s->prev_count = o->count;
		s->prev_t = t;
		s->prev_valid = true;
		s->eta_s = -1;
		if (o->limit > 0 && s->rate > 0) {
			s->eta_s = (o->limit - o->count) / s->rate;
			if (s->eta_s < 0)
				s->eta_s = 0;	/* at or past the limit */
		}
	}
	s->obs = *o;
	s->seen = now;
	if (up > s->level)
		target = up;
	else if (keep < s->level)
		target = keep;
	if (target == s->level) {
		s->pending = s->level;
		s->pending_since = now;
		return;
	}
	if (target != s->pending) {
		s->pending = target;
		s->pending_since = now;
	}
	if (now - s->pending_since >= r->hold_s) {
		s->level = target;
		s->since = now;
	}
}

int alert_table_update(struct alert_table *t, const struct alert_rules *r,
		       const struct alert_obs *obs, size_t nobs, double now,
		       struct alert_event *ev, size_t max_ev)
{
	size_t nev = 0, i, k;

	memset(t->seen, 0, t->max * sizeof(*t->seen));
	for (i = 0; i < nobs; i++) {
		const struct alert_obs *o = &obs[i];
		struct alert_state *s = NULL;
		int old;

		if (o->kind < 0 || o->kind >= ALERT_NKINDS)
			continue;
		for (k = 0; k < t->nr; k++)
			if (same(&t->v[k].obs, o)) {
				s = &t->v[k];
				break;
			}
		if (!s) {
			/* A new subject is tracked once it can matter. */
			if (!worth_tracking(r, o))
				continue;
			if (t->nr == t->max) {
				t->dropped++;
				continue;
			}
			s = &t->v[t->nr++];
			memset(s, 0, sizeof(*s));
			s->since = now;
			s->pending_since = now;
		}
		t->seen[s - t->v] = true;
		old = s->level;
		apply(s, r, o, now);
		if (s->level != old && nev < max_ev) {
			ev[nev].st = *s;
			ev[nev].old_level = old;
			nev++;
		}
	}
	/* Tracked, not observed: its sockets are gone. */
	for (k = 0; k < t->nr; k++) {
		struct alert_state *s = &t->v[k];
		struct alert_obs o;
		int old;

		if (t->seen[k])
			continue;
		o = s->obs;
		o.value = 0;
		o.count = 0;
		old = s->level;
		apply(s, r, &o, now);
		if (s->level != old && nev < max_ev) {
			ev[nev].st = *s;
			ev[nev].old_level = old;
			nev++;
		}
	}
	/* Forget what is ok, waiting for nothing, and no longer worth its rate. */
	for (k = 0; k < t->nr;) {
		struct alert_state *s = &t->v[k];

		if (s->level == ALERT_OK && s->pending == ALERT_OK &&
		    (!t->seen[k] || !worth_tracking(r, &s->obs))) {
			t->v[k] = t->v[t->nr - 1];
			t->seen[k] = t->seen[t->nr - 1];
			t->nr--;
			continue;
		}
		k++;
	}
	return (int)nev;
}

size_t alert_table_active(const struct alert_table *t, const struct alert_state **out,
			  size_t max)
{
	size_t n = 0;

	for (size_t k = 0; k < t->nr && n < max; k++)
		if (t->v[k].level != ALERT_OK)
			out[n++] = &t->v[k];
	return n;
}

static double live(const struct ts_netns *ns, int st)
{
	__s64 v = ns->st.live[st];

	return v > 0 ? (double)v : 0;
}

size_t alerts_observe_netns(const struct ts_netns *ns, const struct alert_rules *r,
			    struct alert_growth *h, double now, struct alert_obs *obs)
{
	double tw = live(ns, TCPSTATE_ST_TIME_WAIT), cw = live(ns, TCPSTATE_ST_CLOSE_WAIT);
	size_t n = 0, oldest;

	memset(obs, 0, 3 * sizeof(*obs));
	obs[n].kind = ALERT_TIME_WAIT_COUNT;
	obs[n].netns = ns->inum;
	obs[n].value = obs[n].count = tw;
	n++;
	obs[n].kind = ALERT_CLOSE_WAIT_COUNT;
	obs[n].netns = ns->inum;
	obs[n].value = obs[n].count = cw;
	n++;
	/* The growth window: drop samples older than it, add this one. */
	if (h->netns != ns->inum) {
		memset(h, 0, sizeof(*h));
		h->netns = ns->inum;
	}
	while (h->n > 1) {
		oldest = (h->head + ALERT_HISTORY - h->n) % ALERT_HISTORY;
		if (now - h->t[oldest] <= r->growth_window_s)
			break;
		/* Keep one sample at or beyond the window's start. */
		if (now - h->t[(oldest + 1) % ALERT_HISTORY] < r->growth_window_s)
			break;
		h->n--;
	}
	if (h->n == ALERT_HISTORY)
		h->n--;
	h->t[h->head] = now;
	h->v[h->head] = tw;
	h->head = (h->head + 1) % ALERT_HISTORY;
	h->n++;
	if (h->n > 1) {
		oldest = (h->head + ALERT_HISTORY - h->n) % ALERT_HISTORY;
		if (now > h->t[oldest]) {
			obs[n].kind = ALERT_TIME_WAIT_GROWTH;
			obs[n].netns = ns->inum;
			obs[n].value = (tw - h->v[oldest]) / (now - h->t[oldest]);
			obs[n].count = tw;
			n++;
		}
	}
	return n;
}

__u64 alerts_port_holders(const struct ts_netns *ns)
{
	__u64 n = 0;

	for (int s = 0; s < TCPSTATE_NSTATES; s++)
		if (TCPSTATE_IS_LIVE(s) && s != TCPSTATE_ST_LISTEN && ns->st.live[s] > 0)
			n += (__u64)ns->st.live[s];
	return n;
}

__u64 alerts_port_opens(const struct ts_netns *ns)
{
	return ns->st.transitions[TCPSTATE_ST_CLOSE][TCPSTATE_ST_SYN_SENT] +
	       ns->st.transitions[TCPSTATE_ST_LISTEN][TCPSTATE_ST_SYN_RECV];
}

bool alerts_lookup_stands(double at, double cost, double now, double share)
{
	double age = now - at, stand = share > 0 ? cost / share : 0;

	if (stand > ALERT_LOOKUP_MAX_AGE)
		stand = ALERT_LOOKUP_MAX_AGE;
	return age >= 0 && age < stand;
}

bool alerts_ports_still_valid(const struct alert_ports_seen *seen,
			      const struct ts_netns *ns, const struct alert_rules *r,
			      double now, double share)
{
	__u32 range = alerts_port_range(&ns->limits);
	__u64 opens = alerts_port_opens(ns);

	if (!seen->valid || seen->range != range || opens < seen->opens || now < seen->at)
		return false;
	if (alerts_lookup_stands(seen->at, seen->cost, now, share))
		return true;
	return seen->max + (double)(opens - seen->opens) <
	       0.5 * r->th[ALERT_PORT_USE].warning * range;
}

__u32 alerts_port_range(const struct ts_limits *lim)
{
	if (!lim->known || lim->port_range_hi < lim->port_range_lo)
		return 0;
	return lim->port_range_hi - lim->port_range_lo + 1;
}

bool alerts_port_holders_may_warn(const struct ts_netns *ns, const struct alert_rules *r)
{
	__u32 range = alerts_port_range(&ns->limits);
	double w = r->th[ALERT_PORT_USE].warning;

	/* No destination holds more ports than the namespace does. */
	return w > 0 && range &&
	       (double)alerts_port_holders(ns) >= w * (1.0 - r->hysteresis) * range;
}

bool alerts_need_port_lookup(const struct ts_netns *ns, const struct alert_rules *r,
			     bool active, __s64 bound)
{
	__u32 range = alerts_port_range(&ns->limits);
	double w = r->th[ALERT_PORT_USE].warning;

	if (w <= 0 || !range)
		return false;
	if (active)
		return true;
	/* No destination, in any namespace, within half the warning. */
	if (bound >= 0 && (double)bound < 0.5 * w * range)
		return false;
	return alerts_port_holders_may_warn(ns, r);
}

bool alerts_close_wait_young(const struct alert_cw_ref *ref, const struct alert_rules *r,
			     double now)
{
	return ref->valid && now >= ref->at &&
	       ref->oldest + (now - ref->at) <
	       r->th[ALERT_CLOSE_WAIT_AGE].warning * (1.0 - r->hysteresis);
}

bool alerts_need_close_wait_lookup(const struct ts_netns *ns, const struct alert_rules *r)
{
	return ns->st.live[TCPSTATE_ST_CLOSE_WAIT] > 0 &&
	       (r->th[ALERT_CLOSE_WAIT_AGE].warning > 0 ||
		(r->th[ALERT_CLOSE_WAIT_COUNT].warning > 0 &&
		 (double)ns->st.live[TCPSTATE_ST_CLOSE_WAIT] >=
		 r->th[ALERT_CLOSE_WAIT_COUNT].warning * (1.0 - r->hysteresis)));
}
