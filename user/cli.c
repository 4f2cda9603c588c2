// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cli.c - what every subcommand shares: messages, numbers, signals. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "netns.h"
#include "log.h"
#include "source.h"

bool verbose;
const char *progname = "tcpstate";
volatile sig_atomic_t exiting;

/* Both go through the one logger (log.c): "progname: " or "<N>" prefixed. */
void warnx_(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_err("%s", buf);
}

void info(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_info("%s", buf);
}

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

void install_exit_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int parse_ulong(const char *s, const char *what, unsigned long min,
		unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ') {
		warnx_("%s: '%s' is not a number", what, s ? s : "");
		return -1;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end) {
		warnx_("%s: '%s' is not a number", what, s);
		return -1;
	}
	if (v < min || v > max) {
		warnx_("%s: %lu is out of range (%lu-%lu)", what, v, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_pow2(const char *s, const char *what, unsigned long max, unsigned long *out)
{
	unsigned long v;

	if (parse_ulong(s, what, 0, max, &v))
		return -1;
	if (v & (v - 1)) {
		warnx_("%s: '%s' is not a power of two (or 0)", what, s);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_seconds(const char *s, const char *what, double max, double *out)
{
	double v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ') {
		warnx_("%s: '%s' is not a number of seconds", what, s ? s : "");
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v)) {
		warnx_("%s: '%s' is not a number of seconds", what, s);
		return -1;
	}
	if (v <= 0 || v > max) {
		warnx_("%s: %s is out of range (more than 0, at most %g)", what, s, max);
		return -1;
	}
	*out = v;
	return 0;
}

int check_source_name(const char *name)
{
	if (!strcmp(name, "auto") || !strcmp(name, "bpf") || !strcmp(name, "module"))
		return 0;
	warnx_("--source: '%s' is not one of bpf, module, auto", name);
	return -1;
}

int open_source(struct ts_source *src, const char *name)
{
	int err = ts_source_open(src, name);

	if (err == -ENOENT)
		warnx_("no collector is loaded (%s): run 'tcpstate load' for the "
		       "BPF collector, or insmod tcpstate.ko", name);
	else if (err)
		warnx_("cannot open the %s collector: %s", name, strerror(-err));
	return err;
}

int open_reader(struct ts_source *src, const char *name, bool all, __u32 *self)
{
	int err;

	if (check_source_name(name))
		return EXIT_USAGE;
	if (all && geteuid() != 0) {
		warnx_("--all-netns needs root (it reads every namespace)");
		return 1;
	}
	err = netns_self(self);
	if (err) {
		warnx_("cannot tell this process's network namespace: %s", strerror(-err));
		return 1;
	}
	return open_source(src, name) ? 1 : 0;
}
