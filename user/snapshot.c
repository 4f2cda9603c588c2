// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* snapshot.c - the snapshot type and choosing the source that fills it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "snapshot.h"
#include "source.h"

static const struct ts_source_ops *const sources[] = {
	&ts_source_module,	/* auto prefers the module when it is there */
	&ts_source_bpf,
};

int ts_source_open(struct ts_source *src, const char *name)
{
	const struct ts_source_ops *ops = NULL;
	int err;

	memset(src, 0, sizeof(*src));
	if (!strcmp(name, "auto")) {
		for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
			if (!sources[i]->probe()) {
				ops = sources[i];
				break;
			}
		if (!ops)
			return -ENOENT;
	} else {
		for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
			if (!strcmp(name, sources[i]->name))
				ops = sources[i];
		if (!ops)
			return -EINVAL;
	}
	err = ops->open(src);
	if (!err)
		src->ops = ops;
	return err;
}

void ts_source_close(struct ts_source *src)
{
	if (src->ops)
		src->ops->close(src);
	src->ops = NULL;
}

int ts_source_read(struct ts_source *src, struct ts_snapshot *snap,
		   unsigned int flags)
{
	int err;

	memset(snap, 0, sizeof(*snap));
	snap->source = src->ops->name;
	snap->port_bound = -1;
	err = src->ops->read(src, snap, flags);
	if (err) {
		ts_snapshot_free(snap);
		return err;
	}
	/* A count below zero is a collector fault, never a count. */
	for (size_t i = 0; i < snap->nr_netns; i++)
		for (int s = 0; s < TCPSTATE_NSTATES; s++)
			if (snap->netns[i].st.live[s] < 0) {
				snap->netns[i].st.live[s] = 0;
				snap->negative_counts++;
			}
	return 0;
}

int ts_source_port_bound(struct ts_source *src, struct ts_snapshot *snap)
{
	__s64 bound;
	int err;

	if (!src->ops->port_bound)
		return -ENOENT;
	err = src->ops->port_bound(src, &bound);
	if (!err)
		snap->port_bound = bound;
	return err;
}

static size_t lower_bound(const struct ts_snapshot *snap, __u32 inum)
{
	size_t lo = 0, hi = snap->nr_netns;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (snap->netns[mid].inum < inum)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct ts_netns *ts_snapshot_find(const struct ts_snapshot *snap, __u32 inum)
{
	return snapshot_find_mut((struct ts_snapshot *)snap, inum);
}

struct ts_netns *snapshot_find_mut(struct ts_snapshot *snap, __u32 inum)
{
	size_t i = lower_bound(snap, inum);

	return i < snap->nr_netns && snap->netns[i].inum == inum ? &snap->netns[i] : NULL;
}

struct ts_netns *snapshot_get(struct ts_snapshot *snap, __u32 inum)
{
	size_t i = lower_bound(snap, inum);
	struct ts_netns *v;

	if (i < snap->nr_netns && snap->netns[i].inum == inum)
		return &snap->netns[i];
	if (snap->nr_netns >= snap->cap_netns) {
		size_t cap = snap->nr_netns < 8 ? 16 : snap->nr_netns * 2;

		v = realloc(snap->netns, cap * sizeof(*v));
		if (!v)
			return NULL;
		snap->netns = v;
		snap->cap_netns = cap;
	}
	v = snap->netns;
	memmove(&v[i + 1], &v[i], (snap->nr_netns - i) * sizeof(*v));
	memset(&v[i], 0, sizeof(*v));
	v[i].inum = inum;
	snap->nr_netns++;
	return &v[i];
}

void ts_snapshot_free(struct ts_snapshot *snap)
{
	free(snap->netns);
	snap->netns = NULL;
	snap->nr_netns = 0;
	snap->cap_netns = 0;
	free(snap->listeners);
	snap->listeners = NULL;
	snap->nr_listeners = 0;
}
