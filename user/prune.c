// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* prune.c - the statistics of dead namespaces out of the collector's maps. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "netns.h"
#include "prune.h"
#include "repair.h"
#include "tcpstate.h"

struct keys {
	struct tcpstate_netns_key *v;
	size_t nr, cap;
};

static bool has_key(const struct keys *k, const struct tcpstate_netns_key *key)
{
	for (size_t i = 0; i < k->nr; i++)
		if (k->v[i].inum == key->inum && k->v[i].cookie == key->cookie)
			return true;
	return false;
}

static int add_key(struct keys *k, const struct tcpstate_netns_key *key)
{
	if (has_key(k, key))
		return 0;
	if (k->nr == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 64;
		void *v = realloc(k->v, cap * sizeof(*k->v));

		if (!v)
			return -ENOMEM;
		k->v = v;
		k->cap = cap;
	}
	k->v[k->nr++] = *key;
	return 0;
}

/* Adds every key of map fd to k (once each). */
static int collect(int fd, struct keys *k)
{
	struct tcpstate_netns_key key, next;
	void *prev = NULL;
	int err;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		err = add_key(k, &key);
		if (err)
			return err;
	}
	return errno == ENOENT ? 0 : -errno;
}

/*
 * The preallocated namespace slots (bpf/maps.bpf.h): adds their owners to
 * k, and frees the slots retired by an earlier prune, zeroed first, so
 * that the namespace that takes one next starts from nothing. A slot
 * retired now is freed by the next prune, an interval later: by then no
 * event that found it before it was retired can still be writing to it.
 */
static int collect_slots(const struct collector_fds *f, struct keys *k)
{
	struct tcpstate_netns_key owner, free_ = {};
	void *zero = NULL;
	__u32 nslots;
	int ncpus, err;

	err = collector_map_entries(f->netns_slot_owner, &nslots);
	if (err)
		return err;
	for (__u32 i = 0; i < nslots && !err; i++) {
		if (bpf_map_lookup_elem(f->netns_slot_owner, &i, &owner))
			return -errno;
		if (!owner.cookie)
			continue;
		if (owner.cookie != TCPSTATE_NETNS_RETIRED) {
			err = add_key(k, &owner);
			continue;
		}
		if (!zero) {
			ncpus = libbpf_num_possible_cpus();
			if (ncpus <= 0)
				return ncpus ? ncpus : -EINVAL;
			zero = calloc(ncpus, sizeof(struct tcpstate_stats));
			if (!zero)
				return -ENOMEM;
		}
		if (bpf_map_update_elem(f->netns_slots, &i, zero, BPF_EXIST) ||
		    bpf_map_update_elem(f->netns_slot_owner, &i, &free_, BPF_EXIST))
			err = -errno;
	}
	free(zero);
	return err;
}

/* Retires key's slot, if it holds one: no event counts into it any more. */
static int retire_slot(const struct collector_fds *f, const struct tcpstate_netns_key *key)
{
	struct tcpstate_netns_key owner;
	__u32 nslots, idx;
	int err = collector_map_entries(f->netns_slot_owner, &nslots);

	if (err)
		return err;
	idx = tcpstate_netns_slot(key->cookie, nslots);
	if (bpf_map_lookup_elem(f->netns_slot_owner, &idx, &owner))
		return -errno;
	if (owner.cookie != key->cookie)
		return 0;
	owner.cookie = TCPSTATE_NETNS_RETIRED;
	return bpf_map_update_elem(f->netns_slot_owner, &idx, &owner, BPF_EXIST) ? -errno : 0;
}

static const struct netns_info *find_ns(const struct netns_info *ns, size_t nr, __u32 inum)
{
	for (size_t i = 0; i < nr; i++)
		if (ns[i].inum == inum)
			return &ns[i];
	return NULL;
}

/* 1 when key's namespace is gone, 0 when alive (or in doubt), -errno. */
static int is_dead(const struct tcpstate_netns_key *key,
		   const struct netns_info *ns, size_t nr)
{
	const struct netns_info *n = find_ns(ns, nr, key->inum);
	__u64 cookie = 0;
	int saved, err;

	if (!n)
		return 1;
	if (!key->cookie)
		return 0;
	if (netns_enter(n->path, &saved))
		return 0;	/* cannot tell: keep it */
	err = netns_cookie(&cookie);
	if (netns_restore(saved))
		return -EIO;	/* we are no longer in our own namespace */
	if (err)
		return 0;
	return cookie != key->cookie;
}

void prune_state_free(struct prune_state *st)
{
	free(st->dead);
	st->dead = NULL;
	st->nr = 0;
}

static bool was_dead(const struct prune_state *st, const struct tcpstate_netns_key *key)
{
	for (size_t i = 0; i < st->nr; i++)
		if (st->dead[i].inum == key->inum && st->dead[i].cookie == key->cookie)
			return true;
	return false;
}

int prune_dead_netns(const struct collector_fds *f, struct prune_state *st,
		     size_t *pruned, char *err, size_t errlen)
{
	struct tcpstate_netns_key *dead_now = NULL;
	size_t nr_dead = 0;
	const int maps[] = { f->netns_stats, f->netns_spill, f->netns_check };
	struct netns_info *ns = NULL;
	struct keys k = {};
	size_t nr = 0, n = 0;
	int ret = 0, lock = -1;

	*pruned = 0;
	ret = collect_slots(f, &k);
	if (ret) {
		snprintf(err, errlen, "the namespace slots: %s", strerror(-ret));
		goto cleanup;
	}
	for (size_t m = 0; m < sizeof(maps) / sizeof(maps[0]); m++) {
		ret = collect(maps[m], &k);
		if (ret) {
			snprintf(err, errlen, "listing the netns maps: %s", strerror(-ret));
			goto cleanup;
		}
	}
	if (!k.nr)
		goto cleanup;
	dead_now = calloc(k.nr, sizeof(*dead_now));
	if (!dead_now) {
		ret = -ENOMEM;
		snprintf(err, errlen, "%s", strerror(-ret));
		goto cleanup;
	}
	/* After the keys: a namespace that has a key and lives is listed. */
	ret = netns_list(&ns, &nr);
	if (ret) {
		snprintf(err, errlen, "listing namespaces: %s", strerror(-ret));
		goto cleanup;
	}
	/* Not while a reader re-counts or checks a namespace (repair.h). */
	lock = collector_lock();
	if (lock < 0) {
		ret = lock;
		snprintf(err, errlen, "the collector's lock: %s", strerror(-ret));
		goto cleanup;
	}
	for (size_t i = 0; i < k.nr; i++) {
		int dead = is_dead(&k.v[i], ns, nr);

		if (dead < 0) {
			ret = dead;
			snprintf(err, errlen, "returning to our namespace: %s",
				 strerror(-ret));
			goto cleanup;
		}
		if (!dead)
			continue;
		if (!was_dead(st, &k.v[i])) {
			dead_now[nr_dead++] = k.v[i];	/* the next prune deletes it */
			continue;
		}
		for (size_t m = 0; m < sizeof(maps) / sizeof(maps[0]); m++)
			bpf_map_delete_elem(maps[m], &k.v[i]);	/* ENOENT: not in this one */
		ret = retire_slot(f, &k.v[i]);
		if (ret) {
			snprintf(err, errlen, "retiring a namespace slot: %s", strerror(-ret));
			goto cleanup;
		}
		n++;
	}
	*pruned = n;
	free(st->dead);
	st->dead = dead_now;
	st->nr = nr_dead;
	dead_now = NULL;
cleanup:
	free(dead_now);
	if (lock >= 0)
		collector_unlock(lock);
	free(ns);
	free(k.v);
	return ret;
}
