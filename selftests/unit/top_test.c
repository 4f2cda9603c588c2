// SPDX-License-Identifier: GPL-2.0
/*
 * top_test.c - user/model_top.c and user/render_top.c without a terminal:
 * counts, changes, rates, history, time in state, transitions, listeners,
 * sorting, namespaces, pause, interval, rate reset, selection, detail, the
 * culprit and alert seams; and that every layout fits its screen.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "hist.h"
#include "model_top.h"
#include "render_top.h"
#include "states.h"
#include "tap.h"

#define NS_A	4026531840u
#define NS_B	4026532000u
#define SEC	1000000000ULL

static struct top_model m;
static struct top_screen scr;

/* A snapshot of up to two namespaces, built by hand. */
struct fixture {
	struct ts_snapshot snap;
	struct ts_netns ns[2];
	struct tcpstate_listener l[3];
};

static void fx_init(struct fixture *f, size_t nr_ns, __u64 t)
{
	memset(f, 0, sizeof(*f));
	f->snap.source = "bpf";
	f->snap.taken_ns = t;
	f->snap.nr_netns = nr_ns;
	f->snap.netns = f->ns;
	f->ns[0].inum = NS_A;
	f->ns[1].inum = NS_B;
}

static void set_live(struct fixture *f, int i, int state, __s64 n)
{
	f->ns[i].st.live[state] = n;
}

static void add_trans(struct fixture *f, int i, int from, int to, __u64 n)
{
	f->ns[i].st.transitions[from][to] += n;
}

static const struct top_row *row(int state)
{
	const struct top_row *r = top_row_of(&m, state);

	if (!r)
		abort();
	return r;
}

TEST(first_frame_counts_and_unknown_change)
{
	struct fixture f;

	fx_init(&f, 1, 10 * SEC);
	set_live(&f, 0, TCPSTATE_ST_ESTABLISHED, 5);
	set_live(&f, 0, TCPSTATE_ST_CLOSE_WAIT, 7);
	add_trans(&f, 0, TCPSTATE_ST_ESTABLISHED, TCPSTATE_ST_CLOSE_WAIT, 20);
	f.snap.counting_ns = 10 * SEC;
	top_init(&m, 1, false, NS_A);
	ASSERT_EQ(top_feed(&m, &f.snap), 0);
	EXPECT_EQ(m.nr_rows, nr_live_states);
	EXPECT_EQ(row(TCPSTATE_ST_ESTABLISHED)->count, 5);
	EXPECT_EQ(row(TCPSTATE_ST_CLOSE_WAIT)->count, 7);
	EXPECT_EQ(m.total, 12);
	EXPECT_TRUE(!row(TCPSTATE_ST_CLOSE_WAIT)->change_known);
	/* The first frame's rate: the average since the collector started. */
	EXPECT_EQ((long)(row(TCPSTATE_ST_CLOSE_WAIT)->rate * 10), 20);
	EXPECT_STREQ(m.source, "bpf");
}

TEST(change_and_rate_between_frames)
{
	struct fixture f;

	fx_init(&f, 1, 10 * SEC);
	set_live(&f, 0, TCPSTATE_ST_CLOSE_WAIT, 7);
	add_trans(&f, 0, TCPSTATE_ST_ESTABLISHED, TCPSTATE_ST_CLOSE_WAIT, 20);
	top_init(&m, 1, false, NS_A);
	top_feed(&m, &f.snap);
	f.snap.taken_ns = 12 * SEC;
	set_live(&f, 0, TCPSTATE_ST_CLOSE_WAIT, 17);
	add_trans(&f, 0, TCPSTATE_ST_ESTABLISHED, TCPSTATE_ST_CLOSE_WAIT, 10);
	top_feed(&m, &f.snap);
	EXPECT_TRUE(row(TCPSTATE_ST_CLOSE_WAIT)->change_known);
	EXPECT_EQ(row(TCPSTATE_ST_CLOSE_WAIT)->change, 10);
	EXPECT_EQ((long)(row(TCPSTATE_ST_CLOSE_WAIT)->rate * 10), 50);	/* 10 in 2 s */
	EXPECT_EQ((long)(m.dt_s * 10), 20);
	EXPECT_UEQ(row(TCPSTATE_ST_CLOSE_WAIT)->entered, 30);	/* no r: since load */
	/* A counter that went back (collector reloaded) is no negative rate. */
	f.snap.taken_ns = 13 * SEC;
	f.ns[0].st.transitions[TCPSTATE_ST_ESTABLISHED][TCPSTATE_ST_CLOSE_WAIT] = 1;
	top_feed(&m, &f.snap);
	EXPECT_TRUE(row(TCPSTATE_ST_CLOSE_WAIT)->rate >= 0);
}

TEST(history_ring_keeps_the_last_samples_oldest_first)
{
	struct fixture f;
	__s64 h[TOP_HISTORY];
	size_t n;

	fx_init(&f, 1, SEC);
	top_init(&m, 1, false, NS_A);
	for (int i = 0; i < TOP_HISTORY + 5; i++) {
		f.snap.taken_ns = (__u64)(i + 1) * SEC;
		set_live(&f, 0, TCPSTATE_ST_TIME_WAIT, i);
		top_feed(&m, &f.snap);
	}
	n = top_history(&m, TCPSTATE_ST_TIME_WAIT, h, TOP_HISTORY);
	ASSERT_EQ(n, TOP_HISTORY);
	EXPECT_EQ(h[0], 5);
	EXPECT_EQ(h[TOP_HISTORY - 1], TOP_HISTORY + 4);
	n = top_history(&m, TCPSTATE_ST_TIME_WAIT, h, 3);
	ASSERT_EQ(n, 3);
	EXPECT_EQ(h[2], TOP_HISTORY + 4);
	EXPECT_EQ(row(TCPSTATE_ST_TIME_WAIT)->peak, TOP_HISTORY + 4);
	EXPECT_EQ(top_history(&m, 99, h, 3), 0);
}

TEST(time_in_state_from_the_histograms)
{
	struct fixture f;
	const struct top_row *r;

	fx_init(&f, 1, SEC);
	/* 99 sockets left TIME_WAIT after ~60 s, one after ~1 ms. */
	f.ns[0].st.duration[TCPSTATE_ST_TIME_WAIT][hist_slot_of_us(60000000)] = 99;
	f.ns[0].st.duration[TCPSTATE_ST_TIME_WAIT][hist_slot_of_us(1000)] = 1;
	top_init(&m, 1, false, NS_A);
	top_feed(&m, &f.snap);
	r = row(TCPSTATE_ST_TIME_WAIT);
	EXPECT_UEQ(r->samples, 100);
	EXPECT_UEQ(r->p50_us, hist_quantile_us(f.ns[0].st.duration[TCPSTATE_ST_TIME_WAIT], 0.5));
	EXPECT_UEQ(r->p99_us, hist_quantile_us(f.ns[0].st.duration[TCPSTATE_ST_TIME_WAIT], 0.99));
	EXPECT_TRUE(r->p50_us >= 33554432 / 2 && r->p50_us < 67108864);
	EXPECT_UEQ(row(TCPSTATE_ST_ESTABLISHED)->samples, 0);
}

TEST(busiest_transitions_by_rate_then_total)
{
	struct fixture f;

	fx_init(&f, 1, SEC);
	add_trans(&f, 0, TCPSTATE_ST_CLOSE, TCPSTATE_ST_SYN_SENT, 1000);
	add_trans(&f, 0, TCPSTATE_ST_ESTABLISHED, TCPSTATE_ST_CLOSE_WAIT, 5);
	top_init(&m, 1, false, NS_A);
	top_feed(&m, &f.snap);
	ASSERT_EQ(m.nr_trans, 2);
	EXPECT_EQ(m.trans[0].from, TCPSTATE_ST_CLOSE);	/* no rate yet: by total */
	f.snap.taken_ns = 2 * SEC;
	add_trans(&f, 0, TCPSTATE_ST_ESTABLISHED, TCPSTATE_ST_CLOSE_WAIT, 50);
	add_trans(&f, 0, TCPSTATE_ST_CLOSE, TCPSTATE_ST_SYN_SENT, 1);
	top_feed(&m, &f.snap);
	ASSERT_EQ(m.nr_trans, 2);
	EXPECT_EQ(m.trans[0].to, TCPSTATE_ST_CLOSE_WAIT);
	EXPECT_EQ((long)m.trans[0].rate, 50);
	EXPECT_UEQ(m.trans[0].since_base, 55);	/* no r: since load */
}

TEST(reset_rates_restarts_averages_and_totals)
{
	struct fixture f;
	unsigned int act;

	fx_init(&f, 1, SEC);
	add_trans(&f, 0, TCPSTATE_ST_ESTABLISHED, TCPSTATE_ST_CLOSE_WAIT, 5);
	top_init(&m, 1, false, NS_A);
	top_feed(&m, &f.snap);
	f.snap.taken_ns = 2 * SEC;
	add_trans(&f, 0, TCPSTATE_ST_ESTABLISHED, TCPSTATE_ST_CLOSE_WAIT, 10);
	top_feed(&m, &f.snap);
	EXPECT_UEQ(row(TCPSTATE_ST_CLOSE_WAIT)->entered, 15);	/* since load */
	act = top_key(&m, 'r');
	EXPECT_TRUE(act & TOP_ACT_REDRAW);
	EXPECT_UEQ(row(TCPSTATE_ST_CLOSE_WAIT)->entered, 0);
	EXPECT_TRUE(row(TCPSTATE_ST_CLOSE_WAIT)->avg_rate < 0);
	f.snap.taken_ns = 4 * SEC;
	add_trans(&f, 0, TCPSTATE_ST_ESTABLISHED, TCPSTATE_ST_CLOSE_WAIT, 4);
	top_feed(&m, &f.snap);
	EXPECT_UEQ(row(TCPSTATE_ST_CLOSE_WAIT)->entered, 4);
	EXPECT_EQ((long)(row(TCPSTATE_ST_CLOSE_WAIT)->avg_rate * 10), 20);	/* 4 in 2 s */
	EXPECT_UEQ(m.trans[0].since_base, 4);
}

TEST(sort_cycles_and_selection_follows_its_state)
{
	struct fixture f;

	fx_init(&f, 1, SEC);
	set_live(&f, 0, TCPSTATE_ST_LISTEN, 3);
	set_live(&f, 0, TCPSTATE_ST_TIME_WAIT, 900);
	top_init(&m, 1, false, NS_A);
	top_feed(&m, &f.snap);
	EXPECT_EQ(m.rows[0].state, live_states[0]);	/* state order */
	/* Select TIME_WAIT by moving down to it. */
	while (top_selected(&m)->state != TCPSTATE_ST_TIME_WAIT)
		top_key(&m, TOP_KEY_DOWN);
	top_key(&m, 's');
	EXPECT_EQ(m.sort, TOP_SORT_COUNT);
	EXPECT_EQ(m.rows[0].state, TCPSTATE_ST_TIME_WAIT);
	EXPECT_EQ(m.rows[1].state, TCPSTATE_ST_LISTEN);
	EXPECT_EQ(top_selected(&m)->state, TCPSTATE_ST_TIME_WAIT);
	EXPECT_EQ(m.sel, 0);
	for (int i = 1; i < TOP_SORT_NR; i++)
		top_key(&m, 's');
	EXPECT_EQ(m.sort, TOP_SORT_STATE);
	EXPECT_STREQ(top_sort_name(TOP_SORT_P99), "p99");
	top_key(&m, TOP_KEY_HOME);
	EXPECT_EQ(m.sel, 0);
	top_key(&m, TOP_KEY_UP);
	EXPECT_EQ(m.sel, 0);
	top_key(&m, TOP_KEY_END);
	EXPECT_EQ(m.sel, m.nr_rows - 1);
}

TEST(pause_keeps_the_frame)
{
	struct fixture f;

	fx_init(&f, 1, SEC);
	set_live(&f, 0, TCPSTATE_ST_ESTABLISHED, 1);
	top_init(&m, 1, false, NS_A);
	top_feed(&m, &f.snap);
	top_key(&m, 'p');
	EXPECT_TRUE(m.paused);
	f.snap.taken_ns = 2 * SEC;
	set_live(&f, 0, TCPSTATE_ST_ESTABLISHED, 50);
	EXPECT_EQ(top_feed(&m, &f.snap), -EAGAIN);
	EXPECT_EQ(row(TCPSTATE_ST_ESTABLISHED)->count, 1);
	EXPECT_UEQ(m.frames, 1);
	top_key(&m, 'p');
	EXPECT_EQ(top_feed(&m, &f.snap), 0);
	EXPECT_EQ(row(TCPSTATE_ST_ESTABLISHED)->count, 50);
	EXPECT_EQ(row(TCPSTATE_ST_ESTABLISHED)->change, 49);
}

TEST(interval_ladder)
{
	unsigned int act;

	top_init(&m, 1, false, NS_A);
	act = top_key(&m, '+');
	EXPECT_TRUE(act & TOP_ACT_INTERVAL);
	EXPECT_EQ((long)(m.interval_s * 100), 200);
	top_key(&m, '-');
	top_key(&m, '-');
	EXPECT_EQ((long)(m.interval_s * 100), 50);
	for (int i = 0; i < 10; i++)
		top_key(&m, '-');
	EXPECT_EQ((long)(m.interval_s * 100), 25);
	for (int i = 0; i < 20; i++)
		top_key(&m, '+');
	EXPECT_EQ((long)m.interval_s, 60);
	/* From a value off the ladder: the next one up or down. */
	EXPECT_EQ((long)(top_interval_step(1.5, 1) * 10), 20);
	EXPECT_EQ((long)(top_interval_step(1.5, -1) * 10), 10);
}

TEST(namespace_choice_changes_scope_and_restarts_history)
{
	struct fixture f;
	unsigned int act;

	fx_init(&f, 2, SEC);
	set_live(&f, 0, TCPSTATE_ST_ESTABLISHED, 2);
	set_live(&f, 1, TCPSTATE_ST_ESTABLISHED, 30);
	top_init(&m, 1, true, NS_A);
	top_feed(&m, &f.snap);
	EXPECT_EQ(m.scope, 0);
	EXPECT_EQ(row(TCPSTATE_ST_ESTABLISHED)->count, 32);
	EXPECT_EQ(m.nr_ns, 2);
	EXPECT_EQ(m.ns[1].total, 30);
	/* Names the caller filled stay with their namespace as others come. */
	snprintf(m.ns[1].name, sizeof(m.ns[1].name), "web");
	f.ns[0].inum = NS_A - 5;
	top_feed(&m, &f.snap);
	EXPECT_STREQ(m.ns[1].name, "web");
	EXPECT_STREQ(m.ns[0].name, "");
	f.ns[0].inum = NS_A;
	act = top_key(&m, 'n');
	EXPECT_EQ(m.view, TOP_VIEW_NSPICK);
	EXPECT_EQ(m.ns_cursor, 0);
	top_key(&m, TOP_KEY_DOWN);
	top_key(&m, TOP_KEY_DOWN);
	top_key(&m, TOP_KEY_DOWN);	/* clamps at the last */
	act = top_key(&m, TOP_KEY_ENTER);
	EXPECT_TRUE(act & TOP_ACT_REFEED);
	EXPECT_EQ(m.view, TOP_VIEW_TABLE);
	EXPECT_EQ(m.scope, NS_B);
	EXPECT_EQ(m.hist_len, 0);
	top_feed(&m, &f.snap);
	EXPECT_EQ(row(TCPSTATE_ST_ESTABLISHED)->count, 30);
	EXPECT_TRUE(!row(TCPSTATE_ST_ESTABLISHED)->change_known);
	/* Esc leaves the picker without a change. */
	top_key(&m, 'n');
	EXPECT_EQ(m.ns_cursor, 2);
	act = top_key(&m, TOP_KEY_ESC);
	EXPECT_TRUE(!(act & TOP_ACT_REFEED));
	EXPECT_EQ(m.scope, NS_B);
	/* Back to all. */
	top_key(&m, 'n');
	top_key(&m, TOP_KEY_HOME);
	act = top_key(&m, TOP_KEY_ENTER);
	EXPECT_TRUE(act & TOP_ACT_REFEED);
	EXPECT_EQ(m.scope, 0);
}

TEST(without_all_netns_the_scope_stays_own)
{
	struct fixture f;

	fx_init(&f, 0, SEC);
	top_init(&m, 1, false, NS_A);
	top_feed(&m, &f.snap);
	EXPECT_EQ(m.nr_ns, 1);
	EXPECT_EQ(m.ns[0].inum, NS_A);
	top_key(&m, 'n');
	top_key(&m, TOP_KEY_HOME);
	EXPECT_TRUE(!(top_key(&m, TOP_KEY_ENTER) & TOP_ACT_REFEED));
	EXPECT_EQ(m.scope, NS_A);
}

TEST(listeners_fullest_first_in_scope)
{
	struct fixture f;

	fx_init(&f, 2, SEC);
	f.snap.listeners_known = true;
	f.snap.listeners = f.l;
	f.snap.nr_listeners = 3;
	f.l[0] = (struct tcpstate_listener){ .netns = NS_A, .port = 80, .family = AF_INET,
					     .accept_queue = 1, .accept_max = 128 };
	f.l[1] = (struct tcpstate_listener){ .netns = NS_A, .port = 8080, .family = AF_INET6,
					     .accept_queue = 128, .accept_max = 128,
					     .syn_recv = 9 };
	f.l[2] = (struct tcpstate_listener){ .netns = NS_B, .port = 22, .family = AF_INET,
					     .accept_queue = 5, .accept_max = 10 };
	top_init(&m, 1, true, NS_A);
	top_feed(&m, &f.snap);
	ASSERT_EQ(m.nr_listeners, 3);
	EXPECT_EQ(m.listeners[0].port, 8080);
	EXPECT_EQ((long)(m.listeners[0].use * 100), 100);
	EXPECT_EQ(m.listeners[1].port, 22);
	EXPECT_EQ(m.listeners[2].port, 80);
	m.scope = NS_A;
	top_feed(&m, &f.snap);
	ASSERT_EQ(m.nr_listeners, 2);
	EXPECT_EQ(m.listeners_total, 2);
	EXPECT_EQ(m.listeners[0].syn_recv, 9);
}

TEST(health_over_the_scope)
{
	struct fixture f;

	fx_init(&f, 2, SEC);
	f.snap.errors.count[TCPSTATE_ERR_MISSED_EVENT] = 3;
	f.snap.errors.count[TCPSTATE_ERR_TW_FULL] = 1;
	f.snap.events_missed = 2;
	f.ns[1].check.done = true;
	f.ns[1].check.verdict = 3;
	f.ns[1].check.drifts = 4;
	top_init(&m, 1, true, NS_A);
	top_feed(&m, &f.snap);
	EXPECT_UEQ(m.health.errors, 4);
	EXPECT_EQ(m.health.worst_error, TCPSTATE_ERR_MISSED_EVENT);
	EXPECT_UEQ(m.health.events_missed, 2);
	EXPECT_EQ(m.health.verdict, 3);
	EXPECT_UEQ(m.health.drifts, 4);
	m.scope = NS_A;
	top_feed(&m, &f.snap);
	EXPECT_EQ(m.health.verdict, -1);
}

TEST(enter_opens_detail_and_asks_for_culprits)
{
	struct fixture f;
	unsigned int act;

	fx_init(&f, 1, SEC);
	top_init(&m, 1, false, NS_A);
	top_feed(&m, &f.snap);
	act = top_key(&m, TOP_KEY_ENTER);
	EXPECT_TRUE(act & TOP_ACT_CULPRITS);
	EXPECT_EQ(m.view, TOP_VIEW_DETAIL);
	top_key(&m, TOP_KEY_ENTER);
	EXPECT_EQ(m.view, TOP_VIEW_TABLE);
	top_key(&m, 'h');
	EXPECT_EQ(m.view, TOP_VIEW_HELP);
	top_key(&m, '?');
	EXPECT_EQ(m.view, TOP_VIEW_TABLE);
	EXPECT_TRUE(top_key(&m, 'q') & TOP_ACT_QUIT);
	EXPECT_EQ(top_key(&m, 'x'), 0);
}

TEST(culprits_and_alerts_seams)
{
	struct top_culprit c[3] = {
		{ .state = TCPSTATE_ST_CLOSE_WAIT, .netns = NS_A, .lport = 8080, .pid = 42,
		  .comm = "leaky", .sockets = 10, .age_s = 30 },
		{ .state = TCPSTATE_ST_TIME_WAIT, .netns = NS_A, .lport = 40000,
		  .sockets = 500 },
		{ .state = TCPSTATE_ST_CLOSE_WAIT, .netns = NS_B, .lport = 1, .sockets = 1 },
	};
	struct top_alert a[2] = {
		{ .severity = TOP_SEV_WARNING, .text = "time_wait high" },
		{ .severity = TOP_SEV_CRITICAL, .text = "close_wait leak" },
	};

	top_init(&m, 1, false, NS_A);
	EXPECT_TRUE(!m.culprits_known);
	top_set_culprits(&m, c, 3);
	EXPECT_TRUE(m.culprits_known);
	ASSERT_EQ(m.nr_culprits, 2);	/* the other namespace's is out of scope */
	EXPECT_EQ(m.culprits[0].sockets, 500);
	EXPECT_STREQ(m.culprits[1].comm, "leaky");
	top_set_alerts(&m, a, 2);
	ASSERT_EQ(m.nr_alerts, 2);
	EXPECT_EQ(m.alerts[0].severity, TOP_SEV_CRITICAL);
}

/* ---------------------------------------------------------------- layout */

/* Cells of a UTF-8 line: every glyph used here is one cell. */
static int cells(const char *s)
{
	int n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void busy_model(void)
{
	static struct fixture f;
	struct top_culprit c = { .state = TCPSTATE_ST_CLOSE_WAIT, .netns = NS_A, .lport = 8080,
				 .family = AF_INET, .raddr = { 127, 0, 0, 1 }, .pid = 4242,
				 .comm = "tcphold", .sockets = 200, .age_s = 75 };
	struct top_alert a = { .severity = TOP_SEV_CRITICAL,
			       .text = "close_wait 200 sockets in netns 4026531840" };

	fx_init(&f, 2, SEC);
	top_init(&m, 1, true, NS_A);
	snprintf(m.kernel, sizeof(m.kernel), "6.18.0-test");
	f.snap.listeners_known = true;
	f.snap.listeners = f.l;
	f.snap.nr_listeners = 1;
	f.l[0] = (struct tcpstate_listener){ .netns = NS_A, .port = 8080, .family = AF_INET,
					     .accept_queue = 3, .accept_max = 128 };
	for (int i = 0; i < 30; i++) {
		f.snap.taken_ns = (__u64)(i + 1) * SEC;
		set_live(&f, 0, TCPSTATE_ST_CLOSE_WAIT, i * 7);
		set_live(&f, 1, TCPSTATE_ST_TIME_WAIT, 1000 + i * 100);
		add_trans(&f, 0, TCPSTATE_ST_ESTABLISHED, TCPSTATE_ST_CLOSE_WAIT, 7);
		add_trans(&f, 1, TCPSTATE_ST_FIN_WAIT2, TCPSTATE_ST_CLOSE, 100);
		top_feed(&m, &f.snap);
	}
	top_set_culprits(&m, &c, 1);
	top_set_alerts(&m, &a, 1);
}

static void check_fits(int w, int h, bool utf8)
{
	struct top_render_opts o = { .width = w, .height = h, .utf8 = utf8, .clock = "12:00:00" };

	top_render(&m, &o, &scr);
	EXPECT_EQ(scr.nr, (size_t)h);
	for (size_t i = 0; i < scr.nr; i++)
		if (cells(scr.lines[i].text) > w)
			tap_fail(__FILE__, __LINE__, "%dx%d line %zu has %d cells: %s", w, h, i,
				 cells(scr.lines[i].text), scr.lines[i].text);
	EXPECT_STRSTR(scr.lines[scr.nr - 1].text, "q quit");
}

static const char *find_line(const char *needle)
{
	for (size_t i = 0; i < scr.nr; i++)
		if (strstr(scr.lines[i].text, needle))
			return scr.lines[i].text;
	return NULL;
}

TEST(layout_fits_80x24_60x20_200x60)
{
	busy_model();
	check_fits(80, 24, true);
	/* At 80x24 everything the issue names is on the screen. */
	EXPECT_TRUE(find_line("tcpstate top") != NULL);
	EXPECT_TRUE(find_line("CRIT close_wait 200") != NULL);
	EXPECT_TRUE(find_line("CLOSE-WAIT") != NULL);
	EXPECT_TRUE(find_line("TOTAL") != NULL);
	EXPECT_TRUE(find_line("ESTAB     >CLOSE-WAIT") != NULL);
	EXPECT_TRUE(find_line("8080    3/128") != NULL);
	EXPECT_TRUE(find_line("4242/tcphold") != NULL);
	check_fits(60, 20, false);
	EXPECT_TRUE(find_line("CLOSE-WAIT") != NULL);
	check_fits(200, 60, true);
	check_fits(20, 5, false);
	for (int v = 0; v < 3; v++) {
		top_key(&m, v == 0 ? 'h' : v == 1 ? 'n' : TOP_KEY_ENTER);
		check_fits(80, 24, true);
		check_fits(60, 20, false);
		top_key(&m, TOP_KEY_ESC);
	}
}

TEST(views_show_what_their_key_says)
{
	busy_model();
	top_key(&m, 'h');
	check_fits(80, 24, false);
	EXPECT_TRUE(find_line("cycle the sort") != NULL);
	top_key(&m, 'h');
	top_key(&m, 'n');
	check_fits(80, 24, false);
	EXPECT_TRUE(find_line("all namespaces (2)") != NULL);
	EXPECT_TRUE(find_line("4026532000") != NULL);
	top_key(&m, TOP_KEY_ESC);
	while (top_selected(&m)->state != TCPSTATE_ST_CLOSE_WAIT)
		top_key(&m, TOP_KEY_DOWN);
	top_key(&m, TOP_KEY_ENTER);
	check_fits(80, 24, false);
	EXPECT_TRUE(find_line("CLOSE-WAIT detail") != NULL);
	EXPECT_TRUE(find_line("into CLOSE-WAIT") != NULL);
	EXPECT_TRUE(find_line("4242/tcphold") != NULL);
	top_key(&m, TOP_KEY_ENTER);
	top_key(&m, 'p');
	check_fits(80, 24, false);
	EXPECT_STRSTR(scr.lines[0].text, "PAUSED");
	top_key(&m, 's');
	check_fits(80, 24, false);
	EXPECT_STRSTR(scr.lines[scr.nr - 1].text, "sort:count");
}

TEST(plain_frame_has_every_row_and_no_key_bar)
{
	struct top_render_opts o = { .width = 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	busy_model();
	top_render(&m, &o, &scr);
	f = open_memstream(&buf, &len);
	ASSERT_TRUE(f != NULL);
	EXPECT_EQ(top_render_plain(f, &scr), 0);
	fclose(f);
	EXPECT_STRSTR(buf, "CLOSE-WAIT      203");
	EXPECT_STRSTR(buf, "TIME-WAIT      3900");
	EXPECT_TRUE(!strstr(buf, "q quit"));
	EXPECT_TRUE(!strstr(buf, "\xe2\x96"));	/* no block characters */
	EXPECT_TRUE(!strstr(buf, " \n"));	/* no trailing blanks */
	free(buf);
}
