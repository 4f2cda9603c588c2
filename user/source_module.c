// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * source_module.c - the snapshot source of tcpstate.ko: /proc/net/tcpstate.
 *
 * The file (Documentation/module.rst) opens with "tcpstate <version>", then
 * holds tables in the /proc/net/netstat layout: a row of column names and a
 * row of values, both starting with "<Table>:". Columns are found by name,
 * so columns and tables this parser does not know are skipped; a version
 * other than TCPSTATE_PROC_VERSION, or a line that breaks the layout, is an
 * error that names the line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "source.h"	/* linux/types.h, then tcpstate.h */
#include "snapshot.h"
#include "netns.h"

#define PROC_SELF	"/proc/net/tcpstate"
#define PROC_THREAD	"/proc/thread-self/net/tcpstate"
#define MAX_COLS	512

struct name_idx {
	int idx;
	const char *name;
};

#define NAME_IDX(i, n, ss) { i, n },
static const struct name_idx live_names[] = {
	TCPSTATE_FOR_EACH_STATE(NAME_IDX)
	{ -1, NULL }
};

static const struct name_idx all_names[] = {
	TCPSTATE_FOR_EACH_STATE(NAME_IDX)
	TCPSTATE_FOR_EACH_OTHER_STATE(NAME_IDX)
	{ -1, NULL }
};
#undef NAME_IDX

#define ERR_IDX(i, n, desc) { i, n },
static const struct name_idx error_names[] = {
	TCPSTATE_FOR_EACH_ERROR(ERR_IDX)
	{ -1, NULL }
};
#undef ERR_IDX

static int lookup(const struct name_idx *t, const char *name, size_t len)
{
	for (; t->name; t++)
		if (strlen(t->name) == len && !strncmp(t->name, name, len))
			return t->idx;
	return -1;
}

/* "s<N>" with N a histogram slot. */
static int slot_of(const char *name)
{
	char *end;
	long v;

	if (name[0] != 's')
		return -1;
	errno = 0;
	v = strtol(name + 1, &end, 10);
	if (errno || *end || end == name + 1 || v < 0 || v >= TCPSTATE_HIST_SLOTS)
		return -1;
	return (int)v;
}

struct parse {
	const char *path;
	struct ts_netns ns;
	struct tcpstate_errors errors;
	int have_netns, have_live;
};

/* Splits line after "Table:" into words; returns the count or -1. */
static int split(char *rest, char **words)
{
	int n = 0;
	char *save = NULL, *w;

	for (w = strtok_r(rest, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		if (n == MAX_COLS)
			return -1;
		words[n++] = w;
	}
	return n;
}

static int bad(const struct parse *p, int line, const char *what)
{
	fprintf(stderr, "tcpstate: %s: line %d: %s\n", p->path, line, what);
	return -EBADMSG;
}

static int apply(struct parse *p, const char *table, char **names, char **vals,
		 int n, int line)
{
	struct tcpstate_stats *st = &p->ns.st;
	int i, a, b, s;

	for (i = 0; i < n; i++) {
		long long v;
		char *end, *dash;

		errno = 0;
		v = strtoll(vals[i], &end, 10);
		if (errno || *end || end == vals[i])
			return bad(p, line, "a value is not a number");
		if (!strcmp(table, "Netns")) {
			if (!strcmp(names[i], "inum")) {
				if (v <= 0 || v > UINT32_MAX)
					return bad(p, line, "bad namespace inode number");
				p->ns.inum = (__u32)v;
				p->have_netns = 1;
			}
		} else if (!strcmp(table, "Live")) {
			a = lookup(live_names, names[i], strlen(names[i]));
			if (a >= 0)
				st->live[a] = v;
			p->have_live = 1;
		} else if (!strcmp(table, "Transitions")) {
			dash = strchr(names[i], '-');
			if (!dash)
				return bad(p, line, "a transition column is not <old>-<new>");
			a = lookup(all_names, names[i], dash - names[i]);
			b = lookup(all_names, dash + 1, strlen(dash + 1));
			if (a >= 0 && b >= 0)
				st->transitions[a][b] = v;
		} else if (!strncmp(table, "Duration_", 9)) {
			a = lookup(live_names, table + 9, strlen(table + 9));
			s = slot_of(names[i]);
			if (a >= 0 && s >= 0)
				st->duration[a][s] = v;
		} else if (!strcmp(table, "Lifetime")) {
			s = slot_of(names[i]);
			if (s >= 0)
				st->lifetime[s] = v;
		} else if (!strcmp(table, "Errors")) {
			a = lookup(error_names, names[i], strlen(names[i]));
			if (a >= 0)
				p->errors.count[a] = v;
		}
		/* Other tables (Collector, newer ones) are not the snapshot's. */
	}
	return 0;
}

/* Parses one /proc/net/tcpstate; 0, -EBADMSG, -EPROTO or -errno. */
static int parse_file(struct parse *p, FILE *f)
{
	static char *names[MAX_COLS], *vals[MAX_COLS];
	char *hdr = NULL, *val = NULL;
	size_t hcap = 0, vcap = 0;
	int line = 1, err = 0, version, n, m;
	char tail;

	if (getline(&hdr, &hcap, f) < 0) {
		err = bad(p, 1, "empty file");
		goto out;
	}
	if (sscanf(hdr, "tcpstate %d%c", &version, &tail) != 2 || tail != '\n') {
		err = bad(p, 1, "expected \"tcpstate <version>\"");
		goto out;
	}
	if (version != TCPSTATE_PROC_VERSION) {
		fprintf(stderr, "tcpstate: %s: line 1: unknown version %d (this tcpstate reads version %d)\n",
			p->path, version, TCPSTATE_PROC_VERSION);
		err = -EPROTO;
		goto out;
	}
	for (;;) {
		char *hc, *vc;

		line++;
		if (getline(&hdr, &hcap, f) < 0)
			break;
		if (getline(&val, &vcap, f) < 0) {
			err = bad(p, line, "a table's names are not followed by values");
			goto out;
		}
		hc = strchr(hdr, ':');
		vc = strchr(val, ':');
		if (!hc || !vc || hc - hdr != vc - val || strncmp(hdr, val, hc - hdr)) {
			err = bad(p, line, "expected \"<Table>: names\" then \"<Table>: values\"");
			goto out;
		}
		*hc = '\0';
		n = split(hc + 1, names);
		m = split(vc + 1, vals);
		if (n < 0 || m < 0 || n != m) {
			err = bad(p, line + 1, "the number of values differs from the number of names");
			goto out;
		}
		err = apply(p, hdr, names, vals, n, line + 1);
		if (err)
			goto out;
		line++;
	}
	if (ferror(f)) {
		err = -errno;
		fprintf(stderr, "tcpstate: %s: %s\n", p->path, strerror(errno));
		goto out;
	}
	if (!p->have_netns || !p->have_live)
		err = bad(p, line, "the Netns or Live table is missing");
out:
	free(hdr);
	free(val);
	return err;
}

static int read_one(const char *path, struct ts_snapshot *snap, int first)
{
	struct parse p = { .path = path };
	struct ts_netns *ns;
	FILE *f;
	int err;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	err = parse_file(&p, f);
	fclose(f);
	if (err)
		return err;
	ns = snapshot_get(snap, p.ns.inum);
	if (!ns)
		return -ENOMEM;
	ns->st = p.ns.st;
	/* The error counters are global: every file holds the same. */
	if (first)
		snap->errors = p.errors;
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
		fprintf(stderr, "tcpstate: %s: %s (is tcpstate.ko loaded?)\n",
			PROC_SELF, strerror(-err));
	src->priv = NULL;
	return err;
}

static int module_read(struct ts_source *src, struct ts_snapshot *snap,
		       unsigned int flags)
{
	struct netns_info *list = NULL;
	struct timespec ts;
	size_t nr = 0, i;
	int err, saved, first = 1;

	(void)src;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snap->taken_ns = (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	snap->events_missed = 0;	/* probes are called for every event */
	if (!(flags & TS_READ_ALL_NETNS))
		return read_one(PROC_SELF, snap, 1);

	err = netns_list(&list, &nr);
	if (err)
		return err;
	for (i = 0; i < nr; i++) {
		if (netns_enter(list[i].path, &saved))
			continue;	/* gone meanwhile */
		err = read_one(PROC_THREAD, snap, first);
		if (netns_restore(saved) && !err)
			err = -EIO;
		if (err == -ENOENT)
			err = 0;	/* namespace being dismantled */
		if (err)
			break;
		first = 0;
	}
	free(list);
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
