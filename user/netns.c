// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* netns.c - finding and entering network namespaces. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "netns.h"

/*
 * The namespace path opens. A /proc/PID/ns/net link is read, not
 * followed: readlink() gives "net:[inum]" without instantiating the nsfs
 * file that stat() would (and free again, for a namespace nobody else
 * has open); anything else (a /run/netns bind mount) is stat()ed.
 */
int netns_inum_of(const char *path, __u32 *inum)
{
	char link[32];
	unsigned long v;
	struct stat st;
	ssize_t n;
	char *end;

	if (strncmp(path, "/proc/", 6)) {
		if (stat(path, &st))
			return -errno;
		*inum = (__u32)st.st_ino;
		return 0;
	}
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	if (strncmp(link, "net:[", 5))
		return -EINVAL;
	errno = 0;
	v = strtoul(link + 5, &end, 10);
	if (errno || end == link + 5 || strcmp(end, "]") || v > 0xffffffffUL)
		return -EINVAL;
	*inum = (__u32)v;
	return 0;
}

int netns_self(__u32 *inum)
{
	return netns_inum_of("/proc/self/ns/net", inum);
}

static struct netns_info *find(struct netns_info *v, size_t nr, __u32 inum)
{
	for (size_t i = 0; i < nr; i++)
		if (v[i].inum == inum)
			return &v[i];
	return NULL;
}

/* Adds inum (reachable through path) unless it is there; names win. */
static int add(struct netns_info **v, size_t *nr, size_t *cap, __u32 inum,
	       const char *name, const char *path)
{
	struct netns_info *e = find(*v, *nr, inum);

	if (!e) {
		if (*nr == *cap) {
			size_t ncap = *cap ? *cap * 2 : 16;
			struct netns_info *nv = realloc(*v, ncap * sizeof(*nv));

			if (!nv)
				return -ENOMEM;
			*v = nv;
			*cap = ncap;
		}
		e = &(*v)[(*nr)++];
		memset(e, 0, sizeof(*e));
		e->inum = inum;
		snprintf(e->path, sizeof(e->path), "%s", path);
	}
	if (name && !e->name[0]) {
		snprintf(e->name, sizeof(e->name), "%s", name);
		snprintf(e->path, sizeof(e->path), "%s", path);
	}
	return 0;
}

static int cmp_inum(const void *a, const void *b)
{
	const struct netns_info *x = a, *y = b;

	return x->inum < y->inum ? -1 : x->inum > y->inum;
}

int netns_list(struct netns_info **out, size_t *nr_out)
{
	struct netns_info *v = NULL;
	size_t nr = 0, cap = 0;
	char path[NETNS_PATH_MAX];
	struct dirent *de;
	__u32 inum = 0;
	DIR *d;
	int err = 0;

	d = opendir(NETNS_RUN_DIR);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", de->d_name) >=
		    (int)sizeof(path))
			continue;
		if (netns_inum_of(path, &inum))
			continue;	/* a stale name: not a mount any more */
		err = add(&v, &nr, &cap, inum, de->d_name, path);
		if (err)
			goto out;
	}
	if (d)
		closedir(d);
	d = opendir("/proc");
	if (!d) {
		err = -errno;
		goto out;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.16s/ns/net", de->d_name);
		if (netns_inum_of(path, &inum))
			continue;	/* exited, or a kernel thread */
		err = add(&v, &nr, &cap, inum, NULL, path);
		if (err)
			goto out;
	}
out:
	if (d)
		closedir(d);
	if (err) {
		free(v);
		return err;
	}
	qsort(v, nr, sizeof(*v), cmp_inum);
	*out = v;
	*nr_out = nr;
	return 0;
}

int netns_name(__u32 inum, char *buf, size_t len)
{
	char path[NETNS_PATH_MAX];
	struct dirent *de;
	__u32 ino = 0;
	DIR *d;

	buf[0] = '\0';
	d = opendir(NETNS_RUN_DIR);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%.60s", de->d_name);
		if (!netns_inum_of(path, &ino) && ino == inum) {
			snprintf(buf, len, "%s", de->d_name);
			break;
		}
	}
	closedir(d);
	return 0;
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

int netns_cookie(__u64 *cookie)
{
	socklen_t len = sizeof(*cookie);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		err = -errno;
	close(fd);
	return err;
}

int netns_run_in(const char *path, int *home, int (*fn)(void *arg), void *arg)
{
	int fd, ret;

	if (!path[0])
		return fn(arg);
	if (*home < 0) {
		*home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (*home < 0)
			return -errno;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NETNS_GONE;
	ret = setns(fd, CLONE_NEWNET);
	close(fd);
	if (ret)
		return NETNS_GONE;	/* not a namespace, or not ours to enter */
	ret = fn(arg);
	return setns(*home, CLONE_NEWNET) ? -EIO : ret;
}

void netns_home_close(int *home)
{
	if (*home >= 0)
		close(*home);
	*home = -1;
}

int netns_enter(const char *path, int *saved)
{
	int fd, old;

	old = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (old < 0)
		return -errno;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	if (setns(fd, CLONE_NEWNET)) {
		close(fd);
		goto fail;
	}
	close(fd);
	*saved = old;
	return 0;
fail:
	fd = -errno;
	close(old);
	return fd;
}

int netns_restore(int saved)
{
	int err = setns(saved, CLONE_NEWNET) ? -errno : 0;

	close(saved);
	return err;
}
