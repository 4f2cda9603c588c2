/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * drift.h - when the collector's totals and the kernel's own differ for
 * long enough to be a fault, not a moment of traffic.
 *
 * The rule itself is tcpstate_drift_judge() in include/tcpstate.h, shared
 * with the kernel module (module/check.c), which judges its own samples;
 * this is the BPF collector's reader's view of it: the verdicts as an
 * enum, and their names.
 */
#ifndef __TCPSTATE_DRIFT_H
#define __TCPSTATE_DRIFT_H

#include <stdint.h>
#include <linux/types.h>
#include "tcpstate.h"

#define DRIFT_HOLD_NS	TCPSTATE_DRIFT_HOLD_NS

enum drift_verdict {
	DRIFT_NONE = TCPSTATE_DRIFT_NONE,
	DRIFT_UNCLEAR = TCPSTATE_DRIFT_UNCLEAR,
	DRIFT_PENDING = TCPSTATE_DRIFT_PENDING,
	DRIFT_PERSISTENT = TCPSTATE_DRIFT_PERSISTENT,
};

/*
 * Judges one sample against what c remembers (pending_*), and updates c:
 * the pending difference, and drifts when persistent.
 */
enum drift_verdict drift_judge(struct tcpstate_check *c,
			       const struct tcpstate_drift_sample *s);

/* "none", "unclear", "pending", "persistent"; "unknown" out of range. */
const char *drift_verdict_name(int v);

#endif /* __TCPSTATE_DRIFT_H */
