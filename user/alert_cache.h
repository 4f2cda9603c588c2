/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * alert_cache.h - the culprits last named for each alert in force, so a
 * long alert does not repeat its socket lookups every round: a report
 * whose level did not change takes its culprits from here while they are
 * younger than alert_culprit_refresh, or than what naming them cost over
 * ALERT_LOOKUP_SHARE where that is longer (at most ALERT_CULPRIT_MAX_AGE).
 * Naming TIME_WAIT culprits copies out every TIME_WAIT socket of the
 * namespace: about 115 ms among 114,000 (Documentation/alerts.rst, "What
 * it costs"). Nothing here prints.
 */
#ifndef __TCPSTATE_ALERT_CACHE_H
#define __TCPSTATE_ALERT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include "alerts.h"

struct alert_cache_entry {
	int kind;
	int level;			/* the alert's level when they were named */
	__u32 netns;
	char subject[ALERT_SUBJECT_LEN];
	double named_at;		/* when the lookups ran (seconds) */
	double cost;			/* what naming them took (seconds) */
	size_t nculprits;
	struct alert_culprit culprits[ALERT_MAX_CULPRITS];
	size_t examined;
	bool truncated;
};

struct alert_cache {
	struct alert_cache_entry *v;
	size_t nr, cap;
};

/*
 * The culprits of r's alert (its kind, namespace and subject) named less
 * than refresh (alert_culprit_refresh) before now, or than their cost
 * allows if longer, at r's level; NULL when they must be named again (none
 * kept, too old, the level changed, or refresh is 0: every round).
 */
const struct alert_cache_entry *alert_cache_fresh(const struct alert_cache *c,
						  const struct alert_report *r,
						  double now, double refresh);

/* Copies e's culprits into r. */
void alert_cache_apply(const struct alert_cache_entry *e, struct alert_report *r);

/* Keeps r's culprits, named at named_at for cost seconds. 0 or -ENOMEM. */
int alert_cache_put(struct alert_cache *c, const struct alert_report *r,
		    double named_at, double cost);

void alert_cache_free(struct alert_cache *c);

#endif /* __TCPSTATE_ALERT_CACHE_H */
