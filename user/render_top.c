// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * render_top.c - the top model as lines of a screen (render_top.h).
 *
 * From the top, as the height allows: two header lines, the alerts, the
 * state table, then (the table view) the busiest transitions beside the
 * listeners, the culprits, and the key bar on the last line. The help,
 * detail and namespace views replace everything below the table's
 * header. Columns are dropped, least useful first, when the width is
 * short, as summary's table does.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "drift.h"
#include "hist.h"
#include "render_top.h"
#include "states.h"

/* A line under construction: text and the cells it takes. */
struct lb {
	struct top_line *l;
	size_t len;
	int cells, width;
};

static struct lb lb_start(struct top_screen *scr, int attr)
{
	struct top_line *l = scr->nr < scr->limit ? &scr->lines[scr->nr++] : &scr->scratch;

	l->attr = attr;
	l->text[0] = '\0';
	return (struct lb){ .l = l, .width = scr->width };
}

/* ASCII text, cut at the width. */
static void lb_put(struct lb *b, const char *s)
{
	for (; *s && b->cells < b->width && b->len + 1 < TOP_LINE_BYTES; s++) {
		b->l->text[b->len++] = *s;
		b->cells++;
	}
	b->l->text[b->len] = '\0';
}

static void lb_printf(struct lb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lb_printf(struct lb *b, const char *fmt, ...)
{
	char tmp[TOP_LINE_BYTES];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	lb_put(b, tmp);
}

/* One cell drawn with a (possibly multibyte) glyph. */
static void lb_glyph(struct lb *b, const char *g)
{
	size_t n = strlen(g);

	if (b->cells >= b->width || b->len + n + 1 >= TOP_LINE_BYTES)
		return;
	memcpy(b->l->text + b->len, g, n);
	b->len += n;
	b->cells++;
	b->l->text[b->len] = '\0';
}

static void lb_pad(struct lb *b, int to)
{
	while (b->cells < to && b->cells < b->width)
		lb_put(b, " ");
}

/* Pads a line to the full width: selected and title bars fill the row. */
static void lb_fill(struct lb *b)
{
	lb_pad(b, b->width);
}

static int rows_left(const struct top_screen *scr, int reserve)
{
	if (!scr->height)
		return TOP_LINES_MAX - (int)scr->nr - reserve;
	return scr->height - (int)scr->nr - reserve;
}

static const char *ss_name(int state)
{
	const char *n = state_ss_name(state);

	return n ? n : "?";
}

/* ---------------------------------------------------------------- header */

static void render_header(const struct top_model *m, const struct top_render_opts *o,
			  struct top_screen *scr)
{
	struct lb b = lb_start(scr, TOP_A_HEADER);
	const struct top_health *h = &m->health;
	char scope[96], right[32] = "";
	bool bad;

	if (!m->scope)
		snprintf(scope, sizeof(scope), "all (%zu)", m->nr_ns);
	else if (m->scope_name[0])
		snprintf(scope, sizeof(scope), "%u (%s)", m->scope, m->scope_name);
	else
		snprintf(scope, sizeof(scope), "%u%s", m->scope,
			 m->scope == m->self_inum ? " (own)" : "");
	if (o->clock)
		snprintf(right, sizeof(right), "%s", o->clock);
	lb_printf(&b, "tcpstate top  %ssource %s  every %gs  netns %s  kernel %s",
		  m->paused ? "PAUSED  " : "",
		  m->source && m->source[0] ? m->source : "-", m->interval_s, scope,
		  m->kernel[0] ? m->kernel : "-");
	if (right[0] && b.cells + 2 + (int)strlen(right) <= b.width) {
		lb_pad(&b, b.width - (int)strlen(right));
		lb_put(&b, right);
	}

	bad = h->errors || h->events_missed || h->negative_counts ||
	      h->verdict == DRIFT_PERSISTENT;
	b = lb_start(scr, bad ? TOP_A_WARN : TOP_A_NORMAL);
	if (!bad) {
		lb_put(&b, "collector ok");
	} else {
		lb_printf(&b, "collector: %" PRIu64 " errors", (uint64_t)h->errors);
		if (h->worst_error >= 0)
			lb_printf(&b, " (most: %s)", error_name(h->worst_error));
		lb_printf(&b, ", %" PRIu64 " events missed", (uint64_t)h->events_missed);
		if (h->negative_counts)
			lb_printf(&b, ", %" PRIu64 " counts below 0", (uint64_t)h->negative_counts);
	}
	if (h->verdict >= 0)
		lb_printf(&b, "  self-check %s, %" PRIu64 " drifts, %" PRIu64 " re-counts",
			  h->verdict == DRIFT_NONE ? "ok" : drift_verdict_name(h->verdict),
			  (uint64_t)h->drifts,
			  (uint64_t)h->repairs);
	lb_printf(&b, "  sort %s  frame %" PRIu64, top_sort_name(m->sort),
		  (uint64_t)m->frames);
}

static void render_alerts(const struct top_model *m, struct top_screen *scr, int max)
{
	size_t shown = m->nr_alerts;

	if (max <= 0 || !m->nr_alerts)
		return;
	if ((int)shown > max)
		shown = max - 1;
	for (size_t i = 0; i < shown; i++) {
		struct lb b = lb_start(scr, m->alerts[i].severity == TOP_SEV_CRITICAL ?
					    TOP_A_CRIT : TOP_A_WARN);

		lb_printf(&b, "%s %s", m->alerts[i].severity == TOP_SEV_CRITICAL ?
			  "CRIT" : "WARN", m->alerts[i].text);
		lb_fill(&b);
	}
	if (shown < m->nr_alerts) {
		struct lb b = lb_start(scr, TOP_A_WARN);

		lb_printf(&b, "... %zu more alerts", m->nr_alerts - shown);
		lb_fill(&b);
	}
}

/* ---------------------------------------------------------------- table */

enum col { C_STATE, C_COUNT, C_CHANGE, C_RATE, C_AVG, C_P50, C_P99, C_PEAK, NCOLS };

static const struct {
	const char *title;
	int w;
	bool left;
	int drop;	/* dropped first when narrow: highest */
} cols[NCOLS] = {
	[C_STATE] = { "STATE", 10, true, 0 },
	[C_COUNT] = { "COUNT", 8, false, 0 },
	[C_CHANGE] = { "CHANGE", 7, false, 3 },
	[C_RATE] = { "ENTER/s", 8, false, 0 },
	[C_AVG] = { "AVG/s", 8, false, 5 },
	[C_P50] = { "P50", 7, false, 2 },
	[C_P99] = { "P99", 7, false, 1 },
	[C_PEAK] = { "PEAK", 8, false, 4 },
};

#define SPARK_MIN	8	/* history cells kept before a column goes */

static void fmt_rate(char *buf, size_t len, double r)
{
	if (r < 0)
		snprintf(buf, len, "-");
	else if (r >= 10000)
		snprintf(buf, len, "%.0fk", r / 1000);
	else
		snprintf(buf, len, "%.1f", r);
}

static void row_cells(const struct top_row *r, char cells[NCOLS][24])
{
	snprintf(cells[C_STATE], 24, "%s", ss_name(r->state));
	snprintf(cells[C_COUNT], 24, "%" PRId64, (int64_t)r->count);
	if (r->change_known)
		snprintf(cells[C_CHANGE], 24, "%+" PRId64, (int64_t)r->change);
	else
		snprintf(cells[C_CHANGE], 24, "-");
	fmt_rate(cells[C_RATE], 24, r->rate);
	fmt_rate(cells[C_AVG], 24, r->avg_rate);
	hist_format_us(cells[C_P50], 24, r->p50_us, r->samples > 0);
	hist_format_us(cells[C_P99], 24, r->p99_us, r->samples > 0);
	snprintf(cells[C_PEAK], 24, "%" PRId64, (int64_t)r->peak);
}

static void put_cell(struct lb *b, int c, const char *txt, bool first)
{
	char tmp[48];

	snprintf(tmp, sizeof(tmp), cols[c].left ? "%s%-*s" : "%s%*s", first ? "" : " ",
		 cols[c].w, txt);
	lb_put(b, tmp);
}

/* The sparkline of a history, scaled from 0 to its peak. */
static void put_spark(struct lb *b, const __s64 *h, size_t n, int cells, bool utf8)
{
	static const char *const blocks[] = { " ", "\u2581", "\u2582", "\u2583", "\u2584",
					      "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char ascii[] = " .:-=+*#%";
	__s64 peak = 0;
	size_t from = n > (size_t)cells ? n - cells : 0;

	for (size_t k = from; k < n; k++)
		if (h[k] > peak)
			peak = h[k];
	for (size_t k = from; k < n; k++) {
		int lvl = 0;

		if (h[k] > 0 && peak > 0)
			lvl = 1 + (int)((h[k] * 7 + peak - 1) / peak);
		if (lvl > 8)
			lvl = 8;
		if (utf8) {
			lb_glyph(b, blocks[lvl]);
		} else {
			char g[2] = { ascii[lvl], 0 };

			lb_put(b, g);
		}
	}
}

static void render_table(const struct top_model *m, const struct top_render_opts *o,
			 struct top_screen *scr, bool with_sel)
{
	bool shown[NCOLS];
	int used, spark;
	char cells[NCOLS][24];
	struct lb b;

	for (int c = 0; c < NCOLS; c++)
		shown[c] = true;
	for (int drop = 5;; drop--) {
		used = 0;
		for (int c = 0; c < NCOLS; c++)
			if (shown[c])
				used += cols[c].w + (c ? 1 : 0);
		spark = scr->width - used - 2;
		if (spark >= SPARK_MIN || drop < 1)
			break;
		for (int c = 0; c < NCOLS; c++)
			if (cols[c].drop == drop)
				shown[c] = false;
	}
	if (spark > TOP_HISTORY)
		spark = TOP_HISTORY;
	b = lb_start(scr, TOP_A_TITLE);
	for (int c = 0; c < NCOLS; c++)
		if (shown[c])
			put_cell(&b, c, cols[c].title, c == 0);
	if (spark > 0) {
		lb_put(&b, "  ");
		lb_printf(&b, "HISTORY (%zu)", m->hist_len);
	}
	lb_fill(&b);
	for (size_t i = 0; i < m->nr_rows; i++) {
		const struct top_row *r = &m->rows[i];
		bool hot = (r->state == TCPSTATE_ST_TIME_WAIT ||
			    r->state == TCPSTATE_ST_CLOSE_WAIT) && r->count > 0;
		bool sel = with_sel && i == m->sel;
		__s64 h[TOP_HISTORY];
		size_t n;

		if (rows_left(scr, 1) <= 0)
			break;
		b = lb_start(scr, sel ? TOP_A_SELECTED : hot ? TOP_A_HOT : TOP_A_NORMAL);
		row_cells(r, cells);
		for (int c = 0; c < NCOLS; c++)
			if (shown[c])
				put_cell(&b, c, cells[c], c == 0);
		if (spark > 0) {
			lb_put(&b, "  ");
			n = top_history(m, r->state, h, TOP_HISTORY);
			put_spark(&b, h, n, spark, o->utf8);
		}
		if (sel)
			lb_fill(&b);
	}
	if (rows_left(scr, 1) > 0) {
		b = lb_start(scr, TOP_A_NORMAL);
		put_cell(&b, C_STATE, "TOTAL", true);
		snprintf(cells[0], 24, "%" PRId64, (int64_t)m->total);
		put_cell(&b, C_COUNT, cells[0], false);
	}
}

/* ---------------------------------------------------------------- sections */

static void fmt_trans(char *buf, size_t len, const struct top_transition *t)
{
	char a[24], b[24], r[24];
	const char *fa = state_ss_name(t->from), *ta = state_ss_name(t->to);

	snprintf(a, sizeof(a), "%s", fa ? fa : state_name_r(t->from, r, sizeof(r)));
	snprintf(b, sizeof(b), "%s", ta ? ta : state_name_r(t->to, r, sizeof(r)));
	fmt_rate(r, sizeof(r), t->rate);
	snprintf(buf, len, "%-10s>%-10s %6s/s %7" PRIu64, a, b, r, (uint64_t)t->since_base);
}

static void fmt_listener(char *buf, size_t len, const struct top_listener *l, bool ns)
{
	int n = snprintf(buf, len, "%-4s %5u %4u/%-4u %3.0f%% %4u",
			 l->family == AF_INET6 ? "tcp6" : "tcp", l->port, l->accept_queue,
			 l->accept_max, l->use * 100.0, l->syn_recv);

	if (ns && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - n, " %10u", l->netns);
}

static const char trans_title[] = "TRANSITION               NOW/s SINCE-R";
static const char listen_title[] = "LSTN  PORT   ACCEPTQ  USE SYNQ";

static void render_lower(const struct top_model *m, struct top_screen *scr, int rows)
{
	bool side = scr->width >= 80;
	int half = side ? scr->width / 2 - 1 : scr->width;
	char tbuf[128], lbuf[128];
	int nt, nl;
	struct lb b;

	if (rows < 2)
		return;
	if (side) {
		nt = nl = rows - 1;
	} else {
		nt = (rows - 2) / 2;
		nl = rows - 2 - nt;
	}
	if (nt > (int)m->nr_trans)
		nt = m->nr_trans ? (int)m->nr_trans : 1;
	if (nl > (int)m->nr_listeners)
		nl = m->nr_listeners ? (int)m->nr_listeners : 1;

	b = lb_start(scr, TOP_A_TITLE);
	lb_put(&b, trans_title);
	if (side) {
		lb_pad(&b, half);
		lb_put(&b, listen_title);
		if (!m->scope)
			lb_put(&b, "      NETNS");
	}
	lb_fill(&b);
	for (int i = 0; i < (side ? (nt > nl ? nt : nl) : nt); i++) {
		b = lb_start(scr, TOP_A_NORMAL);
		if (i < (int)m->nr_trans) {
			fmt_trans(tbuf, sizeof(tbuf), &m->trans[i]);
			lb_put(&b, tbuf);
		} else if (i == 0) {
			lb_put(&b, "(no transitions yet)");
		}
		if (!side)
			continue;
		lb_pad(&b, half);
		if (i < (int)m->nr_listeners) {
			fmt_listener(lbuf, sizeof(lbuf), &m->listeners[i], !m->scope);
			lb_put(&b, lbuf);
		} else if (i == 0) {
			lb_put(&b, m->listeners_known ? "(no listeners)" :
				   "(listeners: the bpf source only)");
		}
	}
	if (side)
		return;
	b = lb_start(scr, TOP_A_TITLE);
	lb_put(&b, listen_title);
	if (!m->scope)
		lb_put(&b, "      NETNS");
	lb_fill(&b);
	for (int i = 0; i < nl; i++) {
		b = lb_start(scr, TOP_A_NORMAL);
		if (i < (int)m->nr_listeners) {
			fmt_listener(lbuf, sizeof(lbuf), &m->listeners[i], !m->scope);
			lb_put(&b, lbuf);
		} else {
			lb_put(&b, m->listeners_known ? "(no listeners)" :
				   "(listeners: the bpf source only)");
		}
	}
}

static void fmt_age(char *buf, size_t len, __u64 s)
{
	if (!s)
		snprintf(buf, len, "-");
	else if (s < 120)
		snprintf(buf, len, "%" PRIu64 "s", (uint64_t)s);
	else if (s < 7200)
		snprintf(buf, len, "%" PRIu64 "m", (uint64_t)s / 60);
	else
		snprintf(buf, len, "%" PRIu64 "h", (uint64_t)s / 3600);
}

static void fmt_culprit(char *buf, size_t len, const struct top_culprit *c)
{
	char addr[INET6_ADDRSTRLEN] = "?", peer[INET6_ADDRSTRLEN + 8], age[24], who[48];
	char lport[8] = "-";

	inet_ntop(c->family == AF_INET6 ? AF_INET6 : AF_INET, c->raddr, addr, sizeof(addr));
	if (c->rport)
		snprintf(peer, sizeof(peer), c->family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr,
			 c->rport);
	else
		snprintf(peer, sizeof(peer), "%s", c->raddr[0] || c->family == AF_INET6 ?
			 addr : "*");
	if (c->lport)
		snprintf(lport, sizeof(lport), "%u", c->lport);
	fmt_age(age, sizeof(age), c->age_s);
	if (c->pid)
		snprintf(who, sizeof(who), "%u/%s", c->pid, c->comm[0] ? c->comm : "?");
	else
		snprintf(who, sizeof(who), "%s", c->comm[0] ? c->comm : "-");
	snprintf(buf, len, "%-10s %5s %-22s %6u %5s %-20s %u", ss_name(c->state), lport,
		 peer, c->sockets, age, who, c->netns);
}

static const char culprit_title[] =
	"CULPRIT    LPORT PEER                   SOCKS   AGE PID/COMM             NETNS";

/* The culprits of one state (or every state: -1), at most rows lines. */
static void render_culprits(const struct top_model *m, struct top_screen *scr, int state,
			    int rows)
{
	char buf[160];
	int n = 0;
	struct lb b;

	if (rows < 2)
		return;
	b = lb_start(scr, TOP_A_TITLE);
	lb_put(&b, culprit_title);
	lb_fill(&b);
	for (size_t i = 0; i < m->nr_culprits && n < rows - 1; i++) {
		if (state >= 0 && m->culprits[i].state != state)
			continue;
		b = lb_start(scr, TOP_A_HOT);
		fmt_culprit(buf, sizeof(buf), &m->culprits[i]);
		lb_put(&b, buf);
		n++;
	}
	if (!n) {
		b = lb_start(scr, TOP_A_DIM);
		lb_put(&b, !m->culprits_known ? "(culprit finder not run yet)" :
			   "(no TIME_WAIT or CLOSE_WAIT keys to name)");
	}
}

/* ---------------------------------------------------------------- views */

static const char *const help_lines[] = {
	"Keys",
	"  q            quit (also Ctrl-C)",
	"  h ?          this help; again or Esc to close",
	"  s            cycle the sort: state, count, change, enter/s, p99",
	"  n            choose the namespace: all, or one (with --all-netns)",
	"  p space      pause: the frame stays, the collector is not read",
	"  + -          longer or shorter interval (0.25 s .. 60 s)",
	"  r            reset rates: AVG/s and SINCE-R count from now",
	"  Up Down j k  select a row",
	"  Enter        the selected state's detail: transitions, time in",
	"               state, the sockets and processes behind it",
	"",
	"Columns",
	"  COUNT now, CHANGE since the previous frame, ENTER/s entries per",
	"  second over the last frame, AVG/s since start or r, P50 P99 time",
	"  spent in the state by sockets that left it, PEAK in the history.",
	"  Counts come from the collector's per-state counters: reading them",
	"  costs the same at 100 sockets and at a million.",
};

static void render_help(struct top_screen *scr, int rows)
{
	for (size_t i = 0; i < sizeof(help_lines) / sizeof(help_lines[0]) && rows > 0;
	     i++, rows--) {
		struct lb b = lb_start(scr, i == 0 || i == 12 ? TOP_A_TITLE : TOP_A_NORMAL);

		lb_put(&b, help_lines[i]);
	}
}

static void render_detail(const struct top_model *m, const struct top_render_opts *o,
			  struct top_screen *scr, int rows)
{
	const struct top_row *r = top_selected(m);
	struct top_transition t[4];
	char a[24], b2[24], c[24], d[24], buf[128];
	__s64 h[TOP_HISTORY];
	size_t n;
	struct lb b;
	int start = (int)scr->nr;

	if (!r || rows < 3)
		return;
	b = lb_start(scr, TOP_A_TITLE);
	lb_printf(&b, "%s detail (Enter or Esc: back)", ss_name(r->state));
	lb_fill(&b);
	b = lb_start(scr, TOP_A_NORMAL);
	lb_printf(&b, "count %" PRId64 ", peak %" PRId64 " over %zu frames", (int64_t)r->count,
		  (int64_t)r->peak, m->hist_len);
	if (r->change_known)
		lb_printf(&b, ", %+" PRId64 " since the last", (int64_t)r->change);
	b = lb_start(scr, TOP_A_NORMAL);
	fmt_rate(a, sizeof(a), r->rate);
	fmt_rate(b2, sizeof(b2), r->avg_rate);
	lb_printf(&b, "entries %s/s now, %s/s since reset (%" PRIu64 ")", a, b2,
		  (uint64_t)r->entered);
	b = lb_start(scr, TOP_A_NORMAL);
	hist_format_us(a, sizeof(a), r->p50_us, r->samples);
	hist_format_us(b2, sizeof(b2), r->p90_us, r->samples);
	hist_format_us(c, sizeof(c), r->p99_us, r->samples);
	hist_format_us(d, sizeof(d), r->max_us, r->samples);
	lb_printf(&b, "time in state p50 %s p90 %s p99 %s max %s (%" PRIu64 " left it)", a, b2,
		  c, d, (uint64_t)r->samples);
	b = lb_start(scr, TOP_A_NORMAL);
	lb_put(&b, "history ");
	n = top_history(m, r->state, h, TOP_HISTORY);
	put_spark(&b, h, n, scr->width - 9, o->utf8);
	for (int into = 1; into >= 0; into--) {
		size_t k = top_transitions_of(m, r->state, into, t, 4);

		if (rows - ((int)scr->nr - start) < 2)
			break;
		b = lb_start(scr, TOP_A_TITLE);
		lb_printf(&b, "%s %s", into ? "into" : "out of", ss_name(r->state));
		lb_fill(&b);
		for (size_t i = 0; i < k && rows - ((int)scr->nr - start) > 1; i++) {
			b = lb_start(scr, TOP_A_NORMAL);
			fmt_trans(buf, sizeof(buf), &t[i]);
			lb_printf(&b, "  %s", buf);
		}
		if (!k) {
			b = lb_start(scr, TOP_A_DIM);
			lb_put(&b, "  (none counted)");
		}
	}
	render_culprits(m, scr, r->state, rows - ((int)scr->nr - start));
}

static void render_nspick(const struct top_model *m, struct top_screen *scr, int rows)
{
	size_t total = m->nr_ns + 1, first = 0;
	struct lb b;

	if (rows < 2)
		return;
	b = lb_start(scr, TOP_A_TITLE);
	lb_put(&b, m->all_netns ? "Namespace (Up/Down, Enter: choose, Esc: back)" :
		   "Namespace: only this one is read; start with --all-netns for all");
	lb_fill(&b);
	rows--;
	if (m->ns_cursor >= (size_t)rows)
		first = m->ns_cursor - rows + 1;
	for (size_t i = first; i < total && (int)(i - first) < rows; i++) {
		b = lb_start(scr, i == m->ns_cursor ? TOP_A_SELECTED : TOP_A_NORMAL);
		if (i == 0) {
			lb_printf(&b, "  all namespaces (%zu)", m->nr_ns);
		} else {
			const struct top_ns *ns = &m->ns[i - 1];

			lb_printf(&b, "  %-10u %-24s %8" PRId64 " sockets%s", ns->inum,
				  ns->name[0] ? ns->name : "-", (int64_t)ns->total,
				  ns->inum == m->self_inum ? "  (own)" : "");
		}
		if (i == m->ns_cursor)
			lb_fill(&b);
	}
}

static void render_keys(const struct top_model *m, struct top_screen *scr)
{
	struct lb b = lb_start(scr, TOP_A_TITLE);

	lb_printf(&b, "q quit h help s sort:%s n netns p %s +/- interval r reset Enter detail",
		  top_sort_name(m->sort), m->paused ? "resume" : "pause");
	lb_fill(&b);
}

void top_render(const struct top_model *m, const struct top_render_opts *o,
		struct top_screen *scr)
{
	int w = o->width > 0 ? o->width : 120;
	int rows;

	scr->nr = 0;
	scr->width = w > TOP_WIDTH_MAX ? TOP_WIDTH_MAX : w;
	scr->height = o->height > 0 ? (o->height > TOP_LINES_MAX ? TOP_LINES_MAX : o->height) : 0;
	/* The body stops one line short of the bottom: the key bar's. */
	scr->limit = scr->height ? (size_t)scr->height - 1 : TOP_LINES_MAX;
	render_header(m, o, scr);
	/* Alerts: up to 3 lines at 24 rows, more on a taller screen. */
	render_alerts(m, scr, scr->height ? (scr->height >= 30 ? 6 : scr->height >= 20 ? 3 : 1) :
			      TOP_MAX_ALERTS + 1);
	if (m->view == TOP_VIEW_HELP) {
		render_help(scr, rows_left(scr, 1));
		goto keys;
	}
	if (m->view == TOP_VIEW_NSPICK) {
		render_nspick(m, scr, rows_left(scr, 1));
		goto keys;
	}
	if (m->view == TOP_VIEW_DETAIL) {
		render_detail(m, o, scr, rows_left(scr, 1));
		goto keys;
	}
	render_table(m, o, scr, true);
	rows = rows_left(scr, 1);
	if (scr->height) {
		/*
		 * Both sections when they fit; else the culprits get up to
		 * half (at least their title and one line), the transitions
		 * and listeners the rest.
		 */
		size_t nl = m->nr_trans > m->nr_listeners ? m->nr_trans : m->nr_listeners;
		int lower = 1 + (int)(scr->width >= 80 ? (nl ? nl : 1) :
				      (m->nr_trans ? m->nr_trans : 1) + 1 +
				      (m->nr_listeners ? m->nr_listeners : 1));
		int culp = 1 + (int)(m->nr_culprits ? m->nr_culprits : 1);

		if (lower + culp > rows) {
			if (culp > rows / 2)
				culp = rows / 2 > 2 ? rows / 2 : 2;
			lower = rows - culp;
		}
		render_lower(m, scr, lower);
		render_culprits(m, scr, -1, rows_left(scr, 1));
	} else {
		render_lower(m, scr, TOP_MAX_TRANSITIONS + 1);
		render_culprits(m, scr, -1, TOP_MAX_CULPRITS + 1);
	}
keys:
	if (scr->height)
		while ((int)scr->nr < scr->height - 1)
			lb_start(scr, TOP_A_NORMAL);
	/* The key bar is for a terminal; a plain frame goes without. */
	if (scr->height) {
		scr->limit = scr->height;
		render_keys(m, scr);
	}
}

int top_render_plain(FILE *f, const struct top_screen *scr)
{
	for (size_t i = 0; i < scr->nr; i++) {
		const char *t = scr->lines[i].text;
		size_t n = strlen(t);

		while (n && t[n - 1] == ' ')
			n--;
		fwrite(t, 1, n, f);
		fputc('\n', f);
	}
	if (fflush(f) || ferror(f))
		return -(errno ? errno : EIO);
	return 0;
}
