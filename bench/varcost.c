// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * varcost - per-event cost of several builds of a BPF object side by side,
 * while a command runs: to tell what each part of a program costs.
 *
 *   varcost OBJ... -- COMMAND [ARG...]
 *
 * Each OBJ (a build of bpf/tcpstate.bpf.c with parts removed, or
 * bench/empty.bpf.o) is loaded with maps of its own, unpinned, from the
 * root memory cgroup as the collector is (user/memcg.c), and its tp_btf
 * programs are attached in the collector's order, object after object on
 * each tracepoint. Run-time statistics are on while COMMAND runs; then
 * every program's run_time_ns / run_cnt is printed, labelled by object.
 * The collector itself (the pinned one, if any) is not touched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "memcg.h"

#define MAX_OBJS	16
#define MAX_PROGS	256

static const char *const attach_order[] = {
	"timer_start_btf", "timer_start_nest", "timer_cancel_btf",
	"timer_cancel_nest", "destroy_btf", "destroy_nest", "set_state_btf",
	"set_state_nest", NULL,
};

struct prog_stat {
	const char *obj, *name;
	int fd;
	__u64 time[2], cnt[2];
};

static struct prog_stat progs[MAX_PROGS];
static int nprogs;

static int tw_timer_fn(__u64 *addr)
{
	char line[256], sym[128];
	unsigned long long a;
	char t;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %127s", &a, &t, sym) == 3 &&
		    !strcmp(sym, "tw_timer_handler")) {
			*addr = a;
			fclose(f);
			return 0;
		}
	fclose(f);
	return -ENOENT;
}

/* Sets a .rodata variable by name; absent variables are skipped. */
static void set_rodata(struct bpf_object *obj, const char *var, const void *v,
		       size_t len)
{
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;
	const struct btf_type *sec;
	const struct btf_var_secinfo *vs;
	size_t size;
	const void *cur;
	char *data;
	int id;

	map = bpf_object__find_map_by_name(obj, ".rodata");
	if (!btf || !map)
		return;
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (id < 0)
		return;
	sec = btf__type_by_id(btf, id);
	cur = bpf_map__initial_value(map, &size);
	data = malloc(size);
	if (!cur || !data) {
		free(data);
		return;
	}
	memcpy(data, cur, size);
	vs = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *t = btf__type_by_id(btf, vs->type);

		if (!strcmp(btf__name_by_offset(btf, t->name_off), var) &&
		    vs->offset + len <= size)
			memcpy(data + vs->offset, v, len);
	}
	bpf_map__set_initial_value(map, data, size);
	free(data);
}

static int load(const char *path, __u64 tw_fn)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;
	bool yes = true;
	int err;

	if (!obj) {
		fprintf(stderr, "varcost: %s: %s\n", path, strerror(errno));
		return -1;
	}
	set_rodata(obj, "targ_tw_timer_fn", &tw_fn, sizeof(tw_fn));
	set_rodata(obj, "targ_sk_storage", &yes, sizeof(yes));
	if (getenv("VARCOST_SLOTS")) {
		__u32 slots = strtoul(getenv("VARCOST_SLOTS"), NULL, 0);
		struct bpf_map *m = bpf_object__find_map_by_name(obj, "sk_slots");

		set_rodata(obj, "targ_sk_slots", &slots, sizeof(slots));
		if (m && slots)
			bpf_map__set_max_entries(m, slots);
	}
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog,
			bpf_program__type(prog) == BPF_PROG_TYPE_TRACING);
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "varcost: %s: load: %s\n", path, strerror(-err));
		return -1;
	}
	/* The collector's order, then whatever else the object has. */
	for (int pass = 0; pass < 2; pass++)
		bpf_object__for_each_program(prog, obj) {
			const char *name = bpf_program__name(prog);
			int known = 0;

			if (!bpf_program__autoload(prog))
				continue;
			for (int i = 0; attach_order[i]; i++)
				known |= !strcmp(name, attach_order[i]);
			if (pass == 0 && !known)
				continue;
			if (pass == 1 && known)
				continue;
			if (nprogs == MAX_PROGS || !bpf_program__attach(prog)) {
				fprintf(stderr, "varcost: %s: cannot attach %s\n",
					path, name);
				return -1;
			}
			progs[nprogs].obj = path;
			progs[nprogs].name = name;
			progs[nprogs].fd = bpf_program__fd(prog);
			nprogs++;
		}
	return 0;
}

static int read_stats(int when)
{
	for (int i = 0; i < nprogs; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(progs[i].fd, &info, &len))
			return -1;
		progs[i].time[when] = info.run_time_ns;
		progs[i].cnt[when] = info.run_cnt;
	}
	return 0;
}

static int run(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "varcost: %s failed\n", argv[0]);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int sep = 0, stats_fd;
	__u64 tw_fn;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			sep = i;
			break;
		}
	if (sep < 2 || sep == argc - 1 || sep - 1 > MAX_OBJS) {
		fprintf(stderr, "usage: varcost OBJ... -- COMMAND [ARG...]\n");
		return 64;
	}
	if (tw_timer_fn(&tw_fn)) {
		fprintf(stderr, "varcost: no tw_timer_handler in /proc/kallsyms\n");
		return 1;
	}
	memcg_enter_root();
	for (int i = 1; i < sep; i++)
		if (load(argv[i], tw_fn))
			return 1;
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		fprintf(stderr, "varcost: BPF_ENABLE_STATS: %s\n", strerror(errno));
		return 1;
	}
	if (read_stats(0) || run(argv + sep + 1) || read_stats(1))
		return 1;
	for (int i = 0; i < nprogs; i++) {
		__u64 n = progs[i].cnt[1] - progs[i].cnt[0];

		printf("%-40s %-20s %10llu %8.1f\n", progs[i].obj, progs[i].name,
		       (unsigned long long)n,
		       n ? (double)(progs[i].time[1] - progs[i].time[0]) / n : 0.0);
	}
	close(stats_fd);
	return 0;
}
