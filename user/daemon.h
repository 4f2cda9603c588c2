/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * daemon.h - tcpstated's loop: every interval a snapshot of every
 * namespace, written atomically as a node_exporter textfile; reconnects
 * to a collector that went away; SIGHUP re-reads the configuration.
 */
#ifndef __TCPSTATE_DAEMON_H
#define __TCPSTATE_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

#define DAEMON_TEXTFILE		"tcpstate.prom"
#define DAEMON_MAX_OVERRIDES	8

struct daemon_opts {
	const char *config;		/* the configuration file */
	bool config_explicit;		/* given with --config: must exist */
	/* Command-line settings ("interval", "5"), applied over the file's. */
	struct { const char *key, *value; } set[DAEMON_MAX_OVERRIDES];
	size_t nr_set;
	bool once;			/* one write, then exit */
};

/* Runs until SIGTERM/SIGINT (or one write with once); the exit code. */
int daemon_run(const struct daemon_opts *o);

#endif /* __TCPSTATE_DAEMON_H */
