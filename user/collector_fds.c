// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * collector_fds.c - opening the loaded BPF collector's maps and programs,
 * by pin path or, where /sys/fs/bpf is not this mount namespace's (as
 * under `ip netns exec`), by object id.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "loader.h"

#define NAME_LEN 16	/* BPF_OBJ_NAME_LEN */

static void fds_init(struct collector_fds *f)
{
	f->netns_stats = f->errors = f->fw2_pending = f->listeners = f->nesting = -1;
	f->listeners_read = f->fw2_reconcile = -1;
	f->set_state = f->timer_start = f->timer_cancel = -1;
}

static int *fd_slots(struct collector_fds *f, size_t *n)
{
	*n = sizeof(*f) / sizeof(int);
	return (int *)f;
}

void collector_close(struct collector_fds *f)
{
	size_t n;
	int *v = fd_slots(f, &n);

	for (size_t i = 0; i < n; i++) {
		if (v[i] >= 0)
			close(v[i]);
		v[i] = -1;
	}
}

static int prog_of_link(const char *path)
{
	struct bpf_link_info li = {};
	__u32 len = sizeof(li);
	int fd = bpf_obj_get(path), pfd = -1;

	if (fd < 0)
		return -1;
	if (!bpf_obj_get_info_by_fd(fd, &li, &len))
		pfd = bpf_prog_get_fd_by_id(li.prog_id);
	close(fd);
	return pfd;
}

static int open_pinned(struct collector_fds *f)
{
	f->netns_stats = bpf_obj_get(PIN_MAP("netns_stats"));
	f->errors = bpf_obj_get(PIN_MAP("errors"));
	f->fw2_pending = bpf_obj_get(PIN_MAP("fw2_pending"));
	f->listeners = bpf_obj_get(PIN_MAP("listeners"));
	f->nesting = bpf_obj_get(PIN_MAP("nesting"));	/* tp_btf only */
	f->listeners_read = bpf_obj_get(PIN_PROG("listeners_read"));
	f->fw2_reconcile = bpf_obj_get(PIN_PROG("fw2_reconcile"));
	f->set_state = prog_of_link(PIN_LINK("set_state"));
	f->timer_start = prog_of_link(PIN_LINK("timer_start"));
	f->timer_cancel = prog_of_link(PIN_LINK("timer_cancel"));
	return 0;
}

static bool name_is(const char *name, const char *want)
{
	return !strncmp(name, want, NAME_LEN - 1);
}

/* The map ids a program uses. */
static int prog_map_ids(int pfd, __u32 *ids, __u32 *nr)
{
	struct bpf_prog_info pi = {};
	__u32 len = sizeof(pi);

	pi.nr_map_ids = *nr;
	pi.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(pfd, &pi, &len))
		return -errno;
	*nr = pi.nr_map_ids < *nr ? pi.nr_map_ids : *nr;
	return 0;
}

static bool uses_map(int pfd, __u32 map_id)
{
	__u32 ids[32], nr = 32;

	if (prog_map_ids(pfd, ids, &nr))
		return false;
	for (__u32 i = 0; i < nr; i++)
		if (ids[i] == map_id)
			return true;
	return false;
}

static __u32 map_id_of(int fd)
{
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);

	return bpf_obj_get_info_by_fd(fd, &mi, &len) ? 0 : mi.id;
}

/* Opens, from the maps prog uses, those named like ours. */
static void open_maps_of(struct collector_fds *f, int pfd)
{
	__u32 ids[32], nr = 32;

	if (prog_map_ids(pfd, ids, &nr))
		return;
	for (__u32 i = 0; i < nr; i++) {
		struct bpf_map_info mi = {};
		__u32 len = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]), *slot = NULL;

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &mi, &len)) {
			if (name_is(mi.name, "netns_stats"))
				slot = &f->netns_stats;
			else if (name_is(mi.name, "errors"))
				slot = &f->errors;
			else if (name_is(mi.name, "fw2_pending"))
				slot = &f->fw2_pending;
			else if (name_is(mi.name, "listeners"))
				slot = &f->listeners;
			else if (name_is(mi.name, "nesting"))
				slot = &f->nesting;
		}
		if (slot && *slot < 0)
			*slot = fd;
		else
			close(fd);
	}
}

/* Attached programs by name: the set_state link is what marks a collector. */
static int open_by_id(struct collector_fds *f)
{
	__u32 id = 0;
	__u32 stats_id;
	int nest = -1;	/* set_state's twin: it alone uses the nesting map */

	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info li = {};
		struct bpf_prog_info pi = {};
		__u32 len = sizeof(li);
		int lfd = bpf_link_get_fd_by_id(id), pfd, *slot = NULL;

		if (lfd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(lfd, &li, &len) ||
		    (pfd = bpf_prog_get_fd_by_id(li.prog_id)) < 0) {
			close(lfd);
			continue;
		}
		close(lfd);
		len = sizeof(pi);
		if (!bpf_obj_get_info_by_fd(pfd, &pi, &len)) {
			if (name_is(pi.name, "set_state_btf") || name_is(pi.name, "set_state_tp"))
				slot = &f->set_state;
			else if (name_is(pi.name, "timer_start_btf") ||
				 name_is(pi.name, "timer_start_tp"))
				slot = &f->timer_start;
			else if (name_is(pi.name, "timer_cancel_btf") ||
				 name_is(pi.name, "timer_cancel_tp"))
				slot = &f->timer_cancel;
			else if (name_is(pi.name, "set_state_nest"))
				slot = &nest;
		}
		if (slot && *slot < 0)
			*slot = pfd;
		else
			close(pfd);
	}
	if (f->set_state < 0)
		return -ENOENT;
	open_maps_of(f, f->set_state);
	if (f->timer_cancel >= 0)
		open_maps_of(f, f->timer_cancel);
	if (nest >= 0) {
		open_maps_of(f, nest);
		close(nest);
	}
	if (f->netns_stats < 0)
		return -ENOENT;
	stats_id = map_id_of(f->netns_stats);
	/* The iterator programs are not attached: find them by their maps. */
	id = 0;
	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info pi = {};
		__u32 len = sizeof(pi);
		int pfd = bpf_prog_get_fd_by_id(id), *slot = NULL;

		if (pfd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(pfd, &pi, &len) && uses_map(pfd, stats_id)) {
			if (name_is(pi.name, "listeners_read"))
				slot = &f->listeners_read;
			else if (name_is(pi.name, "fw2_reconcile"))
				slot = &f->fw2_reconcile;
		}
		if (slot && *slot < 0)
			*slot = pfd;
		else
			close(pfd);
	}
	return 0;
}

static bool complete(const struct collector_fds *f)
{
	return f->netns_stats >= 0 && f->errors >= 0 && f->fw2_pending >= 0 &&
	       f->listeners >= 0 && f->listeners_read >= 0 && f->fw2_reconcile >= 0 &&
	       f->set_state >= 0;
}

int collector_open(struct collector_fds *f)
{
	fds_init(f);
	if (!access(PIN_DIR, F_OK)) {
		open_pinned(f);
		if (complete(f))
			return 0;
		collector_close(f);
	}
	if (!open_by_id(f) && complete(f))
		return 0;
	collector_close(f);
	return -ENOENT;
}

bool collector_loaded(void)
{
	struct collector_fds f;
	int err;

	if (!access(PIN_LINK("set_state"), F_OK))
		return true;
	err = collector_open(&f);
	collector_close(&f);
	return !err;
}
