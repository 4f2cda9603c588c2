// SPDX-License-Identifier: GPL-2.0
/*
 * alert_cache_test.c - user/alert_cache.c: an alert that keeps its level
 * keeps its culprits for alert_culprit_refresh seconds, then is named
 * again; a change of level, another subject or namespace, or a refresh
 * of 0 names it at once.
 */
#include <string.h>
#include "alert_cache.h"
#include "model_alerts.h"
#include "tap.h"

static struct alert_report report(int kind, __u32 netns, const char *subject, int level)
{
	struct alert_report r;

	memset(&r, 0, sizeof(r));
	r.st.obs.kind = kind;
	r.st.obs.netns = netns;
	strcpy(r.st.obs.subject, subject);
	r.st.level = level;
	return r;
}

/* A report with one culprit, pid as its process. */
static struct alert_report named(int level, pid_t pid)
{
	struct alert_report r = report(ALERT_TIME_WAIT_GROWTH, 4026531840u, "", level);

	r.nculprits = 1;
	r.culprits[0].proc.pid = pid;
	strcpy(r.culprits[0].proc.comm, "client");
	r.culprits[0].g.count = 5000;
	r.examined = 120000;
	r.truncated = true;
	return r;
}

TEST(kept_while_young_then_named_again)
{
	struct alert_cache c = {};
	struct alert_report r = named(ALERT_WARNING, 42), later;
	const struct alert_cache_entry *e;

	ASSERT_EQ(alert_cache_put(&c, &r, 100, 0), 0);
	later = report(ALERT_TIME_WAIT_GROWTH, 4026531840u, "", ALERT_WARNING);
	e = alert_cache_fresh(&c, &later, 129.5, 30);
	ASSERT_TRUE(e != NULL);
	alert_cache_apply(e, &later);
	EXPECT_UEQ(later.nculprits, 1);
	EXPECT_EQ(later.culprits[0].proc.pid, 42);
	EXPECT_STREQ(later.culprits[0].proc.comm, "client");
	EXPECT_UEQ(later.culprits[0].g.count, 5000);
	EXPECT_UEQ(later.examined, 120000);
	EXPECT_TRUE(later.truncated);
	EXPECT_TRUE(alert_cache_fresh(&c, &later, 130, 30) == NULL);
	/* A clock that went back (another caller's origin): named again. */
	EXPECT_TRUE(alert_cache_fresh(&c, &later, 99, 30) == NULL);
	alert_cache_free(&c);
}

TEST(a_change_of_level_names_at_once)
{
	struct alert_cache c = {};
	struct alert_report r = named(ALERT_WARNING, 42), later;

	ASSERT_EQ(alert_cache_put(&c, &r, 100, 0), 0);
	later = report(ALERT_TIME_WAIT_GROWTH, 4026531840u, "", ALERT_CRITICAL);
	EXPECT_TRUE(alert_cache_fresh(&c, &later, 101, 30) == NULL);
	later.st.level = ALERT_WARNING;
	later.changed = true;
	EXPECT_TRUE(alert_cache_fresh(&c, &later, 101, 30) == NULL);
	alert_cache_free(&c);
}

TEST(each_alert_by_kind_namespace_and_subject)
{
	struct alert_cache c = {};
	struct alert_report a = report(ALERT_PORT_USE, 1, "127.0.0.1:80", ALERT_WARNING);
	struct alert_report b = report(ALERT_PORT_USE, 1, "127.0.0.1:81", ALERT_WARNING);
	struct alert_report q;

	a.nculprits = 1;
	a.culprits[0].proc.pid = 7;
	b.nculprits = 1;
	b.culprits[0].proc.pid = 8;
	for (int i = 0; i < 20; i++) {	/* and it grows */
		struct alert_report x = report(ALERT_CLOSE_WAIT_COUNT, 100 + i, "", ALERT_WARNING);

		ASSERT_EQ(alert_cache_put(&c, &x, 10, 0), 0);
	}
	ASSERT_EQ(alert_cache_put(&c, &a, 10, 0), 0);
	ASSERT_EQ(alert_cache_put(&c, &b, 10, 0), 0);
	q = report(ALERT_PORT_USE, 1, "127.0.0.1:81", ALERT_WARNING);
	ASSERT_TRUE(alert_cache_fresh(&c, &q, 11, 30) != NULL);
	EXPECT_EQ(alert_cache_fresh(&c, &q, 11, 30)->culprits[0].proc.pid, 8);
	q = report(ALERT_PORT_USE, 2, "127.0.0.1:81", ALERT_WARNING);
	EXPECT_TRUE(alert_cache_fresh(&c, &q, 11, 30) == NULL);
	q = report(ALERT_CLOSE_WAIT_AGE, 1, "127.0.0.1:81", ALERT_WARNING);
	EXPECT_TRUE(alert_cache_fresh(&c, &q, 11, 30) == NULL);
	q = report(ALERT_CLOSE_WAIT_COUNT, 119, "", ALERT_WARNING);
	EXPECT_TRUE(alert_cache_fresh(&c, &q, 11, 30) != NULL);
	alert_cache_free(&c);
	EXPECT_UEQ(c.nr, 0);
}

TEST(refresh_zero_names_every_round)
{
	struct alert_cache c = {};
	struct alert_report r = named(ALERT_WARNING, 42);

	ASSERT_EQ(alert_cache_put(&c, &r, 100, 0), 0);
	r.changed = false;
	EXPECT_TRUE(alert_cache_fresh(&c, &r, 100, 0) == NULL);
	alert_cache_free(&c);
}

TEST(a_costly_naming_stands_for_its_cost_over_the_share)
{
	struct alert_cache c = {};
	struct alert_report r = named(ALERT_CRITICAL, 42);

	/* 0.4 s of lookups at 0.5 % of the time: kept 80 s, not 30. */
	ASSERT_EQ(alert_cache_put(&c, &r, 100, 0.4), 0);
	r.changed = false;
	EXPECT_TRUE(alert_cache_fresh(&c, &r, 179.5, 30) != NULL);
	EXPECT_TRUE(alert_cache_fresh(&c, &r, 180.5, 30) == NULL);
	/* Never beyond ALERT_CULPRIT_MAX_AGE; a longer refresh still holds. */
	alert_cache_free(&c);
	ASSERT_EQ(alert_cache_put(&c, &r, 100, 10), 0);
	EXPECT_TRUE(alert_cache_fresh(&c, &r, 100 + ALERT_CULPRIT_MAX_AGE - 1, 30) != NULL);
	EXPECT_TRUE(alert_cache_fresh(&c, &r, 100 + ALERT_CULPRIT_MAX_AGE + 1, 30) == NULL);
	EXPECT_TRUE(alert_cache_fresh(&c, &r, 100 + ALERT_CULPRIT_MAX_AGE + 1, 600) != NULL);
	/* 0 is still every round, whatever the cost. */
	EXPECT_TRUE(alert_cache_fresh(&c, &r, 101, 0) == NULL);
	alert_cache_free(&c);
}
