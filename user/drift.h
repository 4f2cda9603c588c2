/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * drift.h - when the collector's totals and the kernel's own differ for
 * long enough to be a fault, not a moment of traffic.
 *
 * A sample brackets the kernel's read between two reads of the
 * collector's totals. It is clean when both reads agree: then nothing the
 * collector counts changed while the kernel's figures were read, and the
 * difference is the collector's drift plus only what is in flight inside
 * the kernel between a state event and the hash update it belongs to (a
 * few microseconds: tcp_set_state() before inet_hash_connect(), the
 * timewait hash-dance before tcp_done()). Drift is persistent when two
 * clean samples at least DRIFT_HOLD_NS apart show the same difference, to
 * the socket: in-flight differences last microseconds and would have to
 * recur, of the same size, at both samples.
 */
#ifndef __TCPSTATE_DRIFT_H
#define __TCPSTATE_DRIFT_H

#include <stdint.h>
#include <linux/types.h>
#include "tcpstate.h"

#define DRIFT_HOLD_NS	1000000000ULL

struct drift_sample {
	int64_t full_a, tw_a;		/* the collector, before */
	int64_t kern_full, kern_tw;	/* the kernel (sockstat.h) */
	int64_t full_b, tw_b;		/* the collector, after */
	uint64_t now_ns;		/* CLOCK_MONOTONIC */
};

enum drift_verdict {
	DRIFT_NONE,		/* clean and equal */
	DRIFT_UNCLEAR,		/* the collector moved during the sample */
	DRIFT_PENDING,		/* a difference, not yet persistent */
	DRIFT_PERSISTENT,	/* the same difference for DRIFT_HOLD_NS: repair */
};

/*
 * Judges one sample against what c remembers (pending_*), and updates c:
 * the pending difference, and drifts when persistent.
 */
enum drift_verdict drift_judge(struct tcpstate_check *c, const struct drift_sample *s);

const char *drift_verdict_name(enum drift_verdict v);

#endif /* __TCPSTATE_DRIFT_H */
