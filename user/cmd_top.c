// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_top.c - `tcpstate top [INTERVAL]`: the live terminal view.
 *
 * Reads a snapshot every interval, feeds the model (model_top.h), lays it
 * out (render_top.h) and draws it (tui.h); keys go to the model. On a
 * terminal that cannot be driven (TERM=dumb) it prints plain frames every
 * interval; when stdout is not a terminal, or with --once, one plain frame
 * and exit.
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "model_top.h"
#include "netns.h"
#include "render_top.h"
#include "source.h"
#include "tui.h"

static const char usage[] =
"Usage: tcpstate top [OPTIONS] [INTERVAL]\n"
"The live view: per-state counts with their change and entries per second,\n"
"history, time in state, the busiest transitions, listeners' accept queues,\n"
"the collector's health. Keys: q quit, h help, s sort, n namespace, p pause,\n"
"+/- interval, r reset rates, Enter a row's detail.\n"
"\n"
"  INTERVAL            seconds between frames, 0.25 to 60 (default: 1)\n"
"      --once          print one plain frame and exit (also when stdout is\n"
"                      not a terminal)\n"
"  -A, --all-netns     every network namespace (n chooses one)\n"
"  -s, --source SRC    bpf, module or auto (default: auto)\n"
"  -v, --verbose       say more on stderr\n"
"  -h, --help          this help\n"
"\n"
"Colour unless NO_COLOR is set or TERM=dumb.\n"
"\n"
"Examples:\n"
"  tcpstate top                  # this namespace, every second\n"
"  tcpstate top -A 2             # every namespace, every 2 s\n"
"  tcpstate top --once | less    # one frame, as text\n";

struct top_opts {
	bool once, all;
	const char *source;
	double interval;
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void clock_str(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	if (localtime_r(&t, &tm))
		strftime(buf, len, "%H:%M:%S", &tm);
	else
		snprintf(buf, len, "-");
}

/* The plain frame's width: $COLUMNS, the terminal's, else 120. */
static int plain_width(void)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");

	if (cols && atoi(cols) > 0)
		return atoi(cols);
	if (isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col)
		return ws.ws_col;
	return 120;
}

/*
 * Names of the namespaces the header and the picker show. /run/netns is
 * read once per namespace named; only those on screen are asked for.
 */
static void name_namespaces(struct top_model *m)
{
	size_t limit = m->view == TOP_VIEW_NSPICK ? m->nr_ns : 0;

	if (m->scope && !m->scope_name[0])
		netns_name(m->scope, m->scope_name, sizeof(m->scope_name));
	for (size_t i = 0; i < limit && i < 200; i++)
		if (!m->ns[i].name[0])
			netns_name(m->ns[i].inum, m->ns[i].name, sizeof(m->ns[i].name));
}

/*
 * The culprit seam: sockets behind the TIME_WAIT and CLOSE_WAIT rows.
 * No finder is built into this version (the alerts work provides
 * sockdiag/culprit); the model then says none ran.
 */
static void find_culprits(struct top_model *m)
{
	(void)m;
}

/* The alert seam: the active alerts, none until the alerts model is in. */
static void find_alerts(struct top_model *m)
{
	(void)m;
}

static int read_frame(struct ts_source *src, struct ts_snapshot *snap,
		      const struct top_opts *o, struct top_model *m)
{
	int err;

	ts_snapshot_free(snap);
	err = ts_source_read(src, snap, o->all ? TS_READ_ALL_NETNS : 0);
	if (err)
		return err;
	top_feed(m, snap);
	find_culprits(m);
	find_alerts(m);
	name_namespaces(m);
	return 0;
}

static int plain_frame(const struct top_model *m, bool clock)
{
	static struct top_screen scr;
	char clk[16];
	struct top_render_opts ro = { .width = plain_width(), .utf8 = false };

	if (clock) {
		clock_str(clk, sizeof(clk));
		ro.clock = clk;
	}
	top_render(m, &ro, &scr);
	return top_render_plain(stdout, &scr);
}

static void sleep_ns(__u64 until)
{
	struct timespec ts = { .tv_sec = until / 1000000000ULL,
			       .tv_nsec = until % 1000000000ULL };

	while (!exiting &&
	       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static __u64 interval_ns(double s)
{
	return (__u64)(s * 1e9 + 0.5);
}

/* TERM=dumb on a terminal: plain frames every interval, until Ctrl-C. */
static int run_plain(struct ts_source *src, struct ts_snapshot *snap,
		     const struct top_opts *o, struct top_model *m)
{
	__u64 next = now_ns();
	int err;

	/* The first frame is read already. */
	while (!exiting) {
		err = plain_frame(m, true);
		if (err) {
			warnx_("writing the frame failed: %s", strerror(-err));
			return 1;
		}
		fputc('\n', stdout);
		next += interval_ns(m->interval_s);
		sleep_ns(next);
		if (exiting)
			break;
		err = read_frame(src, snap, o, m);
		if (err) {
			warnx_("reading the %s collector failed: %s", src->ops->name,
			       strerror(-err));
			return 1;
		}
	}
	return 0;
}

static int run_tui(struct ts_source *src, struct ts_snapshot *snap,
		   const struct top_opts *o, struct top_model *m, bool color)
{
	static struct top_screen scr;
	__u64 next;
	int err, ret = 0;

	err = tui_open(color);
	if (err) {
		warnx_("cannot drive this terminal (TERM=%s)", getenv("TERM") ? : "");
		return 1;
	}
	next = now_ns() + interval_ns(m->interval_s);
	while (!exiting) {
		struct top_render_opts ro = { .utf8 = tui_utf8() };
		char clk[16];
		unsigned int act = 0;
		__u64 now;
		int key;

		clock_str(clk, sizeof(clk));
		ro.clock = clk;
		tui_size(&ro.width, &ro.height);
		top_render(m, &ro, &scr);
		tui_draw(&scr);

		now = now_ns();
		key = tui_key(next > now ? (int)((next - now + 999999) / 1000000) : 0);
		if (exiting)
			break;
		if (key == TUI_RESIZE)
			continue;
		if (key == TUI_TIMEOUT) {
			if (now_ns() < next)
				continue;	/* a signal ended the wait */
			next += interval_ns(m->interval_s);
			if (next < now_ns())
				next = now_ns() + interval_ns(m->interval_s);
			if (m->paused)
				continue;
			err = read_frame(src, snap, o, m);
			if (err) {
				tui_close();
				warnx_("reading the %s collector failed: %s", src->ops->name,
				       strerror(-err));
				ret = 1;
				break;
			}
			continue;
		}
		act = top_key(m, key);
		if (act & TOP_ACT_QUIT)
			break;
		if (act & TOP_ACT_REFEED) {
			/* A new scope: its first frame from the last snapshot. */
			top_feed(m, snap);
			find_culprits(m);
		}
		if (act & TOP_ACT_CULPRITS)
			find_culprits(m);
		if (act & TOP_ACT_INTERVAL)
			next = now_ns() + interval_ns(m->interval_s);
		name_namespaces(m);
	}
	tui_close();
	return ret;
}

int cmd_top(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "all-netns", no_argument, NULL, 'A' },
		{ "source", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct top_opts o = { .source = "auto", .interval = 1 };
	struct ts_snapshot snap = {};
	struct ts_source src = {};
	static struct top_model m;
	const char *term = getenv("TERM");
	bool tty, dumb, color;
	struct utsname u;
	__u32 self;
	int c, err, ret;

	while ((c = getopt_long(argc, argv, "+As:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o.once = true; break;
		case 'A': o.all = true; break;
		case 's': o.source = optarg; break;
		case 'v': verbose = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc &&
	    parse_seconds(argv[optind++], "INTERVAL", TOP_INTERVAL_MAX, &o.interval))
		return EXIT_USAGE;
	if (o.interval < TOP_INTERVAL_MIN) {
		warnx_("INTERVAL: %g is out of range (%g to %g)", o.interval,
		       TOP_INTERVAL_MIN, TOP_INTERVAL_MAX);
		return EXIT_USAGE;
	}
	if (optind < argc) {
		warnx_("unexpected argument '%s'", argv[optind]);
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(o.source, "auto") && strcmp(o.source, "bpf") && strcmp(o.source, "module")) {
		warnx_("--source: '%s' is not one of bpf, module, auto", o.source);
		return EXIT_USAGE;
	}
	if (o.all && geteuid() != 0) {
		warnx_("--all-netns needs root (it reads every namespace)");
		return 1;
	}
	err = netns_self(&self);
	if (err) {
		warnx_("cannot tell this process's network namespace: %s", strerror(-err));
		return 1;
	}
	err = ts_source_open(&src, o.source);
	if (err) {
		if (err == -ENOENT)
			warnx_("no collector is loaded (%s): run 'tcpstate load' for the "
			       "BPF collector, or insmod tcpstate.ko", o.source);
		else
			warnx_("cannot open the %s collector: %s", o.source, strerror(-err));
		return 1;
	}
	setlocale(LC_ALL, "");
	top_init(&m, o.interval, o.all, self);
	if (!uname(&u))
		snprintf(m.kernel, sizeof(m.kernel), "%.*s", (int)sizeof(m.kernel) - 1, u.release);

	tty = isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
	dumb = !term || !*term || !strcmp(term, "dumb");
	color = !getenv("NO_COLOR") && !dumb;
	install_exit_signals();
	err = read_frame(&src, &snap, &o, &m);
	if (err) {
		warnx_("reading the %s collector failed: %s", src.ops->name, strerror(-err));
		ret = 1;
	} else if (o.once || !tty) {
		err = plain_frame(&m, false);
		if (err)
			warnx_("writing the frame failed: %s", strerror(-err));
		ret = err ? 1 : 0;
	} else if (dumb) {
		ret = run_plain(&src, &snap, &o, &m);
	} else {
		ret = run_tui(&src, &snap, &o, &m, color);
	}
	ts_snapshot_free(&snap);
	ts_source_close(&src);
	return ret;
}
