// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* drift.c - the persistent-drift rule (drift.h). Pure: no I/O. */
#include "drift.h"

enum drift_verdict drift_judge(struct tcpstate_check *c, const struct drift_sample *s)
{
	int64_t d_full, d_tw;

	if (s->full_a != s->full_b || s->tw_a != s->tw_b)
		return DRIFT_UNCLEAR;
	d_full = s->full_a - s->kern_full;
	d_tw = s->tw_a - s->kern_tw;
	if (!d_full && !d_tw) {
		c->pending_ns = 0;
		c->pending_full = c->pending_tw = 0;
		return DRIFT_NONE;
	}
	if (c->pending_ns && c->pending_full == d_full && c->pending_tw == d_tw) {
		if (s->now_ns - c->pending_ns < DRIFT_HOLD_NS)
			return DRIFT_PENDING;
		c->pending_ns = 0;
		c->pending_full = c->pending_tw = 0;
		c->last_full = d_full;
		c->last_tw = d_tw;
		c->drifts++;
		return DRIFT_PERSISTENT;
	}
	c->pending_full = d_full;
	c->pending_tw = d_tw;
	c->pending_ns = s->now_ns ? s->now_ns : 1;
	return DRIFT_PENDING;
}

const char *drift_verdict_name(enum drift_verdict v)
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
