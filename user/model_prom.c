// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * model_prom.c - a snapshot as Prometheus series (model_prom.h): the
 * histograms made cumulative and put in seconds, namespaces and
 * transition series capped and the rest counted.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "model_prom.h"
#include "states.h"

/* Microseconds as exact decimal seconds ("0.000001", "17179.869184"). */
static void us_to_seconds(char *buf, size_t len, __u64 us)
{
	char *end;

	snprintf(buf, len, "%" PRIu64 ".%06" PRIu64, (uint64_t)(us / 1000000),
		 (uint64_t)(us % 1000000));
	end = buf + strlen(buf) - 1;
	while (*end == '0')
		*end-- = '\0';
	if (*end == '.')
		*end = '\0';
}

static void hist_build(struct prom_hist *h, const __u64 *slots)
{
	__u64 seen = 0;
	double sum_us = 0;

	for (int k = 0; k < TCPSTATE_HIST_SLOTS; k++) {
		double at;

		seen += slots[k];
		if (k < PROM_NR_LE)
			h->cum[k] = seen;
		if (k == HIST_OPEN_SLOT)
			at = (double)hist_slot_lo_us(k);
		else
			at = ((double)hist_slot_lo_us(k) + (double)hist_slot_hi_us(k)) / 2;
		if (k == 0)
			at = 0;		/* slot 0 holds 0 us only */
		sum_us += at * (double)slots[k];
	}
	h->count = seen;
	h->sum_s = sum_us / 1e6;
}

static void netns_build(struct prom_netns *p, const struct ts_netns *ns)
{
	const struct tcpstate_stats *st = &ns->st;

	snprintf(p->netns, sizeof(p->netns), "%u", ns->inum);
	p->nr_states = nr_live_states;
	for (size_t i = 0; i < nr_live_states; i++) {
		int s = live_states[i];

		p->states[i].name = state_name(s);
		p->states[i].sockets = st->live[s];
		hist_build(&p->states[i].duration, st->duration[s]);
	}
	hist_build(&p->lifetime, st->lifetime);
	p->check_done = ns->check.done;
	p->kern_full = ns->check.kern_full;
	p->kern_tw = ns->check.kern_tw;
	p->drifts = ns->check.drifts;
	p->repairs = ns->check.repairs;
	p->limits_known = ns->limits.known;
	if (ns->limits.known) {
		const struct ts_limits *l = &ns->limits;

		p->local_ports = l->port_range_hi >= l->port_range_lo ?
				 (__u64)l->port_range_hi - l->port_range_lo + 1 : 0;
		p->max_tw_buckets = l->max_tw_buckets;
		p->fin_timeout_s = l->fin_timeout_s;
	}
}

/* Non-zero transitions of the namespaces kept, up to max; the rest counted. */
static int transitions_build(struct prom_model *m, const struct ts_snapshot *snap,
			     size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nr_netns; i++)
		for (int a = 0; a < TCPSTATE_NSTATES; a++)
			for (int b = 0; b < TCPSTATE_NSTATES; b++)
				n += snap->netns[i].st.transitions[a][b] != 0;
	if (n > max) {
		m->transitions_dropped = n - max;
		n = max;
	}
	m->transitions = n ? calloc(n, sizeof(*m->transitions)) : NULL;
	if (n && !m->transitions)
		return -ENOMEM;
	for (size_t i = 0; i < m->nr_netns && m->nr_transitions < n; i++) {
		const struct tcpstate_stats *st = &snap->netns[i].st;

		for (int a = 0; a < TCPSTATE_NSTATES && m->nr_transitions < n; a++)
			for (int b = 0; b < TCPSTATE_NSTATES && m->nr_transitions < n; b++) {
				struct prom_transition *t;

				if (!st->transitions[a][b])
					continue;
				t = &m->transitions[m->nr_transitions++];
				t->ns = i;
				state_name_r(a, t->from, sizeof(t->from));
				state_name_r(b, t->to, sizeof(t->to));
				t->count = st->transitions[a][b];
			}
	}
	return 0;
}

int prom_model_build(struct prom_model *m, const struct ts_snapshot *snap,
		     const struct prom_opts *o)
{
	size_t max_netns = o && o->max_netns ? o->max_netns : PROM_MAX_NETNS_DEFAULT;
	size_t max_tr = o && o->max_transitions ? o->max_transitions :
			PROM_MAX_TRANSITIONS_DEFAULT;
	int err;

	memset(m, 0, sizeof(*m));
	m->version = o && o->version ? o->version : "unknown";
	m->source = snap->source ? snap->source : "unknown";
	/*
	 * A slot's upper bound is exclusive (slot k holds whole microseconds
	 * below 2^k), so the bucket le = 2^k us holds slots 0..k.
	 */
	for (size_t k = 0; k < PROM_NR_LE; k++)
		us_to_seconds(m->le[k], sizeof(m->le[k]), hist_slot_hi_us((int)k));
	m->nr_netns = snap->nr_netns;
	/* Sorted by inode: the host's (the first inode nsfs hands out) stays. */
	if (m->nr_netns > max_netns) {
		m->netns_dropped = m->nr_netns - max_netns;
		m->nr_netns = max_netns;
	}
	if (m->nr_netns) {
		m->netns = calloc(m->nr_netns, sizeof(*m->netns));
		if (!m->netns)
			return -ENOMEM;
	}
	for (size_t i = 0; i < m->nr_netns; i++)
		netns_build(&m->netns[i], &snap->netns[i]);
	err = transitions_build(m, snap, max_tr);
	if (err) {
		prom_model_free(m);
		return err;
	}
	memcpy(m->errors, snap->errors.count, sizeof(m->errors));
	m->events_missed = snap->events_missed;
	m->events_recovered = snap->events_recovered;
	m->negative_counts = snap->negative_counts;
	m->counting_known = snap->counting_ns != 0;
	m->counting_s = snap->counting_ns / 1e9;
	return 0;
}

void prom_model_free(struct prom_model *m)
{
	free(m->netns);
	free(m->transitions);
	m->netns = NULL;
	m->transitions = NULL;
	m->nr_netns = m->nr_transitions = 0;
}
