// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * source_module.c - the snapshot source of tcpstate.ko: /proc/net/tcpstate,
 * one file per network namespace, read by tcpstate_proc_parse()
 * (proc_parse.c; the layout is in include/tcpstate.h and
 * Documentation/module.rst).
 *
 * Every read of the file compares the namespace with the kernel's own
 * counters inside the module (module/check.c, the rule of
 * include/tcpstate.h) and shows the verdict in its Check table. When it
 * says the drift is persistent, the namespace is re-counted by writing
 * "repair" to /proc/net/tcpstate_ctl (root only) and read again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "source.h"	/* linux/types.h, then tcpstate.h */
#include "cli.h"
#include "clock.h"
#include "netns.h"
#include "netns_table.h"
#include "proc_parse.h"
#include "snapshot.h"

#define PROC_SELF	"/proc/net/" TCPSTATE_PROC_FILE
#define PROC_THREAD	"/proc/thread-self/net/" TCPSTATE_PROC_FILE
#define CTL_THREAD	"/proc/thread-self/net/" TCPSTATE_PROC_CTL

static int parse_one(const char *path, struct ts_netns *parsed,
		     struct tcpstate_errors *errors)
{
	char msg[256];
	FILE *f;
	int err;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	err = tcpstate_proc_parse(f, path, parsed, errors, msg, sizeof(msg));
	fclose(f);
	if (err)
		warnx_("%s", msg);
	return err;
}

/* Asks the module to re-count the calling thread's namespace: 0 or -errno. */
static int request_repair(void)
{
	static const char cmd[] = TCPSTATE_CTL_REPAIR "\n";
	ssize_t n;
	int fd, err = 0;

	fd = open(CTL_THREAD, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, cmd, sizeof(cmd) - 1);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != sizeof(cmd) - 1)
		err = -EIO;
	close(fd);
	return err;
}

/*
 * The module judged the drift persistent on this read: re-count the
 * namespace and read it again. Without the right (not root), the numbers
 * are shown as they are, with the verdict.
 */
static int repair_one(const char *path, struct ts_netns *parsed,
		      struct tcpstate_errors *errors)
{
	const struct ts_check c = parsed->check;
	int err;

	info("namespace %u: %lld full and %lld timewait sockets counted, the kernel "
	     "has %lld and %lld: re-counting it", parsed->inum, (long long)c.full,
	     (long long)c.tw, (long long)c.kern_full, (long long)c.kern_tw);
	err = request_repair();
	if (err) {
		warnx_("namespace %u: re-count refused: %s", parsed->inum, strerror(-err));
		return 0;
	}
	err = parse_one(path, parsed, errors);
	if (err)
		return err;
	/* Shown as the read that found it, with the re-counted numbers. */
	parsed->check.verdict = c.verdict;
	parsed->check.repaired = true;
	return 0;
}

static int read_one(const char *path, struct ts_snapshot *snap, int first)
{
	struct tcpstate_errors errors;
	struct ts_netns parsed, *ns;
	int err;

	err = parse_one(path, &parsed, &errors);
	if (!err && parsed.check.done && parsed.check.verdict == TCPSTATE_DRIFT_PERSISTENT)
		err = repair_one(path, &parsed, &errors);
	if (err)
		return err;
	ns = snapshot_get(snap, parsed.inum);
	if (!ns)
		return -ENOMEM;
	ns->st = parsed.st;
	ns->check = parsed.check;
	/* The error counters are global: every file holds the same. */
	if (first)
		snap->errors = errors;
	return 0;
}

static int module_probe(void)
{
	return access(PROC_SELF, R_OK) ? -errno : 0;
}

static int module_open(struct ts_source *src)
{
	int err = module_probe();

	if (err)
		warnx_("%s: %s (is tcpstate.ko loaded?)", PROC_SELF, strerror(-err));
	src->priv = NULL;
	return err;
}

struct read_arg {
	struct ts_snapshot *snap;
	int first;
};

static int read_here(void *arg)
{
	struct read_arg *a = arg;

	return read_one(PROC_THREAD, a->snap, a->first);
}

static int module_read(struct ts_source *src, struct ts_snapshot *snap,
		       unsigned int flags)
{
	struct netns_table once = {}, *t;
	struct read_arg a = { .snap = snap, .first = 1 };
	int err, home = -1;

	snap->taken_ns = mono_ns();
	snap->events_missed = 0;	/* probes are called for every event */
	if (!(flags & TS_READ_ALL_NETNS))
		return read_one(PROC_SELF, snap, 1);

	err = netns_table_for_read(src->netns, &once, &t);
	for (size_t i = 0; !err && i < t->nr; i++) {
		err = netns_run_in(t->v[i].info.path, &home, read_here, &a);
		if (err == NETNS_GONE) {
			err = 0;	/* gone meanwhile */
			continue;
		}
		/*
		 * Missing in one namespace: it is being dismantled, unless
		 * the module is gone (then it is missing in ours too).
		 */
		if (err == -ENOENT && !module_probe())
			err = 0;
		a.first = 0;
	}
	netns_home_close(&home);
	netns_table_free(&once);
	return err;
}

static void module_close(struct ts_source *src)
{
	src->priv = NULL;
}

const struct ts_source_ops ts_source_module = {
	.name = "module",
	.probe = module_probe,
	.open = module_open,
	.read = module_read,
	.close = module_close,
};
