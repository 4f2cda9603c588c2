/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* cli.h - what every subcommand shares: messages, numbers, exit codes. */
#ifndef __TCPSTATE_CLI_H
#define __TCPSTATE_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <linux/types.h>

#define EXIT_USAGE	64	/* EX_USAGE, as argp uses */

extern bool verbose;
extern const char *progname;
/* Set by SIGINT/SIGTERM; loops end when they see it. */
extern volatile sig_atomic_t exiting;

void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Installs the SIGINT/SIGTERM handler that sets exiting. */
void install_exit_signals(void);

/*
 * Parses a whole decimal number in [min, max]; on failure prints
 * "<what>: '<s>' ..." and returns -1.
 */
int parse_ulong(const char *s, const char *what, unsigned long min,
		unsigned long max, unsigned long *out);
/* parse_ulong(), of a power of two or 0 ("... is not a power of two (or 0)"). */
int parse_pow2(const char *s, const char *what, unsigned long max, unsigned long *out);
/* Seconds with an optional fraction ("0.5"), in (0, max]. */
int parse_seconds(const char *s, const char *what, double max, double *out);

/* --source's value: 0 for bpf, module or auto, else a message and -1. */
int check_source_name(const char *name);
struct ts_source;
/*
 * ts_source_open(), and on failure a message that says why (and how to
 * load a collector when none is); 0 or -errno.
 */
int open_source(struct ts_source *src, const char *name);

/*
 * What every reading command does once its options are parsed: checks
 * --source, that --all-netns (all) runs as root, finds the caller's
 * namespace (*self) and opens the source. 0, or the exit code after a
 * message: EXIT_USAGE for a bad --source, 1 otherwise.
 */
int open_reader(struct ts_source *src, const char *name, bool all, __u32 *self);

/* Each subcommand: argc/argv start at the subcommand's name. */
int cmd_summary(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_unload(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_alerts(int argc, char **argv);

#endif /* __TCPSTATE_CLI_H */
