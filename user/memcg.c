// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * memcg.c - move the loader to the root memory cgroup before it creates
 * the collector's maps.
 *
 * A BPF map is charged to the memory cgroup of the process that created
 * it, and so is every later allocation made on its behalf: one per TCP
 * socket in sk_storage, one per timewait socket. Charged to the cgroup of
 * whoever ran "tcpstate load", a system-wide collector would fail those
 * allocations (and lose exactness) when that session or container reaches
 * its memory limit, and would keep the cgroup alive after it is removed.
 * Charged to the root, it is kernel memory of the host, as the sockets
 * themselves are. Uncharged allocations are also cheaper on the hot path.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "memcg.h"

/* Whether the cgroup2 hierarchy mounted at dir has the memory controller. */
static int v2_has_memory(const char *dir)
{
	char path[1100], buf[512];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f)) {
		for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n"))
			if (!strcmp(t, "memory"))
				found = 1;
	}
	fclose(f);
	return found;
}

/* The mount point of the hierarchy that holds the memory controller. */
static int memory_root(char *dir, size_t len)
{
	char line[4096], mnt[1024], fstype[64], opts[1024];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		/* ID PARENT MAJ:MIN ROOT MOUNT OPTS [TAGS] - FSTYPE SRC SUPER */
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %1023s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s %*s %1023s", fstype, opts) != 2)
			continue;
		if ((!strcmp(fstype, "cgroup") && strstr(opts, "memory")) ||
		    (!strcmp(fstype, "cgroup2") && v2_has_memory(mnt))) {
			snprintf(dir, len, "%s", mnt);
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

int memcg_enter_root(void)
{
	char dir[1024], path[1100];
	FILE *f;
	int err;

	err = memory_root(dir, sizeof(dir));
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "%d\n", getpid());
	err = fclose(f) ? -errno : 0;
	return err;
}
