// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * summary.c - `tcpstate summary [INTERVAL [COUNT]]`: per-state counts,
 * entry rates and time in state, once or every INTERVAL seconds.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "hist.h"
#include "json.h"
#include "netns.h"
#include "states.h"
#include "summary.h"

static const char usage[] =
"Usage: tcpstate summary [OPTIONS] [INTERVAL [COUNT]]\n"
"Per-state TCP socket counts of this network namespace, as ss counts them,\n"
"with entries per second and time spent in each state.\n"
"\n"
"  INTERVAL            print every INTERVAL seconds (fractions allowed)\n"
"  COUNT               stop after COUNT reports (default: until interrupted)\n"
"  -j, --json          one JSON object per report\n"
"  -A, --all-netns     every network namespace, one block each\n"
"  -s, --source SRC    bpf, module or auto (default: auto)\n"
"  -v, --verbose       say more on stderr\n"
"  -h, --help          this help\n"
"\n"
"Examples:\n"
"  tcpstate summary              # once\n"
"  tcpstate summary 1            # every second until Ctrl-C\n"
"  tcpstate summary -j 5 12      # JSON every 5 s for a minute\n"
"  ip netns exec web tcpstate summary   # the namespace 'web'\n";

void summary_build(struct summary *s, const struct ts_netns *ns,
		   const struct ts_netns *prev, double dt_s)
{
	const struct tcpstate_stats *st = &ns->st;

	s->inum = ns->inum;
	s->ns = ns;
	s->nr_rows = nr_live_states;
	s->total = 0;
	s->interval_s = prev ? dt_s : 0;
	for (size_t i = 0; i < nr_live_states; i++) {
		struct summary_row *r = &s->rows[i];
		int state = live_states[i];
		__u64 in = 0, in_prev = 0;

		memset(r, 0, sizeof(*r));
		r->state = state;
		r->count = st->live[state];
		s->total += r->count;
		for (int from = 0; from < TCPSTATE_NSTATES; from++) {
			in += st->transitions[from][state];
			if (prev)
				in_prev += prev->st.transitions[from][state];
		}
		r->rate = -1;
		if (prev && dt_s > 0)
			r->rate = (double)(in - in_prev) / dt_s;
		else if (dt_s > 0)	/* the average since the collector started */
			r->rate = (double)in / dt_s;
		r->samples = hist_count(st->duration[state]);
		r->p50_us = hist_quantile_us(st->duration[state], 0.50);
		r->p90_us = hist_quantile_us(st->duration[state], 0.90);
		r->p99_us = hist_quantile_us(st->duration[state], 0.99);
		r->max_us = hist_max_us(st->duration[state]);
	}
	for (size_t i = 0; i < s->nr_rows; i++)
		s->rows[i].share = s->total > 0 ?
				   (double)s->rows[i].count / (double)s->total : 0;
}

static int term_width(void)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");

	if (cols && atoi(cols) > 0)
		return atoi(cols);
	if (isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col)
		return ws.ws_col;
	return 0;	/* not a terminal: never drop columns */
}

struct summary_opts {
	bool json, all;
	const char *source;
	double interval;
	unsigned long count;	/* 0: forever */
};

static int report(const struct summary_opts *o, const struct ts_snapshot *cur,
		  const struct ts_snapshot *prev, __u32 self)
{
	static const struct ts_netns empty;
	double dt = prev ? (cur->taken_ns - prev->taken_ns) / 1e9 : cur->counting_ns / 1e9;
	struct json j;
	bool color = !o->json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	int width = term_width();
	size_t n = o->all ? cur->nr_netns : 1;

	if (o->json) {
		json_init(&j, stdout);
		if (o->all) {
			json_obj_open(&j, NULL);
			json_str(&j, "source", cur->source);
			json_arr_open(&j, "namespaces");
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct ts_netns self_ns;
		const struct ts_netns *ns;
		struct summary s = { .source = cur->source, .errors = &cur->errors,
				     .events_missed = cur->events_missed,
				     .negative_counts = cur->negative_counts,
				     .events_recovered = cur->events_recovered };

		if (o->all) {
			ns = &cur->netns[i];
		} else {
			ns = ts_snapshot_find(cur, self);
			if (!ns) {	/* no socket yet in this namespace */
				self_ns = empty;
				self_ns.inum = self;
				ns = &self_ns;
			}
		}
		summary_build(&s, ns, prev ? ts_snapshot_find(prev, ns->inum) : NULL, dt);
		netns_name(ns->inum, s.name, sizeof(s.name));
		if (o->json) {
			summary_render_json(&j, &s);
		} else {
			if (i)
				fputc('\n', stdout);
			summary_render_text(stdout, &s, width, color);
		}
	}
	if (o->json && o->all) {
		json_arr_close(&j);
		json_obj_close(&j);
	}
	if (!o->json && o->interval > 0)
		fputc('\n', stdout);
	if (o->json)
		return json_end(&j);
	return fflush(stdout) || ferror(stdout) ? -(errno ? errno : EIO) : 0;
}

static void sleep_until(const struct timespec *deadline)
{
	while (!exiting &&
	       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, deadline, NULL) == EINTR)
		;
}

int cmd_summary(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all-netns", no_argument, NULL, 'A' },
		{ "source", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct summary_opts o = { .source = "auto" };
	struct ts_snapshot snaps[2] = {}, *cur, *prev = NULL;
	struct ts_source src = {};
	struct timespec next;
	unsigned long done = 0;
	__u32 self;
	int c, err;

	while ((c = getopt_long(argc, argv, "+jAs:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o.json = true; break;
		case 'A': o.all = true; break;
		case 's': o.source = optarg; break;
		case 'v': verbose = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc &&
	    parse_seconds(argv[optind++], "INTERVAL", 86400, &o.interval))
		return EXIT_USAGE;
	if (optind < argc &&
	    parse_ulong(argv[optind++], "COUNT", 1, 1000000000UL, &o.count))
		return EXIT_USAGE;
	if (optind < argc) {
		warnx_("unexpected argument '%s'", argv[optind]);
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	err = open_reader(&src, o.source, o.all, &self);
	if (err)
		return err;
	install_exit_signals();
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (int i = 0; !exiting; i ^= 1) {
		cur = &snaps[i];
		err = ts_source_read(&src, cur, o.all ? TS_READ_ALL_NETNS : 0);
		if (err) {
			warnx_("reading the %s collector failed: %s", src.ops->name,
			       strerror(-err));
			break;
		}
		err = report(&o, cur, prev, self);
		if (err) {
			warnx_("writing the report failed: %s", strerror(-err));
			break;
		}
		if (prev)
			ts_snapshot_free(prev);
		prev = cur;
		if (o.interval <= 0 || (o.count && ++done >= o.count))
			break;
		next.tv_sec += (time_t)o.interval;
		next.tv_nsec += (long)((o.interval - floor(o.interval)) * 1e9);
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		sleep_until(&next);
	}
	ts_snapshot_free(&snaps[0]);
	ts_snapshot_free(&snaps[1]);
	ts_source_close(&src);
	return err ? 1 : 0;
}
