// SPDX-License-Identifier: GPL-2.0
/*
 * hist_test.c - user/hist.c: the slot of a duration (the formula of
 * include/tcpstate.h), slot bounds, and the open-ended last slot; and
 * tcpstate_hist_slot_ns(), the collectors' division-free slot of a
 * duration in nanoseconds, against the same formula.
 */
#include <linux/types.h>
#include "tcpstate.h"
#include "hist.h"
#include "tap.h"

#define LAST (TCPSTATE_HIST_SLOTS - 1)

/* include/tcpstate.h, literally: d == 0 ? 0 : min(fls64(d), SLOTS - 1). */
static int ref_slot(__u64 d)
{
	int fls = 0;

	while (fls < 64 && (d >> fls))
		fls++;
	return d == 0 ? 0 : (fls < LAST ? fls : LAST);
}

TEST(slot_of_a_duration)
{
	EXPECT_EQ(hist_slot_of_us(0), 0);
	EXPECT_EQ(hist_slot_of_us(1), 1);
	EXPECT_EQ(hist_slot_of_us(2), 2);
	EXPECT_EQ(hist_slot_of_us(3), 2);
	EXPECT_EQ(hist_slot_of_us(4), 3);
	EXPECT_EQ(hist_slot_of_us(1000), 10);
	EXPECT_EQ(hist_slot_of_us(1024), 11);
	EXPECT_EQ(hist_slot_of_us((1ULL << (LAST - 1)) - 1), LAST - 1);
	EXPECT_EQ(hist_slot_of_us(1ULL << (LAST - 1)), LAST);
	EXPECT_EQ(hist_slot_of_us(1ULL << LAST), LAST);
	EXPECT_EQ(hist_slot_of_us(1ULL << 63), LAST);
	EXPECT_EQ(hist_slot_of_us(~0ULL), LAST);
}

/* The slot of ns nanoseconds by the definition: ns / 1000 microseconds. */
static int ref_slot_ns(__u64 ns)
{
	return ref_slot(ns / 1000);
}

TEST(slot_of_nanoseconds_without_a_division)
{
	__u64 x = 2463534242ULL;

	EXPECT_EQ(tcpstate_hist_slot_ns(0), 0);
	EXPECT_EQ(tcpstate_hist_slot_ns(999), 0);
	EXPECT_EQ(tcpstate_hist_slot_ns(1000), 1);
	EXPECT_EQ(tcpstate_hist_slot_ns(1999), 1);
	EXPECT_EQ(tcpstate_hist_slot_ns(2000), 2);
	EXPECT_EQ(tcpstate_hist_slot_ns(~0ULL), LAST);
	/* Every boundary of the definition, and either side of it. */
	for (int k = 0; k < 64; k++) {
		__u64 b = 1000ULL << k;

		if (k < 54) {
			EXPECT_EQ(tcpstate_hist_slot_ns(b), ref_slot_ns(b));
			EXPECT_EQ(tcpstate_hist_slot_ns(b - 1), ref_slot_ns(b - 1));
			EXPECT_EQ(tcpstate_hist_slot_ns(b + 1), ref_slot_ns(b + 1));
		}
		b = 1ULL << k;
		EXPECT_EQ(tcpstate_hist_slot_ns(b), ref_slot_ns(b));
		EXPECT_EQ(tcpstate_hist_slot_ns(b - 1), ref_slot_ns(b - 1));
		EXPECT_EQ(tcpstate_hist_slot_ns(b + 1), ref_slot_ns(b + 1));
	}
	for (int i = 0; i < 1000000; i++) {
		__u64 d;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		d = x >> (x & 63);
		if ((int)tcpstate_hist_slot_ns(d) != ref_slot_ns(d)) {
			EXPECT_EQ(tcpstate_hist_slot_ns(d), ref_slot_ns(d));
			tap_diag("duration %llu ns", (unsigned long long)d);
			break;
		}
	}
}

TEST(slot_of_matches_the_header_formula)
{
	__u64 x = 88172645463325252ULL;

	for (int k = 0; k < 64; k++) {
		__u64 p = 1ULL << k;

		EXPECT_EQ(hist_slot_of_us(p), ref_slot(p));
		EXPECT_EQ(hist_slot_of_us(p - 1), ref_slot(p - 1));
		EXPECT_EQ(hist_slot_of_us(p + 1), ref_slot(p + 1));
	}
	for (int i = 0; i < 100000; i++) {
		__u64 d;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		d = x >> (x & 63);	/* every magnitude */
		if (hist_slot_of_us(d) != ref_slot(d)) {
			EXPECT_EQ(hist_slot_of_us(d), ref_slot(d));
			tap_diag("duration %llu us", (unsigned long long)d);
			break;
		}
	}
}

TEST(slot_bounds_tile_the_durations)
{
	EXPECT_UEQ(hist_slot_lo_us(0), 0);
	EXPECT_UEQ(hist_slot_hi_us(0), 1);
	for (int s = 1; s < LAST; s++) {
		EXPECT_UEQ(hist_slot_lo_us(s), hist_slot_hi_us(s - 1));
		EXPECT_UEQ(hist_slot_hi_us(s), 2 * hist_slot_lo_us(s));
		EXPECT_EQ(hist_slot_of_us(hist_slot_lo_us(s)), s);
		EXPECT_EQ(hist_slot_of_us(hist_slot_hi_us(s) - 1), s);
		EXPECT_EQ(hist_slot_of_us(hist_slot_hi_us(s)), s + 1);
	}
	EXPECT_UEQ(hist_slot_lo_us(LAST), hist_slot_hi_us(LAST - 1));
	EXPECT_UEQ(hist_slot_lo_us(LAST), 1ULL << (LAST - 1));
}

TEST(last_slot_is_open_ended)
{
	EXPECT_EQ(HIST_OPEN_SLOT, LAST);
	EXPECT_UEQ(hist_slot_hi_us(LAST), HIST_US_INF);
	EXPECT_TRUE(hist_slot_hi_us(LAST) != 1ULL << LAST);
	/* Every duration from the lower bound up lands in it. */
	EXPECT_EQ(hist_slot_of_us(hist_slot_lo_us(LAST)), LAST);
	EXPECT_EQ(hist_slot_of_us(HIST_US_INF), LAST);
	/* Only the last slot's bound is infinite. */
	for (int s = 0; s < LAST; s++)
		EXPECT_TRUE(hist_slot_hi_us(s) != HIST_US_INF);
}

TEST(out_of_range_slots_are_clamped)
{
	EXPECT_UEQ(hist_slot_lo_us(-1), 0);
	EXPECT_UEQ(hist_slot_hi_us(-1), 1);
	EXPECT_UEQ(hist_slot_lo_us(TCPSTATE_HIST_SLOTS), hist_slot_lo_us(LAST));
	EXPECT_UEQ(hist_slot_hi_us(TCPSTATE_HIST_SLOTS), HIST_US_INF);
	EXPECT_UEQ(hist_slot_hi_us(1000), HIST_US_INF);
}

TEST(count_quantile_and_max)
{
	__u64 slots[TCPSTATE_HIST_SLOTS] = { 0 };

	EXPECT_UEQ(hist_count(slots), 0);
	EXPECT_UEQ(hist_quantile_us(slots, 0.5), 0);
	EXPECT_UEQ(hist_max_us(slots), 0);

	slots[10] = 4;		/* [512, 1024) */
	EXPECT_UEQ(hist_count(slots), 4);
	EXPECT_UEQ(hist_quantile_us(slots, 0.5), 768);
	EXPECT_UEQ(hist_quantile_us(slots, 1.0), 1024);
	EXPECT_UEQ(hist_max_us(slots), 1024);

	slots[0] = 4;		/* 0 us */
	EXPECT_UEQ(hist_quantile_us(slots, 0.25), 0);
	EXPECT_UEQ(hist_quantile_us(slots, 0.75), 768);
}

TEST(quantile_and_max_in_the_open_slot)
{
	__u64 slots[TCPSTATE_HIST_SLOTS] = { 0 };

	slots[LAST] = 3;
	EXPECT_UEQ(hist_max_us(slots), HIST_US_INF);
	/* No upper bound to interpolate to: the lower bound. */
	EXPECT_UEQ(hist_quantile_us(slots, 0.5), hist_slot_lo_us(LAST));
	EXPECT_UEQ(hist_quantile_us(slots, 0.99), hist_slot_lo_us(LAST));
	EXPECT_UEQ(hist_quantile_us(slots, 1.5), hist_slot_lo_us(LAST));

	slots[1] = 97;		/* 1 us */
	EXPECT_UEQ(hist_quantile_us(slots, 0.5), 1);
	EXPECT_UEQ(hist_quantile_us(slots, 0.99), hist_slot_lo_us(LAST));
	EXPECT_UEQ(hist_max_us(slots), HIST_US_INF);
}
