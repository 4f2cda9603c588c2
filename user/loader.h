/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * loader.h - the pinned BPF collector: loading, unloading, and the paths
 * under which its maps, programs and links live.
 */
#ifndef __TCPSTATE_LOADER_H
#define __TCPSTATE_LOADER_H

#include <stdbool.h>

#define PIN_DIR		"/sys/fs/bpf/tcpstate"
#define PIN_MAP(n)	PIN_DIR "/map_" n
#define PIN_PROG(n)	PIN_DIR "/prog_" n
#define PIN_LINK(n)	PIN_DIR "/link_" n

enum attach_mode {
	ATTACH_AUTO,		/* tp_btf where the kernel has it */
	ATTACH_BTF,		/* tp_btf only */
	ATTACH_TRACEPOINT,	/* classic tracepoints only */
};

struct load_opts {
	enum attach_mode mode;
};

/* true when a collector is pinned. */
bool collector_loaded(void);
/* Loads, attaches, pins, then counts the sockets that already exist. */
int collector_load(const struct load_opts *opts);
/* Removes everything under PIN_DIR; 0 if there was nothing. */
int collector_unload(void);
/* "tp_btf" or "tracepoint": how the loaded collector is attached. */
const char *collector_attach_kind(void);

#endif /* __TCPSTATE_LOADER_H */
