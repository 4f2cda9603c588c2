// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * collector_fds.c - the loaded BPF collector's maps and programs: which
 * ones a reader needs, under which pin names, and opening them by pin
 * path or, where /sys/fs/bpf is not this mount namespace's (as under
 * `ip netns exec`), by object id.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "loader.h"

#define NAME_LEN 16	/* BPF_OBJ_NAME_LEN */

enum obj_kind {
	OBJ_MAP,	/* pinned as map_<pin> */
	OBJ_PROG,	/* program run from user space, pinned as prog_<pin> */
	OBJ_ATTACHED,	/* attached program, its link pinned as link_<pin> */
};

/* Everything collector_open() fills, in one place. */
static const struct collector_obj {
	enum obj_kind kind;
	const char *pin;
	const char *names[2];	/* the object's names (tp_btf, tracepoint) */
	size_t off;		/* its fd in struct collector_fds */
	bool optional;
} objs[] = {
#define OBJ(k, p, f, opt, ...) \
	{ .kind = k, .pin = p, .names = { __VA_ARGS__ }, \
	  .off = offsetof(struct collector_fds, f), .optional = opt }
	OBJ(OBJ_MAP, "netns_stats", netns_stats, false, "netns_stats"),
	OBJ(OBJ_MAP, "netns_spill", netns_spill, false, "netns_spill"),
	OBJ(OBJ_MAP, "netns_slots", netns_slots, false, "netns_slots"),
	OBJ(OBJ_MAP, "netns_slot_owner", netns_slot_owner, false, "netns_slot_owner"),
	OBJ(OBJ_MAP, "errors", errors, false, "errors"),
	OBJ(OBJ_MAP, "fw2_pending", fw2_pending, false, "fw2_pending"),
	OBJ(OBJ_MAP, "listeners", listeners, false, "listeners"),
	OBJ(OBJ_MAP, "nesting", nesting, true, "nesting"),	/* tp_btf only */
	OBJ(OBJ_MAP, "port_use", port_use, true, "port_use"),	/* counted with tp_btf only */
	/* Per timewait socket (port, peer, owner, age): for the daemon. */
	OBJ(OBJ_MAP, "timewait", timewait, true, "timewait"),
	OBJ(OBJ_PROG, "listeners_refresh", listeners_refresh, false, "listeners_refresh"),
	OBJ(OBJ_PROG, "fw2_reconcile", fw2_reconcile, false, "fw2_reconcile"),
	/* The re-count of a namespace (repair.c). */
	OBJ(OBJ_MAP, "netns_check", netns_check, false, "netns_check"),
	OBJ(OBJ_PROG, "count_sockets", count_sockets, false, "count_sockets"),
	OBJ(OBJ_PROG, "repair_begin", repair_begin, false, "repair_begin"),
	OBJ(OBJ_PROG, "repair_end", repair_end, false, "repair_end"),
	OBJ(OBJ_ATTACHED, "set_state", set_state, false, "set_state_btf", "set_state_tp"),
	OBJ(OBJ_ATTACHED, "set_state_nest", set_state_nest, true, "set_state_nest"),
	OBJ(OBJ_ATTACHED, "timer_start", timer_start, true,
	    "timer_start_btf", "timer_start_tp"),
	OBJ(OBJ_ATTACHED, "timer_cancel", timer_cancel, true,
	    "timer_cancel_btf", "timer_cancel_tp"),
	OBJ(OBJ_ATTACHED, "destroy", destroy, true, "destroy_btf", "destroy_tp"),
#undef OBJ
};

#define NOBJS (sizeof(objs) / sizeof(objs[0]))

static int *fd_of(struct collector_fds *f, const struct collector_obj *o)
{
	return (int *)((char *)f + o->off);
}

static void fds_init(struct collector_fds *f)
{
	for (size_t i = 0; i < NOBJS; i++)
		*fd_of(f, &objs[i]) = -1;
}

void collector_close(struct collector_fds *f)
{
	for (size_t i = 0; i < NOBJS; i++) {
		int *fd = fd_of(f, &objs[i]);

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

static void pin_path(char *buf, size_t len, const struct collector_obj *o)
{
	static const char *const prefix[] = {
		[OBJ_MAP] = "map_", [OBJ_PROG] = "prog_", [OBJ_ATTACHED] = "link_",
	};

	snprintf(buf, len, PIN_DIR "/%s%s", prefix[o->kind], o->pin);
}

int collector_pin_objects(struct bpf_object *obj)
{
	char path[256];
	int err;

	for (size_t i = 0; i < NOBJS; i++) {
		const struct collector_obj *o = &objs[i];
		struct bpf_program *prog;
		struct bpf_map *map;

		pin_path(path, sizeof(path), o);
		if (o->kind == OBJ_MAP) {
			map = bpf_object__find_map_by_name(obj, o->names[0]);
			err = map ? bpf_map__pin(map, path) : -ENOENT;
		} else if (o->kind == OBJ_PROG) {
			prog = bpf_object__find_program_by_name(obj, o->names[0]);
			err = prog ? bpf_program__pin(prog, path) : -ENOENT;
		} else {
			continue;	/* links are pinned as they are attached */
		}
		if (err) {
			warnx_("cannot pin %s: %s", path, strerror(-err));
			return err;
		}
	}
	return 0;
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

static void open_pinned(struct collector_fds *f)
{
	char path[256];

	for (size_t i = 0; i < NOBJS; i++) {
		pin_path(path, sizeof(path), &objs[i]);
		*fd_of(f, &objs[i]) = objs[i].kind == OBJ_ATTACHED ?
				      prog_of_link(path) : bpf_obj_get(path);
	}
}

/* The fd slot of an object of this kind and name; NULL if not ours. */
static int *slot_of(struct collector_fds *f, enum obj_kind kind, const char *name)
{
	for (size_t i = 0; i < NOBJS; i++) {
		if (objs[i].kind != kind)
			continue;
		for (size_t j = 0; j < 2 && objs[i].names[j]; j++)
			if (!strncmp(name, objs[i].names[j], NAME_LEN - 1))
				return fd_of(f, &objs[i]);
	}
	return NULL;
}

/* Keeps fd in the slot for (kind, name) if it is ours and still empty. */
static void keep(struct collector_fds *f, enum obj_kind kind, const char *name, int fd)
{
	int *slot = slot_of(f, kind, name);

	if (slot && *slot < 0)
		*slot = fd;
	else
		close(fd);
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

/* Whether pfd uses one of the collector's maps already opened. */
static bool uses_our_map(struct collector_fds *f, int pfd)
{
	for (size_t i = 0; i < NOBJS; i++) {
		struct bpf_map_info mi = {};
		__u32 len = sizeof(mi);
		int fd = *fd_of(f, &objs[i]);

		if (objs[i].kind != OBJ_MAP || fd < 0 ||
		    bpf_obj_get_info_by_fd(fd, &mi, &len))
			continue;
		if (uses_map(pfd, mi.id))
			return true;
	}
	return false;
}

/* Opens, from the maps prog uses, those named like ours. */
static void open_maps_of(struct collector_fds *f, int pfd)
{
	__u32 ids[32], nr = 32;

	if (pfd < 0 || prog_map_ids(pfd, ids, &nr))
		return;
	for (__u32 i = 0; i < nr; i++) {
		struct bpf_map_info mi = {};
		__u32 len = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &mi, &len))
			close(fd);
		else
			keep(f, OBJ_MAP, mi.name, fd);
	}
}

static int prog_name(int pfd, char name[NAME_LEN])
{
	struct bpf_prog_info pi = {};
	__u32 len = sizeof(pi);

	if (bpf_obj_get_info_by_fd(pfd, &pi, &len))
		return -errno;
	memcpy(name, pi.name, NAME_LEN);
	return 0;
}

/* The attached set_state program is what marks a loaded collector. */
static int open_by_id(struct collector_fds *f)
{
	__u32 id = 0, len;
	char name[NAME_LEN];

	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info li = {};
		int lfd = bpf_link_get_fd_by_id(id), pfd = -1;

		len = sizeof(li);
		if (lfd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(lfd, &li, &len))
			pfd = bpf_prog_get_fd_by_id(li.prog_id);
		close(lfd);
		if (pfd < 0)
			continue;
		if (prog_name(pfd, name))
			close(pfd);
		else
			keep(f, OBJ_ATTACHED, name, pfd);
	}
	if (f->set_state < 0)
		return -ENOENT;
	for (size_t i = 0; i < NOBJS; i++)
		if (objs[i].kind == OBJ_ATTACHED)
			open_maps_of(f, *fd_of(f, &objs[i]));
	if (f->netns_stats < 0)
		return -ENOENT;
	/* The programs run from user space are not attached: find them by maps. */
	id = 0;
	while (!bpf_prog_get_next_id(id, &id)) {
		int pfd = bpf_prog_get_fd_by_id(id);

		if (pfd < 0)
			continue;
		if (!prog_name(pfd, name) && slot_of(f, OBJ_PROG, name) &&
		    uses_our_map(f, pfd))
			keep(f, OBJ_PROG, name, pfd);
		else
			close(pfd);
	}
	/* Maps only they use (netns_check). */
	for (size_t i = 0; i < NOBJS; i++)
		if (objs[i].kind == OBJ_PROG)
			open_maps_of(f, *fd_of(f, &objs[i]));
	return 0;
}

static bool complete(struct collector_fds *f)
{
	for (size_t i = 0; i < NOBJS; i++)
		if (!objs[i].optional && *fd_of(f, &objs[i]) < 0)
			return false;
	return true;
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

#define ITER_RETRIES	1000

int collector_iter_drain(int iter_fd)
{
	char buf[4096];
	int retries = 0;
	ssize_t n;

	for (;;) {
		n = read(iter_fd, buf, sizeof(buf));
		if (n > 0) {
			retries = 0;
			continue;
		}
		if (!n)
			return 0;
		if ((errno != EAGAIN && errno != EINTR) || ++retries > ITER_RETRIES)
			return -errno;
		if (retries > 10)
			usleep(1000);	/* let the allocator refill */
	}
}

int collector_map_entries(int map_fd, __u32 *entries)
{
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);

	if (bpf_obj_get_info_by_fd(map_fd, &mi, &len))
		return -errno;
	*entries = mi.max_entries;
	return 0;
}

int collector_run(int prog_fd, void *ctx, unsigned int ctx_size, unsigned int *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = ctx, .ctx_size_in = ctx_size);

	if (prog_fd < 0)
		return -ENOENT;
	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	if (retval)
		*retval = opts.retval;
	else if (opts.retval)
		return -EIO;
	return 0;
}
