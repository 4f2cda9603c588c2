// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tw_owner.c - owners of timewait sockets from the BPF collector's
 * "timewait" map (tw_owner.h): read in batches (BPF_MAP_LOOKUP_BATCH),
 * folded per owner by culprit_tw_fold().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "tw_owner.h"

#define BATCH	4096

int tw_read(int map_fd, size_t max_entries, struct tcpstate_tw **out, size_t *nr)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct tcpstate_tw *vals = NULL, *nv;
	__u64 *keys = NULL, in = 0, outb = 0;
	size_t n = 0, cap = 0;
	bool first = true;
	int err = 0;

	*out = NULL;
	*nr = 0;
	keys = calloc(BATCH, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	while (n < max_entries) {
		__u32 count = BATCH;

		if (max_entries - n < count)
			count = (__u32)(max_entries - n);
		if (n + count > cap) {
			cap = cap ? cap * 2 : BATCH;
			while (cap < n + count)
				cap *= 2;
			nv = realloc(vals, cap * sizeof(*vals));
			if (!nv) {
				err = -ENOMEM;
				goto out;
			}
			vals = nv;
		}
		err = bpf_map_lookup_batch(map_fd, first ? NULL : &in, &outb, keys, vals + n,
					   &count, &opts);
		if (err && err != -ENOENT)
			goto out;
		n += count;
		if (err == -ENOENT) {	/* the last batch */
			err = 0;
			break;
		}
		in = outb;
		first = false;
	}
	*out = vals;
	*nr = n;
	vals = NULL;
out:
	free(keys);
	free(vals);
	return err;
}

int tw_listeners(int map_fd, size_t max, struct tcpstate_listener **out, size_t *nr)
{
	struct tcpstate_listener *v = NULL, *nv;
	__u64 key, next, *prev = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	*nr = 0;
	while (n < max && !bpf_map_get_next_key(map_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		if (bpf_map_lookup_elem(map_fd, &key, &v[n]))
			continue;	/* closed meanwhile */
		n++;
	}
	*out = v;
	*nr = n;
	return 0;
}
