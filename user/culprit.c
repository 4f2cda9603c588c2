// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * culprit.c - socket inode -> process, and culprit groups (culprit.h).
 *
 * The map is an open-addressing hash of inode -> pid, sized for
 * max_entries at half load, filled by one walk of /proc/[0-9]*\/fd.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include "clock.h"
#include "culprit.h"
#include "netns.h"

struct slot {
	__u32 inode;		/* 0: empty */
	pid_t pid;
};

struct culprit_map {
	struct slot *slots;
	size_t nslots;		/* a power of two */
	size_t max_entries;
	__u64 min_rebuild_ns;
	__u64 built_ns;		/* when the last walk ended; 0: never */
	struct culprit_map_stats st;
	/* The wanted inodes (an inode set: pid unused), as many slots. */
	struct slot *want;
	size_t nwant;
	bool want_pending;	/* some wanted inode no walk has looked for */
	__u32 netns[CULPRIT_MAX_NETNS];	/* walk only processes in these */
	size_t nnetns;
	bool all_netns;		/* more were wanted than fit: no limit */
};

struct culprit_map *culprit_map_new(size_t max_entries, __u64 min_rebuild_ns)
{
	struct culprit_map *m;
	size_t n = 16;

	if (!max_entries)
		return NULL;
	while (n < max_entries * 2)
		n *= 2;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->slots = calloc(n, sizeof(*m->slots));
	m->want = calloc(n, sizeof(*m->want));
	if (!m->slots || !m->want) {
		culprit_map_free(m);
		return NULL;
	}
	m->nslots = n;
	m->max_entries = max_entries;
	m->min_rebuild_ns = min_rebuild_ns;
	return m;
}

void culprit_map_free(struct culprit_map *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m->want);
	free(m);
}

static size_t hash(__u32 inode, size_t mask)
{
	return (size_t)((inode * 2654435761u) & mask);
}

static struct slot *find_in(struct slot *v, size_t nslots, __u32 inode)
{
	size_t mask = nslots - 1;

	for (size_t i = hash(inode, mask);; i = (i + 1) & mask)
		if (v[i].inode == inode || !v[i].inode)
			return &v[i];
}

static struct slot *find(struct culprit_map *m, __u32 inode)
{
	return find_in(m->slots, m->nslots, inode);
}

void culprit_map_want(struct culprit_map *m, const __u32 *inodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct slot *w;

		if (!inodes[i])
			continue;
		w = find_in(m->want, m->nslots, inodes[i]);
		if (w->inode)
			continue;
		if (m->nwant == m->max_entries)
			return;
		w->inode = inodes[i];
		m->nwant++;
		/* Unless the map has it already, the next miss walks. */
		if (!find(m, inodes[i])->inode)
			m->want_pending = true;
	}
}

void culprit_map_want_netns(struct culprit_map *m, __u32 inum)
{
	for (size_t i = 0; i < m->nnetns; i++)
		if (m->netns[i] == inum)
			return;
	if (m->nnetns == CULPRIT_MAX_NETNS) {
		m->all_netns = true;
		return;
	}
	m->netns[m->nnetns++] = inum;
	m->want_pending = true;
}

void culprit_map_unwant(struct culprit_map *m)
{
	memset(m->want, 0, m->nslots * sizeof(*m->want));
	m->nwant = 0;
	m->want_pending = false;
	m->nnetns = 0;
	m->all_netns = false;
}

/* Whether the walk reads the fds of process pid (its netns is wanted). */
static bool walk_proc(const struct culprit_map *m, long pid)
{
	char path[64];
	__u32 inum;

	if (!m->nnetns || m->all_netns)
		return true;
	snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
	if (netns_inum_of(path, &inum))
		return false;
	for (size_t i = 0; i < m->nnetns; i++)
		if (m->netns[i] == inum)
			return true;
	return false;
}

int culprit_parse_socket_link(const char *t, __u32 *inode)
{
	unsigned long v = 0;
	const char *p;

	if (strncmp(t, "socket:[", 8))
		return -EINVAL;
	p = t + 8;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 0xffffffffu)
			return -EINVAL;
	}
	if (p[0] != ']' || p[1] || !v)
		return -EINVAL;
	*inode = (__u32)v;
	return 0;
}

int culprit_map_rebuild(struct culprit_map *m, __u64 now_ns)
{
	__u64 t0 = mono_ns();
	struct dirent *de, *fe;
	char path[64], target[64];
	DIR *proc, *fds;

	memset(m->slots, 0, m->nslots * sizeof(*m->slots));
	m->st.entries = 0;
	m->st.truncated = false;
	m->st.fds_seen = 0;
	m->st.procs_skipped = 0;
	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while ((de = readdir(proc)) && !m->st.truncated) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		int dfd;

		if (*end || pid <= 0)
			continue;
		if (!walk_proc(m, pid)) {
			m->st.procs_skipped++;
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
		dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			continue;	/* exited, or a kernel thread's */
		fds = fdopendir(dfd);
		if (!fds) {
			close(dfd);
			continue;
		}
		while ((fe = readdir(fds))) {
			struct slot *s;
			ssize_t n;
			__u32 ino;

			if (fe->d_name[0] == '.')
				continue;
			n = readlinkat(dirfd(fds), fe->d_name, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			m->st.fds_seen++;
			if (culprit_parse_socket_link(target, &ino))
				continue;
			if (m->nwant && !find_in(m->want, m->nslots, ino)->inode)
				continue;
			s = find(m, ino);
			if (s->inode)
				continue;	/* the lowest pid wins: /proc is in pid order */
			if (m->st.entries == m->max_entries) {
				m->st.truncated = true;
				break;
			}
			s->inode = ino;
			s->pid = (pid_t)pid;
			m->st.entries++;
		}
		closedir(fds);
	}
	closedir(proc);
	m->st.rebuilds++;
	m->st.last_walk_ns = mono_ns() - t0;
	m->want_pending = false;
	m->built_ns = now_ns ? now_ns : 1;
	return 0;
}

int culprit_map_lookup(struct culprit_map *m, __u32 inode, __u64 now_ns, pid_t *pid)
{
	struct slot *s;
	int err;

	if (!inode)
		return -ENOENT;
	s = find(m, inode);
	if (s->inode) {
		*pid = s->pid;
		return 0;
	}
	if (m->built_ns && now_ns < m->built_ns + m->min_rebuild_ns &&
	    !(m->want_pending && find_in(m->want, m->nslots, inode)->inode))
		return -ENOENT;
	err = culprit_map_rebuild(m, now_ns);
	if (err)
		return err;
	s = find(m, inode);
	if (!s->inode)
		return -ENOENT;
	*pid = s->pid;
	return 0;
}

void culprit_map_stats(const struct culprit_map *m, struct culprit_map_stats *st)
{
	*st = m->st;
}

/* Reads up to len-1 bytes of a file; the length, or -errno. */
static ssize_t slurp(const char *path, char *buf, size_t len)
{
	ssize_t n, got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((size_t)got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return got;
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

const char *culprit_container(const char *cg, char *buf, size_t len)
{
	const char *p, *last = NULL, *unit = NULL;

	buf[0] = '\0';
	/* The last 64-hex-digit run that is a whole path component's id. */
	for (p = cg; *p; p++) {
		if ((p == cg || !isxdigit((unsigned char)p[-1])) && all_hex(p, 64) &&
		    (strlen(p) == 64 || !isxdigit((unsigned char)p[64])))
			last = p;
	}
	if (last) {
		snprintf(buf, len, "%.12s", last);
		return buf;
	}
	/* Else the innermost systemd service or scope that is not a session. */
	for (p = cg; (p = strchr(p, '/')); p++) {
		const char *e = strchr(p + 1, '/');
		size_t n = e ? (size_t)(e - p - 1) : strlen(p + 1);

		if ((n > 8 && !strncmp(p + 1 + n - 8, ".service", 8)) ||
		    (n > 6 && !strncmp(p + 1 + n - 6, ".scope", 6))) {
			if (strncmp(p + 1, "session-", 8) && strncmp(p + 1, "user@", 5))
				unit = p + 1;
		}
	}
	if (unit) {
		const char *e = strchr(unit, '/');

		snprintf(buf, len, "%.*s", (int)(e ? e - unit : (long)strlen(unit)), unit);
	}
	return buf;
}

/*
 * The cgroup to show from /proc/PID/cgroup: the v2 ("0::") path unless it
 * is the root, else the first v1 hierarchy that is not at its root, as
 * "controller:path"; "" when all are at the root.
 */
static void pick_cgroup(char *text, char *out, size_t len)
{
	char *line, *save = NULL, *v1 = NULL;

	out[0] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		if (!strcmp(c2 + 1, "/"))
			continue;
		if (!strncmp(line, "0::", 3)) {
			snprintf(out, len, "%s", c2 + 1);
			return;
		}
		if (!v1)
			v1 = c1 + 1;
	}
	if (v1)
		snprintf(out, len, "%s", v1);
}

int culprit_proc_read_at(const char *root, pid_t pid, struct culprit_proc *p)
{
	char path[128], buf[4096];
	ssize_t n;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	snprintf(path, sizeof(path), "%s/%d/comm", root, (int)pid);
	n = slurp(path, buf, sizeof(buf));
	if (n < 0)
		return n == -ENOENT || n == -ESRCH ? -ENOENT : (int)n;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	snprintf(p->comm, sizeof(p->comm), "%.*s", (int)sizeof(p->comm) - 1, buf);
	snprintf(path, sizeof(path), "%s/%d/cmdline", root, (int)pid);
	n = slurp(path, buf, sizeof(p->cmdline));
	if (n > 0) {
		while (n > 0 && !buf[n - 1])
			n--;
		for (ssize_t i = 0; i < n; i++)
			if (!buf[i] || buf[i] == '\n' || buf[i] == '\t')
				buf[i] = ' ';
		buf[n] = '\0';
		snprintf(p->cmdline, sizeof(p->cmdline), "%.*s", (int)sizeof(p->cmdline) - 1, buf);
	}
	snprintf(path, sizeof(path), "%s/%d/cgroup", root, (int)pid);
	if (slurp(path, buf, sizeof(buf)) > 0) {
		pick_cgroup(buf, p->cgroup, sizeof(p->cgroup));
		culprit_container(p->cgroup, p->container, sizeof(p->container));
	}
	return 0;
}

int culprit_proc_read(pid_t pid, struct culprit_proc *p)
{
	return culprit_proc_read_at("/proc", pid, p);
}

static void key_of(const struct sockdiag_row *r, pid_t pid, unsigned int by,
		   struct culprit_key *k)
{
	size_t alen = r->family == AF_INET6 ? 16 : 4;

	memset(k, 0, sizeof(*k));
	k->family = r->family;
	if (by & CULPRIT_BY_LADDR)
		memcpy(k->laddr, r->saddr, alen);
	if (by & CULPRIT_BY_LPORT)
		k->lport = r->sport;
	if (by & CULPRIT_BY_PEER_ADDR)
		memcpy(k->peer, r->daddr, alen);
	if (by & CULPRIT_BY_PEER_PORT)
		k->pport = r->dport;
	if (by & CULPRIT_BY_PID)
		k->pid = pid;
	if (by & CULPRIT_BY_STATE)
		k->state = r->state;
}

static int cmp_group(const void *a, const void *b)
{
	const struct culprit_group *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->oldest_ms != y->oldest_ms)
		return x->oldest_ms > y->oldest_ms ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

struct keyed {
	struct culprit_key key;
	size_t row;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = memcmp(&x->key, &y->key, sizeof(x->key));

	return c ? c : (x->row > y->row) - (x->row < y->row);
}

int culprit_group(const struct sockdiag_row *rows, const pid_t *pids, size_t nr,
		  unsigned int by, size_t max_groups, struct culprit_group **out,
		  size_t *nr_out, size_t *dropped)
{
	struct culprit_group *g = NULL, *ng_;
	struct keyed *k = NULL;
	size_t ng = 0, cap = 0, drop = 0, i, j;
	int err = -ENOMEM;

	*out = NULL;
	*nr_out = 0;
	/*
	 * Exact for any number of keys: the rows sorted by key (O(n log n)),
	 * one group per run, then the largest max_groups kept.
	 */
	if (nr) {
		k = malloc(nr * sizeof(*k));
		if (!k)
			return -ENOMEM;
		for (i = 0; i < nr; i++) {
			key_of(&rows[i], pids ? pids[i] : 0, by, &k[i].key);
			k[i].row = i;
		}
		qsort(k, nr, sizeof(*k), cmp_keyed);
	}
	for (i = 0; i < nr; i = j) {
		struct culprit_group *grp;

		if (ng == cap) {
			cap = cap ? cap * 2 : 16;
			ng_ = realloc(g, cap * sizeof(*g));
			if (!ng_)
				goto out;
			g = ng_;
		}
		grp = &g[ng++];
		memset(grp, 0, sizeof(*grp));
		grp->key = k[i].key;
		grp->oldest_ms = -1;
		grp->lport_min = 0xffff;
		grp->sample = rows[k[i].row];
		for (j = i; j < nr && !memcmp(&k[j].key, &grp->key, sizeof(grp->key)); j++) {
			const struct sockdiag_row *r = &rows[k[j].row];
			long long age = sockdiag_age_ms(r);

			grp->count++;
			if (age > grp->oldest_ms) {
				grp->oldest_ms = age;
				grp->sample = *r;
			}
			if (r->sport < grp->lport_min)
				grp->lport_min = r->sport;
			if (r->sport > grp->lport_max)
				grp->lport_max = r->sport;
			if (!grp->any_pid && pids && pids[k[j].row])
				grp->any_pid = pids[k[j].row];
		}
	}
	if (ng)
		qsort(g, ng, sizeof(*g), cmp_group);
	for (i = max_groups; i < ng; i++)
		drop += g[i].count;
	if (ng > max_groups)
		ng = max_groups;
	if (!ng) {
		free(g);
		g = NULL;
	}
	*out = g;
	*nr_out = ng;
	if (dropped)
		*dropped = drop;
	g = NULL;
	err = 0;
out:
	free(g);
	free(k);
	return err;
}

static int cmp_owner(const void *a, const void *b)
{
	const struct tw_owner *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

static void fold_one(const struct tcpstate_tw *e, const struct tw_dest *d,
		     struct tw_owner *out, size_t max_out, size_t *nr)
{
	size_t alen = d->family == AF_INET6 ? 16 : 4, k;

	if (e->gen == TCPSTATE_GEN_DEAD || e->netns != d->netns || e->family != d->family)
		return;
	if (d->by_local ? e->sport != d->sport :
	    e->dport != d->dport || memcmp(e->daddr, d->daddr, alen))
		return;
	for (k = 0; k < *nr; k++)
		if (out[k].tgid == e->tgid &&
		    !strncmp(out[k].comm, e->comm, sizeof(out[k].comm)))
			break;
	if (k == *nr) {
		if (*nr == max_out)
			return;
		memset(&out[k], 0, sizeof(out[k]));
		out[k].tgid = e->tgid;
		memcpy(out[k].comm, e->comm, sizeof(out[k].comm));
		out[k].comm[sizeof(out[k].comm) - 1] = '\0';
		(*nr)++;
	}
	out[k].count++;
}

void culprit_tw_fold(const struct tcpstate_tw *v, size_t n, const struct tw_dest *d,
		     struct tw_owner *out, size_t max_out, size_t *nr)
{
	for (size_t i = 0; i < n; i++)
		fold_one(&v[i], d, out, max_out, nr);
}

void culprit_tw_sort(struct tw_owner *out, size_t nr)
{
	if (nr)
		qsort(out, nr, sizeof(*out), cmp_owner);
}
