// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * loader.c - loads the BPF collector, pins it under PIN_DIR so that every
 * tcpstate command shares one instance, and counts the sockets that
 * existed before it (the baseline, one iter/tcp pass per namespace).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tcpstate.h"
#include "tcpstate.skel.h"
#include "cli.h"
#include "loader.h"
#include "memcg.h"
#include "netns.h"

static int ensure_fs(const char *dir, const char *type, long magic)
{
	struct statfs sfs;

	if (!statfs(dir, &sfs) && sfs.f_type == magic)
		return 0;
	if (mount(type, dir, type, 0, NULL)) {
		int err = -errno;

		warnx_("%s is not mounted and mounting it failed: %s", dir,
		       strerror(errno));
		return err;
	}
	info("mounted %s on %s", type, dir);
	return 0;
}

/* The address of tw_timer_handler, the timer of every timewait socket. */
static int find_tw_timer_handler(__u64 *addr)
{
	char line[256], name[128], type;
	unsigned long long a;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return -errno;
	*addr = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %127s", &a, &type, name) != 3)
			continue;
		if (!strcmp(name, "tw_timer_handler")) {
			*addr = a;
			break;
		}
	}
	fclose(f);
	return *addr ? 0 : -ENOENT;
}

static bool probe_tp_btf(const char *name)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = BPF_TRACE_RAW_TP);
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int id, fd;

	id = libbpf_find_vmlinux_btf_id(name, BPF_TRACE_RAW_TP);
	if (id <= 0)
		return false;
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns,
			   sizeof(insns) / sizeof(insns[0]), &opts);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int attach_pin(struct bpf_program *prog, const char *path)
{
	struct bpf_link *link = bpf_program__attach(prog);
	int err;

	if (!link) {
		err = -errno;
		warnx_("cannot attach %s: %s", bpf_program__name(prog),
		       strerror(-err));
		return err;
	}
	err = bpf_link__pin(link, path);
	if (err)
		warnx_("cannot pin link %s: %s", path, strerror(-err));
	bpf_link__destroy(link);	/* the pin keeps it attached */
	return err;
}

/* Runs the iter/tcp baseline once in each namespace. */
static int count_existing(struct tcpstate_bpf *skel)
{
	struct netns_info *ns = NULL;
	struct bpf_link *link;
	size_t nr = 0, done = 0;
	int err, saved, fd;

	link = bpf_program__attach_iter(skel->progs.count_sockets, NULL);
	if (!link) {
		err = -errno;
		warnx_("cannot create the socket iterator: %s", strerror(-err));
		return err;
	}
	err = netns_list(&ns, &nr);
	if (err) {
		warnx_("cannot list network namespaces: %s", strerror(-err));
		goto out;
	}
	for (size_t i = 0; i < nr; i++) {
		err = netns_enter(ns[i].path, &saved);
		if (err) {
			/* It went away since the listing: nothing to count. */
			info("namespace %u (%s): %s", ns[i].inum, ns[i].path,
			     strerror(-err));
			continue;
		}
		fd = bpf_iter_create(bpf_link__fd(link));
		if (fd < 0) {
			err = -errno;
		} else {
			err = collector_iter_drain(fd);
			close(fd);
		}
		if (netns_restore(saved)) {
			warnx_("cannot return to the original namespace");
			err = err ? err : -EIO;
			break;
		}
		if (err) {
			warnx_("counting sockets of namespace %u failed: %s",
			       ns[i].inum, strerror(-err));
			break;
		}
		done++;
	}
	info("counted existing sockets in %zu namespace(s)", done);
out:
	free(ns);
	bpf_link__destroy(link);
	return err;
}

/*
 * The namespace slots to preallocate: opts's, or by default twice the
 * namespaces there are now (a power of two, within the _AUTO bounds).
 */
static unsigned int netns_slots_for(const struct load_opts *opts)
{
	struct netns_info *ns = NULL;
	unsigned int n = LOAD_NETNS_SLOTS_MIN;
	size_t nr = 0;

	if (opts->netns_slots != LOAD_NETNS_SLOTS_AUTO)
		return opts->netns_slots;
	if (!netns_list(&ns, &nr))
		while (n < 2 * nr && n < LOAD_NETNS_SLOTS_AUTO_MAX)
			n *= 2;
	free(ns);
	return n;
}

int collector_load(const struct load_opts *opts)
{
	struct tcpstate_bpf *skel = NULL;
	unsigned int netns_slots;
	bool btf;
	__u64 tw_fn;
	int err;

	err = ensure_fs("/sys/fs/bpf", "bpf", BPF_FS_MAGIC);
	if (err)
		return err;
	if (collector_loaded())
		return -EEXIST;
	err = find_tw_timer_handler(&tw_fn);
	if (err) {
		warnx_("cannot find tw_timer_handler in /proc/kallsyms (%s): "
		       "TIME_WAIT sockets could not be counted",
		       err == -ENOENT ? "no such symbol, or addresses hidden by "
		       "kernel.kptr_restrict" : strerror(-err));
		return err;
	}
	btf = opts->mode != ATTACH_TRACEPOINT && probe_tp_btf("inet_sock_set_state");
	if (opts->mode == ATTACH_BTF && !btf) {
		warnx_("this kernel cannot attach tp_btf programs");
		return -EOPNOTSUPP;
	}
	if (!btf) {
		err = ensure_fs("/sys/kernel/tracing", "tracefs", TRACEFS_MAGIC);
		if (err)
			return err;
	}
	netns_slots = netns_slots_for(opts);
	info("attaching with %s; %u namespace slots", btf ? "tp_btf" : "classic tracepoints",
	     netns_slots);
	/* Before any map exists: see memcg.c. */
	err = memcg_enter_root();
	if (err)
		info("the collector's memory stays charged to this memory cgroup: %s",
		     strerror(-err));

	skel = tcpstate_bpf__open();
	if (!skel) {
		err = -errno;
		warnx_("cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	skel->rodata->targ_tw_timer_fn = tw_fn;
	skel->rodata->targ_sk_storage = btf;
	skel->rodata->targ_sk_slots = opts->sk_slots;
	if (opts->sk_slots)
		bpf_map__set_max_entries(skel->maps.sk_slots, opts->sk_slots);
	if (opts->fw2_pending)
		bpf_map__set_max_entries(skel->maps.fw2_pending, opts->fw2_pending);
	bpf_map__set_max_entries(skel->maps.listeners,
				 opts->listeners ? opts->listeners : LOAD_LISTENERS_DEFAULT);
	/* Socket storage holds the records with tp_btf: the fallback's 32 MiB of buckets go. */
	if (btf)
		bpf_map__set_max_entries(skel->maps.sk_table, 1);
	skel->rodata->targ_netns_slots = netns_slots;
	if (netns_slots) {
		bpf_map__set_max_entries(skel->maps.netns_slots, netns_slots);
		bpf_map__set_max_entries(skel->maps.netns_slot_owner, netns_slots);
	}
	bpf_program__set_autoload(skel->progs.set_state_btf, btf);
	bpf_program__set_autoload(skel->progs.set_state_nest, btf);
	bpf_program__set_autoload(skel->progs.timer_start_btf, btf);
	bpf_program__set_autoload(skel->progs.timer_cancel_btf, btf);
	bpf_program__set_autoload(skel->progs.destroy_btf, btf);
	bpf_program__set_autoload(skel->progs.destroy_tp, !btf);
	bpf_program__set_autoload(skel->progs.set_state_tp, !btf);
	bpf_program__set_autoload(skel->progs.timer_start_tp, !btf);
	bpf_program__set_autoload(skel->progs.timer_cancel_tp, !btf);

	err = tcpstate_bpf__load(skel);
	if (err) {
		warnx_("cannot load the BPF programs: %s (run with -v for the "
		       "verifier's log)", strerror(-err));
		goto out;
	}
	if (mkdir(PIN_DIR, 0700) && errno != EEXIST) {
		err = -errno;
		warnx_("cannot create %s: %s", PIN_DIR, strerror(errno));
		goto out;
	}
	err = collector_pin_objects(skel->obj);
	if (err)
		goto out_unpin;
	/* Timewait births first: a socket closing now must find its tw. */
	if (btf)
		err = attach_pin(skel->progs.timer_start_btf, PIN_LINK("timer_start")) ?:
		      attach_pin(skel->progs.timer_cancel_btf, PIN_LINK("timer_cancel")) ?:
		      attach_pin(skel->progs.destroy_btf, PIN_LINK("destroy")) ?:
		      attach_pin(skel->progs.set_state_btf, PIN_LINK("set_state")) ?:
		      attach_pin(skel->progs.set_state_nest, PIN_LINK("set_state_nest"));
	else
		err = attach_pin(skel->progs.timer_start_tp, PIN_LINK("timer_start")) ?:
		      attach_pin(skel->progs.timer_cancel_tp, PIN_LINK("timer_cancel")) ?:
		      attach_pin(skel->progs.destroy_tp, PIN_LINK("destroy")) ?:
		      attach_pin(skel->progs.set_state_tp, PIN_LINK("set_state"));
	if (err)
		goto out_unpin;
	err = count_existing(skel);
	if (err)
		goto out_unpin;
	goto out;

out_unpin:
	collector_unload();
out:
	tcpstate_bpf__destroy(skel);
	return err;
}

static int unlink_matching(const char *prefix)
{
	char path[512];
	struct dirent *de;
	int err = 0;
	DIR *d = opendir(PIN_DIR);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), PIN_DIR "/%s", de->d_name);
		if (unlink(path) && errno != ENOENT)
			err = -errno;
	}
	closedir(d);
	return err;
}

int collector_unload(void)
{
	int err;

	/* Detach first, so nothing writes to maps that are going away. */
	err = unlink_matching("link_");
	err = unlink_matching("") ?: err;
	if (rmdir(PIN_DIR) && errno != ENOENT)
		err = err ?: -errno;
	return err;
}

const char *collector_attach_kind(void)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(PIN_LINK("set_state"));
	const char *kind = "unknown";

	if (fd < 0)
		return "none";
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		kind = info.type == BPF_LINK_TYPE_PERF_EVENT ? "tracepoint" : "tp_btf";
	close(fd);
	return kind;
}
