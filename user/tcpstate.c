// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcpstate.c - the command line: dispatches to the subcommands, and holds
 * the two small ones, load and unload.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "loader.h"
#include "tcpstate.h"

static const char usage[] =
"Usage: tcpstate COMMAND [OPTIONS]\n"
"TCP connection-state telemetry: live count per state, transitions and time\n"
"in state, per network namespace, exact and cheap.\n"
"\n"
"Commands:\n"
"  summary [INTERVAL [COUNT]]   per-state table (like ss -s, vmstat-style)\n"
"  top [INTERVAL]               the live terminal view (keys: h for help)\n"
"  export [-d DIR | -]          Prometheus text, to stdout or node_exporter's\n"
"                               textfile directory (atomic)\n"
"  alerts [--json]              evaluate the alerts once, naming the culprits;\n"
"                               exit 0 ok, 1 warning, 2 critical\n"
"  load                         load the BPF collector and pin it\n"
"  unload                       remove the pinned BPF collector\n"
"  help                         this help\n"
"\n"
"'tcpstate COMMAND --help' describes a command.\n"
"\n"
"Examples:\n"
"  tcpstate load && tcpstate summary 1   # start counting, watch every second\n"
"  tcpstate summary --json               # one JSON object, for scripts\n"
"  tcpstate top -A                       # live, every namespace\n"
"  tcpstate summary --all-netns          # every network namespace\n"
"  tcpstate export -d /var/lib/prometheus/node-exporter   # for node_exporter\n"
"  tcpstate alerts                       # who holds the CLOSE_WAIT, TIME_WAIT, ports\n";

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	if (level == LIBBPF_INFO && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static const char load_usage[] =
"Usage: tcpstate load [OPTIONS]\n"
"Loads the BPF collector, pins it under " PIN_DIR " and counts the sockets\n"
"that already exist in every network namespace.\n"
"\n"
"  -a, --attach MODE   auto (default), btf (tp_btf only) or tracepoint\n"
"      --sk-slots N    per-socket records in a preallocated table of N slots\n"
"                      (64 bytes each; a power of two; default 65536, 0: none,\n"
"                      socket storage only); sockets beyond use socket storage\n"
"      --netns-slots N statistics of N namespaces preallocated, found without a\n"
"                      hash lookup (7 KiB per possible CPU each; a power of\n"
"                      two, 0 to 4096; default twice the namespaces there are\n"
"                      now, 16 to 64); namespaces beyond use a hash map\n"
"      --listeners N   listening sockets the collector holds (default 8192, up to\n"
"                      65536; every read walks the table)\n"
"      --fin-wait2-table N\n"
"                      FIN_WAIT2 timewait sockets each read re-checks by name\n"
"                      (default 65536); with more, reads re-check the whole\n"
"                      timewait table (slower, as exact)\n"
"      --if-needed     succeed quietly when it is already loaded\n"
"  -f, --force         unload a loaded collector first (counters restart)\n"
"  -v, --verbose       say more, libbpf's messages included\n"
"  -h, --help          this help\n";

int cmd_load(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "attach", required_argument, NULL, 'a' },
		{ "if-needed", no_argument, NULL, 'n' },
		{ "sk-slots", required_argument, NULL, 'S' },
		{ "fin-wait2-table", required_argument, NULL, 'W' },
		{ "netns-slots", required_argument, NULL, 'N' },
		{ "listeners", required_argument, NULL, 'L' },
		{ "force", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct load_opts opts = { .mode = ATTACH_AUTO,
				  .sk_slots = LOAD_SK_SLOTS_DEFAULT,
				  .netns_slots = LOAD_NETNS_SLOTS_AUTO };
	unsigned long slots, fw2, nl;
	bool if_needed = false, force = false;
	int c, err;

	while ((c = getopt_long(argc, argv, "+a:fvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (!strcmp(optarg, "auto"))
				opts.mode = ATTACH_AUTO;
			else if (!strcmp(optarg, "btf"))
				opts.mode = ATTACH_BTF;
			else if (!strcmp(optarg, "tracepoint"))
				opts.mode = ATTACH_TRACEPOINT;
			else {
				warnx_("--attach: '%s' is not one of auto, btf, tracepoint",
				       optarg);
				return EXIT_USAGE;
			}
			break;
		case 'S':
			if (parse_pow2(optarg, "--sk-slots", LOAD_SK_SLOTS_MAX, &slots))
				return EXIT_USAGE;
			opts.sk_slots = slots;
			break;
		case 'N':
			if (parse_pow2(optarg, "--netns-slots", LOAD_NETNS_SLOTS_MAX, &slots))
				return EXIT_USAGE;
			opts.netns_slots = slots;
			break;
		case 'L':
			if (parse_ulong(optarg, "--listeners", 1, TCPSTATE_MAX_LISTENERS, &nl))
				return EXIT_USAGE;
			opts.listeners = nl;
			break;
		case 'W':
			if (parse_ulong(optarg, "--fin-wait2-table", 1, TCPSTATE_MAX_TIMEWAIT, &fw2))
				return EXIT_USAGE;
			opts.fw2_pending = fw2;
			break;
		case 'n': if_needed = true; break;
		case 'f': force = true; break;
		case 'v': verbose = true; break;
		case 'h': fputs(load_usage, stdout); return 0;
		default: fputs(load_usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		warnx_("load: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (geteuid() != 0) {
		warnx_("load needs root");
		return 1;
	}
	if (collector_loaded()) {
		if (if_needed && !force)
			return 0;
		if (!force) {
			warnx_("a collector is already loaded (%s attached); "
			       "'tcpstate load --force' reloads it", collector_attach_kind());
			return 1;
		}
		err = collector_unload();
		if (err) {
			warnx_("cannot unload the collector: %s", strerror(-err));
			return 1;
		}
	}
	err = collector_load(&opts);
	if (err == -EEXIST) {
		warnx_("a collector was loaded meanwhile");
		return if_needed ? 0 : 1;
	}
	if (err)
		return 1;
	fprintf(stderr, "%s: collector loaded (%s), pinned at %s\n", progname,
		collector_attach_kind(), PIN_DIR);
	return 0;
}

int cmd_unload(int argc, char **argv)
{
	int err;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: tcpstate unload\nRemoves the pinned BPF collector "
		       "(" PIN_DIR "); its counters are lost.\n");
		return 0;
	}
	if (argc > 1) {
		warnx_("unload: unexpected argument '%s'", argv[1]);
		return EXIT_USAGE;
	}
	if (!collector_loaded() && access(PIN_DIR, F_OK)) {
		fprintf(stderr, "%s: no collector is loaded\n", progname);
		return 0;
	}
	err = collector_unload();
	if (err) {
		warnx_("cannot unload the collector: %s", strerror(-err));
		return 1;
	}
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "summary", cmd_summary },
	{ "top", cmd_top },
	{ "export", cmd_export },
	{ "alerts", cmd_alerts },
	{ "load", cmd_load },
	{ "unload", cmd_unload },
};

int main(int argc, char **argv)
{
	libbpf_set_print(libbpf_print);
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name)) {
			optind = 1;
			return commands[i].fn(argc - 1, argv + 1);
		}
	warnx_("unknown command '%s'", argv[1]);
	fputs(usage, stderr);
	return EXIT_USAGE;
}
