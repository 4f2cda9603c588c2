// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* hist.c - reading the log2 microsecond histograms. */
#include "hist.h"

__u64 hist_slot_lo_us(int slot)
{
	return slot <= 0 ? 0 : 1ULL << (slot - 1);
}

__u64 hist_slot_hi_us(int slot)
{
	return 1ULL << slot;
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
		lo = (double)hist_slot_lo_us(i);
		hi = (double)hist_slot_hi_us(i);
		frac = (rank - (double)seen) / (double)slots[i];
		if (frac < 0)
			frac = 0;
		return (__u64)(lo + (hi - lo) * frac);
	}
	return hist_max_us(slots);
}

__u64 hist_max_us(const __u64 *slots)
{
	for (int i = TCPSTATE_HIST_SLOTS - 1; i >= 0; i--)
		if (slots[i])
			return hist_slot_hi_us(i);
	return 0;
}
