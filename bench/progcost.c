// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * progcost - per-event cost of BPF programs, beside an empty program on
 * the same tracepoint, while a command runs.
 *
 *   progcost PROG... -- COMMAND [ARG...]
 *   progcost --floor -- COMMAND [ARG...]
 *
 * Attaches bench/empty.bpf.c's programs, turns on run-time statistics
 * (BPF_ENABLE_STATS, for as long as progcost runs), runs COMMAND, and
 * prints for each named program and each empty one the events seen, the
 * nanoseconds per event (run_time_ns / run_cnt over the command's run),
 * the cost beyond the empty program on the same tracepoint, and the ratio
 * to it. PROG names loaded programs (the kernel keeps 15 characters of a
 * name; so does the match); a tp_btf program's tracepoint comes from its
 * attach BTF id.
 *
 * --floor only attaches the empty programs, one on each tracepoint, for
 * as long as COMMAND runs, statistics off: what any collector on these
 * tracepoints costs at least (bench/churn.sh's "empty programs").
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "empty.skel.h"

#define MAX_PROGS	32

struct prog_stat {
	char name[64];
	char tp[64];		/* tracepoint; "" when unknown */
	__u32 id;
	int empty;
	__u64 time[2], cnt[2];	/* before and after the command */
};

static struct prog_stat progs[MAX_PROGS];
static int nprogs;
static struct btf *vmlinux;

/* Records a program; its tracepoint from its attach BTF id. */
static int add(const char *name, const struct bpf_prog_info *info, int empty)
{
	struct prog_stat *p = &progs[nprogs];
	const struct btf_type *t;
	const char *tp;

	if (nprogs == MAX_PROGS) {
		fprintf(stderr, "progcost: more than %d programs\n", MAX_PROGS);
		return -1;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->id = info->id;
	p->empty = empty;
	t = info->attach_btf_id && vmlinux ?
	    btf__type_by_id(vmlinux, info->attach_btf_id) : NULL;
	tp = t ? btf__name_by_offset(vmlinux, t->name_off) : NULL;
	if (tp && !strncmp(tp, "btf_trace_", 10))
		tp += 10;
	snprintf(p->tp, sizeof(p->tp), "%s", tp ? tp : "");
	nprogs++;
	return 0;
}

static int add_by_fd(const char *name, int fd, int empty)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "progcost: %s: %s\n", name, strerror(errno));
		return -1;
	}
	return add(name, &info, empty);
}

static int add_by_name(const char *name)
{
	__u32 id = 0;
	int found = 0, err = 0;

	while (!err && !bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    !strncmp(info.name, name, BPF_OBJ_NAME_LEN - 1)) {
			err = add(name, &info, 0);
			found = 1;
		}
		close(fd);
	}
	if (!found)
		fprintf(stderr, "progcost: no loaded program is named '%s'\n", name);
	return found && !err ? 0 : -1;
}

static int read_stats(int when)
{
	for (int i = 0; i < nprogs; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(progs[i].id);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
			fprintf(stderr, "progcost: program %s (id %u) went away\n",
				progs[i].name, progs[i].id);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
		progs[i].time[when] = info.run_time_ns;
		progs[i].cnt[when] = info.run_cnt;
	}
	return 0;
}

static double ns_per_event(const struct prog_stat *p)
{
	__u64 n = p->cnt[1] - p->cnt[0];

	return n ? (double)(p->time[1] - p->time[0]) / n : 0;
}

static const struct prog_stat *empty_for(const char *tp)
{
	for (int i = 0; i < nprogs; i++)
		if (progs[i].empty && tp[0] && !strcmp(progs[i].tp, tp))
			return &progs[i];
	return NULL;
}

static int run(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("progcost: fork");
		return -1;
	}
	if (!pid) {
		execvp(argv[0], argv);
		fprintf(stderr, "progcost: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("progcost: waitpid");
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "progcost: %s failed\n", argv[0]);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_program *prog;
	struct empty_bpf *skel;
	int i, stats_fd, sep = 0;
	bool floor_only;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			sep = i;
			break;
		}
	floor_only = sep == 2 && !strcmp(argv[1], "--floor");
	if (sep < 2 || sep == argc - 1) {
		fprintf(stderr, "usage: progcost PROG... -- COMMAND [ARG...]\n"
				"       progcost --floor -- COMMAND [ARG...]\n");
		return 64;
	}
	skel = empty_bpf__open_and_load();
	if (!skel || empty_bpf__attach(skel)) {
		fprintf(stderr, "progcost: cannot load or attach the empty programs\n");
		return 1;
	}
	if (floor_only) {
		i = run(argv + sep + 1);
		empty_bpf__destroy(skel);
		return i ? 1 : 0;
	}
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		fprintf(stderr, "progcost: cannot enable BPF statistics: %s\n",
			strerror(errno));
		return 1;
	}
	vmlinux = btf__load_vmlinux_btf();
	bpf_object__for_each_program(prog, skel->obj)
		if (add_by_fd(bpf_program__name(prog), bpf_program__fd(prog), 1))
			return 1;
	for (i = 1; i < sep; i++)
		if (add_by_name(argv[i]))
			return 1;
	if (read_stats(0) || run(argv + sep + 1) || read_stats(1))
		return 1;

	printf("%-20s %-20s %10s %10s %10s %8s\n", "program", "tracepoint",
	       "events", "ns/event", "beyond", "ratio");
	for (i = 0; i < nprogs; i++) {
		const struct prog_stat *e = empty_for(progs[i].tp);
		double ns = ns_per_event(&progs[i]);
		double base = e ? ns_per_event(e) : 0;

		printf("%-20s %-20s %10llu %10.1f %10.1f %8.2f\n", progs[i].name,
		       progs[i].tp[0] ? progs[i].tp : "?",
		       (unsigned long long)(progs[i].cnt[1] - progs[i].cnt[0]), ns,
		       base ? ns - base : 0, base ? ns / base : 0);
	}
	close(stats_fd);
	btf__free(vmlinux);
	empty_bpf__destroy(skel);
	return 0;
}
