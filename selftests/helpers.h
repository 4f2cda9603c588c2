/* SPDX-License-Identifier: GPL-2.0 */
/* helpers.h - what the selftests' C helpers (tcphold, tcpchurn) share. */
#ifndef __TCPSTATE_SELFTEST_HELPERS_H
#define __TCPSTATE_SELFTEST_HELPERS_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* A whole decimal number in [min, max]; -EINVAL otherwise (or for NULL). */
static inline int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* 127.0.0.1:port: the tests use loopback only. */
static inline void addr_of(struct sockaddr_in *sin, long port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

#endif /* __TCPSTATE_SELFTEST_HELPERS_H */
