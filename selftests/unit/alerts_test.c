// SPDX-License-Identifier: GPL-2.0
/*
 * alerts_test.c - user/model_alerts.c: levels, hysteresis, hold times (a
 * value oscillating around a threshold does not flap), subjects that
 * vanish, the growth window, time to exhaustion, the O(1) lookup gates.
 */
#include <stdio.h>
#include <string.h>
#include "model_alerts.h"
#include "tap.h"

static struct alert_rules rules(double hold)
{
	struct alert_rules r = { .hysteresis = 0.1, .hold_s = hold, .growth_window_s = 60 };

	r.th[ALERT_CLOSE_WAIT_COUNT] = (struct alert_threshold){ 100, 1000 };
	r.th[ALERT_PORT_USE] = (struct alert_threshold){ 0.7, 0.9 };
	r.th[ALERT_TIME_WAIT_GROWTH] = (struct alert_threshold){ 10, 0 };
	return r;
}

static struct alert_obs cw(double v)
{
	struct alert_obs o = { .kind = ALERT_CLOSE_WAIT_COUNT, .netns = 4026531840u,
			       .value = v, .count = v };
	return o;
}

static int level_of(struct alert_table *t)
{
	const struct alert_state *a[4];

	return alert_table_active(t, a, 4) ? a[0]->level : ALERT_OK;
}

TEST(fires_and_resolves_without_hold)
{
	struct alert_rules r = rules(0);
	struct alert_table *t = alert_table_new(8);
	struct alert_event ev[4];
	struct alert_obs o = cw(150);

	ASSERT_TRUE(t != NULL);
	EXPECT_EQ(alert_table_update(t, &r, &o, 1, 1, ev, 4), 1);
	EXPECT_EQ(ev[0].st.level, ALERT_WARNING);
	EXPECT_EQ(ev[0].old_level, ALERT_OK);
	o = cw(2000);
	EXPECT_EQ(alert_table_update(t, &r, &o, 1, 2, ev, 4), 1);
	EXPECT_EQ(ev[0].st.level, ALERT_CRITICAL);
	o = cw(10);
	EXPECT_EQ(alert_table_update(t, &r, &o, 1, 3, ev, 4), 1);
	EXPECT_EQ(ev[0].st.level, ALERT_OK);
	EXPECT_EQ(ev[0].old_level, ALERT_CRITICAL);
	EXPECT_EQ(level_of(t), ALERT_OK);
	alert_table_free(t);
}

TEST(oscillation_around_a_threshold_does_not_flap)
{
	struct alert_rules r = rules(30);
	struct alert_table *t = alert_table_new(8);
	struct alert_event ev[4];
	int changes = 0;

	ASSERT_TRUE(t != NULL);
	/* 95, 105, 95, 105 ... every 5 s for 10 minutes: hysteresis band 90..100. */
	for (int i = 0; i < 120; i++) {
		struct alert_obs o = cw(i % 2 ? 105 : 95);
		int n = alert_table_update(t, &r, &o, 1, i * 5.0, ev, 4);

		changes += n;
	}
	/* Above the threshold never for 30 s in a row: never fired. */
	EXPECT_EQ(changes, 0);
	/* Now it rises and stays for the hold: fires once. */
	for (int i = 120; i < 140; i++) {
		struct alert_obs o = cw(120);

		changes += alert_table_update(t, &r, &o, 1, i * 5.0, ev, 4);
	}
	EXPECT_EQ(changes, 1);
	EXPECT_EQ(level_of(t), ALERT_WARNING);
	/* Oscillating 95/105 inside the band: stays fired, no resolve. */
	for (int i = 140; i < 260; i++) {
		struct alert_obs o = cw(i % 2 ? 105 : 95);

		changes += alert_table_update(t, &r, &o, 1, i * 5.0, ev, 4);
	}
	EXPECT_EQ(changes, 1);
	EXPECT_EQ(level_of(t), ALERT_WARNING);
	/* 85, 105 alternating: below the band, but never for 30 s. */
	for (int i = 260; i < 300; i++) {
		struct alert_obs o = cw(i % 2 ? 105 : 85);

		changes += alert_table_update(t, &r, &o, 1, i * 5.0, ev, 4);
	}
	EXPECT_EQ(changes, 1);
	/* Below for the hold: resolves once. */
	for (int i = 300; i < 320; i++) {
		struct alert_obs o = cw(50);

		changes += alert_table_update(t, &r, &o, 1, i * 5.0, ev, 4);
	}
	EXPECT_EQ(changes, 2);
	EXPECT_EQ(level_of(t), ALERT_OK);
	alert_table_free(t);
}

TEST(hold_time_delays_fire_by_the_hold)
{
	struct alert_rules r = rules(10);
	struct alert_table *t = alert_table_new(8);
	struct alert_event ev[4];
	struct alert_obs o = cw(200);

	ASSERT_TRUE(t != NULL);
	EXPECT_EQ(alert_table_update(t, &r, &o, 1, 100, ev, 4), 0);
	EXPECT_EQ(alert_table_update(t, &r, &o, 1, 105, ev, 4), 0);
	EXPECT_EQ(alert_table_update(t, &r, &o, 1, 110, ev, 4), 1);
	EXPECT_EQ(ev[0].st.since, 110);
	alert_table_free(t);
}

TEST(a_vanished_subject_resolves)
{
	struct alert_rules r = rules(0);
	struct alert_table *t = alert_table_new(8);
	struct alert_event ev[4];
	struct alert_obs o = { .kind = ALERT_PORT_USE, .netns = 1, .value = 0.8,
			       .count = 800, .limit = 1000 };
	const struct alert_state *a[4];

	ASSERT_TRUE(t != NULL);
	strcpy(o.subject, "127.0.0.1 -> 127.0.0.2:80");
	EXPECT_EQ(alert_table_update(t, &r, &o, 1, 1, ev, 4), 1);
	EXPECT_EQ(alert_table_update(t, &r, NULL, 0, 2, ev, 4), 1);
	EXPECT_EQ(ev[0].st.level, ALERT_OK);
	EXPECT_STREQ(ev[0].st.obs.subject, "127.0.0.1 -> 127.0.0.2:80");
	EXPECT_EQ(alert_table_active(t, a, 4), 0);
	alert_table_free(t);
}

TEST(time_to_exhaustion_from_the_rate)
{
	struct alert_rules r = rules(0);
	struct alert_table *t = alert_table_new(8);
	struct alert_event ev[4];
	struct alert_obs o = { .kind = ALERT_PORT_USE, .netns = 1, .value = 0.5,
			       .count = 500, .limit = 1000 };
	const struct alert_state *a[4];

	ASSERT_TRUE(t != NULL);
	/* Tracked below the threshold (it has a limit): the rate is known. */
	EXPECT_EQ(alert_table_update(t, &r, &o, 1, 10, ev, 4), 0);
	o.value = 0.8;
	o.count = 800;
	EXPECT_EQ(alert_table_update(t, &r, &o, 1, 12, ev, 4), 1);
	EXPECT_TRUE(ev[0].st.rate == 150);
	/* 200 ports left at 150/s. */
	EXPECT_TRUE(ev[0].st.eta_s > 1.33 && ev[0].st.eta_s < 1.34);
	/* Steady: no exhaustion. */
	EXPECT_EQ(alert_table_update(t, &r, &o, 1, 14, ev, 4), 0);
	ASSERT_EQ(alert_table_active(t, a, 4), 1);
	EXPECT_TRUE(a[0]->eta_s == -1);
	alert_table_free(t);
}

TEST(table_is_bounded)
{
	struct alert_rules r = rules(0);
	struct alert_table *t = alert_table_new(2);
	struct alert_event ev[4];
	struct alert_obs o[3] = { cw(200), cw(200), cw(200) };

	ASSERT_TRUE(t != NULL);
	o[1].netns = 2;
	o[2].netns = 3;
	EXPECT_EQ(alert_table_update(t, &r, o, 3, 1, ev, 4), 2);
	EXPECT_UEQ(alert_table_dropped(t), 1);
	alert_table_free(t);
	EXPECT_TRUE(alert_table_new(0) == NULL);
}

TEST(growth_over_the_window)
{
	struct alert_rules r = rules(0);
	struct ts_netns ns = { .inum = 7 };
	struct alert_growth h = {};
	struct alert_obs obs[3];
	size_t n;

	ns.st.live[TCPSTATE_ST_TIME_WAIT] = 100;
	n = alerts_observe_netns(&ns, &r, &h, 0, obs);
	EXPECT_EQ(n, 2);	/* no growth from one sample */
	EXPECT_EQ(obs[0].kind, ALERT_TIME_WAIT_COUNT);
	EXPECT_TRUE(obs[0].value == 100);
	for (int i = 1; i <= 10; i++) {
		ns.st.live[TCPSTATE_ST_TIME_WAIT] = 100 + 30 * i;
		n = alerts_observe_netns(&ns, &r, &h, 15.0 * i, obs);
	}
	ASSERT_EQ(n, 3);
	EXPECT_EQ(obs[2].kind, ALERT_TIME_WAIT_GROWTH);
	/* 2 per second, over the last 60 s (and the sample at its start). */
	EXPECT_TRUE(obs[2].value == 2);
	EXPECT_TRUE(h.n <= 6);
}

TEST(lookup_gates_are_from_the_counts)
{
	struct alert_rules r = rules(0);
	struct ts_netns ns = { .inum = 7 };

	ns.limits.known = true;
	ns.limits.port_range_lo = 10000;
	ns.limits.port_range_hi = 10999;
	EXPECT_EQ(alerts_port_range(&ns.limits), 1000);
	ns.st.live[TCPSTATE_ST_LISTEN] = 5000;
	ns.st.live[TCPSTATE_ST_TIME_WAIT] = 500;
	EXPECT_UEQ(alerts_port_holders(&ns), 500);
	EXPECT_TRUE(!alerts_need_port_lookup(&ns, &r, false, -1));
	EXPECT_TRUE(alerts_need_port_lookup(&ns, &r, true, -1));
	/* Too few holders: the bound would not be read. */
	EXPECT_TRUE(!alerts_port_holders_may_warn(&ns, &r));
	ns.st.live[TCPSTATE_ST_ESTABLISHED] = 200;	/* 700 >= 0.7 * 0.9 * 1000 */
	EXPECT_TRUE(alerts_port_holders_may_warn(&ns, &r));
	EXPECT_TRUE(alerts_need_port_lookup(&ns, &r, false, -1));
	/* The collector's bound: no destination within 350 (half the warning). */
	EXPECT_TRUE(!alerts_need_port_lookup(&ns, &r, false, 349));
	EXPECT_TRUE(alerts_need_port_lookup(&ns, &r, false, 350));
	EXPECT_TRUE(alerts_need_port_lookup(&ns, &r, true, 0));	/* in force: measured */
	ns.limits.known = false;
	EXPECT_TRUE(!alerts_need_port_lookup(&ns, &r, true, -1));
	EXPECT_TRUE(!alerts_port_holders_may_warn(&ns, &r));	/* no range known */
	EXPECT_TRUE(!alerts_need_close_wait_lookup(&ns, &r));
	ns.st.live[TCPSTATE_ST_CLOSE_WAIT] = 1;
	EXPECT_TRUE(!alerts_need_close_wait_lookup(&ns, &r));	/* age alert off here */
	r.th[ALERT_CLOSE_WAIT_AGE].warning = 60;
	EXPECT_TRUE(alerts_need_close_wait_lookup(&ns, &r));
}

TEST(names_and_hints)
{
	EXPECT_STREQ(alert_kind_name(ALERT_CLOSE_WAIT_AGE), "close_wait_age_seconds");
	EXPECT_STREQ(alert_kind_name(ALERT_NKINDS), "unknown");
	EXPECT_STREQ(alert_level_name(ALERT_CRITICAL), "critical");
	EXPECT_STRSTR(alert_hints(ALERT_TIME_WAIT_COUNT)[4], "tcp_fin_timeout governs orphaned FIN_WAIT2");
	EXPECT_STRSTR(alert_hints(ALERT_PORT_USE)[5], "tcp_tw_recycle no longer exists");
	EXPECT_STRSTR(alert_hints(ALERT_CLOSE_WAIT_COUNT)[0], "not called close()");
	EXPECT_TRUE(alert_hints(99)[0] == NULL);
}

TEST(quiet_subjects_take_no_slot)
{
	struct alert_rules r = rules(0);
	struct alert_table *t = alert_table_new(2);
	struct alert_event ev[4];
	struct alert_obs o[40];

	ASSERT_TRUE(t != NULL);
	r.th[ALERT_ACCEPT_QUEUE] = (struct alert_threshold){ 0.9, 1.0 };
	/* 40 idle listeners and destinations far below: none tracked. */
	for (int i = 0; i < 40; i++) {
		memset(&o[i], 0, sizeof(o[i]));
		o[i].kind = i % 2 ? ALERT_ACCEPT_QUEUE : ALERT_PORT_USE;
		o[i].netns = 1;
		snprintf(o[i].subject, sizeof(o[i].subject), "127.0.0.1:%d", 1000 + i);
		o[i].value = 0.1;
		o[i].count = 1;
		o[i].limit = 10;
	}
	EXPECT_EQ(alert_table_update(t, &r, o, 40, 1, ev, 4), 0);
	EXPECT_UEQ(alert_table_dropped(t), 0);
	/* One that fills up still gets its slot and fires. */
	o[3].value = 1.0;
	EXPECT_EQ(alert_table_update(t, &r, o, 40, 2, ev, 4), 1);
	EXPECT_EQ(ev[0].st.level, ALERT_CRITICAL);
	EXPECT_STREQ(ev[0].st.obs.subject, "127.0.0.1:1003");
	alert_table_free(t);
}

/* A namespace of a 1,000-port range that has opened opens connections. */
static struct ts_netns opened(__u64 opens)
{
	struct ts_netns ns = { .inum = 7 };

	ns.limits.known = true;
	ns.limits.port_range_lo = 10000;
	ns.limits.port_range_hi = 10999;
	ns.st.transitions[TCPSTATE_ST_CLOSE][TCPSTATE_ST_SYN_SENT] = opens;
	return ns;
}

TEST(a_port_lookup_stands_while_no_destination_can_be_near)
{
	struct alert_rules r = rules(0);
	struct ts_netns ns = opened(5000);
	struct alert_ports_seen s = { .valid = true, .max = 100, .range = 1000, .opens = 5000 };

	EXPECT_UEQ(alerts_port_opens(&ns), 5000);
	EXPECT_TRUE(alerts_ports_still_valid(&s, &ns, &r, 100, ALERT_LOOKUP_SHARE));
	/* 100 + 249 opens < 350, half the warning (0.7 of 1,000): no need. */
	ns.st.transitions[TCPSTATE_ST_CLOSE][TCPSTATE_ST_SYN_SENT] = 5249;
	EXPECT_TRUE(alerts_ports_still_valid(&s, &ns, &r, 100, ALERT_LOOKUP_SHARE));
	/* Children count as opens too: 350 could be reached. */
	ns.st.transitions[TCPSTATE_ST_LISTEN][TCPSTATE_ST_SYN_RECV] = 1;
	EXPECT_UEQ(alerts_port_opens(&ns), 5250);
	EXPECT_TRUE(!alerts_ports_still_valid(&s, &ns, &r, 100, ALERT_LOOKUP_SHARE));
	/* A destination seen within reach: looked up every round. */
	ns = opened(5000);
	s.max = 350;
	EXPECT_TRUE(!alerts_ports_still_valid(&s, &ns, &r, 100, ALERT_LOOKUP_SHARE));
	s.max = 349;
	EXPECT_TRUE(alerts_ports_still_valid(&s, &ns, &r, 100, ALERT_LOOKUP_SHARE));
	s.valid = false;
	EXPECT_TRUE(!alerts_ports_still_valid(&s, &ns, &r, 100, ALERT_LOOKUP_SHARE));
}

TEST(a_port_lookup_falls_with_the_range_or_the_counters)
{
	struct alert_rules r = rules(0);
	struct ts_netns ns = opened(5000);
	struct alert_ports_seen s = { .valid = true, .max = 10, .range = 1000, .opens = 5000 };

	EXPECT_TRUE(alerts_ports_still_valid(&s, &ns, &r, 100, ALERT_LOOKUP_SHARE));
	ns.limits.port_range_hi = 10499;	/* narrowed */
	EXPECT_TRUE(!alerts_ports_still_valid(&s, &ns, &r, 100, ALERT_LOOKUP_SHARE));
	ns = opened(4000);			/* a reload: counters restart */
	EXPECT_TRUE(!alerts_ports_still_valid(&s, &ns, &r, 100, ALERT_LOOKUP_SHARE));
}

TEST(a_costly_port_lookup_stands_for_a_hundred_times_its_cost)
{
	struct alert_rules r = rules(0);
	struct ts_netns ns = opened(5000);
	/* 500 ports toward one destination: within reach, no bound. */
	struct alert_ports_seen s = { .valid = true, .at = 100, .cost = 0.3, .max = 500,
				      .range = 1000, .opens = 5000 };

	EXPECT_TRUE(alerts_ports_still_valid(&s, &ns, &r, 129.9, 0.01));
	EXPECT_TRUE(!alerts_ports_still_valid(&s, &ns, &r, 130.1, 0.01));
	s.cost = 5;	/* at most ALERT_LOOKUP_MAX_AGE */
	EXPECT_TRUE(alerts_ports_still_valid(&s, &ns, &r, 159.9, 0.01));
	EXPECT_TRUE(!alerts_ports_still_valid(&s, &ns, &r, 160.1, 0.01));
	s.cost = 0.001;	/* a cheap one: every round */
	EXPECT_TRUE(!alerts_ports_still_valid(&s, &ns, &r, 100.2, 0.01));
	EXPECT_TRUE(!alerts_ports_still_valid(&s, &ns, &r, 99, 0.01));	/* clock went back */
	s.cost = 0.3;	/* tcpstate alerts: never by age */
	EXPECT_TRUE(!alerts_ports_still_valid(&s, &ns, &r, 100.5, 0));
}

TEST(a_lookup_stands_for_its_cost_over_the_share)
{
	/* 0.5 % of the time: a lookup of 0.1 s stands for 20 s. */
	EXPECT_TRUE(alerts_lookup_stands(100, 0.1, 119.9, ALERT_LOOKUP_SHARE));
	EXPECT_TRUE(!alerts_lookup_stands(100, 0.1, 120.1, ALERT_LOOKUP_SHARE));
	/* A million sockets' 0.35 s: at most ALERT_LOOKUP_MAX_AGE. */
	EXPECT_TRUE(alerts_lookup_stands(100, 0.35, 159.9, ALERT_LOOKUP_SHARE));
	EXPECT_TRUE(!alerts_lookup_stands(100, 0.35, 160.1, ALERT_LOOKUP_SHARE));
	EXPECT_TRUE(!alerts_lookup_stands(100, 0.35, 99.9, ALERT_LOOKUP_SHARE));	/* clock went back */
	EXPECT_TRUE(!alerts_lookup_stands(100, 0.35, 100.1, 0));	/* never by age */
}

TEST(a_kept_observation_keeps_its_rate)
{
	struct alert_rules r = rules(0);
	struct alert_table *t = alert_table_new(8);
	struct alert_event ev[4];
	const struct alert_state *a[4];
	struct alert_obs o = { .kind = ALERT_PORT_USE, .netns = 7, .count = 500,
			       .value = 0.5, .limit = 1000 };

	ASSERT_TRUE(t != NULL);
	strcpy(o.subject, "127.0.0.1:80");
	o.at = 10;
	alert_table_update(t, &r, &o, 1, 10, ev, 4);
	o.count = 600;
	o.value = 0.6;
	o.at = 20;
	alert_table_update(t, &r, &o, 1, 20, ev, 4);
	/* Kept from the round at 20: the rate of 10 ports a second stands. */
	alert_table_update(t, &r, &o, 1, 21, ev, 4);
	alert_table_update(t, &r, &o, 1, 22, ev, 4);
	o.count = 750;
	o.value = 0.75;
	o.at = 0;	/* measured now */
	EXPECT_EQ(alert_table_update(t, &r, &o, 1, 30, ev, 4), 1);
	EXPECT_EQ(ev[0].st.level, ALERT_WARNING);
	/* 150 ports from the measurement at 20, not from the round at 22. */
	EXPECT_TRUE(ev[0].st.rate > 14.99 && ev[0].st.rate < 15.01);
	ASSERT_EQ(alert_table_active(t, a, 4), 1);
	EXPECT_TRUE(a[0]->eta_s > 16.6 && a[0]->eta_s < 16.7);	/* 250 left */
	alert_table_free(t);
}

TEST(a_close_wait_socket_ages_no_faster_than_time)
{
	struct alert_rules r = rules(0);
	struct alert_cw_ref ref = { .valid = true, .at = 100, .oldest = 10 };

	r.th[ALERT_CLOSE_WAIT_AGE].warning = 300;	/* 270 with the hysteresis */
	/* 10 s old at 100: at most 269 s old at 359, 270 at 360. */
	EXPECT_TRUE(alerts_close_wait_young(&ref, &r, 359));
	EXPECT_TRUE(!alerts_close_wait_young(&ref, &r, 360));
	/* None in CLOSE_WAIT at 100: any there now entered since. */
	ref.oldest = 0;
	EXPECT_TRUE(alerts_close_wait_young(&ref, &r, 369));
	EXPECT_TRUE(!alerts_close_wait_young(&ref, &r, 371));
	EXPECT_TRUE(!alerts_close_wait_young(&ref, &r, 99));	/* clock went back */
	ref.valid = false;
	EXPECT_TRUE(!alerts_close_wait_young(&ref, &r, 101));
}
