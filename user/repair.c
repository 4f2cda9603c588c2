// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* repair.c - re-counting a namespace of the BPF collector (repair.h). */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "repair.h"

/* Not under /sys/fs/bpf, which `ip netns exec` hides. */
#define LOCK_PATH	"/run/tcpstate.lock"

int collector_lock(void)
{
	int fd = open(LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX)) {
		if (errno != EINTR) {
			int err = -errno;

			close(fd);
			return err;
		}
	}
	return fd;
}

void collector_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* drops the lock */
}

/* One pass of the count_sockets iterator over this thread's namespace. */
static int run_iter(int prog_fd)
{
	int link, fd, err = 0;

	link = bpf_link_create(prog_fd, 0, BPF_TRACE_ITER, NULL);
	if (link < 0)
		return -errno;
	fd = bpf_iter_create(link);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	err = collector_iter_drain(fd);
	close(fd);
out:
	close(link);
	return err;
}

int repair_netns(const struct collector_fds *f, const struct tcpstate_netns_key *key,
		 struct tcpstate_check *c)
{
	struct tcpstate_repair_ctx ctx = { .key = *key, .epoch = c->epoch + 1 };
	__u32 dropped;
	int err;

	/* Readers add both buffers until the walk has ended. */
	c->repairing = 1;
	if (bpf_map_update_elem(f->netns_check, key, c, BPF_ANY))
		return -errno;
	err = collector_run(f->repair_begin, &ctx, sizeof(ctx), NULL);
	if (!err)
		err = run_iter(f->count_sockets);
	if (!err)
		err = collector_run(f->repair_end, &ctx, sizeof(ctx), &dropped);
	if (err) {
		/*
		 * Generation E+1 may be partly filled: keep adding both
		 * buffers (still exact) until a later re-count succeeds.
		 */
		c->epoch = ctx.epoch;
		bpf_map_update_elem(f->netns_check, key, c, BPF_ANY);
		return err;
	}
	c->epoch = ctx.epoch;
	c->repairing = 0;
	c->repairs++;
	if (bpf_map_update_elem(f->netns_check, key, c, BPF_ANY))
		return -errno;
	return 0;
}
