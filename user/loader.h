/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * loader.h - the pinned BPF collector: loading, unloading, and the paths
 * under which its maps, programs and links live.
 */
#ifndef __TCPSTATE_LOADER_H
#define __TCPSTATE_LOADER_H

#include <stdbool.h>
#include <linux/types.h>
#include "tcpstate.h"

#define PIN_DIR		"/sys/fs/bpf/tcpstate"
#define PIN_LINK(n)	PIN_DIR "/link_" n

enum attach_mode {
	ATTACH_AUTO,		/* tp_btf where the kernel has it */
	ATTACH_BTF,		/* tp_btf only */
	ATTACH_TRACEPOINT,	/* classic tracepoints only */
};

/* Default sk_slots entries: 4 MiB, preallocated (Documentation/architecture.rst). */
#define LOAD_SK_SLOTS_DEFAULT	65536u
#define LOAD_SK_SLOTS_MAX	(1u << 24)

/*
 * Preallocated namespace slots (bpf/maps.bpf.h, netns_slots): sizeof(struct
 * tcpstate_stats) per possible CPU each. By default twice the namespaces
 * there are at load, a power of two from _MIN to _AUTO_MAX.
 */
#define LOAD_NETNS_SLOTS_AUTO		(~0u)
#define LOAD_NETNS_SLOTS_MIN		16u
#define LOAD_NETNS_SLOTS_AUTO_MAX	64u
#define LOAD_NETNS_SLOTS_MAX		TCPSTATE_MAX_NETNS

/*
 * Listening sockets the collector can hold (every read walks every bucket
 * of their hash map: about 1.1 ms for 65,536 here, 0.14 ms for 8,192).
 */
#define LOAD_LISTENERS_DEFAULT		8192u

struct load_opts {
	enum attach_mode mode;
	unsigned int sk_slots;	/* a power of two, or 0: socket storage only */
	unsigned int fw2_pending;	/* entries; 0: TCPSTATE_MAX_FW2_PENDING */
	unsigned int netns_slots;	/* a power of two, 0: none, or _AUTO */
	unsigned int listeners;		/* entries; 0: LOAD_LISTENERS_DEFAULT */
};

/* The collector's objects a reader needs, as file descriptors. */
struct collector_fds {
	int netns_stats, netns_spill, netns_slots, netns_slot_owner;
	int errors, fw2_pending, listeners, nesting, timewait, port_use;
	int netns_check;
	/* run from user space */
	int listeners_refresh, fw2_reconcile, count_sockets, repair_begin, repair_end;
	/* attached: set_state's two programs (tp_btf), or each tracepoint's one */
	int set_state, set_state_nest, timer_start, timer_cancel, destroy;
};

struct bpf_object;
/* Pins the maps and iterator programs collector_open() needs. */
int collector_pin_objects(struct bpf_object *obj);

/*
 * Opens the loaded collector's objects: from PIN_DIR, or where that is not
 * visible (`ip netns exec` mounts its own /sys), by finding the attached
 * set_state program and the maps and programs that go with it.
 * -ENOENT when no collector is loaded.
 */
int collector_open(struct collector_fds *fds);
void collector_close(struct collector_fds *fds);

/*
 * Runs an iterator (a bpf_iter_create() fd) to its end. The socket
 * iterator of recent kernels fails a read with EAGAIN when it cannot
 * grow its batch without sleeping (under a bucket's lock); the read is
 * retried from where it stopped, at most ITER_RETRIES times in a row.
 * 0 or -errno.
 */
int collector_iter_drain(int iter_fd);

/* The max_entries of a map the collector was loaded with. 0 or -errno. */
int collector_map_entries(int map_fd, __u32 *entries);

/*
 * Runs one of the collector's syscall programs (BPF_PROG_TEST_RUN) with
 * ctx (may be NULL). 0, or -errno; a program's non-zero return is -EIO
 * unless retval takes it.
 */
int collector_run(int prog_fd, void *ctx, unsigned int ctx_size, unsigned int *retval);

/* true when a collector is loaded (pinned, or attached and found by id). */
bool collector_loaded(void);
/* Loads, attaches, pins, then counts the sockets that already exist. */
int collector_load(const struct load_opts *opts);
/* Removes everything under PIN_DIR; 0 if there was nothing. */
int collector_unload(void);
/* "tp_btf" or "tracepoint": how the loaded collector is attached. */
const char *collector_attach_kind(void);

#endif /* __TCPSTATE_LOADER_H */
