// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* alert_cache.c - culprits kept between rounds (alert_cache.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "alert_cache.h"
#include "model_alerts.h"

static bool same_alert(const struct alert_cache_entry *e, const struct alert_obs *o)
{
	return e->kind == o->kind && e->netns == o->netns &&
	       !strcmp(e->subject, o->subject);
}

const struct alert_cache_entry *alert_cache_fresh(const struct alert_cache *c,
						  const struct alert_report *r,
						  double now, double refresh)
{
	if (r->changed || refresh <= 0)
		return NULL;
	for (size_t i = 0; i < c->nr; i++) {
		const struct alert_cache_entry *e = &c->v[i];
		double max_age = e->cost / ALERT_LOOKUP_SHARE;

		if (!same_alert(e, &r->st.obs))
			continue;
		if (max_age > ALERT_CULPRIT_MAX_AGE)
			max_age = ALERT_CULPRIT_MAX_AGE;
		if (max_age < refresh)
			max_age = refresh;
		return e->level == r->st.level && e->named_at <= now &&
		       now - e->named_at < max_age ? e : NULL;
	}
	return NULL;
}

void alert_cache_apply(const struct alert_cache_entry *e, struct alert_report *r)
{
	r->nculprits = e->nculprits;
	memcpy(r->culprits, e->culprits, sizeof(r->culprits));
	r->examined = e->examined;
	r->truncated = e->truncated;
}

int alert_cache_put(struct alert_cache *c, const struct alert_report *r,
		    double named_at, double cost)
{
	struct alert_cache_entry *e;

	if (c->nr == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;

		e = realloc(c->v, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		c->v = e;
		c->cap = cap;
	}
	e = &c->v[c->nr++];
	memset(e, 0, sizeof(*e));
	e->kind = r->st.obs.kind;
	e->level = r->st.level;
	e->netns = r->st.obs.netns;
	memcpy(e->subject, r->st.obs.subject, sizeof(e->subject));
	e->named_at = named_at;
	e->cost = cost;
	e->nculprits = r->nculprits;
	memcpy(e->culprits, r->culprits, sizeof(e->culprits));
	e->examined = r->examined;
	e->truncated = r->truncated;
	return 0;
}

void alert_cache_free(struct alert_cache *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}
