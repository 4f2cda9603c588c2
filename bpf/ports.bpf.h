/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ports.bpf.h - ports held toward each destination, bounded from above
 * (include/tcpstate.h, TCPSTATE_PORT_BUCKETS): what lets the port-use
 * alert skip a walk of every socket while no destination can be near its
 * threshold.
 *
 * A socket's counter is chosen once, when it connects (close -> syn_sent:
 * tcp_v4_connect() and tcp_v6_connect() have set both addresses and the
 * peer port by then, the local port not yet), and kept in its record
 * (sk_info.port_bucket, the counter + 1), then in its timewait socket's
 * (tcpstate_tw.port_bucket) if it hands over to one; the counter is given
 * back once, where the port is: at a close without a timewait socket, at
 * the timewait socket's death, or where a record is dropped as stale.
 * Counting a socket that holds no ephemeral port (one bound before
 * connect(), or an accepted one found at load) only raises the bound.
 */
#ifndef __TCPSTATE_PORTS_BPF_H
#define __TCPSTATE_PORTS_BPF_H

static __always_inline __u64 port_mix(__u64 h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/*
 * The counter + 1 of a destination: namespace, family, local and peer
 * address (4 words each; IPv4 in the first), peer port (network order).
 */
static __always_inline __u16 port_bucket_of(__u64 cookie, __u16 family,
					    const __u32 *laddr, const __u32 *raddr,
					    __u16 dport)
{
	__u64 h = port_mix(cookie ^ ((__u64)dport << 32) ^ ((__u64)family << 48));

	h = port_mix(h ^ laddr[0] ^ ((__u64)raddr[0] << 32));
	if (family == AF_INET6)
		for (int i = 1; i < 4; i++)
			h = port_mix(h ^ laddr[i] ^ ((__u64)raddr[i] << 32));
	return (h & (TCPSTATE_PORT_BUCKETS - 1)) + 1;
}

/* A full socket's counter + 1, from its addresses (a BTF pointer). */
static __always_inline __u16 port_bucket_sk(const struct sock *sk, __u64 cookie)
{
	__u32 l[4] = {}, r[4] = {};
	__u16 family = sk->__sk_common.skc_family;

	if (family == AF_INET6) {
		__builtin_memcpy(l, &sk->__sk_common.skc_v6_rcv_saddr, sizeof(l));
		__builtin_memcpy(r, &sk->__sk_common.skc_v6_daddr, sizeof(r));
	} else {
		l[0] = sk->__sk_common.skc_rcv_saddr;
		r[0] = sk->__sk_common.skc_daddr;
	}
	return port_bucket_of(cookie, family, l, r, sk->__sk_common.skc_dport);
}

/* Adds d to counter + 1 bucket (0: none). */
static __always_inline void port_add(__u16 bucket, __s64 d)
{
	__u32 idx = bucket - 1;
	__s64 *v;

	if (!bucket)
		return;
	v = bpf_map_lookup_elem(&port_use, &idx);
	if (v)
		__sync_fetch_and_add(v, d);
}

/* A socket takes its port: counted in bucket (its counter + 1). */
static __always_inline void port_hold(__u16 *held, __u16 bucket)
{
	if (*held)
		return;		/* counted already */
	*held = bucket;
	port_add(bucket, 1);
}

/* A socket, or its timewait socket, gives its port back. */
static __always_inline void port_release(__u16 *held)
{
	port_add(*held, -1);
	*held = 0;
}

#endif /* __TCPSTATE_PORTS_BPF_H */
