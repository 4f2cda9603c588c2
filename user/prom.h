/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * prom.h - a snapshot as Prometheus text exposition format (version 0.0.4),
 * the families of Documentation/metrics.rst.
 */
#ifndef __TCPSTATE_PROM_H
#define __TCPSTATE_PROM_H

#include <stddef.h>
#include <stdio.h>
#include "source.h"

#define PROM_MAX_NETNS_DEFAULT		256
#define PROM_MAX_TRANSITIONS_DEFAULT	4096

struct prom_opts {
	size_t max_netns;		/* namespaces exported; 0: PROM_MAX_NETNS_DEFAULT */
	size_t max_transitions;		/* transition series, all namespaces; 0: default */
	const char *version;		/* tcpstate_build_info{version}; NULL: "unknown" */
};

/*
 * Writes every family for snap to f (the per-namespace limits are
 * snap->netns[i].limits, filled by netns_table_fill_limits(), or left
 * unknown and not exported). Returns 0, -ENOMEM, or -errno of a write
 * error (f's error flag). Never prints elsewhere.
 */
int prom_render(FILE *f, const struct ts_snapshot *snap, const struct prom_opts *o);

#endif /* __TCPSTATE_PROM_H */
