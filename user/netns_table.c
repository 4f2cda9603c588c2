// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* netns_table.c - the namespaces kept between reads (netns_table.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "clock.h"
#include "netns_limits.h"
#include "netns_table.h"

static struct netns_entry *find_mut(struct netns_table *t, __u32 inum)
{
	size_t lo = 0, hi = t->nr;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->v[mid].info.inum < inum)
			lo = mid + 1;
		else if (t->v[mid].info.inum > inum)
			hi = mid;
		else
			return &t->v[mid];
	}
	return NULL;
}

const struct netns_entry *netns_table_find(const struct netns_table *t, __u32 inum)
{
	return find_mut((struct netns_table *)t, inum);
}

/* netns_run_in()'s: the cookie of the namespace it runs in, 0 if none. */
static int cookie_here(void *cookie)
{
	if (netns_cookie(cookie))
		*(__u64 *)cookie = 0;
	return 0;
}

/*
 * The cookie of e's namespace, entering it unless it is the caller's
 * (then its path becomes ""); one gone meanwhile keeps 0.
 */
static int learn_cookie(struct netns_entry *e, __u32 self, int *home)
{
	int err;

	if (e->info.inum == self)
		e->info.path[0] = '\0';
	err = netns_run_in(e->info.path, home, cookie_here, &e->cookie);
	return err < 0 ? err : 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct netns_entry *x = a, *y = b;

	return x->info.inum < y->info.inum ? -1 : x->info.inum > y->info.inum;
}

static bool run_netns_stat(struct timespec *mtime)
{
	struct stat st;

	if (stat(NETNS_RUN_DIR, &st))
		return false;
	*mtime = st.st_mtim;
	return true;
}

/* Lists every namespace anew; limits carry over where the namespace is the same. */
static int scan(struct netns_table *t, double now)
{
	struct netns_info *list = NULL;
	struct netns_entry *v;
	struct timespec mtime = {};
	bool have_run = run_netns_stat(&mtime);	/* before: a change after is seen */
	size_t nr = 0, n = 0;
	bool self_seen = false;
	int err, home = -1;
	__u32 self;

	err = netns_self(&self);
	if (!err)
		err = netns_list(&list, &nr);
	if (err)
		return err;
	v = calloc(nr + 1, sizeof(*v));
	if (!v) {
		free(list);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nr; i++)
		self_seen |= list[i].inum == self;
	if (!self_seen)
		v[n++].info.inum = self;
	for (size_t i = 0; i < nr; i++)
		v[n++].info = list[i];
	free(list);
	for (size_t i = 0; i < n; i++) {
		const struct netns_entry *old;

		err = learn_cookie(&v[i], self, &home);
		if (err) {
			netns_home_close(&home);
			free(v);
			return err;
		}
		old = find_mut(t, v[i].info.inum);
		if (old && old->cookie == v[i].cookie && v[i].cookie) {
			v[i].limits = old->limits;
			v[i].limits_at = old->limits_at;
		}
	}
	netns_home_close(&home);
	qsort(v, n, sizeof(*v), cmp_entry);
	free(t->v);
	t->v = v;
	t->nr = n;
	t->self = self;
	t->scanned = true;
	t->scanned_at = now;
	t->have_run_netns = have_run;
	t->run_netns_mtime = mtime;
	t->scans++;
	return 0;
}

/* Whether the table may have missed a namespace, or kept a dead one. */
static bool out_of_date(const struct netns_table *t, double now)
{
	struct timespec mtime;
	bool have_run;
	__u32 inum;

	if (!t->scanned || now < t->scanned_at || now - t->scanned_at >= NETNS_TABLE_RESCAN_S)
		return true;
	have_run = run_netns_stat(&mtime);
	if (have_run != t->have_run_netns ||
	    (have_run && (mtime.tv_sec != t->run_netns_mtime.tv_sec ||
			  mtime.tv_nsec != t->run_netns_mtime.tv_nsec)))
		return true;
	for (size_t i = 0; i < t->nr; i++) {
		const struct netns_entry *e = &t->v[i];

		if (e->info.path[0] &&
		    (netns_inum_of(e->info.path, &inum) || inum != e->info.inum))
			return true;
	}
	return false;
}

int netns_table_update(struct netns_table *t, double now)
{
	return out_of_date(t, now) ? scan(t, now) : 0;
}

int netns_table_for_read(struct netns_table *kept, struct netns_table *once,
			 struct netns_table **t)
{
	*t = kept ? kept : once;
	return kept ? 0 : netns_table_update(once, mono_s());
}

/* netns_run_in()'s: the limits of the namespace it runs in. */
static int limits_here(void *lim)
{
	netns_limits_read(lim);
	return 0;
}

/* Reads e's limits (known stays false when it cannot be entered). */
static int read_limits(struct netns_entry *e, double now, int *home)
{
	int err;

	e->limits_at = now;
	memset(&e->limits, 0, sizeof(e->limits));
	err = netns_run_in(e->info.path, home, limits_here, &e->limits);
	return err < 0 ? err : 0;
}

/* The entry snap's namespace ns has in the table, if the same namespace. */
static struct netns_entry *entry_of(struct netns_table *t, const struct ts_netns *ns)
{
	struct netns_entry *e = find_mut(t, ns->inum);

	if (!e || (ns->cookie && e->cookie && ns->cookie != e->cookie))
		return NULL;
	return e;
}

int netns_table_fill_limits(struct netns_table *t, struct ts_snapshot *snap, double now)
{
	double dt = t->limits_read_at > 0 ? now - t->limits_read_at : NETNS_LIMITS_MAX_AGE_S;
	int err = 0, home = -1;
	size_t budget;

	/* Enough a read that every entry comes round within the age. */
	if (dt < 0 || dt > NETNS_LIMITS_MAX_AGE_S)
		dt = NETNS_LIMITS_MAX_AGE_S;
	budget = (size_t)ceil((double)t->nr * dt / NETNS_LIMITS_MAX_AGE_S);
	t->limits_read_at = now;
	for (size_t i = 0; i < snap->nr_netns && !err; i++) {
		struct netns_entry *e = entry_of(t, &snap->netns[i]);

		if (e && e->limits_at <= 0)
			err = read_limits(e, now, &home);
	}
	for (size_t k = 0, start = t->limits_cursor; k < t->nr && budget && !err; k++) {
		size_t i = (start + k) % t->nr;
		struct netns_entry *e = &t->v[i];

		if (e->limits_at == now || !ts_snapshot_find(snap, e->info.inum))
			continue;	/* just read, or no statistics to go with */
		err = read_limits(e, now, &home);
		budget--;
		t->limits_cursor = i + 1;
	}
	netns_home_close(&home);
	if (err)
		return err;
	for (size_t i = 0; i < snap->nr_netns; i++) {
		const struct netns_entry *e = entry_of(t, &snap->netns[i]);

		if (e)
			snap->netns[i].limits = e->limits;
	}
	return 0;
}

void netns_table_free(struct netns_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}
