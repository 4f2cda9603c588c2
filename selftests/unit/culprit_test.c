// SPDX-License-Identifier: GPL-2.0
/*
 * culprit_test.c - the parts of user/sockdiag.c and user/culprit.c that
 * need no kernel: the port bytecode, parsing an inet_diag message, socket
 * ages, /proc fd links, /proc/PID files (a fake tree), the container in a
 * cgroup path, and grouping rows into culprit keys.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include "culprit.h"
#include "sockdiag.h"
#include "tap.h"

/* Runs the kernel's inet_diag_bc_run() over bc for (sport, dport). */
static int bc_run(const void *bc, int len, __u16 sport, __u16 dport)
{
	const unsigned char *p = bc;

	while (len > 0) {
		const struct inet_diag_bc_op *op = (const void *)p;
		int yes = 1;

		switch (op->code) {
		case INET_DIAG_BC_NOP:
			break;
		case INET_DIAG_BC_S_GE:
			yes = sport >= op[1].no;
			break;
		case INET_DIAG_BC_S_LE:
			yes = sport <= op[1].no;
			break;
		case INET_DIAG_BC_D_GE:
			yes = dport >= op[1].no;
			break;
		case INET_DIAG_BC_D_LE:
			yes = dport <= op[1].no;
			break;
		default:
			return -1;
		}
		if (yes) {
			len -= op->yes;
			p += op->yes;
		} else {
			len -= op->no;
			p += op->no;
		}
	}
	return len == 0;
}

TEST(bytecode_filters_ports_exactly)
{
	unsigned char bc[32];
	int n;

	EXPECT_EQ(sockdiag_port_bytecode(0, 0, bc, sizeof(bc)), 0);
	n = sockdiag_port_bytecode(8080, 0, bc, sizeof(bc));
	ASSERT_EQ(n, 16);
	EXPECT_EQ(bc_run(bc, n, 8080, 1), 1);
	EXPECT_EQ(bc_run(bc, n, 8081, 8080), 0);
	EXPECT_EQ(bc_run(bc, n, 8079, 8080), 0);
	n = sockdiag_port_bytecode(0, 443, bc, sizeof(bc));
	ASSERT_EQ(n, 16);
	EXPECT_EQ(bc_run(bc, n, 1, 443), 1);
	EXPECT_EQ(bc_run(bc, n, 443, 444), 0);
	n = sockdiag_port_bytecode(5000, 443, bc, sizeof(bc));
	ASSERT_EQ(n, 32);
	EXPECT_EQ(bc_run(bc, n, 5000, 443), 1);
	EXPECT_EQ(bc_run(bc, n, 5000, 442), 0);
	EXPECT_EQ(bc_run(bc, n, 5001, 443), 0);
	EXPECT_EQ(bc_run(bc, n, 4999, 444), 0);
	EXPECT_EQ(sockdiag_port_bytecode(5000, 443, bc, 16), -ENOSPC);
}

/* A SOCK_DIAG_BY_FAMILY message as the kernel sends it. */
static size_t build_msg(void *buf, int family, int state, bool info)
{
	struct nlmsghdr *nlh = buf;
	struct inet_diag_msg *m = NLMSG_DATA(nlh);
	size_t len = NLMSG_LENGTH(sizeof(*m));

	memset(buf, 0, 1024);
	m->idiag_family = family;
	m->idiag_state = state;
	m->idiag_timer = state == TCP_TIME_WAIT ? SOCKDIAG_TIMER_TIMEWAIT : 0;
	m->idiag_expires = 42000;
	m->idiag_rqueue = 7;
	m->idiag_wqueue = 128;
	m->idiag_uid = 1000;
	m->idiag_inode = 123456;
	m->id.idiag_sport = htons(8080);
	m->id.idiag_dport = htons(41000);
	if (family == AF_INET) {
		inet_pton(AF_INET, "10.1.2.3", m->id.idiag_src);
		inet_pton(AF_INET, "192.0.2.9", m->id.idiag_dst);
	} else {
		inet_pton(AF_INET6, "2001:db8::1", m->id.idiag_src);
		inet_pton(AF_INET6, "2001:db8::2", m->id.idiag_dst);
	}
	if (info) {
		struct nlattr *a = (void *)((char *)buf + NLMSG_ALIGN(len));
		struct tcp_info ti = { .tcpi_last_data_recv = 9000,
				       .tcpi_last_ack_recv = 8000 };

		a->nla_type = INET_DIAG_INFO;
		a->nla_len = NLA_HDRLEN + sizeof(ti);
		memcpy((char *)a + NLA_HDRLEN, &ti, sizeof(ti));
		len = NLMSG_ALIGN(len) + NLA_ALIGN(a->nla_len);
	}
	nlh->nlmsg_len = len;
	nlh->nlmsg_type = 20;	/* SOCK_DIAG_BY_FAMILY */
	return len;
}

TEST(parses_an_ipv4_close_wait_with_tcp_info)
{
	char buf[1024], a[64];
	struct sockdiag_row r;
	size_t len = build_msg(buf, AF_INET, TCP_CLOSE_WAIT, true);

	ASSERT_EQ(sockdiag_parse(buf, len, &r), 0);
	EXPECT_EQ(r.family, AF_INET);
	EXPECT_EQ(r.state, TCP_CLOSE_WAIT);
	EXPECT_EQ(r.sport, 8080);
	EXPECT_EQ(r.dport, 41000);
	EXPECT_UEQ(r.inode, 123456);
	EXPECT_UEQ(r.uid, 1000);
	EXPECT_UEQ(r.rqueue, 7);
	EXPECT_UEQ(r.wqueue, 128);
	EXPECT_UEQ(r.last_ack_recv_ms, 8000);
	EXPECT_UEQ(r.last_data_recv_ms, 9000);
	EXPECT_EQ(sockdiag_age_ms(&r), 8000);
	EXPECT_STREQ(sockdiag_addr_str(r.family, r.saddr, r.sport, a, sizeof(a)),
		     "10.1.2.3:8080");
	EXPECT_STREQ(sockdiag_addr_str(r.family, r.daddr, r.dport, a, sizeof(a)),
		     "192.0.2.9:41000");
}

TEST(parses_an_ipv6_time_wait_without_tcp_info)
{
	char buf[1024], a[64];
	struct sockdiag_row r;
	size_t len = build_msg(buf, AF_INET6, TCP_TIME_WAIT, false);

	ASSERT_EQ(sockdiag_parse(buf, len, &r), 0);
	EXPECT_EQ(r.state, TCP_TIME_WAIT);
	EXPECT_UEQ(r.expires_ms, 42000);
	EXPECT_UEQ(r.last_ack_recv_ms, SOCKDIAG_UNKNOWN);
	EXPECT_EQ(sockdiag_age_ms(&r), 18000);
	EXPECT_STREQ(sockdiag_addr_str(r.family, r.daddr, r.dport, a, sizeof(a)),
		     "[2001:db8::2]:41000");
	/* CLOSE_WAIT without tcp_info: age unknown. */
	len = build_msg(buf, AF_INET6, TCP_CLOSE_WAIT, false);
	ASSERT_EQ(sockdiag_parse(buf, len, &r), 0);
	EXPECT_EQ(sockdiag_age_ms(&r), -1);
}

TEST(refuses_short_and_foreign_messages)
{
	char buf[1024];
	struct sockdiag_row r;
	size_t len = build_msg(buf, AF_INET, TCP_LISTEN, false);

	EXPECT_EQ(sockdiag_parse(buf, 8, &r), -EINVAL);
	EXPECT_EQ(sockdiag_parse(buf, len - 4, &r), -EINVAL);
	((struct inet_diag_msg *)NLMSG_DATA((struct nlmsghdr *)buf))->idiag_family = AF_UNIX;
	EXPECT_EQ(sockdiag_parse(buf, len, &r), -EINVAL);
}

TEST(query_refuses_empty_states_and_cap)
{
	struct sockdiag_query q = { .states = 0, .max_rows = 10 };
	struct sockdiag_result res = {};

	EXPECT_EQ(sockdiag_query(&q, &res), -EINVAL);
	q.states = SOCKDIAG_STATE(TCP_LISTEN);
	q.max_rows = 0;
	EXPECT_EQ(sockdiag_query(&q, &res), -EINVAL);
	q.max_rows = 1;
	q.family = AF_UNIX;
	EXPECT_EQ(sockdiag_query(&q, &res), -EINVAL);
}

TEST(socket_links)
{
	__u32 ino = 0;

	EXPECT_EQ(culprit_parse_socket_link("socket:[20053444]", &ino), 0);
	EXPECT_UEQ(ino, 20053444);
	EXPECT_EQ(culprit_parse_socket_link("socket:[4294967295]", &ino), 0);
	EXPECT_UEQ(ino, 4294967295u);
	EXPECT_EQ(culprit_parse_socket_link("socket:[4294967296]", &ino), -EINVAL);
	EXPECT_EQ(culprit_parse_socket_link("socket:[]", &ino), -EINVAL);
	EXPECT_EQ(culprit_parse_socket_link("socket:[12]x", &ino), -EINVAL);
	EXPECT_EQ(culprit_parse_socket_link("pipe:[12]", &ino), -EINVAL);
	EXPECT_EQ(culprit_parse_socket_link("/dev/null", &ino), -EINVAL);
	EXPECT_EQ(culprit_parse_socket_link("socket:[0]", &ino), -EINVAL);
}

TEST(containers_from_cgroup_paths)
{
	static const char id[] =
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char cg[256], buf[80];

	snprintf(cg, sizeof(cg), "/system.slice/docker-%s.scope", id);
	EXPECT_STREQ(culprit_container(cg, buf, sizeof(buf)), "0123456789ab");
	snprintf(cg, sizeof(cg), "/kubepods/besteffort/pod1234/%s", id);
	EXPECT_STREQ(culprit_container(cg, buf, sizeof(buf)), "0123456789ab");
	snprintf(cg, sizeof(cg), "/machine.slice/libpod-%s.scope/container", id);
	EXPECT_STREQ(culprit_container(cg, buf, sizeof(buf)), "0123456789ab");
	EXPECT_STREQ(culprit_container("/system.slice/nginx.service", buf, sizeof(buf)),
		     "nginx.service");
	EXPECT_STREQ(culprit_container("/user.slice/user-1000.slice/session-2.scope",
				       buf, sizeof(buf)), "");
	EXPECT_STREQ(culprit_container("/", buf, sizeof(buf)), "");
	/* 65 hex digits are no id; 63 neither. */
	snprintf(cg, sizeof(cg), "/x/%sf", id);
	EXPECT_STREQ(culprit_container(cg, buf, sizeof(buf)), "");
	snprintf(cg, sizeof(cg), "/x/%.63s", id);
	EXPECT_STREQ(culprit_container(cg, buf, sizeof(buf)), "");
}

static void put(const char *dir, const char *name, const void *data, size_t len)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return;
	fwrite(data, 1, len, f);
	fclose(f);
}

TEST(reads_a_process_from_a_fake_proc)
{
	char root[] = "/tmp/culprit_test.XXXXXX", dir[600];
	static const char cmd[] = "nginx: worker\0-g\0daemon off;\0";
	static const char cg[] = "12:memory:/foo\n"
		"0::/system.slice/docker-0123456789abcdef0123456789abcdef"
		"0123456789abcdef0123456789abcdef.scope\n";
	static const char cg1[] = "2:cpu:/\n1:memory:/batch/job7\n0::/\n";
	struct culprit_proc p;

	ASSERT_TRUE(mkdtemp(root) != NULL);
	snprintf(dir, sizeof(dir), "%s/4242", root);
	ASSERT_EQ(mkdir(dir, 0700), 0);
	put(dir, "comm", "nginx\n", 6);
	put(dir, "cmdline", cmd, sizeof(cmd) - 1);
	put(dir, "cgroup", cg, sizeof(cg) - 1);
	ASSERT_EQ(culprit_proc_read_at(root, 4242, &p), 0);
	EXPECT_EQ(p.pid, 4242);
	EXPECT_STREQ(p.comm, "nginx");
	EXPECT_STREQ(p.cmdline, "nginx: worker -g daemon off;");
	EXPECT_STRSTR(p.cgroup, "/system.slice/docker-0123");
	EXPECT_STREQ(p.container, "0123456789ab");
	/* cgroup v1 only: the first hierarchy not at its root. */
	put(dir, "cgroup", cg1, sizeof(cg1) - 1);
	ASSERT_EQ(culprit_proc_read_at(root, 4242, &p), 0);
	EXPECT_STREQ(p.cgroup, "memory:/batch/job7");
	EXPECT_STREQ(p.container, "");
	EXPECT_EQ(culprit_proc_read_at(root, 4343, &p), -ENOENT);
	snprintf(dir, sizeof(dir), "rm -rf '%s'", root);
	EXPECT_EQ(system(dir), 0);
}

static struct sockdiag_row row(int state, const char *peer, __u16 pport, __u16 lport,
			       __u32 age_ms)
{
	struct sockdiag_row r = { .family = AF_INET, .state = state,
				  .sport = lport, .dport = pport };

	inet_pton(AF_INET, "127.0.0.1", r.saddr);
	inet_pton(AF_INET, peer, r.daddr);
	r.last_ack_recv_ms = age_ms;
	r.last_data_recv_ms = age_ms;
	return r;
}

TEST(groups_by_port_and_process)
{
	struct sockdiag_row rows[6];
	pid_t pids[6] = { 10, 10, 10, 20, 20, 0 };
	struct culprit_group *g = NULL;
	size_t ng = 0, dropped = 9;

	rows[0] = row(TCP_CLOSE_WAIT, "127.0.0.2", 40001, 8080, 1000);
	rows[1] = row(TCP_CLOSE_WAIT, "127.0.0.3", 40002, 8080, 5000);
	rows[2] = row(TCP_CLOSE_WAIT, "127.0.0.2", 40003, 8080, 3000);
	rows[3] = row(TCP_CLOSE_WAIT, "127.0.0.2", 40004, 9090, 7000);
	rows[4] = row(TCP_CLOSE_WAIT, "127.0.0.2", 40005, 9090, 100);
	rows[5] = row(TCP_CLOSE_WAIT, "127.0.0.2", 40006, 7070, 100);
	ASSERT_EQ(culprit_group(rows, pids, 6, CULPRIT_BY_LPORT | CULPRIT_BY_PID, 8,
				&g, &ng, &dropped), 0);
	ASSERT_EQ(ng, 3);
	EXPECT_EQ(dropped, 0);
	EXPECT_EQ(g[0].key.pid, 10);
	EXPECT_EQ(g[0].key.lport, 8080);
	EXPECT_UEQ(g[0].count, 3);
	EXPECT_EQ(g[0].oldest_ms, 5000);
	EXPECT_EQ(g[0].sample.dport, 40002);
	EXPECT_EQ(g[1].key.pid, 20);
	EXPECT_UEQ(g[1].count, 2);
	EXPECT_EQ(g[1].oldest_ms, 7000);
	EXPECT_EQ(g[2].key.pid, 0);
	free(g);
	/* Capped: two groups kept, the third key's row counted as dropped. */
	ASSERT_EQ(culprit_group(rows, pids, 6, CULPRIT_BY_LPORT | CULPRIT_BY_PID, 2,
				&g, &ng, &dropped), 0);
	EXPECT_EQ(ng, 2);
	EXPECT_EQ(dropped, 1);
	free(g);
}

TEST(groups_by_destination)
{
	struct sockdiag_row rows[5];
	struct culprit_group *g = NULL;
	size_t ng = 0;

	rows[0] = row(TCP_TIME_WAIT, "10.0.0.1", 443, 32768, 0);
	rows[1] = row(TCP_TIME_WAIT, "10.0.0.1", 443, 32770, 0);
	rows[2] = row(TCP_ESTABLISHED, "10.0.0.1", 443, 32769, 0);
	rows[3] = row(TCP_TIME_WAIT, "10.0.0.1", 80, 32771, 0);
	rows[4] = row(TCP_TIME_WAIT, "10.0.0.2", 443, 32772, 0);
	for (int i = 0; i < 5; i++) {
		rows[i].timer = SOCKDIAG_TIMER_TIMEWAIT;
		rows[i].expires_ms = 60000 - 1000 * i;
	}
	ASSERT_EQ(culprit_group(rows, NULL, 5, CULPRIT_BY_LADDR | CULPRIT_BY_PEER_ADDR |
				CULPRIT_BY_PEER_PORT, 4, &g, &ng, NULL), 0);
	ASSERT_EQ(ng, 3);
	EXPECT_UEQ(g[0].count, 3);
	EXPECT_EQ(g[0].key.pport, 443);
	EXPECT_EQ(g[0].key.lport, 0);
	EXPECT_EQ(g[0].lport_min, 32768);
	EXPECT_EQ(g[0].lport_max, 32770);
	EXPECT_EQ(g[0].oldest_ms, 1000);	/* the ESTABLISHED one has no age */
	free(g);
	ASSERT_EQ(culprit_group(rows, NULL, 0, CULPRIT_BY_LPORT, 4, &g, &ng, NULL), 0);
	EXPECT_EQ(ng, 0);
	free(g);
}

TEST(map_finds_its_own_socket)
{
	struct culprit_map *m = culprit_map_new(1 << 16, 1000000000ull);
	struct culprit_map_stats st;
	char link[64], target[64];
	struct stat sb;
	pid_t pid = 0;
	__u32 ino;
	ssize_t n;
	int fd;

	ASSERT_TRUE(m != NULL);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_TRUE(fd >= 0);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0 || fstat(fd, &sb)) {
		close(fd);
		culprit_map_free(m);
		SKIP("no /proc");
	}
	target[n] = '\0';
	ASSERT_EQ(culprit_parse_socket_link(target, &ino), 0);
	/* Wanted: found even on a host with more sockets than the map holds. */
	culprit_map_want(m, &ino, 1);
	ASSERT_EQ(culprit_map_lookup(m, ino, 1, &pid), 0);
	EXPECT_EQ(pid, getpid());
	culprit_map_stats(m, &st);
	EXPECT_UEQ(st.rebuilds, 1);
	EXPECT_UEQ(st.entries, 1);
	/* A miss within the interval does not walk again... */
	EXPECT_EQ(culprit_map_lookup(m, 1, 2, &pid), -ENOENT);
	culprit_map_stats(m, &st);
	EXPECT_UEQ(st.rebuilds, 1);
	/* ...unless it is newly wanted: once. */
	culprit_map_want(m, (const __u32[]){ 1 }, 1);
	EXPECT_EQ(culprit_map_lookup(m, 1, 3, &pid), -ENOENT);
	EXPECT_EQ(culprit_map_lookup(m, 1, 4, &pid), -ENOENT);
	culprit_map_stats(m, &st);
	EXPECT_UEQ(st.rebuilds, 2);
	/* After the interval, it does. */
	EXPECT_EQ(culprit_map_lookup(m, 1, 2000000005ull, &pid), -ENOENT);
	culprit_map_stats(m, &st);
	EXPECT_UEQ(st.rebuilds, 3);
	/* Nothing wanted: every socket (up to the bound) again. */
	culprit_map_unwant(m);
	ASSERT_EQ(culprit_map_rebuild(m, 4000000000ull), 0);
	culprit_map_stats(m, &st);
	/* (A busy host may hold more than 65536 sockets before this process.) */
	if (!st.truncated) {
		ASSERT_EQ(culprit_map_lookup(m, ino, 4000000001ull, &pid), 0);
		EXPECT_EQ(pid, getpid());
	} else {
		tap_diag("the host holds more than %zu sockets: the unwanted walk stopped",
			 st.entries);
	}
	EXPECT_EQ(culprit_map_lookup(m, 0, 1, &pid), -ENOENT);
	close(fd);
	culprit_map_free(m);
}

TEST(map_is_bounded)
{
	struct culprit_map *m = culprit_map_new(1, 0);
	struct culprit_map_stats st;
	int fds[3];

	ASSERT_TRUE(m != NULL);
	for (int i = 0; i < 3; i++)
		fds[i] = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_EQ(culprit_map_rebuild(m, 1), 0);
	culprit_map_stats(m, &st);
	EXPECT_UEQ(st.entries, 1);
	EXPECT_TRUE(st.truncated);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	culprit_map_free(m);
	EXPECT_TRUE(culprit_map_new(0, 0) == NULL);
}

TEST(timewait_owners_toward_a_destination)
{
	struct tcpstate_tw v[6] = {};
	struct tw_dest d = { .netns = 77, .family = AF_INET, .dport = 443 };
	struct tw_owner out[2];
	size_t nr = 0;

	inet_pton(AF_INET, "10.0.0.1", d.daddr);
	for (int i = 0; i < 6; i++) {
		v[i].netns = 77;
		v[i].family = AF_INET;
		v[i].dport = 443;
		inet_pton(AF_INET, "10.0.0.1", v[i].daddr);
		v[i].tgid = i < 3 ? 300 : 200;
		strcpy(v[i].comm, i < 3 ? "crawler" : "curl");
	}
	v[4].gen = TCPSTATE_GEN_DEAD;	/* its death accounted: not live */
	v[5].dport = 80;		/* another destination */
	culprit_tw_fold(v, 4, &d, out, 2, &nr);
	culprit_tw_fold(v + 4, 2, &d, out, 2, &nr);
	culprit_tw_sort(out, nr);
	ASSERT_EQ(nr, 2);
	EXPECT_EQ(out[0].tgid, 300);
	EXPECT_STREQ(out[0].comm, "crawler");
	EXPECT_UEQ(out[0].count, 3);
	EXPECT_EQ(out[1].tgid, 200);
	EXPECT_UEQ(out[1].count, 1);
	/* Another namespace: nothing. */
	d.netns = 78;
	nr = 0;
	culprit_tw_fold(v, 6, &d, out, 2, &nr);
	EXPECT_EQ(nr, 0);
}

TEST(map_walks_only_the_wanted_namespaces)
{
	struct culprit_map *m = culprit_map_new(1024, 1000000000ull);
	struct culprit_map_stats st;
	char link[64], target[64];
	struct stat sb;
	pid_t pid = 0;
	__u32 ino;
	ssize_t n;
	int fd;

	ASSERT_TRUE(m != NULL);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0 || stat("/proc/self/ns/net", &sb)) {
		close(fd);
		culprit_map_free(m);
		SKIP("no /proc");
	}
	target[n] = '\0';
	ASSERT_EQ(culprit_parse_socket_link(target, &ino), 0);
	/* A namespace this process is not in: it is not walked. */
	culprit_map_want(m, &ino, 1);
	culprit_map_want_netns(m, 1);
	EXPECT_EQ(culprit_map_lookup(m, ino, 1, &pid), -ENOENT);
	culprit_map_stats(m, &st);
	EXPECT_TRUE(st.procs_skipped > 0);
	/* Its own: found, at once (a newly wanted namespace walks again). */
	culprit_map_want_netns(m, (__u32)sb.st_ino);
	EXPECT_EQ(culprit_map_lookup(m, ino, 2, &pid), 0);
	EXPECT_EQ(pid, getpid());
	close(fd);
	culprit_map_free(m);
}

TEST(the_largest_group_wins_wherever_it_starts)
{
	struct sockdiag_row rows[9];
	struct culprit_group *g = NULL;
	size_t ng = 0, dropped = 0;

	/* Five destinations seen once, then one seen four times. */
	for (int i = 0; i < 5; i++)
		rows[i] = row(TCP_TIME_WAIT, "10.0.0.1", 1000 + i, 30000 + i, 0);
	for (int i = 5; i < 9; i++)
		rows[i] = row(TCP_TIME_WAIT, "10.0.0.9", 443, 30000 + i, 0);
	ASSERT_EQ(culprit_group(rows, NULL, 9, CULPRIT_BY_PEER_ADDR | CULPRIT_BY_PEER_PORT, 2,
				&g, &ng, &dropped), 0);
	ASSERT_EQ(ng, 2);
	EXPECT_UEQ(g[0].count, 4);
	EXPECT_EQ(g[0].key.pport, 443);
	EXPECT_EQ(g[0].lport_min, 30005);
	EXPECT_EQ(g[0].lport_max, 30008);
	EXPECT_UEQ(dropped, 4);
	free(g);
}
