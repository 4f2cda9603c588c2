// SPDX-License-Identifier: GPL-2.0
/*
 * tcpchurn - connect/accept/close on 127.0.0.1 at full speed.
 *
 *   tcpchurn [-p PORT] [-c CLIENTS] [-a ACCEPTORS] [-d SECONDS]
 *            [-s ADDRS] [-k KINDS] [-n CONNECTS] [-H PAIRS]
 *
 * A listener on PORT; CLIENTS threads connect in a loop for SECONDS and
 * cycle through four endings, announced to the server by the first byte:
 *   'c' the client closes first (client TIME_WAIT),
 *   's' the server closes first (server TIME_WAIT),
 *   'r' the client aborts with SO_LINGER {1, 0} (RST),
 *   and a connect to PORT+1, where nothing listens (refused).
 * ACCEPTORS threads accept and serve. When the time is up the clients stop,
 * the acceptors drain the accept queue, and the counts are printed as
 * key=value lines on stdout. Run it inside a test network namespace.
 *
 * -k KINDS cycles through the given endings instead, a string of c, s, r
 * and x (refused), e.g. -k c for one client TIME_WAIT per connection.
 * -s ADDRS binds the clients to ADDRS source addresses from 127.1.0.0 on
 * (IP_BIND_ADDRESS_NO_PORT: the port is picked at connect), so that the
 * 4-tuples do not run out while TIME_WAIT holds them: the default (0) is
 * 127.0.0.1 for everything.
 * -n CONNECTS stops the clients after that many connect() calls, or at
 * SECONDS, whichever comes first.
 * -H PAIRS makes PAIRS established connections (client and server socket
 * both held, SO_LINGER {1, 0} on the client so that the end makes no
 * TIME_WAIT), prints held=PAIRS, and holds them for SECONDS or until a
 * signal ends the process. The open-file limit bounds PAIRS (2 per pair).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define MAX_THREADS	64

static long port = 7400, nclients = 4, nacceptors = 4, seconds = 5;
static long naddrs, hold_pairs, max_connects;
static char kinds[8] = "csrx";
static int nkinds = 4;
static int listen_fd = -1;
static atomic_int stop_clients, stop_acceptors;

static atomic_long connects;		/* connect() calls */
static atomic_long connected;		/* connect() succeeded */
static atomic_long refused;		/* ECONNREFUSED */
static atomic_long early_fail;		/* failed before sending a SYN */
static atomic_long late_fail;		/* other errors after SYN_SENT */
static atomic_long ended[3];		/* 'c', 's', 'r' completed by the client */
static atomic_long io_errors;		/* client-side read/write problems */
static atomic_long accepted;
static atomic_long served;
static atomic_long server_errors;

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = 5 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Binds fd to the n-th of -s's source addresses (none without -s). */
static int bind_source(int fd, unsigned long n)
{
	struct sockaddr_in src;
	int one = 1;

	if (!naddrs)
		return 0;
	addr_of(&src, 0);
	src.sin_addr.s_addr = htonl((127u << 24) + (1u << 16) +
				    (unsigned int)(n % (unsigned long)naddrs));
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	return bind(fd, (struct sockaddr *)&src, sizeof(src));
}

/* Returns a connected socket, or -1 with the failure counted. */
static int do_connect(long p, unsigned long n)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0) {
		early_fail++;
		return -1;
	}
	if (bind_source(fd, n)) {
		early_fail++;
		close(fd);
		return -1;
	}
	set_timeouts(fd);
	addr_of(&sin, p);
	if (++connects >= max_connects && max_connects)
		stop_clients = 1;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
		connected++;
		return fd;
	}
	if (errno == ECONNREFUSED)
		refused++;
	else if (errno == EADDRNOTAVAIL || errno == EAGAIN ||
		 errno == ENOBUFS || errno == ENOMEM)
		early_fail++;
	else
		late_fail++;
	close(fd);
	return -1;
}

static void *client(void *arg)
{
	unsigned long i = (unsigned long)(long)arg, n = i;

	while (!stop_clients) {
		char c = kinds[i++ % (unsigned long)nkinds];
		int kind, fd;

		/* every client thread walks the source addresses in turn */
		n += (unsigned long)nclients;
		if (c == 'x') {	/* refused */
			fd = do_connect(port + 1, n);
			if (fd >= 0)
				close(fd);
			continue;
		}
		kind = c == 'c' ? 0 : c == 's' ? 1 : 2;
		fd = do_connect(port, n);
		if (fd < 0)
			continue;
		if (write(fd, &c, 1) != 1) {
			io_errors++;
			close(fd);
			continue;
		}
		if (c == 's') {
			/* wait for the server's FIN */
			if (read(fd, &c, 1) != 0)
				io_errors++;
		} else if (c == 'r') {
			struct linger lg = { .l_onoff = 1, .l_linger = 0 };

			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		}
		close(fd);
		ended[kind]++;
	}
	return NULL;
}

static void serve(int fd)
{
	char c, buf[16];
	ssize_t n;

	set_timeouts(fd);
	if (read(fd, &c, 1) != 1) {
		server_errors++;
		close(fd);
		return;
	}
	if (c == 'c' || c == 'r') {
		/* until the client's FIN (or RST) */
		do
			n = read(fd, buf, sizeof(buf));
		while (n > 0);
		if (n < 0 && !(c == 'r' && errno == ECONNRESET))
			server_errors++;
	}
	close(fd);
	served++;
}

static void *acceptor(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd p = { .fd = listen_fd, .events = POLLIN };
		int fd;

		if (poll(&p, 1, 100) <= 0) {
			if (stop_acceptors)
				break;
			continue;
		}
		fd = accept4(listen_fd, NULL, NULL, 0);
		if (fd < 0)
			continue;	/* EAGAIN: another acceptor won */
		accepted++;
		serve(fd);
	}
	return NULL;
}

/* -H: PAIRS connections made one at a time and held; 0 or 1 (failed). */
static int hold(void)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct sockaddr_in sin;
	long i;

	addr_of(&sin, port);
	for (i = 0; i < hold_pairs; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0), afd = -1;

		if (fd < 0 || bind_source(fd, (unsigned long)i) ||
		    connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
			perror("hold: connect");
			return 1;
		}
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		for (int tries = 0; afd < 0 && tries < 1000; tries++) {
			afd = accept4(listen_fd, NULL, NULL, 0);
			if (afd < 0 && errno != EAGAIN)
				break;
			if (afd < 0)
				poll(&(struct pollfd){ .fd = listen_fd, .events = POLLIN }, 1, 10);
		}
		if (afd < 0) {
			perror("hold: accept");
			return 1;
		}
	}
	printf("held=%ld\n", hold_pairs);
	fflush(stdout);
	sleep((unsigned int)seconds);
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t cl[MAX_THREADS], ac[MAX_THREADS];
	struct sockaddr_in sin;
	int opt, one = 1, flags;
	long i;

	while ((opt = getopt(argc, argv, "p:c:a:d:s:k:n:H:")) != -1) {
		int bad = 0;

		switch (opt) {
		case 'p': bad = parse_long(optarg, 1, 65534, &port); break;
		case 'c': bad = parse_long(optarg, 1, MAX_THREADS, &nclients); break;
		case 'a': bad = parse_long(optarg, 1, MAX_THREADS, &nacceptors); break;
		case 'd': bad = parse_long(optarg, 1, 3600, &seconds); break;
		case 's': bad = parse_long(optarg, 0, 1 << 22, &naddrs); break;
		case 'n': bad = parse_long(optarg, 1, 1L << 40, &max_connects); break;
		case 'H': bad = parse_long(optarg, 1, 1 << 20, &hold_pairs); break;
		case 'k':
			nkinds = (int)strlen(optarg);
			bad = !nkinds || nkinds >= (int)sizeof(kinds) ||
			      strspn(optarg, "csrx") != strlen(optarg);
			if (!bad)
				memcpy(kinds, optarg, (size_t)nkinds + 1);
			break;
		default: bad = 1;
		}
		if (bad) {
			fprintf(stderr, "usage: %s [-p PORT] [-c CLIENTS] [-a ACCEPTORS] [-d SECONDS]"
				" [-s ADDRS] [-k KINDS(csrx)] [-n CONNECTS] [-H PAIRS]\n", argv[0]);
			return 2;
		}
	}

	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (listen_fd < 0) {
		perror("socket");
		return 1;
	}
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	addr_of(&sin, port);
	if (bind(listen_fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(listen_fd, 4096)) {
		perror("bind/listen");
		return 1;
	}
	if (hold_pairs)
		return hold();
	flags = 0;
	for (i = 0; i < nacceptors; i++)
		flags |= pthread_create(&ac[i], NULL, acceptor, NULL);
	for (i = 0; i < nclients; i++)
		flags |= pthread_create(&cl[i], NULL, client, (void *)i);
	if (flags) {
		fprintf(stderr, "pthread_create failed\n");
		return 1;
	}
	/* SECONDS, or until -n's count is reached */
	for (i = 0; i < seconds * 20 && !stop_clients; i++)
		nanosleep(&(struct timespec){ .tv_nsec = 50000000 }, NULL);
	stop_clients = 1;
	for (i = 0; i < nclients; i++)
		pthread_join(cl[i], NULL);
	/* every connected client has finished: drain what is queued */
	stop_acceptors = 1;
	for (i = 0; i < nacceptors; i++)
		pthread_join(ac[i], NULL);
	close(listen_fd);

	printf("connects=%ld\n", (long)connects);
	printf("connected=%ld\n", (long)connected);
	printf("refused=%ld\n", (long)refused);
	printf("early_fail=%ld\n", (long)early_fail);
	printf("late_fail=%ld\n", (long)late_fail);
	printf("client_close_first=%ld\n", (long)ended[0]);
	printf("server_close_first=%ld\n", (long)ended[1]);
	printf("client_abort=%ld\n", (long)ended[2]);
	printf("client_io_errors=%ld\n", (long)io_errors);
	printf("accepted=%ld\n", (long)accepted);
	printf("served=%ld\n", (long)served);
	printf("server_errors=%ld\n", (long)server_errors);
	return 0;
}
