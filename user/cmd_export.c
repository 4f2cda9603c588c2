// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_export.c - `tcpstate export`: one snapshot as Prometheus text, to
 * stdout or atomically into node_exporter's textfile directory (cron).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "clock.h"
#include "netns.h"
#include "netns_limits.h"
#include "netns_table.h"
#include "prom.h"
#include "snapshot.h"
#include "source.h"
#include "textfile.h"
#include "version.h"

#define EXPORT_NAME_DEFAULT	"tcpstate.prom"

static const char usage[] =
"Usage: tcpstate export [OPTIONS] [-]\n"
"Writes the counters once in the Prometheus text format: to stdout (-, the\n"
"default), or atomically into node_exporter's textfile collector directory.\n"
"\n"
"  -d, --textfile-dir DIR   write DIR/" EXPORT_NAME_DEFAULT " (temp file, fsync, rename)\n"
"      --name NAME          the file name in DIR (default " EXPORT_NAME_DEFAULT ")\n"
"  -s, --source SRC         bpf, module or auto (default: auto)\n"
"  -A, --all-netns          every network namespace (default; needs root)\n"
"      --self               only this process's network namespace\n"
"      --max-netns N        namespaces exported at most (default %d)\n"
"      --max-transitions N  transition series exported at most (default %d)\n"
"  -v, --verbose            say more on stderr\n"
"  -h, --help               this help\n"
"\n"
"Examples:\n"
"  tcpstate export                                   # to stdout\n"
"  tcpstate export -d /var/lib/prometheus/node-exporter   # for node_exporter\n"
"  ip netns exec web tcpstate export --self          # the namespace 'web'\n";

struct export_opts {
	const char *dir;	/* NULL: stdout */
	const char *name;
	const char *source;
	bool all;
	struct prom_opts prom;
};

struct fill_arg {
	const struct ts_snapshot *snap;
	const struct prom_opts *prom;
};

static int fill(FILE *f, void *arg)
{
	struct fill_arg *a = arg;

	return prom_render(f, a->snap, a->prom);
}

static void print_usage(FILE *f)
{
	fprintf(f, usage, PROM_MAX_NETNS_DEFAULT, PROM_MAX_TRANSITIONS_DEFAULT);
}

static int parse_args(int argc, char **argv, struct export_opts *o)
{
	enum { OPT_NAME = 256, OPT_SELF, OPT_MAX_NETNS, OPT_MAX_TR };
	static const struct option longopts[] = {
		{ "textfile-dir", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "source", required_argument, NULL, 's' },
		{ "all-netns", no_argument, NULL, 'A' },
		{ "self", no_argument, NULL, OPT_SELF },
		{ "max-netns", required_argument, NULL, OPT_MAX_NETNS },
		{ "max-transitions", required_argument, NULL, OPT_MAX_TR },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned long n;
	int c;

	while ((c = getopt_long(argc, argv, "+d:s:Avh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o->dir = strcmp(optarg, "-") ? optarg : NULL; break;
		case OPT_NAME: o->name = optarg; break;
		case 's': o->source = optarg; break;
		case 'A': o->all = true; break;
		case OPT_SELF: o->all = false; break;
		case OPT_MAX_NETNS:
			if (parse_ulong(optarg, "--max-netns", 1, 1000000, &n))
				return EXIT_USAGE;
			o->prom.max_netns = n;
			break;
		case OPT_MAX_TR:
			if (parse_ulong(optarg, "--max-transitions", 1, 100000000, &n))
				return EXIT_USAGE;
			o->prom.max_transitions = n;
			break;
		case 'v': verbose = true; break;
		case 'h': print_usage(stdout); return -1;
		default: print_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "-")) {
		o->dir = NULL;
		optind++;
	}
	if (optind < argc) {
		warnx_("export: unexpected argument '%s'", argv[optind]);
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (check_source_name(o->source))
		return EXIT_USAGE;
	if (!*o->name || strchr(o->name, '/') || o->name[0] == '.') {
		warnx_("--name: '%s' is not a plain file name", o->name);
		return EXIT_USAGE;
	}
	if (o->dir && !*o->dir) {
		warnx_("--textfile-dir: empty directory name");
		return EXIT_USAGE;
	}
	return 0;
}

/* The caller's namespace, present even before its first socket. */
static int add_self(struct ts_snapshot *snap, __u32 *self)
{
	int err = netns_self(self);

	if (err)
		return err;
	return snapshot_get(snap, *self) ? 0 : -ENOMEM;
}

int cmd_export(int argc, char **argv)
{
	struct export_opts o = { .name = EXPORT_NAME_DEFAULT, .source = "auto",
				 .all = true, .prom = { .version = TCPSTATE_VERSION } };
	struct ts_snapshot snap = {};
	struct ts_source src = {};
	struct netns_table netns = {};	/* listed once: the read and the limits */
	struct fill_arg arg = { .snap = &snap, .prom = &o.prom };
	char msg[512];
	__u32 self;
	int err, ret = 1;

	err = parse_args(argc, argv, &o);
	if (err)
		return err < 0 ? 0 : err;
	if (o.all && geteuid() != 0) {
		warnx_("--all-netns (the default) needs root; --self exports this "
		       "namespace only");
		return 1;
	}
	if (open_source(&src, o.source))
		return 1;
	if (o.all) {
		err = netns_table_update(&netns, mono_s());
		if (err) {
			warnx_("cannot list the network namespaces: %s", strerror(-err));
			goto cleanup;
		}
		src.netns = &netns;
	}
	err = ts_source_read(&src, &snap, o.all ? TS_READ_ALL_NETNS : 0);
	if (err) {
		warnx_("reading the %s collector failed: %s", src.ops->name, strerror(-err));
		goto cleanup;
	}
	err = add_self(&snap, &self);
	if (err) {
		warnx_("cannot add this namespace: %s", strerror(-err));
		goto cleanup;
	}
	if (o.all) {
		err = netns_table_fill_limits(&netns, &snap, mono_s());
		if (err) {
			warnx_("reading the namespaces' limits failed: %s", strerror(-err));
			goto cleanup;
		}
	} else {
		struct ts_netns *ns = snapshot_find_mut(&snap, self);

		if (ns && netns_limits_read(&ns->limits))
			info("cannot read this namespace's limits; not exported");
	}
	if (o.dir) {
		err = textfile_write(o.dir, o.name, fill, &arg, msg, sizeof(msg));
		if (err) {
			warnx_("%s", msg);
			goto cleanup;
		}
		info("wrote %s/%s", o.dir, o.name);
	} else {
		err = fill(stdout, &arg);
		if (!err && (fflush(stdout) || ferror(stdout)))
			err = -(errno ? errno : EIO);
		if (err) {
			warnx_("writing to stdout failed: %s", strerror(-err));
			goto cleanup;
		}
	}
	ret = 0;
cleanup:
	ts_snapshot_free(&snap);
	ts_source_close(&src);
	netns_table_free(&netns);
	return ret;
}
