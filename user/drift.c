// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* drift.c - the persistent-drift rule (drift.h). Pure: no I/O. */
#include "drift.h"

enum drift_verdict drift_judge(struct tcpstate_check *c,
			       const struct tcpstate_drift_sample *s)
{
	return (enum drift_verdict)tcpstate_drift_judge(c, s);
}

const char *drift_verdict_name(int v)
{
	switch (v) {
	case DRIFT_NONE:
		return "none";
	case DRIFT_UNCLEAR:
		return "unclear";
	case DRIFT_PENDING:
		return "pending";
	case DRIFT_PERSISTENT:
		return "persistent";
	}
	return "unknown";
}
