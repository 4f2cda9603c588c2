// SPDX-License-Identifier: GPL-2.0
/*
 * tcphold - create TCP sockets on 127.0.0.1 and hold them in a state.
 *
 * Reads one command per line on stdin and answers one line on stdout:
 * "ok [key=value ...]" or "err <reason>". Sockets live in named groups;
 * every file descriptor stays open until its group is closed, "quit" is
 * read, stdin reaches EOF, or the lifetime (-t SECONDS, default 120)
 * runs out. Meant to run inside a test network namespace.
 *
 *   listen G PORT [BACKLOG]     a listener on 127.0.0.1:PORT
 *   connect G PORT N            N non-blocking connects to 127.0.0.1:PORT
 *   wait-connected G [MS]       until every socket of G finished connecting;
 *                               answers connected=N failed=N
 *   accept G L N [MS]           accept N connections of listener group L
 *   shutdown G                  shutdown(SHUT_WR) every socket of G
 *   linger G                    SO_LINGER {1, 0} on every socket of G
 *   close G                     close every socket of G (forget G)
 *   count G                     answers n=N
 *   ports G                     answers the local ports, ports=P,P,...
 *   sleep MS
 *   quit
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define MAX_GROUPS	32
#define MAX_FDS		2048
#define NAME_LEN	32

struct group {
	char name[NAME_LEN];
	int nfds;
	int fds[MAX_FDS];
};

static struct group groups[MAX_GROUPS];

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void reply(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static struct group *find_group(const char *name, int create)
{
	struct group *free_slot = NULL;
	int i;

	if (!name || strlen(name) >= NAME_LEN)
		return NULL;
	for (i = 0; i < MAX_GROUPS; i++) {
		if (groups[i].name[0] && !strcmp(groups[i].name, name))
			return &groups[i];
		if (!groups[i].name[0] && !free_slot)
			free_slot = &groups[i];
	}
	if (!create || !free_slot)
		return NULL;
	strcpy(free_slot->name, name);
	free_slot->nfds = 0;
	return free_slot;
}

static int group_add(struct group *g, int fd)
{
	if (g->nfds >= MAX_FDS) {
		close(fd);
		return -ENOSPC;
	}
	g->fds[g->nfds++] = fd;
	return 0;
}

static void cmd_listen(char **av)
{
	struct sockaddr_in sin;
	long port, backlog = 128;
	struct group *g;
	int fd, one = 1;

	if (parse_long(av[2], 1, 65535, &port) ||
	    (av[3] && parse_long(av[3], 1, 65535, &backlog)))
		return reply("err usage: listen G PORT [BACKLOG]");
	g = find_group(av[1], 1);
	if (!g)
		return reply("err no group");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return reply("err socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	addr_of(&sin, port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(fd, (int)backlog)) {
		int e = errno;

		close(fd);
		return reply("err bind/listen: %s", strerror(e));
	}
	if (group_add(g, fd))
		return reply("err group full");
	reply("ok");
}

static void cmd_connect(char **av)
{
	struct sockaddr_in sin;
	long port, n, i;
	struct group *g;

	if (parse_long(av[2], 1, 65535, &port) ||
	    parse_long(av[3], 1, MAX_FDS, &n))
		return reply("err usage: connect G PORT N");
	g = find_group(av[1], 1);
	if (!g)
		return reply("err no group");
	addr_of(&sin, port);
	for (i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (fd < 0)
			return reply("err socket: %s", strerror(errno));
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) &&
		    errno != EINPROGRESS) {
			int e = errno;

			close(fd);
			return reply("err connect: %s", strerror(e));
		}
		if (group_add(g, fd))
			return reply("err group full");
	}
	reply("ok");
}

static void cmd_wait_connected(char **av)
{
	long timeout = 5000, deadline;
	int connected = 0, failed = 0, i;
	struct group *g = find_group(av[1], 0);

	if (!g || (av[2] && parse_long(av[2], 0, 600000, &timeout)))
		return reply("err usage: wait-connected G [MS]");
	deadline = now_ms() + timeout;
	for (i = 0; i < g->nfds; i++) {
		struct pollfd p = { .fd = g->fds[i], .events = POLLOUT };
		socklen_t len = sizeof(int);
		int err = 0;
		long left = deadline - now_ms();

		if (poll(&p, 1, left > 0 ? (int)left : 0) <= 0)
			continue;	/* still connecting */
		if (getsockopt(g->fds[i], SOL_SOCKET, SO_ERROR, &err, &len) ||
		    err)
			failed++;
		else
			connected++;
	}
	reply("ok connected=%d failed=%d pending=%d", connected, failed,
	      g->nfds - connected - failed);
}

static void cmd_accept(char **av)
{
	long n, timeout = 5000, deadline;
	struct group *g, *l;
	int got = 0;

	if (parse_long(av[3], 1, MAX_FDS, &n) ||
	    (av[4] && parse_long(av[4], 0, 600000, &timeout)))
		return reply("err usage: accept G L N [MS]");
	l = find_group(av[2], 0);
	if (!l || l->nfds < 1)
		return reply("err no listener group %s", av[2]);
	g = find_group(av[1], 1);
	if (!g)
		return reply("err no group");
	deadline = now_ms() + timeout;
	while (got < n) {
		struct pollfd p = { .fd = l->fds[0], .events = POLLIN };
		long left = deadline - now_ms();
		int fd;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		fd = accept4(l->fds[0], NULL, NULL, SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return reply("err accept: %s", strerror(errno));
		}
		if (group_add(g, fd))
			return reply("err group full");
		got++;
	}
	if (got < n)
		return reply("err accepted %d of %ld", got, n);
	reply("ok accepted=%d", got);
}

static void cmd_each(char **av, const char *what)
{
	struct group *g = find_group(av[1], 0);
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int i, errs = 0;

	if (!g)
		return reply("err no group %s", av[1] ? av[1] : "");
	for (i = 0; i < g->nfds; i++) {
		int r = 0;

		if (!strcmp(what, "shutdown"))
			r = shutdown(g->fds[i], SHUT_WR);
		else if (!strcmp(what, "linger"))
			r = setsockopt(g->fds[i], SOL_SOCKET, SO_LINGER, &lg,
				       sizeof(lg));
		else if (!strcmp(what, "close"))
			r = close(g->fds[i]);
		if (r)
			errs++;
	}
	if (!strcmp(what, "close"))
		memset(g, 0, sizeof(*g));
	if (errs)
		return reply("err %s failed on %d sockets", what, errs);
	reply("ok");
}

static void cmd_ports(char **av)
{
	struct group *g = find_group(av[1], 0);
	char buf[8192];
	size_t off = 0;
	int i;

	if (!g)
		return reply("err no group");
	buf[0] = 0;
	for (i = 0; i < g->nfds && off < sizeof(buf) - 8; i++) {
		struct sockaddr_in sin;
		socklen_t len = sizeof(sin);

		if (getsockname(g->fds[i], (struct sockaddr *)&sin, &len))
			continue;
		off += snprintf(buf + off, sizeof(buf) - off, "%s%u",
				off ? "," : "", ntohs(sin.sin_port));
	}
	reply("ok ports=%s", buf);
}

static void on_alarm(int sig)
{
	(void)sig;
	_exit(3);
}

int main(int argc, char **argv)
{
	long lifetime = 120;
	char line[512];
	int opt;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt != 't' || parse_long(optarg, 1, 86400, &lifetime)) {
			fprintf(stderr, "usage: %s [-t SECONDS] < commands\n",
				argv[0]);
			return 2;
		}
	}
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned int)lifetime);

	while (fgets(line, sizeof(line), stdin)) {
		char *av[8] = { 0 };
		char *save = NULL, *tok;
		int ac = 0;

		for (tok = strtok_r(line, " \t\r\n", &save); tok && ac < 7;
		     tok = strtok_r(NULL, " \t\r\n", &save))
			av[ac++] = tok;
		if (!ac)
			continue;
		if (!strcmp(av[0], "listen") && ac >= 3)
			cmd_listen(av);
		else if (!strcmp(av[0], "connect") && ac >= 4)
			cmd_connect(av);
		else if (!strcmp(av[0], "wait-connected") && ac >= 2)
			cmd_wait_connected(av);
		else if (!strcmp(av[0], "accept") && ac >= 4)
			cmd_accept(av);
		else if ((!strcmp(av[0], "shutdown") ||
			  !strcmp(av[0], "linger") ||
			  !strcmp(av[0], "close")) && ac >= 2)
			cmd_each(av, av[0]);
		else if (!strcmp(av[0], "count") && ac >= 2) {
			struct group *g = find_group(av[1], 0);

			reply("ok n=%d", g ? g->nfds : 0);
		} else if (!strcmp(av[0], "ports") && ac >= 2)
			cmd_ports(av);
		else if (!strcmp(av[0], "sleep") && ac >= 2) {
			long ms;

			if (parse_long(av[1], 0, 600000, &ms)) {
				reply("err usage: sleep MS");
				continue;
			}
			usleep((useconds_t)ms * 1000);
			reply("ok");
		} else if (!strcmp(av[0], "quit")) {
			reply("ok");
			return 0;
		} else
			reply("err unknown command: %s", av[0]);
	}
	return 0;
}
