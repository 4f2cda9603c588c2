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

int tw_owners(int map_fd, const struct tw_dest *d, size_t max_entries,
	      struct tw_owner *out, size_t max_out, size_t *nr, size_t *examined)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct tcpstate_tw *vals = NULL;
	__u64 *keys = NULL, in = 0, outb = 0;
	bool first = true;
	int err = 0;

	*nr = 0;
	*examined = 0;
	keys = calloc(BATCH, sizeof(*keys));
	vals = calloc(BATCH, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	while (*examined < max_entries) {
		__u32 count = BATCH;

		if (max_entries - *examined < count)
			count = (__u32)(max_entries - *examined);
		err = bpf_map_lookup_batch(map_fd, first ? NULL : &in, &outb, keys, vals,
					   &count, &opts);
		if (err && err != -ENOENT)
			goto out;
		culprit_tw_fold(vals, count, d, out, max_out, nr);
		*examined += count;
		if (err == -ENOENT) {	/* the last batch */
			err = 0;
			break;
		}
		in = outb;
		first = false;
	}
	culprit_tw_sort(out, *nr);
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
