// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * model_top.c - the model of `tcpstate top` (model_top.h): rows, changes,
 * rates, history, transitions, listeners, health, sorting, selection and
 * the keys. Pure functions of what is fed.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "drift.h"
#include "hist.h"
#include "model_top.h"
#include "states.h"

static const double ladder[] = { 0.25, 0.5, 1, 2, 5, 10, 30, 60 };
#define NR_LADDER	(sizeof(ladder) / sizeof(ladder[0]))

void top_init(struct top_model *m, double interval_s, bool all_netns, __u32 self_inum)
{
	memset(m, 0, sizeof(*m));
	m->interval_s = interval_s;
	m->all_netns = all_netns;
	m->self_inum = self_inum;
	/* Without --all-netns the snapshot holds one namespace: the caller's. */
	m->scope = all_netns ? 0 : self_inum;
	m->sel_state = -1;
	m->health.verdict = -1;
	m->health.worst_error = -1;
	m->source = "";
}

double top_interval_step(double cur, int dir)
{
	if (dir > 0) {
		for (size_t i = 0; i < NR_LADDER; i++)
			if (ladder[i] > cur + 1e-9)
				return ladder[i];
		return TOP_INTERVAL_MAX;
	}
	for (size_t i = NR_LADDER; i-- > 0;)
		if (ladder[i] < cur - 1e-9)
			return ladder[i];
	return TOP_INTERVAL_MIN;
}

const char *top_sort_name(enum top_sort s)
{
	static const char *const names[TOP_SORT_NR] = {
		[TOP_SORT_STATE] = "state",
		[TOP_SORT_COUNT] = "count",
		[TOP_SORT_CHANGE] = "change",
		[TOP_SORT_RATE] = "enter/s",
		[TOP_SORT_P99] = "p99",
	};

	return (unsigned int)s < TOP_SORT_NR ? names[s] : "?";
}

/* Forgets what frames are compared with: a new scope, or r. */
static void forget_history(struct top_model *m)
{
	m->has_prev = false;
	m->has_base = false;
	m->hist_len = 0;
	m->hist_head = 0;
	m->nr_culprits = 0;
	m->culprits_known = false;
}

/* The scope's namespaces summed into m->cur; health over the same ones. */
static void sum_scope(struct top_model *m, const struct ts_snapshot *snap)
{
	struct top_health *h = &m->health;
	__u64 worst = 0;

	memset(&m->cur, 0, sizeof(m->cur));
	memset(h, 0, sizeof(*h));
	h->verdict = -1;
	h->worst_error = -1;
	for (size_t i = 0; i < snap->nr_netns; i++) {
		const struct ts_netns *ns = &snap->netns[i];

		if (m->scope && ns->inum != m->scope)
			continue;
		tcpstate_stats_add(&m->cur, &ns->st);
		if (ns->check.done) {
			if (ns->check.verdict > h->verdict)
				h->verdict = ns->check.verdict;
			h->drifts += ns->check.drifts;
			h->repairs += ns->check.repairs;
		}
	}
	for (int e = 0; e < TCPSTATE_NERRORS; e++) {
		h->errors += snap->errors.count[e];
		if (snap->errors.count[e] > worst) {
			worst = snap->errors.count[e];
			h->worst_error = e;
		}
	}
	h->events_missed = snap->events_missed;
	h->negative_counts = snap->negative_counts;
}

/*
 * The namespaces of the snapshot (sorted by inum, as the snapshot is),
 * keeping the names the caller filled: one merge walk of two sorted
 * lists, O(namespaces).
 */
static void list_namespaces(struct top_model *m, const struct ts_snapshot *snap)
{
	size_t n = 0, j = 0, old = m->nr_ns;

	memcpy(m->ns_old, m->ns, old * sizeof(m->ns[0]));
	for (size_t i = 0; i < snap->nr_netns && n < TOP_MAX_NS; i++) {
		struct top_ns *t = &m->ns[n++];
		__u32 inum = snap->netns[i].inum;

		while (j < old && m->ns_old[j].inum < inum)
			j++;
		t->inum = inum;
		t->total = 0;
		for (size_t s = 0; s < nr_live_states; s++)
			t->total += snap->netns[i].st.live[live_states[s]];
		if (j < old && m->ns_old[j].inum == inum)
			memcpy(t->name, m->ns_old[j].name, sizeof(t->name));
		else
			t->name[0] = '\0';
	}
	/* The caller's own namespace is always there, socket or not. */
	if (!m->all_netns && n == 0) {
		memset(&m->ns[0], 0, sizeof(m->ns[0]));
		m->ns[0].inum = m->self_inum;
		n = 1;
	}
	m->nr_ns = n;
	if (m->ns_cursor > n)
		m->ns_cursor = n;
}

static __u64 entries_into(const __u64 t[TCPSTATE_NSTATES][TCPSTATE_NSTATES], int state)
{
	__u64 in = 0;

	for (int from = 0; from < TCPSTATE_NSTATES; from++)
		in += t[from][state];
	return in;
}

static double sort_key(const struct top_row *r, enum top_sort s)
{
	switch (s) {
	case TOP_SORT_COUNT: return (double)r->count;
	case TOP_SORT_CHANGE: return r->change_known ? fabs((double)r->change) : -1;
	case TOP_SORT_RATE: return r->rate;
	case TOP_SORT_P99: return r->samples ? (double)r->p99_us : -1;
	default: return 0;
	}
}

static int live_index(int state)
{
	for (size_t i = 0; i < nr_live_states; i++)
		if (live_states[i] == state)
			return (int)i;
	return TCPSTATE_NSTATES;
}

/* Descending by the key; ties (and TOP_SORT_STATE) in the table's order. */
static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct top_row *x = a, *y = b;
	enum top_sort mode = *(const enum top_sort *)arg;
	double kx = sort_key(x, mode), ky = sort_key(y, mode);

	if (kx != ky)
		return kx > ky ? -1 : 1;
	return live_index(x->state) - live_index(y->state);
}

static void sort_rows(struct top_model *m)
{
	qsort_r(m->rows, m->nr_rows, sizeof(m->rows[0]), cmp_rows, &m->sort);
	/* The selection follows its state, not its position. */
	m->sel = 0;
	for (size_t i = 0; i < m->nr_rows; i++)
		if (m->rows[i].state == m->sel_state)
			m->sel = i;
	if (m->nr_rows)
		m->sel_state = m->rows[m->sel].state;
}

static void build_rows(struct top_model *m, double dt, __u64 now_ns, __u64 counting_ns)
{
	const struct tcpstate_stats *st = &m->cur;
	double since = m->has_base && now_ns > m->base_ns ? (now_ns - m->base_ns) / 1e9 : 0;

	m->nr_rows = nr_live_states;
	m->total = 0;
	for (size_t i = 0; i < nr_live_states; i++) {
		struct top_row *r = &m->rows[i];
		int s = live_states[i];
		__u64 in = entries_into(st->transitions, s);

		memset(r, 0, sizeof(*r));
		r->state = s;
		r->count = st->live[s];
		m->total += r->count;
		r->change_known = m->has_prev;
		r->rate = -1;
		r->avg_rate = -1;
		if (m->has_prev) {
			__u64 in_prev = entries_into(m->prev_trans, s);

			r->change = r->count - m->prev_live[s];
			if (dt > 0)
				r->rate = in >= in_prev ? (double)(in - in_prev) / dt : 0;
		} else if (counting_ns) {
			/* The first frame: the average since the collector started. */
			r->rate = (double)in / (counting_ns / 1e9);
		}
		if (m->has_base) {
			__u64 in_base = entries_into(m->base_trans, s);

			r->entered = in >= in_base ? in - in_base : 0;
			if (since > 0)
				r->avg_rate = (double)r->entered / since;
		} else {
			/* No r yet: since the collector started counting. */
			r->entered = in;
			if (counting_ns)
				r->avg_rate = (double)in / (counting_ns / 1e9);
		}
		r->samples = hist_count(st->duration[s]);
		r->p50_us = hist_quantile_us(st->duration[s], 0.50);
		r->p90_us = hist_quantile_us(st->duration[s], 0.90);
		r->p99_us = hist_quantile_us(st->duration[s], 0.99);
		r->max_us = hist_max_us(st->duration[s]);
	}
}

static void push_history(struct top_model *m)
{
	for (size_t i = 0; i < m->nr_rows; i++)
		m->hist[m->rows[i].state][m->hist_head] = m->rows[i].count;
	m->hist_head = (m->hist_head + 1) % TOP_HISTORY;
	if (m->hist_len < TOP_HISTORY)
		m->hist_len++;
	for (size_t i = 0; i < m->nr_rows; i++) {
		struct top_row *r = &m->rows[i];
		__s64 h[TOP_HISTORY];
		size_t n = top_history(m, r->state, h, TOP_HISTORY);

		r->peak = r->count;
		for (size_t k = 0; k < n; k++)
			if (h[k] > r->peak)
				r->peak = h[k];
	}
}

size_t top_history(const struct top_model *m, int state, __s64 *out, size_t max)
{
	size_t n = m->hist_len < max ? m->hist_len : max;
	size_t start = (m->hist_head + TOP_HISTORY - n) % TOP_HISTORY;

	if ((unsigned int)state >= TCPSTATE_NSTATES)
		return 0;
	for (size_t k = 0; k < n; k++)
		out[k] = m->hist[state][(start + k) % TOP_HISTORY];
	return n;
}

static int cmp_trans(const void *a, const void *b)
{
	const struct top_transition *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate > y->rate ? -1 : 1;
	if (x->since_base != y->since_base)
		return x->since_base > y->since_base ? -1 : 1;
	if (x->from != y->from)
		return x->from - y->from;
	return x->to - y->to;
}

/* Fills out with every transition (from, to filter: -1 any) that moved. */
static size_t collect_trans(const struct top_model *m, int from_f, int to_f, double dt,
			    struct top_transition *out, size_t max)
{
	struct top_transition all[TCPSTATE_NSTATES * TCPSTATE_NSTATES];
	size_t n = 0;

	for (int f = 0; f < TCPSTATE_NSTATES; f++)
		for (int t = 0; t < TCPSTATE_NSTATES; t++) {
			__u64 v = m->cur.transitions[f][t];
			__u64 b = m->has_base ? m->base_trans[f][t] : 0;
			__u64 p = m->prev_trans[f][t];
			struct top_transition *x = &all[n];

			if ((from_f >= 0 && f != from_f) || (to_f >= 0 && t != to_f))
				continue;
			if (!v)
				continue;
			x->from = f;
			x->to = t;
			x->since_base = v >= b ? v - b : 0;
			x->rate = m->has_prev && dt > 0 ? (v >= p ? (double)(v - p) / dt : 0) : -1;
			n++;
		}
	qsort(all, n, sizeof(all[0]), cmp_trans);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(all[0]));
	return n;
}

size_t top_transitions_of(const struct top_model *m, int state, bool into,
			  struct top_transition *out, size_t max)
{
	return collect_trans(m, into ? -1 : state, into ? state : -1, m->dt_s, out, max);
}

static int cmp_listener(const void *a, const void *b)
{
	const struct top_listener *x = a, *y = b;

	if (x->use != y->use)
		return x->use > y->use ? -1 : 1;
	if (x->accept_queue != y->accept_queue)
		return x->accept_queue > y->accept_queue ? -1 : 1;
	if (x->syn_recv != y->syn_recv)
		return x->syn_recv > y->syn_recv ? -1 : 1;
	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	return (int)x->port - (int)y->port;
}

/*
 * The fullest listeners of the scope. Listeners are few (a host has
 * tens, the collector's table holds TCPSTATE_MAX_LISTENERS); kept is a
 * bounded insertion, so a frame costs O(listeners), not a sort of them.
 */
static void take_listeners(struct top_model *m, const struct ts_snapshot *snap)
{
	m->listeners_known = snap->listeners_known;
	m->nr_listeners = 0;
	m->listeners_total = 0;
	for (size_t i = 0; i < snap->nr_listeners; i++) {
		const struct tcpstate_listener *l = &snap->listeners[i];
		struct top_listener t = {
			.netns = l->netns, .port = l->port, .family = l->family,
			.accept_queue = l->accept_queue, .accept_max = l->accept_max,
			.syn_recv = l->syn_recv,
		};
		size_t pos;

		if (m->scope && l->netns != m->scope)
			continue;
		m->listeners_total++;
		t.use = l->accept_max ? (double)l->accept_queue / l->accept_max :
			(l->accept_queue ? 1.0 : 0.0);
		pos = m->nr_listeners;
		while (pos > 0 && cmp_listener(&t, &m->listeners[pos - 1]) < 0)
			pos--;
		if (pos >= TOP_MAX_LISTENERS)
			continue;
		if (m->nr_listeners < TOP_MAX_LISTENERS)
			m->nr_listeners++;
		memmove(&m->listeners[pos + 1], &m->listeners[pos],
			(m->nr_listeners - 1 - pos) * sizeof(t));
		m->listeners[pos] = t;
	}
}

int top_feed(struct top_model *m, const struct ts_snapshot *snap)
{
	double dt;

	if (m->paused)
		return -EAGAIN;
	m->source = snap->source;
	list_namespaces(m, snap);
	sum_scope(m, snap);
	dt = m->has_prev && snap->taken_ns > m->prev_ns ?
	     (snap->taken_ns - m->prev_ns) / 1e9 : 0;
	build_rows(m, dt, snap->taken_ns, snap->counting_ns);
	m->dt_s = dt;
	m->nr_trans = collect_trans(m, -1, -1, dt, m->trans, TOP_MAX_TRANSITIONS);
	take_listeners(m, snap);
	push_history(m);
	sort_rows(m);

	for (int s = 0; s < TCPSTATE_NSTATES; s++)
		m->prev_live[s] = m->cur.live[s];
	memcpy(m->prev_trans, m->cur.transitions, sizeof(m->prev_trans));
	m->prev_ns = snap->taken_ns;
	m->has_prev = true;
	m->frames++;
	return 0;
}

const struct top_row *top_row_of(const struct top_model *m, int state)
{
	for (size_t i = 0; i < m->nr_rows; i++)
		if (m->rows[i].state == state)
			return &m->rows[i];
	return NULL;
}

const struct top_row *top_selected(const struct top_model *m)
{
	return m->nr_rows ? &m->rows[m->sel < m->nr_rows ? m->sel : 0] : NULL;
}

static int cmp_culprit(const void *a, const void *b)
{
	const struct top_culprit *x = a, *y = b;

	if (x->sockets != y->sockets)
		return x->sockets > y->sockets ? -1 : 1;
	if (x->age_s != y->age_s)
		return x->age_s > y->age_s ? -1 : 1;
	return (int)x->lport - (int)y->lport;
}

void top_set_culprits(struct top_model *m, const struct top_culprit *c, size_t nr)
{
	size_t n = 0;

	for (size_t i = 0; i < nr && n < TOP_MAX_CULPRITS; i++) {
		if (m->scope && c[i].netns != m->scope)
			continue;
		m->culprits[n] = c[i];
		m->culprits[n].comm[sizeof(m->culprits[n].comm) - 1] = '\0';
		n++;
	}
	qsort(m->culprits, n, sizeof(m->culprits[0]), cmp_culprit);
	m->nr_culprits = n;
	m->culprits_known = true;
}

static int cmp_alert(const void *a, const void *b)
{
	const struct top_alert *x = a, *y = b;

	return y->severity - x->severity;	/* critical first, stable enough */
}

void top_set_alerts(struct top_model *m, const struct top_alert *a, size_t nr)
{
	size_t n = nr < TOP_MAX_ALERTS ? nr : TOP_MAX_ALERTS;

	memcpy(m->alerts, a, n * sizeof(*a));
	for (size_t i = 0; i < n; i++)
		m->alerts[i].text[sizeof(m->alerts[i].text) - 1] = '\0';
	qsort(m->alerts, n, sizeof(*a), cmp_alert);
	m->nr_alerts = n;
}

static void move_sel(struct top_model *m, long d)
{
	long s = (long)m->sel + d;

	if (!m->nr_rows)
		return;
	if (s < 0)
		s = 0;
	if (s >= (long)m->nr_rows)
		s = (long)m->nr_rows - 1;
	m->sel = (size_t)s;
	m->sel_state = m->rows[m->sel].state;
}

static void move_cursor(struct top_model *m, long d)
{
	long c = (long)m->ns_cursor + d;

	if (c < 0)
		c = 0;
	if (c > (long)m->nr_ns)
		c = (long)m->nr_ns;
	m->ns_cursor = (size_t)c;
}

/* Sets the scope to the picker's cursor; whether it changed. */
static bool pick_scope(struct top_model *m)
{
	__u32 want = m->ns_cursor ? m->ns[m->ns_cursor - 1].inum : 0;

	if (!m->all_netns)
		want = m->self_inum;
	if (want == m->scope)
		return false;
	m->scope = want;
	m->scope_name[0] = '\0';
	if (want)
		for (size_t i = 0; i < m->nr_ns; i++)
			if (m->ns[i].inum == want)
				memcpy(m->scope_name, m->ns[i].name, sizeof(m->scope_name));
	forget_history(m);
	return true;
}

unsigned int top_key(struct top_model *m, int key)
{
	if (m->view == TOP_VIEW_NSPICK) {
		switch (key) {
		case TOP_KEY_UP: case 'k': move_cursor(m, -1); return TOP_ACT_REDRAW;
		case TOP_KEY_DOWN: case 'j': move_cursor(m, 1); return TOP_ACT_REDRAW;
		case TOP_KEY_PGUP: move_cursor(m, -10); return TOP_ACT_REDRAW;
		case TOP_KEY_PGDN: move_cursor(m, 10); return TOP_ACT_REDRAW;
		case TOP_KEY_HOME: m->ns_cursor = 0; return TOP_ACT_REDRAW;
		case TOP_KEY_END: m->ns_cursor = m->nr_ns; return TOP_ACT_REDRAW;
		case TOP_KEY_ENTER:
			m->view = TOP_VIEW_TABLE;
			return TOP_ACT_REDRAW | (pick_scope(m) ? TOP_ACT_REFEED : 0);
		case TOP_KEY_ESC: case 'n':
			m->view = TOP_VIEW_TABLE;
			return TOP_ACT_REDRAW;
		case 'q': return TOP_ACT_QUIT;
		default: return 0;
		}
	}
	switch (key) {
	case 'q': case 'Q':
		return TOP_ACT_QUIT;
	case 'h': case '?':
		m->view = m->view == TOP_VIEW_HELP ? TOP_VIEW_TABLE : TOP_VIEW_HELP;
		return TOP_ACT_REDRAW;
	case TOP_KEY_ESC:
		m->view = TOP_VIEW_TABLE;
		return TOP_ACT_REDRAW;
	case 's':
		m->sort = (m->sort + 1) % TOP_SORT_NR;
		sort_rows(m);
		return TOP_ACT_REDRAW;
	case 'n':
		m->view = TOP_VIEW_NSPICK;
		m->ns_cursor = 0;
		for (size_t i = 0; i < m->nr_ns; i++)
			if (m->ns[i].inum == m->scope)
				m->ns_cursor = i + 1;
		return TOP_ACT_REDRAW;
	case 'p': case ' ':
		m->paused = !m->paused;
		return TOP_ACT_REDRAW;
	case '+': case '=':
		m->interval_s = top_interval_step(m->interval_s, 1);
		return TOP_ACT_REDRAW | TOP_ACT_INTERVAL;
	case '-': case '_':
		m->interval_s = top_interval_step(m->interval_s, -1);
		return TOP_ACT_REDRAW | TOP_ACT_INTERVAL;
	case 'r':
		/* The base is the last frame: averages and totals restart now. */
		memcpy(m->base_trans, m->prev_trans, sizeof(m->base_trans));
		m->base_ns = m->prev_ns;
		m->has_base = m->has_prev;
		for (size_t i = 0; i < m->nr_rows; i++) {
			m->rows[i].entered = 0;
			m->rows[i].avg_rate = -1;
		}
		for (size_t i = 0; i < m->nr_trans; i++)
			m->trans[i].since_base = 0;
		return TOP_ACT_REDRAW;
	case TOP_KEY_UP: case 'k':
		move_sel(m, -1);
		return TOP_ACT_REDRAW;
	case TOP_KEY_DOWN: case 'j':
		move_sel(m, 1);
		return TOP_ACT_REDRAW;
	case TOP_KEY_HOME:
		move_sel(m, -(long)TCPSTATE_NSTATES);
		return TOP_ACT_REDRAW;
	case TOP_KEY_END:
		move_sel(m, TCPSTATE_NSTATES);
		return TOP_ACT_REDRAW;
	case TOP_KEY_ENTER:
		if (m->view == TOP_VIEW_DETAIL) {
			m->view = TOP_VIEW_TABLE;
			return TOP_ACT_REDRAW;
		}
		if (!m->nr_rows)
			return 0;
		m->view = TOP_VIEW_DETAIL;
		return TOP_ACT_REDRAW | TOP_ACT_CULPRITS;
	default:
		return 0;
	}
}
