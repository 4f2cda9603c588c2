// SPDX-License-Identifier: GPL-2.0
/*
 * netns_table_test.c - user/netns_table.c and netns_inum_of(): the
 * limits of namespaces never read are read at once, then a few a read,
 * so that each comes round within NETNS_LIMITS_MAX_AGE_S; a namespace
 * without statistics is not read, one under another cookie stays
 * unknown; a /proc ns link read gives what stat() gives; netns_run_in()
 * runs in place for "" and not at all where a path leads nowhere. The entries
 * stand for the caller's own namespace (path ""): nothing is entered, no
 * root needed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "netns_table.h"
#include "tap.h"

/* snapshot.c chooses among the sources; none is opened here. */
const struct ts_source_ops ts_source_bpf = { .name = "bpf" };
const struct ts_source_ops ts_source_module = { .name = "module" };

#define N	120
#define T0	1000.0

static struct netns_table t;
static struct ts_netns nss[N];
static struct ts_snapshot snap;

static void setup(size_t in_snap)
{
	free(t.v);
	memset(&t, 0, sizeof(t));
	memset(nss, 0, sizeof(nss));
	memset(&snap, 0, sizeof(snap));
	t.v = calloc(N, sizeof(*t.v));
	if (!t.v)
		abort();
	t.nr = N;
	for (size_t i = 0; i < N; i++) {
		t.v[i].info.inum = 1000 + (__u32)i;
		t.v[i].cookie = 7;
		nss[i].inum = 1000 + (__u32)i;
		nss[i].cookie = 7;
	}
	snap.netns = nss;
	snap.nr_netns = in_snap;
}

static size_t read_at(double now)
{
	size_t n = 0;

	for (size_t i = 0; i < t.nr; i++)
		n += t.v[i].limits_at == now;
	return n;
}

TEST(the_first_fill_reads_every_namespace)
{
	setup(N);
	ASSERT_EQ(netns_table_fill_limits(&t, &snap, T0), 0);
	EXPECT_UEQ(read_at(T0), N);
	for (size_t i = 0; i < N; i++)
		EXPECT_TRUE(nss[i].limits.known && nss[i].limits.port_range_hi >=
			    nss[i].limits.port_range_lo);
}

TEST(then_a_few_a_read_and_each_within_the_age)
{
	size_t per = (size_t)ceil(N / NETNS_LIMITS_MAX_AGE_S);

	setup(N);
	ASSERT_EQ(netns_table_fill_limits(&t, &snap, T0), 0);
	for (int s = 1; s <= (int)NETNS_LIMITS_MAX_AGE_S; s++) {
		ASSERT_EQ(netns_table_fill_limits(&t, &snap, T0 + s), 0);
		EXPECT_UEQ(read_at(T0 + s), per);
	}
	for (size_t i = 0; i < N; i++)
		EXPECT_TRUE(t.v[i].limits_at > T0);
	/* A long pause is made up at once, never more than the table. */
	ASSERT_EQ(netns_table_fill_limits(&t, &snap, T0 + 1000), 0);
	EXPECT_UEQ(read_at(T0 + 1000), N);
}

TEST(a_new_namespace_is_read_at_once_beside_the_turn)
{
	setup(N);
	ASSERT_EQ(netns_table_fill_limits(&t, &snap, T0), 0);
	t.v[50].limits_at = 0;		/* as a listing adds it */
	memset(&t.v[50].limits, 0, sizeof(t.v[50].limits));
	ASSERT_EQ(netns_table_fill_limits(&t, &snap, T0 + 1), 0);
	EXPECT_TRUE(t.v[50].limits_at == T0 + 1 && nss[50].limits.known);
	EXPECT_UEQ(read_at(T0 + 1), (size_t)ceil(N / NETNS_LIMITS_MAX_AGE_S) + 1);
}

TEST(without_statistics_not_read_under_another_cookie_unknown)
{
	setup(N / 2);
	nss[0].cookie = 8;	/* a dead namespace's inode, reused */
	ASSERT_EQ(netns_table_fill_limits(&t, &snap, T0), 0);
	EXPECT_TRUE(!nss[0].limits.known);
	EXPECT_TRUE(nss[1].limits.known);
	for (size_t i = N / 2; i < N; i++)
		EXPECT_TRUE(t.v[i].limits_at == 0);
}

TEST(inum_of_a_proc_link_is_what_stat_gives)
{
	struct stat st;
	__u32 inum = 0;

	ASSERT_EQ(stat("/proc/self/ns/net", &st), 0);
	ASSERT_EQ(netns_inum_of("/proc/self/ns/net", &inum), 0);
	EXPECT_UEQ(inum, (__u32)st.st_ino);
	ASSERT_EQ(stat("/", &st), 0);
	ASSERT_EQ(netns_inum_of("/", &inum), 0);	/* not /proc: stat() */
	EXPECT_UEQ(inum, (__u32)st.st_ino);
	EXPECT_TRUE(netns_inum_of("/proc/self/ns/none", &inum) < 0);
	EXPECT_TRUE(netns_inum_of("/proc/self/exe", &inum) < 0);	/* not a net link */
}

TEST(update_keeps_a_fresh_table)
{
	setup(0);
	t.scanned = true;
	t.scanned_at = T0;
	t.have_run_netns = stat(NETNS_RUN_DIR, &(struct stat){}) == 0;
	if (t.have_run_netns) {
		struct stat st;

		ASSERT_EQ(stat(NETNS_RUN_DIR, &st), 0);
		t.run_netns_mtime = st.st_mtim;
	}
	/* Every entry is the caller's own (path ""): nothing to re-check. */
	ASSERT_EQ(netns_table_update(&t, T0 + 1), 0);
	EXPECT_UEQ(t.scans, 0);
	EXPECT_UEQ(t.nr, N);
}

static int count_runs(void *arg)
{
	return ++*(int *)arg;
}

/* netns_run_in(): "" runs in place, nothing opened; fn's result returned. */
TEST(run_in_the_callers_own_namespace_is_in_place)
{
	int home = -1, runs = 0;

	EXPECT_EQ(netns_run_in("", &home, count_runs, &runs), 1);
	EXPECT_EQ(runs, 1);
	EXPECT_EQ(home, -1);
	netns_home_close(&home);
}

/* A path that leads nowhere: NETNS_GONE, fn not run, home kept for the loop. */
TEST(run_in_a_namespace_gone_does_not_run)
{
	int home = -1, runs = 0;

	EXPECT_EQ(netns_run_in("/proc/0/ns/net", &home, count_runs, &runs), NETNS_GONE);
	EXPECT_EQ(runs, 0);
	/* Not a namespace at all: the same. */
	EXPECT_EQ(netns_run_in("/dev/null", &home, count_runs, &runs), NETNS_GONE);
	EXPECT_EQ(runs, 0);
	EXPECT_TRUE(home >= 0);
	netns_home_close(&home);
	EXPECT_EQ(home, -1);
}
