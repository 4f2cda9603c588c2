// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* hist.c - reading the log2 microsecond histograms. */
#include <inttypes.h>
#include <stdio.h>
#include "hist.h"

/* fls64(): the 1-based index of the highest bit set, 0 for 0. */
static int fls64_(__u64 v)
{
	return v ? 64 - __builtin_clzll(v) : 0;
}

int hist_slot_of_us(__u64 us)
{
	int s = fls64_(us);

	return s < HIST_OPEN_SLOT ? s : HIST_OPEN_SLOT;
}

static int clamp_slot(int slot)
{
	if (slot < 0)
		return 0;
	return slot > HIST_OPEN_SLOT ? HIST_OPEN_SLOT : slot;
}

__u64 hist_slot_lo_us(int slot)
{
	slot = clamp_slot(slot);
	return slot == 0 ? 0 : 1ULL << (slot - 1);
}

__u64 hist_slot_hi_us(int slot)
{
	slot = clamp_slot(slot);
	return slot == HIST_OPEN_SLOT ? HIST_US_INF : 1ULL << slot;
}

__u64 hist_count(const __u64 *slots)
{
	__u64 n = 0;

	for (int i = 0; i < TCPSTATE_HIST_SLOTS; i++)
		n += slots[i];
	return n;
}

__u64 hist_quantile_us(const __u64 *slots, double p)
{
	__u64 total = hist_count(slots), seen = 0;
	double rank;

	if (!total)
		return 0;
	rank = p * (double)total;
	for (int i = 0; i < TCPSTATE_HIST_SLOTS; i++) {
		double lo, hi, frac;

		if (!slots[i] || (double)(seen + slots[i]) < rank) {
			seen += slots[i];
			continue;
		}
		if (i == HIST_OPEN_SLOT)
			return hist_slot_lo_us(i);
		lo = (double)hist_slot_lo_us(i);
		hi = (double)hist_slot_hi_us(i);
		frac = (rank - (double)seen) / (double)slots[i];
		if (frac < 0)
			frac = 0;
		return (__u64)(lo + (hi - lo) * frac);
	}
	/* p > 1, or rounding: the highest slot in use. */
	for (int i = HIST_OPEN_SLOT; i >= 0; i--)
		if (slots[i])
			return i == HIST_OPEN_SLOT ? hist_slot_lo_us(i) : hist_slot_hi_us(i);
	return 0;
}

__u64 hist_max_us(const __u64 *slots)
{
	for (int i = TCPSTATE_HIST_SLOTS - 1; i >= 0; i--)
		if (slots[i])
			return hist_slot_hi_us(i);
	return 0;
}

/*
 * 850us, 12.3ms, 4.20s, 61.0s, 12m, 3.1h. HIST_US_INF (the open-ended last
 * slot's upper bound) prints as more than that slot's lower bound: ">4.8h".
 */
void hist_format_us(char *buf, size_t len, __u64 us, bool known)
{
	const char *more = "";

	if (!known) {
		snprintf(buf, len, "-");
		return;
	}
	if (us == HIST_US_INF) {
		more = ">";
		us = hist_slot_lo_us(HIST_OPEN_SLOT);
	}
	if (us < 1000)
		snprintf(buf, len, "%s%" PRIu64 "us", more, (uint64_t)us);
	else if (us < 1000000)
		snprintf(buf, len, "%s%.1fms", more, us / 1e3);
	else if (us < 120000000ULL)
		snprintf(buf, len, "%s%.2fs", more, us / 1e6);
	else if (us < 7200000000ULL)
		snprintf(buf, len, "%s%.1fm", more, us / 6e7);
	else
		snprintf(buf, len, "%s%.1fh", more, us / 3.6e9);
}
