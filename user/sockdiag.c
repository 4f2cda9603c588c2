// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sockdiag.c - a namespace's sockets from sock_diag (sockdiag.h), through
 * libmnl: one dump request per family, the states and ports filtered in
 * the kernel, parsed into rows until the cap.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <libmnl/libmnl.h>
#include "netns.h"
#include "sockdiag.h"

#define TIMEWAIT_LEN_MS	60000	/* TCP_TIMEWAIT_LEN, not tunable */
#define ROWS_MIN	64

int sockdiag_port_bytecode(__u16 sport, __u16 dport, void *buf, size_t len)
{
	struct { __u8 code; __u16 port; } cond[4];
	struct inet_diag_bc_op ops[8];
	int nc = 0, total;

	/*
	 * port >= P and port <= P: S_EQ/D_EQ are missing before 5.10. Each
	 * condition is an op and the op holding its port: 8 bytes.
	 */
	if (sport) {
		cond[nc].code = INET_DIAG_BC_S_GE, cond[nc++].port = sport;
		cond[nc].code = INET_DIAG_BC_S_LE, cond[nc++].port = sport;
	}
	if (dport) {
		cond[nc].code = INET_DIAG_BC_D_GE, cond[nc++].port = dport;
		cond[nc].code = INET_DIAG_BC_D_LE, cond[nc++].port = dport;
	}
	total = nc * 8;
	if (!total)
		return 0;
	if ((size_t)total > len)
		return -ENOSPC;
	/*
	 * The kernel (inet_diag_bc_run) accepts when the program ends
	 * exactly at its length: "yes" steps to the next condition, "no"
	 * jumps 4 bytes past the end, which rejects.
	 */
	for (int i = 0; i < nc; i++) {
		ops[2 * i].code = cond[i].code;
		ops[2 * i].yes = 8;
		ops[2 * i].no = (__u16)(total - i * 8 + 4);
		ops[2 * i + 1].code = INET_DIAG_BC_NOP;
		ops[2 * i + 1].yes = 0;
		ops[2 * i + 1].no = cond[i].port;
	}
	memcpy(buf, ops, total);
	return total;
}

int sockdiag_parse(const void *buf, size_t len, struct sockdiag_row *row)
{
	const struct nlmsghdr *nlh = buf;
	const struct inet_diag_msg *m;
	const struct nlattr *attr;

	if (len < sizeof(*nlh) || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return -EINVAL;
	m = mnl_nlmsg_get_payload(nlh);
	memset(row, 0, sizeof(*row));
	row->family = m->idiag_family;
	if (row->family != AF_INET && row->family != AF_INET6)
		return -EINVAL;
	row->state = m->idiag_state;
	row->timer = m->idiag_timer;
	row->retrans = m->idiag_retrans;
	row->expires_ms = m->idiag_timer ? m->idiag_expires : 0;
	row->rqueue = m->idiag_rqueue;
	row->wqueue = m->idiag_wqueue;
	row->uid = m->idiag_uid;
	row->inode = m->idiag_inode;
	row->sport = ntohs(m->id.idiag_sport);
	row->dport = ntohs(m->id.idiag_dport);
	memcpy(&row->cookie, m->id.idiag_cookie, sizeof(row->cookie));
	memcpy(row->saddr, m->id.idiag_src, row->family == AF_INET ? 4 : 16);
	memcpy(row->daddr, m->id.idiag_dst, row->family == AF_INET ? 4 : 16);
	row->last_data_recv_ms = SOCKDIAG_UNKNOWN;
	row->last_ack_recv_ms = SOCKDIAG_UNKNOWN;
	mnl_attr_for_each(attr, nlh, sizeof(*m)) {
		const struct tcp_info *ti;

		if (mnl_attr_get_type(attr) != INET_DIAG_INFO)
			continue;
		/* Older kernels send a shorter tcp_info: take what is there. */
		if (mnl_attr_get_payload_len(attr) <
		    offsetof(struct tcp_info, tcpi_last_ack_recv) + sizeof(__u32))
			continue;
		ti = mnl_attr_get_payload(attr);
		row->last_data_recv_ms = ti->tcpi_last_data_recv;
		row->last_ack_recv_ms = ti->tcpi_last_ack_recv;
	}
	return 0;
}

long long sockdiag_age_ms(const struct sockdiag_row *row)
{
	switch (row->state) {
	case TCP_TIME_WAIT:
		if (row->timer != SOCKDIAG_TIMER_TIMEWAIT)
			return -1;
		return row->expires_ms >= TIMEWAIT_LEN_MS ? 0 :
		       TIMEWAIT_LEN_MS - (long long)row->expires_ms;
	case TCP_CLOSE_WAIT:
		if (row->last_ack_recv_ms == SOCKDIAG_UNKNOWN)
			return -1;
		return row->last_ack_recv_ms;
	default:
		return -1;
	}
}

const char *sockdiag_addr_str(int family, const __u8 *addr, __u16 port,
			      char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, a, sizeof(a));
	if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
	return buf;
}

void sockdiag_result_free(struct sockdiag_result *res)
{
	if (!res)
		return;
	free(res->rows);
	memset(res, 0, sizeof(*res));
}

struct dump {
	struct sockdiag_result *res;
	size_t cap;		/* rows allocated */
	size_t max;		/* rows allowed in res, in all */
	int err;
};

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	struct sockdiag_row row;

	if (sockdiag_parse(nlh, nlh->nlmsg_len, &row))
		return MNL_CB_OK;	/* not an inet_diag_msg: skip it */
	if (d->res->nr >= d->max) {
		d->res->truncated = true;
		return MNL_CB_STOP;
	}
	if (d->res->nr == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : ROWS_MIN;
		struct sockdiag_row *nr;

		if (ncap > d->max)
			ncap = d->max;
		nr = realloc(d->res->rows, ncap * sizeof(*nr));
		if (!nr) {
			d->err = -ENOMEM;
			return MNL_CB_ERROR;
		}
		d->res->rows = nr;
		d->cap = ncap;
	}
	d->res->rows[d->res->nr++] = row;
	return MNL_CB_OK;
}

static int dump_family(struct mnl_socket *nl, int family, const struct sockdiag_query *q,
		       struct dump *d, unsigned int seq)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;
	__u8 bc[32];
	int bclen, ret;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = q->states;
	if (q->want_info)
		req->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	bclen = sockdiag_port_bytecode(q->sport, q->dport, bc, sizeof(bc));
	if (bclen < 0)
		return bclen;
	if (bclen)
		mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, bclen, bc);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, n, seq, mnl_socket_get_portid(nl), on_msg, d);
		if (ret == MNL_CB_STOP)
			return d->res->truncated || !d->err ? 0 : d->err;
		if (ret < 0)
			return d->err ? d->err : -errno;
	}
}

int sockdiag_query(const struct sockdiag_query *q, struct sockdiag_result *res)
{
	struct dump d = { .res = res, .cap = res->nr, .max = res->nr + q->max_rows };
	struct mnl_socket *nl = NULL;
	int err = 0;

	if (!q->states || !q->max_rows ||
	    (q->family != AF_INET && q->family != AF_INET6 && q->family != AF_UNSPEC))
		return -EINVAL;
	res->truncated = false;
	for (int i = 0; i < 2 && !err && !res->truncated; i++) {
		int fam = i ? AF_INET6 : AF_INET;

		if (q->family != AF_UNSPEC && q->family != fam)
			continue;
		/* A fresh socket per dump: a stopped dump leaves messages. */
		nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
		if (!nl)
			return -errno;
		if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
			err = -errno;
		else
			err = dump_family(nl, fam, q, &d, (unsigned int)time(NULL) + i);
		mnl_socket_close(nl);
	}
	return err;
}

int sockdiag_query_netns(const char *netns_path, const struct sockdiag_query *q,
			 struct sockdiag_result *res)
{
	int saved, err;

	if (!netns_path)
		return sockdiag_query(q, res);
	err = netns_enter(netns_path, &saved);
	if (err)
		return err;
	err = sockdiag_query(q, res);
	if (netns_restore(saved))
		return -ENOTRECOVERABLE;
	return err;
}
