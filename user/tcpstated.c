// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcpstated.c - the daemon's command line: options, then daemon_run().
 */
#include <getopt.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "config.h"
#include "daemon.h"
#include "log.h"
#include "version.h"

static const char usage[] =
"Usage: tcpstated [OPTIONS]\n"
"Writes tcpstate's metrics for node_exporter's textfile collector every\n"
"interval, in the foreground (for systemd, Type=notify). Loads the BPF\n"
"collector when no collector is loaded; SIGHUP re-reads the configuration.\n"
"\n"
"  -c, --config FILE        configuration (default " CONFIG_DEFAULT_PATH ";\n"
"                           a missing default file is fine)\n"
"  -d, --textfile-dir DIR   write DIR/tcpstate.prom (overrides textfile_dir)\n"
"  -i, --interval SECONDS   seconds between writes (overrides interval)\n"
"  -s, --source SOURCE      bpf, module or auto (overrides source)\n"
"      --once               write once, then exit (0 when written)\n"
"  -v, --verbose            log_level debug, libbpf's messages included\n"
"  -V, --version            print the version\n"
"  -h, --help               this help\n"
"\n"
"Examples:\n"
"  tcpstated                                   # as the unit runs it\n"
"  tcpstated --once --textfile-dir /tmp/prom   # one write, for a test\n"
"  kill -HUP $(pidof tcpstated)                # re-read the config file\n";

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[1024];

	if (level != LIBBPF_WARN && !verbose)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_msg(level == LIBBPF_WARN ? LOG_WARNING : LOG_DEBUG, "libbpf: %s", buf);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "textfile-dir", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'i' },
		{ "source", required_argument, NULL, 's' },
		{ "once", no_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct daemon_opts o = { .config = CONFIG_DEFAULT_PATH };
	const char *key;
	int c;

	progname = "tcpstated";
	/*
	 * A round's socket lookups can take tens of megabytes, freed at its
	 * end. A fixed threshold keeps them in mmap()ed blocks, given back
	 * when freed; glibc's sliding one would move them to the heap, which
	 * stays resident between rounds.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	log_init(progname, true);
	libbpf_set_print(libbpf_print);
	while ((c = getopt_long(argc, argv, "c:d:i:s:vVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.config = optarg;
			o.config_explicit = true;
			continue;
		case 'd': key = "textfile_dir"; break;
		case 'i': key = "interval"; break;
		case 's': key = "source"; break;
		case 'o': o.once = true; continue;
		case 'v':
			verbose = true;
			key = "log_level";
			optarg = "debug";
			break;
		case 'V': printf("tcpstated %s\n", TCPSTATE_VERSION); return 0;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
		if (o.nr_set == DAEMON_MAX_OVERRIDES) {
			fprintf(stderr, "tcpstated: too many options\n");
			return EXIT_USAGE;
		}
		o.set[o.nr_set].key = key;
		o.set[o.nr_set].value = optarg;
		o.nr_set++;
	}
	if (optind < argc) {
		fprintf(stderr, "tcpstated: unexpected argument '%s'\n", argv[optind]);
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	return daemon_run(&o);
}
