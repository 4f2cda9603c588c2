// SPDX-License-Identifier: GPL-2.0
/*
 * drift_test.c - user/drift.c, the persistent-drift rule, and
 * user/sockstat.c's parser of /proc/net/sockstat and sockstat6.
 */
#include <errno.h>
#include <string.h>
#include <linux/types.h>
#include "tcpstate.h"
#include "drift.h"
#include "sockstat.h"
#include "tap.h"

#define SEC 1000000000ULL

static struct tcpstate_drift_sample smp(int64_t full, int64_t tw, int64_t kfull,
			       int64_t ktw, uint64_t now)
{
	struct tcpstate_drift_sample s = {
		.full_a = full, .tw_a = tw, .full_b = full, .tw_b = tw,
		.kern_full = kfull, .kern_tw = ktw, .now_ns = now,
	};

	return s;
}

TEST(equal_is_none_and_clears_pending)
{
	struct tcpstate_check c = { .pending_full = 3, .pending_ns = 5 };
	struct tcpstate_drift_sample s = smp(10, 2, 10, 2, 10 * SEC);

	EXPECT_EQ(drift_judge(&c, &s), DRIFT_NONE);
	EXPECT_EQ(c.pending_ns, 0);
	EXPECT_EQ(c.drifts, 0);
}

TEST(moving_sample_is_unclear_and_keeps_pending)
{
	struct tcpstate_check c = { .pending_full = 1, .pending_ns = 7 };
	struct tcpstate_drift_sample s = smp(10, 0, 9, 0, 10 * SEC);

	s.full_b = 11;
	EXPECT_EQ(drift_judge(&c, &s), DRIFT_UNCLEAR);
	EXPECT_EQ(c.pending_full, 1);
	EXPECT_EQ(c.pending_ns, 7);
	s = smp(10, 0, 10, 0, 10 * SEC);
	s.tw_b = 1;
	EXPECT_EQ(drift_judge(&c, &s), DRIFT_UNCLEAR);
}

TEST(a_surplus_of_connects_not_yet_hashed_is_in_flight)
{
	struct tcpstate_check c = {};
	struct tcpstate_drift_sample s = smp(12, 0, 10, 0, 100 * SEC);

	/* 2 more full sockets, 2 in SYN_SENT: they may not be hashed yet. */
	s.syn_sent = 2;
	EXPECT_EQ(drift_judge(&c, &s), DRIFT_UNCLEAR);
	s.now_ns += 2 * SEC;
	EXPECT_EQ(drift_judge(&c, &s), DRIFT_UNCLEAR);
	EXPECT_EQ(c.drifts, 0);
	/* More than the connects explain, or a timewait difference: judged. */
	s.syn_sent = 1;
	EXPECT_EQ(drift_judge(&c, &s), DRIFT_PENDING);
	s.syn_sent = 2;
	s.now_ns += 2 * SEC;
	EXPECT_EQ(drift_judge(&c, &s), DRIFT_UNCLEAR);	/* pending kept */
	EXPECT_EQ(c.pending_full, 2);
	s.syn_sent = 0;
	EXPECT_EQ(drift_judge(&c, &s), DRIFT_PERSISTENT);
	c = (struct tcpstate_check){};
	s = smp(11, 1, 10, 0, 100 * SEC);
	s.syn_sent = 5;
	EXPECT_EQ(drift_judge(&c, &s), DRIFT_PENDING);
	/* A deficit is never a connect in flight. */
	c = (struct tcpstate_check){};
	s = smp(9, 0, 10, 0, 100 * SEC);
	s.syn_sent = 5;
	EXPECT_EQ(drift_judge(&c, &s), DRIFT_PENDING);
}

TEST(same_difference_a_second_apart_is_persistent)
{
	struct tcpstate_check c = {};
	struct tcpstate_drift_sample s = smp(15, 0, 10, 0, 100 * SEC);

	EXPECT_EQ(drift_judge(&c, &s), DRIFT_PENDING);
	EXPECT_EQ(c.pending_full, 5);
	s.now_ns += SEC / 2;
	EXPECT_EQ(drift_judge(&c, &s), DRIFT_PENDING);	/* too soon */
	s.now_ns += SEC / 2;
	EXPECT_EQ(drift_judge(&c, &s), DRIFT_PERSISTENT);
	EXPECT_EQ(c.drifts, 1);
	EXPECT_EQ(c.last_full, 5);
	EXPECT_EQ(c.last_tw, 0);
	EXPECT_EQ(c.pending_ns, 0);
	/* After a repair the rule starts over. */
	s.now_ns += SEC;
	EXPECT_EQ(drift_judge(&c, &s), DRIFT_PENDING);
}

TEST(a_different_difference_starts_over)
{
	struct tcpstate_check c = {};
	struct tcpstate_drift_sample s = smp(11, 0, 10, 0, 100 * SEC);

	EXPECT_EQ(drift_judge(&c, &s), DRIFT_PENDING);
	s = smp(12, 0, 10, 0, 102 * SEC);
	EXPECT_EQ(drift_judge(&c, &s), DRIFT_PENDING);
	EXPECT_EQ(c.pending_full, 2);
	EXPECT_UEQ(c.pending_ns, 102 * SEC);
	s = smp(12, 1, 10, 0, 104 * SEC);	/* timewait differs too now */
	EXPECT_EQ(drift_judge(&c, &s), DRIFT_PENDING);
	s = smp(12, 1, 10, 0, 105 * SEC);
	EXPECT_EQ(drift_judge(&c, &s), DRIFT_PERSISTENT);
	EXPECT_EQ(c.drifts, 1);
}

TEST(churn_like_flicker_never_persists)
{
	struct tcpstate_check c = {};
	uint64_t now = 1000 * SEC;

	/* In-flight differences that change sign and size between reads. */
	for (int i = 0; i < 1000; i++) {
		int64_t d = (i % 3) - 1;
		struct tcpstate_drift_sample s = smp(100 + d, 5, 100, 5, now);

		EXPECT_NE(drift_judge(&c, &s), DRIFT_PERSISTENT);
		now += 2 * SEC;
	}
	EXPECT_EQ(c.drifts, 0);
}

static const char v4[] =
	"sockets: used 10\n"
	"TCP: inuse 7 orphan 0 tw 3 alloc 9 mem 1\n"
	"UDP: inuse 0 mem 0\n";
static const char v6[] =
	"TCP6: inuse 4\n"
	"UDP6: inuse 0\n";

TEST(sockstat_parses_both_files)
{
	struct sockstat k;
	char msg[128] = "";

	ASSERT_EQ(sockstat_parse(v4, v6, &k, msg, sizeof(msg)), 0);
	EXPECT_EQ(k.full, 11);
	EXPECT_EQ(k.tw, 3);
	ASSERT_EQ(sockstat_parse(v4, NULL, &k, msg, sizeof(msg)), 0);
	EXPECT_EQ(k.full, 7);
}

TEST(sockstat_refuses_malformed)
{
	static const char *const bad4[] = {
		"", "TCP: inuse x tw 3\n", "TCP: inuse 7 orphan 0\n",
		"TCP: inuse -1 tw 0\n", "TCPX: inuse 1 tw 1\n", "TCP: inuse 7tw 3\n",
		"UDP: inuse 1 tw 1\n",
	};
	struct sockstat k;
	char msg[128];

	for (size_t i = 0; i < sizeof(bad4) / sizeof(bad4[0]); i++) {
		msg[0] = '\0';
		EXPECT_EQ(sockstat_parse(bad4[i], NULL, &k, msg, sizeof(msg)), -EBADMSG);
		EXPECT_NE(strlen(msg), 0);
	}
	EXPECT_EQ(sockstat_parse(v4, "TCP6: used 4\n", &k, msg, sizeof(msg)), -EBADMSG);
	EXPECT_EQ(sockstat_parse(v4, "", &k, msg, sizeof(msg)), -EBADMSG);
}
