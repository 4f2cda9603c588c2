/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * summary.h - the summary model: what one namespace's table shows,
 * computed from two snapshots, and the renderers that print it.
 */
#ifndef __TCPSTATE_SUMMARY_H
#define __TCPSTATE_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>
#include "source.h"
#include "netns.h"

struct summary_row {
	int state;
	__s64 count;
	double share;		/* of all live sockets, 0..1 */
	double rate;		/* entries per second; < 0: unknown */
	__u64 samples;		/* durations recorded */
	__u64 p50_us, p90_us, p99_us, max_us;
};

struct summary {
	__u32 inum;
	char name[NETNS_NAME_MAX];
	const char *source;
	const struct ts_netns *ns;	/* the counters behind the rows */
	size_t nr_rows;
	struct summary_row rows[TCPSTATE_NSTATES];
	__s64 total;
	double interval_s;		/* what rate is over; 0 when none */
	const struct tcpstate_errors *errors;
	__u64 events_missed;
	__u64 negative_counts;		/* counts below zero shown as 0 (faults) */
	__u64 events_recovered;	/* ts_snapshot's */
};

/* Fills s for ns; prev (may be NULL) gives the rates over dt_s. */
void summary_build(struct summary *s, const struct ts_netns *ns,
		   const struct ts_netns *prev, double dt_s);

void summary_render_text(FILE *f, const struct summary *s, int width, bool color);
/* One JSON object; the caller brackets several with an array. */
struct json;
void summary_render_json(struct json *j, const struct summary *s);

#endif /* __TCPSTATE_SUMMARY_H */
