/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hist.h - reading the log2 microsecond histograms (TCPSTATE_HIST_SLOTS).
 *
 * Slot 0 holds 0 us, slot i holds [2^(i-1), 2^i) us, and the last slot,
 * HIST_OPEN_SLOT, holds everything from 2^(HIST_OPEN_SLOT-1) us up: its
 * upper bound is HIST_US_INF.
 */
#ifndef __TCPSTATE_HIST_H
#define __TCPSTATE_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "tcpstate.h"

#define HIST_OPEN_SLOT	(TCPSTATE_HIST_SLOTS - 1)
/* An upper bound that is infinite: the last slot's, and hist_max_us()'s. */
#define HIST_US_INF	(~(__u64)0)

/* The slot a duration of us microseconds is counted in, as both collectors count it. */
int hist_slot_of_us(__u64 us);
/*
 * Lowest and highest duration (us) a slot holds; hi is exclusive, and
 * HIST_US_INF for HIST_OPEN_SLOT. Slots out of range are clamped.
 */
__u64 hist_slot_lo_us(int slot);
__u64 hist_slot_hi_us(int slot);
__u64 hist_count(const __u64 *slots);
/*
 * The p-quantile (0 < p <= 1) in us, interpolated inside its slot; 0 when
 * empty. In the open-ended last slot, which has no upper bound to
 * interpolate to, it is the slot's lower bound (as Prometheus's
 * histogram_quantile() answers in its +Inf bucket).
 */
__u64 hist_quantile_us(const __u64 *slots, double p);
/* Upper bound (us) of the highest non-empty slot (HIST_US_INF for the last); 0 when empty. */
__u64 hist_max_us(const __u64 *slots);

/*
 * A duration for people: "850us", "12.3ms", "4.20s", "12.0m", "3.1h";
 * "-" when !known; HIST_US_INF as ">" the open slot's lower bound.
 */
void hist_format_us(char *buf, size_t len, __u64 us, bool known);

#endif /* __TCPSTATE_HIST_H */
