// SPDX-License-Identifier: GPL-2.0
/*
 * netns_slot_test.c - tcpstate_netns_slot() (include/tcpstate.h), the
 * preallocated slot of a namespace's cookie that the BPF collector, its
 * readers and the prune all compute: in range, none without slots, the
 * value selftests/prune.sh computes in the shell, distinct slots for
 * cookies made one after another, and the limit it has (cookies spaced
 * 2^k apart share slots), which netns_slots.sh is sized for.
 */
#include <linux/types.h>
#include "tcpstate.h"
#include "tap.h"

/* How many of nslots slots n cookies from first, step apart, take. */
static unsigned int slots_taken(__u64 first, __u64 step, unsigned int n,
				__u32 nslots)
{
	unsigned char seen[4096] = { 0 };
	unsigned int taken = 0;

	for (unsigned int i = 0; i < n; i++) {
		__u32 s = tcpstate_netns_slot(first + i * step, nslots);

		if (s >= nslots)
			return 0;	/* out of range: fails every caller */
		taken += !seen[s];
		seen[s] = 1;
	}
	return taken;
}

TEST(no_slots_is_slot_0)
{
	EXPECT_UEQ(tcpstate_netns_slot(3, 0), 0);
	EXPECT_UEQ(tcpstate_netns_slot(~0ULL, 1), 0);
}

/* prune.sh's slot_of: $((cookie & (nslots - 1))). */
TEST(value_the_shell_computes)
{
	EXPECT_UEQ(tcpstate_netns_slot(3, 64), 3);
	EXPECT_UEQ(tcpstate_netns_slot(43559, 64), 43559 & 63);
	EXPECT_UEQ(tcpstate_netns_slot(~0ULL, 4096), 4095);
}

TEST(cookies_made_in_a_row_take_distinct_slots)
{
	EXPECT_EQ(slots_taken(43559, 1, 64, 64), 64);
	EXPECT_EQ(slots_taken(43559, 1, 4096, 4096), 4096);
	/* Two apart, as on the 6.18 host: distinct while they fit. */
	EXPECT_EQ(slots_taken(43559, 2, 32, 64), 32);
}

/*
 * The limit: cookies 2^k apart reach one slot in 2^k. With 2 slots, a
 * run of odd cookies meets only the initial namespace's (cookie 3): what
 * failed netns_slots.sh when it used 2 slots; with 16, 32 namespaces two
 * apart still reach 8.
 */
TEST(cookies_spaced_out_share_slots)
{
	EXPECT_EQ(slots_taken(43561, 2, 32, 2), 1);
	EXPECT_EQ(slots_taken(43561, 2, 32, 16), 8);
	EXPECT_EQ(slots_taken(43561, 8, 64, 64), 8);
}
