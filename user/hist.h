/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* hist.h - reading the log2 microsecond histograms (TCPSTATE_HIST_SLOTS). */
#ifndef __TCPSTATE_HIST_H
#define __TCPSTATE_HIST_H

#include <linux/types.h>
#include "tcpstate.h"

/* Lowest and highest duration (us) a slot holds; hi is exclusive. */
__u64 hist_slot_lo_us(int slot);
__u64 hist_slot_hi_us(int slot);
__u64 hist_count(const __u64 *slots);
/*
 * The p-quantile (0 < p <= 1) in us, interpolated inside its slot; 0 when
 * empty. Never more than the upper bound of the highest slot in use.
 */
__u64 hist_quantile_us(const __u64 *slots, double p);
/* Upper bound (us) of the highest non-empty slot; 0 when empty. */
__u64 hist_max_us(const __u64 *slots);

#endif /* __TCPSTATE_HIST_H */
