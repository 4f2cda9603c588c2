/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sockdiag.h - the sockets of one network namespace, from the kernel's
 * sock_diag (NETLINK_SOCK_DIAG, inet_diag_req_v2) through libmnl.
 *
 * The kernel filters by state (idiag_states) and, when asked, by local
 * and/or peer port (INET_DIAG_REQ_BYTECODE), so only matching sockets
 * cross to user space; IPv4 and IPv6 are two dumps. A query stops at
 * max_rows sockets (the cap on sockets examined) and says so. Nothing here
 * prints: errors are -errno.
 *
 * Cost: the kernel still walks its whole established hash table (or the
 * listening hash for LISTEN only) to filter; what the cap bounds is what
 * is copied, parsed and kept. Documentation/alerts.rst has the figures.
 */
#ifndef __TCPSTATE_SOCKDIAG_H
#define __TCPSTATE_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* The state bit of a kernel TCP_* state for sockdiag_query.states. */
#define SOCKDIAG_STATE(s)	(1u << (s))

/* idiag_timer values (what the expiry of a row is the expiry of). */
#define SOCKDIAG_TIMER_NONE		0
#define SOCKDIAG_TIMER_RETRANS		1
#define SOCKDIAG_TIMER_KEEPALIVE	2
#define SOCKDIAG_TIMER_TIMEWAIT		3
#define SOCKDIAG_TIMER_PROBE		4

/* Marks a tcp_info figure the kernel did not send (timewait sockets). */
#define SOCKDIAG_UNKNOWN	0xffffffffu

/* One socket. */
struct sockdiag_row {
	__u64 cookie;		/* the socket's cookie (idiag_cookie) */
	__u8 saddr[16];		/* local address, IPv4 in the first 4 bytes */
	__u8 daddr[16];		/* peer address */
	__u32 inode;		/* 0: no file (timewait, request, orphan) */
	__u32 uid;
	__u32 expires_ms;	/* the timer's time left; 0 when none */
	__u32 rqueue;		/* LISTEN: accept queue (sk_ack_backlog) */
	__u32 wqueue;		/* LISTEN: its limit (sk_max_ack_backlog) */
	__u32 last_data_recv_ms; /* tcp_info; SOCKDIAG_UNKNOWN when not sent */
	__u32 last_ack_recv_ms;	/* tcp_info; SOCKDIAG_UNKNOWN when not sent */
	__u16 sport;		/* host byte order */
	__u16 dport;		/* host byte order */
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 state;		/* TCP_* (a timewait socket: its substate, as ss) */
	__u8 timer;		/* SOCKDIAG_TIMER_* */
	__u8 retrans;
};

struct sockdiag_query {
	__u32 states;		/* SOCKDIAG_STATE() bits; 0 is refused */
	int family;		/* AF_INET, AF_INET6, or AF_UNSPEC for both */
	__u16 sport;		/* only this local port; 0: any */
	__u16 dport;		/* only this peer port; 0: any */
	bool want_info;		/* ask for tcp_info (last_*_recv_ms) */
	size_t max_rows;	/* stop after this many sockets; 0 is refused */
};

struct sockdiag_result {
	struct sockdiag_row *rows;
	size_t nr;
	bool truncated;		/* max_rows was reached: more sockets matched */
};

/*
 * Runs q in the caller's network namespace, appending to res (which starts
 * zeroed or holds earlier rows; rows are kept on error). 0 or -errno:
 * -EINVAL for a bad query, -ENOMEM, or the netlink error.
 */
int sockdiag_query(const struct sockdiag_query *q, struct sockdiag_result *res);

/*
 * The same in the namespace that netns_path opens (netns.h netns_info.path,
 * or NULL for the caller's); the caller's namespace is restored before it
 * returns. A failure to restore is returned as -ENOTRECOVERABLE.
 */
int sockdiag_query_netns(const char *netns_path, const struct sockdiag_query *q,
			 struct sockdiag_result *res);

void sockdiag_result_free(struct sockdiag_result *res);

/*
 * The bytecode that keeps sockets with the given local and peer ports
 * (0: any): written into buf (at most len bytes). Returns its length, 0
 * when no filter is needed, or -ENOSPC. Exposed for the unit tests.
 */
int sockdiag_port_bytecode(__u16 sport, __u16 dport, void *buf, size_t len);

/*
 * Parses one SOCK_DIAG_BY_FAMILY message (nlmsghdr included, nlmsg_len
 * bytes) into row. 0, or -EINVAL when it is short or malformed. Exposed
 * for the unit tests.
 */
int sockdiag_parse(const void *nlh, size_t len, struct sockdiag_row *row);

/*
 * How long the socket of row has been in its state, in ms, or -1 when
 * that cannot be told from sock_diag:
 *   TIME_WAIT   60 s (TCP_TIMEWAIT_LEN) minus the timer's time left;
 *   CLOSE_WAIT  the time since the last segment from the peer (tcp_info
 *               last_ack_recv): the peer's FIN, unless a later keepalive
 *               probe's answer came in, so it is a lower bound.
 */
long long sockdiag_age_ms(const struct sockdiag_row *row);

/* "127.0.0.1:80" or "[::1]:80" into buf; returns buf. */
const char *sockdiag_addr_str(int family, const __u8 *addr, __u16 port,
			      char *buf, size_t len);

#endif /* __TCPSTATE_SOCKDIAG_H */
