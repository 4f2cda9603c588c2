// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * netns_limits.c - a namespace's own TCP limits (netns_limits.h). The
 * files under /proc/sys/net show the namespace of the thread that opens
 * them, so reading them after setns() gives that namespace's values.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netns_limits.h"

#define SYSCTL_DIR	"/proc/sys/net/ipv4/"

/* Reads up to n unsigned numbers from one sysctl file; 0 or -errno. */
static int read_u64s(const char *name, unsigned long long *v, int n)
{
	char path[96];
	FILE *f;
	int got, err = 0;

	snprintf(path, sizeof(path), SYSCTL_DIR "%s", name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	got = n == 2 ? fscanf(f, "%llu %llu", &v[0], &v[1]) : fscanf(f, "%llu", &v[0]);
	if (got != n)
		err = ferror(f) ? -EIO : -EINVAL;
	fclose(f);
	return err;
}

int netns_limits_read(struct ts_limits *lim)
{
	unsigned long long range[2], tw, fin;
	int err;

	memset(lim, 0, sizeof(*lim));
	err = read_u64s("ip_local_port_range", range, 2);
	if (!err)
		err = read_u64s("tcp_max_tw_buckets", &tw, 1);
	if (!err)
		err = read_u64s("tcp_fin_timeout", &fin, 1);
	if (err)
		return err;
	if (range[0] > 65535 || range[1] > 65535)
		return -ERANGE;
	lim->port_range_lo = (__u32)range[0];
	lim->port_range_hi = (__u32)range[1];
	lim->max_tw_buckets = tw;
	lim->fin_timeout_s = fin;
	lim->tw_reuse = read_u64s("tcp_tw_reuse", &tw, 1) ? -1 : (long long)tw;
	lim->somaxconn = read_u64s("../core/somaxconn", &tw, 1) ? -1 : (long long)tw;
	lim->known = true;
	return 0;
}
