// SPDX-License-Identifier: GPL-2.0
/*
 * states_test.c - user/states.c against include/tcpstate.h: every state
 * and error the X-macros list has its name, names round-trip, numbers out
 * of range are "unknown(N)".
 */
#include <limits.h>
#include <stdio.h>
#include <linux/types.h>
#include "tcpstate.h"
#include "states.h"
#include "tap.h"

struct named {
	int idx;
	const char *name;
	const char *ss;
};

#define X_STATE(i, n, s) { i, n, s },
static const struct named all_states[] = {
	TCPSTATE_FOR_EACH_STATE(X_STATE)
	TCPSTATE_FOR_EACH_OTHER_STATE(X_STATE)
};
#define NR_ALL (sizeof(all_states) / sizeof(all_states[0]))

#define X_ERR(e, n, d) { e, n, d },
static const struct named all_errors[] = {
	TCPSTATE_FOR_EACH_ERROR(X_ERR)
};
#define NR_ERRORS (sizeof(all_errors) / sizeof(all_errors[0]))

static int metric_style(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

TEST(every_state_has_its_names)
{
	for (size_t i = 0; i < NR_ALL; i++) {
		EXPECT_STREQ(state_name(all_states[i].idx), all_states[i].name);
		EXPECT_STREQ(state_ss_name(all_states[i].idx), all_states[i].ss);
		EXPECT_TRUE(metric_style(all_states[i].name));
	}
}

TEST(state_names_are_unique)
{
	for (size_t i = 0; i < NR_ALL; i++)
		for (size_t j = i + 1; j < NR_ALL; j++) {
			EXPECT_TRUE(all_states[i].idx != all_states[j].idx);
			EXPECT_TRUE(strcmp(all_states[i].name, all_states[j].name));
			EXPECT_TRUE(strcmp(all_states[i].ss, all_states[j].ss));
		}
}

TEST(names_round_trip_through_state_parse)
{
	char buf[64];

	for (size_t i = 0; i < NR_ALL; i++) {
		int idx = all_states[i].idx;

		EXPECT_EQ(state_parse(all_states[i].name), idx);
		EXPECT_EQ(state_parse(all_states[i].ss), idx);
		EXPECT_EQ(state_parse(state_name_r(idx, buf, sizeof(buf))), idx);
	}
	EXPECT_EQ(state_parse("time-wait"), TCPSTATE_ST_TIME_WAIT);
	EXPECT_EQ(state_parse("TIME_WAIT"), TCPSTATE_ST_TIME_WAIT);
	EXPECT_EQ(state_parse("timewait"), TCPSTATE_ST_TIME_WAIT);
	EXPECT_EQ(state_parse("estab"), TCPSTATE_ST_ESTABLISHED);
	EXPECT_EQ(state_parse("bogus"), -1);
	EXPECT_EQ(state_parse(""), -1);
	EXPECT_EQ(state_parse("established-established-established-established"), -1);
}

TEST(state_lookup_is_exact)
{
	for (size_t i = 0; i < NR_ALL; i++) {
		const char *n = all_states[i].name;
		int idx = all_states[i].idx;

		EXPECT_EQ(state_lookup(n, strlen(n), false), idx);
		EXPECT_EQ(state_lookup(n, strlen(n), true),
			  TCPSTATE_IS_LIVE(idx) ? idx : -1);
		EXPECT_EQ(state_lookup(n, strlen(n) - 1, false), -1);
		EXPECT_EQ(state_lookup(all_states[i].ss, strlen(all_states[i].ss), false), -1);
	}
	/* A name followed by more: only the first len bytes count. */
	EXPECT_EQ(state_lookup("fin_wait1-close", 9, false), TCPSTATE_ST_FIN_WAIT1);
	EXPECT_EQ(state_lookup("", 0, false), -1);
}

TEST(live_states_follow_the_live_mask)
{
	unsigned int mask = 0;

	for (size_t i = 0; i < nr_live_states; i++) {
		EXPECT_TRUE(TCPSTATE_IS_LIVE(live_states[i]));
		EXPECT_TRUE(state_name(live_states[i]) != NULL);
		mask |= 1u << live_states[i];
	}
	EXPECT_UEQ(mask, TCPSTATE_LIVE_MASK);
	EXPECT_EQ(nr_live_states, __builtin_popcount(TCPSTATE_LIVE_MASK));
	EXPECT_TRUE(!TCPSTATE_IS_LIVE(TCPSTATE_ST_CLOSE));
	EXPECT_TRUE(!TCPSTATE_IS_LIVE(TCPSTATE_ST_NEW_SYN_RECV));
	EXPECT_TRUE(!TCPSTATE_IS_LIVE(TCPSTATE_NSTATES));
	EXPECT_TRUE(!TCPSTATE_IS_LIVE(-1));
}

TEST(out_of_range_states_are_unknown)
{
	static const int bad[] = { INT_MIN, -1, 0, 14, 15, TCPSTATE_NSTATES, 255, INT_MAX };
	char buf[32], want[32];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_TRUE(state_name(bad[i]) == NULL);
		EXPECT_TRUE(state_ss_name(bad[i]) == NULL);
		snprintf(want, sizeof(want), "unknown(%d)", bad[i]);
		EXPECT_STREQ(state_name_r(bad[i], buf, sizeof(buf)), want);
	}
	/* A short buffer is truncated, never overrun. */
	EXPECT_STREQ(state_name_r(99, buf, 5), "unkn");
	EXPECT_STREQ(state_name_r(TCPSTATE_ST_LISTEN, buf, sizeof(buf)), "listen");
}

TEST(error_names_are_unique)
{
	for (size_t i = 0; i < NR_ERRORS; i++) {
		EXPECT_TRUE(metric_style(all_errors[i].name));
		EXPECT_TRUE(all_errors[i].ss && *all_errors[i].ss);
		for (size_t j = i + 1; j < NR_ERRORS; j++)
			EXPECT_TRUE(strcmp(all_errors[i].name, all_errors[j].name));
	}
}

TEST(nerrors_matches_the_x_macro)
{
	EXPECT_EQ(NR_ERRORS, TCPSTATE_NERRORS);
	for (size_t i = 0; i < NR_ERRORS; i++) {
		const char *n = all_errors[i].name;

		EXPECT_EQ(all_errors[i].idx, i);
		EXPECT_STREQ(error_name(i), n);
		EXPECT_STREQ(error_desc(i), all_errors[i].ss);
		EXPECT_EQ(error_lookup(n, strlen(n)), i);
		EXPECT_EQ(error_lookup(n, strlen(n) - 1), -1);
	}
	EXPECT_TRUE(error_name(-1) == NULL);
	EXPECT_TRUE(error_name(TCPSTATE_NERRORS) == NULL);
	EXPECT_TRUE(error_desc(TCPSTATE_NERRORS) == NULL);
	EXPECT_EQ(error_lookup("bogus", 5), -1);
	/* struct tcpstate_errors has a counter for each. */
	EXPECT_EQ(sizeof(struct tcpstate_errors), TCPSTATE_NERRORS * sizeof(__u64));
}
